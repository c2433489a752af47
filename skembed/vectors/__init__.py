"""Word vectors: lookup and queries (:class:`WordVectors`, :class:`FastTextWordVectors`) and files.

:func:`load` and :func:`save` read and write every registered format
(:mod:`skembed.vectors.io`).
"""

from skembed.vectors._clusters import ClusterResult, cluster_documents, cluster_words
from skembed.vectors._fasttext_vectors import FastTextWordVectors
from skembed.vectors._index import ExactIndex, NNDescentIndex
from skembed.vectors._plots import plot_learning_curve, plot_map, plot_training_curves
from skembed.vectors._search import DocumentIndex
from skembed.vectors._word_vectors import WordVectors
from skembed.vectors.io import load, save

__all__ = ["FastTextWordVectors", "WordVectors", "load", "save"]
__all__ += [
    "ClusterResult",
    "DocumentIndex",
    "ExactIndex",
    "NNDescentIndex",
    "cluster_documents",
    "cluster_words",
    "plot_learning_curve",
    "plot_map",
    "plot_training_curves",
]
