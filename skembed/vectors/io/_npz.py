"""skembed's own ``.npz`` format: plain arrays, read without unpickling.

``WordVectors``: ``words`` (unicode array), ``vectors`` (float32) and, when
known, ``counts``.  ``FastTextWordVectors``: ``words``, ``input_matrix`` (word
rows then n-gram rows), ``ngram_range`` (min_n, max_n), ``counts``, and for a
compacted model ``ngram_rows`` and ``bucket``.  numpy drops the trailing NUL
characters of a unicode array, so when a word ends in NUL the file also holds
``word_lengths``, the length of every word.

The reader checks each member's header against the file before expanding it
(:func:`~skembed.utils._files.read_npz_arrays`), then every array's kind and
shape; errors are :class:`~skembed.utils._files.FileFormatError` naming the
file and the array.
"""

import os

import numpy as np

from skembed.utils._files import (
    FileFormatError,
    atomic_write,
    file_errors,
    first_non_finite_row,
    read_npz_arrays,
)

__all__ = ["read_npz", "write_npz"]


def write_npz(vectors, path):
    """Write ``vectors`` (a WordVectors or FastTextWordVectors) to an ``.npz`` file."""
    arrays = vectors._npz_arrays()
    words = list(arrays["words"])
    arrays["words"] = np.array(words, dtype=str)
    if any(w.endswith("\0") for w in words):
        arrays["word_lengths"] = np.array([len(w) for w in words], dtype=np.int64)
    atomic_write(path, lambda fh: np.savez(fh, **arrays))


def _array(path, arrays, name, kinds, ndim, required=True):
    array = arrays.get(name)
    if array is None:
        if required:
            raise FileFormatError(path, f"no array {name!r}.")
        return None
    if array.dtype.kind not in kinds or array.ndim != ndim:
        raise FileFormatError(
            path, f"array {name!r} has dtype {array.dtype} and {array.ndim} dimensions; "
            f"expected kind {'/'.join(kinds)} with {ndim}.",
        )  # fmt: skip
    return array


def _words(path, arrays):
    words = arrays.get("words")
    if words is not None and words.dtype.kind == "S" and words.ndim == 1:
        decoded = []
        for i, raw in enumerate(words.tolist()):
            try:
                decoded.append(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    path, f"array 'words', entry {i}: bytes that are not UTF-8 ({exc.reason})."
                ) from None
        return decoded
    words = _array(path, arrays, "words", "U", 1)
    width = words.dtype.itemsize // 4
    words = words.tolist()
    lengths = _array(path, arrays, "word_lengths", "iu", 1, required=False)
    if lengths is not None:
        if lengths.shape != (len(words),):
            raise FileFormatError(
                path, f"array 'word_lengths' has {lengths.size} entries for {len(words)} words."
            )
        for i, (word, length) in enumerate(zip(words, lengths.tolist(), strict=True)):
            if not len(word) <= length <= width:
                raise FileFormatError(
                    path, f"array 'word_lengths', entry {i}: {length} does not fit word {word!r}."
                )
            words[i] = word + "\0" * (length - len(word))
    return words


def _finite(path, name, matrix):
    """Return ``matrix`` as float32; refuse NaN, infinity and values beyond float32's range."""
    if matrix.shape[1] < 1:
        raise FileFormatError(path, f"array {name!r} has shape {matrix.shape}: no columns.")
    if matrix.dtype.itemsize > 4:
        finite = np.finfo(np.float32).max
        for start in range(0, matrix.shape[0], 1 << 16):
            block = matrix[start : start + (1 << 16)]
            with np.errstate(invalid="ignore"):
                bad = ~(np.abs(block) <= finite).all(axis=1)
            if bad.any():
                row = start + int(np.argmax(bad))
                raise FileFormatError(
                    path, f"array {name!r}, row {row}: NaN, infinity or a value beyond float32."
                )
    matrix = matrix.astype(np.float32, copy=False)
    row = first_non_finite_row(matrix)
    if row is not None:
        raise FileFormatError(path, f"array {name!r}, row {row}: NaN or infinity.")
    return matrix


def read_npz(path):
    """Read an ``.npz`` file written by :func:`write_npz`; return the vectors object.

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file: not a zip of arrays, a member that
        would expand beyond the file's size allows or holds Python objects,
        missing arrays, words that are not text, vectors that are not finite
        float32 numbers, or shapes that disagree.
    """
    from skembed.vectors._fasttext_vectors import FastTextWordVectors
    from skembed.vectors._word_vectors import WordVectors
    from skembed.vectors.io._fasttext_bin import check_composed

    path = os.fspath(path)
    arrays = read_npz_arrays(path)
    arrays["words"] = _words(path, arrays)
    counts = _array(path, arrays, "counts", "iu", 1, required=False)
    if counts is not None and counts.size and counts.min() < 0:
        raise FileFormatError(path, "array 'counts' holds negative counts.")
    if "input_matrix" in arrays:
        cls, matrix = FastTextWordVectors, "input_matrix"
        ranges = _array(path, arrays, "ngram_range", "iu", 1)
        if ranges.shape != (2,):
            raise FileFormatError(path, "array 'ngram_range' must hold (min_n, max_n).")
        if "ngram_rows" in arrays or "bucket" in arrays:
            _array(path, arrays, "ngram_rows", "iu", 1)
            _array(path, arrays, "bucket", "iu", 0)
    else:
        cls, matrix = WordVectors, "vectors"
    arrays[matrix] = _finite(path, matrix, _array(path, arrays, matrix, "f", 2))
    with file_errors(path):
        vectors = cls._from_npz_arrays(arrays, path)
    if cls is FastTextWordVectors:
        check_composed(path, vectors)
    return vectors
