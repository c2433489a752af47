"""Word vectors: lookup and queries (:class:`WordVectors`, :class:`FastTextWordVectors`) and files.

Post-processing transformers (:class:`L2Normalizer`, :class:`Centerer`,
:class:`PowerNormalizer`, :class:`Whitener`, :class:`AllButTheTop`) return new
vectors; the queries are functions in :mod:`skembed.vectors._queries`.

:func:`load` and :func:`save` read and write every registered format
(:mod:`skembed.vectors.io`).
"""

import importlib

# imported on first use (PEP 562): loading vectors needs neither scikit-learn nor matplotlib
_LAZY = {
    "AllButTheTop": "skembed.vectors._postprocessing",
    "Centerer": "skembed.vectors._postprocessing",
    "ClusterResult": "skembed.vectors._clusters",
    "DocumentIndex": "skembed.vectors._search",
    "ExactIndex": "skembed.vectors._index",
    "FastTextWordVectors": "skembed.vectors._fasttext_vectors",
    "L2Normalizer": "skembed.vectors._postprocessing",
    "NNDescentIndex": "skembed.vectors._index",
    "POSTPROCESSING_NAMES": "skembed.vectors._postprocessing",
    "PowerNormalizer": "skembed.vectors._postprocessing",
    "Whitener": "skembed.vectors._postprocessing",
    "WordVectors": "skembed.vectors._word_vectors",
    "cluster_documents": "skembed.vectors._clusters",
    "cluster_words": "skembed.vectors._clusters",
    "load": "skembed.vectors.io",
    "plot_learning_curve": "skembed.vectors._plots",
    "plot_map": "skembed.vectors._plots",
    "plot_training_curves": "skembed.vectors._plots",
    "save": "skembed.vectors.io",
}

__all__ = [
    "AllButTheTop",
    "Centerer",
    "ClusterResult",
    "DocumentIndex",
    "ExactIndex",
    "FastTextWordVectors",
    "L2Normalizer",
    "NNDescentIndex",
    "POSTPROCESSING_NAMES",
    "PowerNormalizer",
    "Whitener",
    "WordVectors",
    "cluster_documents",
    "cluster_words",
    "load",
    "plot_learning_curve",
    "plot_map",
    "plot_training_curves",
    "save",
]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skembed.vectors' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
