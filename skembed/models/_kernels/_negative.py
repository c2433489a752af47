"""The negative-sampling update shared by skip-gram and CBOW kernels."""

import numpy as np

from skembed.models._kernels._clip import add_scaled
from skembed.models._kernels._momentum import heavy_ball
from skembed.models._kernels._sigmoid import log_sigmoid_lookup, sigmoid_lookup
from skembed.utils._jit import jit
from skembed.utils._random import sample_alias


@jit(inline="always")
def negative_sampling_update(
    h,  # IN     float32[dim]: the input representation (a word row or a context mean)
    syn1,  # IN/OUT float32[n_words, dim]: output (context) weights
    target,  # IN     int: the word to predict
    negative,  # IN     int: noise words per positive example
    lr,  # IN     float: learning rate
    alias_prob,  # IN     float64[n_words]: noise alias table
    alias_index,  # IN     int32[n_words]
    state,  # IN/OUT uint64[1]: RNG state
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    grad_h,  # OUT    float32[dim]: lr-scaled gradient for h is ADDED here
    clip_value=None,  # IN     float or None: bound on each component of an update
    clip_norm=None,  # IN     float or None: bound on the L2 norm of an update
    momentum=0.0,  # IN     float: heavy-ball coefficient (with vel1 only)
    vel1=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn1's rows; None: plain SGD
):
    """Apply one positive and ``negative`` noise updates; return their loss.

    Loss is ``-log s(h.v_target) - sum log s(-h.v_noise)``; a noise draw equal
    to the target is skipped, as in word2vec.  With ``vel1`` (momentum), a
    row's step ``g h`` is first folded into its velocity,
    ``v = momentum v + g h``, and the row moves by ``v`` (clipping is not
    combined with momentum); None compiles this away.  Inlined into its
    callers at numba's IR level, as :func:`negative_sampling_update_scored`.
    """
    dim = h.shape[0]
    loss = 0.0
    for d in range(negative + 1):
        if d == 0:
            word = target
            label = np.float32(1.0)
        else:
            word = sample_alias(state, alias_prob, alias_index)
            if word == target:
                continue
            label = np.float32(0.0)
        f = np.float32(0.0)
        for k in range(dim):
            f += h[k] * syn1[word, k]
        if d == 0:
            loss -= log_sigmoid_lookup(f, log_sig_table)
        else:
            loss -= log_sigmoid_lookup(-f, log_sig_table)
        g = (label - sigmoid_lookup(f, sig_table)) * np.float32(lr)
        for k in range(dim):
            grad_h[k] += g * syn1[word, k]
        if vel1 is not None:  # momentum: heavy ball on the row touched
            heavy_ball(syn1, vel1, word, g, h, momentum)
        elif clip_value is not None or clip_norm is not None:
            add_scaled(syn1, word, g, h, clip_value, clip_norm)
        else:  # the hot path stays a plain loop: a call here costs half the speed
            for k in range(dim):
                syn1[word, k] += g * h[k]
    return loss


@jit(inline="always")
def negative_sampling_update_scored(
    h,  # IN     float32[dim]: the input representation
    syn1,  # IN/OUT float32[n_words, dim]: output weights
    target,  # IN     int: the word to predict
    negative,  # IN     int: noise words per positive example
    lr,  # IN     float: learning rate
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    state,  # IN/OUT uint64[1]: RNG state
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    grad_h,  # OUT    float32[dim]: lr-scaled gradient for h is ADDED here
    words,  # SCRATCH int64[negative + 1]
    scores,  # SCRATCH float32[negative + 1]
    hot=None,  # IN/OUT float32[n_hot, dim] or None: this thread's copy of syn1[:n_hot]
):
    """:func:`negative_sampling_update` (plain SGD), scoring every word before any row moves.

    The draws come first and every dot product after them, so the ``negative
    + 1`` products are independent of each other; then each word's step is
    taken in the same order as the one-by-one update.  ``h`` does not change
    inside the update, and a word's row changes only at its own step, so a
    score differs from the one-by-one update's only for a noise word drawn
    twice, whose later occurrences are scored again: the result is the same.

    Inlined into its callers at numba's IR level (``inline="always"``): LLVM
    kept it a call, which passes each array as several scalars, once per pair;
    inlined, the same vectors came 7-8% faster for skip-gram on one thread and
    (with :func:`~._cbow.cbow_example_plain` inlined too) 37% faster for CBOW
    (KJV, interleaved runs).  A caller should have a single call site of it, as
    each site is a copy: two in skip-gram's chunk made two threads 7% slower.
    """
    dim = h.shape[0]
    n_hot = 0 if hot is None else hot.shape[0]
    n = 0
    for d in range(negative + 1):
        if d == 0:
            word = target
        else:
            word = sample_alias(state, alias_prob, alias_index)
            if word == target:
                continue
        words[n] = word
        n += 1
    for j in range(n):
        word = words[j]
        rows = syn1 if hot is None or word >= n_hot else hot
        f = np.float32(0.0)
        for k in range(dim):
            f += h[k] * rows[word, k]
        scores[j] = f
    loss = 0.0
    for j in range(n):
        word = words[j]
        rows = syn1 if hot is None or word >= n_hot else hot
        f = scores[j]
        for q in range(1, j):  # a noise word drawn twice: its row has moved since
            if words[q] == word:
                f = np.float32(0.0)
                for k in range(dim):
                    f += h[k] * rows[word, k]
                break
        sig = sigmoid_lookup(f, sig_table)
        if j == 0:
            loss -= log_sigmoid_lookup(f, log_sig_table)
            g = (np.float32(1.0) - sig) * np.float32(lr)
        else:
            loss -= log_sigmoid_lookup(-f, log_sig_table)
            g = -sig * np.float32(lr)
        for k in range(dim):
            r = rows[word, k]
            grad_h[k] += g * r
            rows[word, k] = r + g * h[k]
    return loss
