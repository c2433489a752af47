"""Word2VecVectorizer: word2vec (skip-gram or CBOW; negative sampling, hierarchical softmax)."""

import os
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skembed._training._driver import Step
from skembed.corpus._encoding import make_chunks
from skembed.corpus._huffman import huffman_tree
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._base import BaseEmbeddingVectorizer
from skembed.models._kernels import _batched, _cbow, _sgns
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
from skembed.utils._random import float32_draws
from skembed.vectors._initial import copy_initial_rows, initial_dimension
from skembed.vectors._word_vectors import WordVectors

__all__ = ["Word2VecVectorizer"]

_DEFAULT_LEARNING_RATE = {"skipgram": 0.025, "cbow": 0.05}

# algorithm -> (serial kernel, parallel kernel, estimator parameters passed to it beyond
# the arguments every word2vec kernel takes)
_KERNELS = {
    "skipgram": (_sgns.skipgram_serial, _sgns.skipgram_parallel, ()),
    "cbow": (_cbow.cbow_serial, _cbow.cbow_parallel, ("cbow_mean", "cbow_correction")),
}

# the mini-batched kernels (shared noise words), with the same layout
_BATCHED_KERNELS = {
    "skipgram": (_batched.skipgram_batched_serial, _batched.skipgram_batched_parallel, ()),
    "cbow": (
        _batched.cbow_batched_serial,
        _batched.cbow_batched_parallel,
        ("cbow_mean", "cbow_correction"),
    ),
}

# CBOW centre words that share one draw of noise words in the batched kernel
CBOW_BATCH = 4


class Word2VecVectorizer(BaseEmbeddingVectorizer):
    """Learn word2vec embeddings from raw text and turn documents into dense vectors.

    Skip-gram or CBOW (Mikolov et al. 2013), with negative sampling,
    hierarchical softmax or both, trained by numba kernels; ``transform``
    pools the vectors of each document's words.

    Parameters
    ----------
    algorithm : {"skipgram", "cbow"}, default="skipgram"
        Training algorithm: "skipgram" predicts each context word from the
        centre word, "cbow" predicts the centre word from its pooled context.
    vector_size : int, default=100
        Dimension of the word vectors.
    window : int, default=5
        Maximum distance between a word and its context, at most 65535; each
        word draws a window uniformly from 1 to ``window``, as in word2vec.
    min_count : int, default=5
        Words seen fewer times are ignored.
    max_vocab_size : int, default=None
        Bound on distinct words held while counting; rare words are pruned on
        the way (as gensim).
    max_final_vocab : int, default=None
        Keep only this many most frequent words.
    negative : int, default=5
        Noise words drawn per positive example (negative sampling); 0 turns
        negative sampling off, which needs ``hs=True``.
    hs : bool, default=False
        Train hierarchical softmax over a Huffman tree of the word counts.
        With ``negative=0`` it is the only objective; with ``negative > 0``
        both objectives are trained, as in word2vec and gensim.
    ns_exponent : float, default=0.75
        Exponent of the unigram noise distribution, from -10 to 10 (negative
        values favour rare words).
    loss : {"ns", "nce"}, default="ns"
        Objective of the ``negative`` noise words: "ns" is word2vec's negative
        sampling; "nce" is noise-contrastive estimation (Mnih and Teh 2012),
        which scores each word by ``u.v - log(negative * q(w))``, ``q`` the
        noise distribution, so that the scores approach normalised
        log-probabilities.  "nce" needs ``negative > 0``; ``hs`` is trained
        beside either.  ``score`` keeps its one protocol for both.
    cbow_mean : bool, default=True
        CBOW only: pool the context words by their mean (word2vec's choice);
        False uses their sum.
    cbow_correction : bool, default=False
        CBOW only: give each context word the exact gradient of the context
        mean, the shared gradient divided by the number of context words
        (Irsoy, Benton and Stratos 2021).  False adds the undivided gradient
        to every context word, as word2vec and gensim do.  No effect with
        ``cbow_mean=False``, whose undivided gradient is already exact.
    dropout : float in [0, 1), default=0.0
        Word dropout, a regulariser for small corpora: each context word of a
        window is left out with this probability, from the CBOW context (an
        example that loses every context word is skipped) or as a skip-gram
        pair.  0 (the default) draws nothing and trains as word2vec does.
    kernel : {"pairwise", "batched"}, default="pairwise"
        How negative sampling is computed.  "pairwise" is word2vec's rule: every
        (input, target) example draws its own ``negative`` noise words and
        updates the rows it touches before the next example.  "batched" shares
        one draw of noise words among a group of examples (the context words of
        one centre word for skip-gram, 4 centre words spread across a segment
        for CBOW), scores the group as one small matrix product and updates
        each row once from the values before the group (Ji et al. 2016's
        HogBatch): fewer random draws and fewer writes to the frequent rows, so
        faster epochs, but fewer distinct noise words per epoch: on a small
        corpus (the KJV Bible) its skip-gram WordSim-353 scores were lower at
        equal epochs with ``learning_rate=0.025`` (more noise words,
        ``negative=10``, recover part of the gap) and level with "pairwise" at
        0.1, and it diverges at smaller learning rates than "pairwise".
        "batched" trains negative sampling only and refuses ``hs=True``,
        ``loss="nce"``, ``clip_value``, ``clip_norm`` and ``momentum``.
    momentum : float in [0, 1), default=0.0
        Heavy-ball momentum of the SGD updates: every row touched (a word
        vector or a negative-sampling output row) keeps a velocity
        ``v = momentum * v + step`` and moves by ``v``; a row's velocity
        changes only when the row is touched (no decay between its updates).
        The velocities are two float32 arrays the size of the word and
        output matrices (training memory doubles), allocated only when
        ``momentum > 0``, kept for one call of ``fit`` or ``partial_fit``
        (they restart at zero) and never stored.  A steady gradient moves a
        row ``1 / (1 - momentum)`` times further, so a lower
        ``learning_rate`` may suit it.  Negative sampling only: refused with
        ``hs=True``, ``loss="nce"`` or clipping.  0 (the default) is plain
        SGD, compiled without the velocity.
    sample : float, default=1e-3
        Subsampling threshold of frequent words (0 disables it).
    epochs : int, default=5
        Passes over the corpus.
    learning_rate : float or "auto", default="auto"
        Initial learning rate; "auto" is 0.025 for skip-gram and 0.05 for
        CBOW, word2vec's defaults.
    min_learning_rate : float, default=1e-4
        Learning rate reached at the end of training.
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
        Start a fresh fit from pre-trained vectors (fine-tuning): a file that
        :func:`skembed.vectors.load` reads, or vectors in memory.  Their
        dimension replaces ``vector_size``; the vocabulary is the corpus words
        that pass ``min_count``, then the words found only in the file (count 0:
        never trained, they keep their vectors); a corpus word found in the file
        starts from its row, the others from random rows.  A warm start or a
        later ``partial_fit`` continues from the fitted vectors instead.
    lock_factor : float, default=1.0
        Learning-rate factor of the rows that came from ``initial_vectors``, in
        [0, 1]: 0 freezes them (only new words and the output weights train), 1
        trains them as freely as the others.  No effect without
        ``initial_vectors``; below 1 it needs ``weight_decay=0``, whose decay
        would move frozen rows.
    storage_dtype : {"float32", "float16"}, default="float32"
        Precision the fitted vectors (and output weights) are stored in.
        Training always runs in float32 (float16 would round small updates
        away); "float16" converts at the end of each fit, halving the memory
        of the model, its pickle and its files, within float16 rounding
        (relative error about 5e-4) of the float32 model.  ``transform``,
        ``score`` and the ``wv_`` queries still compute and return float32;
        ``partial_fit`` and warm starts train a float32 copy and store it again.
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
    wv_ : WordVectors
        The learned word vectors, most frequent word first.
    vocabulary_ : dict of str to int
        Row of each word in ``wv_`` (derived from ``wv_``).
    idf_ : ndarray of shape (n_words,), float32
        Smoothed inverse document frequency of each word in the training documents.
    postprocessor_ : estimator or None
        The fitted ``postprocessing`` (a :class:`~sklearn.pipeline.Pipeline`
        for a list); None without post-processing.
    common_components_ : ndarray of shape (n_components, vector_size) or None
        Directions removed from every pooled document (``pooling`` "sif": the
        first right singular vector of the training documents' vectors; "usif":
        up to 5); None for the other modes.
    loss_curve_ : list of float
        Mean training loss per example in each epoch: per (word, context)
        pair for skip-gram, per centre word for CBOW; with both objectives,
        the sum of the two losses.
    n_iter_ : int
        Epochs run (accumulated over ``partial_fit`` and warm-started fits).
    train_time_ : float
        Seconds spent training in the last call (callbacks and validation excluded).
    words_per_second_ : float
        In-vocabulary training tokens processed per second in the last call.
    fit_profile_ : dict
        Wall seconds of each phase of the last call: ``"read"`` (analysis,
        encoding and counting of the text), ``"vocabulary"``, ``"setup"``
        (sampling tables, Huffman tree), ``"compile"`` (first use of a kernel),
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
    sklearn.feature_extraction.text.TfidfVectorizer : Sparse bag-of-words features.

    Notes
    -----
    CBOW pools the words of the shrunk window around each centre word, the
    centre excluded, and skips a centre word left without context, as
    word2vec does.  Hierarchical softmax walks word2vec's Huffman tree of the
    counts (branch 1 is the "negative" side of a node).

    Two departures from word2vec and gensim, both toward the exact gradient:
    beyond the sigmoid table's range (``|x| >= 6``) hierarchical softmax
    saturates the sigmoid as negative sampling does, where word2vec and
    gensim skip the node (leaving a confidently wrong node unchanged); and
    with ``cbow_mean=False`` each context word gets the gradient of the sum,
    where gensim divides it by the number of context words.

    Word vectors start uniform in ``[-1/vector_size, 1/vector_size)``, as in
    gensim 4 (word2vec's C tool starts them at half that range); output vectors
    start at zero.  The output vectors learn from the input vectors alone at
    first, so the smaller start slows early training: on KJV it cost CBOW
    about 0.6 points of analogy accuracy (10 seeds, 9 of them lower).

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, random_state=0)
    >>> vec.fit_transform(docs).shape
    (100, 8)
    >>> "cat" in vec.wv_
    True
    >>> cbow = Word2VecVectorizer(algorithm="cbow", hs=True, negative=0, vector_size=8,
    ...                           min_count=1, random_state=0).fit(docs)
    >>> cbow.wv_.vectors.shape
    (7, 8)
    """

    _parameter_constraints: dict = {
        **POSTPROCESSING_CONSTRAINTS,
        **COMMON_CONSTRAINTS,
        **NEGATIVE_SAMPLING_CONSTRAINTS,
        **CONTROL_CONSTRAINTS,
        **CLIP_CONSTRAINTS,
        **STORAGE_CONSTRAINTS,
        **TEXT_CONSTRAINTS,
        **MEMORY_CONSTRAINTS,
        "algorithm": [StrOptions(set(_KERNELS))],
        "negative": [Interval(Integral, 0, MAX_INT32, closed="both")],
        "hs": ["boolean"],
        "cbow_mean": ["boolean"],
        "cbow_correction": ["boolean"],
        "loss": [StrOptions({"ns", "nce"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "initial_vectors": [str, os.PathLike, WordVectors, None],
        "lock_factor": [Interval(Real, 0, 1, closed="both")],
        "kernel": [StrOptions({"pairwise", "batched"})],
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
        hs=False,
        ns_exponent=0.75,
        loss="ns",
        cbow_mean=True,
        cbow_correction=False,
        dropout=0.0,
        kernel="pairwise",
        momentum=0.0,
        sample=1e-3,
        epochs=5,
        learning_rate="auto",
        min_learning_rate=1e-4,
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
        self.hs = hs
        self.ns_exponent = ns_exponent
        self.loss = loss
        self.cbow_mean = cbow_mean
        self.cbow_correction = cbow_correction
        self.dropout = dropout
        self.kernel = kernel
        self.momentum = momentum
        self.sample = sample
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate
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

    def _default_learning_rate(self):
        return _DEFAULT_LEARNING_RATE[self.algorithm]

    def _check_params(self):
        # before reading X: a wrong combination should not cost a pass over the corpus
        if self.negative == 0 and not self.hs:
            raise ValueError(
                "negative=0 with hs=False leaves nothing to train: set negative > 0 "
                "(negative sampling), hs=True (hierarchical softmax), or both."
            )
        if self.loss == "nce" and self.negative == 0:
            raise ValueError(
                "loss='nce' contrasts each word with negative noise words, and negative=0 "
                "draws none: set negative > 0, or loss='ns'."
            )
        if self.kernel == "batched":
            unsupported = [
                text
                for text, used in [
                    ("hs=True", self.hs),
                    ("loss='nce'", self.loss == "nce"),
                    ("negative=0", self.negative == 0),
                    (f"clip_value={self.clip_value}", self.clip_value is not None),
                    (f"clip_norm={self.clip_norm}", self.clip_norm is not None),
                ]
                if used
            ]
            if unsupported:
                raise ValueError(
                    f"kernel='batched' trains negative sampling only, without "
                    f"{', '.join(unsupported)}: use kernel='pairwise'."
                )
        if self.momentum > 0 and (self.hs or self.loss != "ns" or self.negative == 0):
            raise ValueError(
                f"momentum={self.momentum} is implemented for negative sampling only: set "
                "hs=False, loss='ns' and negative > 0, or momentum=0."
            )
        if self.momentum > 0 and self.kernel == "batched":
            raise ValueError(
                f"momentum={self.momentum} is implemented for kernel='pairwise' only: set "
                "kernel='pairwise', or momentum=0."
            )
        if self.momentum > 0 and (self.clip_value is not None or self.clip_norm is not None):
            raise ValueError(
                f"momentum={self.momentum} is not combined with clip_value or clip_norm: "
                "set both to None, or momentum=0."
            )
        if self.lock_factor < 1 and self.weight_decay > 0 and self.initial_vectors is not None:
            raise ValueError(
                f"lock_factor={self.lock_factor} with weight_decay={self.weight_decay}: decay "
                "would move the pre-trained rows that lock_factor slows or freezes. Set "
                "weight_decay=0 or lock_factor=1."
            )

    def _new_rows(self, n, dim, rng):
        # gensim 4's initialisation, uniform in [-1, 1) / dim: twice word2vec.c's
        # [-0.5, 0.5) / dim, which costs CBOW about 0.6 analogy points on KJV (the output
        # rows start at zero, so the input rows' scale sets how fast learning starts)
        return float32_draws(rng.random_sample, (n, dim), lambda x: (x * 2.0 - 1.0) / dim)

    def _init_parameters(self, words, counts, rng):
        initial = self._initial()
        n_words, dim = len(words), initial_dimension(self.vector_size, initial)
        rows = self._new_rows(n_words, dim, rng)
        # the rows copied from initial_vectors: those lock_factor slows
        self._pretrained = copy_initial_rows(rows, words, initial)
        self.wv_ = WordVectors(words, rows, counts)
        # output weights of each objective start at zero; None where not trained
        self._output_vectors = (
            np.zeros((n_words, dim), dtype=np.float32) if self.negative > 0 else None
        )
        self._output_vectors_hs = (
            np.zeros((max(n_words - 1, 0), dim), dtype=np.float32) if self.hs else None
        )

    def _grow_parameters(self, new_words, new_counts, rng):
        """Append rows for new words; the Huffman tree's inner nodes restart at zero."""
        wv = self.wv_
        n_new, dim = len(new_words), wv.vector_size
        self.wv_ = WordVectors(
            wv.index_to_key + list(new_words),
            np.vstack([wv.vectors, self._new_rows(n_new, dim, rng)]),
            np.concatenate([wv.counts, new_counts]),
        )
        self._pretrained = np.concatenate([self._pretrained, np.zeros(n_new, dtype=bool)])
        if self._output_vectors is not None:
            self._output_vectors = np.vstack(
                [self._output_vectors, np.zeros((n_new, dim), dtype=np.float32)]
            )
        if self._output_vectors_hs is not None:
            # a new tree numbers its inner nodes afresh: old node vectors mean nothing there
            self._output_vectors_hs = np.zeros((len(self.wv_) - 1, dim), dtype=np.float32)

    def _parameter_arrays(self):
        arrays = [self.wv_.vectors, self._output_vectors, self._output_vectors_hs]
        return [a for a in arrays if a is not None]

    # negative and hs decide which output matrices exist; switching an objective on or off
    # is applied (see _apply_structure), vector_size is refused
    _structural_parameters = ("vector_size", "negative", "hs")

    def _same_structure(self, name, fitted, current):
        if name == "negative":  # 5 -> 10 keeps the same matrix; only 0 <-> k matters
            return (fitted > 0) == (current > 0)
        return fitted == current

    def _apply_structure(self, name, fitted, current):
        """Switch an objective on (its output weights start at zero, as in a fresh fit) or off."""
        n_words, dim = len(self.wv_), self.wv_.vector_size
        if name == "negative":
            self._output_vectors = (
                np.zeros((n_words, dim), dtype=np.float32) if current > 0 else None
            )
        elif name == "hs":
            self._output_vectors_hs = (
                np.zeros((max(n_words - 1, 0), dim), dtype=np.float32) if current else None
            )
        else:
            super()._apply_structure(name, fitted, current)

    def _make_step(self, corpus):
        counts = self.wv_.counts
        n_words, dim = len(self.wv_), self.wv_.vector_size
        # the kernels do not check bounds: the matrices must match the objectives trained
        syn1 = self._output_vectors
        if self.negative > 0 and (syn1 is None or syn1.shape != (n_words, dim)):
            raise ValueError(
                f"negative={self.negative} needs output vectors of shape ({n_words}, {dim}); "
                f"the fitted ones are {None if syn1 is None else syn1.shape}."
            )
        if syn1 is None:
            syn1 = np.zeros((0, dim), dtype=np.float32)
        if self.hs:
            syn1_hs = self._output_vectors_hs
            if syn1_hs is None or syn1_hs.shape != (max(n_words - 1, 0), dim):
                raise ValueError(
                    f"hs=True needs inner-node vectors of shape ({max(n_words - 1, 0)}, {dim}); "
                    f"the fitted ones are {None if syn1_hs is None else syn1_hs.shape}."
                )
            codes, points, code_indptr = huffman_tree(counts)
        else:
            codes, points = np.zeros(0, np.uint8), np.zeros(0, np.int32)
            code_indptr = np.zeros(1, np.int64)
            syn1_hs = np.zeros((0, dim), dtype=np.float32)
        with np.errstate(divide="ignore"):  # words only in initial_vectors count 0: kept
            keep = keep_probabilities(counts, self.sample)
        alias_prob, alias_index = noise_table(counts, self.ns_exponent)
        sig, log_sig = make_tables()
        seg_offsets = corpus.segments()
        chunk_segs = make_chunks(seg_offsets)
        chunk_words = np.diff(seg_offsets[chunk_segs])
        max_seg = int(np.diff(seg_offsets).max(initial=1))
        if self._batched():
            serial, parallel_kernel, options = _BATCHED_KERNELS[self.algorithm]
            arguments = dict(
                chunk_segs=chunk_segs, seg_offsets=seg_offsets, tokens=corpus.tokens,
                syn0=self.wv_.vectors, syn1=syn1, keep_prob=keep, alias_prob=alias_prob,
                alias_index=alias_index, window=int(self.window), negative=int(self.negative),
                sig_table=sig, log_sig_table=log_sig, max_seg=max_seg,
                **{name: bool(getattr(self, name)) for name in options},
                lock=self._lock(),
                dropout=float(self.dropout) if self.dropout > 0 else None,
            )  # fmt: skip
            if self.algorithm == "cbow":
                arguments["batch"] = CBOW_BATCH
            return self._step(serial, parallel_kernel, arguments, chunk_words)
        serial, parallel_kernel, options = _KERNELS[self.algorithm]
        arguments = dict(
            chunk_segs=chunk_segs, seg_offsets=seg_offsets, tokens=corpus.tokens,
            syn0=self.wv_.vectors, syn1=syn1, keep_prob=keep, alias_prob=alias_prob,
            alias_index=alias_index, window=int(self.window), negative=int(self.negative),
            hs=bool(self.hs), syn1_hs=syn1_hs, codes=codes, points=points,
            code_indptr=code_indptr, sig_table=sig, log_sig_table=log_sig, max_seg=max_seg,
            **{name: bool(getattr(self, name)) for name in options},
            **self._clip_arguments(),
            lock=self._lock(),
            dropout=float(self.dropout) if self.dropout > 0 else None,  # None: compiled away
            log_kq=(
                log_noise_scale(counts, self.ns_exponent, self.negative)
                if self.loss == "nce"
                else None
            ),
            **self._momentum_arguments(syn1),
        )  # fmt: skip
        arguments["n_hot"] = self._n_hot(n_words=syn1.shape[0])
        return self._step(serial, parallel_kernel, arguments, chunk_words)

    def _n_hot(self, n_words):
        """Output rows each thread trains in its own copy (0: none; see ``_sgns``).

        Only plain SGD with negative sampling: momentum, clipping and NCE
        write ``syn1`` directly, and CBOW's copies serve negative sampling alone.
        """
        clipped = self.clip_value is not None or self.clip_norm is not None
        plain = self.momentum == 0 and self.loss != "nce" and not clipped and self.negative > 0
        if self.algorithm == "cbow" and self.hs:
            return 0
        return _sgns.hot_rows(n_words, self.wv_.vector_size) if plain else 0

    def _batched(self):
        """Whether this fit trains with the mini-batched kernels (see ``kernel``)."""
        return self.kernel == "batched"

    def _step(self, serial, parallel_kernel, arguments, chunk_words):
        def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
            kernel = parallel_kernel if parallel else serial
            kernel(
                chunk_lo=lo, chunk_hi=hi, lrs=lrs, seeds=seeds, loss_out=loss_out,
                count_out=count_out, **arguments,
            )  # fmt: skip

        return Step(run, chunk_words, arrays=self._parameter_arrays())

    def _momentum_arguments(self, syn1):
        """Kernel arguments of ``momentum``: none (plain SGD) or zero velocities for this call."""
        if self.momentum == 0:
            return {}
        return dict(
            momentum=float(self.momentum),
            vel0=np.zeros_like(self.wv_.vectors),
            vel1=np.zeros_like(syn1),
        )

    def _lock(self):
        """Kernel argument of ``lock_factor``: None (compiled away) or a factor per word row."""
        pretrained = self._pretrained
        if self.lock_factor == 1 or not pretrained.any():
            return None
        return np.where(pretrained, np.float32(self.lock_factor), np.float32(1)).astype(np.float32)

    def _score_vectors(self):
        if self._output_vectors is None:
            raise ValueError(
                "score() evaluates negative-sampling output vectors, which a pure "
                "hierarchical-softmax model (negative=0) does not have: train with negative > 0."
            )
        return self.wv_.vectors, self._output_vectors
