"""Word vectors: lookup and queries (:class:`WordVectors`, :class:`FastTextWordVectors`) and files.

:func:`load` and :func:`save` read and write every registered format
(:mod:`skembed.vectors.io`).
"""

from skembed.vectors._fasttext_vectors import FastTextWordVectors
from skembed.vectors._word_vectors import WordVectors
from skembed.vectors.io import load, save

__all__ = ["FastTextWordVectors", "WordVectors", "load", "save"]
