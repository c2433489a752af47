import numpy as np
import pytest

from skembed.corpus._encoding import Corpus, make_chunks
from skembed.corpus._huffman import huffman_tree
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _sgns
from skembed.models._kernels._hsoftmax import hierarchical_softmax_update
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference


def _problem(seed=0, n_words=12, dim=6, n_docs=9):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    tokens = rng.zipf(1.5, size=lengths.sum()).clip(1, n_words).astype(np.int32) - 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.bincount(tokens, minlength=n_words) + 1
    syn0 = ((rng.random((n_words, dim)) - 0.5) / dim).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    syn1_hs = (rng.normal(size=(n_words - 1, dim)) * 0.3).astype(np.float32)
    seg = Corpus(tokens, offsets).segments(max_length=7)
    chunks = make_chunks(seg, target=20)
    return tokens, seg, chunks, counts, syn0, syn1, syn1_hs


@pytest.mark.parametrize("negative", [0, 3])
@pytest.mark.parametrize(("window", "sample"), [(1, 0.0), (3, 0.0), (3, 0.05)])
def test_skipgram_serial_kernel_equals_numpy_reference_over_a_full_epoch(window, sample, negative):
    tokens, seg, chunks, counts, syn0, syn1, syn1_hs = _problem()
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n_chunks).astype(np.float32)
    seeds = seed_states(3, n_chunks)
    loss = np.zeros(n_chunks)
    count = np.zeros(n_chunks, np.int64)
    k0, k1, k2 = syn0.copy(), syn1.copy(), syn1_hs.copy()
    _sgns.skipgram_serial(0, n_chunks, chunks, seg, tokens, k0, k1, keep, prob, index, window,
                          negative, True, k2, codes, points, indptr, lrs, seeds, sig, log_sig,
                          7, loss, count)  # fmt: skip
    r0, r1, r2 = syn0.copy(), syn1.copy(), syn1_hs.copy()
    ref = reference.skipgram_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window,
                                   negative, True, (r2, codes, points, indptr), lrs, seeds, sig,
                                   log_sig)  # fmt: skip
    assert count.tolist() == [n for _, n in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k2, r2, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k2, syn1_hs)
    if negative == 0:
        np.testing.assert_array_equal(k1, syn1)


def test_skipgram_without_hs_is_the_negative_sampling_kernel():
    tokens, seg, chunks, counts, syn0, syn1, _ = _problem(seed=3)
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.full(n, 0.2, np.float32)
    seeds = seed_states(7, n)
    results = []
    for hs_args in (None, (np.zeros((0, 6), np.float32), np.zeros(0, np.uint8),
                           np.zeros(0, np.int32), np.zeros(1, np.int64))):  # fmt: skip
        k0, k1, loss = syn0.copy(), syn1.copy(), np.zeros(n)
        common = (chunks, seg, tokens, k0, k1, keep, prob, index, 2, 3)
        tail = (lrs, seeds, sig, log_sig, 7, loss, np.zeros(n, np.int64))
        if hs_args is None:
            reference.sgns_serial(0, n, *common, *tail)
        else:
            _sgns.skipgram_serial(0, n, *common, False, *hs_args, *tail)
        results.append((k0, k1, loss))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_parallel_skipgram_kernel_trains_the_same_pairs():
    tokens, seg, chunks, counts, syn0, syn1, syn1_hs = _problem(seed=1)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    codes, points, indptr = huffman_tree(counts)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.full(n, 0.1, np.float32)
    seeds = seed_states(5, n)
    counts_out = []
    for kernel in (_sgns.skipgram_serial, _sgns.skipgram_parallel):
        loss = np.zeros(n)
        count = np.zeros(n, np.int64)
        kernel(0, n, chunks, seg, tokens, syn0.copy(), syn1.copy(), keep, prob, index, 2, 0,
               True, syn1_hs.copy(), codes, points, indptr, lrs, seeds, sig, log_sig, 7, loss,
               count)  # fmt: skip
        counts_out.append(count)
        assert np.all(np.isfinite(loss)) and loss.sum() > 0
    np.testing.assert_array_equal(counts_out[0], counts_out[1])


def test_untrained_tree_costs_log_2_per_node_of_the_path():
    # zero node vectors make every node a fair coin: a pair predicting word w
    # costs len(path(w)) * log 2 (the table's bin next to 0: within 0.01)
    tokens, seg, chunks, counts, syn0, _, syn1_hs = _problem(seed=4)
    codes, points, indptr = huffman_tree(counts)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    loss = np.zeros(n)
    _sgns.skipgram_serial(0, n, chunks, seg, tokens, syn0, np.zeros((0, 6), np.float32),
                          np.ones(12, np.float32), np.ones(1), np.zeros(1, np.int32), 1, 0, True,
                          np.zeros_like(syn1_hs), codes, points, indptr, np.zeros(n, np.float32),
                          seed_states(1, n), sig, log_sig, 7, loss,
                          np.zeros(n, np.int64))  # fmt: skip
    length = np.diff(indptr)
    expected = 0
    for s in range(len(seg) - 1):
        sent = tokens[seg[s] : seg[s + 1]]
        for i, w in enumerate(sent):  # window=1: one pair per neighbour
            expected += length[w] * ((i > 0) + (i < len(sent) - 1))
    assert loss.sum() == pytest.approx(-expected * log_sig[len(log_sig) // 2], rel=1e-6)
    assert loss.sum() == pytest.approx(expected * np.log(2), rel=0.01)


def _objective(h, syn1_hs, path_codes, path_points):
    def log_sig(x):
        return -np.logaddexp(0.0, -x)

    signs = 1 - 2 * path_codes.astype(np.float64)
    return -log_sig(signs * (syn1_hs[path_points] @ h)).sum()


def test_update_follows_the_gradient_of_the_objective():
    """One update with a small rate moves h and the path's nodes along minus the gradient."""
    rng = np.random.default_rng(0)
    dim, n_words = 5, 6
    h = rng.normal(size=dim).astype(np.float32)
    syn1_hs = rng.normal(size=(n_words - 1, dim)).astype(np.float32) * 0.5
    codes, points, indptr = huffman_tree([10, 6, 4, 3, 2, 1])
    target = 5  # the rarest word: the longest path, both branches taken on it
    lo, hi = indptr[target], indptr[target + 1]
    path_codes, path_points = codes[lo:hi], points[lo:hi]
    assert hi - lo >= 3 and 0 < path_codes.sum() < hi - lo
    sig, log_sig = make_tables()
    lr = 1e-3
    grad = np.zeros(dim, np.float32)
    before = syn1_hs.copy()
    loss = hierarchical_softmax_update(h, syn1_hs, target, codes, points, indptr, lr, sig,
                                       log_sig, grad)  # fmt: skip
    h64, v64 = h.astype(np.float64), before.astype(np.float64)
    assert loss == pytest.approx(_objective(h64, v64, path_codes, path_points), abs=0.01)
    eps = 1e-6

    def numeric(fun, x):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[idx] = eps
            g[idx] = (fun(x + e) - fun(x - e)) / (2 * eps)
        return g

    g_h = numeric(lambda x: _objective(x, v64, path_codes, path_points), h64)
    g_v = numeric(lambda x: _objective(h64, x, path_codes, path_points), v64)
    # the table's sigmoid is within 0.0016 of the exact one, once per node of the path
    tol_h = 0.0016 * lr * np.abs(v64[path_points]).sum(axis=0) + 1e-9
    tol_v = 0.0016 * lr * np.abs(h64).max() + 1e-9
    np.testing.assert_array_less(np.abs(grad - -lr * g_h), tol_h)
    np.testing.assert_array_less(np.abs((syn1_hs - before) - -lr * g_v), tol_v)
    off_path = np.setdiff1d(np.arange(n_words - 1), path_points)
    np.testing.assert_array_equal(syn1_hs[off_path], before[off_path])  # untouched rows
    # flipping the code (or its sign convention) moves the other way: the check can fail
    assert np.abs(grad - lr * g_h).max() > 10 * tol_h.max()
