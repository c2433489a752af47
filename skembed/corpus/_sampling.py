"""Sampling tables derived from word counts: subsampling and the noise distribution.

Shared by every negative-sampling model and by ``score``.
"""

import numpy as np

from skembed.utils._random import build_alias

__all__ = ["keep_probabilities", "noise_table"]


def keep_probabilities(counts, sample):
    """Return word2vec's subsampling keep probability of each word (float32).

    ``p = (sqrt(c / (s * T)) + 1) * (s * T) / c`` for a word seen ``c`` times
    among ``T`` tokens, as word2vec's C tool and gensim compute it; values of
    1 or more mean "always keep".  ``sample=0`` keeps everything.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones(len(counts), dtype=np.float32)
    threshold = sample * counts.sum()
    return ((np.sqrt(counts / threshold) + 1.0) * threshold / counts).astype(np.float32)


def noise_table(counts, exponent):
    """Return the alias table ``(prob, index)`` of the unigram^exponent noise distribution."""
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    prob = np.empty(len(weights), dtype=np.float64)
    index = np.empty(len(weights), dtype=np.int32)
    build_alias(weights, prob, index)
    return prob, index
