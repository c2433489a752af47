"""Mini-batched negative sampling (HogBatch): skip-gram and CBOW with shared noise words.

The per-pair kernels (:mod:`._sgns`, :mod:`._cbow`) draw ``negative`` noise
words for every training example and update an output row after every dot
product, so one centre word of skip-gram touches ``2 * reach * (negative + 1)``
output rows one after another.  Here a group of examples shares one draw of
noise words, as in Ji et al. 2016 ("Parallelizing Word2Vec in Shared and
Distributed Memory", the HogBatch scheme of pWord2Vec):

- skip-gram: the input rows of a centre word's context words (after dropout)
  form the batch; each predicts the centre word against the same ``negative``
  noise words;
- CBOW: the pooled contexts of ``batch`` centre words (within one chunk) form
  the batch; each predicts its own centre word against the same noise words.
  The centre words of a batch are taken ``ceil(m / batch)`` positions apart in
  a segment of ``m`` kept words (:func:`strided_position`), not consecutively.

The scores of the batch against its targets are one small matrix product
``H @ Y.T``; every output row and every input row is then updated once, from
the values it had before the batch (a mini-batch gradient step), where the
per-pair kernels apply each pair's update before the next pair reads the rows.
A noise word equal to an example's own target is skipped for that example, as
word2vec skips it.  Fewer random draws and fewer writes to the frequent output
rows (noise words are frequent words) are where the time goes; fewer writes to
the same rows also means less cache-line traffic between threads.

What sharing costs: each example still meets ``negative`` noise words drawn
from the noise distribution, so the expected step equals the per-pair
kernels'; what changes is that the examples of a batch meet the *same* ones.
Measured on the KJV Bible (5 epochs, several seeds), drawing noise words per
example while keeping the mini-batch update recovers the per-pair kernels'
similarity scores, so the loss comes from the shared draw and not from
updating from the values before the batch.  The shared draw hurts most when
the examples of a batch overlap: consecutive CBOW centre words pool almost the
same context words, so one draw of noise words pushed the same input rows
``batch`` times over; CBOW's batches are therefore spread across the segment,
which brought its WordSim-353 score back to the per-pair kernel's within seed
noise.  Skip-gram's batch is one window by construction (its rows share the
centre word's output row, the point of the scheme) and keeps a gap at
word2vec's learning rate 0.025, which closed at 0.1 (a rate that suited both
kernels better on that corpus).

Call shape as in :mod:`._sgns`: one call trains a range of chunks, each with
its own learning rate and RNG state, and writes its loss sum and example count.
Only negative sampling is batched: hierarchical softmax, NCE and clipped
updates stay with the per-pair kernels (the estimator chooses).
"""

import numpy as np
from numba import prange

from skembed.models._kernels._sgns import subsample_segment
from skembed.models._kernels._sigmoid import log_sigmoid_lookup, sigmoid_lookup
from skembed.utils._jit import jit
from skembed.utils._random import randbelow, sample_alias, uniform


@jit
def shared_negative_update(
    hidden,  # IN     float32[>= n_h, dim]: the batch's input representations
    n_h,  # IN     int: examples in the batch
    positives,  # IN     int32[>= n_h]: the word each example predicts
    noise,  # IN     int32[>= n_noise]: the shared noise words
    n_noise,  # IN     int
    syn1,  # IN/OUT float32[n_words, dim]: output weights
    lr,  # IN     float32: learning rate
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    g_pos,  # SCRATCH float32[>= n_h]
    g_noise,  # SCRATCH float32[>= n_h, >= n_noise]
    d_hidden,  # OUT    float32[>= n_h, dim]: lr-scaled gradient of each hidden row (set)
    acc,  # SCRATCH float32[dim]
):
    """Score the batch against its targets, update ``syn1`` once per row; return the loss.

    The loss of example ``b`` is ``-log s(h_b.v_pos) - sum_j log s(-h_b.v_noise_j)``
    over the noise words different from its positive; ``d_hidden`` and the
    output rows' updates are computed from the values before the batch.
    """
    dim = syn1.shape[1]
    loss = 0.0
    for b in range(n_h):
        p = positives[b]
        f = np.float32(0.0)
        for k in range(dim):
            f += hidden[b, k] * syn1[p, k]
        loss -= log_sigmoid_lookup(f, log_sig_table)
        g_pos[b] = (np.float32(1.0) - sigmoid_lookup(f, sig_table)) * lr
        for j in range(n_noise):
            t = noise[j]
            if t == p:
                g_noise[b, j] = 0.0
                continue
            f = np.float32(0.0)
            for k in range(dim):
                f += hidden[b, k] * syn1[t, k]
            loss -= log_sigmoid_lookup(-f, log_sig_table)
            g_noise[b, j] = -sigmoid_lookup(f, sig_table) * lr
    # gradients of the hidden rows, from the output rows before any is written
    for b in range(n_h):
        p = positives[b]
        g = g_pos[b]
        for k in range(dim):
            d_hidden[b, k] = g * syn1[p, k]
        for j in range(n_noise):
            g = g_noise[b, j]
            t = noise[j]
            for k in range(dim):
                d_hidden[b, k] += g * syn1[t, k]
    # each output row written once (a run of equal positives, each noise word): the sum
    # is gathered in acc, so a row that other threads also write is stored to once
    for k in range(dim):
        acc[k] = 0.0
    for b in range(n_h):
        p = positives[b]
        g = g_pos[b]
        for k in range(dim):
            acc[k] += g * hidden[b, k]
        if b + 1 == n_h or positives[b + 1] != p:
            for k in range(dim):
                syn1[p, k] += acc[k]
                acc[k] = 0.0
    for j in range(n_noise):
        t = noise[j]
        for b in range(n_h):
            g = g_noise[b, j]
            for k in range(dim):
                acc[k] += g * hidden[b, k]
        for k in range(dim):
            syn1[t, k] += acc[k]
            acc[k] = 0.0
    return loss


@jit
def _draw_noise(negative, alias_prob, alias_index, state, noise):
    """Draw ``negative`` noise words into ``noise``; return how many (all of them)."""
    for j in range(negative):
        noise[j] = sample_alias(state, alias_prob, alias_index)
    return negative


@jit
def skipgram_batched_chunk(
    tokens,  # IN     int32[n_tokens]
    seg_offsets,  # IN     int64[n_segments + 1]
    seg_lo,  # IN     first segment of the chunk
    seg_hi,  # IN     one past its last segment
    syn0,  # IN/OUT float32[n_words, dim]: word (input) vectors
    syn1,  # IN/OUT float32[n_words, dim]: output vectors
    keep_prob,  # IN     float32[n_words]
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int: maximum window
    negative,  # IN     int: shared noise words per centre word (> 0)
    lr,  # IN     float: learning rate of this chunk
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    buf,  # SCRATCH int32[max segment length]
    ctx,  # SCRATCH int32[2 * window]
    positives,  # SCRATCH int32[2 * window]
    noise,  # SCRATCH int32[negative]
    hidden,  # SCRATCH float32[2 * window, dim]
    d_hidden,  # SCRATCH float32[2 * window, dim]
    g_pos,  # SCRATCH float32[2 * window]
    g_noise,  # SCRATCH float32[2 * window, negative]
    acc,  # SCRATCH float32[dim]
    lock=None,  # IN     float32[n_words] or None: learning-rate factor of each word row
    dropout=None,  # IN     float or None: probability of dropping each (centre, context) pair
):
    """Train batched skip-gram on one chunk; return ``(loss_sum, n_pairs)``.

    Random draws per centre word, in order: its window (as word2vec), one
    dropout draw per context word when ``dropout`` is given, then the
    ``negative`` noise words, drawn only when a context word is left.
    """
    dim = syn0.shape[1]
    lr32 = np.float32(lr)
    loss = 0.0
    n_pairs = 0
    for s in range(seg_lo, seg_hi):
        m = subsample_segment(tokens, seg_offsets[s], seg_offsets[s + 1], keep_prob, state, buf)
        for i in range(m):
            reach = window - randbelow(state, window)
            lo = max(0, i - reach)
            hi = min(m, i + reach + 1)
            centre = buf[i]
            n_ctx = 0
            for c in range(lo, hi):
                if c == i:
                    continue
                if dropout is not None and uniform(state) < dropout:
                    continue
                w = buf[c]
                ctx[n_ctx] = w
                positives[n_ctx] = centre
                for k in range(dim):
                    hidden[n_ctx, k] = syn0[w, k]
                n_ctx += 1
            if n_ctx == 0:
                continue
            n_noise = _draw_noise(negative, alias_prob, alias_index, state, noise)
            loss += shared_negative_update(
                hidden, n_ctx, positives, noise, n_noise, syn1, lr32, sig_table, log_sig_table,
                g_pos, g_noise, d_hidden, acc,
            )  # fmt: skip
            for b in range(n_ctx):
                w = ctx[b]
                if lock is not None:  # fine-tuning: pre-trained rows move slower
                    factor = lock[w]
                    for k in range(dim):
                        syn0[w, k] += factor * d_hidden[b, k]
                else:
                    for k in range(dim):
                        syn0[w, k] += d_hidden[b, k]
            n_pairs += n_ctx
    return loss, n_pairs


@jit
def skipgram_batched_serial(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob, alias_prob,
    alias_index, window, negative, lrs, seeds, sig_table, log_sig_table, max_seg, loss_out,
    count_out, lock=None, dropout=None,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` in order, on one thread (reproducible).

    Arguments are those of :func:`skipgram_batched_chunk`, per chunk where it
    takes one value: ``chunk_segs`` (int64[n_chunks + 1]) delimits the chunks,
    ``lrs`` (float32[n_chunks]) and ``seeds`` (uint64[n_chunks]) give each
    chunk its rate and RNG state, ``max_seg`` sizes the scratch buffer, and
    ``loss_out`` (float64[n_chunks]) and ``count_out`` (int64[n_chunks]) are OUT.
    """
    dim = syn0.shape[1]
    width = max(min(2 * window, max_seg), 1)  # a window never holds more than a segment
    buf = np.empty(max_seg, dtype=np.int32)
    ctx = np.empty(width, dtype=np.int32)
    positives = np.empty(width, dtype=np.int32)
    noise = np.empty(max(negative, 1), dtype=np.int32)
    hidden = np.empty((width, dim), dtype=np.float32)
    d_hidden = np.empty((width, dim), dtype=np.float32)
    g_pos = np.empty(width, dtype=np.float32)
    g_noise = np.empty((width, max(negative, 1)), dtype=np.float32)
    acc = np.empty(dim, dtype=np.float32)
    state = np.empty(1, dtype=np.uint64)
    for c in range(chunk_lo, chunk_hi):
        state[0] = seeds[c]
        loss, n = skipgram_batched_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, lrs[c], state, sig_table, log_sig_table,
            buf, ctx, positives, noise, hidden, d_hidden, g_pos, g_noise, acc, lock, dropout,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True)
def skipgram_batched_parallel(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob, alias_prob,
    alias_index, window, negative, lrs, seeds, sig_table, log_sig_table, max_seg, loss_out,
    count_out, lock=None, dropout=None,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` on all numba threads, lock-free (Hogwild).

    Arguments as :func:`skipgram_batched_serial` (a separate function: numba's
    on-disk cache cannot tell a serial and a parallel compilation apart).
    """
    dim = syn0.shape[1]
    width = max(min(2 * window, max_seg), 1)  # a window never holds more than a segment
    for c in prange(chunk_lo, chunk_hi):
        buf = np.empty(max_seg, dtype=np.int32)
        ctx = np.empty(width, dtype=np.int32)
        positives = np.empty(width, dtype=np.int32)
        noise = np.empty(max(negative, 1), dtype=np.int32)
        hidden = np.empty((width, dim), dtype=np.float32)
        d_hidden = np.empty((width, dim), dtype=np.float32)
        g_pos = np.empty(width, dtype=np.float32)
        g_noise = np.empty((width, max(negative, 1)), dtype=np.float32)
        acc = np.empty(dim, dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[c]
        loss, n = skipgram_batched_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, lrs[c], state, sig_table, log_sig_table,
            buf, ctx, positives, noise, hidden, d_hidden, g_pos, g_noise, acc, lock, dropout,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit
def _flush_cbow(
    n_h, hidden, positives, ctx_words, ctx_indptr, syn0, syn1, negative, alias_prob,
    alias_index, state, lr, sig_table, log_sig_table, noise, g_pos, g_noise, d_hidden, acc,
    cbow_mean, cbow_correction, lock,
):  # fmt: skip
    """Train the ``n_h`` pooled contexts gathered so far; return their loss."""
    dim = syn0.shape[1]
    n_noise = _draw_noise(negative, alias_prob, alias_index, state, noise)
    loss = shared_negative_update(
        hidden, n_h, positives, noise, n_noise, syn1, lr, sig_table, log_sig_table, g_pos,
        g_noise, d_hidden, acc,
    )  # fmt: skip
    for b in range(n_h):
        lo = ctx_indptr[b]
        hi = ctx_indptr[b + 1]
        scale = np.float32(1.0)
        if cbow_mean and cbow_correction:
            scale = np.float32(1.0) / np.float32(hi - lo)
        for p in range(lo, hi):
            w = ctx_words[p]
            factor = scale
            if lock is not None:  # fine-tuning: pre-trained rows move slower
                factor = scale * lock[w]
            for k in range(dim):
                syn0[w, k] += factor * d_hidden[b, k]
    return loss


@jit
def strided_position(v, batch, stride):
    """Return the segment position read ``v``-th when ``batch`` lanes ``stride`` apart interleave.

    A segment of ``m`` kept words is read as ``batch`` lanes of ``stride =
    ceil(m / batch)`` positions each: position ``lane * stride + step`` is read
    ``step * batch + lane``-th, so consecutive centre words (which share one
    draw of noise words) lie ``stride`` positions apart.  Positions ``>= m``
    are skipped by the caller.
    """
    return (v % batch) * stride + v // batch


@jit
def cbow_batched_chunk(
    tokens,  # IN     int32[n_tokens]
    seg_offsets,  # IN     int64[n_segments + 1]
    seg_lo,  # IN     first segment of the chunk
    seg_hi,  # IN     one past its last segment
    syn0,  # IN/OUT float32[n_words, dim]
    syn1,  # IN/OUT float32[n_words, dim]
    keep_prob,  # IN     float32[n_words]
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int: maximum window
    negative,  # IN     int: shared noise words per batch (> 0)
    cbow_mean,  # IN     bool: pool by the mean (else the sum)
    cbow_correction,  # IN     bool: divide the mean's gradient by the context size
    batch,  # IN     int: centre words per batch (>= 1)
    lr,  # IN     float: learning rate of this chunk
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    buf,  # SCRATCH int32[max segment length]
    ctx_words,  # SCRATCH int32[batch * 2 * window]
    ctx_indptr,  # SCRATCH int64[batch + 1]
    positives,  # SCRATCH int32[batch]
    noise,  # SCRATCH int32[negative]
    hidden,  # SCRATCH float32[batch, dim]
    d_hidden,  # SCRATCH float32[batch, dim]
    g_pos,  # SCRATCH float32[batch]
    g_noise,  # SCRATCH float32[batch, negative]
    acc,  # SCRATCH float32[dim]
    lock=None,  # IN     float32[n_words] or None
    dropout=None,  # IN     float or None: probability of dropping each context word
):
    """Train batched CBOW on one chunk; return ``(loss_sum, n_examples)``.

    Each segment is read in the strided order of :func:`strided_position`
    (neighbouring centre words go to different batches), and centre words with
    a non-empty context (after dropout) are gathered in that order; every
    ``batch`` of them, and the last partial batch of the chunk, is trained
    against one draw of ``negative`` noise words.  Random draws: each centre
    word's window and dropout draws as it is read, a batch's noise words when
    it is trained.  The pooled contexts are computed
    when read, which equals computing them when the batch is trained: no input
    row changes in between.
    """
    dim = syn0.shape[1]
    lr32 = np.float32(lr)
    loss = 0.0
    n_examples = 0
    n_h = 0
    ctx_indptr[0] = 0
    for s in range(seg_lo, seg_hi):
        m = subsample_segment(tokens, seg_offsets[s], seg_offsets[s + 1], keep_prob, state, buf)
        stride = (m + batch - 1) // batch
        for v in range(stride * batch):
            i = strided_position(v, batch, stride)
            if i >= m:
                continue
            reach = window - randbelow(state, window)
            lo = max(0, i - reach)
            hi = min(m, i + reach + 1)
            if hi - lo < 2:
                continue
            start = ctx_indptr[n_h]
            n = 0
            for c in range(lo, hi):
                if c == i:
                    continue
                if dropout is not None and uniform(state) < dropout:
                    continue
                ctx_words[start + n] = buf[c]
                n += 1
            if n == 0:
                continue
            for k in range(dim):
                hidden[n_h, k] = 0.0
            for p in range(start, start + n):
                w = ctx_words[p]
                for k in range(dim):
                    hidden[n_h, k] += syn0[w, k]
            if cbow_mean:
                inv = np.float32(1.0) / np.float32(n)
                for k in range(dim):
                    hidden[n_h, k] *= inv
            positives[n_h] = buf[i]
            ctx_indptr[n_h + 1] = start + n
            n_h += 1
            n_examples += 1
            if n_h == batch:
                loss += _flush_cbow(
                    n_h, hidden, positives, ctx_words, ctx_indptr, syn0, syn1, negative,
                    alias_prob, alias_index, state, lr32, sig_table, log_sig_table, noise,
                    g_pos, g_noise, d_hidden, acc, cbow_mean, cbow_correction, lock,
                )  # fmt: skip
                n_h = 0
    if n_h > 0:
        loss += _flush_cbow(
            n_h, hidden, positives, ctx_words, ctx_indptr, syn0, syn1, negative, alias_prob,
            alias_index, state, lr32, sig_table, log_sig_table, noise, g_pos, g_noise,
            d_hidden, acc, cbow_mean, cbow_correction, lock,
        )  # fmt: skip
    return loss, n_examples


@jit
def cbow_batched_serial(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob, alias_prob,
    alias_index, window, negative, cbow_mean, cbow_correction, batch, lrs, seeds, sig_table,
    log_sig_table, max_seg, loss_out, count_out, lock=None, dropout=None,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` in order, on one thread (reproducible).

    Arguments as :func:`cbow_batched_chunk`, per chunk where it takes one
    value (see :func:`skipgram_batched_serial`).
    """
    dim = syn0.shape[1]
    width = max(min(2 * window, max_seg), 1)  # a window never holds more than a segment
    neg = max(negative, 1)
    buf = np.empty(max_seg, dtype=np.int32)
    ctx_words = np.empty(batch * width, dtype=np.int32)
    ctx_indptr = np.empty(batch + 1, dtype=np.int64)
    positives = np.empty(batch, dtype=np.int32)
    noise = np.empty(neg, dtype=np.int32)
    hidden = np.empty((batch, dim), dtype=np.float32)
    d_hidden = np.empty((batch, dim), dtype=np.float32)
    g_pos = np.empty(batch, dtype=np.float32)
    g_noise = np.empty((batch, neg), dtype=np.float32)
    acc = np.empty(dim, dtype=np.float32)
    state = np.empty(1, dtype=np.uint64)
    for c in range(chunk_lo, chunk_hi):
        state[0] = seeds[c]
        loss, n = cbow_batched_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, batch,
            lrs[c], state, sig_table, log_sig_table, buf, ctx_words, ctx_indptr, positives,
            noise, hidden, d_hidden, g_pos, g_noise, acc, lock, dropout,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True)
def cbow_batched_parallel(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob, alias_prob,
    alias_index, window, negative, cbow_mean, cbow_correction, batch, lrs, seeds, sig_table,
    log_sig_table, max_seg, loss_out, count_out, lock=None, dropout=None,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` on all numba threads, lock-free (Hogwild).

    Arguments as :func:`cbow_batched_serial`.
    """
    dim = syn0.shape[1]
    width = max(min(2 * window, max_seg), 1)  # a window never holds more than a segment
    neg = max(negative, 1)
    for c in prange(chunk_lo, chunk_hi):
        buf = np.empty(max_seg, dtype=np.int32)
        ctx_words = np.empty(batch * width, dtype=np.int32)
        ctx_indptr = np.empty(batch + 1, dtype=np.int64)
        positives = np.empty(batch, dtype=np.int32)
        noise = np.empty(neg, dtype=np.int32)
        hidden = np.empty((batch, dim), dtype=np.float32)
        d_hidden = np.empty((batch, dim), dtype=np.float32)
        g_pos = np.empty(batch, dtype=np.float32)
        g_noise = np.empty((batch, neg), dtype=np.float32)
        acc = np.empty(dim, dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[c]
        loss, n = cbow_batched_chunk(
            tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], syn0, syn1, keep_prob,
            alias_prob, alias_index, window, negative, cbow_mean, cbow_correction, batch,
            lrs[c], state, sig_table, log_sig_table, buf, ctx_words, ctx_indptr, positives,
            noise, hidden, d_hidden, g_pos, g_noise, acc, lock, dropout,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n
