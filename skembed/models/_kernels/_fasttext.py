"""fastText training kernels: skip-gram and CBOW where a word is the mean of its subword rows.

Call shape as in :mod:`skembed.models._kernels._sgns`: one call trains a range of
chunks, each with its own learning rate and RNG state, and writes its loss
sum and example count.  A word's input representation is the mean of the rows
``sub_indices[sub_indptr[w]:sub_indptr[w + 1]]`` of ``syn0`` (its own row,
then its character n-gram rows, duplicates included), as fastText's
``computeHidden``.  As in fastText's unsupervised models (``normalizeGradient``
is false there), the full gradient of that mean, not the gradient divided by
the number of rows, is added to every row of the list.

Skip-gram follows fastText and gensim: the centre word's subwords predict
each context word.  fastText recomputes the mean before each (centre,
context) pair after adding the previous pair's gradient to every row.
Adding ``g`` to each entry of a list of ``n`` entries moves their mean by
``g * sum(m_r ** 2) / n``, where ``m_r`` is how often row ``r`` occurs in the
list (a row listed twice gets ``2 g`` and counts twice): ``g`` when no row
repeats.  The kernel therefore keeps the mean, moves it by that amount
(``shift[w]``, from :func:`mean_shift_factors`) after each pair, and adds the
pairs' summed gradient to the rows once per centre word: the same update as
fastText's, with ``n`` times fewer row reads and writes.

With momentum (``vel0`` and ``vel1``, negative sampling only) every update
is a heavy-ball step: each row it touches folds its step into its velocity,
``v = momentum v + step``, and moves by ``v``.  The rows of one list then
move by different amounts, so skip-gram makes fastText's update literally:
after each (centre, context) pair it moves every entry of the centre word's
list (a row listed twice moves twice) and recomputes their mean.  None
compiles this away.
"""

import numpy as np
from numba import prange

from skembed.models._kernels._momentum import heavy_ball
from skembed.models._kernels._nce import nce_update
from skembed.models._kernels._negative import (
    negative_sampling_update,
    negative_sampling_update_scored,
)
from skembed.models._kernels._sgns import (
    HOT_SYNC_TOKENS,
    fold_hot_copy,
    subsample_segment,
    take_hot_copy,
    tick_hot_copy,
)
from skembed.utils._jit import jit
from skembed.utils._random import randbelow, uniform

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@jit
def _mean_of_rows(syn0, sub_indices, lo, hi, out):
    """Set ``out`` to the mean of ``syn0[sub_indices[lo:hi]]`` (float32 sum, then scale)."""
    dim = out.shape[0]
    for k in range(dim):
        out[k] = 0.0
    for p in range(lo, hi):
        row = sub_indices[p]
        for k in range(dim):
            out[k] += syn0[row, k]
    scale = np.float32(1.0 / (hi - lo))
    for k in range(dim):
        out[k] *= scale


@jit(inline="always")
def _add_to_rows(syn0, sub_indices, lo, hi, vec):
    """Add ``vec`` to every row ``syn0[sub_indices[lo:hi]]`` (duplicates get it twice)."""
    dim = vec.shape[0]
    for p in range(lo, hi):
        row = sub_indices[p]
        for k in range(dim):
            syn0[row, k] += vec[k]


@jit
def _momentum_to_rows(syn0, vel0, sub_indices, lo, hi, step, momentum):
    """Heavy ball on every entry of ``sub_indices[lo:hi]``: ``v = momentum v + step``, row += v.

    A row listed twice takes two steps, as it takes ``step`` twice without momentum.
    """
    for p in range(lo, hi):
        heavy_ball(syn0, vel0, sub_indices[p], 1.0, step, momentum)


# Lists up to this long count repeated rows pairwise (no allocation); longer ones are sorted,
# so a hostile 100,000-character word costs n log n, not n**2.
_PAIRWISE_MAX = 64


@jit
def mean_shift_factors(
    sub_indptr,  # IN  int64[n_words + 1]
    sub_indices,  # IN  int32[...]
    shift,  # OUT float32[n_words]: sum over rows of multiplicity**2, over the list length
):
    """Set ``shift[w]``: how far the mean of w's rows moves per unit added to each entry."""
    for w in range(shift.shape[0]):
        lo = sub_indptr[w]
        hi = sub_indptr[w + 1]
        n = hi - lo
        # sum of multiplicity**2 = number of ordered pairs (p, q) with equal rows
        total = n
        if n <= _PAIRWISE_MAX:
            for p in range(lo, hi):
                for q in range(p + 1, hi):
                    if sub_indices[p] == sub_indices[q]:
                        total += 2
        else:
            rows = np.sort(sub_indices[lo:hi])
            run = 1
            for p in range(1, n):
                if rows[p] == rows[p - 1]:
                    run += 1
                else:
                    total += run * (run - 1)
                    run = 1
            total += run * (run - 1)
        shift[w] = total / max(n, 1)


@jit
def _clip(vec, clip_value, clip_norm):
    """Bound ``vec`` in place as ``_clip.add_scaled`` bounds an update."""
    dim = vec.shape[0]
    if clip_norm is not None:  # None: compiled away
        sq = np.float32(0.0)
        for k in range(dim):
            sq += vec[k] * vec[k]
        norm = np.sqrt(sq)
        if norm > clip_norm:
            scale = np.float32(clip_norm / norm)
            for k in range(dim):
                vec[k] *= scale
    if clip_value is not None:
        bound = np.float32(clip_value)
        for k in range(dim):
            vec[k] = min(max(vec[k], -bound), bound)


@jit
def skipgram_chunk(
    tokens,  # IN     int32[n_tokens]
    seg_offsets,  # IN     int64[n_segments + 1]
    seg_lo,  # IN     first segment of the chunk
    seg_hi,  # IN     one past its last segment
    sub_indptr,  # IN     int64[n_words + 1]: subword list of each word
    sub_indices,  # IN     int32[...]: rows of syn0 (own row first)
    shift,  # IN     float32[n_words]: from mean_shift_factors
    syn0,  # IN/OUT float32[n_rows, dim]: word and n-gram rows
    syn1,  # IN/OUT float32[n_words, dim]: output vectors
    keep_prob,  # IN     float32[n_words]
    alias_prob,  # IN     float64[n_words]
    alias_index,  # IN     int32[n_words]
    window,  # IN     int
    negative,  # IN     int
    lr,  # IN     float
    state,  # IN/OUT uint64[1]
    sig_table,  # IN     float32[TABLE_SIZE]
    log_sig_table,  # IN     float32[TABLE_SIZE]
    buf,  # SCRATCH int32[max segment length]
    hidden,  # SCRATCH float32[dim]
    grad,  # SCRATCH float32[dim]
    acc,  # SCRATCH float32[dim]
    clip_value,  # IN     float or None: bound on each component of an update
    clip_norm,  # IN     float or None: bound on the L2 norm of an update
    dropout=None,  # IN     float or None: probability of dropping each (centre, context) pair
    log_kq=None,  # IN     float32[n_words] or None: NCE's log(k q(w)); None: negative sampling
    momentum=0.0,  # IN     float: heavy-ball coefficient (with vel0 and vel1 only)
    vel0=None,  # IN/OUT float32[n_rows, dim] or None: velocity of syn0's rows; None: plain SGD
    vel1=None,  # IN/OUT float32[n_words, dim] or None: velocity of syn1's rows
    hot=None,  # SCRATCH float32[n_hot, dim] or None: a private copy of syn1[:n_hot]
    hot_base=None,  # SCRATCH float32[n_hot, dim]: syn1[:n_hot] when the copy was taken
):
    """Train fastText skip-gram on one chunk; return ``(loss_sum, n_pairs)``.

    Each centre word draws a window shrunk uniformly to ``1..window``; the
    mean of its subword rows predicts each context word in turn.  With
    ``dropout``, each context word is dropped with that probability (the
    pair trains nothing and is not counted); with ``log_kq``, the noise words
    train noise-contrastive estimation instead of negative sampling.  With
    ``vel0`` (momentum; the estimator refuses it with NCE or clipping), each
    pair moves the centre word's rows and the output rows it touches by their
    velocities, and the mean is recomputed for the next pair.  None compiles
    each away.  ``hot`` (several threads, plain SGD) trains the output rows
    of the most frequent words (on a small vocabulary, all of them) in a
    private copy folded back every ``HOT_SYNC_TOKENS`` centre words, as
    word2vec's skip-gram does (:func:`~._sgns.skipgram_chunk`).
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
            if hi - lo < 2:
                continue
            centre = buf[i]
            p_lo = sub_indptr[centre]
            p_hi = sub_indptr[centre + 1]
            _mean_of_rows(syn0, sub_indices, p_lo, p_hi, hidden)
            moves = shift[centre]
            for k in range(dim):
                acc[k] = 0.0
            for c in range(lo, hi):
                if c == i:
                    continue
                if dropout is not None and uniform(state) < dropout:
                    continue
                for k in range(dim):
                    grad[k] = 0.0
                if log_kq is not None:
                    loss += nce_update(
                        hidden, syn1, buf[c], negative, lr, alias_prob, alias_index, log_kq,
                        state, grad, clip_value, clip_norm,
                    )  # fmt: skip
                elif (hot is not None and hot.shape[0] > 0) or (
                    vel1 is None and clip_value is None and clip_norm is None
                ):  # one call site: it is inlined
                    loss += negative_sampling_update_scored(
                        hidden, syn1, buf[c], negative, lr, alias_prob, alias_index, state,
                        sig_table, log_sig_table, grad, words, scores, hot,
                    )  # fmt: skip
                else:  # vel1 None: plain SGD, compiled away
                    loss += negative_sampling_update(
                        hidden, syn1, buf[c], negative, lr, alias_prob, alias_index, state,
                        sig_table, log_sig_table, grad, clip_value, clip_norm, momentum, vel1,
                    )  # fmt: skip
                n_pairs += 1
                if vel0 is not None:  # momentum: every entry moves now, by its own velocity
                    _momentum_to_rows(syn0, vel0, sub_indices, p_lo, p_hi, grad, momentum)
                    _mean_of_rows(syn0, sub_indices, p_lo, p_hi, hidden)
                    continue
                _clip(grad, clip_value, clip_norm)  # each row's update of this pair
                # the rows' mean after adding grad to each entry: what fastText recomputes
                for k in range(dim):
                    hidden[k] += moves * grad[k]
                    acc[k] += grad[k]
            if vel0 is None:
                _add_to_rows(syn0, sub_indices, p_lo, p_hi, acc)
    if hot is not None:
        fold_hot_copy(syn1, hot, hot_base)
    return loss, n_pairs


@jit
def cbow_chunk(
    tokens, seg_offsets, seg_lo, seg_hi, sub_indptr, sub_indices, shift, syn0, syn1, keep_prob,
    alias_prob, alias_index, window, negative, lr, state, sig_table, log_sig_table, buf,
    hidden, grad, acc, clip_value, clip_norm, dropout=None, log_kq=None, ctx=None,
    momentum=0.0, vel0=None, vel1=None,
):  # fmt: skip
    """Train fastText CBOW on one chunk; return ``(loss_sum, n_examples)``.

    Arguments as :func:`skipgram_chunk` (``shift`` and ``acc`` unused).  The
    input is the mean of all subword rows of all context words (fastText's
    bag of subwords), and its full gradient is added to each of those rows.
    With ``dropout``, each context word is dropped with that probability
    before pooling (the kept ones go to the scratch ``ctx``, int32[2 * window]);
    an example whose every context word is dropped trains nothing.  With
    ``vel0`` (momentum), every entry of the context words' lists, and every
    output row touched, takes a heavy-ball step instead.
    """
    dim = syn0.shape[1]
    loss = 0.0
    n_examples = 0
    words = np.empty(negative + 1, dtype=np.int64)
    scores = np.empty(negative + 1, dtype=np.float32)
    for s in range(seg_lo, seg_hi):
        m = subsample_segment(tokens, seg_offsets[s], seg_offsets[s + 1], keep_prob, state, buf)
        for i in range(m):
            reach = window - randbelow(state, window)
            lo = max(0, i - reach)
            hi = min(m, i + reach + 1)
            if hi - lo < 2:
                continue
            n_ctx = 0  # the context words, after dropout
            for c in range(lo, hi):
                if c == i:
                    continue
                if dropout is not None and uniform(state) < dropout:
                    continue
                ctx[n_ctx] = buf[c]
                n_ctx += 1
            if n_ctx == 0:
                continue
            for k in range(dim):
                hidden[k] = 0.0
            n_rows = 0
            for c in range(n_ctx):
                w = ctx[c]
                for p in range(sub_indptr[w], sub_indptr[w + 1]):
                    row = sub_indices[p]
                    for k in range(dim):
                        hidden[k] += syn0[row, k]
                n_rows += sub_indptr[w + 1] - sub_indptr[w]
            scale = np.float32(1.0 / n_rows)
            for k in range(dim):
                hidden[k] *= scale
                grad[k] = 0.0
            if log_kq is not None:
                loss += nce_update(
                    hidden, syn1, buf[i], negative, lr, alias_prob, alias_index, log_kq, state,
                    grad, clip_value, clip_norm,
                )  # fmt: skip
            elif vel1 is None and clip_value is None and clip_norm is None:
                # scores every drawn word first (same vectors): 3-4% faster on one thread
                loss += negative_sampling_update_scored(
                    hidden, syn1, buf[i], negative, lr, alias_prob, alias_index, state,
                    sig_table, log_sig_table, grad, words, scores,
                )  # fmt: skip
            else:  # momentum or clipping
                loss += negative_sampling_update(
                    hidden, syn1, buf[i], negative, lr, alias_prob, alias_index, state,
                    sig_table, log_sig_table, grad, clip_value, clip_norm, momentum, vel1,
                )  # fmt: skip
            n_examples += 1
            if vel0 is not None:  # momentum: every entry of every context word's list
                for c in range(n_ctx):
                    w = ctx[c]
                    _momentum_to_rows(
                        syn0, vel0, sub_indices, sub_indptr[w], sub_indptr[w + 1], grad, momentum
                    )
                continue
            _clip(grad, clip_value, clip_norm)
            for c in range(n_ctx):
                w = ctx[c]
                _add_to_rows(syn0, sub_indices, sub_indptr[w], sub_indptr[w + 1], grad)
    return loss, n_examples


SKIPGRAM = 0
CBOW = 1


@jit
def fasttext_chunk(
    mode, tokens, seg_offsets, seg_lo, seg_hi, sub_indptr, sub_indices, shift, syn0, syn1,
    keep_prob, alias_prob, alias_index, window, negative, lr, state, sig_table, log_sig_table,
    buf, hidden, grad, acc, clip_value, clip_norm, dropout=None, log_kq=None, ctx=None,
    momentum=0.0, vel0=None, vel1=None, hot=None, hot_base=None,
):  # fmt: skip
    """Train one chunk with the algorithm ``mode`` (SKIPGRAM or CBOW; ``hot``: skip-gram's)."""
    if mode == CBOW:
        return cbow_chunk(
            tokens, seg_offsets, seg_lo, seg_hi, sub_indptr, sub_indices, shift, syn0, syn1,
            keep_prob, alias_prob, alias_index, window, negative, lr, state, sig_table,
            log_sig_table, buf, hidden, grad, acc, clip_value, clip_norm, dropout, log_kq, ctx,
            momentum, vel0, vel1,
        )  # fmt: skip
    return skipgram_chunk(
        tokens, seg_offsets, seg_lo, seg_hi, sub_indptr, sub_indices, shift, syn0, syn1,
        keep_prob, alias_prob, alias_index, window, negative, lr, state, sig_table,
        log_sig_table, buf, hidden, grad, acc, clip_value, clip_norm, dropout, log_kq,
        momentum, vel0, vel1, hot, hot_base,
    )  # fmt: skip


@jit
def fasttext_serial(
    mode, chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, sub_indptr, sub_indices, shift,
    syn0, syn1, keep_prob, alias_prob, alias_index, window, negative, lrs, seeds, sig_table,
    log_sig_table, max_seg, loss_out, count_out, clip_value=None, clip_norm=None, dropout=None,
    log_kq=None, momentum=0.0, vel0=None, vel1=None, n_hot=0,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` in order, on one thread (reproducible).

    ``momentum``, ``vel0`` (float32, the shape of ``syn0``) and ``vel1`` (the
    shape of ``syn1``) are those of :func:`skipgram_chunk`: both velocities or
    neither (plain SGD, compiled away).  ``n_hot`` is the parallel kernel's
    and ignored here.
    """
    dim = syn0.shape[1]
    buf = np.empty(max_seg, dtype=np.int32)
    hidden = np.empty(dim, dtype=np.float32)
    grad = np.empty(dim, dtype=np.float32)
    acc = np.empty(dim, dtype=np.float32)
    ctx = np.empty(2 * window, dtype=np.int32)
    state = np.empty(1, dtype=np.uint64)
    for c in range(chunk_lo, chunk_hi):
        state[0] = seeds[c]
        loss, n = fasttext_chunk(
            mode, tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], sub_indptr,
            sub_indices, shift, syn0, syn1, keep_prob, alias_prob, alias_index, window, negative,
            lrs[c], state, sig_table, log_sig_table, buf, hidden, grad, acc, clip_value,
            clip_norm, dropout, log_kq, ctx, momentum, vel0, vel1,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True)
def fasttext_parallel(
    mode, chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, sub_indptr, sub_indices, shift,
    syn0, syn1, keep_prob, alias_prob, alias_index, window, negative, lrs, seeds, sig_table,
    log_sig_table, max_seg, loss_out, count_out, clip_value=None, clip_norm=None, dropout=None,
    log_kq=None, momentum=0.0, vel0=None, vel1=None, n_hot=0,
):  # fmt: skip
    """Train chunks ``chunk_lo..chunk_hi`` on all numba threads, lock-free (Hogwild).

    ``n_hot`` > 0 (skip-gram, plain SGD) trains the output rows of the
    ``n_hot`` most frequent words in a copy per thread (see :func:`skipgram_chunk`).
    """
    dim = syn0.shape[1]
    for c in prange(chunk_lo, chunk_hi):
        buf = np.empty(max_seg, dtype=np.int32)
        hidden = np.empty(dim, dtype=np.float32)
        grad = np.empty(dim, dtype=np.float32)
        acc = np.empty(dim, dtype=np.float32)
        ctx = np.empty(2 * window, dtype=np.int32)
        state = np.empty(1, dtype=np.uint64)
        state[0] = seeds[c]
        hot = np.empty((n_hot, dim), dtype=np.float32)
        hot_base = np.empty((n_hot, dim), dtype=np.float32)
        loss, n = fasttext_chunk(
            mode, tokens, seg_offsets, chunk_segs[c], chunk_segs[c + 1], sub_indptr,
            sub_indices, shift, syn0, syn1, keep_prob, alias_prob, alias_index, window, negative,
            lrs[c], state, sig_table, log_sig_table, buf, hidden, grad, acc, clip_value,
            clip_norm, dropout, log_kq, ctx, momentum, vel0, vel1, hot, hot_base,
        )  # fmt: skip
        loss_out[c] = loss
        count_out[c] = n


@jit
def _mix64(z):
    """splitmix64's finaliser: a bijective scramble of a 64-bit integer."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jit
def _fill_row(out, r, key, seed, bound):
    # counter-based: value k of a row is a hash of (seed, key, k), so the loop over k
    # has no carried state and vectorises; each 64-bit hash gives two 24-bit uniforms
    base = _mix64(np.uint64(seed) + _GOLDEN * (np.uint64(key) + np.uint64(1)))
    scale = np.float32(2.0 * bound / 16777216.0)
    shift = np.float32(bound)
    dim = out.shape[1]
    for k in range(0, dim, 2):
        z = _mix64(base + _GOLDEN * np.uint64(k + 1))
        out[r, k] = np.float32(z >> np.uint64(40)) * scale - shift
        if k + 1 < dim:
            lo = (z >> np.uint64(8)) & np.uint64(0xFFFFFF)
            out[r, k + 1] = np.float32(lo) * scale - shift


@jit
def init_rows(
    keys,  # IN  int64[n]: identity of each row (its value depends on this and seed only)
    seed,  # IN  int
    bound,  # IN  float
    out,  # OUT float32[n, dim]: uniform in [-bound, bound)
):
    """Fill ``out[i]`` with uniforms that are a hash of ``(seed, keys[i], column)``.

    A row's values do not depend on which other rows are filled, so a model
    trained on only the rows it touches equals one trained on the full matrix.
    """
    for i in range(out.shape[0]):
        _fill_row(out, i, keys[i], seed, bound)


@jit(parallel=True)
def init_rows_parallel(keys, seed, bound, out):
    """Multi-threaded :func:`init_rows`; bit-identical to it."""
    for i in prange(out.shape[0]):
        _fill_row(out, i, keys[i], seed, bound)


@jit
def init_untouched(
    matrix,  # IN/OUT float32[offset + n, dim]
    offset,  # IN     int: row of key_offset
    touched,  # IN     bool[n]: rows to leave alone
    key_offset,  # IN     int: key of row ``offset``
    seed,  # IN     int
    bound,  # IN     float
):
    """Fill each row ``offset + b`` with ``touched[b]`` false as :func:`init_rows` would
    with key ``key_offset + b``."""
    for b in range(touched.shape[0]):
        if not touched[b]:
            _fill_row(matrix, offset + b, key_offset + b, seed, bound)


@jit(parallel=True)
def init_untouched_parallel(matrix, offset, touched, key_offset, seed, bound):
    """Multi-threaded :func:`init_untouched`; bit-identical to it."""
    for b in prange(touched.shape[0]):
        if not touched[b]:
            _fill_row(matrix, offset + b, key_offset + b, seed, bound)


@jit
def scatter_rows_inplace(
    matrix,  # IN/OUT float32[n_rows, dim]
    offset,  # IN     int
    dest,  # IN     int64[m]: distinct, each >= 0 with offset + dest[k] < n_rows
):
    """Move row ``offset + k`` to row ``offset + dest[k]`` for every k, in place.

    Rows that are no destination end up holding stale values.  Each chain of
    moves starts at a row not yet moved and stops at a row whose content is no
    longer needed (moved already, or beyond the m sources).
    """
    m = dest.shape[0]
    dim = matrix.shape[1]
    moved = np.zeros(m, dtype=np.bool_)
    carry = np.empty(dim, dtype=matrix.dtype)
    spare = np.empty(dim, dtype=matrix.dtype)
    for start in range(m):
        if moved[start]:
            continue
        for d in range(dim):
            carry[d] = matrix[offset + start, d]
        k = start
        while True:
            moved[k] = True
            target = dest[k]
            row = offset + target
            if target < m and not moved[target]:  # a source still waiting: keep it
                for d in range(dim):
                    spare[d] = matrix[row, d]
                    matrix[row, d] = carry[d]
                    carry[d] = spare[d]
                k = target
            else:
                for d in range(dim):
                    matrix[row, d] = carry[d]
                break
