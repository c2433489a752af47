"""GloVeVectorizer: GloVe (Pennington, Socher and Manning, 2014) as a scikit-learn estimator.

Each call of ``fit`` / ``partial_fit`` counts the co-occurrence matrix of its
own corpus (:func:`skembed.corpus._cooccur.count_cooccurrences`), shuffles its
entries, and hands the driver a step that runs the AdaGrad kernels of
:mod:`skembed.models._kernels._glove` over chunks of entries.
"""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skembed._training._driver import Step
from skembed.corpus._cooccur import count_cooccurrences
from skembed.corpus._store import release_pages
from skembed.models._base import BaseEmbeddingVectorizer
from skembed.models._kernels._glove import (
    GloVeParams,
    empty_glove_params,
    fill_glove_params,
    gather,
    glove_chunks_parallel,
    glove_chunks_serial,
    init_glove_params,
)
from skembed.models._params import (
    COMMON_CONSTRAINTS,
    CONTROL_CONSTRAINTS,
    MEMORY_CONSTRAINTS,
    POSTPROCESSING_CONSTRAINTS,
    STORAGE_CONSTRAINTS,
    TEXT_CONSTRAINTS,
)
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN
from skembed.vectors._word_vectors import WordVectors

__all__ = ["GloVeVectorizer"]

# Co-occurrence entries per chunk: the unit of the schedule, of the progress
# bar and of the work handed to a thread.
CHUNK_ENTRIES = 50_000
# Divergence: a batch whose mean loss exceeds this multiple of the loss of predicting
# zero (a model that knows nothing; at least 1) has diverged.
DIVERGENCE_FACTOR = 100.0
# Entries per block when score() evaluates the loss with NumPy.
_SCORE_BLOCK = 1 << 15
_COMBINATIONS = ("sum", "word", "context")


def _blocks(n_entries, target=CHUNK_ENTRIES):
    """Return ``n + 1`` boundaries cutting ``n_entries`` into blocks of equal size (+-1)."""
    n_blocks = max(1, -(-n_entries // target))
    return (np.arange(n_blocks + 1, dtype=np.int64) * n_entries) // n_blocks


def _entry_rows(indptr):
    """Row of each stored entry of a CSR matrix with row pointers ``indptr`` (int32)."""
    return np.repeat(np.arange(indptr.shape[0] - 1, dtype=np.int32), np.diff(indptr))


def _shuffled_entries(X, rng, reuse=False):
    """Return ``(rows, cols, values)`` of ``X``'s entries in a random order (fresh arrays).

    The order is ``rng.permutation(X.nnz)``, drawn as int32 when it fits (the
    same permutation: shuffling depends only on the length).  With ``reuse``,
    the caller holds no reference to ``X`` and each of its arrays is released
    as soon as its shuffled copy exists, so at most 20 bytes an entry are
    held (the matrix 8, the order 4, two copies 8) rather than 32.
    """
    nnz = X.nnz
    dest = np.arange(nnz, dtype=np.int32 if nnz <= np.iinfo(np.int32).max else np.int64)
    rng.shuffle(dest)
    data, indices, indptr = X.data, X.indices.astype(np.int32, copy=False), X.indptr
    if reuse:
        del X
    if data.shape != (nnz,) or indices.shape != (nnz,):
        raise ValueError("a CSR matrix's indices and data must hold nnz entries.")

    def shuffled(source):
        out = np.empty(nnz, dtype=source.dtype)
        gather(source, dest, out)  # dest is a permutation of range(nnz): in bounds
        return out

    rows = shuffled(_entry_rows(indptr))
    cols = shuffled(indices)
    del indices
    return rows, cols, shuffled(data)


def _weighted_loss(diff, x, x_max, weighting_power):
    """``0.5 * f(x) * diff ** 2`` with GloVe's weighting ``f(x) = min(1, (x / x_max) ** p)``."""
    f = np.minimum(1.0, (x / x_max) ** weighting_power)
    return 0.5 * f * diff * diff


def _zero_model_loss(values, x_max, weighting_power, block=_SCORE_BLOCK * 32):
    """Mean loss of predicting zero, ``0.5 f(x) log(x) ** 2``, over ``values`` (0 when empty).

    Summed block by block in float64, so that no float64 copy of all the
    counts is ever held (they are the largest arrays of a fit).
    """
    nnz = values.shape[0]
    if nnz == 0:
        return 0.0
    total = 0.0
    for lo in range(0, nnz, block):
        x = values[lo : lo + block].astype(np.float64)
        total += float(_weighted_loss(np.log(x), x, x_max, weighting_power).sum())
    return total / nnz


def glove_step(rows, cols, values, params, *, x_max, weighting_power, grad_clip,
               chunk_entries=CHUNK_ENTRIES):  # fmt: skip
    """Return the driver's :class:`~skembed._training.Step` of GloVe's AdaGrad kernels.

    The entries, already in a random order, are cut into blocks of about
    ``chunk_entries``; the driver visits the blocks in a new order each epoch.

    Parameters
    ----------
    rows, cols : ndarray of shape (nnz,), int32
        Word and context of each entry, ids in ``[0, n_words)``.
    values : ndarray of shape (nnz,), float32 or float64
        Co-occurrence counts.
    params : GloVeParams
        Trained in place.
    x_max, weighting_power, grad_clip : float
        GloVe's weighting and gradient clipping.
    chunk_entries : int, default=CHUNK_ENTRIES
        Target entries per block.

    Returns
    -------
    Step
    """
    nnz = rows.shape[0]
    if cols.shape != (nnz,) or values.shape != (nnz,):
        raise ValueError("rows, cols and values must be 1-d arrays of the same length.")
    n_words = params.W.shape[0]
    if nnz and not (0 <= min(rows.min(), cols.min()) and max(rows.max(), cols.max()) < n_words):
        raise ValueError(f"rows and cols must be word ids in [0, {n_words}).")  # no bounds checks
    starts = _blocks(nnz, chunk_entries)
    sizes = np.diff(starts)
    options = (float(x_max), float(weighting_power), float(grad_clip))

    def run(lo, hi, blocks, lrs, seeds, loss_out, count_out, parallel):
        chunk_starts = np.zeros(hi - lo + 1, dtype=np.int64)
        np.cumsum(sizes[blocks], out=chunk_starts[1:])
        # positions of the batch's blocks, one after the other
        order = np.arange(chunk_starts[-1], dtype=np.int64)
        order += np.repeat(starts[blocks] - chunk_starts[:-1], sizes[blocks])
        kernel = glove_chunks_parallel if parallel else glove_chunks_serial
        kernel(
            rows, cols, values, order, chunk_starts, lrs[lo:hi].astype(np.float64),
            *params, *options, loss_out[lo:hi], count_out[lo:hi],
        )  # fmt: skip

    # The kernels skip non-finite values, so divergence shows as a finite loss that
    # explodes rather than as NaN.  Small initial parameters start the loss near that of
    # predicting zero, 0.5 f(x) log(x)^2, and training lowers it: a batch far above it
    # (GloVe at learning_rate=1e3 reaches 1e19 in its first epoch) has diverged.
    zero_model = _zero_model_loss(values, x_max, weighting_power)
    max_loss = DIVERGENCE_FACTOR * max(float(zero_model), 1.0)
    return Step(run, sizes, arrays=list(params[:4]), shuffle=True, max_loss=max_loss)


class GloVeVectorizer(BaseEmbeddingVectorizer):
    """Learn GloVe embeddings from raw text and turn documents into dense vectors.

    GloVe (Pennington, Socher and Manning 2014) fits word vectors ``W``,
    context vectors ``C`` and biases ``bw``, ``bc`` to the logarithm of the
    word-word co-occurrence counts ``x = X[i, j]`` by weighted least squares,
    ``sum 0.5 f(x) (W[i] . C[j] + bw[i] + bc[j] - log x) ** 2`` with
    ``f(x) = min(1, (x / x_max) ** weighting_power)``, minimised by AdaGrad
    over the non-zero entries as Stanford's ``glove`` does.  ``transform``
    pools the vectors of each document's words.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the word vectors.
    window : int, default=10
        Number of context words counted on each side of a word (on its left
        only when ``symmetric=False``), at most 65535.  Windows never cross
        a document boundary.
    min_count : int, default=5
        Words seen fewer times are ignored (dropped before windowing, as
        Stanford's ``vocab_count -min-count`` and ``cooccur`` do).
    max_vocab_size : int, default=None
        Bound on distinct words held while counting; rare words are pruned on
        the way (as gensim).
    max_final_vocab : int, default=None
        Keep only this many most frequent words.
    x_max : float, default=100.0
        Counts at or above ``x_max`` get the full weight 1.
    weighting_power : float, default=0.75
        Exponent of the weighting function below ``x_max`` (the paper's
        alpha).
    symmetric : bool, default=True
        Count the right context as well as the left one; False counts the
        left context only, and ``X[i, j]`` then counts word ``j`` seen to
        the left of word ``i``.
    distance_weighting : bool, default=True
        A context word at distance ``d`` adds ``1 / d`` to the count instead
        of 1.
    max_memory : int, default=None
        Soft bound, in bytes, on the partial counts held while counting the
        co-occurrences (see :func:`skembed.corpus._cooccur.count_cooccurrences`);
        None counts in large pieces.  The counts do not depend on it.
    vector_combination : {"sum", "word", "context"}, default="sum"
        What ``wv_`` holds: ``W + C`` (Stanford's default, ``-model 2``),
        refreshed after every epoch, or the word vectors ``W`` or the context
        vectors ``C`` themselves (no copy).
    store_cooccurrence : bool, default=False
        Keep the co-occurrence matrix of the last ``fit`` / ``partial_fit``
        as ``cooccurrence_``.
    grad_clip : float, default=100.0
        Bound on each gradient component.
    epochs : int, default=25
        Passes over the co-occurrence entries.
    learning_rate : float or "auto", default=0.05
        AdaGrad's learning rate (Stanford's ``-eta``); "auto" means 0.05.
    min_learning_rate : float, default=1e-4
        Learning rate reached at the end of training; used only by schedules
        that move (not by the default "constant").
    learning_rate_schedule : {"linear", "constant", "exponential", "step", "cosine"} \
or callable, default="constant"
        How the rate moves from ``learning_rate`` to ``min_learning_rate`` over
        training (per chunk of about 50,000 co-occurrence entries); an instance from
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
        batch's share of an epoch's entries.
    warm_start : bool, default=False
        When fitted, ``fit`` continues from the current vectors instead of
        starting again (the vocabulary grows only if ``update_vocabulary``).
    update_vocabulary : bool, default=False
        Let ``partial_fit`` and warm-started ``fit`` add the batch's new words
        (seen at least ``min_count`` times in the batch): rows are appended,
        ids of known words never change.
    total_words : int, default=None
        Entries ``partial_fit`` will see in all; with it the schedule decays by
        entries seen, without it ``partial_fit`` trains at the constant
        ``learning_rate``.
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
        Seeds the initial parameters, the shuffle of the co-occurrence
        entries and the order of the chunks in each epoch.
    n_jobs : int, default=None
        Training threads: None means 1 (reproducible), -1 all cores.  More
        than one thread updates the parameters lock-free and is not
        bit-reproducible.  Counting the co-occurrences is single-threaded.
    verbose : int, default=0
        Show a progress bar (in co-occurrence entries) when positive; 2 or more also
        prints where the fit spent its time (``fit_profile_``).

    Attributes
    ----------
    wv_ : WordVectors
        The learned word vectors (see ``vector_combination``), most frequent
        word first.
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
    cooccurrence_ : scipy.sparse.csr_matrix of shape (n_words, n_words), float32
        Co-occurrence counts of the corpus trained on in the last call of
        ``fit`` (held-out documents excluded) or ``partial_fit`` (its
        batch); only with ``store_cooccurrence=True``.
    loss_curve_ : list of float
        Mean weighted squared error ``0.5 f(x) diff ** 2`` per co-occurrence
        entry in each epoch, each taken just before the entry's update
        (Stanford's reported cost).
    n_iter_ : int
        Epochs run (accumulated over ``partial_fit`` and warm-started fits).
    train_time_ : float
        Seconds spent training in the last call (counting, callbacks and
        validation excluded).
    words_per_second_ : float
        Co-occurrence entries processed per second in the last call.
    fit_profile_ : dict
        Wall seconds of each phase of the last call: ``"read"`` (analysis,
        encoding and counting of the text), ``"vocabulary"``, ``"setup"``
        (counting co-occurrences), ``"compile"`` (first use of a kernel),
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
    Word2VecVectorizer : Embeddings from local context prediction.
    sklearn.feature_extraction.text.TfidfVectorizer : Sparse bag-of-words features.

    Notes
    -----
    **Unit of training.**  GloVe trains on co-occurrence entries, not on
    tokens: the chunks handed to the driver hold about 50,000 entries each, and
    the schedule, the progress bar, ``total_words``, ``weight_decay``'s share,
    the ``words`` of each :class:`~skembed.EpochEnd` and
    ``words_per_second_`` all count entries.

    **Order of the entries.**  Each call of ``fit`` / ``partial_fit``
    counts its corpus, then shuffles the entries once (drawn from
    ``random_state``) and cuts them into chunks, as Stanford's ``shuffle``
    does before ``glove``; every epoch then visits the chunks in a new
    random order (from the driver's seed of that epoch), each chunk's
    entries in the shuffled order.  With ``n_jobs=None`` (or 1) this is
    bit-reproducible.

    **Departures from Stanford's glove.c.**  Parameters are float32 (the
    gradient arithmetic is float64), and the biases get the same learning
    rate and clipping as the vectors (see :mod:`skembed.models._kernels._glove`).

    Examples
    --------
    >>> from skembed import GloVeVectorizer
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
    >>> vec = GloVeVectorizer(vector_size=8, window=3, min_count=1, epochs=10,
    ...                       random_state=0)
    >>> vec.fit_transform(docs).shape
    (100, 8)
    >>> "cat" in vec.wv_
    True
    >>> bool(vec.loss_curve_[-1] < vec.loss_curve_[0])
    True
    >>> word = GloVeVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0,
    ...                        vector_combination="word").fit(docs)
    >>> word.wv_.vectors.shape
    (7, 8)
    """

    _parameter_constraints: dict = {
        **POSTPROCESSING_CONSTRAINTS,
        **COMMON_CONSTRAINTS,
        **CONTROL_CONSTRAINTS,
        **STORAGE_CONSTRAINTS,
        **TEXT_CONSTRAINTS,
        **MEMORY_CONSTRAINTS,
        "x_max": [Interval(Real, 0, None, closed="neither")],
        "weighting_power": [Interval(Real, 0, None, closed="left")],
        "symmetric": ["boolean"],
        "distance_weighting": ["boolean"],
        "max_memory": [Interval(Real, 0, None, closed="neither"), None],
        "vector_combination": [StrOptions(set(_COMBINATIONS))],
        "store_cooccurrence": ["boolean"],
        "grad_clip": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        vector_size=100,
        window=10,
        min_count=5,
        max_vocab_size=None,
        max_final_vocab=None,
        x_max=100.0,
        weighting_power=0.75,
        symmetric=True,
        distance_weighting=True,
        max_memory=None,
        vector_combination="sum",
        store_cooccurrence=False,
        grad_clip=100.0,
        epochs=25,
        learning_rate=0.05,
        min_learning_rate=1e-4,
        learning_rate_schedule="constant",
        warmup_fraction=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=2,
        tol=1e-4,
        keep_best=False,
        callbacks=None,
        weight_decay=0.0,
        warm_start=False,
        update_vocabulary=False,
        total_words=None,
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
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.x_max = x_max
        self.weighting_power = weighting_power
        self.symmetric = symmetric
        self.distance_weighting = distance_weighting
        self.max_memory = max_memory
        self.vector_combination = vector_combination
        self.store_cooccurrence = store_cooccurrence
        self.grad_clip = grad_clip
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
        self.warm_start = warm_start
        self.update_vocabulary = update_vocabulary
        self.total_words = total_words
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
        return 0.05

    def _read(self, X):
        corpus, words, counts = super()._read(X)
        # before building the vocabulary: one-word documents cannot co-occur
        if np.diff(corpus.offsets).max() < 2:
            raise ValueError(
                "GloVe learns from words that co-occur in a document, and every document "
                "of X holds at most one token: give documents of at least two words."
            )
        return corpus, words, counts

    def _init_parameters(self, words, counts, rng):
        # Drawn when training starts (_materialize_parameters): counting the
        # co-occurrences is a fit's peak of memory, and zeroed arrays take none
        # until written, so the eight arrays no longer sit beside the counts.
        # The seed is drawn now, so the values are those of an immediate draw.
        self._glove_params = empty_glove_params(len(words), self.vector_size)
        self._pending_seed = rng.randint(0, 2**31 - 1)
        self.wv_ = WordVectors(words, self._glove_params.W, counts)

    def _materialize_parameters(self):
        """Draw the parameters a fresh fit allocated (see ``_init_parameters``)."""
        seed = self.__dict__.pop("_pending_seed", None)
        if seed is not None:
            fill_glove_params(self._glove_params, seed)
            self._sync_vectors()

    def _grow_parameters(self, new_words, new_counts, rng):
        """Append rows: new vectors and biases drawn as at the start, accumulators at 1."""
        fresh = init_glove_params(len(new_words), self.vector_size, rng.randint(0, 2**31 - 1))
        self._glove_params = GloVeParams(
            *(
                np.concatenate([old, new])
                for old, new in zip(self._glove_params, fresh, strict=True)
            )
        )
        wv = self.wv_
        self.wv_ = WordVectors(
            wv.index_to_key + list(new_words),
            self._glove_params.W,
            np.concatenate([wv.counts, new_counts]),
        )
        self._sync_vectors()

    def _parameter_arrays(self):
        return list(self._glove_params[:4])

    def _touched_arrays(self):
        # the AdaGrad accumulators are trained in place too
        arrays = [*self._glove_params, self.wv_.vectors, self.wv_.counts]
        return [(a, None) for a in {id(a): a for a in arrays}.values()]

    def _refresh(self):
        self._sync_vectors()

    def _store(self, dtype):
        """Cast the factors ``W`` and ``C`` (and ``wv_.vectors``) to ``dtype``.

        The biases and the AdaGrad accumulators stay float32: they are what a
        continued fit resumes from, and the accumulators may outgrow float16.
        """
        params = self._glove_params
        if params.W.dtype == dtype:
            return
        self._glove_params = params._replace(W=params.W.astype(dtype), C=params.C.astype(dtype))
        if self.vector_combination == "sum":
            self.wv_.vectors = self.wv_.vectors.astype(dtype)
            self.wv_.clear_cache()
        else:
            self._sync_vectors()

    def _sync_vectors(self):
        """Make ``wv_.vectors`` show the current factors (``W``, ``C`` or ``W + C``)."""
        params, wv = self._glove_params, self.wv_
        if self.vector_combination == "word":
            wv.vectors = params.W  # the kernel trains these very arrays
        elif self.vector_combination == "context":
            wv.vectors = params.C
        else:
            if wv.vectors is params.W or wv.vectors is params.C:
                wv.vectors = np.empty_like(params.W)
            np.add(params.W, params.C, out=wv.vectors)
        wv.clear_cache()

    def _run(self, corpus, epochs, rates, rng, monitor, words_done, total_words):
        X = self._count(corpus.tokens, corpus.offsets, len(self.wv_), np.float32)
        release_pages(corpus)  # a mapped corpus: counting read it whole
        X = [X]  # handed over whole: _train_counts drops the last reference before training
        return self._train_counts(
            X.pop(), corpus.n_tokens, epochs, rates, rng, monitor, words_done, total_words,
            owned=True,
        )  # fmt: skip

    def _train_counts(self, X, n_tokens, epochs, rates, rng, monitor, words_done, total_words,
                      owned=False):  # fmt: skip
        """Train on the co-occurrence counts ``X`` of ``n_tokens`` in-vocabulary tokens.

        Counting and training are apart so that counts summed over the shards
        of a corpus (:func:`skembed.distributed.fit`) train as one corpus's.
        ``owned``: nothing else holds ``X``, so its arrays may become the
        shuffled training entries (unless ``store_cooccurrence`` keeps it).
        """
        if X.nnz == 0:
            raise ValueError(
                "no two in-vocabulary words of X co-occur: after min_count every document "
                "keeps at most one word. Give longer documents or lower min_count."
            )
        stored = X if self.store_cooccurrence else None
        X = [X]  # _shuffled_entries may release it array by array when nothing else holds it
        rows, cols, values = _shuffled_entries(X.pop(), rng, reuse=owned and stored is None)
        self._materialize_parameters()  # after the counts are released
        step = self._make_step(rows, cols, values)
        self._n_training_tokens = n_tokens  # score() rescales by it, validation too
        result = self._train(step, epochs, rates, rng, monitor, words_done, total_words)
        if stored is not None:
            self.cooccurrence_ = stored
        elif hasattr(self, "cooccurrence_"):
            del self.cooccurrence_  # from an earlier fit with store_cooccurrence=True
        return result

    def _count(self, tokens, offsets, n_words, dtype):
        return count_cooccurrences(
            tokens, offsets, n_words, window=int(self.window), symmetric=bool(self.symmetric),
            distance_weighting=bool(self.distance_weighting), max_memory=self.max_memory,
            dtype=dtype,
        )  # fmt: skip

    def _make_step(self, rows, cols, values):
        return glove_step(
            rows, cols, values, self._glove_params, x_max=self.x_max,
            weighting_power=self.weighting_power, grad_clip=self.grad_clip,
        )  # fmt: skip

    # ------------------------------------------------------------------ score
    def score(self, X, y=None):
        """Return the negated mean GloVe loss of X's co-occurrences (greater is better).

        The protocol, deterministic:

        1. X's co-occurrences are counted with the model's ``window``,
           ``symmetric`` and ``distance_weighting``.  Words outside the
           vocabulary are not dropped: they keep their place in the windows
           and all count as one unknown word.
        2. The counts are rescaled to the size of the training corpus:
           multiplied by ``n_train / n_X``, where ``n_train`` is the number of
           in-vocabulary tokens the last ``fit`` / ``partial_fit`` counted and
           ``n_X`` the number of tokens of X (unknown ones included).
        3. Each non-zero entry ``x`` scores GloVe's weighted squared error
           ``0.5 f(x) (W[i] . C[j] + bw[i] + bc[j] - log x) ** 2``.  An entry
           with the unknown word scores ``0.5 f(x) (log x) ** 2``, the error of
           a model that predicts 0 (knows nothing), so a vocabulary cut by
           ``min_count`` cannot win by dodging rare words.
        4. The score is minus the mean over all entries.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Held-out documents.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the mean weighted squared error per entry (at most 0).
        """
        return super().score(X, y)

    def _score_corpus(self, corpus):
        """``score`` of an encoded corpus whose unknown words are -1."""
        n_words = len(self.wv_)
        tokens = np.where(corpus.tokens < 0, n_words, corpus.tokens).astype(np.int32)
        X = self._count(tokens, corpus.offsets, n_words + 1, np.float64)
        if X.nnz == 0:
            raise ValueError(
                "X has no (word, context) pair to score: give documents of at least two words."
            )
        x = X.data * (self._n_training_tokens / max(corpus.n_tokens, 1))
        rows, cols = _entry_rows(X.indptr), X.indices
        known = (rows < n_words) & (cols < n_words)
        x_max, power = float(self.x_max), float(self.weighting_power)
        # entries with the unknown word: the error of predicting 0
        total = float(_weighted_loss(np.log(x[~known]), x[~known], x_max, power).sum())
        W, C, bw, bc = self._glove_params[:4]
        rows, cols, x = rows[known], cols[known], x[known]
        for lo in range(0, x.shape[0], _SCORE_BLOCK):
            block = slice(lo, lo + _SCORE_BLOCK)
            i, j, v = rows[block], cols[block], x[block]
            # float32 products also for storage_dtype="float16"
            dot = np.einsum("ed,ed->e", W[i].astype(np.float32), C[j].astype(np.float32)).astype(
                np.float64
            )
            diff = dot + bw[i] + bc[j] - np.log(v)
            total += float(_weighted_loss(diff, v, x_max, power).sum())
        return -total / X.nnz
