"""Pooling modes as the ONNX graph computes them: one :class:`PoolingSpec` per mode.

Every pooling of ``transform`` is written as: weight each word vector, then sum
(or take the element-wise maximum), then divide by nothing, by the number of
words or by the sum of the weights, then optionally remove fixed components.
A mode whose estimator attributes fit that shape is exported by adding one
entry to :data:`POOLINGS`: a function of the fitted estimator that returns its
:class:`PoolingSpec`.  SIF and uSIF (smooth inverse frequency weights
``a / (a + p(w))``, divided by the number of words, then the fitted common
components removed; uSIF scales each word vector to unit length first) are
``PoolingSpec("sum", weights=..., divide="count", components=...,
component_scale=..., unit_vectors=...)``.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["POOLINGS", "PoolingSpec", "pooling_spec"]


@dataclass
class PoolingSpec:
    """How the graph pools a document's word vectors into one vector.

    Parameters
    ----------
    reduce : {"sum", "max", "min", "concat"}
        Sum the weighted word vectors, or take their element-wise maximum or
        minimum (weights and ``divide`` are then unused), or pool by each spec
        of ``parts`` and put the results side by side.
    weights : ndarray of shape (n_words,) or None
        Weight of each vocabulary word; None weighs every word 1.
    unseen_weight : float
        Weight of a word outside the vocabulary that still has a vector
        (fastText's n-gram words).
    divide : {"none", "count", "weight"}
        Divide the sum by nothing, the number of words, or the sum of weights.
    components : ndarray of shape (n_components, vector_size) or None
        Directions removed from the pooled vector ``v``:
        ``v - sum_k scale_k (v . u_k) u_k``.
    component_scale : ndarray of shape (n_components,) or None
        ``scale_k`` above; None means 1.
    unit_vectors : bool
        Scale every word vector to unit length before weighting (uSIF).
    parts : tuple of PoolingSpec
        With ``reduce="concat"``: the poolings concatenated, in order.

    Examples
    --------
    >>> from skembed.export._pooling import PoolingSpec
    >>> PoolingSpec("sum", divide="count").reduce
    'sum'
    """

    reduce: str
    weights: np.ndarray | None = None
    unseen_weight: float = 1.0
    divide: str = "none"
    components: np.ndarray | None = None
    component_scale: np.ndarray | None = None
    unit_vectors: bool = False
    parts: tuple = ()


def _unseen_idf(estimator):
    # as FastTextVectorizer.transform: a word with document frequency 0
    return float(np.log(1.0 + estimator._n_documents) + 1.0)


def _smoothed(est):
    # SIF and uSIF: fitted word weights, the mean over words, fitted components removed
    state = est._pooling_state
    if state is None or state["mode"] != est.pooling:
        raise ValueError(f"pooling={est.pooling!r} was not fitted: fit the vectorizer again.")
    components = state["components"] if len(state["components"]) else None
    return PoolingSpec(
        "sum",
        weights=state["weights"],
        unseen_weight=float(state["unseen_weight"]),
        divide="count",
        components=components,
        component_scale=state["scales"] if components is not None else None,
        unit_vectors=state["mode"] == "usif",
    )


POOLINGS = {
    "mean": lambda est: PoolingSpec("sum", divide="count"),
    "sum": lambda est: PoolingSpec("sum"),
    "max": lambda est: PoolingSpec("max"),
    "tfidf": lambda est: PoolingSpec(
        "sum", weights=est.idf_, unseen_weight=_unseen_idf(est), divide="weight"
    ),
    "sif": _smoothed,
    "usif": _smoothed,
    # concatenated power means: minimum, mean and maximum side by side, as transform
    "minmeanmax": lambda est: PoolingSpec(
        "concat",
        parts=(PoolingSpec("min"), PoolingSpec("sum", divide="count"), PoolingSpec("max")),
    ),
}


def pooling_spec(estimator):
    """Return the :class:`PoolingSpec` of a fitted estimator's ``pooling``.

    Parameters
    ----------
    estimator : fitted skembed vectorizer

    Returns
    -------
    spec : PoolingSpec

    Raises
    ------
    NotImplementedError
        When ``pooling`` has no entry in :data:`POOLINGS`.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.export._pooling import pooling_spec
    >>> vec = Word2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0)
    >>> pooling_spec(vec.fit(["a b a b"])).divide
    'count'
    """
    build = POOLINGS.get(estimator.pooling)
    if build is None:
        raise NotImplementedError(
            f"pooling={estimator.pooling!r} has no ONNX export: the modes exported are "
            f"{sorted(POOLINGS)} (an exporter is one entry of skembed.export._pooling.POOLINGS)."
        )
    return build(estimator)
