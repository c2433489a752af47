"""Post-processing of word vectors: transformers fitted on vectors that return new vectors.

Each transformer follows scikit-learn's conventions: ``fit(wv)`` learns what
it needs (a mean, principal directions), ``transform(wv)`` returns new
vectors and leaves ``wv`` unchanged, ``fit_transform(wv)`` does both.  The
input is a :class:`~skembed.WordVectors` (the result is a new
:class:`~skembed.WordVectors` with the same words and counts) or a matrix of
shape (n_words, vector_size) (the result is a float32 matrix).  A
:class:`~skembed.FastTextWordVectors` gives plain vectors of its vocabulary:
the transform does not apply to the n-gram rows unseen words are composed
from.

Statistics are computed in float64 over the rows given to ``fit``, the
covariance with a divisor of ``n_words`` (not ``n_words - 1``).
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "POSTPROCESSING_NAMES",
    "AllButTheTop",
    "Centerer",
    "L2Normalizer",
    "PowerNormalizer",
    "Whitener",
    "feature_matrix",
    "fit_postprocessing",
    "make_postprocessor",
]


def _matrix(X, name="X"):
    from skembed.vectors._word_vectors import WordVectors

    matrix = X.vectors if isinstance(X, WordVectors) else np.asarray(X)
    if matrix.ndim != 2 or matrix.shape[0] < 1 or matrix.shape[1] < 1:
        raise ValueError(
            f"{name} must be WordVectors or a non-empty matrix of shape (n_words, vector_size), "
            f"got shape {matrix.shape}."
        )
    if not np.isfinite(matrix).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return matrix.astype(np.float64)


def _wrap(X, matrix):
    """Return ``matrix`` as the kind of ``X``: new WordVectors with its words, or float32."""
    from skembed.vectors._word_vectors import WordVectors

    matrix = np.asarray(matrix, dtype=np.float32)
    if isinstance(X, WordVectors):
        return WordVectors(list(X.index_to_key), matrix, counts=X.counts)
    return matrix


class _VectorTransformer(BaseEstimator):
    """Shared fit / transform / fit_transform over WordVectors or matrices."""

    def fit(self, X, y=None):
        """Learn the statistics of the vectors.

        Parameters
        ----------
        X : WordVectors or array-like of shape (n_words, vector_size)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        matrix = _matrix(X)
        self._validate(matrix)
        self.n_features_in_ = matrix.shape[1]
        self._fit(matrix)
        return self

    def transform(self, X):
        """Return post-processed vectors; ``X`` is left unchanged.

        Parameters
        ----------
        X : WordVectors or array-like of shape (n_words, vector_size)

        Returns
        -------
        WordVectors or ndarray of shape (n_words, n_out), dtype float32
            A new :class:`~skembed.WordVectors` with the same words and
            counts when ``X`` is one, else a matrix.
        """
        check_is_fitted(self, "n_features_in_")
        matrix = _matrix(X)
        if matrix.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {matrix.shape[1]} dimensions, but {type(self).__name__} was fitted on "
                f"{self.n_features_in_}."
            )
        return _wrap(X, self._transform(matrix))

    def fit_transform(self, X, y=None):
        """Fit on ``X`` and return it post-processed (see :meth:`transform`)."""
        return self.fit(X).transform(X)

    def _validate(self, matrix):
        pass

    def _fit(self, matrix):
        pass


def _principal_axes(centred):
    """Return the eigenvalues (descending) and eigenvectors (columns) of the covariance."""
    covariance = centred.T @ centred / centred.shape[0]
    values, axes = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    return np.clip(values[order], 0, None), axes[:, order]


class L2Normalizer(_VectorTransformer):
    """Scale every vector to unit length (zero vectors stay zero).

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import L2Normalizer
    >>> wv = WordVectors(["a", "b"], np.array([[3, 4], [0, 2]], dtype=np.float32))
    >>> L2Normalizer().fit_transform(wv)["a"].tolist()
    [0.6000000238418579, 0.800000011920929]
    """

    def _transform(self, matrix):
        lengths = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(lengths > 0, lengths, 1)


class Centerer(_VectorTransformer):
    """Subtract the mean vector learned in ``fit``.

    Attributes
    ----------
    mean_ : ndarray of shape (vector_size,)

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import Centerer
    >>> wv = WordVectors(["a", "b"], np.array([[1, 2], [3, 2]], dtype=np.float32))
    >>> Centerer().fit_transform(wv).vectors.tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """

    def _fit(self, matrix):
        self.mean_ = matrix.mean(axis=0)

    def _transform(self, matrix):
        return matrix - self.mean_


class PowerNormalizer(_VectorTransformer):
    """Raise every value's magnitude to a power, keeping its sign: ``sign(x) * |x| ** alpha``.

    Parameters
    ----------
    alpha : float, default=0.5
        The power, in (0, 1] usually; ``alpha < 1`` shrinks the large values
        a few dimensions carry.  1 changes nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import PowerNormalizer
    >>> wv = WordVectors(["a"], np.array([[4, -9]], dtype=np.float32))
    >>> PowerNormalizer(alpha=0.5).fit_transform(wv)["a"].tolist()
    [2.0, -3.0]
    """

    def __init__(self, alpha=0.5):
        self.alpha = alpha

    def _validate(self, matrix):
        if (
            isinstance(self.alpha, bool)
            or not isinstance(self.alpha, numbers.Real)
            or not (self.alpha > 0 and np.isfinite(self.alpha))
        ):
            raise ValueError(f"alpha must be a positive number, got {self.alpha!r}.")

    def _transform(self, matrix):
        return np.sign(matrix) * np.abs(matrix) ** float(self.alpha)


class Whitener(_VectorTransformer):
    """Decorrelate the dimensions and give each unit variance (PCA or ZCA whitening).

    With the mean ``m`` and the covariance ``C = U diag(s) U^T`` learned in
    ``fit``, PCA whitening maps ``x`` to ``diag(1 / sqrt(s + eps)) U^T (x - m)``
    (coordinates on the principal axes, optionally the first
    ``n_components`` only), ZCA whitening to ``U diag(1 / sqrt(s + eps)) U^T
    (x - m)``, the whitened vectors closest to the centred ones.  Either way
    the covariance of the fitted vectors becomes the identity (up to ``eps``).

    Parameters
    ----------
    method : {"pca", "zca"}, default="zca"
    n_components : int, default=None
        PCA only: keep the first ``n_components`` principal axes (all by
        default).
    eps : float, default=1e-8
        Added to every variance, so that a direction without variance does
        not divide by zero.

    Attributes
    ----------
    mean_ : ndarray of shape (vector_size,)
    components_ : ndarray of shape (n_components, vector_size)
        Principal axes, by decreasing variance.
    explained_variance_ : ndarray of shape (n_components,)

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import Whitener
    >>> rng = np.random.default_rng(0)
    >>> wv = WordVectors([f"w{i}" for i in range(100)], rng.normal(size=(100, 3)) * [1, 5, 9])
    >>> white = Whitener(method="zca").fit_transform(wv)
    >>> np.allclose(np.cov(white.vectors.T, bias=True), np.eye(3), atol=1e-4)
    True
    """

    def __init__(self, method="zca", n_components=None, eps=1e-8):
        self.method = method
        self.n_components = n_components
        self.eps = eps

    def _validate(self, matrix):
        if self.method not in ("pca", "zca"):
            raise ValueError(f"method must be 'pca' or 'zca', got {self.method!r}.")
        if self.n_components is not None:
            if self.method != "pca":
                raise ValueError("n_components applies to method='pca' only.")
            _check_components(self.n_components, matrix.shape[1], "n_components")
        if (
            isinstance(self.eps, bool)
            or not isinstance(self.eps, numbers.Real)
            or not (0 <= self.eps < np.inf)
        ):
            raise ValueError(f"eps must be a non-negative number, got {self.eps!r}.")

    def _fit(self, matrix):
        self.mean_ = matrix.mean(axis=0)
        values, axes = _principal_axes(matrix - self.mean_)
        k = matrix.shape[1] if self.n_components is None else int(self.n_components)
        self.components_ = axes[:, :k].T
        self.explained_variance_ = values[:k]
        if (values[:k] + self.eps <= 0).any():
            raise ValueError(
                "the vectors have a direction without variance; set eps > 0 or n_components."
            )

    def _transform(self, matrix):
        scale = 1.0 / np.sqrt(self.explained_variance_ + self.eps)
        projected = (matrix - self.mean_) @ self.components_.T * scale
        if self.method == "pca":
            return projected
        return projected @ self.components_


class AllButTheTop(_VectorTransformer):
    """Remove the mean and the top principal directions (Mu and Viswanath, 2018).

    The mean ``m`` and the first ``n_components`` principal directions
    ``u_1 .. u_D`` of the centred vectors are learned in ``fit``; a vector
    ``x`` becomes ``x - m - sum_i (u_i . (x - m)) u_i``.  These few
    directions carry word frequency more than meaning; removing them
    improves word similarity and analogy scores.

    Parameters
    ----------
    n_components : int, default=None
        Number of directions D to remove; by default ``vector_size // 100``,
        at least 1 (the paper's rule of thumb).

    Attributes
    ----------
    mean_ : ndarray of shape (vector_size,)
    components_ : ndarray of shape (D, vector_size)
        The directions removed, by decreasing variance.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import AllButTheTop
    >>> rng = np.random.default_rng(0)
    >>> wv = WordVectors([f"w{i}" for i in range(50)], rng.normal(size=(50, 4)))
    >>> abtt = AllButTheTop(n_components=1).fit(wv)
    >>> out = abtt.transform(wv)
    >>> np.allclose(out.vectors @ abtt.components_[0], 0, atol=1e-5)
    True
    """

    def __init__(self, n_components=None):
        self.n_components = n_components

    def _validate(self, matrix):
        if self.n_components is not None:
            _check_components(self.n_components, matrix.shape[1], "n_components", low=0)

    def _fit(self, matrix):
        self.mean_ = matrix.mean(axis=0)
        k = self.n_components
        if k is None:
            k = max(1, matrix.shape[1] // 100)
        _, axes = _principal_axes(matrix - self.mean_)
        self.components_ = axes[:, : min(int(k), matrix.shape[1])].T

    def _transform(self, matrix):
        centred = matrix - self.mean_
        return centred - (centred @ self.components_.T) @ self.components_


def _check_components(value, dim, name, low=1):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not (low <= value <= dim)
    ):
        raise ValueError(f"{name} must be an integer in [{low}, {dim}], got {value!r}.")


# the names the vectorizers' ``postprocessing`` parameter takes for the transformers here,
# each with its defaults
POSTPROCESSING_NAMES = {
    "l2": L2Normalizer,
    "center": Centerer,
    "power": PowerNormalizer,
    "whiten": Whitener,
    "all-but-the-top": AllButTheTop,
}


def _one_postprocessor(spec, where):
    from sklearn.base import clone

    if isinstance(spec, str):
        if spec not in POSTPROCESSING_NAMES:
            raise ValueError(
                f"{where}={spec!r} is not a post-processing name; expected one of "
                f"{sorted(POSTPROCESSING_NAMES)} or a transformer with fit and transform."
            )
        return POSTPROCESSING_NAMES[spec]()
    if callable(getattr(spec, "fit", None)) and callable(getattr(spec, "transform", None)):
        return clone(spec)
    raise TypeError(
        f"{where} must be a name in {sorted(POSTPROCESSING_NAMES)} or a transformer with fit "
        f"and transform, got {type(spec).__name__}."
    )


def make_postprocessor(spec, name="postprocessing"):
    """Return a new, unfitted transformer for a ``postprocessing`` value, or None.

    Parameters
    ----------
    spec : None, str, transformer or list of those
        None: no post-processing.  A name of :data:`POSTPROCESSING_NAMES`
        ("l2", "center", "power", "whiten", "all-but-the-top"), that transformer
        with its defaults.  An estimator with ``fit`` and ``transform`` over a
        matrix of shape (n_words, vector_size), cloned.  A list: each in turn,
        as a :class:`~sklearn.pipeline.Pipeline`.
    name : str, default="postprocessing"
        The parameter's name, for error messages.

    Returns
    -------
    transformer : estimator or None

    Raises
    ------
    ValueError, TypeError
        Naming the parameter (and the list position) at fault.

    Examples
    --------
    >>> from skembed.vectors._postprocessing import make_postprocessor
    >>> make_postprocessor("l2")
    L2Normalizer()
    >>> [type(s).__name__ for _, s in make_postprocessor(["center", "l2"]).steps]
    ['Centerer', 'L2Normalizer']
    """
    if spec is None:
        return None
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise ValueError(f"{name}=[] is empty: give None for no post-processing.")
        from sklearn.pipeline import make_pipeline

        return make_pipeline(
            *(_one_postprocessor(item, f"{name}[{i}]") for i, item in enumerate(spec))
        )
    return _one_postprocessor(spec, name)


def fit_postprocessing(spec, vectors, name="postprocessing"):
    """Fit the transformer of ``spec`` on ``vectors``; return it and the vectors it gives.

    Parameters
    ----------
    spec : None, str, transformer or list
        A ``postprocessing`` value (see :func:`make_postprocessor`).
    vectors : ndarray of shape (n_words, vector_size)
        The trained word vectors (not modified).
    name : str, default="postprocessing"

    Returns
    -------
    processor : fitted transformer or None
    processed : ndarray of shape (n_words, n_out), float32, or None
        None when ``spec`` is None.

    Raises
    ------
    ValueError
        When the transformer's output is not a finite matrix with a row per word.
    """
    processor = make_postprocessor(spec, name)
    if processor is None:
        return None, None
    processed = _checked_output(
        processor.fit_transform(np.asarray(vectors, dtype=np.float32)), len(vectors), name
    )
    return processor, processed


def _checked_output(matrix, n_rows, name):
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != n_rows or matrix.shape[1] < 1:
        raise ValueError(
            f"{name} must map the ({n_rows}, vector_size) matrix of word vectors to a matrix "
            f"with one row per word, got shape {matrix.shape}."
        )
    if not np.isfinite(matrix).all():
        raise ValueError(f"{name} gave NaN or infinite values for the word vectors.")
    return np.ascontiguousarray(matrix, dtype=np.float32)


def feature_matrix(processor, processed, trained, vectors=None, name="postprocessing"):
    """Return the word vectors a vectorizer pools, post-processed by ``processor``.

    Parameters
    ----------
    processor : fitted transformer or None
    processed : ndarray or None
        ``processor``'s output for ``trained``, kept since ``fit``.
    trained : ndarray of shape (n_words, vector_size)
        The vectorizer's ``wv_.vectors``.
    vectors : ndarray of shape (n_words + n_extra, vector_size), default=None
        ``trained`` (None means the same) followed by rows of words outside the
        vocabulary (fastText's composed vectors of unseen words).
    name : str, default="postprocessing"

    Returns
    -------
    ndarray
        ``vectors`` as they are without a processor; else the kept rows of
        ``processed`` followed by the extra rows transformed.  The transformers
        of this module treat each row on its own, so this equals
        transforming all of ``vectors``; a transformer of your own must too.
    """
    if vectors is None:
        vectors = trained
    if processor is None:
        return vectors
    if vectors is trained:
        return processed
    n = len(trained)
    extra = vectors[n:]
    if not len(extra):
        return processed
    extra = _checked_output(
        processor.transform(np.asarray(extra, dtype=np.float32)), len(extra), name
    )
    return np.concatenate([processed, extra])
