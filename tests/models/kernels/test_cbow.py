import numpy as np
import pytest

from skembed.corpus._encoding import Corpus, make_chunks
from skembed.corpus._huffman import huffman_tree
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _cbow
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference


def _problem(seed=0, n_words=12, dim=6, n_docs=9):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    tokens = rng.zipf(1.5, size=lengths.sum()).clip(1, n_words).astype(np.int32) - 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.bincount(tokens, minlength=n_words) + 1
    syn0 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    syn1_hs = (rng.normal(size=(n_words - 1, dim)) * 0.3).astype(np.float32)
    seg = Corpus(tokens, offsets).segments(max_length=7)
    chunks = make_chunks(seg, target=20)
    return tokens, seg, chunks, counts, syn0, syn1, syn1_hs


# (cbow_mean, cbow_correction): word2vec's mean, the corrected mean, the sum
_POOLINGS = [(True, False), (True, True), (False, False)]


def _no_tree(dim):
    """The (unused) hierarchical-softmax arguments when hs is off."""
    return (np.zeros((0, dim), np.float32), np.zeros(0, np.uint8), np.zeros(0, np.int32),
            np.zeros(1, np.int64))  # fmt: skip


@pytest.mark.parametrize(("negative", "hs"), [(3, False), (0, True), (3, True)])
@pytest.mark.parametrize(
    ("cbow_mean", "correction"), [(True, False), (True, True), (False, False)]
)
@pytest.mark.parametrize(("window", "sample"), [(1, 0.0), (3, 0.0), (3, 0.05)])
def test_serial_kernel_equals_numpy_reference_over_a_full_epoch(
    window, sample, cbow_mean, correction, negative, hs
):
    tokens, seg, chunks, counts, syn0, syn1, syn1_hs = _problem()
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    if not hs:
        syn1_hs, codes, points, indptr = _no_tree(syn0.shape[1])
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n_chunks).astype(np.float32)
    seeds = seed_states(3, n_chunks)
    loss = np.zeros(n_chunks)
    count = np.zeros(n_chunks, np.int64)
    k0, k1, k2 = syn0.copy(), syn1.copy(), syn1_hs.copy()
    _cbow.cbow_serial(0, n_chunks, chunks, seg, tokens, k0, k1, keep, prob, index, window,
                      negative, cbow_mean, correction, hs, k2, codes, points, indptr, lrs, seeds,
                      sig, log_sig, 7, loss, count)  # fmt: skip
    r0, r1, r2 = syn0.copy(), syn1.copy(), syn1_hs.copy()
    ref = reference.cbow_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window, negative,
                               cbow_mean, correction, hs, (r2, codes, points, indptr), lrs,
                               seeds, sig, log_sig)  # fmt: skip
    assert count.tolist() == [n for _, n in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k2, r2, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k0, syn0)  # something was trained
    if negative == 0:
        np.testing.assert_array_equal(k1, syn1)  # negative sampling off


def test_correction_changes_only_the_mean():
    tokens, seg, chunks, counts, syn0, syn1, _ = _problem(seed=2)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    out = {}
    for mean in (True, False):
        for correction in (True, False):
            k0 = syn0.copy()
            _cbow.cbow_serial(0, n, chunks, seg, tokens, k0, syn1.copy(), keep, prob, index, 2,
                              2, mean, correction, False, *_no_tree(6),
                              np.full(n, 0.2, np.float32), seed_states(1, n), sig, log_sig, 7,
                              np.zeros(n), np.zeros(n, np.int64))  # fmt: skip
            out[mean, correction] = k0
    assert not np.allclose(out[True, True], out[True, False])
    np.testing.assert_array_equal(out[False, True], out[False, False])


def test_parallel_kernel_trains_the_same_examples():
    tokens, seg, chunks, counts, syn0, syn1, syn1_hs = _problem(seed=1)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.full(n, 0.1, np.float32)
    seeds = seed_states(5, n)
    counts_out = []
    for kernel in (_cbow.cbow_serial, _cbow.cbow_parallel):
        loss = np.zeros(n)
        count = np.zeros(n, np.int64)
        kernel(0, n, chunks, seg, tokens, syn0.copy(), syn1.copy(), keep, prob, index, 2, 2,
               True, True, True, syn1_hs.copy(), codes, points, indptr, lrs, seeds, sig, log_sig,
               7, loss, count)  # fmt: skip
        counts_out.append(count)
        assert np.all(np.isfinite(loss)) and loss.sum() > 0
    np.testing.assert_array_equal(counts_out[0], counts_out[1])


@pytest.mark.parametrize("n_hot", [0, 3, 12])
@pytest.mark.parametrize("dropout", [None, 0.3])
def test_chunk_with_a_hot_copy_matches_the_plain_chunk(n_hot, dropout, monkeypatch):
    # one thread folding its copy of the frequent output rows back every few centre
    # words trains what the plain chunk trains, up to the rounding of adding
    # (copy - base) back
    monkeypatch.setattr(_cbow, "HOT_SYNC_TOKENS", 4)  # read when the kernel compiles
    tokens, seg, chunks, counts, syn0, syn1, _ = _problem(seed=2)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    tree = _no_tree(syn0.shape[1])
    dim = syn0.shape[1]
    results = []
    for hot in (None, np.empty((n_hot, dim), np.float32)):
        k0, k1 = syn0.copy(), syn1.copy()
        state = np.array([11], np.uint64)
        base = None if hot is None else np.empty_like(hot)
        out = _cbow.cbow_chunk.py_func(
            tokens, seg, 0, len(seg) - 1, k0, k1, keep, prob, index, 3, 4, True, False, False,
            *tree, 0.2, state, sig, log_sig, np.empty(7, np.int32), np.empty(dim, np.float32),
            np.empty(dim, np.float32), dropout=dropout, ctx=np.empty(7, np.int32), hot=hot,
            hot_base=base,
        )  # fmt: skip
        results.append((out, k0, k1))
    (loss_a, n_a), a0, a1 = results[0]
    (loss_b, n_b), b0, b1 = results[1]
    assert n_a == n_b > 0
    np.testing.assert_allclose(loss_b, loss_a, rtol=1e-5)
    np.testing.assert_allclose(b0, a0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b1, a1, rtol=1e-5, atol=1e-6)
    assert not np.allclose(a1, syn1)  # the output rows, the copied ones included, trained


@pytest.mark.parametrize("n_hot", [0, 5])
def test_parallel_kernel_with_hot_copies_trains_every_example(n_hot):
    tokens, seg, chunks, counts, syn0, syn1, _ = _problem(seed=3)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.full(n, 0.1, np.float32)
    seeds = seed_states(5, n)
    tree = _no_tree(syn0.shape[1])
    out = []
    kernels = ((_cbow.cbow_serial, {}), (_cbow.cbow_parallel, {"n_hot": n_hot}))
    for kernel, extra in kernels:
        loss, count = np.zeros(n), np.zeros(n, np.int64)
        k1 = syn1.copy()
        kernel(0, n, chunks, seg, tokens, syn0.copy(), k1, keep, prob, index, 2, 2, True, False,
               False, *tree, lrs, seeds, sig, log_sig, 7, loss, count, **extra)  # fmt: skip
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(k1))
        out.append((count, k1))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    top = max(n_hot, 1)
    assert not np.allclose(out[1][1][:top], syn1[:top])  # the copied rows reached syn1


def test_windows_never_cross_document_boundaries():
    # every kept word of a document of two or more words is one example
    lengths = [5, 1, 0, 8, 3, 2]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    tokens = np.zeros(offsets[-1], np.int32)
    seg = Corpus(tokens, offsets).segments()
    chunks = make_chunks(seg)
    n = len(chunks) - 1
    prob, index = noise_table(np.ones(1), 0.75)
    sig, log_sig = make_tables()
    count = np.zeros(n, np.int64)
    _cbow.cbow_serial(0, n, chunks, seg, tokens, np.zeros((1, 4), np.float32),
                      np.zeros((1, 4), np.float32), np.ones(1, np.float32), prob, index, 1, 1,
                      True, False, False, *_no_tree(4),
                      np.full(n, 0.1, np.float32), seed_states(0, n), sig, log_sig, 10,
                      np.zeros(n), count)  # fmt: skip
    assert count.sum() == sum(m for m in lengths if m > 1)


# ----------------------------------------------------------- gradient of the objective
def _log_sig(x):
    return -np.logaddexp(0.0, -x)


def _preactivations(syn0, syn1, syn1_hs, context, target, cbow_mean, negative, noise, tree):
    """``(f, sign)`` of every term of one CBOW example; its loss is ``-sum log s(sign * f)``.

    Hierarchical softmax: one term per node of the target's path; negative
    sampling: the target, then the (always equal) noise word ``negative``
    times unless it is the target.
    """
    h = syn0[context].sum(axis=0)
    if cbow_mean:
        h = h / len(context)
    f, sign = [], []
    if tree is not None:
        codes, points, indptr = tree
        for j in range(indptr[target], indptr[target + 1]):
            f.append(h @ syn1_hs[points[j]])
            sign.append(1 - 2 * int(codes[j]))
    if negative:
        f.append(h @ syn1[target])
        sign.append(1)
        if target != noise:
            f += [h @ syn1[noise]] * negative
            sign += [-1] * negative
    return np.array(f), np.array(sign)


def _jacobian(fun, x, eps=1e-6):
    """Central differences of a vector function: shape ``fun(x).shape + x.shape``."""
    columns = []
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        columns.append((fun(x + e) - fun(x - e)) / (2 * eps))
    return np.stack(columns, axis=-1).reshape(columns[0].shape + x.shape)


@pytest.mark.parametrize("objective", ["ns", "hs", "both"])
@pytest.mark.parametrize(
    ("cbow_mean", "correction"), [(True, False), (True, True), (False, False)]
)
def test_epoch_steps_along_the_gradient_of_each_example(objective, cbow_mean, correction):
    """With a small rate an epoch moves every weight by -lr times the summed gradients.

    window=1 fixes the examples: each word of the document predicted from its
    neighbours.  The noise distribution is degenerate (always word 4), so the
    objective is a known function.  A context word receives the gradient of
    the pooled vector: the exact gradient when pooling is a sum or the mean
    is corrected, ``n_context`` times the exact one for word2vec's mean.
    """
    rng = np.random.default_rng(0)
    n_words, dim, lr = 5, 4, 1e-4
    doc = np.array([0, 1, 2, 3, 1, 4, 0], np.int32)
    syn0 = rng.normal(size=(n_words, dim)).astype(np.float32) * 0.5
    syn1 = rng.normal(size=(n_words, dim)).astype(np.float32) * 0.5
    syn1_hs = rng.normal(size=(n_words - 1, dim)).astype(np.float32) * 0.5
    tree = huffman_tree([9, 7, 5, 3, 2]) if objective != "ns" else None
    negative = 2 if objective != "hs" else 0
    prob, index = noise_table(np.array([0.0, 0.0, 0.0, 0.0, 1.0]), 1.0)
    sig, log_sig = make_tables()
    codes, points, indptr = tree if tree is not None else _no_tree(dim)[1:]
    k0, k1, k2 = syn0.copy(), syn1.copy(), syn1_hs.copy()
    _cbow.cbow_serial(0, 1, np.array([0, 1], np.int64), np.array([0, len(doc)], np.int64), doc,
                      k0, k1, np.ones(n_words, np.float32), prob, index, 1, negative, cbow_mean,
                      correction, tree is not None, k2, codes, points, indptr,
                      np.full(1, lr, np.float32), seed_states(0, 1), sig, log_sig, len(doc),
                      np.zeros(1), np.zeros(1, np.int64))  # fmt: skip

    weights = [a.astype(np.float64) for a in (syn0, syn1, syn1_hs)]
    expected = [np.zeros_like(p) for p in weights]
    bound = [np.zeros_like(p) for p in weights]
    wrong = np.zeros_like(weights[0])  # the input update of the other convention
    for i in range(len(doc)):
        context = [doc[j] for j in (i - 1, i + 1) if 0 <= j < len(doc)]
        scale = len(context) if cbow_mean and not correction else 1
        for p in range(3):

            def terms(x, p=p, context=context, i=i):
                args = [x if q == p else weights[q] for q in range(3)]
                return _preactivations(*args, context, doc[i], cbow_mean, negative, 4, tree)

            f, sign = terms(weights[p])
            jac = _jacobian(lambda x, terms=terms: terms(x)[0], weights[p])
            # d/dx of -log s(sign f) is -sign * s(-sign f) * df/dx
            grad = np.tensordot(-sign / (1.0 + np.exp(sign * f)), jac, axes=1)
            # the table's sigmoid is within 0.0016 of the exact one, in every term
            abs_sum = np.abs(jac).sum(axis=0)
            if p == 0:
                expected[0] -= lr * scale * grad
                wrong -= lr * (len(context) if scale == 1 else 1) * grad
                bound[0] += lr * scale * 0.0016 * abs_sum
            else:
                expected[p] -= lr * grad
                bound[p] += lr * 0.0016 * abs_sum
    # plus the examples' interaction (each sees the earlier updates): order lr**2
    slack = lr**2 * 10 * len(doc) + 1e-7
    for p, kernel_weights in enumerate((k0, k1, k2)):
        delta = kernel_weights - weights[p]
        assert np.all(np.abs(delta - expected[p]) <= bound[p] + slack)
    if cbow_mean:  # the test tells the two conventions apart
        assert np.any(np.abs(k0 - weights[0] - wrong) > 10 * (bound[0] + slack))
