"""Supervised fastText kernels: averaged feature rows feeding a linear output layer.

A document is a list of feature rows: its words' rows (ids below ``n_words``,
in ``word_vecs``) and the rows of its hashed word n-grams and character
n-grams (ids from ``n_words`` on, in ``ngram_vecs``).  Its hidden vector is
the mean of those rows; the output layer scores the classes from it, with one
of three losses:

* ``SOFTMAX``: a full softmax over the classes, loss ``-log p[label]``;
* ``HS``: hierarchical softmax, a binary logistic loss at each inner node of
  the Huffman tree of the class counts, on the path from the root to the label
  (branch 0 is the positive side, as in :mod:`skembed.corpus._huffman`);
* ``OVA``: one-vs-all, a binary logistic loss for every class, positive for
  each of the document's labels (multi-label).

As fastText's supervised models do (``normalizeGradient``), the gradient of
the hidden vector is divided by the number of feature rows before it is added
to each of them; the output rows move by ``lr * (target - p) * hidden``.
Softmax and sigmoids are computed exactly (no table), in float64 scores.

With momentum (``vel_words``, ``vel_ngrams`` and ``vel_out``, float32 arrays
the shapes of the three parameter matrices) every update is a heavy-ball
step: each row it touches folds its step into its velocity,
``v = momentum v + step``, and moves by ``v``.  A feature row listed twice in
a document takes two steps (it takes the gradient twice without momentum);
an output row takes one per document.  None compiles this away.

A training call visits a range of chunks; chunk ``c`` is the documents
``order[chunk_docs[c]:chunk_docs[c + 1]]``.  The serial and the parallel
(Hogwild, one chunk per thread at a time) variants are separate functions
because numba's on-disk cache cannot tell two compilations of one function
apart (numba issue 6845).

The per-document helpers (``_document``, ``_mean``, ``_row``, ``_softmax``,
``_binary``) are inlined at numba's IR level: the same models trained 1-3%
faster on one thread and 3-4% on two (KJV book groups, interleaved runs);
the first compilation takes about 0.2 s longer.
"""

import numpy as np
from numba import prange

from skembed.models._kernels._momentum import heavy_ball
from skembed.utils._jit import jit

__all__ = [
    "SOFTMAX",
    "HS",
    "OVA",
    "document_features",
    "supervised_serial",
    "supervised_parallel",
    "mean_rows_serial",
    "mean_rows_parallel",
    "map_bucket_features",
]

SOFTMAX = 0
HS = 1
OVA = 2

# fastText's multiplier when it chains word hashes into an n-gram hash
_NGRAM_MULT = np.uint64(116049371)


@jit(inline="always")
def _row(word_vecs, ngram_vecs, n_words, r):
    if r < n_words:
        return word_vecs[r]
    return ngram_vecs[r - n_words]


@jit(inline="always")
def _velocity(vel_words, vel_ngrams, n_words, r):
    if r < n_words:
        return vel_words[r]
    return vel_ngrams[r - n_words]


@jit(inline="always")
def _mean(word_vecs, ngram_vecs, n_words, feats, lo, hi, out):
    """Set ``out`` to the mean of the rows ``feats[lo:hi]`` (zero for none)."""
    dim = out.shape[0]
    for k in range(dim):
        out[k] = 0.0
    for p in range(lo, hi):
        row = _row(word_vecs, ngram_vecs, n_words, feats[p])
        for k in range(dim):
            out[k] += row[k]
    if hi > lo:
        scale = np.float32(1.0 / (hi - lo))
        for k in range(dim):
            out[k] *= scale


@jit
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@jit
def _log_sigmoid(x):
    # log(sigmoid(x)) without overflow for large |x|
    if x >= 0.0:
        return -np.log1p(np.exp(-x))
    return x - np.log1p(np.exp(x))


@jit(inline="always")
def _output_step(out_vecs, j, alpha, hidden, grad, momentum, vel_out):
    """Add ``alpha`` times output row ``j`` to ``grad``, then move the row by ``alpha hidden``
    (plain SGD) or by its heavy-ball velocity (``vel_out``); the gradient reads the row
    before it moves."""
    dim = hidden.shape[0]
    if vel_out is not None:  # momentum
        for k in range(dim):
            grad[k] += alpha * out_vecs[j, k]
        heavy_ball(out_vecs, vel_out, j, alpha, hidden, momentum)
    else:
        for k in range(dim):
            grad[k] += alpha * out_vecs[j, k]
            out_vecs[j, k] += alpha * hidden[k]


@jit(inline="always")
def _binary(out_vecs, node, hidden, positive, lr, grad, momentum, vel_out):
    """Logistic loss of ``node`` with target ``positive``; update its row and ``grad``."""
    dim = hidden.shape[0]
    score = 0.0
    for k in range(dim):
        score += out_vecs[node, k] * hidden[k]
    target = 1.0 if positive else 0.0
    alpha = np.float32(lr * (target - _sigmoid(score)))
    _output_step(out_vecs, node, alpha, hidden, grad, momentum, vel_out)
    return -_log_sigmoid(score if positive else -score)


@jit(inline="always")
def _softmax(out_vecs, hidden, label, lr, grad, scores, momentum, vel_out):
    n_classes, dim = out_vecs.shape
    top = -np.inf
    for j in range(n_classes):
        s = 0.0
        for k in range(dim):
            s += out_vecs[j, k] * hidden[k]
        scores[j] = s
        top = max(top, s)
    total = 0.0
    for j in range(n_classes):
        scores[j] = np.exp(scores[j] - top)
        total += scores[j]
    loss = -np.log(max(scores[label] / total, 1e-300))
    for j in range(n_classes):
        target = 1.0 if j == label else 0.0
        alpha = np.float32(lr * (target - scores[j] / total))
        _output_step(out_vecs, j, alpha, hidden, grad, momentum, vel_out)
    return loss


@jit(inline="always")
def _document(
    loss_kind, d, feat_offsets, feats, n_words, word_vecs, ngram_vecs, out_vecs, label_indptr,
    label_indices, codes, points, code_indptr, lr, hidden, grad, scores, momentum, vel_words,
    vel_ngrams, vel_out,
):  # fmt: skip
    """Train on document ``d`` (which has a feature); return its loss."""
    lo = feat_offsets[d]
    hi = feat_offsets[d + 1]
    dim = hidden.shape[0]
    _mean(word_vecs, ngram_vecs, n_words, feats, lo, hi, hidden)
    for k in range(dim):
        grad[k] = 0.0
    loss = 0.0
    if loss_kind == OVA:
        a = label_indptr[d]
        b = label_indptr[d + 1]
        for j in range(out_vecs.shape[0]):
            positive = False
            for q in range(a, b):
                if label_indices[q] == j:
                    positive = True
            loss += _binary(out_vecs, j, hidden, positive, lr, grad, momentum, vel_out)
    else:
        label = label_indices[label_indptr[d]]
        if loss_kind == HS:
            for q in range(code_indptr[label], code_indptr[label + 1]):
                loss += _binary(
                    out_vecs, points[q], hidden, codes[q] == 0, lr, grad, momentum, vel_out
                )
        else:
            loss = _softmax(out_vecs, hidden, label, lr, grad, scores, momentum, vel_out)
    scale = np.float32(1.0 / (hi - lo))
    for k in range(dim):
        grad[k] *= scale
    if vel_words is not None:  # momentum: every entry takes a heavy-ball step
        mu = np.float32(momentum)
        for p in range(lo, hi):
            row = _row(word_vecs, ngram_vecs, n_words, feats[p])
            vel = _velocity(vel_words, vel_ngrams, n_words, feats[p])
            for k in range(dim):
                v = mu * vel[k] + grad[k]
                vel[k] = v
                row[k] += v
    else:
        for p in range(lo, hi):
            row = _row(word_vecs, ngram_vecs, n_words, feats[p])
            for k in range(dim):
                row[k] += grad[k]
    return loss


@jit
def _chunk(
    loss_kind, c, order, chunk_docs, feat_offsets, feats, n_words, word_vecs, ngram_vecs,
    out_vecs, label_indptr, label_indices, codes, points, code_indptr, lr, hidden, grad, scores,
    momentum, vel_words, vel_ngrams, vel_out,
):  # fmt: skip
    total = 0.0
    n = 0
    for p in range(chunk_docs[c], chunk_docs[c + 1]):
        d = order[p]
        if feat_offsets[d + 1] == feat_offsets[d]:
            continue  # a document without a feature teaches nothing (fastText skips it)
        total += _document(
            loss_kind, d, feat_offsets, feats, n_words, word_vecs, ngram_vecs, out_vecs,
            label_indptr, label_indices, codes, points, code_indptr, lr, hidden, grad, scores,
            momentum, vel_words, vel_ngrams, vel_out,
        )  # fmt: skip
        n += 1
    return total, n


@jit
def supervised_serial(
    loss_kind,  # IN int: SOFTMAX, HS or OVA
    chunk_ids,  # IN int64 (n,): the chunks to train, in this order
    order,  # IN int64 (n_docs,): documents in training order
    chunk_docs,  # IN int64 (n_chunks + 1,): chunk c is order[chunk_docs[c]:chunk_docs[c+1]]
    feat_offsets,  # IN int64 (n_docs + 1,)
    feats,  # IN int32 (n_feats,): feature rows of every document
    n_words,  # IN int: rows below it are word rows
    word_vecs,  # IN/OUT float32 (n_words, dim)
    ngram_vecs,  # IN/OUT float32 (n_ngram_rows, dim)
    out_vecs,  # IN/OUT float32 (n_outputs, dim): classes, or inner nodes for HS
    label_indptr,  # IN int64 (n_docs + 1,)
    label_indices,  # IN int32: class ids of each document (exactly one unless OVA)
    codes,  # IN uint8: HS branches of each class's path (CSR by code_indptr)
    points,  # IN int32: HS inner nodes of each class's path
    code_indptr,  # IN int64 (n_classes + 1,) for HS, else any
    lrs,  # IN float32 (n,): rate of each chunk
    loss_out,  # OUT float64 (n,)
    count_out,  # OUT int64 (n,): documents trained (those with a feature)
    momentum=0.0,  # IN float: heavy-ball coefficient (with the velocities only)
    vel_words=None,  # IN/OUT float32 (n_words, dim) or None: velocities; None: plain SGD
    vel_ngrams=None,  # IN/OUT float32 (n_ngram_rows, dim) or None
    vel_out=None,  # IN/OUT float32 (n_outputs, dim) or None
):
    """Train the chunks ``chunk_ids`` in order, on one thread (reproducible).

    The velocities are given all three or none (see the module docstring).
    """
    dim = word_vecs.shape[1]
    hidden = np.empty(dim, dtype=np.float32)
    grad = np.empty(dim, dtype=np.float32)
    scores = np.empty(out_vecs.shape[0], dtype=np.float64)
    for i in range(chunk_ids.shape[0]):
        loss, n = _chunk(
            loss_kind, chunk_ids[i], order, chunk_docs, feat_offsets, feats, n_words, word_vecs,
            ngram_vecs, out_vecs, label_indptr, label_indices, codes, points, code_indptr,
            lrs[i], hidden, grad, scores, momentum, vel_words, vel_ngrams, vel_out,
        )  # fmt: skip
        loss_out[i] = loss
        count_out[i] = n


@jit(parallel=True)
def supervised_parallel(
    loss_kind, chunk_ids, order, chunk_docs, feat_offsets, feats, n_words, word_vecs,
    ngram_vecs, out_vecs, label_indptr, label_indices, codes, points, code_indptr, lrs,
    loss_out, count_out, momentum=0.0, vel_words=None, vel_ngrams=None, vel_out=None,
):  # fmt: skip
    """Train the chunks ``chunk_ids`` on all numba threads, lock-free (Hogwild).

    The velocities, when given, are shared lock-free as the parameters are.
    """
    dim = word_vecs.shape[1]
    for i in prange(chunk_ids.shape[0]):
        hidden = np.empty(dim, dtype=np.float32)
        grad = np.empty(dim, dtype=np.float32)
        scores = np.empty(out_vecs.shape[0], dtype=np.float64)
        loss, n = _chunk(
            loss_kind, chunk_ids[i], order, chunk_docs, feat_offsets, feats, n_words, word_vecs,
            ngram_vecs, out_vecs, label_indptr, label_indices, codes, points, code_indptr,
            lrs[i], hidden, grad, scores, momentum, vel_words, vel_ngrams, vel_out,
        )  # fmt: skip
        loss_out[i] = loss
        count_out[i] = n


@jit
def mean_rows_serial(
    feat_offsets,  # IN int64 (n_docs + 1,)
    feats,  # IN int32
    n_words,  # IN int
    word_vecs,  # IN float32 (n_words, dim)
    ngram_vecs,  # IN float32 (n_ngram_rows, dim)
    out,  # OUT float32 (n_docs, dim): mean feature row of each document (0 for none)
):
    """Compute every document's hidden vector, on one thread."""
    for d in range(out.shape[0]):
        _mean(word_vecs, ngram_vecs, n_words, feats, feat_offsets[d], feat_offsets[d + 1], out[d])


@jit(parallel=True)
def mean_rows_parallel(feat_offsets, feats, n_words, word_vecs, ngram_vecs, out):
    """Compute every document's hidden vector on all numba threads."""
    for d in prange(out.shape[0]):
        _mean(word_vecs, ngram_vecs, n_words, feats, feat_offsets[d], feat_offsets[d + 1], out[d])


@jit
def document_features(
    doc_offsets,  # IN int64 (n_docs + 1,): token ranges of the documents
    tokens,  # IN int32 (n_tokens,): provisional word ids
    word_row,  # IN int32 (n_provisional,): vocabulary row of each word, or -1
    word_hash,  # IN int32 (n_provisional,): fastText hash of each word
    sub_indptr,  # IN int64 (n_provisional + 1,): character n-gram buckets of each word (CSR)
    sub_buckets,  # IN int64: bucket of each character n-gram
    word_ngrams,  # IN int: longest word n-gram (1: words only)
    bucket,  # IN int: number of hash buckets (> 0 when n-grams are used)
    n_words,  # IN int: bucket b is feature n_words + b
    feat_offsets,  # OUT int64 (n_docs + 1,)
    feats,  # OUT int64 (capacity,): at least tokens + n-grams + char n-grams
):
    """Write each document's features: words, their character n-grams, then word n-grams.

    Every token takes part in the word n-grams (and gets its character
    n-grams), in the vocabulary or not, as in fastText; only vocabulary words
    get a row of their own.  The n-gram hash chains the words' 32-bit hashes,
    sign-extended, as fastText's ``addWordNgrams``.
    """
    pos = 0
    feat_offsets[0] = 0
    for d in range(doc_offsets.shape[0] - 1):
        lo = doc_offsets[d]
        hi = doc_offsets[d + 1]
        for t in range(lo, hi):
            w = tokens[t]
            if word_row[w] >= 0:
                feats[pos] = word_row[w]
                pos += 1
            for q in range(sub_indptr[w], sub_indptr[w + 1]):
                feats[pos] = n_words + sub_buckets[q]
                pos += 1
        for t in range(lo, hi):
            h = np.uint64(np.int64(word_hash[tokens[t]]))
            for j in range(t + 1, min(t + word_ngrams, hi)):
                h = h * _NGRAM_MULT + np.uint64(np.int64(word_hash[tokens[j]]))
                feats[pos] = n_words + np.int64(h % np.uint64(bucket))
                pos += 1
        feat_offsets[d + 1] = pos


@jit
def map_bucket_features(
    feat_offsets,  # IN int64 (n_docs + 1,)
    feats,  # IN int32 or int64 (n_feats,): word rows below n_words, n_words + bucket above
    n_words,  # IN int
    bucket_ids,  # IN int64 (n_rows,): the buckets that have a row, sorted, distinct
    out_offsets,  # OUT int64 (n_docs + 1,)
    out_rows,  # OUT int32 (>= n_feats,): may be ``feats`` itself (int32)
):
    """Turn each document's features into parameter rows; return how many were written.

    A word feature is its own row; bucket ``b`` becomes row ``n_words + i``
    where ``bucket_ids[i] == b`` (a binary search), and a bucket without a row
    is left out.  One pass with nothing but the output: the NumPy way held
    several arrays the size of ``feats`` next to the n-gram rows.  Row ``n`` is
    written after feature ``p >= n`` is read, so ``out_rows`` may be ``feats``.
    """
    n_ids = bucket_ids.shape[0]
    n = 0
    out_offsets[0] = 0
    for d in range(feat_offsets.shape[0] - 1):
        for p in range(feat_offsets[d], feat_offsets[d + 1]):
            f = feats[p]
            if f < n_words:
                out_rows[n] = f
                n += 1
                continue
            b = f - n_words
            lo = 0
            hi = n_ids
            while lo < hi:
                mid = (lo + hi) >> 1
                if bucket_ids[mid] < b:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < n_ids and bucket_ids[lo] == b:
                out_rows[n] = n_words + lo
                n += 1
        out_offsets[d + 1] = n
    return n
