"""CBOW (negative sampling and/or hierarchical softmax): one call trains a range of chunks.

Same call shape as :mod:`._sgns`: a chunk is a run of segments with its own
learning rate and RNG state, and writes its loss sum and example count to
per-chunk output buffers.

Each centre word draws a window shrunk uniformly to ``1..window`` (the same
draw as skip-gram), and the words around it, the centre excluded, are pooled
into ``h``: their mean (``cbow_mean``, word2vec's only mode) or their sum.
``h`` predicts the centre through hierarchical softmax first, then negative
sampling, and the gradient for ``h`` is then applied to every context word.
word2vec C and gensim add the full gradient of ``h`` to each context word,
which is ``n_context`` times the gradient of the mean; ``cbow_correction``
divides it by ``n_context``, the exact gradient (Irsoy, Benton and Stratos
2021, "Corrected CBOW Performs as well as Skip-gram").  For a sum the full
gradient is already exact, so the correction changes nothing there.
"""

import numpy as np
from numba import prange

from skembed.models._kernels._clip import add_scaled
from skembed.models._kernels._hsoftmax import hierarchical_softmax_update
from skembed.models._kernels._momentum import heavy_ball
from skembed.models._kernels._nce import nce_update
from skembed.models._kernels._negative import (
    negative_sampling_update,
    negative_sampling_update_scored,
)
from skembed.models._kernels._sgns import (
    fold_hot_copy,
    subsample_segment,
    take_hot_copy,
    tick_hot_copy,
)
from skembed.utils._jit import jit
from skembed.utils._random import randbelow, uniform

# Centre words between two folds of a thread's copy of the output rows.  A CBOW example
# trains one (target + noise) set of output rows where a skip-gram centre word trains one
# per context word, so CBOW folds four times less often than skip-gram's 4096 for about the
# same number of row updates between folds (KJV, two threads: 5.1M words/s against 4.4M).
HOT_SYNC_TOKENS = 16384


@jit
def cbow_example(
    buf,  # IN     int32[m]: the kept tokens of the segment
    lo,  # IN     first position of the window
    hi,  # IN     one past its last position
    i,  # IN     position of the centre word (lo <= i < hi)
    syn0,  # IN/OUT float32[n_words, dim]: word (input) vectors
    syn1,  # IN/OUT float32[n_words, dim]: negative-sampling output vectors
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    negative,  # IN     int: noise words per example; 0 skips negative sampling
    cbow_mean,  # IN     bool: pool the context by its mean (else its sum)
    cbow_correction,  # IN     bool: divide the mean's gradient by the context size
    hs,  # IN     bool: train hierarchical softmax too
    syn1_hs,  # IN/OUT float32[n_words - 1, dim]: inner-node vectors (hs only)
    codes,  # IN     uint8[n_steps]: Huffman branches, CSR (hs only)
    points,  # IN     int32[n_steps]: Huffman inner nodes, CSR (hs only)
    code_indptr,  # IN     int64[n_words + 1] (hs only)
    lr,  # IN     float: learning rate
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    neu1,  # SCRATCH float32[dim]: the pooled context h
    grad,  # SCRATCH float32[dim]
    clip_value=None,  # IN     float or None: bound on each component of an update
    clip_norm=None,  # IN     float or None: bound on the L2 norm of an update
    lock=None,  # IN     float32[n_words] or None: learning-rate factor of each word row
    log_kq=None,  # IN     float32[n_words] or None: NCE's log(k q(w)); None: negative sampling
    momentum=0.0,  # IN     float: heavy-ball coefficient (with vel0 and vel1 only)
    vel0=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn0's rows; None: plain SGD
    vel1=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn1's rows
):
    """Predict ``buf[i]`` from ``buf[lo:hi]`` without position ``i``; return the loss.

    The window must hold at least one context word.
    """
    dim = syn0.shape[1]
    n_context = hi - lo - 1
    for k in range(dim):
        neu1[k] = 0.0
        grad[k] = 0.0
    for c in range(lo, hi):
        if c != i:
            w = buf[c]
            for k in range(dim):
                neu1[k] += syn0[w, k]
    if cbow_mean:
        inv = np.float32(1.0) / np.float32(n_context)
        for k in range(dim):
            neu1[k] *= inv
    centre = buf[i]
    loss = 0.0
    if hs:
        loss += hierarchical_softmax_update(
            neu1, syn1_hs, centre, codes, points, code_indptr, lr, sig_table, log_sig_table,
            grad, clip_value, clip_norm,
        )  # fmt: skip
    if negative > 0 and log_kq is not None:
        loss += nce_update(
            neu1, syn1, centre, negative, lr, alias_prob, alias_index, log_kq, state, grad,
            clip_value, clip_norm,
        )  # fmt: skip
    elif negative > 0:
        loss += negative_sampling_update(
            neu1, syn1, centre, negative, lr, alias_prob, alias_index, state, sig_table,
            log_sig_table, grad, clip_value, clip_norm, momentum, vel1,
        )  # fmt: skip
    if cbow_mean and cbow_correction:
        inv = np.float32(1.0) / np.float32(n_context)
        for k in range(dim):
            grad[k] *= inv
    for c in range(lo, hi):
        if c != i:
            if vel0 is not None:  # momentum: each context row folds grad into its velocity
                w = buf[c]
                factor = np.float32(1.0) if lock is None else lock[w]
                heavy_ball(syn0, vel0, w, factor, grad, momentum)
            elif clip_value is not None or clip_norm is not None:
                if lock is not None:
                    add_scaled(syn0, buf[c], lock[buf[c]], grad, clip_value, clip_norm)
                else:
                    add_scaled(syn0, buf[c], 1.0, grad, clip_value, clip_norm)
            elif lock is not None:  # fine-tuning: pre-trained rows move slower
                w = buf[c]
                factor = lock[w]
                for k in range(dim):
                    syn0[w, k] += factor * grad[k]
            else:
                w = buf[c]
                for k in range(dim):
                    syn0[w, k] += grad[k]
    return loss


@jit(inline="always")
def cbow_example_plain(
    buf, lo, hi, i, syn0, syn1, alias_prob, alias_index, negative, cbow_mean, cbow_correction,
    lr, state, sig_table, log_sig_table, neu1, grad, words, scores, lock=None, hot=None,
):  # fmt: skip
    """:func:`cbow_example` for plain SGD with negative sampling only: the default settings.

    The same draws and arithmetic, with the noise words scored before any
    output row moves (:func:`~._negative.negative_sampling_update_scored`,
    whose ``words`` and ``scores`` are the scratch arrays here).  With ``hot``
    (several threads), the output rows below ``n_hot`` are read and trained
    in this thread's copy, which :func:`cbow_chunk` folds back into ``syn1``.
    A function of its own, repeating :func:`cbow_example`'s pooling: the extra
    arguments and branches in :func:`cbow_example` cost the one-thread kernel
    a fifth of its speed, and pooling through a helper both call cost it 9%
    (measured).  It is inlined into :func:`cbow_chunk` at numba's IR level
    (``inline="always"``), which a call per example had cost a quarter of the
    one-thread kernel's time.
    """
    dim = syn0.shape[1]
    n_context = hi - lo - 1
    for k in range(dim):
        neu1[k] = 0.0
        grad[k] = 0.0
    for c in range(lo, hi):
        if c != i:
            w = buf[c]
            for k in range(dim):
                neu1[k] += syn0[w, k]
    if cbow_mean:
        inv = np.float32(1.0) / np.float32(n_context)
        for k in range(dim):
            neu1[k] *= inv
    loss = negative_sampling_update_scored(
        neu1, syn1, buf[i], negative, lr, alias_prob, alias_index, state, sig_table,
        log_sig_table, grad, words, scores, hot,
    )  # fmt: skip
    if cbow_mean and cbow_correction:
        inv = np.float32(1.0) / np.float32(n_context)
        for k in range(dim):
            grad[k] *= inv
    for c in range(lo, hi):
        if c != i:
            w = buf[c]
            if lock is None:
                for k in range(dim):
                    syn0[w, k] += grad[k]
            else:
                factor = lock[w]
                for k in range(dim):
                    syn0[w, k] += factor * grad[k]
    return loss


@jit
def cbow_chunk(
    tokens,  # IN     int32[n_tokens]
    seg_offsets,  # IN     int64[n_segments + 1]
    seg_lo,  # IN     first segment of the chunk
    seg_hi,  # IN     one past its last segment
    syn0,  # IN/OUT float32[n_words, dim]
    syn1,  # IN/OUT float32[n_words, dim]
    keep_prob,  # IN     float32[n_words]: subsampling keep probability
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int: maximum window
    negative,  # IN     int
    cbow_mean,  # IN     bool
    cbow_correction,  # IN     bool
    hs,  # IN     bool
    syn1_hs,  # IN/OUT float32[n_words - 1, dim]
    codes,  # IN     uint8[n_steps]
    points,  # IN     int32[n_steps]
    code_indptr,  # IN     int64[n_words + 1]
    lr,  # IN     float: learning rate of this chunk
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    buf,  # SCRATCH int32[max segment length]
    neu1,  # SCRATCH float32[dim]
    grad,  # SCRATCH float32[dim]
    clip_value=None,  # IN     float or None: bound on each component of an update
    clip_norm=None,  # IN     float or None: bound on the L2 norm of an update
    lock=None,  # IN     float32[n_words] or None: learning-rate factor of each word row
    dropout=None,  # IN     float or None: probability of dropping each context word
    ctx=None,  # SCRATCH int32[2 * window + 1] (dropout only)
    log_kq=None,  # IN     float32[n_words] or None: NCE's log(k q(w)); None: negative sampling
    momentum=0.0,  # IN     float: heavy-ball coefficient (see cbow_example)
    vel0=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn0's rows
    vel1=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn1's rows
    hot=None,  # SCRATCH float32[n_hot, dim] or None: a private copy of syn1[:n_hot]
    hot_base=None,  # SCRATCH float32[n_hot, dim]: syn1[:n_hot] when the copy was taken
):
    """Train CBOW on one chunk; return ``(loss_sum, n_examples)``.

    An example is a centre word with a non-empty context (a segment of one
    kept word gives none, as in word2vec).  With ``dropout``, each context
    word is dropped with that probability before pooling (word dropout): the
    centre and the kept words go to ``ctx`` (centre first), and an example
    whose every context word is dropped trains nothing.  None compiles it away.

    With ``hot`` (several threads, plain SGD with negative sampling only), the
    output rows of the ``n_hot`` most frequent words, which the threads would
    otherwise keep taking from each other's caches, are trained in a private
    copy (:func:`cbow_example_plain`), folded back into ``syn1`` every
    ``HOT_SYNC_TOKENS`` (16384) centre words and at the chunk's end, as in
    :func:`~._sgns.skipgram_chunk`.
    """
    loss = 0.0
    n_examples = 0
    since_sync = 0
    # the default settings take cbow_example_plain (always so with hot)
    plain = (
        not hs and negative > 0 and log_kq is None and clip_value is None
        and clip_norm is None and vel0 is None
    )  # fmt: skip
    words = np.empty(negative + 1, dtype=np.int64)
    scores = np.empty(negative + 1, dtype=np.float32)
    if hot is not None:
        take_hot_copy(syn1, hot, hot_base)
    for s in range(seg_lo, seg_hi):
        m = subsample_segment(tokens, seg_offsets[s], seg_offsets[s + 1], keep_prob, state, buf)
        for i in range(m):
            if hot is not None:
                since_sync = tick_hot_copy(syn1, hot, hot_base, since_sync, HOT_SYNC_TOKENS)
            reach = window - randbelow(state, window)
            lo = max(0, i - reach)
            hi = min(m, i + reach + 1)
            if hi - lo < 2:
                continue
            if dropout is not None:
                ctx[0] = buf[i]
                n = 1
                for c in range(lo, hi):
                    if c != i and uniform(state) >= dropout:
                        ctx[n] = buf[c]
                        n += 1
                if n < 2:
                    continue
                if plain or (hot is not None and hot.shape[0] > 0):
                    loss += cbow_example_plain(
                        ctx, 0, n, 0, syn0, syn1, alias_prob, alias_index, negative, cbow_mean,
                        cbow_correction, lr, state, sig_table, log_sig_table, neu1, grad, words,
                        scores, lock, hot,
                    )  # fmt: skip
                    n_examples += 1
                    continue
                loss += cbow_example(
                    ctx, 0, n, 0, syn0, syn1, alias_prob, alias_index, negative, cbow_mean,
                    cbow_correction, hs, syn1_hs, codes, points, code_indptr, lr, state,
                    sig_table, log_sig_table, neu1, grad, clip_value, clip_norm, lock, log_kq,
                    momentum, vel0, vel1,
                )  # fmt: skip
                n_examples += 1
                continue
            if plain or (hot is not None and hot.shape[0] > 0):
                loss += cbow_example_plain(
                    buf, lo, hi, i, syn0, syn1, alias_prob, alias_index, negative, cbow_mean,
                    cbow_correction, lr, state, sig_table, log_sig_table, neu1, grad, words,
                    scores, lock, hot,
                )  # fmt: skip
                n_examples += 1
                continue
            loss += cbow_example(
                buf, lo, hi, i, syn0, syn1, alias_prob, alias_index, negative, cbow_mean,
                cbow_correction, hs, syn1_hs, codes, points, code_indptr, lr, state,
                sig_table, log_sig_table, neu1, grad, clip_value, clip_norm, lock, log_kq,
                momentum, vel0, vel1,
            )  # fmt: skip
            n_examples += 1
    if hot is not None:
        fold_hot_copy(syn1, hot, hot_base)
    return loss, n_examples


@jit
def cbow_serial(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
    alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, hs, syn1_hs,
    codes, points, code_indptr, lrs, seeds, sig_table, log_sig_table, max_seg, loss_out,
    count_out, clip_value=None, clip_norm=None, lock=None, dropout=None, log_kq=None,
    momentum=0.0, vel0=None, vel1=None, n_hot=0,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` in order, on one thread (reproducible).

    Arguments are those of :func:`cbow_chunk`, per chunk where it takes one
    value: ``chunk_segs`` (int64[n_chunks + 1]) delimits the chunks, ``lrs``
    (float32[n_chunks]) and ``seeds`` (uint64[n_chunks]) give each chunk its
    rate and RNG state, ``max_seg`` sizes the scratch buffer, and ``loss_out``
    (float64[n_chunks]) and ``count_out`` (int64[n_chunks]) are OUT.
    ``n_hot`` is the parallel kernel's; one thread shares its rows with no
    one, so it is ignored here.
    """
    buf = np.empty(max_seg, dtype=np.int32)
    ctx = np.empty(2 * window + 1, dtype=np.int32)
    neu1 = np.empty(syn0.shape[1], dtype=np.float32)
    grad = np.empty(syn0.shape[1], dtype=np.float32)
    state = np.empty(1, dtype=np.uint64)
    for c in range(chunk_lo, chunk_hi):
        state[0] = seeds[c]
        loss, n = cbow_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, hs,
            syn1_hs, codes, points, code_indptr, lrs[c], state, sig_table, log_sig_table,
            buf, neu1, grad, clip_value, clip_norm, lock, dropout, ctx, log_kq, momentum, vel0,
            vel1,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True)
def cbow_parallel(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
    alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, hs, syn1_hs,
    codes, points, code_indptr, lrs, seeds, sig_table, log_sig_table, max_seg, loss_out,
    count_out, clip_value=None, clip_norm=None, lock=None, dropout=None, log_kq=None,
    momentum=0.0, vel0=None, vel1=None, n_hot=0,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` on all numba threads, lock-free (Hogwild).

    Arguments as :func:`cbow_serial`; ``n_hot`` > 0 (plain SGD with negative
    sampling only) trains the output rows of the ``n_hot`` most frequent
    words in a copy per thread (see :func:`cbow_chunk`).
    """
    for c in prange(chunk_lo, chunk_hi):
        buf = np.empty(max_seg, dtype=np.int32)
        ctx = np.empty(2 * window + 1, dtype=np.int32)
        neu1 = np.empty(syn0.shape[1], dtype=np.float32)
        grad = np.empty(syn0.shape[1], dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[c]
        if n_hot > 0:
            hot = np.empty((n_hot, syn1.shape[1]), dtype=np.float32)
            hot_base = np.empty((n_hot, syn1.shape[1]), dtype=np.float32)
            loss, n = cbow_chunk(
                tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
                alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, hs,
                syn1_hs, codes, points, code_indptr, lrs[c], state, sig_table, log_sig_table,
                buf, neu1, grad, clip_value, clip_norm, lock, dropout, ctx, log_kq, momentum,
                vel0, vel1, hot, hot_base,
            )  # fmt: skip
        else:
            loss, n = cbow_chunk(
                tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
                alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, hs,
                syn1_hs, codes, points, code_indptr, lrs[c], state, sig_table, log_sig_table,
                buf, neu1, grad, clip_value, clip_norm, lock, dropout, ctx, log_kq, momentum,
                vel0, vel1,
            )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n
