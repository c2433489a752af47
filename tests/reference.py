"""Slow, obviously-correct references for the numba kernels (pure Python + NumPy).

They consume the same random stream as the kernels (xorshift64* per chunk),
so a full epoch can be compared number by number on tiny inputs.
"""

import numba
import numpy as np

from skembed.models._kernels import _sgns
from skembed.models._kernels._glove import (
    GloVeParams,
    glove_chunks_parallel,
    glove_chunks_serial,
)
from skembed.models._kernels._sigmoid import MAX_EXP, TABLE_SIZE

M64 = (1 << 64) - 1
SCALE = TABLE_SIZE / (2.0 * MAX_EXP)


class Stream:
    """xorshift64* written with Python integers."""

    def __init__(self, seed):
        self.x = int(seed)

    def next_u64(self):
        x = self.x
        x ^= x >> 12
        x ^= (x << 25) & M64
        x ^= x >> 27
        self.x = x
        return (x * 2685821657736338717) & M64

    def uniform(self):
        return (self.next_u64() >> 11) * (1.0 / 9007199254740992.0)

    def randbelow(self, n):
        return ((self.next_u64() >> 32) * n) >> 32

    def alias(self, prob, index):
        x = self.next_u64()
        col = ((x >> 32) * len(prob)) >> 32
        coin = (x & 0xFFFFFFFF) / 4294967296.0
        return col if coin < prob[col] else int(index[col])


def sigmoid(f, table):
    f = float(f)
    if f >= MAX_EXP:
        return np.float32(1.0)
    if f <= -MAX_EXP:
        return np.float32(0.0)
    return table[int((f + MAX_EXP) * SCALE)]


def log_sigmoid(f, table):
    f = float(f)
    if f >= MAX_EXP:
        return 0.0
    if f <= -MAX_EXP:
        return f
    return float(table[int((f + MAX_EXP) * SCALE)])


def ns_update(h, syn1, target, negative, lr, prob, index, stream, sig, log_sig, grad,
              momentum=0.0, vel1=None):  # fmt: skip
    loss = 0.0
    for d in range(negative + 1):
        if d == 0:
            word, label = target, np.float32(1.0)
        else:
            word = stream.alias(prob, index)
            if word == target:
                continue
            label = np.float32(0.0)
        f = np.float32(np.dot(h.astype(np.float64), syn1[word].astype(np.float64)))
        loss -= log_sigmoid(f if d == 0 else -f, log_sig)
        g = np.float32((label - sigmoid(f, sig)) * np.float32(lr))
        grad += g * syn1[word]
        _step(syn1, vel1, word, g * h, momentum)
    return loss


def _step(matrix, velocity, row, step, momentum):
    """Plain SGD (``velocity`` None) or heavy ball: ``v = momentum v + step``, row += v."""
    if velocity is None:
        matrix[row] += step
    else:
        velocity[row] = np.float32(momentum) * velocity[row] + step
        matrix[row] += velocity[row]


def subsample(tokens, keep, stream):
    kept = []
    for w in tokens:
        kp = float(keep[w])
        if kp < 1.0 and stream.uniform() >= kp:
            continue
        kept.append(int(w))
    return kept


def sgns_epoch(tokens, seg_offsets, chunk_segs, syn0, syn1, keep, prob, index, window,
               negative, lrs, seeds, sig, log_sig):  # fmt: skip
    """Skip-gram over all chunks, serially; returns per-chunk (loss, pairs)."""
    out = []
    for c in range(len(chunk_segs) - 1):
        stream = Stream(seeds[c])
        loss, pairs = 0.0, 0
        for s in range(chunk_segs[c], chunk_segs[c + 1]):
            sent = subsample(tokens[seg_offsets[s] : seg_offsets[s + 1]], keep, stream)
            for i, centre in enumerate(sent):
                reach = window - stream.randbelow(window)
                for j in range(max(0, i - reach), min(len(sent), i + reach + 1)):
                    if j == i:
                        continue
                    h = syn0[sent[j]].copy()
                    grad = np.zeros_like(h)
                    loss += ns_update(
                        h, syn1, centre, negative, lrs[c], prob, index, stream, sig, log_sig,
                        grad,
                    )  # fmt: skip
                    syn0[sent[j]] += grad
                    pairs += 1
        out.append((loss, pairs))
    return out


def hs_update(h, syn1_hs, target, codes, points, indptr, lr, sig, log_sig, grad):
    """Hierarchical softmax along the target's path: word2vec's ``g = (1 - code - f) lr``."""
    loss = 0.0
    for j in range(indptr[target], indptr[target + 1]):
        node, code = int(points[j]), int(codes[j])
        f = np.float32(np.dot(h.astype(np.float64), syn1_hs[node].astype(np.float64)))
        loss -= log_sigmoid(f if code == 0 else -f, log_sig)
        g = np.float32((np.float32(1 - code) - sigmoid(f, sig)) * np.float32(lr))
        grad += g * syn1_hs[node]
        syn1_hs[node] += g * h
    return loss


def _objectives(h, target, syn1, negative, prob, index, stream, hs, tree, lr, sig, log_sig,
                grad, momentum=0.0, vel1=None):  # fmt: skip
    """Hierarchical softmax first, then negative sampling (none when negative == 0)."""
    loss = 0.0
    if hs:
        syn1_hs, codes, points, indptr = tree
        loss += hs_update(h, syn1_hs, target, codes, points, indptr, lr, sig, log_sig, grad)
    if negative > 0:
        loss += ns_update(h, syn1, target, negative, lr, prob, index, stream, sig, log_sig, grad,
                          momentum, vel1)  # fmt: skip
    return loss


def skipgram_epoch(tokens, seg_offsets, chunk_segs, syn0, syn1, keep, prob, index, window,
                   negative, hs, tree, lrs, seeds, sig, log_sig, momentum=0.0, vel0=None,
                   vel1=None):  # fmt: skip
    """Skip-gram with negative sampling and/or hierarchical softmax; per-chunk (loss, pairs).

    ``tree`` is ``(syn1_hs, codes, points, indptr)``, or None when ``hs`` is false.  With
    velocities ``vel0``/``vel1``, every row touched takes a heavy-ball step (see ``_step``).
    """
    out = []
    for c in range(len(chunk_segs) - 1):
        stream = Stream(seeds[c])
        loss, pairs = 0.0, 0
        for s in range(chunk_segs[c], chunk_segs[c + 1]):
            sent = subsample(tokens[seg_offsets[s] : seg_offsets[s + 1]], keep, stream)
            for i, centre in enumerate(sent):
                reach = window - stream.randbelow(window)
                for j in range(max(0, i - reach), min(len(sent), i + reach + 1)):
                    if j == i:
                        continue
                    h = syn0[sent[j]].copy()
                    grad = np.zeros_like(h)
                    loss += _objectives(h, centre, syn1, negative, prob, index, stream, hs,
                                        tree, lrs[c], sig, log_sig, grad, momentum,
                                        vel1)  # fmt: skip
                    _step(syn0, vel0, sent[j], grad, momentum)
                    pairs += 1
        out.append((loss, pairs))
    return out


def cbow_epoch(tokens, seg_offsets, chunk_segs, syn0, syn1, keep, prob, index, window,
               negative, cbow_mean, cbow_correction, hs, tree, lrs, seeds, sig,
               log_sig, momentum=0.0, vel0=None, vel1=None):  # fmt: skip
    """CBOW over all chunks, serially; returns per-chunk (loss, examples).

    The context (window minus the centre) is pooled by its mean or sum; the
    gradient of the pooled vector goes to every context word, divided by the
    context size when ``cbow_mean and cbow_correction``.
    """
    out = []
    for c in range(len(chunk_segs) - 1):
        stream = Stream(seeds[c])
        loss, examples = 0.0, 0
        for s in range(chunk_segs[c], chunk_segs[c + 1]):
            sent = subsample(tokens[seg_offsets[s] : seg_offsets[s + 1]], keep, stream)
            for i, centre in enumerate(sent):
                reach = window - stream.randbelow(window)
                lo, hi = max(0, i - reach), min(len(sent), i + reach + 1)
                context = [sent[j] for j in range(lo, hi) if j != i]
                if not context:
                    continue
                h = np.zeros(syn0.shape[1], np.float32)
                for w in context:
                    h += syn0[w]
                inv = np.float32(1.0) / np.float32(len(context))
                if cbow_mean:
                    h *= inv
                grad = np.zeros_like(h)
                loss += _objectives(h, centre, syn1, negative, prob, index, stream, hs, tree,
                                    lrs[c], sig, log_sig, grad, momentum, vel1)  # fmt: skip
                if cbow_mean and cbow_correction:
                    grad *= inv
                for w in context:
                    _step(syn0, vel0, w, grad, momentum)
                examples += 1
        out.append((loss, examples))
    return out


def create_binary_tree(counts):
    """word2vec C's ``CreateBinaryTree``, line by line, for counts sorted in decreasing order.

    Returns ``(codes, points)``: one list per word, root first.
    """
    n = len(counts)
    count = [int(x) for x in counts] + [10**15] * n
    binary = [0] * (2 * n + 1)
    parent_node = [0] * (2 * n + 1)
    pos1, pos2 = n - 1, n
    for a in range(n - 1):
        mins = []
        for _ in range(2):
            if pos1 >= 0 and count[pos1] < count[pos2]:
                mins.append(pos1)
                pos1 -= 1
            else:
                mins.append(pos2)
                pos2 += 1
        count[n + a] = count[mins[0]] + count[mins[1]]
        parent_node[mins[0]] = n + a
        parent_node[mins[1]] = n + a
        binary[mins[1]] = 1
    codes, points = [], []
    for a in range(n):
        b, code, point = a, [], []
        while True:
            code.append(binary[b])
            point.append(b)
            b = parent_node[b]
            if b == 2 * n - 2:
                break
        # word2vec stores the code root first; point[0] is the root, then the
        # inner nodes below it (the last entry, the leaf itself, is never used)
        codes.append(code[::-1])
        points.append([n - 2] + [p - n for p in point[::-1]][:-1])
    return codes, points


def huffman_cost(counts):
    """Optimal weighted path length: the sum of all merge costs of the classic heap method."""
    import heapq

    heap = [int(x) for x in counts]
    heapq.heapify(heap)
    total = 0
    while len(heap) > 1:
        merged = heapq.heappop(heap) + heapq.heappop(heap)
        total += merged
        heapq.heappush(heap, merged)
    return total


def _subword_mean(syn0, rows):
    h = np.zeros(syn0.shape[1], dtype=np.float32)
    for r in rows:
        h += syn0[r]
    return h * np.float32(1.0 / len(rows))


def fasttext_epoch(algorithm, tokens, seg_offsets, chunk_segs, sub_indptr, sub_indices,
                   syn0, syn1, keep, prob, index, window, negative, lrs, seeds, sig,
                   log_sig, dropout=None, log_kq=None, momentum=0.0, vel0=None,
                   vel1=None):  # fmt: skip
    """fastText's skipgram/cbow as its C++ writes them, serially; returns per-chunk (loss, n).

    The input is the mean of the subword rows (``sub_indices[sub_indptr[w]:
    sub_indptr[w + 1]]``); after each example the full input gradient is
    added to every row of the list (fastText's ``Model::update`` with
    ``normalizeGradient`` false), and skip-gram recomputes the mean for every
    (centre, context) pair.  ``dropout`` drops each context word with that probability
    (one uniform per context word, in window order); ``log_kq`` trains NCE instead of
    negative sampling.  With ``vel0`` and ``vel1`` every row step is a heavy-ball step
    (``v = momentum v + step``, row += v), once per entry of a list.
    """

    def objective(h, target, lr, stream, grad):
        if log_kq is not None:
            return nce_update(h, syn1, target, negative, lr, prob, index, log_kq, stream, grad)
        return ns_update(h, syn1, target, negative, lr, prob, index, stream, sig, log_sig, grad,
                         momentum, vel1)  # fmt: skip

    def dropped(stream):
        return dropout is not None and stream.uniform() < dropout

    out = []
    for c in range(len(chunk_segs) - 1):
        stream = Stream(seeds[c])
        loss, n = 0.0, 0
        for s in range(chunk_segs[c], chunk_segs[c + 1]):
            sent = subsample(tokens[seg_offsets[s] : seg_offsets[s + 1]], keep, stream)
            for i, centre in enumerate(sent):
                reach = window - stream.randbelow(window)
                context = [j for j in range(max(0, i - reach), min(len(sent), i + reach + 1))]
                context = [sent[j] for j in context if j != i]
                if not context:
                    continue
                if algorithm == "skipgram":
                    rows = sub_indices[sub_indptr[centre] : sub_indptr[centre + 1]]
                    for target in context:
                        if dropped(stream):
                            continue
                        h = _subword_mean(syn0, rows)
                        grad = np.zeros_like(h)
                        loss += objective(h, target, lrs[c], stream, grad)
                        for r in rows:
                            _step(syn0, vel0, r, grad, momentum)
                        n += 1
                else:
                    context = [w for w in context if not dropped(stream)]
                    if not context:
                        continue
                    rows = [
                        r for w in context for r in sub_indices[sub_indptr[w] : sub_indptr[w + 1]]
                    ]
                    h = _subword_mean(syn0, rows)
                    grad = np.zeros_like(h)
                    loss += objective(h, centre, lrs[c], stream, grad)
                    for r in rows:
                        _step(syn0, vel0, r, grad, momentum)
                    n += 1
        out.append((loss, n))
    return out


# ---------------------------------------------------------------------------------------
# Entry points that only tests use, built on the production kernels.


def sgns_serial(chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
                alias_prob, alias_index, window, negative, lrs, seeds, sig_table,
                log_sig_table, max_seg, loss_out, count_out):  # fmt: skip
    """Negative sampling only: the production skip-gram kernel without a tree."""
    _sgns.skipgram_serial(
        chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
        alias_prob, alias_index, window, negative, False, *_no_tree(syn0.shape[1]), lrs,
        seeds, sig_table, log_sig_table, max_seg, loss_out, count_out,
    )  # fmt: skip


def sgns_parallel(chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
                  alias_prob, alias_index, window, negative, lrs, seeds, sig_table,
                  log_sig_table, max_seg, loss_out, count_out):  # fmt: skip
    """Negative sampling only: the production parallel skip-gram kernel without a tree."""
    _sgns.skipgram_parallel(
        chunk_lo, chunk_hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep_prob,
        alias_prob, alias_index, window, negative, False, *_no_tree(syn0.shape[1]), lrs,
        seeds, sig_table, log_sig_table, max_seg, loss_out, count_out,
    )  # fmt: skip


def _no_tree(dim):
    """Empty hierarchical-softmax arguments ``(syn1_hs, codes, points, indptr)``."""
    return (
        np.zeros((0, dim), dtype=np.float32),
        np.zeros(0, dtype=np.uint8),
        np.zeros(0, dtype=np.int32),
        np.zeros(1, dtype=np.int64),
    )


def gather_rows_inplace(matrix, src):
    """Set ``matrix[k] = old matrix[src[k]]`` for every k, following cycles (one spare row)."""
    n = matrix.shape[0]
    done = np.zeros(n, dtype=bool)
    for start in range(n):
        if done[start]:
            continue
        tmp = matrix[start].copy()
        k = start
        while True:  # follow the cycle through start
            done[k] = True
            nxt = src[k]
            if nxt == start:
                matrix[k] = tmp
                break
            matrix[k] = matrix[nxt]
            k = nxt


_GLOVE_KERNELS = {False: glove_chunks_serial, True: glove_chunks_parallel}


def glove_epoch(
    rows,
    cols,
    values,
    params,
    rng,
    *,
    learning_rate=0.05,
    x_max=100.0,
    weighting_power=0.75,
    grad_clip=100.0,
    chunk_size=100_000,
    n_threads=1,
    in_place=False,
):
    """Run one GloVe epoch over all co-occurrence entries in a fresh random order.

    Parameters
    ----------
    rows, cols : ndarray of shape (nnz,), dtype int32
        Row (word) and column (context) of each non-zero co-occurrence, e.g.
        ``X.tocoo().row`` and ``X.tocoo().col`` of
        :func:`skembed.corpus._cooccur.count_cooccurrences`'s matrix.
    values : ndarray of shape (nnz,), dtype float32 or float64
        The co-occurrence counts, all positive (float32 halves the memory
        traffic and changes nothing else: the kernel computes in float64).
    params : GloVeParams
        Parameters and accumulators, updated in place.
    rng : numpy.random.Generator
        Draws this epoch's permutation of the entries.
    learning_rate : float or ndarray of shape (n_chunks,), default=0.05
        AdaGrad learning rate, or one per chunk (any schedule).
    x_max : float, default=100.0
        Counts at or above ``x_max`` get weight 1.
    weighting_power : float, default=0.75
        Exponent of the weighting function below ``x_max``.
    grad_clip : float, default=100.0
        Bound on each gradient component.
    chunk_size : int, default=100_000
        Entries per chunk, the unit of work of a thread.
    n_threads : int, default=1
        1 runs the serial kernel (bit-reproducible); more runs the chunks on
        that many numba threads (at most ``numba.config.NUMBA_NUM_THREADS``)
        with lock-free updates, which is not reproducible.
    in_place : bool, default=False
        Permute ``rows``, ``cols`` and ``values`` themselves into the epoch's
        order instead of gathering copies (12 bytes an entry less).  Only for
        arrays the caller owns: ``X.tocoo()`` shares ``indices`` and ``data``
        with the CSR matrix ``X``.  The visiting order is the same either way
        for the same ``rng`` and the same input order.

    Returns
    -------
    mean_loss : float
        Mean over the entries visited of ``0.5 * f(x) * diff ** 2``, each
        taken just before its update (Stanford's reported cost); NaN when no
        entry was visited.
    n_examples : int
        Number of entries visited.
    """
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    values = np.asarray(values)
    nnz = rows.shape[0]
    if rows.ndim != 1 or cols.shape != (nnz,) or values.shape != (nnz,):
        raise ValueError("rows, cols and values must be 1-d arrays of the same length.")
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    for name, array in zip(GloVeParams._fields, params, strict=True):
        if array.dtype != np.float32 or not array.flags.c_contiguous:
            raise ValueError(f"params.{name} must be a C-contiguous float32 array.")
    n_words = params.W.shape[0]
    if nnz and not (0 <= min(rows.min(), cols.min()) and max(rows.max(), cols.max()) < n_words):
        # The kernels do not check bounds.
        raise ValueError(f"rows and cols must be word ids in [0, {n_words}).")

    order = rng.permutation(nnz)
    if in_place:
        for array in (rows, cols, values):
            array[:] = array[order]
        rows = np.ascontiguousarray(rows, dtype=np.int32)
        cols = np.ascontiguousarray(cols, dtype=np.int32)
        values = np.ascontiguousarray(values)
    else:
        rows = rows.take(order).astype(np.int32, copy=False)
        cols = cols.take(order).astype(np.int32, copy=False)
        values = values.take(order)
    del order

    chunk_size = max(1, int(chunk_size))
    chunk_starts = np.append(np.arange(0, nnz, chunk_size, dtype=np.int64), np.int64(nnz))
    if nnz == 0:
        chunk_starts = np.zeros(1, dtype=np.int64)
    n_chunks = chunk_starts.shape[0] - 1
    learning_rates = np.broadcast_to(
        np.asarray(learning_rate, dtype=np.float64), (n_chunks,)
    ).copy()
    loss_out = np.zeros(n_chunks, dtype=np.float64)
    count_out = np.zeros(n_chunks, dtype=np.int64)

    n_threads = max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS))
    parallel = n_threads > 1 and n_chunks > 1
    previous = numba.get_num_threads()
    try:
        if parallel:
            numba.set_num_threads(n_threads)
        _GLOVE_KERNELS[parallel](
            rows,
            cols,
            values,
            np.empty(0, dtype=np.int64),  # entries already in visiting order
            chunk_starts,
            learning_rates,
            *params,
            float(x_max),
            float(weighting_power),
            float(grad_clip),
            loss_out,
            count_out,
        )
    finally:
        if parallel:
            numba.set_num_threads(previous)
    n = int(count_out.sum())
    mean_loss = float(loss_out.sum() / n) if n else float("nan")
    return mean_loss, n


def doc2vec_epoch(tokens, seg_offsets, seg_rows, chunk_segs, syn0, dv, syn1, keep, prob, index,
                  window, negative, hs, tree, dm, dm_mean, dbow_words, lrs, seeds, sig,
                  log_sig, dropout=None, momentum=0.0, vel0=None, vel_dv=None,
                  vel1=None):  # fmt: skip
    """PV-DM / PV-DBOW over all chunks, serially; returns per-chunk (loss, examples).

    PV-DM: the mean (or sum) of the document vector and the shrunk window's
    words but the centre predicts the centre; the gradient goes undivided to
    the document vector and every context word.  PV-DBOW: with ``dbow_words``,
    skip-gram pairs of the word first, then the document vector predicts it.
    ``dropout`` (PV-DM) drops each context word with that probability (one
    uniform per context word, in window order) before pooling.  With velocities
    ``vel0`` (words), ``vel_dv`` (documents) and ``vel1`` (outputs), every row
    trained takes a heavy-ball step (see ``_step``); None is plain SGD.
    """
    out = []
    for c in range(len(chunk_segs) - 1):
        stream = Stream(seeds[c])
        loss, examples = 0.0, 0
        for s in range(chunk_segs[c], chunk_segs[c + 1]):
            row = seg_rows[s]
            sent = subsample(tokens[seg_offsets[s] : seg_offsets[s + 1]], keep, stream)
            for i, target in enumerate(sent):
                if dm:
                    reach = window - stream.randbelow(window)
                    lo, hi = max(0, i - reach), min(len(sent), i + reach + 1)
                    context = [sent[j] for j in range(lo, hi) if j != i]
                    if dropout is not None:
                        context = [w for w in context if stream.uniform() >= dropout]
                    h = dv[row].copy()
                    for w in context:
                        h += syn0[w]
                    if dm_mean:
                        h *= np.float32(1.0) / np.float32(len(context) + 1)
                    grad = np.zeros_like(h)
                    loss += _objectives(h, target, syn1, negative, prob, index, stream, hs,
                                        tree, lrs[c], sig, log_sig, grad, momentum,
                                        vel1)  # fmt: skip
                    _step(dv, vel_dv, row, grad, momentum)
                    for w in context:
                        _step(syn0, vel0, w, grad, momentum)
                    examples += 1
                    continue
                if dbow_words:
                    reach = window - stream.randbelow(window)
                    for j in range(max(0, i - reach), min(len(sent), i + reach + 1)):
                        if j == i:
                            continue
                        h = syn0[sent[j]].copy()
                        grad = np.zeros_like(h)
                        loss += _objectives(h, target, syn1, negative, prob, index, stream, hs,
                                            tree, lrs[c], sig, log_sig, grad, momentum,
                                            vel1)  # fmt: skip
                        _step(syn0, vel0, sent[j], grad, momentum)
                        examples += 1
                h = dv[row].copy()
                grad = np.zeros_like(h)
                loss += _objectives(h, target, syn1, negative, prob, index, stream, hs, tree,
                                    lrs[c], sig, log_sig, grad, momentum, vel1)  # fmt: skip
                _step(dv, vel_dv, row, grad, momentum)
                examples += 1
        out.append((loss, examples))
    return out


def _frozen_gradient(h, target, syn1, negative, prob, index, stream, hs, tree, lr, sig):
    """The input step of hierarchical softmax then negative sampling; no weight changes."""
    grad = np.zeros_like(h)
    terms = []
    if hs:
        syn1_hs, codes, points, indptr = tree
        for j in range(indptr[target], indptr[target + 1]):
            terms.append((syn1_hs[int(points[j])], np.float32(1 - int(codes[j]))))
    for term in terms:
        row, label = term
        f = np.float32(np.dot(h.astype(np.float64), row.astype(np.float64)))
        grad += np.float32((label - sigmoid(f, sig)) * np.float32(lr)) * row
    if negative > 0:
        for d in range(negative + 1):
            if d == 0:
                word, label = target, np.float32(1.0)
            else:
                word = stream.alias(prob, index)
                if word == target:
                    continue
                label = np.float32(0.0)
            f = np.float32(np.dot(h.astype(np.float64), syn1[word].astype(np.float64)))
            grad += np.float32((label - sigmoid(f, sig)) * np.float32(lr)) * syn1[word]
    return grad


def doc2vec_infer(tokens, offsets, states, syn0, syn1, keep, prob, index, window, negative, hs,
                  tree, dm, dm_mean, epochs, lr_start, lr_end, sig, log_sig):  # fmt: skip
    """Inference of each document's vector, word and output rows frozen.

    ``states`` holds each document's starting RNG state; only the document
    vector moves.
    """
    dim = syn0.shape[1]
    out = np.zeros((len(offsets) - 1, dim), np.float32)
    for d in range(len(offsets) - 1):
        doc = tokens[offsets[d] : offsets[d + 1]]
        if len(doc) == 0:
            continue
        stream = Stream(states[d])
        vec = np.array([(stream.uniform() - 0.5) / dim for _ in range(dim)], np.float32)
        for e in range(epochs):
            lr = lr_start + (lr_end - lr_start) * e / max(epochs - 1, 1)
            sent = subsample(doc, keep, stream)
            for i, target in enumerate(sent):
                h = vec.copy()
                if dm:
                    reach = window - stream.randbelow(window)
                    lo, hi = max(0, i - reach), min(len(sent), i + reach + 1)
                    for j in range(lo, hi):
                        if j != i:
                            h += syn0[sent[j]]
                    if dm_mean:
                        h *= np.float32(1.0) / np.float32(hi - lo)
                vec += _frozen_gradient(h, target, syn1, negative, prob, index, stream, hs,
                                        tree, lr, sig)  # fmt: skip
        out[d] = vec
    return out


def nce_update(h, syn1, target, negative, lr, prob, index, log_kq, stream, grad):
    """NCE (Mnih and Teh 2012) for one data word and ``negative`` noise draws, in float64.

    Mirrors ``skembed.models._kernels._nce.nce_update``: the score of a word is
    ``h.v_w - log(k q(w))``; a noise draw equal to the target is kept.
    """
    loss = 0.0
    for d in range(negative + 1):
        word = target if d == 0 else stream.alias(prob, index)
        s = float(np.dot(h.astype(np.float64), syn1[word].astype(np.float64))) - float(
            log_kq[word]
        )
        p = 1.0 / (1.0 + np.exp(-s))
        if d == 0:
            loss += np.logaddexp(0.0, -s)
            g = (1.0 - p) * lr
        else:
            loss += np.logaddexp(0.0, s)
            g = -p * lr
        grad += np.float32(g) * syn1[word]
        syn1[word] += np.float32(g) * h
    return loss


def nce_loss(h, syn1, target, noise, log_kq):
    """The NCE loss of ``target`` against the given noise words, in float64."""
    s = syn1 @ h - log_kq
    return float(np.logaddexp(0.0, -s[target]) + sum(np.logaddexp(0.0, s[n]) for n in noise))


def supervised_targets(kind, out_vecs, hidden, labels, codes, points, code_indptr):
    """Loss and ``(output row, positive, probability)`` of each output the supervised kernel
    updates for one document (float64), for its three losses."""
    from skembed.models._kernels import _supervised

    if kind == _supervised.SOFTMAX:
        logits = out_vecs.astype(np.float64) @ hidden
        p = np.exp(logits - logits.max())
        p /= p.sum()
        loss = -np.log(p[labels[0]])
        return loss, [(j, j == labels[0], p[j]) for j in range(len(out_vecs))]
    if kind == _supervised.HS:
        path = range(code_indptr[labels[0]], code_indptr[labels[0] + 1])
        nodes = [(points[q], codes[q] == 0) for q in path]
    else:
        nodes = [(j, j in labels) for j in range(len(out_vecs))]
    loss, targets = 0.0, []
    for node, positive in nodes:
        s = 1.0 / (1.0 + np.exp(-(out_vecs[node].astype(np.float64) @ hidden)))
        loss -= np.log(s if positive else 1.0 - s)
        targets.append((node, positive, s))
    return loss, targets
