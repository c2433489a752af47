"""Doc2VecVectorizer: paragraph vectors (PV-DBOW, PV-DM) with batched, deterministic inference."""

import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from skembed._training._driver import Step
from skembed._training._monitor import with_callbacks
from skembed.corpus._encoding import (
    MAX_SEGMENT,
    Corpus,
    encode_with_vocabulary,
    make_chunks,
    remap,
)
from skembed.corpus._huffman import huffman_tree
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.corpus._store import bounded_step
from skembed.models._base import (
    SCORE_NEGATIVE,
    SCORE_NS_EXPONENT,
    SCORE_SEED,
    SCORE_WINDOW,
    BaseEmbeddingVectorizer,
)
from skembed.models._kernels import _doc2vec
from skembed.models._kernels._sigmoid import make_tables
from skembed.models._params import (
    CLIP_CONSTRAINTS,
    COMMON_CONSTRAINTS,
    CONTROL_CONSTRAINTS,
    MAX_INT32,
    MEMORY_CONSTRAINTS,
    NEGATIVE_SAMPLING_CONSTRAINTS,
    STORAGE_CONSTRAINTS,
    TEXT_CONSTRAINTS,
)
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN
from skembed.utils._random import float32_draws, seed_states
from skembed.utils._threads import call_kernel, resolve_n_threads
from skembed.vectors._initial import (
    as_initial_vectors,
    copy_initial_rows,
    initial_dimension,
    union_vocabulary,
)
from skembed.vectors._word_vectors import WordVectors

__all__ = ["Doc2VecVectorizer", "DocumentVectors"]

_DEFAULT_LEARNING_RATE = 0.025
# the fixed inference of score(): the same for every setting, so scores compare
SCORE_INFERENCE_EPOCHS = 20
SCORE_INFERENCE_RATE = (0.025, 1e-4)


class DocumentVectors(WordVectors):
    """The trained vectors of documents, keyed by position or by tag.

    A :class:`~skembed.WordVectors` whose keys are the documents' tags (any
    hashable) or their positions (int), kept as given.

    Parameters
    ----------
    keys : sequence of hashable of length n_documents
        One distinct key per row.
    vectors : array-like of shape (n_documents, vector_size)
        Stored as C-contiguous float32, or float16 when given as float16
        (lookups and queries still compute and return float32).

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.models._doc2vec import DocumentVectors
    >>> dv = DocumentVectors([0, 1, "psalm"], np.array([[1, 0], [0, 1], [0.9, 0.1]]))
    >>> dv[0].tolist(), dv.most_similar(0, topn=1)[0][0]
    ([1.0, 0.0], 'psalm')
    """

    def __init__(self, keys, vectors):
        keys = list(keys)
        half = getattr(vectors, "dtype", None) == np.float16  # a half-precision model's
        vectors = np.ascontiguousarray(vectors, dtype=np.float16 if half else np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(keys):
            raise ValueError(
                f"vectors of shape {vectors.shape} do not hold one row for each of "
                f"{len(keys)} keys."
            )
        self.index_to_key = keys
        self.vectors = vectors
        self.counts = None
        self._build_index()

    def __getitem__(self, keys):
        """Return the vector of a key, or the stacked vectors of a list of keys (read-only)."""
        try:
            if keys in self.key_to_index:
                return self.get_vector(keys)
        except TypeError:  # unhashable: a list of keys
            pass
        out = np.stack([self.get_vector(k) for k in keys])
        out.flags.writeable = False
        return out

    def _unseen_vector(self, key):
        raise KeyError(f"document {key!r} is not a key of these document vectors")

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Return the ``topn`` keys closest (cosine) to the mean of the query.

        Items are keys (left out of the answer) or vectors, as in
        :meth:`WordVectors.most_similar`.
        """

        def as_vector(item):
            try:
                if item in self.key_to_index:
                    return self.get_vector(item)
            except TypeError:
                pass
            return np.asarray(item, dtype=np.float32)

        def items(query):
            if query is None:
                return []
            try:
                if query in self.key_to_index:
                    return [query]
            except TypeError:
                pass
            query = np.asarray(query) if not isinstance(query, list | tuple) else query
            if isinstance(query, np.ndarray) and query.ndim == 1 and query.dtype.kind == "f":
                return [query]
            return list(query)

        exclude = {
            self.key_to_index[i]
            for i in items(positive) + items(negative)
            if not isinstance(i, np.ndarray) and i in self.key_to_index
        }
        vectors = [as_vector(i) for i in items(positive)]
        vectors += [-as_vector(i) for i in items(negative)]
        if not vectors:
            raise ValueError("most_similar needs at least one positive or negative item.")
        units = [v / n if (n := np.linalg.norm(v)) > 0 else v for v in vectors]
        answer = super().most_similar(positive=[np.mean(units, axis=0)], topn=topn + len(exclude),
                                      restrict_vocab=restrict_vocab)  # fmt: skip
        return [(k, s) for k, s in answer if self.key_to_index[k] not in exclude][:topn]


def _keep_tokens(corpus, keep):
    """The corpus without the tokens where ``keep`` is False; documents stay."""
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    return Corpus(corpus.tokens[keep], kept_before[corpus.offsets].astype(np.int64))


def _chunk_documents(lengths, seg_offsets, chunk_segs):
    """Documents in each chunk: a document cut into segments counts by its share of tokens."""
    pieces = np.maximum(-(-lengths // MAX_SEGMENT), 0)
    doc_length = np.repeat(lengths, pieces).astype(np.float64)
    share = np.diff(seg_offsets) / np.maximum(doc_length, 1.0)
    before = np.concatenate([[0.0], np.cumsum(share)])
    return np.diff(before[chunk_segs])


def _even_positions(corpus):
    """The known words at even positions of each document (what ``score`` infers from)."""
    lengths = np.diff(corpus.offsets)
    position = np.arange(corpus.n_tokens) - np.repeat(corpus.offsets[:-1], lengths)
    return _keep_tokens(corpus, (position % 2 == 0) & (corpus.tokens >= 0))


class Doc2VecVectorizer(BaseEmbeddingVectorizer):
    """Learn paragraph vectors (doc2vec) and infer a dense vector for any document.

    PV-DM or PV-DBOW (Le and Mikolov 2014), with negative sampling,
    hierarchical softmax or both, trained by numba kernels.  ``dv_`` holds
    the trained vectors of the training documents; ``transform`` infers the
    vector of each new document with every word and output weight frozen, in
    one batched call over all documents on ``n_jobs`` threads.  Inference is
    deterministic: each document's random stream comes from a seed fixed at
    fit time and its own word ids, so a document gets the same vector in any
    batch, any call and on any number of threads.

    Parameters
    ----------
    dm : bool, default=True
        True trains PV-DM (the document vector and the window's words predict
        each word); False trains PV-DBOW (the document vector alone predicts
        each word).
    dm_mean : bool, default=True
        PV-DM only: pool the document vector and the context words by their
        mean; False uses their sum.
    dropout : float in [0, 1), default=0.0
        PV-DM only: word dropout, a regulariser for small corpora; while
        training, each context word of a window is left out of the pooled
        input with this probability (the document vector always stays).
        Inference pools every context word.  0 (the default) draws nothing.
    dbow_words : bool, default=False
        PV-DBOW only: also train word vectors by skip-gram, interleaved with
        the document training (slower; PV-DBOW alone leaves ``wv_`` random).
    vector_size : int, default=100
        Dimension of the document and word vectors.
    window : int, default=5
        Maximum distance between a word and its context (PV-DM and
        ``dbow_words``), at most 65535; each word draws a window uniformly
        from 1 to ``window``.
    min_count : int, default=5
        Words seen fewer times are ignored.
    max_vocab_size : int, default=None
        Bound on distinct words held while counting; rare words are pruned on
        the way (as gensim).
    max_final_vocab : int, default=None
        Keep only this many most frequent words.
    negative : int, default=5
        Noise words drawn per predicted word (negative sampling); 0 turns
        negative sampling off, which needs ``hs=True``.
    hs : bool, default=False
        Train hierarchical softmax over a Huffman tree of the word counts
        (with ``negative > 0``, both objectives).
    ns_exponent : float, default=0.75
        Exponent of the unigram noise distribution, from -10 to 10.
    sample : float, default=1e-3
        Subsampling threshold of frequent words (0 disables it), in training
        and in inference.
    epochs : int, default=10
        Passes over the corpus.
    learning_rate : float or "auto", default="auto"
        Initial learning rate; "auto" is 0.025, gensim's Doc2Vec default.
    min_learning_rate : float, default=1e-4
        Learning rate reached at the end of training (and of inference).
    learning_rate_schedule : {"linear", "constant", "exponential", "step", "cosine"} \
or callable, default="linear"
        How the training rate moves from ``learning_rate`` to
        ``min_learning_rate`` (per chunk of about 10,000 words).  Progress
        counts documents, as in gensim's Doc2Vec (see Notes).
    warmup_fraction : float, default=0.0
        Fraction of training over which the rate first climbs linearly from
        near 0 to ``learning_rate``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the documents (chosen with
        ``random_state``) and stop when their ``score`` has not improved by
        ``tol`` for ``n_iter_no_change`` epochs.  The held-out documents get
        inferred vectors in ``dv_``.
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
        epoch.  Use picklable callbacks for process-based parallelism.
    weight_decay : float, default=0.0
        Decoupled L2 decay of every trained vector after each batch of chunks:
        a factor ``1 - weight_decay * rate * share``.
    clip_value : float, default=None
        Bound each component of every single update of a vector to
        ``[-clip_value, clip_value]``.
    clip_norm : float, default=None
        Rescale every single update of a vector to an L2 norm of at most
        ``clip_norm``.
    momentum : float in [0, 1), default=0.0
        Heavy-ball momentum of the training updates: every row trained (a
        document vector, a word vector with PV-DM or ``dbow_words``, or a
        negative-sampling output row) keeps a velocity
        ``v = momentum * v + step`` and moves by ``v``; a row's velocity
        changes only when the row is trained (no decay between its updates).
        The velocities are float32 arrays the size of the document, output
        and (PV-DM or ``dbow_words``) word matrices, so training memory about
        doubles; they are allocated only when ``momentum > 0``, kept for one
        call of ``fit`` or ``partial_fit`` (they restart at zero) and never
        stored.  A steady gradient moves a row ``1 / (1 - momentum)`` times
        further, so a lower ``learning_rate`` may suit it.  Negative sampling
        only: refused with ``hs=True`` or clipping.  Inference
        (``transform``, ``score``, the held-out documents of early stopping)
        stays plain SGD at ``inference_learning_rate``, which defaults to
        ``learning_rate``: when that is lowered for momentum, give inference
        its own rate.  0 (the default) is plain SGD, compiled without the
        velocities.
    warm_start : bool, default=False
        When fitted, ``fit`` continues from the current vectors: the words,
        the output weights, and the rows of ``dv_`` whose key (tag or
        position) comes again; other documents get new rows.
    update_vocabulary : bool, default=False
        Let ``partial_fit`` and warm-started ``fit`` add the batch's new words
        (seen at least ``min_count`` times in the batch).
    total_words : int, default=None
        Words ``partial_fit`` will see in all; with it the schedule decays by
        words seen, without it ``partial_fit`` trains at the constant
        ``learning_rate``.
    inference_epochs : int, default=None
        Passes over each document in ``transform``; None means ``epochs``.
    inference_learning_rate : float, default=None
        Initial rate of inference, decaying linearly to ``min_learning_rate``
        over ``inference_epochs``; None means the training ``learning_rate``.
    initial_vectors : str, path-like or WordVectors, default=None
        Pre-trained word vectors to start the word rows from (any format
        :func:`skembed.vectors.load` reads).  They fix the dimension
        (``vector_size`` gives way); the vocabulary is the corpus words that
        pass ``min_count`` followed by the words found only in the vectors,
        which are never trained on.
    storage_dtype : {"float32", "float16"}, default="float32"
        Precision the fitted document vectors (``dv_``), word vectors and
        output weights are stored in.  Training always runs in float32
        (float16 would round small updates away); "float16" converts at the
        end of each fit, halving the memory of the model and its pickle,
        within float16 rounding (relative error about 5e-4) of the float32
        model.  ``transform`` infers each new vector in float32 against a
        float32 copy of the frozen word and output weights (made for the
        call, then dropped), so inferred vectors are float32 and close to the
        float32 model's; ``score`` and the ``wv_``/``dv_`` queries compute in
        float32 too.  ``partial_fit`` and warm starts train a float32 copy
        and store it again.
    input, encoding, decode_error, strip_accents, lowercase, preprocessor, \
tokenizer, token_pattern, stop_words
        Text parameters with :class:`~sklearn.feature_extraction.text.CountVectorizer`'s
        meaning, except that ``token_pattern`` defaults to
        :data:`skembed.text.DEFAULT_TOKEN_PATTERN`.
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
        Seeds initialisation, subsampling, windows, noise draws and the base
        seed of inference.
    n_jobs : int, default=None
        Training and inference threads: None means 1 (reproducible), -1 all
        cores.  Training on more than one thread is lock-free and not
        bit-reproducible; inference gives the same vectors on any number.
    verbose : int, default=0
        Show a progress bar when positive.

    Attributes
    ----------
    dv_ : DocumentVectors
        The trained vector of each training document, keyed by the ``tags``
        given to ``fit`` (documents sharing a tag share a vector) or by the
        document's position (int; across ``partial_fit`` calls, its position
        in all the documents seen).
    wv_ : WordVectors
        The word vectors, most frequent word first.
    vocabulary_ : dict of str to int
        Row of each word in ``wv_`` (derived from ``wv_``).
    loss_curve_ : list of float
        Mean training loss per predicted word in each epoch.
    n_iter_ : int
        Epochs run (accumulated over ``partial_fit`` and warm-started fits).
    train_time_ : float
        Seconds spent training in the last call (callbacks and validation excluded).
    words_per_second_ : float
        In-vocabulary training tokens processed per second in the last call.
    validation_scores_ : list of float or None
        ``score`` of the held-out documents after each epoch (``early_stopping=True``).
    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    See Also
    --------
    Word2VecVectorizer : Word vectors pooled into document vectors.

    Notes
    -----
    PV-DM adds the gradient of its pooled input to the document vector and to
    each context word, undivided (word2vec's CBOW convention); a word without
    context is predicted from the document vector alone.  PV-DBOW with
    ``dbow_words`` first trains each word as a skip-gram centre, then as the
    document's target, as gensim interleaves them.

    Output rows start at zero and word rows uniform in ``[-1/vector_size,
    1/vector_size)``, as in gensim 4.  Document rows start there too with
    PV-DBOW, where they alone move the output rows away from zero: from half
    that scale, on KJV verses (5 epochs), the median rank of a verse's trained
    vector seen from its inferred one is 1794 instead of 1268.  With PV-DM,
    whose word rows do that, document rows start at half the scale, which
    leaves less of their random start in the trained vectors than gensim's
    full scale (on KJV verses, median rank 6 against 9; on small corpora,
    clearly purer topics).  An inferred vector starts at half the scale, as
    in gensim's ``infer_vector``.

    The rate decays with the share of documents trained, not of words, as
    gensim's Doc2Vec decays it (by examples).  The two differ where document
    lengths drift through the corpus, and the trained vectors are sensitive to
    it: on KJV verses (PV-DBOW, 5 epochs), whose early verses are longer, the
    mean rate by documents is 0.6% higher, and the median rank of a verse's
    trained vector seen from its inferred one falls from 1263 to 1218 (6
    seeds).  A faithful replica of gensim's PV-DBOW update, driven by
    gensim's own random numbers and rates, reproduces its vectors to 1e-4;
    fed the rates by words instead, its ranks rise by about 45.

    ``fit_transform(X)`` equals ``fit(X).transform(X)``, as scikit-learn
    requires: it re-infers the training documents.  Their trained vectors,
    which may differ, are in ``dv_``.

    ``partial_fit`` trains one pass over a batch: its documents get new rows
    in ``dv_`` (or continue the rows of tags seen before), and the word and
    output weights go on training.

    Examples
    --------
    >>> from skembed import Doc2VecVectorizer
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
    >>> d2v = Doc2VecVectorizer(vector_size=8, min_count=1, epochs=5, random_state=0)
    >>> d2v.fit_transform(docs).shape
    (100, 8)
    >>> d2v.dv_.vectors.shape
    (100, 8)
    >>> import numpy as np
    >>> np.array_equal(d2v.transform(docs[:1]), d2v.transform(docs[:3])[:1])
    True
    """

    _parameter_constraints: dict = {
        **{k: v for k, v in COMMON_CONSTRAINTS.items() if k != "pooling"},
        **NEGATIVE_SAMPLING_CONSTRAINTS,
        **CONTROL_CONSTRAINTS,
        **CLIP_CONSTRAINTS,
        **TEXT_CONSTRAINTS,
        **MEMORY_CONSTRAINTS,
        **STORAGE_CONSTRAINTS,
        "dm": ["boolean"],
        "dm_mean": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dbow_words": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "negative": [Interval(Integral, 0, MAX_INT32, closed="both")],
        "hs": ["boolean"],
        "inference_epochs": [Interval(Integral, 0, MAX_INT32, closed="both"), None],
        "inference_learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "initial_vectors": [str, os.PathLike, WordVectors, None],
    }

    def __init__(
        self,
        *,
        dm=True,
        dm_mean=True,
        dropout=0.0,
        dbow_words=False,
        vector_size=100,
        window=5,
        min_count=5,
        max_vocab_size=None,
        max_final_vocab=None,
        negative=5,
        hs=False,
        ns_exponent=0.75,
        sample=1e-3,
        epochs=10,
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
        momentum=0.0,
        warm_start=False,
        update_vocabulary=False,
        total_words=None,
        inference_epochs=None,
        inference_learning_rate=None,
        initial_vectors=None,
        storage_dtype="float32",
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
        self.dm = dm
        self.dm_mean = dm_mean
        self.dropout = dropout
        self.dbow_words = dbow_words
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.negative = negative
        self.hs = hs
        self.ns_exponent = ns_exponent
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
        self.momentum = momentum
        self.warm_start = warm_start
        self.update_vocabulary = update_vocabulary
        self.total_words = total_words
        self.inference_epochs = inference_epochs
        self.inference_learning_rate = inference_learning_rate
        self.initial_vectors = initial_vectors
        self.storage_dtype = storage_dtype
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

    # ------------------------------------------------------------ public methods
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, tags=None):
        """Learn document and word vectors from raw documents.

        All of the fitted state changes, or none of it.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents (or file names / file objects, see ``input``); a
            generator is read once.
        y : None
            Ignored: class labels in a pipeline never become tags.
        tags : sequence of hashable of length n_documents, default=None
            The key of each document in ``dv_`` (documents sharing a tag train
            one vector); None keys them by position.  In a pipeline it comes
            through metadata routing (``set_fit_request(tags=True)``).

        Returns
        -------
        self : object
            The fitted vectorizer.
        """
        self._fit_with_tags(X, partial=False, tags=tags)
        return self

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, tags=None):
        """Train one pass over a batch of documents, continuing from the current state.

        The batch's documents get new rows in ``dv_`` (keyed by their tags, or
        by their position among all the documents seen so far); a tag seen
        before continues its row.  The first call builds the vocabulary; later
        calls keep it, or add new words when ``update_vocabulary=True``.  The
        rate is the constant ``learning_rate``, or decays over ``total_words``.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.
        tags : sequence of hashable of length n_documents, default=None
            The key of each document in ``dv_``.

        Returns
        -------
        self : object
        """
        self._fit_with_tags(X, partial=True, tags=tags)
        return self

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None, tags=None):
        """Fit, then infer the vector of each training document.

        Equals ``fit(X).transform(X)`` (as scikit-learn requires) but reads
        ``X`` once: the training documents are re-inferred with the fitted
        words frozen.  Their trained vectors, which may differ, are in ``dv_``.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.
        tags : sequence of hashable of length n_documents, default=None
            The key of each document in ``dv_``.

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        return self._infer(self._fit_with_tags(X, partial=False, tags=tags))

    def transform(self, X):
        """Infer the vector of each document, word and output weights frozen.

        One batched call over all documents on ``n_jobs`` threads, with
        ``inference_epochs`` passes from ``inference_learning_rate``.  Words
        outside the vocabulary are skipped; a document with no known word
        gets zeros.  Deterministic: a document gets the same vector whatever
        the batch, the call or the number of threads.

        Parameters
        ----------
        X : iterable of str of length n_documents

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        check_is_fitted(self, "wv_")
        return self._infer(encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index))

    def score(self, X, y=None):
        """Return the mean held-out log-likelihood of X's words given their documents' vectors.

        A fixed protocol, the same for every setting, so that
        ``GridSearchCV(scoring=None)`` compares them: each document's vector
        is inferred from its words at even positions (20 epochs, rate 0.025
        decaying to 1e-4, a fixed seed), then each word at an odd position
        scores ``log s(u_w . h) + sum log s(-u_k . h)`` over 5 noise words
        drawn from the unigram^0.75 distribution with a fixed seed, where
        ``h`` is the document vector (PV-DBOW) or its mean or sum with the
        known words within 5 positions (PV-DM).  A word outside the vocabulary
        scores ``6 log(1/2)``, the figure of a model that knows nothing.
        Greater is better; deterministic.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Held-out documents.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-likelihood per scored word (at most 0).
        """
        check_is_fitted(self, "wv_")
        return self._score_corpus(
            encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index, unknown=-1)
        )

    # --------------------------------------------------------------- fitting
    def _fit_with_tags(self, X, partial, tags):
        if tags is not None:
            if isinstance(tags, str | bytes):
                raise TypeError("tags must be a sequence of one tag per document, not a str.")
            tags = list(tags)
            for i, tag in enumerate(tags):
                try:
                    hash(tag)
                except TypeError:
                    raise TypeError(
                        f"tags[{i}] is of type {type(tag).__name__}, which is not hashable."
                    ) from None
        # what one call needs between the base class's hooks; never fitted state
        self._pending = {"tags": tags, "partial": partial}
        try:
            return self._fit_transaction(X, partial)
        finally:
            self.__dict__.pop("_pending", None)

    def _default_learning_rate(self):
        return _DEFAULT_LEARNING_RATE

    def _check_params(self):
        if self.negative == 0 and not self.hs:
            raise ValueError(
                "negative=0 with hs=False leaves nothing to train: set negative > 0 "
                "(negative sampling), hs=True (hierarchical softmax), or both."
            )
        if self.momentum > 0 and (self.hs or self.negative == 0):
            raise ValueError(
                f"momentum={self.momentum} is implemented for negative sampling only: set "
                "hs=False and negative > 0, or momentum=0."
            )
        if self.momentum > 0 and (self.clip_value is not None or self.clip_norm is not None):
            raise ValueError(
                f"momentum={self.momentum} is not combined with clip_value or clip_norm: "
                "set both to None, or momentum=0."
            )

    def _read(self, X):
        corpus, words, counts = super()._read(X)
        tags = self._pending["tags"]
        if tags is not None and len(tags) != corpus.n_documents:
            raise ValueError(f"tags has {len(tags)} entries but X has {corpus.n_documents} "
                             "documents: give one tag per document.")  # fmt: skip
        self._pending["n_documents"] = corpus.n_documents
        return corpus, words, counts

    def _split_validation(self, corpus, counts, rng):
        # replay the base class's draw to learn which documents it held out
        state = rng.get_state()
        train, validation, train_counts = super()._split_validation(corpus, counts, rng)
        after = rng.get_state()
        rng.set_state(state)
        n_docs = corpus.n_documents
        order = rng.permutation(n_docs)
        rng.set_state(after)
        n_val = int(round(self.validation_fraction * n_docs))
        self._pending["train_documents"] = np.sort(order[n_val:])
        self._pending["validation_documents"] = np.sort(order[:n_val])
        return train, validation, train_counts

    def _new_vocabulary(self, words, counts):
        final_words, final_counts, mapping = super()._new_vocabulary(words, counts)
        initial = as_initial_vectors(self.initial_vectors)
        self._pending["initial"] = initial
        if initial is None:
            return final_words, final_counts, mapping
        union_words, union_counts = union_vocabulary(final_words, final_counts, initial)
        # corpus words cut by min_count but in the file join through it: transform sees
        # them, so fit_transform's corpus must too (their count of 0 keeps them untrained)
        index = {w: i for i, w in enumerate(union_words)}
        mapping = mapping.copy()
        for i in np.flatnonzero(mapping < 0):
            mapping[i] = index.get(words[i], -1)
        return union_words, union_counts, mapping

    def _new_rows(self, n, rng, dim, scale=1.0):
        """``n`` rows uniform in ``[-scale / dim, scale / dim)``."""
        factor = scale / dim
        return float32_draws(rng.random_sample, (n, dim), lambda x: (x * 2.0 - 1.0) * factor)

    def _document_scale(self):
        # PV-DBOW: the document rows alone move the zero-started output rows, so they start
        # at gensim's scale; PV-DM: the word rows do that, and a smaller start of the
        # document rows leaves them less noise (see Notes)
        return 0.5 if self.dm else 1.0

    def _fit_pooling(self, corpus):
        # documents are inferred, not pooled: there is no pooling to fit
        pass

    def _init_parameters(self, words, counts, rng):
        initial = self.__dict__.get("_pending", {}).get("initial")
        n_words, dim = len(words), initial_dimension(self.vector_size, initial)
        self.wv_ = WordVectors(words, self._new_rows(n_words, rng, dim), counts)
        copy_initial_rows(self.wv_.vectors, words, initial)
        self.dv_ = DocumentVectors([], np.zeros((0, dim), np.float32))
        self._output_vectors = (
            np.zeros((n_words, dim), dtype=np.float32) if self.negative > 0 else None
        )
        self._output_vectors_hs = (
            np.zeros((max(n_words - 1, 0), dim), dtype=np.float32) if self.hs else None
        )
        self._inference_seed = int(rng.randint(0, 2**31 - 1))

    def _grow_parameters(self, new_words, new_counts, rng):
        """Append rows for new words; the Huffman tree's inner nodes restart at zero."""
        n_new, dim = len(new_words), self.wv_.vector_size
        wv = self.wv_
        self.wv_ = WordVectors(
            wv.index_to_key + list(new_words),
            np.vstack([wv.vectors, self._new_rows(n_new, rng, dim)]),
            np.concatenate([wv.counts, new_counts]),
        )
        if self._output_vectors is not None:
            self._output_vectors = np.vstack(
                [self._output_vectors, np.zeros((n_new, dim), dtype=np.float32)]
            )
        if self._output_vectors_hs is not None:
            self._output_vectors_hs = np.zeros((len(self.wv_) - 1, dim), dtype=np.float32)

    def _store(self, dtype):
        """Cast the word, document and output vectors to ``dtype`` (see the base class).

        ``dv_`` is replaced by a new object, so that the undo log of a
        continued fit, which keeps the old one, restores it whole.
        """
        super()._store(dtype)
        dv = self.dv_
        if dv.vectors.dtype != dtype:
            self.dv_ = DocumentVectors(dv.index_to_key, dv.vectors.astype(dtype))

    def _float32_layers(self):
        """``(syn0, syn1, syn1_hs, codes, points, code_indptr)`` for the inference kernels.

        The kernels take float32 only: a half-precision model gives float32
        copies of its frozen word and output weights, made for one call.
        """
        syn1, syn1_hs, codes, points, indptr = self._tree()
        syn0, syn1, syn1_hs = (
            a.astype(np.float32, copy=False) for a in (self.wv_.vectors, syn1, syn1_hs)
        )
        return syn0, syn1, syn1_hs, codes, points, indptr

    def _parameter_arrays(self):
        arrays = [self.wv_.vectors, self.dv_.vectors, self._output_vectors,
                  self._output_vectors_hs]  # fmt: skip
        return [a for a in arrays if a is not None]

    # switching an objective on or off would leave output weights untrained: refused
    _structural_parameters = ("vector_size", "negative", "hs")

    def _same_structure(self, name, fitted, current):
        if name == "negative":  # 5 -> 10 keeps the same matrix; only 0 <-> k matters
            return (fitted > 0) == (current > 0)
        return fitted == current

    def _document_keys(self):
        """The ``dv_`` key of every document read by this call."""
        pending = self._pending
        if pending["tags"] is not None:
            return pending["tags"]
        # positions continue across partial_fit calls; a warm-started fit starts again
        start = self._n_documents if pending["partial"] else 0
        return list(range(start, start + pending["n_documents"]))

    def _rows_for(self, keys, rng=None, vectors=None):
        """Rows of ``dv_`` for ``keys``, appending new keys (random rows, or ``vectors``)."""
        dv = self.dv_
        index = dict(dv.key_to_index)
        new_keys, rows = [], np.empty(len(keys), dtype=np.int64)
        for i, key in enumerate(keys):
            row = index.get(key)
            if row is None:
                row = index[key] = len(dv) + len(new_keys)
                new_keys.append(key)
            rows[i] = row
        if new_keys or vectors is not None:
            dim = dv.vectors.shape[1]
            grown = np.vstack([dv.vectors, np.zeros((len(new_keys), dim), np.float32)])
            if vectors is not None:
                grown[rows] = vectors
            else:
                grown[len(dv) :] = self._new_rows(len(new_keys), rng, dim,
                                                  self._document_scale())  # fmt: skip
            self.dv_ = DocumentVectors(dv.index_to_key + new_keys, grown)
        return rows

    def _monitor(self, validation, mapping):
        if validation is not None:
            self._pending["held_out"] = remap(validation, mapping)
        return super()._monitor(validation, mapping)

    def _run(self, corpus, epochs, rates, rng, monitor, words_done, total_words):
        keys = self._document_keys()
        train_documents = self._pending.get("train_documents")
        if train_documents is not None:
            keys = [keys[i] for i in train_documents]
        rows = self._rows_for(keys, rng)
        step = bounded_step(self._make_step(corpus, rows), corpus)  # a mapped corpus
        return self._train(step, epochs, rates, rng, monitor, words_done, total_words)

    def _finish(self, current):
        super()._finish(current)
        held_out = self._pending.get("held_out")
        if held_out is not None:  # held-out documents get inferred vectors
            keys = self._document_keys()
            keys = [keys[i] for i in self._pending["validation_documents"]]
            self._rows_for(keys, vectors=self._infer(held_out))

    def _tree(self):
        """``(syn1, syn1_hs, codes, points, code_indptr)``, empty where not trained."""
        n_words, dim = len(self.wv_), self.wv_.vector_size
        syn1 = self._output_vectors
        if syn1 is None:
            syn1 = np.zeros((0, dim), dtype=np.float32)
        if self.hs and self._output_vectors_hs is not None:
            codes, points, indptr = huffman_tree(self.wv_.counts)
            syn1_hs = self._output_vectors_hs
        else:
            codes, points = np.zeros(0, np.uint8), np.zeros(0, np.int32)
            indptr = np.zeros(1, np.int64)
            syn1_hs = np.zeros((0, dim), dtype=np.float32)
        if self.negative > 0 and syn1.shape != (n_words, dim):
            raise ValueError(f"negative={self.negative} needs output vectors of shape "
                             f"({n_words}, {dim}); the fitted ones are {syn1.shape}.")  # fmt: skip
        return syn1, syn1_hs, codes, points, indptr

    def _sampling_tables(self):
        counts = self.wv_.counts
        with np.errstate(divide="ignore"):  # words only in initial_vectors have count 0
            keep = keep_probabilities(counts, self.sample)
        return keep, *noise_table(counts, self.ns_exponent)

    def _make_step(self, corpus, rows):
        counts = self.wv_.counts
        if (counts == 0).any():  # words only in initial_vectors are never trained on
            corpus = _keep_tokens(corpus, counts[corpus.tokens] > 0)
        syn1, syn1_hs, codes, points, indptr = self._tree()
        keep, alias_prob, alias_index = self._sampling_tables()
        sig, log_sig = make_tables()
        seg_offsets = corpus.segments()
        lengths = np.diff(corpus.offsets)
        seg_rows = np.repeat(rows, -(-lengths // MAX_SEGMENT)).astype(np.int64)
        chunk_segs = make_chunks(seg_offsets)
        chunk_words = np.diff(seg_offsets[chunk_segs])
        chunk_documents = _chunk_documents(lengths, seg_offsets, chunk_segs)
        max_seg = int(np.diff(seg_offsets).max(initial=1))
        arguments = dict(
            chunk_segs=chunk_segs, seg_offsets=seg_offsets, seg_rows=seg_rows,
            tokens=corpus.tokens, syn0=self.wv_.vectors, dv=self.dv_.vectors, syn1=syn1,
            keep_prob=keep, alias_prob=alias_prob, alias_index=alias_index,
            window=int(self.window), negative=int(self.negative), hs=bool(self.hs),
            syn1_hs=syn1_hs, codes=codes, points=points, code_indptr=indptr,
            dm=bool(self.dm), dm_mean=bool(self.dm_mean), dbow_words=bool(self.dbow_words),
            sig_table=sig, log_sig_table=log_sig, max_seg=max_seg, **self._clip_arguments(),
            dropout=float(self.dropout) if self.dm and self.dropout > 0 else None,
            **self._momentum_arguments(syn1),
        )  # fmt: skip

        def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
            kernel = _doc2vec.doc2vec_parallel if parallel else _doc2vec.doc2vec_serial
            kernel(
                chunk_lo=lo, chunk_hi=hi, lrs=lrs, seeds=seeds, loss_out=loss_out,
                count_out=count_out, **arguments,
            )  # fmt: skip

        # the rate decays by documents, as in gensim's Doc2Vec (see Notes)
        return Step(
            run, chunk_words, arrays=self._parameter_arrays(), chunk_progress=chunk_documents
        )

    def _momentum_arguments(self, syn1):
        """Kernel arguments of ``momentum``: none (plain SGD) or zero velocities for this call.

        Velocities of the rows this fit trains: documents, outputs, and words
        with PV-DM or ``dbow_words`` (plain PV-DBOW leaves the words alone).
        """
        if self.momentum == 0:
            return {}
        trains_words = self.dm or self.dbow_words
        return dict(
            momentum=float(self.momentum),
            vel0=np.zeros(self.wv_.vectors.shape, np.float32) if trains_words else None,
            vel_dv=np.zeros(self.dv_.vectors.shape, np.float32),
            vel1=np.zeros(syn1.shape, np.float32),
        )

    # -------------------------------------------------------------- inference
    def _infer(self, corpus, epochs=None, rates=None, seed=None):
        """Infer a vector for each document of ``corpus`` (known word ids only)."""
        if epochs is None:
            epochs = self.epochs if self.inference_epochs is None else self.inference_epochs
        if rates is None:
            start, end = self._learning_rates()
            if self.inference_learning_rate is not None:
                start = float(self.inference_learning_rate)
                end = min(float(self.min_learning_rate), start)
            rates = (start, end)
        seed = self._inference_seed if seed is None else seed
        syn0, syn1, syn1_hs, codes, points, indptr = self._float32_layers()
        keep, alias_prob, alias_index = self._sampling_tables()
        sig, _ = make_tables()
        out = np.empty((corpus.n_documents, self.wv_.vector_size), dtype=np.float32)
        clip = self._clip_arguments()
        call_kernel(
            _doc2vec.infer_serial, _doc2vec.infer_parallel, resolve_n_threads(self.n_jobs),
            corpus.tokens, corpus.offsets, out, syn0, syn1, keep, alias_prob,
            alias_index, int(self.window), int(self.negative), bool(self.hs), syn1_hs, codes,
            points, indptr, bool(self.dm), bool(self.dm_mean), int(epochs), float(rates[0]),
            float(rates[1]), np.uint64(seed), sig, clip["clip_value"], clip["clip_norm"],
        )  # fmt: skip
        return out

    def _score_corpus(self, corpus):
        """``score`` of an encoded corpus whose unknown words are -1."""
        if self._output_vectors is None:
            raise ValueError(
                "score() evaluates negative-sampling output vectors, which a pure "
                "hierarchical-softmax model (negative=0) does not have: train with negative > 0."
            )
        vectors = self._infer(
            _even_positions(corpus), SCORE_INFERENCE_EPOCHS, SCORE_INFERENCE_RATE, SCORE_SEED
        )
        prob, index = noise_table(self.wv_.counts, SCORE_NS_EXPONENT)
        syn0, syn1 = self._float32_layers()[:2]
        n_docs = corpus.n_documents
        ll = np.zeros(n_docs)
        count = np.zeros(n_docs, dtype=np.int64)
        call_kernel(
            _doc2vec.doc_log_likelihood, _doc2vec.doc_log_likelihood_parallel,
            resolve_n_threads(self.n_jobs), corpus.tokens, corpus.offsets, vectors,
            syn0, syn1, prob, index, SCORE_WINDOW, SCORE_NEGATIVE,
            bool(self.dm), bool(self.dm_mean), seed_states(SCORE_SEED, n_docs),
            (1 + SCORE_NEGATIVE) * np.log(0.5), ll, count,
        )  # fmt: skip
        if count.sum() == 0:
            raise ValueError(
                "X has no word to score: score() infers from each document's even-position "
                "words and scores the others, so give documents of two or more words."
            )
        return float(ll.sum() / count.sum())
