import numpy as np
import pytest

from skembed.corpus._encoding import Corpus, make_chunks
from skembed.corpus._huffman import huffman_tree
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _doc2vec
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference


def _no_tree(dim):
    return (np.zeros((0, dim), np.float32), np.zeros(0, np.uint8), np.zeros(0, np.int32),
            np.zeros(1, np.int64))  # fmt: skip


def _problem(seed=0, n_words=12, dim=6, n_docs=9):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    tokens = rng.zipf(1.5, size=lengths.sum()).clip(1, n_words).astype(np.int32) - 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.bincount(tokens, minlength=n_words) + 1
    syn0 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    dv = (rng.normal(size=(n_docs, dim)) * 0.3).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    syn1_hs = (rng.normal(size=(n_words - 1, dim)) * 0.3).astype(np.float32)
    corpus = Corpus(tokens, offsets)
    seg = corpus.segments(max_length=7)
    # the document of each segment: pieces of one document share its row
    seg_rows = np.searchsorted(offsets, seg[:-1], side="right").astype(np.int64) - 1
    chunks = make_chunks(seg, target=20)
    return tokens, offsets, seg, seg_rows, chunks, counts, syn0, dv, syn1, syn1_hs


MODES = [  # (dm, dm_mean, dbow_words)
    (True, True, False),
    (True, False, False),
    (False, False, False),
    (False, False, True),
]


@pytest.mark.parametrize(("negative", "hs"), [(3, False), (0, True), (2, True)])
@pytest.mark.parametrize(("dm", "dm_mean", "dbow_words"), MODES)
@pytest.mark.parametrize(("window", "sample"), [(1, 0.0), (3, 0.05)])
def test_serial_kernel_equals_numpy_reference_over_a_full_epoch(
    window, sample, dm, dm_mean, dbow_words, negative, hs
):
    tokens, offsets, seg, seg_rows, chunks, counts, syn0, dv, syn1, syn1_hs = _problem()
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    if not hs:
        syn1_hs, codes, points, indptr = _no_tree(syn0.shape[1])
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n).astype(np.float32)
    seeds = seed_states(3, n)
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    k = [a.copy() for a in (syn0, dv, syn1, syn1_hs)]
    _doc2vec.doc2vec_serial(0, n, chunks, seg, seg_rows, tokens, k[0], k[1], k[2], keep, prob,
                            index, window, negative, hs, k[3], codes, points, indptr, dm, dm_mean,
                            dbow_words, lrs, seeds, sig, log_sig, 7, loss, count)  # fmt: skip
    r = [a.copy() for a in (syn0, dv, syn1, syn1_hs)]
    ref = reference.doc2vec_epoch(tokens, seg, seg_rows, chunks, r[0], r[1], r[2], keep, prob,
                                  index, window, negative, hs, (r[3], codes, points, indptr), dm,
                                  dm_mean, dbow_words, lrs, seeds, sig, log_sig)  # fmt: skip
    assert count.tolist() == [x for _, x in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    for mine, theirs in zip(k, r, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k[1], dv)  # the document vectors were trained
    if not dm and not dbow_words:
        np.testing.assert_array_equal(k[0], syn0)  # plain PV-DBOW leaves the words alone
    else:
        assert not np.allclose(k[0], syn0)


def test_parallel_kernel_trains_the_same_examples():
    tokens, offsets, seg, seg_rows, chunks, counts, syn0, dv, syn1, syn1_hs = _problem(seed=1)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    counts_out = []
    for kernel in (_doc2vec.doc2vec_serial, _doc2vec.doc2vec_parallel):
        loss, count = np.zeros(n), np.zeros(n, np.int64)
        kernel(0, n, chunks, seg, seg_rows, tokens, syn0.copy(), dv.copy(), syn1.copy(), keep,
               prob, index, 2, 2, True, syn1_hs.copy(), codes, points, indptr, False, False,
               True, np.full(n, 0.1, np.float32), seed_states(5, n), sig, log_sig, 7, loss,
               count)  # fmt: skip
        counts_out.append(count)
        assert np.all(np.isfinite(loss)) and loss.sum() > 0
    np.testing.assert_array_equal(counts_out[0], counts_out[1])


@pytest.mark.parametrize(("negative", "hs"), [(3, False), (0, True), (2, True)])
@pytest.mark.parametrize(("dm", "dm_mean"), [(True, True), (True, False), (False, False)])
def test_inference_equals_numpy_reference_and_freezes_every_other_row(negative, hs, dm, dm_mean):
    tokens, offsets, _, _, _, counts, syn0, _, syn1, syn1_hs = _problem(seed=4)
    offsets = np.insert(offsets, 3, offsets[3])  # an empty document
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    if not hs:
        syn1_hs, codes, points, indptr = _no_tree(syn0.shape[1])
    sig, log_sig = make_tables()
    frozen = [a.copy() for a in (syn0, syn1, syn1_hs)]
    out = np.empty((len(offsets) - 1, syn0.shape[1]), np.float32)
    _doc2vec.infer_serial(tokens, offsets, out, syn0, syn1, keep, prob, index, 3, negative, hs,
                          syn1_hs, codes, points, indptr, dm, dm_mean, 4, 0.3, 0.01,
                          np.uint64(77), sig)  # fmt: skip
    for before, after in zip(frozen, (syn0, syn1, syn1_hs), strict=True):
        np.testing.assert_array_equal(before, after)
    states = [
        _doc2vec.document_seed(tokens, offsets[d], offsets[d + 1], np.uint64(77))
        for d in range(len(offsets) - 1)
    ]
    ref = reference.doc2vec_infer(tokens, offsets, states, syn0, syn1, keep, prob, index, 3,
                                  negative, hs, (syn1_hs, codes, points, indptr), dm, dm_mean, 4,
                                  0.3, 0.01, sig, log_sig)  # fmt: skip
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-6)
    empty = np.diff(offsets) == 0
    assert empty.any() and not out[empty].any()  # a document with no word gets zeros
    assert np.abs(out[~empty]).max() > 0.05  # and the others moved from their start


def test_inference_is_the_same_in_any_batch_and_on_any_thread_count():
    tokens, offsets, _, _, _, counts, syn0, _, syn1, _ = _problem(seed=5, n_docs=40)
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    sig, _ = make_tables()
    tree = _no_tree(syn0.shape[1])

    def infer(kernel, tok, off):
        out = np.empty((len(off) - 1, syn0.shape[1]), np.float32)
        kernel(tok, off, out, syn0, syn1, keep, prob, index, 2, 3, False, *tree, True, True, 5,
               0.1, 0.001, np.uint64(3), sig)  # fmt: skip
        return out

    whole = infer(_doc2vec.infer_serial, tokens, offsets)
    np.testing.assert_array_equal(infer(_doc2vec.infer_parallel, tokens, offsets), whole)
    order = np.random.default_rng(0).permutation(len(offsets) - 1)[:15]
    sub = Corpus(tokens, offsets).subset(order)
    np.testing.assert_array_equal(infer(_doc2vec.infer_serial, sub.tokens, sub.offsets),
                                  whole[order])  # fmt: skip


def test_document_seed_depends_on_the_ids_and_the_base():
    a = np.array([1, 2, 3], np.int32)
    b = np.array([3, 2, 1], np.int32)
    seeds = {
        int(_doc2vec.document_seed(a, 0, 3, np.uint64(0))),
        int(_doc2vec.document_seed(b, 0, 3, np.uint64(0))),
        int(_doc2vec.document_seed(a, 0, 3, np.uint64(1))),
        int(_doc2vec.document_seed(a, 0, 2, np.uint64(0))),
    }
    assert len(seeds) == 4 and 0 not in seeds


# ----------------------------------------------------------- gradient of the objective
def _jacobian(fun, x, eps=1e-6):
    columns = []
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        columns.append((fun(x + e) - fun(x - e)) / (2 * eps))
    return np.stack(columns, axis=-1).reshape(columns[0].shape + x.shape)


@pytest.mark.parametrize(("dm", "dm_mean"), [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("objective", ["ns", "hs"])
def test_epoch_steps_along_the_gradient_of_each_example(dm, dm_mean, objective):
    """With a small rate an epoch moves every weight by -lr times the summed gradients.

    window=1 fixes the examples and the noise is always word 4.  With the
    mean, an input (document or context word) receives the gradient of the
    pooled vector, ``n_inputs`` times its exact gradient (word2vec's CBOW rule).
    """
    rng = np.random.default_rng(0)
    n_words, dim, lr = 5, 4, 1e-4
    doc = np.array([0, 1, 2, 3, 1, 4, 0], np.int32)
    syn0 = rng.normal(size=(n_words, dim)) * 0.5
    dv = rng.normal(size=(1, dim)) * 0.5
    syn1 = rng.normal(size=(n_words, dim)) * 0.5
    syn1_hs = rng.normal(size=(n_words - 1, dim)) * 0.5
    tree = huffman_tree([9, 7, 5, 3, 2]) if objective == "hs" else None
    negative = 2 if objective == "ns" else 0
    prob, index = noise_table(np.array([0.0, 0.0, 0.0, 0.0, 1.0]), 1.0)
    sig, log_sig = make_tables()
    codes, points, indptr = tree if tree is not None else _no_tree(dim)[1:]
    weights = [syn0, dv, syn1, syn1_hs]
    k = [w.astype(np.float32) for w in weights]
    _doc2vec.doc2vec_serial(0, 1, np.array([0, 1], np.int64), np.array([0, len(doc)], np.int64),
                            np.zeros(1, np.int64), doc, k[0], k[1], k[2],
                            np.ones(n_words, np.float32), prob, index, 1, negative,
                            tree is not None, k[3], codes, points, indptr, dm, dm_mean, False,
                            np.full(1, lr, np.float32), seed_states(0, 1), sig, log_sig, len(doc),
                            np.zeros(1), np.zeros(1, np.int64))  # fmt: skip
    weights = [w.astype(np.float32).astype(np.float64) for w in weights]

    def example_loss(params, i):
        s0, d, s1, s1hs = params
        context = [doc[j] for j in (i - 1, i + 1) if 0 <= j < len(doc)] if dm else []
        h = d[0] + sum((s0[w] for w in context), np.zeros(dim))
        if dm and dm_mean:
            h = h / (len(context) + 1)
        total = 0.0
        if tree is not None:
            for j in range(indptr[doc[i]], indptr[doc[i] + 1]):
                total -= -np.logaddexp(0, -(1 - 2 * int(codes[j])) * (h @ s1hs[points[j]]))
        if negative:
            total -= -np.logaddexp(0, -(h @ s1[doc[i]]))
            if doc[i] != 4:
                total -= negative * -np.logaddexp(0, h @ s1[4])
        return total, len(context) + 1

    expected = [np.zeros_like(w) for w in weights]
    for i in range(len(doc)):
        _, n_inputs = example_loss(weights, i)
        scale = n_inputs if dm and dm_mean else 1
        for p in range(4):

            def f(x, p=p, i=i):
                params = [x if q == p else weights[q] for q in range(4)]
                return np.array(example_loss(params, i)[0])

            grad = _jacobian(f, weights[p])
            expected[p] -= lr * (scale if p in (0, 1) else 1) * grad
    for p in range(4):
        delta = k[p] - weights[p]
        # the table's sigmoid is within 0.0016 of the exact one; float32 rounding below that
        tol = 0.03 * np.abs(expected[p]).max() + 2e-7
        assert np.abs(delta - expected[p]).max() <= tol, p
    assert np.abs(expected[1]).max() > 1e-5  # the document vector had a gradient
