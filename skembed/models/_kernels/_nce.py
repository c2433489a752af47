"""The noise-contrastive estimation (NCE) update shared by skip-gram and CBOW kernels.

NCE (Gutmann and Hyvärinen 2010; Mnih and Teh 2012) trains a binary classifier
to tell the data word from ``k`` words drawn from the noise distribution ``q``,
with the posterior ``P(data | w) = s(h.v_w - log(k q(w)))``: the score is an
unnormalised log-probability, and the ``log(k q(w))`` correction makes its
optimum the true conditional log-probability (self-normalised).  Negative
sampling drops the correction (its optimum is a shifted PMI), which is the
difference this module exists for.
"""

import numpy as np

from skembed.models._kernels._clip import add_scaled
from skembed.utils._jit import jit
from skembed.utils._random import sample_alias

__all__ = ["log_noise_scale", "nce_update"]


def log_noise_scale(counts, exponent, negative):
    """Return ``log(k q(w))`` per word (float32), ``q`` the unigram^exponent noise distribution.

    Words of count 0 (never drawn as noise, never a data word of the corpus)
    get the log of the smallest positive weight, so the array stays finite.

    Examples
    --------
    >>> import numpy as np
    >>> log_kq = log_noise_scale(np.array([3, 1]), 1.0, 4)
    >>> np.round(np.exp(log_kq), 3).tolist()
    [3.0, 1.0]
    """
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    finite = np.isfinite(weights) & (weights > 0)
    floor = weights[finite].min() if finite.any() else 1.0
    weights = np.where(finite, weights, floor)
    q = weights / weights.sum()
    return np.log(negative * q).astype(np.float32)


@jit
def _log_sigmoid(x):
    # log s(x) without overflow for either sign
    if x >= 0:
        return -np.log1p(np.exp(-x))
    return x - np.log1p(np.exp(x))


@jit
def nce_update(
    h,  # IN     float32[dim]: the input representation (a word row or a context mean)
    syn1,  # IN/OUT float32[n_words, dim]: output (context) weights
    target,  # IN     int: the data word
    negative,  # IN     int: noise words k per data word
    lr,  # IN     float: learning rate
    alias_prob,  # IN     float64[n_words]: noise alias table
    alias_index,  # IN     int32[n_words]
    log_kq,  # IN     float32[n_words]: log(k q(w)), see log_noise_scale
    state,  # IN/OUT uint64[1]: RNG state
    grad_h,  # OUT    float32[dim]: lr-scaled gradient for h is ADDED here
    clip_value=None,  # IN     float or None: bound on each component of an update
    clip_norm=None,  # IN     float or None: bound on the L2 norm of an update
):
    """Apply the NCE updates of one data word and ``negative`` noise words; return their loss.

    With ``s(w) = h.v_w - log(k q(w))`` the loss is
    ``-log s(s(target)) - sum_noise log s(-s(noise))``.  Unlike negative
    sampling, a noise draw equal to the target is kept: it is a sample of
    ``q`` like any other.  The sigmoid is computed exactly (the score is
    shifted by the correction, outside the range a table would be built for).
    """
    dim = h.shape[0]
    loss = 0.0
    for d in range(negative + 1):
        if d == 0:
            word = target
        else:
            word = sample_alias(state, alias_prob, alias_index)
        f = np.float32(0.0)
        for k in range(dim):
            f += h[k] * syn1[word, k]
        s = np.float64(f) - np.float64(log_kq[word])
        p = 1.0 / (1.0 + np.exp(-s))  # P(data | word)
        if d == 0:
            loss -= _log_sigmoid(s)
            g = np.float32((1.0 - p) * lr)
        else:
            loss -= _log_sigmoid(-s)
            g = np.float32(-p * lr)
        for k in range(dim):
            grad_h[k] += g * syn1[word, k]
        if clip_value is not None or clip_norm is not None:
            add_scaled(syn1, word, g, h, clip_value, clip_norm)
        else:
            for k in range(dim):
                syn1[word, k] += g * h[k]
    return loss
