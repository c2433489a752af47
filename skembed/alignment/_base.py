"""What every aligner shares: paired-row checks, centring, and CSLS refinement."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skembed.alignment._retrieval import mutual_csls_neighbors

# the constraints of the parameters every aligner declares (each in its own __init__)
COMMON_CONSTRAINTS = {
    "center": ["boolean"],
    "normalize": ["boolean"],
    "refine": [Interval(Integral, 0, None, closed="left")],
    "csls_k": [Interval(Integral, 1, None, closed="left")],
    "refine_max_rank": [Interval(Integral, 2, None, closed="left"), None],
}


def _unit(X):
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms > 0, norms, 1)


class BaseAligner(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Learn a map between two spaces from paired rows (no parameters of its own).

    Subclasses declare their parameters and implement ``_fit_map(X, Y)`` on
    preprocessed pairs, ``_map_source`` and ``_map_target``.
    """

    _parameter_constraints = {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.two_d_labels = True
        return tags

    # ------------------------------------------------------------------ fitting
    def fit(self, X, Y, source=None, target=None):
        """Learn the map from paired rows: row ``i`` of ``X`` matches row ``i`` of ``Y``.

        Parameters
        ----------
        X : array-like of shape (n_pairs, n_features)
            Source rows.
        Y : array-like of shape (n_pairs, n_target_features)
            The matching target rows.
        source : array-like of shape (n_source, n_features), default=None
            The whole source space (for words: the vectors in frequency
            order), searched for new pairs when ``refine > 0``.
        target : array-like of shape (n_target, n_target_features), default=None
            The whole target space, needed with ``source`` when ``refine > 0``.

        Returns
        -------
        self : object
            The fitted aligner.
        """
        self._validate_params()
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=True)
        Y = check_array(Y, dtype=[np.float64, np.float32], input_name="Y")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and Y must hold the same number of paired rows, got {X.shape[0]} and "
                f"{Y.shape[0]}."
            )
        if X.shape[0] < 2:
            raise ValueError(f"at least 2 paired rows are needed, got {X.shape[0]}.")
        self.n_target_features_in_ = Y.shape[1]
        self._check_dimensions(X.shape[1], Y.shape[1])
        if self.refine and (source is None or target is None):
            raise ValueError(
                f"refine={self.refine} searches the whole spaces for new pairs: pass them to "
                "fit as source= and target=."
            )
        self._fit_pairs(X, Y)
        self.n_refine_pairs_ = []
        if self.refine:
            self._refine(source, target)
        return self

    def _check_dimensions(self, n_features, n_target_features):
        """Raise when the method cannot map these dimensions (all can, by default)."""

    def _preprocess(self, X, side, fit=False):
        X = np.asarray(X, dtype=np.float64)
        if self.normalize:
            X = _unit(X)
        if fit:
            mean = X.mean(axis=0) if self.center else np.zeros(X.shape[1])
            setattr(self, f"{side}_mean_", mean)
        return X - getattr(self, f"{side}_mean_")

    def _fit_pairs(self, X, Y):
        self._fit_map(
            self._preprocess(X, "source", fit=True), self._preprocess(Y, "target", fit=True)
        )

    def _refine(self, source, target):
        """MUSE's refinement: refit on mutual CSLS nearest neighbours, ``refine`` times."""
        source = check_array(source, dtype=[np.float64, np.float32], input_name="source")
        target = check_array(target, dtype=[np.float64, np.float32], input_name="target")
        for name, array, width in (
            ("source", source, self.n_features_in_),
            ("target", target, self.n_target_features_in_),
        ):
            if array.shape[1] != width:
                raise ValueError(
                    f"{name} must have {width} columns like the paired rows, got {array.shape[1]}."
                )
        if self.refine_max_rank is not None:
            source, target = source[: self.refine_max_rank], target[: self.refine_max_rank]
        for _ in range(self.refine):
            A, B = self.transform(source), self.transform_target(target)
            mutual, matches = mutual_csls_neighbors(A, B, self.csls_k)
            if len(mutual) < 2:
                raise ValueError(
                    f"refinement found {len(mutual)} mutual nearest neighbours; the paired rows "
                    "do not align the spaces well enough to refine (set refine=0)."
                )
            self._fit_pairs(source[mutual], target[matches])
            self.n_refine_pairs_.append(len(mutual))
        self.refine_pairs_ = np.column_stack([mutual, matches])

    # ------------------------------------------------------------------ mapping
    def transform(self, X):
        """Map source rows into the aligned space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of the source space.

        Returns
        -------
        X_aligned : ndarray of shape (n_samples, n_features_out)
            In the dtype of ``X`` (float32 stays float32).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return self._map_source(self._preprocess(X, "source")).astype(X.dtype, copy=False)

    def transform_target(self, Y):
        """Map target rows into the aligned space, where ``transform``'s output is compared.

        Parameters
        ----------
        Y : array-like of shape (n_samples, n_target_features)
            Rows of the target space.

        Returns
        -------
        Y_aligned : ndarray of shape (n_samples, n_features_out)
            In the dtype of ``Y``.
        """
        check_is_fitted(self)
        Y = check_array(Y, dtype=[np.float64, np.float32], input_name="Y")
        if Y.shape[1] != self.n_target_features_in_:
            raise ValueError(
                f"Y has {Y.shape[1]} features, but {type(self).__name__} was fitted with "
                f"{self.n_target_features_in_} target features."
            )
        return self._map_target(self._preprocess(Y, "target")).astype(Y.dtype, copy=False)

    def fit_transform(self, X, Y, **fit_params):
        """Fit on the pairs, then map ``X``: ``fit(X, Y).transform(X)``.

        Parameters
        ----------
        X : array-like of shape (n_pairs, n_features)
            Source rows.
        Y : array-like of shape (n_pairs, n_target_features)
            The matching target rows.
        **fit_params : dict
            ``source`` and ``target``, passed to ``fit``.

        Returns
        -------
        X_aligned : ndarray of shape (n_pairs, n_features_out)
        """
        return self.fit(X, Y, **fit_params).transform(X)

    def _map_target(self, Y):
        # the target's own coordinates, centred and normalised as in fit
        return Y
