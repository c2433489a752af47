"""Pool word vectors into one vector per document."""

import numpy as np
from numba import prange

from skembed.utils._jit import jit

MEAN, SUM, MAX, WEIGHTED_MEAN = 0, 1, 2, 3


@jit(parallel=True)
def pool_documents(
    vectors,  # IN  float32[n_words, dim]
    tokens,  # IN  int32[n_tokens]: word ids (unknown words already dropped)
    offsets,  # IN  int64[n_documents + 1]
    weights,  # IN  float32[n_words]: per-word weight (WEIGHTED_MEAN only)
    mode,  # IN  int: MEAN, SUM, MAX or WEIGHTED_MEAN
    out,  # OUT float32[n_documents, dim], zero-filled by the caller
):
    """Fill ``out`` with each document's pooled vector; empty documents stay zero."""
    dim = vectors.shape[1]
    for d in prange(offsets.shape[0] - 1):
        lo = offsets[d]
        hi = offsets[d + 1]
        if hi == lo:
            continue
        if mode == MAX:
            for k in range(dim):
                out[d, k] = vectors[tokens[lo], k]
            for p in range(lo + 1, hi):
                w = tokens[p]
                for k in range(dim):
                    if vectors[w, k] > out[d, k]:
                        out[d, k] = vectors[w, k]
            continue
        total = 0.0
        acc = np.zeros(dim, dtype=np.float64)
        for p in range(lo, hi):
            w = tokens[p]
            weight = weights[w] if mode == WEIGHTED_MEAN else 1.0
            total += weight
            for k in range(dim):
                acc[k] += weight * vectors[w, k]
        scale = 1.0 if mode == SUM else (1.0 / total if total > 0 else 0.0)
        for k in range(dim):
            out[d, k] = acc[k] * scale
