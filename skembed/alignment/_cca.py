"""Canonical correlation analysis: both spaces into a shared one."""

from numbers import Integral, Real

import numpy as np
import scipy.linalg
from sklearn.utils._param_validation import Interval

from skembed.alignment._base import COMMON_CONSTRAINTS, BaseAligner

__all__ = ["CCAAligner"]


def _inverse_sqrt(C, alpha):
    """``(C + alpha * mean variance * I)^(-1/2)`` of a covariance matrix."""
    ridge = alpha * max(np.trace(C) / C.shape[0], np.finfo(np.float64).tiny)
    values, vectors = scipy.linalg.eigh(C + ridge * np.eye(C.shape[0]))
    values = np.maximum(values, ridge)
    return (vectors / np.sqrt(values)) @ vectors.T


class CCAAligner(BaseAligner):
    """Map two spaces into a shared one where paired rows are maximally correlated.

    Canonical correlation analysis (Hotelling 1936; Faruqui and Dyer 2014 for
    word vectors): each side is whitened (its covariance, with a ridge, made
    the identity), and the singular value decomposition of the whitened
    cross-covariance gives the directions of each side that correlate best
    with the other's.  ``transform`` maps source rows and
    ``transform_target`` target rows into the shared space of
    ``n_components`` dimensions; compare them there.

    Parameters
    ----------
    n_components : int or None, default=None
        Dimension of the shared space, at most the smaller of the two
        dimensions (the default).
    alpha : float, default=1e-3
        Ridge added to each covariance before whitening, as a fraction of its
        mean variance, so that whitening stays defined with few pairs.
    center : bool, default=True
        Subtract the mean of the paired rows of each side (``source_mean_``,
        ``target_mean_``) before learning the map, and in ``transform`` and
        ``transform_target``.
    normalize : bool, default=False
        Scale every row to unit length first (in ``fit``, ``transform`` and
        ``transform_target``), so that frequent and rare words weigh alike.
    refine : int, default=0
        Rounds of refinement after the first fit (Conneau et al. 2018): map
        the whole spaces given to ``fit`` as ``source`` and ``target``, take
        the mutual nearest neighbours under CSLS as new pairs and refit on
        them.  0 fits on the given pairs only.
    csls_k : int, default=10
        Neighbourhood size of CSLS during refinement.
    refine_max_rank : int or None, default=15000
        Only the first rows of ``source`` and ``target`` (the most frequent
        words, for word vectors in frequency order) are searched during
        refinement; None searches all.

    Attributes
    ----------
    source_weights_ : ndarray of shape (n_features, n_shared)
        ``transform(X) = (X - source_mean_) @ source_weights_``.
    target_weights_ : ndarray of shape (n_target_features, n_shared)
        ``transform_target(Y) = (Y - target_mean_) @ target_weights_``.
    correlations_ : ndarray of shape (n_shared,)
        Canonical correlation of each shared dimension on the pairs,
        decreasing.
    n_components_ : int
        Dimension of the shared space (``n_shared`` in the shapes above).
    source_mean_ : ndarray of shape (n_features,)
        Subtracted from source rows (zeros when ``center=False``).
    target_mean_ : ndarray of shape (n_target_features,)
        Subtracted from target rows.
    n_features_in_ : int
        Number of source features.
    n_target_features_in_ : int
        Number of target features.
    n_refine_pairs_ : list of int
        Number of pairs found by each round of refinement (empty without).
    refine_pairs_ : ndarray of shape (n_final_pairs, 2)
        Rows of ``source`` and ``target`` paired by the last round; only set
        when ``refine > 0``.

    See Also
    --------
    OrthogonalProcrustes : A rotation of the source space onto the target space.
    LeastSquaresAligner : Any linear map from the source space to the target space.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.alignment import CCAAligner
    >>> rng = np.random.default_rng(0)
    >>> Z = rng.normal(size=(200, 2))  # what the paired items share
    >>> X = np.hstack([Z, rng.normal(size=(200, 3))])
    >>> Y = Z @ rng.normal(size=(2, 6)) + 0.01 * rng.normal(size=(200, 6))
    >>> cca = CCAAligner(n_components=2).fit(X, Y)
    >>> cca.correlations_.round(2)
    array([1., 1.])
    >>> cca.transform(X).shape, cca.transform_target(Y).shape
    ((200, 2), (200, 2))
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        **COMMON_CONSTRAINTS,
    }

    def __init__(self, *, n_components=None, alpha=1e-3, center=True, normalize=False,
                 refine=0, csls_k=10, refine_max_rank=15000):  # fmt: skip
        self.n_components = n_components
        self.alpha = alpha
        self.center = center
        self.normalize = normalize
        self.refine = refine
        self.csls_k = csls_k
        self.refine_max_rank = refine_max_rank

    def _check_dimensions(self, n_features, n_target_features):
        limit = min(n_features, n_target_features)
        if self.n_components is not None and self.n_components > limit:
            raise ValueError(
                f"n_components={self.n_components} exceeds the smaller dimension of X and Y "
                f"({limit})."
            )

    def _fit_map(self, X, Y):
        n = X.shape[0]
        whiten_x = _inverse_sqrt(X.T @ X / n, self.alpha)
        whiten_y = _inverse_sqrt(Y.T @ Y / n, self.alpha)
        U, s, Vt = scipy.linalg.svd(whiten_x @ (X.T @ Y / n) @ whiten_y, full_matrices=False)
        n_components = self.n_components or min(X.shape[1], Y.shape[1])
        self.source_weights_ = whiten_x @ U[:, :n_components]
        self.target_weights_ = whiten_y @ Vt[:n_components].T
        self.correlations_ = s[:n_components]
        self.n_components_ = n_components
        self._n_features_out = n_components

    def _map_source(self, X):
        return X @ self.source_weights_

    def _map_target(self, Y):
        return Y @ self.target_weights_
