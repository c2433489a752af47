"""Held-out skip-gram negative-sampling log-likelihood: the protocol behind ``score``.

The serial and ``parallel=True`` variants are separate functions because numba's on-disk
cache cannot tell two compilations of one function apart; ``n_jobs`` None or 1 runs the
serial one, which never starts numba's thread pool (fork safety).
"""

import numpy as np
from numba import prange

from skembed.utils._jit import jit
from skembed.utils._random import sample_alias


@jit
def _log_sigmoid(x):
    # exact and stable: log s(x) = -log(1 + exp(-x))
    if x >= 0:
        return -np.log1p(np.exp(-x))
    return x - np.log1p(np.exp(x))


@jit
def _dot(a, b):
    s = 0.0
    for k in range(a.shape[0]):
        s += np.float64(a[k]) * np.float64(b[k])
    return s


@jit
def _score_document(
    tokens, offsets, syn0, syn1, alias_prob, alias_index, window, negative, seeds, penalty,
    ll_out, pairs_out, d,
):  # fmt: skip
    lo = offsets[d]
    hi = offsets[d + 1]
    state = np.empty(1, dtype=np.uint64)
    state[0] = seeds[d]
    total = 0.0
    n = 0
    for i in range(lo, hi):
        centre = tokens[i]
        for j in range(max(lo, i - window), min(hi, i + window + 1)):
            if j == i:
                continue
            n += 1
            context = tokens[j]
            if centre < 0 or context < 0:
                total += penalty
                continue
            total += _log_sigmoid(_dot(syn0[context], syn1[centre]))
            for _ in range(negative):
                noise = sample_alias(state, alias_prob, alias_index)
                total += _log_sigmoid(-_dot(syn0[context], syn1[noise]))
    ll_out[d] = total
    pairs_out[d] = n


@jit
def sgns_log_likelihood(
    tokens,  # IN  int32[n_tokens]: word ids, -1 for words outside the vocabulary
    offsets,  # IN  int64[n_documents + 1]
    syn0,  # IN  float32[n_words, dim]: input (word) vectors
    syn1,  # IN  float32[n_words, dim]: output (context) vectors
    alias_prob,  # IN  float64[n_words]: noise distribution
    alias_index,  # IN  int32[n_words]
    window,  # IN  int: fixed (not shrunk) window
    negative,  # IN  int: noise words per pair
    seeds,  # IN  uint64[n_documents]: one RNG state per document
    penalty,  # IN  float: log-likelihood given to a pair with an unseen word
    ll_out,  # OUT float64[n_documents]
    pairs_out,  # OUT int64[n_documents]
):
    """Sum log s(u_o.v_c) + sum_k log s(-u_o.v_k) over each document's (centre, context) pairs."""
    for d in range(offsets.shape[0] - 1):
        _score_document(
            tokens, offsets, syn0, syn1, alias_prob, alias_index, window, negative, seeds,
            penalty, ll_out, pairs_out, d,
        )  # fmt: skip


@jit(parallel=True)
def sgns_log_likelihood_parallel(
    tokens, offsets, syn0, syn1, alias_prob, alias_index, window, negative, seeds, penalty,
    ll_out, pairs_out,
):  # fmt: skip
    """Multi-threaded :func:`sgns_log_likelihood`; each document has its own RNG state, so
    the result is bit-identical."""
    for d in prange(offsets.shape[0] - 1):
        _score_document(
            tokens, offsets, syn0, syn1, alias_prob, alias_index, window, negative, seeds,
            penalty, ll_out, pairs_out, d,
        )  # fmt: skip
