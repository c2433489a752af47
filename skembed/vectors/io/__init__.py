"""Vector files: one module per format and a registry that picks one by name, suffix or content.

>>> from skembed.vectors import io
>>> sorted(io.FORMATS)
['fasttext', 'glove', 'npz', 'safetensors', 'word2vec', 'word2vec-binary']
"""

from skembed.vectors.io._fasttext_bin import FastTextModel, load_fasttext_bin, save_fasttext_bin
from skembed.vectors.io._registry import FORMATS, detect_format, load, save

__all__ = [
    "FORMATS",
    "FastTextModel",
    "detect_format",
    "load",
    "load_fasttext_bin",
    "save",
    "save_fasttext_bin",
]
