"""Subword kernels: fastText's n-gram hashing over a whole vocabulary, and composition.

The vocabulary arrives as one ``uint8`` buffer holding ``b"<" + word + b">"``
for every word back to back, with ``offsets`` (n_words + 1) marking where each
token starts.  The rules (FNV-1a with sign-extended bytes, UTF-8 continuation
bytes grouped with their lead byte, no lone ``<`` or ``>``) are documented in
:mod:`skembed.text._subwords`, which also holds the pure-Python reference.
"""

import numba
import numpy as np

from skembed.utils._jit import jit

__all__ = ["count_subwords", "fill_subwords", "compose_vectors", "compose_vectors_parallel"]


@jit
def _walk_ngrams(data, start, stop, min_n, max_n, bucket, nwords, indices, pos, write):
    """Visit the n-grams of ``data[start:stop]``; store their rows when ``write``.

    Returns the position after the last n-gram visited.  The hash of an
    n-gram extends the hash of the one before it with the same start, since
    FNV-1a reads bytes left to right.
    """
    i = start
    while i < stop:
        if (data[i] & 0xC0) == 0x80:
            i += 1
            continue
        h = np.int64(2166136261)
        j = i
        n = 1
        while j < stop and n <= max_n:
            # take one character: a lead byte and its continuation bytes
            while True:
                b = np.int64(data[j])
                if b >= 0x80:
                    b |= 0xFFFFFF00  # fastText reads the byte as a signed char
                h = ((h ^ b) * 16777619) & 0xFFFFFFFF
                j += 1
                if j >= stop or (data[j] & 0xC0) != 0x80:
                    break
            if n >= min_n and not (n == 1 and (i == start or j == stop)):
                if write:
                    indices[pos] = nwords + h % bucket
                pos += 1
            n += 1
        i += 1
    return pos


@jit
def count_subwords(
    data,  # IN uint8 (n_bytes,): the tokens "<word>" back to back
    offsets,  # IN int64 (n_words + 1,)
    min_n,  # IN int
    max_n,  # IN int
    enabled,  # IN bool (n_words,): False gives a word no n-grams
    counts,  # OUT int64 (n_words,): number of n-grams of each word
):
    """Count the n-grams of each token (the word's own row not included)."""
    dummy = np.empty(0, dtype=np.int32)
    for w in range(offsets.shape[0] - 1):
        if enabled[w]:
            counts[w] = _walk_ngrams(
                data, offsets[w], offsets[w + 1], min_n, max_n, 1, 0, dummy, 0, False
            )
        else:
            counts[w] = 0


@jit
def fill_subwords(
    data,  # IN uint8 (n_bytes,): the tokens "<word>" back to back
    offsets,  # IN int64 (n_words + 1,)
    min_n,  # IN int
    max_n,  # IN int
    bucket,  # IN int > 0
    nwords,  # IN int: row of the first n-gram bucket
    enabled,  # IN bool (n_words,)
    indptr,  # IN int64 (n_words + 1,): from count_subwords (+1 per word)
    indices,  # OUT int32 (indptr[-1],): own row, then n-gram rows
):
    """Write each word's row followed by its n-gram rows into ``indices``."""
    for w in range(offsets.shape[0] - 1):
        pos = indptr[w]
        indices[pos] = w
        if enabled[w]:
            _walk_ngrams(
                data,
                offsets[w],
                offsets[w + 1],
                min_n,
                max_n,
                bucket,
                nwords,
                indices,
                pos + 1,
                True,
            )


@jit
def _compose_row(indptr, indices, matrix, out, i):
    lo = indptr[i]
    hi = indptr[i + 1]
    dim = matrix.shape[1]
    for d in range(dim):
        out[i, d] = 0.0
    for p in range(lo, hi):
        row = indices[p]
        for d in range(dim):
            out[i, d] += matrix[row, d]
    if hi > lo:
        # fastText sums in float32, then multiplies by (float)(1.0 / count)
        scale = np.float32(1.0 / (hi - lo))
        for d in range(dim):
            out[i, d] *= scale


@jit
def compose_vectors(
    indptr,  # IN int64 (n_out + 1,)
    indices,  # IN int32 (indptr[-1],): rows of matrix
    matrix,  # IN float32 (n_rows, dim)
    out,  # OUT float32 (n_out, dim): mean of each slice's rows (zero if empty)
):
    """Set ``out[i]`` to the mean of ``matrix[indices[indptr[i]:indptr[i + 1]]]``."""
    for i in range(out.shape[0]):
        _compose_row(indptr, indices, matrix, out, i)


@jit(parallel=True)
def compose_vectors_parallel(indptr, indices, matrix, out):
    """Multi-threaded :func:`compose_vectors`; rows are independent, so the
    result is bit-identical to the serial kernel."""
    for i in numba.prange(out.shape[0]):
        _compose_row(indptr, indices, matrix, out, i)
