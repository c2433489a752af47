"""Word vectors: lookup and queries (:class:`WordVectors`, :class:`FastTextWordVectors`) and files.

Post-processing transformers (:class:`L2Normalizer`, :class:`Centerer`,
:class:`PowerNormalizer`, :class:`Whitener`, :class:`AllButTheTop`) return new
vectors; the queries are functions in :mod:`skembed.vectors._queries`.

:func:`load` and :func:`save` read and write every registered format
(:mod:`skembed.vectors.io`).
"""

from skembed.vectors._fasttext_vectors import FastTextWordVectors
from skembed.vectors._postprocessing import (
    AllButTheTop,
    Centerer,
    L2Normalizer,
    PowerNormalizer,
    Whitener,
)
from skembed.vectors._word_vectors import WordVectors
from skembed.vectors.io import load, save

__all__ = [
    "AllButTheTop",
    "Centerer",
    "FastTextWordVectors",
    "L2Normalizer",
    "PowerNormalizer",
    "Whitener",
    "WordVectors",
    "load",
    "save",
]
