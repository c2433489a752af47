import numpy as np
import pytest

from skembed.corpus._encoding import Corpus, make_chunks
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels._negative import negative_sampling_update
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import sample_alias, seed_states
from tests import reference


def _problem(seed=0, n_words=12, dim=6, n_docs=9):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    tokens = rng.zipf(1.5, size=lengths.sum()).clip(1, n_words).astype(np.int32) - 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.bincount(tokens, minlength=n_words) + 1
    syn0 = ((rng.random((n_words, dim)) - 0.5) / dim).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    seg = Corpus(tokens, offsets).segments(max_length=7)
    chunks = make_chunks(seg, target=20)
    return tokens, seg, chunks, counts, syn0, syn1


@pytest.mark.parametrize("sample", [0.0, 0.05])
@pytest.mark.parametrize("window", [1, 3])
def test_serial_kernel_equals_numpy_reference_over_a_full_epoch(sample, window):
    tokens, seg, chunks, counts, syn0, syn1 = _problem()
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n_chunks).astype(np.float32)
    seeds = seed_states(3, n_chunks)
    loss = np.zeros(n_chunks)
    count = np.zeros(n_chunks, np.int64)
    k0, k1 = syn0.copy(), syn1.copy()
    reference.sgns_serial(0, n_chunks, chunks, seg, tokens, k0, k1, keep, prob, index, window, 3,
                      lrs, seeds, sig, log_sig, 7, loss, count)  # fmt: skip
    r0, r1 = syn0.copy(), syn1.copy()
    ref = reference.sgns_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window, 3, lrs,
                               seeds, sig, log_sig)  # fmt: skip
    assert count.tolist() == [n for _, n in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k0, syn0)  # something was trained


def test_parallel_kernel_trains_the_same_pairs():
    tokens, seg, chunks, counts, syn0, syn1 = _problem(seed=1)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.full(n, 0.1, np.float32)
    seeds = seed_states(5, n)
    counts_out = []
    for kernel in (reference.sgns_serial, reference.sgns_parallel):
        loss = np.zeros(n)
        count = np.zeros(n, np.int64)
        kernel(0, n, chunks, seg, tokens, syn0.copy(), syn1.copy(), keep, prob, index, 2, 2,
               lrs, seeds, sig, log_sig, 7, loss, count)  # fmt: skip
        counts_out.append(count)
        assert np.all(np.isfinite(loss))
    np.testing.assert_array_equal(counts_out[0], counts_out[1])


def test_windows_never_cross_document_boundaries():
    # window=1 always has reach 1: a document of n tokens gives 2 (n - 1) pairs
    lengths = [5, 1, 0, 8, 3]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    tokens = np.zeros(offsets[-1], np.int32)
    seg = Corpus(tokens, offsets).segments()
    chunks = make_chunks(seg)
    n = len(chunks) - 1
    keep = np.ones(1, np.float32)
    prob, index = noise_table(np.ones(1), 0.75)
    sig, log_sig = make_tables()
    count = np.zeros(n, np.int64)
    reference.sgns_serial(0, n, chunks, seg, tokens, np.zeros((1, 4), np.float32),
                      np.zeros((1, 4), np.float32), keep, prob, index, 1, 1,
                      np.full(n, 0.1, np.float32), seed_states(0, n), sig, log_sig, 10,
                      np.zeros(n), count)  # fmt: skip
    assert count.sum() == sum(2 * (m - 1) for m in lengths if m > 0)


def _objective(h, out_pos, out_neg):
    def log_sig(x):
        return -np.logaddexp(0.0, -x)

    return -log_sig(h @ out_pos) - log_sig(-(h @ out_neg))


def test_update_follows_the_gradient_of_the_objective():
    """One update with a small rate moves h and the output rows along minus the gradient."""
    rng = np.random.default_rng(0)
    dim = 5
    h = rng.normal(size=dim).astype(np.float32)
    syn1 = rng.normal(size=(3, dim)).astype(np.float32)
    # a degenerate noise distribution makes the noise word known: always word 2
    prob, index = noise_table(np.array([0.0, 0.0, 1.0]), 1.0)
    sig, log_sig = make_tables()
    lr = 1e-3
    grad = np.zeros(dim, np.float32)
    before = syn1.copy()
    loss = negative_sampling_update(h, syn1, 0, 1, lr, prob, index,
                                    np.array([1], np.uint64), sig, log_sig, grad)  # fmt: skip
    h64, pos, neg = (
        h.astype(np.float64),
        before[0].astype(np.float64),
        before[2].astype(np.float64),
    )
    assert loss == pytest.approx(_objective(h64, pos, neg), abs=0.01)
    eps = 1e-6

    def numeric(fun, x):
        g = np.zeros_like(x)
        for k in range(len(x)):
            e = np.zeros_like(x)
            e[k] = eps
            g[k] = (fun(x + e) - fun(x - e)) / (2 * eps)
        return g

    g_h = numeric(lambda x: _objective(x, pos, neg), h64)
    g_pos = numeric(lambda x: _objective(h64, x, neg), pos)
    g_neg = numeric(lambda x: _objective(h64, pos, x), neg)
    # the table's sigmoid is within 0.0016 of the exact one: scale the tolerance by it
    tol = 0.0016 * lr * (np.abs(pos) + np.abs(neg) + np.abs(h64)) * 2 + 1e-9
    np.testing.assert_allclose(grad, -lr * g_h, atol=tol.max())
    np.testing.assert_allclose(syn1[0] - before[0], -lr * g_pos, atol=tol.max())
    np.testing.assert_allclose(syn1[2] - before[2], -lr * g_neg, atol=tol.max())
    np.testing.assert_array_equal(syn1[1], before[1])  # untouched row


@pytest.mark.parametrize("n_hot", [None, 0, 2, 5])
def test_scored_update_equals_the_one_by_one_update(n_hot):
    # scoring every word before any row moves gives the one-by-one update: a tiny
    # vocabulary and many noise words make repeated noise words (rescored) common
    from skembed.models._kernels._negative import negative_sampling_update_scored

    rng = np.random.default_rng(8)
    n_words, dim, negative = 5, 6, 9
    counts = rng.integers(1, 50, n_words)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    words, scores = np.empty(negative + 1, np.int64), np.empty(negative + 1, np.float32)
    repeats = 0
    for call in range(60):
        target = call % n_words
        h = rng.normal(size=dim).astype(np.float32)
        syn1 = (rng.normal(size=(n_words, dim)) * 0.5).astype(np.float32)
        plain, scored = syn1.copy(), syn1.copy()
        hot = None if n_hot is None else scored[:n_hot].copy()
        g_plain, g_scored = np.zeros(dim, np.float32), np.zeros(dim, np.float32)
        s_plain, s_scored = np.array([91 + call], np.uint64), np.array([91 + call], np.uint64)
        loss_plain = negative_sampling_update(h, plain, target, negative, 0.4, prob, index,
                                              s_plain, sig, log_sig, g_plain)  # fmt: skip
        loss_scored = negative_sampling_update_scored(
            h, scored, target, negative, 0.4, prob, index, s_scored, sig, log_sig, g_scored,
            words, scores, hot,
        )  # fmt: skip
        if hot is not None:
            np.testing.assert_array_equal(scored[:n_hot], syn1[:n_hot])  # only the copy moved
            scored[:n_hot] = hot
        assert s_scored[0] == s_plain[0]  # the same draws
        np.testing.assert_allclose(loss_scored, loss_plain, rtol=1e-6)
        np.testing.assert_allclose(g_scored, g_plain, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(scored, plain, rtol=1e-5, atol=1e-7)
        replay = np.array([91 + call], np.uint64)
        noise = [sample_alias(replay, prob, index) for _ in range(negative)]
        noise = [w for w in noise if w != target]
        repeats += len(noise) > len(set(noise))
        assert not np.array_equal(plain, syn1)
    assert repeats > 10  # the rescoring of a repeated noise word was exercised


@pytest.mark.parametrize("n_hot", [0, 3, 12])
def test_chunk_with_a_hot_copy_matches_the_plain_chunk(n_hot, monkeypatch):
    # one thread folding its copy back every few centre words trains what the plain chunk
    # trains, up to the rounding of adding (copy - base) back
    from skembed.models._kernels import _sgns

    monkeypatch.setattr(_sgns, "HOT_SYNC_TOKENS", 4)  # read when the kernel compiles
    tokens, seg, chunks, counts, syn0, syn1 = _problem(seed=2)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    tree = reference._no_tree(syn0.shape[1])
    results = []
    for hot in (None, np.empty((n_hot, syn1.shape[1]), np.float32)):
        k0, k1 = syn0.copy(), syn1.copy()
        state = np.array([11], np.uint64)
        base = None if hot is None else np.empty_like(hot)
        out = _sgns.skipgram_chunk.py_func(
            tokens, seg, 0, len(seg) - 1, k0, k1, keep, prob, index, 3, 4, False, *tree, 0.2,
            state, sig, log_sig, np.empty(7, np.int32), np.empty(syn0.shape[1], np.float32),
            hot=hot, hot_base=base,
        )  # fmt: skip
        results.append((out, k0, k1))
    (loss_a, pairs_a), a0, a1 = results[0]
    (loss_b, pairs_b), b0, b1 = results[1]
    assert pairs_a == pairs_b > 0
    np.testing.assert_allclose(loss_b, loss_a, rtol=1e-5)
    np.testing.assert_allclose(b0, a0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b1, a1, rtol=1e-5, atol=1e-6)
    assert not np.allclose(a1, syn1)  # the output rows, the copied ones included, trained


@pytest.mark.parametrize("n_hot", [0, 5])
def test_parallel_kernel_with_hot_copies_trains_every_pair(n_hot):
    from skembed.models._kernels import _sgns

    tokens, seg, chunks, counts, syn0, syn1 = _problem(seed=3)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.full(n, 0.1, np.float32)
    seeds = seed_states(5, n)
    tree = reference._no_tree(syn0.shape[1])
    out = []
    kernels = ((_sgns.skipgram_serial, {}), (_sgns.skipgram_parallel, {"n_hot": n_hot}))
    for kernel, extra in kernels:
        loss, count = np.zeros(n), np.zeros(n, np.int64)
        k1 = syn1.copy()
        kernel(0, n, chunks, seg, tokens, syn0.copy(), k1, keep, prob, index, 2, 2, False,
               *tree, lrs, seeds, sig, log_sig, 7, loss, count, **extra)  # fmt: skip
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(k1))
        out.append((count, k1))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    top = max(n_hot, 1)
    assert not np.allclose(out[1][1][:top], syn1[:top])  # the copied rows reached syn1


def test_hot_rows_cover_a_small_vocabulary_and_bound_the_copies():
    # every output row of a small vocabulary gets a per-thread copy; a large one only as
    # many as HOT_BYTES holds (a copy and its base), so a fold stays cheap
    from skembed.models._kernels import _sgns

    assert _sgns.hot_rows(5000, 100) == 5000
    for n_words, dim in [(10**6, 300), (10**5, 100), (10**6, 1)]:
        n_hot = _sgns.hot_rows(n_words, dim)
        assert 0 < n_hot < n_words
        assert n_hot * 8 * dim <= _sgns.HOT_BYTES
    assert _sgns.hot_rows(0, 100) == 0
