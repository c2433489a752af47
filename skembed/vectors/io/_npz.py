"""skembed's own ``.npz`` format: plain arrays, read without unpickling.

``WordVectors``: ``words`` (unicode array), ``vectors`` (float32) and, when
known, ``counts``.  ``FastTextWordVectors``: ``words``, ``input_matrix`` (word
rows then n-gram rows), ``ngram_range`` (min_n, max_n), ``counts``, and for a
compacted model ``ngram_rows`` and ``bucket``.
"""

import numpy as np

from skembed.utils._files import atomic_write

__all__ = ["read_npz", "write_npz"]


def write_npz(vectors, path):
    """Write ``vectors`` (a WordVectors or FastTextWordVectors) to an ``.npz`` file."""
    arrays = vectors._npz_arrays()
    atomic_write(path, lambda fh: np.savez(fh, **arrays))


def read_npz(path):
    """Read an ``.npz`` file written by :func:`write_npz`; return the vectors object."""
    from skembed.vectors._fasttext_vectors import FastTextWordVectors
    from skembed.vectors._word_vectors import WordVectors

    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    cls = FastTextWordVectors if "input_matrix" in arrays else WordVectors
    return cls._from_npz_arrays(arrays, path)
