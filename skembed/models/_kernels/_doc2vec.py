"""Paragraph vectors (PV-DBOW, PV-DM): training, batched inference and the score protocol.

Training has the call shape of :mod:`._sgns`: a chunk is a run of segments
(documents, or pieces of a long one) with its own learning rate and RNG state,
writing its loss sum and example count to per-chunk buffers.  ``seg_rows``
gives the document-vector row of each segment, so the pieces of one long
document train one row.

* PV-DBOW (``dm`` false): the document vector predicts each kept word of the
  document; with ``dbow_words`` every word is first trained as a skip-gram
  centre (its window's words predict it), interleaved as in gensim.
* PV-DM (``dm`` true): the mean (``dm_mean``) or sum of the document vector and
  of the words of a window shrunk uniformly to ``1..window`` around each word,
  the word itself excluded, predicts it; the gradient of that input goes to
  the document vector and to every context word (word2vec's CBOW convention).
  A word without context is still predicted, from the document vector alone.

Both objectives (hierarchical softmax, then negative sampling) are the shared
updates of :mod:`._hsoftmax` and :mod:`._negative`.  With momentum (negative
sampling only), every row trained (word, document or output row) keeps a
velocity, folds each of its steps into it, ``v = momentum v + step``, and
moves by ``v``; each velocity array left None trains its matrix by plain SGD,
compiled without the velocity.  Inference trains a new
document's vector with the word and output rows frozen; the shared updates
always train the output rows, so inference uses the gradient-only forms below
(:func:`negative_sampling_gradient`, :func:`hierarchical_softmax_gradient`),
which compute the same step for the input and write nothing else.

Serial and ``parallel=True`` variants are separate functions because numba's
on-disk cache cannot tell two compilations of one function apart; ``n_jobs``
None or 1 runs the serial ones, which never start numba's thread pool.
"""

import numpy as np
from numba import prange

from skembed.models._kernels._clip import add_scaled
from skembed.models._kernels._hsoftmax import hierarchical_softmax_update
from skembed.models._kernels._momentum import heavy_ball
from skembed.models._kernels._negative import negative_sampling_update
from skembed.models._kernels._score import _dot, _log_sigmoid
from skembed.models._kernels._sgns import subsample_segment
from skembed.models._kernels._sigmoid import sigmoid_lookup
from skembed.utils._jit import jit
from skembed.utils._random import randbelow, sample_alias, uniform

_FNV_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


# ------------------------------------------------------------------ shared pieces
@jit
def _add(matrix, row, g, vec, clip_value, clip_norm):
    """``matrix[row] += g * vec``, clipped when a bound is set."""
    if clip_value is not None or clip_norm is not None:
        add_scaled(matrix, row, g, vec, clip_value, clip_norm)
    else:
        for k in range(vec.shape[0]):
            matrix[row, k] += g * vec[k]


@jit(inline="always")
def _move(matrix, velocity, row, momentum, vec, clip_value, clip_norm):
    """``matrix[row] += vec`` (plain SGD, ``velocity`` None) or a heavy-ball step.

    With ``velocity``: ``v = momentum v + vec``, then ``matrix[row] += v``
    (clipping is not combined with momentum).
    """
    if velocity is not None:  # momentum
        heavy_ball(matrix, velocity, row, 1.0, vec, momentum)
    else:
        _add(matrix, row, 1.0, vec, clip_value, clip_norm)


@jit(inline="always")
def _train_objectives(
    h, target, syn1, negative, alias_prob, alias_index, hs, syn1_hs, codes, points,
    code_indptr, lr, state, sig_table, log_sig_table, grad, clip_value, clip_norm,
    momentum=0.0, vel1=None,
):  # fmt: skip
    """Zero ``grad``, then train hierarchical softmax and negative sampling; return the loss.

    This function, :func:`_move`, :func:`_context_input` and the inference
    helpers are inlined at numba's IR level (``inline="always"``): as calls,
    once per example, they cost PV-DBOW 8% of its training speed and PV-DM
    10-15% of its training and 18% of its inference (KJV, same vectors).
    """
    for k in range(grad.shape[0]):
        grad[k] = 0.0
    loss = 0.0
    if hs:
        loss += hierarchical_softmax_update(
            h, syn1_hs, target, codes, points, code_indptr, lr, sig_table, log_sig_table, grad,
            clip_value, clip_norm,
        )  # fmt: skip
    if negative > 0:
        loss += negative_sampling_update(
            h, syn1, target, negative, lr, alias_prob, alias_index, state, sig_table,
            log_sig_table, grad, clip_value, clip_norm, momentum, vel1,
        )  # fmt: skip
    return loss


@jit(inline="always")
def negative_sampling_gradient(
    h,  # IN     float32[dim]: the input representation
    syn1,  # IN     float32[n_words, dim]: output weights (frozen)
    target,  # IN     int
    negative,  # IN     int
    lr,  # IN     float
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    grad_h,  # OUT    float32[dim]: lr-scaled gradient for h is ADDED here
):
    """The input step of :func:`~._negative.negative_sampling_update`, output rows frozen.

    Same draws (a noise word equal to the target is skipped) and the same
    arithmetic, so the input moves exactly as in training.
    """
    dim = h.shape[0]
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
        g = (label - sigmoid_lookup(f, sig_table)) * np.float32(lr)
        for k in range(dim):
            grad_h[k] += g * syn1[word, k]


@jit
def hierarchical_softmax_gradient(
    h,  # IN     float32[dim]
    syn1_hs,  # IN     float32[n_words - 1, dim]: inner-node vectors (frozen)
    target,  # IN     int
    codes,  # IN     uint8[n_steps]
    points,  # IN     int32[n_steps]
    code_indptr,  # IN     int64[n_words + 1]
    lr,  # IN     float
    sig_table,  # IN     float32[TABLE_SIZE]
    grad_h,  # OUT    float32[dim]: lr-scaled gradient for h is ADDED here
):
    """The input step of :func:`~._hsoftmax.hierarchical_softmax_update`, nodes frozen."""
    dim = h.shape[0]
    for j in range(code_indptr[target], code_indptr[target + 1]):
        node = points[j]
        f = np.float32(0.0)
        for k in range(dim):
            f += h[k] * syn1_hs[node, k]
        g = (np.float32(1 - codes[j]) - sigmoid_lookup(f, sig_table)) * np.float32(lr)
        for k in range(dim):
            grad_h[k] += g * syn1_hs[node, k]


@jit(inline="always")
def _frozen_objectives(
    h, target, syn1, negative, alias_prob, alias_index, hs, syn1_hs, codes, points,
    code_indptr, lr, state, sig_table, grad,
):  # fmt: skip
    for k in range(grad.shape[0]):
        grad[k] = 0.0
    if hs:
        hierarchical_softmax_gradient(
            h, syn1_hs, target, codes, points, code_indptr, lr, sig_table, grad
        )
    if negative > 0:
        negative_sampling_gradient(
            h, syn1, target, negative, lr, alias_prob, alias_index, state, sig_table, grad
        )


@jit(inline="always")
def _context_input(buf, lo, hi, i, syn0, dv, row, dm_mean, neu1):
    """Fill ``neu1`` with the mean or sum of ``dv[row]`` and ``syn0[buf[lo:hi]]`` but ``i``."""
    dim = syn0.shape[1]
    for k in range(dim):
        neu1[k] = dv[row, k]
    for c in range(lo, hi):
        if c != i:
            w = buf[c]
            for k in range(dim):
                neu1[k] += syn0[w, k]
    if dm_mean:
        inv = np.float32(1.0) / np.float32(hi - lo)
        for k in range(dim):
            neu1[k] *= inv


# ----------------------------------------------------------------------- training
@jit
def doc2vec_chunk(
    tokens,  # IN     int32[n_tokens]
    seg_offsets,  # IN     int64[n_segments + 1]
    seg_rows,  # IN     int64[n_segments]: document-vector row of each segment
    seg_lo,  # IN     first segment of the chunk
    seg_hi,  # IN     one past its last segment
    syn0,  # IN/OUT float32[n_words, dim]: word vectors
    dv,  # IN/OUT float32[n_rows, dim]: document vectors
    syn1,  # IN/OUT float32[n_words, dim]: negative-sampling output vectors
    keep_prob,  # IN     float32[n_words]
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int: maximum window
    negative,  # IN     int: noise words per example; 0 skips negative sampling
    hs,  # IN     bool: train hierarchical softmax too
    syn1_hs,  # IN/OUT float32[n_words - 1, dim] (hs only)
    codes,  # IN     uint8[n_steps] (hs only)
    points,  # IN     int32[n_steps] (hs only)
    code_indptr,  # IN     int64[n_words + 1] (hs only)
    dm,  # IN     bool: PV-DM (else PV-DBOW)
    dm_mean,  # IN     bool: PV-DM pools its input by the mean (else the sum)
    dbow_words,  # IN     bool: PV-DBOW also trains skip-gram word vectors
    lr,  # IN     float: learning rate of this chunk
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    buf,  # SCRATCH int32[max segment length]
    neu1,  # SCRATCH float32[dim]
    grad,  # SCRATCH float32[dim]
    clip_value=None,  # IN     float or None
    clip_norm=None,  # IN     float or None
    dropout=None,  # IN     float or None: PV-DM only, probability of dropping each context word
    momentum=0.0,  # IN     float: heavy-ball coefficient (with the velocities only)
    vel0=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn0's rows; None: plain SGD
    vel_dv=None,  # IN/OUT float32[n_rows, dim] or None: velocity of dv's rows
    vel1=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn1's rows
):
    """Train one chunk; return ``(loss_sum, n_examples)``.

    An example is one predicted word: per kept word for the document vector,
    plus (``dbow_words``) one per skip-gram pair.  With ``dropout`` (PV-DM),
    each context word is dropped with that probability before pooling (word
    dropout; the document vector is always kept, so every word still trains);
    None compiles it away.  With the velocities (momentum, negative sampling
    only: the estimator refuses it with ``hs`` or clipping), each row trained
    folds its step into its velocity and moves by it; a PV-DM context word
    listed twice takes two steps, as it takes the gradient twice without.
    """
    dim = syn0.shape[1]
    ctx = np.empty(2 * window + 1 if dropout is not None else 1, dtype=np.int32)  # dropout
    loss = 0.0
    n = 0
    for s in range(seg_lo, seg_hi):
        row = seg_rows[s]
        m = subsample_segment(tokens, seg_offsets[s], seg_offsets[s + 1], keep_prob, state, buf)
        for i in range(m):
            target = buf[i]
            if dm:
                reach = window - randbelow(state, window)
                lo = max(0, i - reach)
                hi = min(m, i + reach + 1)
                words, w_lo, w_hi, w_i = buf, lo, hi, i
                if dropout is not None:  # word dropout (begin): centre, then the kept words
                    ctx[0] = target
                    n_ctx = 1
                    for c in range(lo, hi):
                        if c != i and uniform(state) >= dropout:
                            ctx[n_ctx] = buf[c]
                            n_ctx += 1
                    words, w_lo, w_hi, w_i = ctx, 0, n_ctx, 0  # word dropout (end)
                _context_input(words, w_lo, w_hi, w_i, syn0, dv, row, dm_mean, neu1)
                loss += _train_objectives(
                    neu1, target, syn1, negative, alias_prob, alias_index, hs, syn1_hs, codes,
                    points, code_indptr, lr, state, sig_table, log_sig_table, grad, clip_value,
                    clip_norm, momentum, vel1,
                )  # fmt: skip
                _move(dv, vel_dv, row, momentum, grad, clip_value, clip_norm)
                for c in range(w_lo, w_hi):
                    if c != w_i:
                        _move(syn0, vel0, words[c], momentum, grad, clip_value, clip_norm)
                n += 1
                continue
            if dbow_words:
                reach = window - randbelow(state, window)
                for c in range(max(0, i - reach), min(m, i + reach + 1)):
                    if c == i:
                        continue
                    inp = buf[c]
                    loss += _train_objectives(
                        syn0[inp], target, syn1, negative, alias_prob, alias_index, hs,
                        syn1_hs, codes, points, code_indptr, lr, state, sig_table,
                        log_sig_table, grad, clip_value, clip_norm, momentum, vel1,
                    )  # fmt: skip
                    _move(syn0, vel0, inp, momentum, grad, clip_value, clip_norm)
                    n += 1
            for k in range(dim):
                neu1[k] = dv[row, k]
            loss += _train_objectives(
                neu1, target, syn1, negative, alias_prob, alias_index, hs, syn1_hs, codes,
                points, code_indptr, lr, state, sig_table, log_sig_table, grad, clip_value,
                clip_norm, momentum, vel1,
            )  # fmt: skip
            _move(dv, vel_dv, row, momentum, grad, clip_value, clip_norm)
            n += 1
    return loss, n


@jit
def doc2vec_serial(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, seg_rows, tokens, syn0, dv, syn1, keep_prob,
    alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points, code_indptr, dm,
    dm_mean, dbow_words, lrs, seeds, sig_table, log_sig_table, max_seg, loss_out, count_out,
    clip_value=None, clip_norm=None, dropout=None, momentum=0.0, vel0=None, vel_dv=None,
    vel1=None,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` in order, on one thread (reproducible).

    Arguments are those of :func:`doc2vec_chunk`, per chunk where it takes one
    value: ``chunk_segs`` (int64[n_chunks + 1]) delimits the chunks, ``lrs``
    (float32[n_chunks]) and ``seeds`` (uint64[n_chunks]) give each chunk its
    rate and RNG state, ``max_seg`` sizes the scratch buffer, and ``loss_out``
    (float64[n_chunks]) and ``count_out`` (int64[n_chunks]) are OUT.
    """
    buf = np.empty(max_seg, dtype=np.int32)
    neu1 = np.empty(syn0.shape[1], dtype=np.float32)
    grad = np.empty(syn0.shape[1], dtype=np.float32)
    state = np.empty(1, dtype=np.uint64)
    for c in range(chunk_lo, chunk_hi):
        state[0] = seeds[c]
        loss, n = doc2vec_chunk(
            tokens, seg_offsets, seg_rows, chunk_segs[c], chunk_segs[c + 1], syn0, dv, syn1,
            keep_prob, alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points,
            code_indptr, dm, dm_mean, dbow_words, lrs[c], state, sig_table, log_sig_table, buf,
            neu1, grad, clip_value, clip_norm, dropout, momentum, vel0, vel_dv, vel1,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True)
def doc2vec_parallel(
    chunk_lo, chunk_hi, chunk_segs, seg_offsets, seg_rows, tokens, syn0, dv, syn1, keep_prob,
    alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points, code_indptr, dm,
    dm_mean, dbow_words, lrs, seeds, sig_table, log_sig_table, max_seg, loss_out, count_out,
    clip_value=None, clip_norm=None, dropout=None, momentum=0.0, vel0=None, vel_dv=None,
    vel1=None,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` on all numba threads, lock-free (Hogwild).

    Arguments as :func:`doc2vec_serial`.
    """
    for c in prange(chunk_lo, chunk_hi):
        buf = np.empty(max_seg, dtype=np.int32)
        neu1 = np.empty(syn0.shape[1], dtype=np.float32)
        grad = np.empty(syn0.shape[1], dtype=np.float32)
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[c]
        loss, n = doc2vec_chunk(
            tokens, seg_offsets, seg_rows, chunk_segs[c], chunk_segs[c + 1], syn0, dv, syn1,
            keep_prob, alias_prob, alias_index, window, negative, hs, syn1_hs, codes, points,
            code_indptr, dm, dm_mean, dbow_words, lrs[c], state, sig_table, log_sig_table, buf,
            neu1, grad, clip_value, clip_norm, dropout, momentum, vel0, vel_dv, vel1,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


# ---------------------------------------------------------------------- inference
@jit
def document_seed(tokens, lo, hi, base):
    """Return a non-zero RNG state from ``base`` and the ids ``tokens[lo:hi]``.

    FNV-1a over the ids, then splitmix64's finaliser: the same document gets
    the same state whatever else is in the batch.
    """
    x = np.uint64(base) ^ np.uint64(0xCBF29CE484222325)
    for p in range(lo, hi):
        x = (x ^ np.uint64(np.uint32(tokens[p]))) * _FNV_PRIME
    x = x + np.uint64(hi - lo) * _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(31))
    if x == 0:
        x = _GOLDEN
    return x


@jit
def infer_document(
    tokens,  # IN     int32[n_tokens]: known word ids only
    lo,  # IN     first token of the document
    hi,  # IN     one past its last token
    out,  # OUT    float32[n_docs, dim]: row ``d`` receives the vector
    d,  # IN     int: the document's row
    syn0,  # IN     float32[n_words, dim] (frozen)
    syn1,  # IN     float32[n_words, dim] (frozen)
    keep_prob,  # IN     float32[n_words]
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int
    negative,  # IN     int
    hs,  # IN     bool
    syn1_hs,  # IN     float32[n_words - 1, dim] (frozen)
    codes,  # IN     uint8[n_steps]
    points,  # IN     int32[n_steps]
    code_indptr,  # IN     int64[n_words + 1]
    dm,  # IN     bool
    dm_mean,  # IN     bool
    epochs,  # IN     int
    lr_start,  # IN     float: rate of the first epoch
    lr_end,  # IN     float: rate of the last epoch (linear in between)
    base_seed,  # IN     uint64: mixed with the document's ids into its RNG state
    sig_table,  # IN     float32[TABLE_SIZE]
    clip_value,  # IN     float or None
    clip_norm,  # IN     float or None
):
    """Train one new document vector against frozen word and output rows.

    It starts uniform in ``[-0.5, 0.5) / dim`` (word2vec's initialisation)
    from the document's own RNG state; a document with no known word gets zeros.
    """
    dim = syn0.shape[1]
    if hi <= lo:
        for k in range(dim):
            out[d, k] = 0.0
        return
    state = np.empty(1, dtype=np.uint64)
    state[0] = document_seed(tokens, lo, hi, base_seed)
    for k in range(dim):
        out[d, k] = np.float32((uniform(state) - 0.5) / dim)
    buf = np.empty(hi - lo, dtype=np.int32)
    neu1 = np.empty(dim, dtype=np.float32)
    grad = np.empty(dim, dtype=np.float32)
    for e in range(epochs):
        lr = lr_start + (lr_end - lr_start) * e / max(epochs - 1, 1)
        m = subsample_segment(tokens, lo, hi, keep_prob, state, buf)
        for i in range(m):
            if dm:
                reach = window - randbelow(state, window)
                a = max(0, i - reach)
                b = min(m, i + reach + 1)
                _context_input(buf, a, b, i, syn0, out, d, dm_mean, neu1)
            else:
                for k in range(dim):
                    neu1[k] = out[d, k]
            _frozen_objectives(
                neu1, buf[i], syn1, negative, alias_prob, alias_index, hs, syn1_hs, codes,
                points, code_indptr, lr, state, sig_table, grad,
            )  # fmt: skip
            _add(out, d, 1.0, grad, clip_value, clip_norm)


@jit
def infer_serial(
    tokens, offsets, out, syn0, syn1, keep_prob, alias_prob, alias_index, window, negative,
    hs, syn1_hs, codes, points, code_indptr, dm, dm_mean, epochs, lr_start, lr_end,
    base_seed, sig_table, clip_value=None, clip_norm=None,
):  # fmt: skip
    """Infer the vector of every document ``tokens[offsets[d]:offsets[d + 1]]`` into ``out``.

    Arguments as :func:`infer_document`; ``offsets`` is int64[n_docs + 1].
    """
    for d in range(offsets.shape[0] - 1):
        infer_document(
            tokens, offsets[d], offsets[d + 1], out, d, syn0, syn1, keep_prob, alias_prob,
            alias_index, window, negative, hs, syn1_hs, codes, points, code_indptr, dm,
            dm_mean, epochs, lr_start, lr_end, base_seed, sig_table, clip_value, clip_norm,
        )  # fmt: skip


@jit(parallel=True)
def infer_parallel(
    tokens, offsets, out, syn0, syn1, keep_prob, alias_prob, alias_index, window, negative,
    hs, syn1_hs, codes, points, code_indptr, dm, dm_mean, epochs, lr_start, lr_end,
    base_seed, sig_table, clip_value=None, clip_norm=None,
):  # fmt: skip
    """:func:`infer_serial` on all numba threads; every document has its own state and
    reads only frozen rows, so the result is bit-identical to the serial one."""
    for d in prange(offsets.shape[0] - 1):
        infer_document(
            tokens, offsets[d], offsets[d + 1], out, d, syn0, syn1, keep_prob, alias_prob,
            alias_index, window, negative, hs, syn1_hs, codes, points, code_indptr, dm,
            dm_mean, epochs, lr_start, lr_end, base_seed, sig_table, clip_value, clip_norm,
        )  # fmt: skip


# -------------------------------------------------------------------------- score
@jit
def _score_document(
    tokens, offsets, doc_vectors, syn0, syn1, alias_prob, alias_index, window, negative, dm,
    dm_mean, seeds, penalty, ll_out, count_out, d,
):  # fmt: skip
    lo = offsets[d]
    hi = offsets[d + 1]
    dim = syn0.shape[1]
    state = np.empty(1, dtype=np.uint64)
    state[0] = seeds[d]
    h = np.empty(dim, dtype=np.float64)
    total = 0.0
    n = 0
    for i in range(lo + 1, hi, 2):  # odd positions: the even ones inferred the vector
        target = tokens[i]
        n += 1
        if target < 0:
            total += penalty
            continue
        for k in range(dim):
            h[k] = doc_vectors[d, k]
        if dm:
            count = 1
            for j in range(max(lo, i - window), min(hi, i + window + 1)):
                w = tokens[j]
                if j == i or w < 0:
                    continue
                count += 1
                for k in range(dim):
                    h[k] += syn0[w, k]
            if dm_mean:
                for k in range(dim):
                    h[k] /= count
        total += _log_sigmoid(_dot(h, syn1[target]))
        for _ in range(negative):
            noise = sample_alias(state, alias_prob, alias_index)
            total += _log_sigmoid(-_dot(h, syn1[noise]))
    ll_out[d] = total
    count_out[d] = n


@jit
def doc_log_likelihood(
    tokens,  # IN  int32[n_tokens]: word ids, -1 for words outside the vocabulary
    offsets,  # IN  int64[n_documents + 1]
    doc_vectors,  # IN  float32[n_documents, dim]: each document's inferred vector
    syn0,  # IN  float32[n_words, dim]
    syn1,  # IN  float32[n_words, dim]
    alias_prob,  # IN  float64[n_words]
    alias_index,  # IN  int32[n_words]
    window,  # IN  int: fixed PV-DM context (not shrunk)
    negative,  # IN  int: noise words per scored word
    dm,  # IN  bool: the input also pools the context words (PV-DM)
    dm_mean,  # IN  bool
    seeds,  # IN  uint64[n_documents]
    penalty,  # IN  float: log-likelihood of a word outside the vocabulary
    ll_out,  # OUT float64[n_documents]
    count_out,  # OUT int64[n_documents]
):
    """Sum ``log s(h.u_w) + sum_k log s(-h.u_k)`` over each document's odd-position words.

    ``h`` is the document vector (PV-DBOW), or its mean or sum with the known
    words within ``window`` of ``w`` (PV-DM).
    """
    for d in range(offsets.shape[0] - 1):
        _score_document(
            tokens, offsets, doc_vectors, syn0, syn1, alias_prob, alias_index, window,
            negative, dm, dm_mean, seeds, penalty, ll_out, count_out, d,
        )  # fmt: skip


@jit(parallel=True)
def doc_log_likelihood_parallel(
    tokens, offsets, doc_vectors, syn0, syn1, alias_prob, alias_index, window, negative, dm,
    dm_mean, seeds, penalty, ll_out, count_out,
):  # fmt: skip
    """Multi-threaded :func:`doc_log_likelihood`; bit-identical (a state per document)."""
    for d in prange(offsets.shape[0] - 1):
        _score_document(
            tokens, offsets, doc_vectors, syn0, syn1, alias_prob, alias_index, window,
            negative, dm, dm_mean, seeds, penalty, ll_out, count_out, d,
        )  # fmt: skip
