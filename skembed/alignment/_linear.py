"""Linear maps from the source space into the target space: orthogonal and least squares."""

from numbers import Real

import numpy as np
import scipy.linalg
from sklearn.utils._param_validation import Interval

from skembed.alignment._base import COMMON_CONSTRAINTS, BaseAligner

__all__ = ["LeastSquaresAligner", "OrthogonalProcrustes"]


class OrthogonalProcrustes(BaseAligner):
    """Learn a rotation of the source space onto the target space from paired rows.

    Solves the orthogonal Procrustes problem ``min ||X W - Y||`` over
    orthogonal ``W`` by one singular value decomposition of ``X^T Y``
    (Schönemann 1966), after the centring and normalisation set below.  A
    rotation keeps distances and angles within the source space, which is
    why it is the usual choice for word vectors of two languages (Xing et
    al. 2015; Conneau et al. 2018).  Both spaces must have the same
    dimension.

    Parameters
    ----------
    center : bool, default=True
        Subtract the mean of the paired rows of each side (``source_mean_``,
        ``target_mean_``) before learning the map; ``transform`` subtracts
        ``source_mean_`` and ``transform_target`` subtracts ``target_mean_``,
        so both land in the same centred space.
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
    coef_ : ndarray of shape (n_features, n_features)
        The orthogonal map: ``transform(X) = (X - source_mean_) @ coef_``.
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
    LeastSquaresAligner : Any linear map, between spaces of any dimensions.
    CCAAligner : Both spaces into a shared one.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import ortho_group
    >>> from skembed.alignment import OrthogonalProcrustes
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 4))
    >>> Q = ortho_group.rvs(4, random_state=0)
    >>> aligner = OrthogonalProcrustes(center=False).fit(X, X @ Q)
    >>> bool(np.allclose(aligner.coef_, Q))
    True
    >>> bool(np.allclose(aligner.transform(X[:2]), X[:2] @ Q))
    True
    """

    _parameter_constraints = {**COMMON_CONSTRAINTS}

    def __init__(self, *, center=True, normalize=False, refine=0, csls_k=10,
                 refine_max_rank=15000):  # fmt: skip
        self.center = center
        self.normalize = normalize
        self.refine = refine
        self.csls_k = csls_k
        self.refine_max_rank = refine_max_rank

    def _check_dimensions(self, n_features, n_target_features):
        if n_features != n_target_features:
            raise ValueError(
                f"OrthogonalProcrustes needs X and Y of the same dimension, got {n_features} "
                f"and {n_target_features}; use LeastSquaresAligner or CCAAligner."
            )

    def _fit_map(self, X, Y):
        U, _, Vt = scipy.linalg.svd(X.T @ Y, full_matrices=False)
        self.coef_ = U @ Vt
        self._n_features_out = self.coef_.shape[1]

    def _map_source(self, X):
        return X @ self.coef_


class LeastSquaresAligner(BaseAligner):
    """Learn a linear map from the source space to the target space by (ridge) least squares.

    Solves ``min ||X W - Y||^2 + alpha ||W||^2`` (Mikolov et al. 2013's
    translation matrix), after the centring and normalisation set below.  The
    two spaces may have any dimensions: word vectors against image features,
    a small model against a large one.

    Parameters
    ----------
    alpha : float, default=0.0
        Ridge penalty on the map; some is needed when there are fewer pairs
        than source features.
    center : bool, default=True
        Subtract the mean of the paired rows of each side (``source_mean_``,
        ``target_mean_``) before learning the map; ``transform`` subtracts
        ``source_mean_`` and ``transform_target`` subtracts ``target_mean_``,
        so both land in the same centred space.
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
    coef_ : ndarray of shape (n_features, n_target_features)
        The map: ``transform(X) = (X - source_mean_) @ coef_``.
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
    OrthogonalProcrustes : A rotation, for spaces of equal dimension.
    CCAAligner : Both spaces into a shared one.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.alignment import LeastSquaresAligner
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5))
    >>> A = rng.normal(size=(5, 3))
    >>> aligner = LeastSquaresAligner().fit(X, X @ A + 1.0)
    >>> aligner.coef_.shape
    (5, 3)
    >>> bool(np.allclose(aligner.transform(X) + aligner.target_mean_, X @ A + 1.0))
    True
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        **COMMON_CONSTRAINTS,
    }

    def __init__(self, *, alpha=0.0, center=True, normalize=False, refine=0, csls_k=10,
                 refine_max_rank=15000):  # fmt: skip
        self.alpha = alpha
        self.center = center
        self.normalize = normalize
        self.refine = refine
        self.csls_k = csls_k
        self.refine_max_rank = refine_max_rank

    def _fit_map(self, X, Y):
        if self.alpha > 0:
            gram = X.T @ X
            gram[np.diag_indices_from(gram)] += self.alpha
            self.coef_ = scipy.linalg.solve(gram, X.T @ Y, assume_a="pos")
        else:
            # minimum-norm solution, defined even with fewer pairs than features
            self.coef_ = scipy.linalg.lstsq(X, Y)[0]
        self._n_features_out = self.coef_.shape[1]

    def _map_source(self, X):
        return X @ self.coef_
