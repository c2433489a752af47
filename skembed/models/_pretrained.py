"""PretrainedVectorizer: documents to vectors with word vectors trained elsewhere."""

import os
import weakref
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from skembed.corpus._encoding import encode_with_vocabulary
from skembed.models._params import POSTPROCESSING_CONSTRAINTS, TEXT_CONSTRAINTS
from skembed.models._pooling import (
    POOLING_OPTIONS,
    document_frequency,
    fit_pooling,
    pool_fitted,
    pooled_width,
    smooth_idf,
)
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN, build_analyzer, iter_tokens
from skembed.utils._threads import resolve_n_threads
from skembed.vectors._initial import as_initial_vectors
from skembed.vectors._postprocessing import feature_matrix, fit_postprocessing
from skembed.vectors._word_vectors import WordVectors

__all__ = ["PretrainedVectorizer"]

# Files loaded by fit, shared by every estimator of this process that names the same file
# unchanged (the clones of a grid search), for as long as one of them holds the vectors.
_LOADED = weakref.WeakValueDictionary()


def _load_shared(path):
    """Load ``path`` once per process and file version; the matrix is made read-only."""
    real = os.path.realpath(os.fspath(path))
    try:
        info = os.stat(real)
        key = (real, info.st_size, info.st_mtime_ns)
    except OSError:
        key = None  # the loader raises the error that names the file
    wv = _LOADED.get(key) if key is not None else None
    if wv is None:
        wv = as_initial_vectors(path, name="vectors")
        # shared by several estimators: none of them may change it in place
        wv.vectors.flags.writeable = False
        if key is not None:
            _LOADED[key] = wv
    return wv


class PretrainedVectorizer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Turn documents into dense vectors with pre-trained word vectors.

    The analyzer and pooling of the trainers (:class:`Word2VecVectorizer`,
    ...), over word vectors trained elsewhere: a file that
    :func:`skembed.vectors.load` reads (word2vec text or binary, GloVe text,
    fastText ``.vec`` or ``.bin``, ``.npz``) or a :class:`~skembed.WordVectors`.
    Nothing is trained: ``fit`` loads the vectors and fits what the pooling
    mode needs (``idf_``, SIF's weights and common components) on ``X``.

    Parameters
    ----------
    vectors : str, path-like or WordVectors, default=None
        The word vectors: a path, loaded in ``fit`` (any format of
        :func:`skembed.vectors.load`; the format is detected), or vectors
        already in memory, used as they are (never copied: ``clone`` and a
        grid search share their matrix read-only).  Required: None raises in
        ``fit``.
    pooling : {"mean", "sum", "max", "tfidf", "minmeanmax", "sif", "usif"}, default="mean"
        How ``transform`` combines a document's word vectors, as in the
        trainers ("tfidf": mean weighted by ``idf_``; "minmeanmax": minimum,
        mean and maximum side by side, ``3 * vector_size`` features; "sif" and "usif":
        smoothed inverse frequency with common-component removal, see
        Notes).  Fitted in ``fit``.
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
        :data:`skembed.text.DEFAULT_TOKEN_PATTERN`.  They must split text the
        way the vectors' words were made (lowercase, for instance).
    n_jobs : int, default=None
        Threads that pool the documents: None means 1, -1 all cores.

    Attributes
    ----------
    wv_ : WordVectors
        The word vectors used: the ``vectors`` object itself, or those loaded
        from the file.
    vocabulary_ : dict of str to int
        Row of each word in ``wv_``.
    idf_ : ndarray of shape (n_words,), float32
        Smoothed inverse document frequency of each word in the documents
        given to ``fit``.
    word_counts_ : ndarray of shape (n_words,), int64
        The counts that give SIF's ``p(w)``: ``wv_.counts`` when the vectors
        carry counts (an ``.npz`` or fastText ``.bin`` file, a fitted
        vectorizer's ``wv_``), else the occurrences of each word in ``X``.
    postprocessor_ : estimator or None
        The fitted ``postprocessing`` (a :class:`~sklearn.pipeline.Pipeline`
        for a list); None without post-processing.
    common_components_ : ndarray of shape (n_components, vector_size) or None
        Directions removed from every pooled document ("sif": one; "usif": up
        to 5); None for the other modes.
    coverage_ : float
        Share of the tokens of ``X`` that have a vector.

    See Also
    --------
    Word2VecVectorizer : Learn the vectors from the documents instead; its
        ``initial_vectors`` starts training from pre-trained vectors.

    Notes
    -----
    **Pickling.** A fitted estimator pickles its vectors (``wv_``) with it,
    so a pickled pipeline works on a machine without the file.  When
    ``vectors`` is a ``WordVectors``, the parameter and ``wv_`` are one object
    and are stored once.  A path is loaded once per process and file version:
    the clones of a grid search that fit in one process share one read-only
    matrix.

    **Unknown words** (not in ``wv_``) are skipped, and a document with no
    known word gets a row of zeros; ``coverage_`` says how many tokens had a
    vector.  ``wv_.get_vector`` decides nothing here: a fastText ``.bin``'s
    n-gram vectors are not composed for unseen words.

    **SIF and uSIF** weigh each word by ``a / (a + p(w))`` (``a = 1e-3``) or
    ``a / (a / 2 + p(w))`` (``a`` from the vocabulary size and the mean
    document length), with ``p`` from ``word_counts_``, and remove common
    components fitted on the documents of ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import PretrainedVectorizer, WordVectors
    >>> wv = WordVectors(["cat", "dog", "sat"], np.eye(3, dtype=np.float32))
    >>> vec = PretrainedVectorizer(vectors=wv)
    >>> vec.fit_transform(["the cat sat", "a dog"]).round(2).tolist()
    [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]
    >>> vec.wv_ is wv, vec.coverage_
    (True, 0.6)
    """

    _parameter_constraints: dict = {
        **POSTPROCESSING_CONSTRAINTS,
        "vectors": [str, os.PathLike, WordVectors, None],
        "pooling": [StrOptions(set(POOLING_OPTIONS))],
        **TEXT_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        vectors=None,
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
        n_jobs=None,
    ):
        self.vectors = vectors
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
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags

    @property
    def _n_features_out(self):
        return self._feature_matrix().shape[1] * pooled_width(self.pooling)

    @property
    def vocabulary_(self):
        """dict of str to int: Row of each word in ``wv_``."""
        check_is_fitted(self, "wv_")
        return self.wv_.key_to_index

    def _analyze(self, X):
        return iter_tokens(X, build_analyzer(self), self.input)

    def _word_vectors(self):
        if self.vectors is None:
            raise ValueError(
                "vectors=None: give PretrainedVectorizer a vector file (any format "
                "skembed.vectors.load reads) or a WordVectors."
            )
        if isinstance(self.vectors, WordVectors):
            return as_initial_vectors(self.vectors, name="vectors")
        return _load_shared(self.vectors)

    def _fit(self, X):
        wv = self._word_vectors()
        corpus = encode_with_vocabulary(self._analyze(X), wv.key_to_index, unknown=-1)
        if corpus.n_documents == 0:
            raise ValueError("X is empty: fit needs at least one document.")
        known = corpus.tokens >= 0
        n_tokens = corpus.tokens.size
        counts = np.bincount(corpus.tokens[known], minlength=len(wv)).astype(np.int64)
        offsets = np.concatenate([[0], np.cumsum(known)])[corpus.offsets]
        corpus = type(corpus)(corpus.tokens[known], offsets.astype(np.int64))
        self.coverage_ = float(known.sum() / n_tokens) if n_tokens else 0.0
        use_own = wv.counts is not None and wv.counts.sum() > 0
        self.word_counts_ = wv.counts if use_own else counts
        self.idf_ = smooth_idf(document_frequency(corpus, len(wv)), corpus.n_documents)
        self.postprocessor_, self._processed_vectors = fit_postprocessing(
            self.postprocessing, wv.vectors
        )
        features = feature_matrix(self.postprocessor_, self._processed_vectors, wv.vectors)
        self._pooling_state = fit_pooling(
            self.pooling, features, corpus, self.word_counts_, resolve_n_threads(self.n_jobs)
        )
        state = self._pooling_state
        self.common_components_ = None if state is None else state["components"]
        self.wv_ = wv
        return corpus

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Load the vectors and fit the pooling on the documents ``X``.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents (or file names / file objects, see ``input``).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted vectorizer.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then return the pooled vector of each document; reads ``X`` once.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        return self._pool(self._fit(X))

    def transform(self, X):
        """Return the pooled word vector of each document.

        Parameters
        ----------
        X : iterable of str of length n_documents

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        check_is_fitted(self, "wv_")
        return self._pool(encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index))

    def _feature_matrix(self):
        """The word vectors ``transform`` pools (post-processed when ``postprocessing`` is set)."""
        return feature_matrix(
            self.__dict__.get("postprocessor_"),
            self.__dict__.get("_processed_vectors"),
            self.wv_.vectors,
        )

    def _pool(self, corpus):
        return pool_fitted(
            self.pooling, self.__dict__.get("_pooling_state"),
            self._feature_matrix().astype(np.float32, copy=False), corpus,
            self.idf_, resolve_n_threads(self.n_jobs),
        )  # fmt: skip
