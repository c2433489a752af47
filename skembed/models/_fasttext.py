"""FastTextVectorizer: fastText's subword skip-gram and CBOW as a scikit-learn transformer."""

import os
from array import array
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skembed._training._driver import Step
from skembed._training._monitor import with_callbacks
from skembed.corpus._encoding import Corpus, make_chunks, remap
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._base import BaseEmbeddingVectorizer
from skembed.models._kernels import _fasttext, _sgns
from skembed.models._kernels._nce import log_noise_scale
from skembed.models._kernels._sigmoid import make_tables
from skembed.models._params import (
    CLIP_CONSTRAINTS,
    COMMON_CONSTRAINTS,
    CONTROL_CONSTRAINTS,
    MAX_INT32,
    MEMORY_CONSTRAINTS,
    NEGATIVE_SAMPLING_CONSTRAINTS,
    POSTPROCESSING_CONSTRAINTS,
    STORAGE_CONSTRAINTS,
    TEXT_CONSTRAINTS,
)
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN
from skembed.text._subwords import build_subword_table, subwords_enabled
from skembed.utils._threads import call_kernel, numba_threads, resolve_n_threads
from skembed.vectors._fasttext_vectors import FastTextWordVectors, first_use
from skembed.vectors._initial import copy_initial_rows, initial_dimension
from skembed.vectors._word_vectors import WordVectors

__all__ = ["FastTextVectorizer"]

_DEFAULT_LEARNING_RATE = {"skipgram": 0.025, "cbow": 0.05}
_KERNEL_MODE = {"skipgram": _fasttext.SKIPGRAM, "cbow": _fasttext.CBOW}
_FASTTEXT_MODEL_ID = {"cbow": 1, "skipgram": 2}
# Initialisation keys: word row i draws from key i, bucket b from key _BUCKET_KEY + b, so a
# row's initial values do not depend on which other rows exist.
_BUCKET_KEY = 1 << 40
# n-gram rows follow at most 2**24 word rows in one int32-indexed matrix
_MAX_BUCKET = MAX_INT32 - (1 << 24)


def _init_matrix(keys, seed, dim, n_threads, out=None):
    """Return ``len(keys)`` rows uniform in [-1/dim, 1/dim), each drawn from its own key."""
    if out is None:
        out = np.empty((len(keys), dim), dtype=np.float32)
    keys = np.ascontiguousarray(keys, dtype=np.int64)
    if n_threads > 1 and len(keys) * dim > 1 << 20:
        with numba_threads(n_threads):
            _fasttext.init_rows_parallel(keys, seed, 1.0 / dim, out)
    else:
        _fasttext.init_rows(keys, seed, 1.0 / dim, out)
    return out


def _encode_open_vocabulary(token_lists, key_to_index):
    """Encode tokens against a vocabulary, giving each unknown word a new id after it.

    Returns ``(corpus, new_words)``: word ``new_words[k]`` has id
    ``len(key_to_index) + k``.
    """
    index = dict(key_to_index)
    new_words = []
    buffer = array("i")
    offsets = array("q", [0])
    n = 0
    for tokens in token_lists:
        ids = list(map(index.get, tokens))
        if None in ids:
            for k, token in enumerate(tokens):
                if ids[k] is None:
                    i = index.get(token)
                    if i is None:
                        i = index[token] = len(index)
                        new_words.append(token)
                    ids[k] = i
        buffer.extend(ids)
        n += len(ids)
        offsets.append(n)
    tokens = np.frombuffer(buffer, dtype=np.int32).copy() if n else np.empty(0, np.int32)
    return Corpus(tokens, np.frombuffer(offsets, dtype=np.int64).copy()), new_words


class FastTextVectorizer(BaseEmbeddingVectorizer):
    """Learn fastText embeddings (words plus character n-grams) and turn documents into vectors.

    fastText (Bojanowski et al. 2017) trains skip-gram or CBOW with negative
    sampling where the input vector of a word is the mean of its own row and
    the rows of its character n-grams of ``"<" + word + ">"``, each n-gram
    hashed (FNV-1a, as facebook fastText) into one of ``bucket`` rows.  Any
    word, seen or not, gets a vector, and ``transform`` uses the composed
    vectors of words never seen in training instead of skipping them.

    Parameters
    ----------
    algorithm : {"skipgram", "cbow"}, default="skipgram"
        Training algorithm: skip-gram (a word predicts its context) or CBOW
        (the mean of the context's subword rows predicts the word).
    vector_size : int, default=100
        Dimension of the word vectors.
    window : int, default=5
        Maximum distance between a word and its context, at most 65535; each
        word draws a window uniformly from 1 to ``window``.
    min_count : int, default=5
        Words seen fewer times get no row of their own (they still get a
        vector from their n-grams in ``transform`` and ``wv_``).
    max_vocab_size : int, default=None
        Bound on distinct words held while counting; rare words are pruned on
        the way (as gensim).
    max_final_vocab : int, default=None
        Keep only this many most frequent words.
    negative : int, default=5
        Noise words drawn per positive example.
    ns_exponent : float, default=0.75
        Exponent of the unigram noise distribution, from -10 to 10 (negative
        values favour rare words).
    loss : {"ns", "nce"}, default="ns"
        Objective of the ``negative`` noise words: "ns" is negative sampling
        (fastText's); "nce" is noise-contrastive estimation (Mnih and Teh
        2012), which scores each word by ``u.v - log(negative * q(w))``,
        ``q`` the noise distribution.  ``score`` keeps its one protocol for
        both, as in ``Word2VecVectorizer``.
    dropout : float in [0, 1), default=0.0
        Word dropout, a regulariser for small corpora: each context word of a
        window is left out with this probability, from the CBOW bag of
        subwords (an example that loses every context word is skipped) or as
        a skip-gram pair.  0 (the default) draws nothing.
    momentum : float in [0, 1), default=0.0
        Heavy-ball momentum of the SGD updates: every row touched (a word
        row, an n-gram bucket row or a negative-sampling output row) keeps a
        velocity ``v = momentum * v + step`` and moves by ``v``; a row's
        velocity changes only when the row is touched (no decay between its
        updates), once per entry of a word's subword list (a row listed twice
        takes two steps, as it takes the gradient twice without momentum).
        Skip-gram then updates the centre word's rows after every (centre,
        context) pair, as fastText does, instead of once per centre word (see
        Notes).  The velocities are two float32 arrays the size of the input
        matrix as trained (the word rows and the n-gram bucket rows) and of
        the output matrix (training memory doubles), allocated only when
        ``momentum > 0``, kept for one call of ``fit`` or ``partial_fit``
        (they restart at zero) and never stored.  A steady gradient moves a
        row ``1 / (1 - momentum)`` times further, so a lower
        ``learning_rate`` may suit it.  Negative sampling only: refused with
        ``loss="nce"`` or clipping.  0 (the default) is plain SGD, compiled
        without the velocity.
    sample : float, default=1e-3
        Subsampling threshold of frequent words (0 disables it); the keep
        probability ``sqrt(t / f) + t / f`` is fastText's and word2vec's.
    epochs : int, default=5
        Passes over the corpus.
    learning_rate : float or "auto", default="auto"
        Initial learning rate; "auto" is 0.025 for skip-gram and 0.05 for
        CBOW (fastText's own defaults are 0.05 for both).
    min_learning_rate : float, default=1e-4
        Learning rate reached at the end of training.
    min_n : int, default=3
        Shortest character n-gram.  ``min_n=0`` or ``max_n=0`` switches
        subwords off: every word is then its own row only (skip-gram or CBOW
        as word2vec, with fastText's choice of the centre word as input).
    max_n : int, default=6
        Longest character n-gram; at least ``min_n`` when both are positive.
    bucket : int, default=2_000_000
        Number of hash buckets for the n-grams, at most ``2**31 - 1 - 2**24``
        (rows are int32).  0 switches subwords off.
    compact : bool, default=True
        Keep only the n-gram buckets that vocabulary words use, the rows
        training touches (see Notes); the other buckets count as zero rows.
        False keeps fastText's full ``bucket``-row matrix, whose unused rows
        hold their random initialisation, as in a fastText model.
    learning_rate_schedule : {"linear", "constant", "exponential", "step", "cosine"} \
or callable, default="linear"
        How the rate moves from ``learning_rate`` to ``min_learning_rate`` over
        training (per chunk of about 10,000 words); an instance from
        :mod:`skembed.schedules` sets its own parameters.
    warmup_fraction : float, default=0.0
        Fraction of training over which the rate first climbs linearly from
        near 0 to ``learning_rate``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the documents (chosen with
        ``random_state``) and stop when their ``score`` has not improved by
        ``tol`` for ``n_iter_no_change`` epochs.
    validation_fraction : float, default=0.1
        Share of documents held out when ``early_stopping=True``.
    n_iter_no_change : int, default=2
        Epochs without improvement before early stopping.
    tol : float, default=1e-4
        Improvement of the validation score that counts.
    keep_best : bool, default=False
        With early stopping, restore the parameters of the best epoch at the
        end.  Costs one extra copy of every trained matrix.
    callbacks : list of callable, default=None
        Each is called after every epoch as ``callback(estimator, info)`` with an
        :class:`~skembed.EpochEnd`; returning True stops training after that
        epoch.  Callbacks are deep-copied by ``clone``; use picklable ones
        (module-level functions or classes) for process-based parallelism.
        Where scikit-learn has ``sklearn.callback``, ``set_callbacks`` works too.
    weight_decay : float, default=0.0
        Decoupled L2 decay: after each batch of chunks every trained vector is
        multiplied by ``1 - weight_decay * rate * share``, where ``share`` is the
        batch's share of an epoch's words.
    clip_value : float, default=None
        Bound each component of every single update of a vector to
        ``[-clip_value, clip_value]`` (gradient clipping by value).
    clip_norm : float, default=None
        Rescale every single update of a vector to an L2 norm of at most
        ``clip_norm`` (gradient clipping by norm).
    warm_start : bool, default=False
        When fitted, ``fit`` continues from the current vectors instead of
        starting again (the vocabulary grows only if ``update_vocabulary``).
    update_vocabulary : bool, default=False
        Let ``partial_fit`` and warm-started ``fit`` add the batch's new words
        (seen at least ``min_count`` times in the batch): rows are appended,
        ids of known words never change.
    total_words : int, default=None
        Words ``partial_fit`` will see in all; with it the schedule decays by
        words seen, without it ``partial_fit`` trains at the constant
        ``learning_rate``.
    initial_vectors : str, path-like or WordVectors, default=None
        Start a fresh fit from pre-trained vectors: a file that
        :func:`skembed.vectors.load` reads, or vectors in memory.  Their
        dimension replaces ``vector_size``; the vocabulary is the corpus words
        that pass ``min_count``, then the words found only in the file (count
        0).  The word row of each word found in the file is set so that its
        composed vector (the mean of its word and n-gram rows) starts equal to
        the pre-trained vector (to float32 rounding); n-gram rows start random.
        The words only in the file are never trained, but share n-gram rows
        with trained words, so their composed vectors move with them.
    lock_factor : float, default=1.0
        Only 1 (pre-trained rows train freely) is available here: a word's
        n-gram rows are shared with other words, so its vector cannot be held
        still.  :class:`Word2VecVectorizer` takes any value in [0, 1].
    storage_dtype : {"float32", "float16"}, default="float32"
        Precision the fitted word rows, n-gram bucket rows and output weights
        are stored in.  Training always runs in float32 (float16 would round
        small updates away); "float16" converts at the end of each fit,
        halving the memory of those matrices, the model's pickle and its
        ``.npz`` files, within float16 rounding (relative error about 5e-4) of
        the float32 model.  Every vector is composed from the stored rows in
        float32: the vocabulary's ``wv_.vectors`` (derived, so kept float32:
        ``n_words`` rows beside the ``n_words`` + n-gram rows stored),
        unseen words, ``transform``, ``score`` and the ``wv_`` queries, which
        return float32.  :meth:`save_fasttext_bin` writes float32 (the
        format has no other), of the same values: a model read back composes
        the same vectors.  ``partial_fit`` and warm starts train a float32
        copy and store it again.
    pooling : {"mean", "sum", "max", "tfidf", "minmeanmax", "sif", "usif"}, default="mean"
        How ``transform`` combines a document's word vectors ("tfidf": mean
        weighted by ``idf_``; "minmeanmax": the element-wise minimum, mean and
        maximum side by side, ``3 * vector_size`` features, as Rücklé et al.
        2018; "sif": mean weighted by ``a / (a + p(w))`` with
        ``a = 1e-3`` and ``p`` from the training counts, less the projection on
        ``common_components_``, as Arora, Liang and Ma 2017; "usif": Ethayarajh
        2018's unit vectors weighted by ``a / (a / 2 + p(w))``, ``a`` fitted, less
        5 weighted common components).  Fitted in ``fit``.
    postprocessing : {"l2", "center", "power", "whiten", "all-but-the-top"}, \
transformer, list or None, default=None
        What to do to the word vectors before pooling: a name of
        :data:`skembed.vectors.POSTPROCESSING_NAMES` (:class:`~skembed.vectors.L2Normalizer`,
        :class:`~skembed.vectors.Centerer`, :class:`~skembed.vectors.PowerNormalizer`,
        :class:`~skembed.vectors.Whitener`, :class:`~skembed.vectors.AllButTheTop`
        with their defaults), such a transformer with parameters of your
        choice, or a list of these applied in turn.  Fitted on the vectors at
        the end of ``fit`` (as ``postprocessor_``); ``wv_`` keeps the trained
        vectors.  A transformer must treat each row on its own.
    input, encoding, decode_error, strip_accents, lowercase, preprocessor, \
tokenizer, token_pattern, stop_words
        Text parameters with :class:`~sklearn.feature_extraction.text.CountVectorizer`'s
        meaning, except that ``token_pattern`` defaults to
        :data:`skembed.text.DEFAULT_TOKEN_PATTERN`: runs of word characters and the
        combining marks that continue them, single letters kept.
    memory : str, path-like, joblib.Memory or None, default=None
        Folder where ``fit`` keeps the encoded corpus (int32 ids, document
        offsets and the counted vocabulary as ``.npy``/``.json`` files, under
        ``skembed-corpus/``), or a ``joblib.Memory`` whose ``location`` is used.
        A later fit with the same text parameters, ``max_vocab_size`` and
        documents (file names with their size and modification time, or the
        content of strings) reads it instead of tokenizing again, and every
        pass over it works on bounded windows, so a corpus larger than memory
        can be trained on.  Documents that cannot be keyed (a generator, file
        objects, a callable ``preprocessor``/``tokenizer``) are written there
        for the one fit.  None keeps the corpus in memory.  The folder may be
        shared by parallel fits and deleted at any time.  See the guide,
        "Corpora larger than memory".
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, subsampling, windows and noise draws.
    n_jobs : int, default=None
        Training threads: None means 1 (reproducible), -1 all cores.  More
        than one thread updates the vectors lock-free and is not
        bit-reproducible.
    verbose : int, default=0
        Show a progress bar when positive; 2 or more also
        prints where the fit spent its time (``fit_profile_``).

    Attributes
    ----------
    wv_ : FastTextWordVectors
        The learned vectors: ``wv_.vectors`` holds the composed vector (mean
        of word row and n-gram rows) of each vocabulary word, most frequent
        first; ``wv_[word]`` composes any other word from its n-grams, and
        ``word in wv_`` says whether it is in the vocabulary.
    vocabulary_ : dict of str to int
        Row of each word in ``wv_`` (derived from ``wv_``).
    idf_ : ndarray of shape (n_words,), float32
        Smoothed inverse document frequency of each word in the training
        documents.
    postprocessor_ : estimator or None
        The fitted ``postprocessing`` (a :class:`~sklearn.pipeline.Pipeline`
        for a list); None without post-processing.
    common_components_ : ndarray of shape (n_components, vector_size) or None
        Directions removed from every pooled document (``pooling`` "sif": the
        first right singular vector of the training documents' vectors; "usif":
        up to 5); None for the other modes.
    loss_curve_ : list of float
        Mean loss per example in each epoch: per (word, context) pair for
        skip-gram, per predicted word for CBOW.
    n_iter_ : int
        Epochs run.
    train_time_ : float
        Seconds spent in the training kernels.
    words_per_second_ : float
        In-vocabulary training tokens processed per second (all epochs).
    fit_profile_ : dict
        Wall seconds of each phase of the last call: ``"read"`` (analysis,
        encoding and counting of the text), ``"vocabulary"``, ``"setup"``
        (sampling tables, subword lists), ``"compile"`` (first use of a kernel),
        ``"epochs"`` (a list, one per epoch) and ``"kernel"`` (the kernels'
        share of each epoch), ``"hooks"`` (callbacks, validation),
        ``"finish"`` (pooling, storage), ``"other"`` and their sum
        ``"total"``; and ``"memory"``, the process's resident set in MB at
        the start, at the end of each phase and its peak (None where the
        platform cannot tell).  Printed with ``verbose=2``.
    validation_scores_ : list of float or None
        ``score`` of the held-out documents after each epoch (``early_stopping=True``).
    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    See Also
    --------
    Word2VecVectorizer : The same without subwords.
    skembed.vectors._fasttext_vectors.FastTextWordVectors : The fitted vectors.
    skembed.vectors.io._fasttext_bin.load_fasttext_bin : Read a model trained by fastText.

    Notes
    -----
    **Memory.** fastText's input matrix has ``n_words + bucket`` rows of
    ``vector_size`` float32: with the default bucket, 2,000,000 x 100 x 4
    bytes = 800 MB (763 MiB) whatever the corpus.  Training only touches
    the rows of the vocabulary's words and of the buckets of their n-grams
    (45,000 rows, 18 MB, for the 5,300 words that the King James Bible has
    5 times or more; most of the buckets for a
    vocabulary of a hundred thousand words), so it trains those rows alone,
    packed in order of first use (the n-grams of frequent words first), each
    initialised from a stream of its own.  ``compact=False`` keeps them at
    the start of the full matrix, whose other rows the operating system
    provides only when, after training, the rows move in place to fastText's
    layout and the untouched buckets get the values they would have had,
    uniform in [-1/dim, 1/dim] (as gensim, and fastText on one thread, leave
    them; fastText on 2 to 9 threads initialises only the first
    ``threads / 10`` of its matrix and leaves the rest zero).
    ``compact=True`` (the default) keeps only the used rows, so that the
    model, its pickle and its ``.npz`` hold them alone (at 32 dimensions a
    model of those 5,300 words pickles to 7 MB instead of 257 MB); a
    GridSearchCV copies that per candidate.  An n-gram whose bucket no
    vocabulary word uses then counts as a zero row: an unseen word gets the
    sum of its stored n-gram rows divided by the number of all its n-grams,
    and a word none of whose n-grams is kept gets a zero vector.  gensim and
    fastText would add the untouched rows' random initialisation instead,
    noise of expected size zero.  The rule survives every round trip:
    :meth:`save_fasttext_bin` writes those buckets as zero rows, so fastText
    reading the file gives every word the same vector.  In-vocabulary
    vectors are identical either way, and ``wv_.compact()`` compacts a
    fitted model afterwards.

    **Unseen words in transform.** A word outside the vocabulary gets the
    mean of its n-gram rows; a word without any (stored) n-gram is skipped,
    as unknown words are in :class:`Word2VecVectorizer`.  With
    ``pooling="tfidf"`` an unseen word gets the largest idf,
    ``log((1 + n_documents) / 1) + 1``, as if seen in no training document.

    **Training.** As in fastText's unsupervised models, the full gradient of
    the mean is added to every row of the word's subword list (not divided
    by their number).  Skip-gram keeps the centre word's mean and adds the
    summed gradient of its context pairs once per centre word, which is
    exactly fastText's update (the mean moves by the gradient added to each
    row), with fewer memory accesses.  With ``momentum`` the rows of one list
    move by their own velocities, so skip-gram makes fastText's update as
    written: after each pair it moves every row of the centre word's list and
    computes their mean again (twice the row reads and writes of a pair, for
    each pair instead of each centre word).  The sigmoid, subsampling and noise
    sampler are word2vec's (shared with :class:`Word2VecVectorizer`).

    Examples
    --------
    >>> from skembed.models._fasttext import FastTextVectorizer
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
    >>> vec = FastTextVectorizer(vector_size=8, min_count=1, bucket=1000, random_state=0)
    >>> vec.fit_transform(docs).shape
    (100, 8)
    >>> "cats" in vec.wv_, vec.wv_["cats"].shape
    (False, (8,))
    """

    _parameter_constraints: dict = {
        **POSTPROCESSING_CONSTRAINTS,
        **COMMON_CONSTRAINTS,
        **NEGATIVE_SAMPLING_CONSTRAINTS,
        **CONTROL_CONSTRAINTS,
        **CLIP_CONSTRAINTS,
        **TEXT_CONSTRAINTS,
        **MEMORY_CONSTRAINTS,
        **STORAGE_CONSTRAINTS,
        "algorithm": [StrOptions(set(_KERNEL_MODE))],
        "negative": [Interval(Integral, 1, MAX_INT32, closed="both")],
        "min_n": [Interval(Integral, 0, MAX_INT32, closed="both")],
        "max_n": [Interval(Integral, 0, MAX_INT32, closed="both")],
        # n-gram rows follow the word rows in one int32-indexed matrix
        "bucket": [Interval(Integral, 0, _MAX_BUCKET, closed="both")],
        "compact": ["boolean"],
        "loss": [StrOptions({"ns", "nce"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "initial_vectors": [str, os.PathLike, WordVectors, None],
        "lock_factor": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        algorithm="skipgram",
        vector_size=100,
        window=5,
        min_count=5,
        max_vocab_size=None,
        max_final_vocab=None,
        negative=5,
        ns_exponent=0.75,
        loss="ns",
        dropout=0.0,
        momentum=0.0,
        sample=1e-3,
        epochs=5,
        learning_rate="auto",
        min_learning_rate=1e-4,
        min_n=3,
        max_n=6,
        bucket=2_000_000,
        compact=True,
        learning_rate_schedule="linear",
        warmup_fraction=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-4,
        keep_best=False,
        callbacks=None,
        weight_decay=0.0,
        clip_value=None,
        clip_norm=None,
        warm_start=False,
        update_vocabulary=False,
        total_words=None,
        initial_vectors=None,
        lock_factor=1.0,
        storage_dtype="float32",
        pooling="mean",
        postprocessing=None,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        stop_words=None,
        memory=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.algorithm = algorithm
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.loss = loss
        self.dropout = dropout
        self.momentum = momentum
        self.sample = sample
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
        self.min_n = min_n
        self.max_n = max_n
        self.bucket = bucket
        self.compact = compact
        self.learning_rate_schedule = learning_rate_schedule
        self.warmup_fraction = warmup_fraction
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.keep_best = keep_best
        self.callbacks = callbacks
        self.weight_decay = weight_decay
        self.clip_value = clip_value
        self.clip_norm = clip_norm
        self.warm_start = warm_start
        self.update_vocabulary = update_vocabulary
        self.total_words = total_words
        self.initial_vectors = initial_vectors
        self.lock_factor = lock_factor
        self.storage_dtype = storage_dtype
        self.pooling = pooling
        self.postprocessing = postprocessing
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.token_pattern = token_pattern
        self.stop_words = stop_words
        self.memory = memory
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ hooks
    def _default_learning_rate(self):
        return _DEFAULT_LEARNING_RATE[self.algorithm]

    def _subwords_on(self):
        return subwords_enabled(self.min_n, self.max_n, self.bucket)

    def _check_params(self):
        if self.min_n > 0 and self.max_n > 0 and self.max_n < self.min_n:
            raise ValueError(
                f"max_n={self.max_n} is smaller than min_n={self.min_n}: no n-gram length "
                "fits. Use max_n >= min_n, or min_n=0 or max_n=0 to switch subwords off."
            )
        if self.lock_factor != 1:
            raise ValueError(
                f"lock_factor={self.lock_factor}: FastTextVectorizer trains pre-trained "
                "vectors freely only (lock_factor=1), because a word's n-gram rows are shared "
                "with other words; Word2VecVectorizer takes lock_factor in [0, 1]."
            )
        if self.momentum > 0 and self.loss != "ns":
            raise ValueError(
                f"momentum={self.momentum} is implemented for negative sampling only: set "
                "loss='ns', or momentum=0."
            )
        if self.momentum > 0 and (self.clip_value is not None or self.clip_norm is not None):
            raise ValueError(
                f"momentum={self.momentum} is not combined with clip_value or clip_norm: "
                "set both to None, or momentum=0."
            )

    def _init_parameters(self, words, counts, rng):
        self._init_rows(words, counts, rng)
        initial = self._initial()
        if initial is not None:
            self._start_from(initial)

    def _start_from(self, initial):
        """Shift the word rows so that the words of ``initial`` compose to its vectors."""
        wv = self.wv_
        wv.clear_cache(n_threads=resolve_n_threads(self.n_jobs))
        target = wv.vectors.copy()
        pretrained = copy_initial_rows(target, wv.index_to_key, initial)
        # a composed vector is the mean of the word's n rows: adding n * (target - now) to
        # the word row moves it to the target
        n_rows = np.diff(wv._table()[0]).astype(np.float32)[:, None]
        shift = n_rows * (target - wv.vectors)
        wv._input[: len(wv)][pretrained] += shift[pretrained]
        wv.clear_cache(n_threads=resolve_n_threads(self.n_jobs))

    def _init_rows(self, words, counts, rng):
        n_words = len(words)
        dim = initial_dimension(self.vector_size, self._initial())
        n_threads = resolve_n_threads(self.n_jobs)
        self._init_seed = int(rng.randint(0, 2**31 - 1))
        self._output_vectors = np.zeros((n_words, dim), dtype=np.float32)
        if not self._subwords_on():
            rows = _init_matrix(np.arange(n_words), self._init_seed, dim, n_threads)
            self.wv_ = FastTextWordVectors._from_input_matrix(
                words, rows, min_n=0, max_n=0, counts=counts
            )
            return
        bucket = self.bucket
        _, indices = build_subword_table(words, self.min_n, self.max_n, bucket, n_words)
        # Training touches the rows of the words and of the buckets of their n-grams
        # (``used``) only: train on them alone, the n-gram rows in order of first use
        # (those of frequent words first, so the rows trained most share cache lines).
        # Without ``compact`` they are the first rows of the full matrix, whose other
        # pages the system provides only when _fit moves the rows to fastText's layout.
        # A row's values depend on its key only, so the layout changes no number.
        used = first_use(indices, n_words) - n_words
        keys = np.concatenate([np.arange(n_words), _BUCKET_KEY + used])
        if self.compact:
            matrix = _init_matrix(keys, self._init_seed, dim, n_threads)
        else:
            self._full_buffer = np.empty((n_words + bucket, dim), dtype=np.float32)
            matrix = self._full_buffer[: len(keys)]
            _init_matrix(keys, self._init_seed, dim, n_threads, out=matrix)
        self.wv_ = FastTextWordVectors._from_input_matrix(
            words, matrix, min_n=self.min_n, max_n=self.max_n, counts=counts,
            ngram_rows=used, bucket=bucket,
        )  # fmt: skip

    def _grow_parameters(self, new_words, new_counts, rng):
        """Append rows for new words (and, compacted, for their n-grams' new buckets)."""
        wv = self.wv_
        dim = wv.vector_size
        n_old, n_new = len(wv), len(new_words)
        words = wv.index_to_key + list(new_words)
        n_threads = resolve_n_threads(self.n_jobs)
        word_rows = _init_matrix(n_old + np.arange(n_new), self._init_seed, dim, n_threads)
        ngram_rows, bucket = None, None
        ngram_part = wv.vectors_ngrams
        if wv.is_compact:
            bucket = wv.bucket
            _, indices = build_subword_table(new_words, wv.min_n, wv.max_n, bucket, n_new)
            fresh = first_use(indices, n_new) - n_new
            fresh = fresh[~np.isin(fresh, wv.ngram_rows)]
            ngram_rows = np.concatenate([wv.ngram_rows, fresh])
            extra = _init_matrix(_BUCKET_KEY + fresh, self._init_seed, dim, n_threads)
            ngram_part = np.concatenate([ngram_part, extra])
        matrix = np.concatenate([wv.vectors_vocab, word_rows, ngram_part])
        self.wv_ = FastTextWordVectors._from_input_matrix(
            words, matrix, min_n=wv.min_n, max_n=wv.max_n,
            counts=np.concatenate([wv.counts, new_counts]), ngram_rows=ngram_rows,
            bucket=bucket,
        )  # fmt: skip
        self._output_vectors = np.vstack(
            [self._output_vectors, np.zeros((n_new, dim), dtype=np.float32)]
        )

    def _parameter_arrays(self):
        return [self.wv_._input, self._output_vectors]

    # the n-gram hashing fixes which rows a word uses; compact is applied at the end of a fit
    _structural_parameters = ("vector_size", "min_n", "max_n", "bucket", "compact")

    def _apply_structure(self, name, fitted, current):
        if name != "compact":
            super()._apply_structure(name, fitted, current)

    def _touched_rows(self):
        """Rows of ``wv_._input`` the kernel can reach: the words' and their n-grams' (sorted)."""
        return np.unique(self.wv_._table()[1])

    def _touched_arrays(self):
        # The full bucket matrix is large (800 MB by default) and a batch reaches only
        # the rows of its words and of their n-grams: the undo log copies those rows.
        wv = self.wv_
        rows = None if self.weight_decay > 0 else self._touched_rows()  # decay scales all
        return [
            (wv._input, rows), (self._output_vectors, None), (wv.vectors, None),
            (wv.counts, None),
        ]  # fmt: skip

    def _make_step(self, corpus):
        wv = self.wv_
        indptr, indices = wv._table()
        shift = np.empty(len(wv), dtype=np.float32)
        _fasttext.mean_shift_factors(indptr, indices, shift)
        with np.errstate(divide="ignore"):  # words only in initial_vectors count 0: kept
            keep = keep_probabilities(wv.counts, self.sample)
        alias_prob, alias_index = noise_table(wv.counts, self.ns_exponent)
        sig, log_sig = make_tables()
        seg_offsets = corpus.segments()
        chunk_segs = make_chunks(seg_offsets)
        chunk_words = np.diff(seg_offsets[chunk_segs])
        max_seg = int(np.diff(seg_offsets).max(initial=1))
        tokens, syn0, syn1 = corpus.tokens, wv._input, self._output_vectors
        mode = _KERNEL_MODE[self.algorithm]
        window, negative = int(self.window), int(self.negative)
        clip = self._clip_arguments()
        dropout = float(self.dropout) if self.dropout > 0 else None  # None: compiled away
        log_kq = (
            log_noise_scale(wv.counts, self.ns_exponent, negative) if self.loss == "nce" else None
        )
        momentum = self._momentum_arguments(syn0, syn1)
        # skip-gram on several threads, plain SGD: the frequent words' output rows in a copy
        # per thread, as word2vec's (see models/_kernels/_sgns.py)
        plain = (self.algorithm == "skipgram" and not momentum and log_kq is None
                 and clip["clip_value"] is None and clip["clip_norm"] is None)  # fmt: skip
        n_hot = _sgns.hot_rows(syn1.shape[0], syn1.shape[1]) if plain else 0

        def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
            kernel = _fasttext.fasttext_parallel if parallel else _fasttext.fasttext_serial
            kernel(
                mode, lo, hi, chunk_segs, seg_offsets, tokens, indptr, indices, shift, syn0,
                syn1, keep, alias_prob, alias_index, window, negative, lrs, seeds, sig, log_sig,
                max_seg, loss_out, count_out, clip["clip_value"], clip["clip_norm"], dropout,
                log_kq, **momentum, n_hot=n_hot,
            )  # fmt: skip

        # the finiteness check sums the rows the kernel reaches; in a fresh fit's
        # training layout those are all the rows
        touched = np.unique(indices)
        watch = syn0 if touched.size == syn0.shape[0] else (syn0, touched)
        return Step(run, chunk_words, arrays=[syn0, syn1], watch=[watch, syn1])

    def _momentum_arguments(self, syn0, syn1):
        """Kernel arguments of ``momentum``: none (plain SGD) or zero velocities for this call.

        The velocities live in the closure of this call's step only, so they are
        dropped with it and never pickled.
        """
        if self.momentum == 0:
            return {}
        return dict(
            momentum=float(self.momentum),
            vel0=np.zeros(syn0.shape, dtype=np.float32),
            vel1=np.zeros(syn1.shape, dtype=np.float32),
        )

    def _score_vectors(self):
        return self.wv_.vectors, self._output_vectors

    def _store(self, dtype):
        """Cast the word and n-gram rows and the output weights to ``dtype``; recompose.

        The composed ``wv_.vectors`` (float32) are rebuilt from the stored
        rows, as unpickling rebuilds them, so a model answers the same before
        and after a round trip.
        """
        wv = self.wv_
        if wv._input.dtype == dtype and self._output_vectors.dtype == dtype:
            return
        wv._input = np.ascontiguousarray(wv._input, dtype=dtype)
        self._output_vectors = np.ascontiguousarray(self._output_vectors, dtype=dtype)
        wv.clear_cache(n_threads=resolve_n_threads(self.n_jobs))

    def _fit(self, X, partial):
        try:
            return super()._fit(X, partial)
        finally:
            self.__dict__.pop("_full_buffer", None)

    def _refresh(self):
        # composition runs on the fit's threads (one thread never starts numba's pool)
        self.wv_.clear_cache(n_threads=resolve_n_threads(self.n_jobs))

    def _finish(self, current):
        """Move to the layout ``compact`` asks for (building new, composed vectors) or refresh."""
        wv = self.wv_
        if wv.is_compact and not self.compact:
            self.wv_ = self._expand(wv, self.__dict__.get("_full_buffer"))
        elif self.compact and not wv.is_compact and wv.subwords_enabled:
            self.wv_ = wv.compact()  # compact=True set before a warm start
        else:
            super()._finish(current)

    def _expand(self, wv, full=None):
        """Return ``wv`` in fastText's layout, built in ``full`` when its rows are there.

        The buckets no word uses get the values they were (virtually) initialised with.
        """
        n_words, dim, bucket = len(wv), wv.vector_size, wv.bucket
        if full is None or full.ctypes.data != wv._input.ctypes.data:
            full = np.empty((n_words + bucket, dim), dtype=np.float32)
            full[: wv._input.shape[0]] = wv._input
        _fasttext.scatter_rows_inplace(full, n_words, wv.ngram_rows)
        touched = np.zeros(bucket, dtype=np.bool_)
        touched[wv.ngram_rows] = True
        call_kernel(
            _fasttext.init_untouched, _fasttext.init_untouched_parallel,
            resolve_n_threads(self.n_jobs), full, n_words, touched, _BUCKET_KEY,
            self._init_seed, 1.0 / dim,
        )  # fmt: skip
        return FastTextWordVectors._from_input_matrix(
            wv.index_to_key, full, min_n=wv.min_n, max_n=wv.max_n, counts=wv.counts
        )

    def _read(self, X):
        corpus, words, counts = super()._read(X)
        if self.__dict__.get("_keep_read"):
            self._provisional = (corpus, words)
        return corpus, words, counts

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn word vectors, then return the pooled vector of each training document.

        Equals ``fit(X).transform(X)`` (words below ``min_count`` get their
        n-gram vectors in both) but reads ``X`` only once, so it works on a
        generator.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        self._keep_read = True
        try:
            self._fit_transaction(X, partial=False)
            corpus, words = self._provisional
        finally:
            self.__dict__.pop("_keep_read", None)
            self.__dict__.pop("_provisional", None)
        return self._pool(*self._open_vocabulary_corpus(corpus, words))

    # -------------------------------------------------------------- transform
    def transform(self, X):
        """Return the pooled word vector of each document, unseen words included.

        A word outside the vocabulary is not skipped: it gets the mean of its
        n-gram rows (see Notes of the class).  Only a word none of whose
        n-grams has a (stored) row is skipped, and a document left with no
        word gets a row of zeros.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents (or file names / file objects, see ``input``).

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
            The pooled vectors (see ``pooling``); with ``pooling="tfidf"`` an
            unseen word weighs the largest idf.

        Examples
        --------
        >>> from skembed import FastTextVectorizer
        >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
        >>> vec = FastTextVectorizer(vector_size=8, min_count=1, bucket=1000,
        ...                          random_state=0).fit(docs)
        >>> bool(vec.transform(["cats"]).any())
        True
        """
        return super().transform(X)

    def _encode_for_transform(self, X):
        """Encode X; unseen words with n-grams get their composed vectors as extra rows."""
        corpus, new_words = _encode_open_vocabulary(self._analyze(X), self.wv_.key_to_index)
        return self._with_unseen_rows(corpus, new_words)

    def _open_vocabulary_corpus(self, corpus, words):
        """Turn a provisional encoding (ids into ``words``) into vocabulary ids plus rows
        for the other words."""
        n_words = len(self.wv_)
        key_to_index = self.wv_.key_to_index
        ids = np.empty(len(words), dtype=np.int64)
        new_words = []
        for i, word in enumerate(words):
            known = key_to_index.get(word)
            if known is None:
                known = n_words + len(new_words)
                new_words.append(word)
            ids[i] = known
        corpus = Corpus(ids[corpus.tokens].astype(np.int32), corpus.offsets)
        return self._with_unseen_rows(corpus, new_words)

    def _with_unseen_rows(self, corpus, new_words):
        n_words = len(self.wv_)
        if not new_words:
            return corpus, self.wv_.vectors, self.idf_
        vectors, n_ngrams = self.wv_.unseen_vectors(new_words)
        found = n_ngrams > 0
        mapping = np.full(n_words + len(new_words), -1, dtype=np.int32)
        mapping[:n_words] = np.arange(n_words, dtype=np.int32)
        mapping[n_words:][found] = n_words + np.arange(int(found.sum()), dtype=np.int32)
        corpus = remap(corpus, mapping)
        vectors = np.concatenate([self.wv_.vectors, vectors[found]])
        unseen_idf = np.float32(np.log(1.0 + self._n_documents) + 1.0)
        idf = np.concatenate([self.idf_, np.full(int(found.sum()), unseen_idf, np.float32)])
        return corpus, vectors, idf

    # ----------------------------------------------------------------- export
    def save_fasttext_bin(self, path):
        """Write the fitted model as a facebook fastText ``.bin`` file.

        fastText's ``load_model`` reads it, and gives the same word vectors
        (in and out of vocabulary) as ``wv_``; a compacted model's dropped
        buckets are written as zero rows (see
        :meth:`FastTextWordVectors.full_input_matrix
        <skembed.vectors._fasttext_vectors.FastTextWordVectors.full_input_matrix>`).

        Parameters
        ----------
        path : str or path-like
            Destination; written to a temporary name, then renamed.

        Returns
        -------
        self : object
            The vectorizer.
        """
        from skembed.vectors.io._fasttext_bin import FastTextModel, save_fasttext_bin

        check_is_fitted(self, "wv_")
        wv = self.wv_
        on = wv.subwords_enabled
        args = dict(
            dim=wv.vector_size, ws=self.window, epoch=self.epochs, minCount=self.min_count,
            neg=self.negative, wordNgrams=1, loss=2, model=_FASTTEXT_MODEL_ID[self.algorithm],
            bucket=wv.bucket if on else 0, minn=wv.min_n if on else 0,
            maxn=wv.max_n if on else 0, lrUpdateRate=100, t=float(self.sample),
        )  # fmt: skip
        matrix = wv.full_input_matrix() if on else wv.vectors_vocab
        model = FastTextModel(
            words=list(wv.index_to_key),
            counts=wv.counts,
            input_matrix=matrix,
            output_matrix=self._output_vectors,
            args=args,
            ntokens=int(wv.counts.sum()),
        )
        save_fasttext_bin(path, model)
        return self
