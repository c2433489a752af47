"""Pool word vectors into one vector per document.

:func:`pool_documents` is serial and :func:`pool_documents_parallel` runs the
documents on numba's threads; they are separate functions because numba's
on-disk cache cannot tell two compilations of one function apart, and the
serial one must never start numba's thread pool (a process that forks after
a serial ``transform`` must be able to pool in the child).
"""

import numpy as np
from numba import prange

from skembed.utils._jit import jit

MEAN, SUM, MAX, WEIGHTED_MEAN = 0, 1, 2, 3
# the weighted vectors summed and divided by the number of words (not by the weights' sum):
# the smoothed-inverse-frequency average of SIF and uSIF
WEIGHTED_AVERAGE = 4
# the element-wise minimum: with MEAN and MAX, the concatenated power means of "minmeanmax"
MIN = 5


@jit
def _pool_one(vectors, tokens, offsets, weights, mode, out, d):
    lo = offsets[d]
    hi = offsets[d + 1]
    if hi == lo:
        return
    dim = vectors.shape[1]
    if mode == MAX or mode == MIN:
        sign = 1.0 if mode == MAX else -1.0
        for k in range(dim):
            out[d, k] = vectors[tokens[lo], k]
        for p in range(lo + 1, hi):
            w = tokens[p]
            for k in range(dim):
                if sign * vectors[w, k] > sign * out[d, k]:
                    out[d, k] = vectors[w, k]
        return
    total = 0.0
    acc = np.zeros(dim, dtype=np.float64)
    for p in range(lo, hi):
        w = tokens[p]
        weight = weights[w] if mode == WEIGHTED_MEAN or mode == WEIGHTED_AVERAGE else 1.0
        total += 1.0 if mode == WEIGHTED_AVERAGE else weight
        for k in range(dim):
            acc[k] += weight * vectors[w, k]
    scale = 1.0 if mode == SUM else (1.0 / total if total > 0 else 0.0)
    for k in range(dim):
        out[d, k] = acc[k] * scale


@jit
def pool_documents(
    vectors,  # IN  float32[n_words, dim]
    tokens,  # IN  int32[n_tokens]: word ids (unknown words already dropped)
    offsets,  # IN  int64[n_documents + 1]
    weights,  # IN  float32[n_words]: per-word weight (WEIGHTED_MEAN, WEIGHTED_AVERAGE)
    mode,  # IN  int: MEAN, SUM, MAX, MIN, WEIGHTED_MEAN or WEIGHTED_AVERAGE
    out,  # OUT float32[n_documents, dim], zero-filled by the caller
):
    """Fill ``out`` with each document's pooled vector; empty documents stay zero."""
    for d in range(offsets.shape[0] - 1):
        _pool_one(vectors, tokens, offsets, weights, mode, out, d)


@jit(parallel=True)
def pool_documents_parallel(vectors, tokens, offsets, weights, mode, out):
    """Multi-threaded :func:`pool_documents`; documents are independent, so bit-identical."""
    for d in prange(offsets.shape[0] - 1):
        _pool_one(vectors, tokens, offsets, weights, mode, out, d)


@jit
def document_frequency_kernel(
    tokens,  # IN int32[n_tokens]: word ids in [0, n_words)
    offsets,  # IN int64[n_documents + 1]
    out,  # IN/OUT int64[n_words]: += number of documents containing each word
):
    """Add to ``out`` how many documents contain each word.

    ``last[w]`` holds the last document that counted ``w``, so memory is one
    int64 per word, whatever the corpus size.
    """
    last = np.full(out.shape[0], -1, dtype=np.int64)
    for d in range(offsets.shape[0] - 1):
        for k in range(offsets[d], offsets[d + 1]):
            w = tokens[k]
            if last[w] != d:
                last[w] = d
                out[w] += 1
