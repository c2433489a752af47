"""Skip-gram (negative sampling and/or hierarchical softmax): one call trains a range of chunks.

Call shape shared by skembed's training kernels: a chunk is a run of
segments (documents, or pieces of at most 10,000 tokens of a long one); each
chunk has its own learning rate and RNG state, and writes its loss sum and
example count to per-chunk output buffers, so the driver can apply any
schedule and report any progress without changing the kernel.

``skipgram_serial`` and ``skipgram_parallel`` train negative sampling when
``negative > 0`` and hierarchical softmax when ``hs`` is true (both objectives
when both are asked, as word2vec and gensim).
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
from skembed.utils._jit import jit
from skembed.utils._random import randbelow, uniform


@jit
def subsample_segment(tokens, start, stop, keep_prob, state, buf):
    """Copy the kept tokens of ``tokens[start:stop]`` into ``buf``; return how many.

    A word is kept with probability ``keep_prob[word]`` (1 or more: always).
    """
    m = 0
    for p in range(start, stop):
        w = tokens[p]
        kp = keep_prob[w]
        if kp < 1.0 and uniform(state) >= kp:
            continue
        buf[m] = w
        m += 1
    return m


# Output rows each thread of a parallel kernel trains in its own copy.  Every example
# writes the rows of its target and noise words, drawn from the whole vocabulary, and on
# KJV (5k words) two threads writing them at once ran at the speed of one (1.1M words/s;
# 2.2M with a private output matrix each; a private input matrix changed nothing).  So a
# thread copies the rows of the most frequent words (ids below n_hot: vocabularies are
# sorted by frequency), on a small vocabulary all of them, trains there, and every
# HOT_SYNC_TOKENS centre words adds what it changed to the shared rows and copies them
# afresh.  A fold touches every copied row, so n_hot is bounded by HOT_BYTES (copy and
# base): a fold then costs a few percent of the words between two folds.
HOT_BYTES = 4 * 2**20
# Centre words between two folds of a thread's copy of the frequent words' output rows
HOT_SYNC_TOKENS = 4096


def hot_rows(n_words, dim):
    """How many output rows each thread of a parallel kernel trains in its own copy."""
    return int(min(n_words, max(HOT_BYTES // (8 * max(int(dim), 1)), 1)))


@jit
def skipgram_chunk(
    tokens,  # IN     int32[n_tokens]
    seg_offsets,  # IN     int64[n_segments + 1]
    seg_lo,  # IN     first segment of the chunk
    seg_hi,  # IN     one past its last segment
    syn0,  # IN/OUT float32[n_words, dim]: word (input) vectors
    syn1,  # IN/OUT float32[n_words, dim]: negative-sampling output vectors
    keep_prob,  # IN     float32[n_words]: subsampling keep probability
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int: maximum window
    negative,  # IN     int: noise words per pair; 0 skips negative sampling
    hs,  # IN     bool: train hierarchical softmax too
    syn1_hs,  # IN/OUT float32[n_words - 1, dim]: inner-node vectors (hs only)
    codes,  # IN     uint8[n_steps]: Huffman branches, CSR (hs only)
    points,  # IN     int32[n_steps]: Huffman inner nodes, CSR (hs only)
    code_indptr,  # IN     int64[n_words + 1] (hs only)
    lr,  # IN     float: learning rate of this chunk
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    buf,  # SCRATCH int32[max segment length]
    grad,  # SCRATCH float32[dim]
    clip_value=None,  # IN     float or None: bound on each component of an update
    clip_norm=None,  # IN     float or None: bound on the L2 norm of an update
    lock=None,  # IN     float32[n_words] or None: learning-rate factor of each word row
    dropout=None,  # IN     float or None: probability of dropping each (centre, context) pair
    log_kq=None,  # IN     float32[n_words] or None: NCE's log(k q(w)); None: negative sampling
    momentum=0.0,  # IN     float: heavy-ball coefficient (with vel0 and vel1 only)
    vel0=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn0's rows; None: plain SGD
    vel1=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn1's rows
    hot=None,  # SCRATCH float32[n_hot, dim] or None: a private copy of syn1[:n_hot]
    hot_base=None,  # SCRATCH float32[n_hot, dim]: syn1[:n_hot] when the copy was taken
):
    """Train skip-gram on one chunk; return ``(loss_sum, n_pairs)``.

    As in word2vec, each centre word draws a window shrunk uniformly to
    ``1..window`` and each context word's input vector predicts the centre,
    through hierarchical softmax first, then negative sampling, both from the
    same (not yet updated) input vector.  With ``dropout``, each context word
    of the window is dropped with that probability (word dropout; a dropped
    pair trains nothing and is not counted); None compiles the draw away.
    With ``vel0`` (momentum, negative sampling only: the estimator refuses it
    with ``hs``, NCE or clipping), each row touched folds its step into its
    velocity, ``v = momentum v + step``, and moves by ``v``.

    With ``hot`` (several threads, plain SGD), the output rows of the
    ``n_hot`` most frequent words (ids below ``n_hot``: the vocabulary is
    sorted by frequency; on a small vocabulary, every word), which the
    threads would otherwise keep taking from each other's caches, are trained
    in a private copy.  Every ``HOT_SYNC_TOKENS`` centre words (after
    subsampling) and at the chunk's end, the copy's change is added to
    ``syn1`` and a fresh copy taken, so the threads stop fighting over those
    cache lines and still see each other's updates within a few thousand
    words.
    """
    dim = syn0.shape[1]
    loss = 0.0
    n_pairs = 0
    since_sync = 0
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
            centre = buf[i]
            for c in range(lo, hi):
                if c == i:
                    continue
                if dropout is not None and uniform(state) < dropout:
                    continue
                inp = buf[c]
                for k in range(dim):
                    grad[k] = 0.0
                if hs:
                    loss += hierarchical_softmax_update(
                        syn0[inp], syn1_hs, centre, codes, points, code_indptr, lr,
                        sig_table, log_sig_table, grad, clip_value, clip_norm,
                    )  # fmt: skip
                if negative > 0 and log_kq is not None:
                    loss += nce_update(
                        syn0[inp], syn1, centre, negative, lr, alias_prob, alias_index, log_kq,
                        state, grad, clip_value, clip_norm,
                    )  # fmt: skip
                elif negative > 0 and (
                    (hot is not None and hot.shape[0] > 0)
                    or (vel1 is None and clip_value is None and clip_norm is None)
                ):  # one call site: it is inlined
                    loss += negative_sampling_update_scored(
                        syn0[inp], syn1, centre, negative, lr, alias_prob, alias_index,
                        state, sig_table, log_sig_table, grad, words, scores, hot,
                    )  # fmt: skip
                elif negative > 0:
                    loss += negative_sampling_update(
                        syn0[inp], syn1, centre, negative, lr, alias_prob, alias_index, state,
                        sig_table, log_sig_table, grad, clip_value, clip_norm, momentum, vel1,
                    )  # fmt: skip
                if vel0 is not None:  # momentum
                    factor = np.float32(1.0) if lock is None else lock[inp]
                    heavy_ball(syn0, vel0, inp, factor, grad, momentum)
                elif clip_value is not None or clip_norm is not None:
                    if lock is not None:
                        add_scaled(syn0, inp, lock[inp], grad, clip_value, clip_norm)
                    else:
                        add_scaled(syn0, inp, 1.0, grad, clip_value, clip_norm)
                elif lock is not None:  # fine-tuning: pre-trained rows move slower
                    factor = lock[inp]
                    for k in range(dim):
                        syn0[inp, k] += factor * grad[k]
                else:
                    for k in range(dim):
                        syn0[inp, k] += grad[k]
                n_pairs += 1
    if hot is not None:
        fold_hot_copy(syn1, hot, hot_base)
    return loss, n_pairs


@jit
def take_hot_copy(syn1, hot, hot_base):
    """Copy ``syn1[:n_hot]`` into ``hot`` and ``hot_base``."""
    for r in range(hot.shape[0]):
        for k in range(hot.shape[1]):
            hot[r, k] = syn1[r, k]
            hot_base[r, k] = syn1[r, k]


@jit
def tick_hot_copy(syn1, hot, hot_base, since_sync, every):
    """Count one centre word; every ``every`` words, fold the copy back and take a fresh one.

    Returns the new count.  ``every`` is an argument, not the module constant read
    here, so that a pure-Python caller (the kernel tests) can shorten it.
    """
    since_sync += 1
    if since_sync < every:
        return since_sync
    fold_hot_copy(syn1, hot, hot_base)
    take_hot_copy(syn1, hot, hot_base)
    return 0


@jit
def fold_hot_copy(syn1, hot, hot_base):
    """Add what this thread changed in its copy, ``hot - hot_base``, to ``syn1[:n_hot]``."""
    for r in range(hot.shape[0]):
        for k in range(hot.shape[1]):
            syn1[r, k] += hot[r, k] - hot_base[r, k]


@jit
def skipgram_serial(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
    alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points, code_indptr,
    lrs, seeds, sig_table, log_sig_table, max_seg, loss_out, count_out, clip_value=None,
    clip_norm=None, lock=None, dropout=None, log_kq=None, momentum=0.0, vel0=None, vel1=None,
    n_hot=0,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` in order, on one thread (reproducible).

    Arguments are those of :func:`skipgram_chunk`, per chunk where it takes
    one value: ``chunk_segs`` (int64[n_chunks + 1]) delimits the chunks,
    ``lrs`` (float32[n_chunks]) and ``seeds`` (uint64[n_chunks]) give each
    chunk its rate and RNG state, ``max_seg`` sizes the scratch buffer, and
    ``loss_out`` (float64[n_chunks]) and ``count_out`` (int64[n_chunks]) are
    OUT.  ``n_hot`` is the parallel kernel's; one thread has no one to share
    rows with, so it is ignored here.
    """
    buf = np.empty(max_seg, dtype=np.int32)
    grad = np.empty(syn0.shape[1], dtype=np.float32)
    state = np.empty(1, dtype=np.uint64)
    for c in range(chunk_lo, chunk_hi):
        state[0] = seeds[c]
        loss, n = skipgram_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points,
            code_indptr, lrs[c], state, sig_table, log_sig_table, buf, grad, clip_value,
            clip_norm, lock, dropout, log_kq, momentum, vel0, vel1,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True)
def skipgram_parallel(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
    alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points, code_indptr,
    lrs, seeds, sig_table, log_sig_table, max_seg, loss_out, count_out, clip_value=None,
    clip_norm=None, lock=None, dropout=None, log_kq=None, momentum=0.0, vel0=None, vel1=None,
    n_hot=0,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` on all numba threads, lock-free (Hogwild).

    Arguments as :func:`skipgram_serial`; ``n_hot`` > 0 (plain SGD only)
    trains the output rows of the ``n_hot`` most frequent words in a copy per
    thread (see :func:`skipgram_chunk`).
    """
    for c in prange(chunk_lo, chunk_hi):
        buf = np.empty(max_seg, dtype=np.int32)
        grad = np.empty(syn0.shape[1], dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[c]
        hot = np.empty((n_hot, syn1.shape[1]), dtype=np.float32)
        hot_base = np.empty((n_hot, syn1.shape[1]), dtype=np.float32)
        loss, n = skipgram_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points,
            code_indptr, lrs[c], state, sig_table, log_sig_table, buf, grad, clip_value,
            clip_norm, lock, dropout, log_kq, momentum, vel0, vel1, hot, hot_base,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n
