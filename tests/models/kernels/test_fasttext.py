import numpy as np
import pytest

from skembed.corpus._encoding import Corpus, make_chunks
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _fasttext
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference

MODES = {"skipgram": _fasttext.SKIPGRAM, "cbow": _fasttext.CBOW}


def _subword_table(n_words, n_buckets, rng):
    """Own row first, then 0-5 bucket rows (duplicates possible, some words with none)."""
    lists = []
    for w in range(n_words):
        ngrams = rng.integers(n_words, n_words + n_buckets, size=rng.integers(0, 6))
        lists.append([w, *ngrams.tolist()])
    indptr = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)
    return indptr, np.concatenate(lists).astype(np.int32)


def _problem(seed=0, n_words=12, n_buckets=7, dim=6, n_docs=9):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    tokens = rng.zipf(1.5, size=lengths.sum()).clip(1, n_words).astype(np.int32) - 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.bincount(tokens, minlength=n_words) + 1
    indptr, indices = _subword_table(n_words, n_buckets, rng)
    syn0 = ((rng.random((n_words + n_buckets, dim)) - 0.5) / dim).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    seg = Corpus(tokens, offsets).segments(max_length=7)
    chunks = make_chunks(seg, target=20)
    return tokens, seg, chunks, counts, indptr, indices, syn0, syn1


def _run(kernel, mode, problem, keep, prob, index, window, negative, lrs, seeds):
    tokens, seg, chunks, _, indptr, indices, syn0, syn1 = problem
    n = len(chunks) - 1
    sig, log_sig = make_tables()
    loss = np.zeros(n)
    count = np.zeros(n, np.int64)
    shift = np.empty(len(indptr) - 1, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    kernel(mode, 0, n, chunks, seg, tokens, indptr, indices, shift, syn0, syn1, keep, prob,
           index, window, negative, lrs, seeds, sig, log_sig, 7, loss, count)  # fmt: skip
    return loss, count


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize("sample", [0.0, 0.05])
@pytest.mark.parametrize("window", [1, 3])
def test_serial_kernel_equals_fasttext_reference_over_a_full_epoch(algorithm, sample, window):
    problem = _problem()
    tokens, seg, chunks, counts, indptr, indices, syn0, syn1 = problem
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n_chunks).astype(np.float32)
    seeds = seed_states(3, n_chunks)
    k0, k1 = syn0.copy(), syn1.copy()
    loss, count = _run(_fasttext.fasttext_serial, MODES[algorithm],
                       (tokens, seg, chunks, counts, indptr, indices, k0, k1), keep, prob, index,
                       window, 3, lrs, seeds)  # fmt: skip
    r0, r1 = syn0.copy(), syn1.copy()
    ref = reference.fasttext_epoch(algorithm, tokens, seg, chunks, indptr, indices, r0, r1, keep,
                                   prob, index, window, 3, lrs, seeds, sig, log_sig)  # fmt: skip
    assert count.tolist() == [n for _, n in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    # word rows and bucket rows were both trained
    assert not np.allclose(k0[:12], syn0[:12]) and not np.allclose(k0[12:], syn0[12:])


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_parallel_kernel_trains_the_same_examples(algorithm):
    problem = _problem(seed=1)
    counts = problem[3]
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    n = len(problem[2]) - 1
    lrs = np.full(n, 0.1, np.float32)
    seeds = seed_states(5, n)
    results = []
    for kernel in (_fasttext.fasttext_serial, _fasttext.fasttext_parallel):
        copy = (*problem[:6], problem[6].copy(), problem[7].copy())
        loss, count = _run(kernel, MODES[algorithm], copy, keep, prob, index, 2, 2, lrs, seeds)
        assert np.all(np.isfinite(loss))
        results.append(count)
    np.testing.assert_array_equal(results[0], results[1])


def _numeric_gradient(fun, x, eps=1e-6):
    g = np.zeros_like(x)
    for k in range(len(x)):
        e = np.zeros_like(x)
        e[k] = eps
        g[k] = (fun(x + e) - fun(x - e)) / (2 * eps)
    return g


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_update_follows_the_gradient_of_the_subword_objective(algorithm):
    """Each row of the input word's list moves by -lr * n_rows * dL/drow (fastText's rule).

    One document "a b", window 1: skip-gram's first pair is a -> b (input: a's
    rows), CBOW's first example predicts a from b's rows.  The input word's
    rows are touched by that first example only, which sees the initial
    state; the noise word is always c.  a's and b's lists hold their own row,
    n-gram rows and a duplicate.
    """
    rng = np.random.default_rng(0)
    dim, lr = 5, 1e-3
    a, b, c = 0, 1, 2
    g1, g2, g3, g4 = 3, 4, 5, 6  # bucket rows
    lists = {a: [a, g1, g2, g1], b: [b, g3, g4, g3], c: [c]}
    indptr = np.array([0, 4, 8, 9], dtype=np.int64)
    indices = np.array(lists[a] + lists[b] + lists[c], dtype=np.int32)
    syn0 = rng.normal(size=(7, dim)).astype(np.float32) * 0.5
    syn1 = rng.normal(size=(3, dim)).astype(np.float32) * 0.5
    prob, index = noise_table(np.array([0.0, 0.0, 1.0]), 1.0)
    tokens = np.array([a, b], dtype=np.int32)
    seg = np.array([0, 2], dtype=np.int64)
    chunks = np.array([0, 1], dtype=np.int64)
    sig, log_sig = make_tables()
    k0, k1 = syn0.copy(), syn1.copy()
    shift = np.empty(3, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    _fasttext.fasttext_serial(MODES[algorithm], 0, 1, chunks, seg, tokens, indptr, indices,
                              shift, k0, k1, np.ones(3, np.float32), prob, index, 1, 1,
                              np.array([lr], np.float32), seed_states(0, 1), sig, log_sig, 2,
                              np.zeros(1), np.zeros(1, np.int64))  # fmt: skip
    word, target = (a, b) if algorithm == "skipgram" else (b, a)
    rows = lists[word]
    x0 = syn0.astype(np.float64)
    pos, neg = syn1[target].astype(np.float64), syn1[c].astype(np.float64)

    def objective(matrix):
        h = matrix[rows].mean(axis=0)
        return np.logaddexp(0.0, -(h @ pos)) + np.logaddexp(0.0, h @ neg)

    def objective_of_row(r):
        def f(x):
            m = x0.copy()
            m[r] = x
            return objective(m)

        return f

    tol = 0.0016 * lr * len(rows) * 4 + 1e-8  # the sigmoid table is within 0.0016 of exp
    for r in (word, rows[2], rows[1]):  # the word's row, an n-gram row, a duplicated n-gram
        expected = -lr * len(rows) * _numeric_gradient(objective_of_row(r), x0[r])
        np.testing.assert_allclose(k0[r] - syn0[r], expected, atol=tol)
        assert np.abs(expected).max() > 10 * tol
    # the duplicated row got the gradient twice: twice the move of a single row
    np.testing.assert_allclose(k0[rows[1]] - syn0[rows[1]], 2 * (k0[word] - syn0[word]),
                               atol=2e-7)  # fmt: skip


def test_init_rows_depend_on_key_and_seed_only():
    keys = np.array([5, 1 << 40, 7, 3], dtype=np.int64)
    a = np.empty((4, 8), np.float32)
    b = np.empty((2, 8), np.float32)
    c = np.empty((4, 8), np.float32)
    _fasttext.init_rows(keys, 11, 0.125, a)
    _fasttext.init_rows(keys[[2, 0]], 11, 0.125, b)
    _fasttext.init_rows_parallel(keys, 11, 0.125, c)
    np.testing.assert_array_equal(a[[2, 0]], b)
    np.testing.assert_array_equal(a, c)
    assert np.all(np.abs(a) <= 0.125) and len(np.unique(a)) == a.size
    d = np.empty((4, 8), np.float32)
    _fasttext.init_rows(keys, 12, 0.125, d)
    assert not np.allclose(a, d)


def test_init_rows_are_uniform():
    from scipy.stats import kstest

    out = np.empty((2000, 10), np.float32)
    _fasttext.init_rows(np.arange(2000, dtype=np.int64), 0, 0.1, out)
    assert kstest(out.ravel(), "uniform", args=(-0.1, 0.2)).pvalue > 1e-3


def test_gather_rows_inplace_applies_a_permutation():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(50, 3)).astype(np.float32)
    src = rng.permutation(50).astype(np.int32)
    out = matrix.copy()
    reference.gather_rows_inplace(out, src)
    np.testing.assert_array_equal(out, matrix[src])


def test_scatter_rows_inplace_moves_every_source_row_to_its_destination():
    rng = np.random.default_rng(1)
    for m, n in [(40, 100), (60, 60), (1, 5), (0, 3)]:
        matrix = rng.normal(size=(3 + n, 4)).astype(np.float32)
        dest = rng.choice(n, size=m, replace=False).astype(np.int64)
        before = matrix.copy()
        _fasttext.scatter_rows_inplace(matrix, 3, dest)
        np.testing.assert_array_equal(matrix[3 + dest], before[3 : 3 + m])
        np.testing.assert_array_equal(matrix[:3], before[:3])


def test_init_untouched_fills_the_other_rows_as_init_rows_would():
    touched = np.zeros(20, dtype=np.bool_)
    touched[[2, 5, 19]] = True
    matrix = np.full((23, 6), 7.0, dtype=np.float32)
    _fasttext.init_untouched(matrix, 3, touched, 100, 9, 0.5)
    expected = np.empty((20, 6), np.float32)
    _fasttext.init_rows(100 + np.arange(20, dtype=np.int64), 9, 0.5, expected)
    np.testing.assert_array_equal(matrix[3:][~touched], expected[~touched])
    assert np.all(matrix[3:][touched] == 7.0) and np.all(matrix[:3] == 7.0)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize(("clip_value", "clip_norm"), [(1e-3, None), (None, 2e-3)])
def test_clipping_bounds_every_row_update(algorithm, clip_value, clip_norm):
    """One document "a b", window 1, a huge rate: the input word's rows move by the
    clipped update (a duplicated row twice), the output rows by at most the bound."""
    rng = np.random.default_rng(0)
    dim = 5
    indptr = np.array([0, 3, 5, 6], dtype=np.int64)
    indices = np.array([0, 3, 3, 1, 4, 2], dtype=np.int32)  # a: [a, g, g]; b: [b, h]
    syn0 = rng.normal(size=(5, dim)).astype(np.float32)
    syn1 = rng.normal(size=(3, dim)).astype(np.float32)
    prob, index = noise_table(np.array([0.0, 0.0, 1.0]), 1.0)
    sig, log_sig = make_tables()
    shift = np.empty(3, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    k0, k1 = syn0.copy(), syn1.copy()
    _fasttext.fasttext_serial(MODES[algorithm], 0, 1, np.array([0, 1]), np.array([0, 2]),
                              np.array([0, 1], np.int32), indptr, indices, shift, k0, k1,
                              np.ones(3, np.float32), prob, index, 1, 1,
                              np.array([10.0], np.float32), seed_states(0, 1), sig, log_sig, 2,
                              np.zeros(1), np.zeros(1, np.int64), clip_value,
                              clip_norm)  # fmt: skip
    word = 0 if algorithm == "skipgram" else 1  # the input of the first example
    own = k0[word] - syn0[word]
    bound = clip_value if clip_value else clip_norm
    size = np.abs(own).max() if clip_value else np.linalg.norm(own)
    assert size == pytest.approx(bound, rel=1e-3)  # the rate is huge: the bound binds
    if word == 0:
        np.testing.assert_allclose(k0[3] - syn0[3], 2 * own, atol=1e-6)
    moves = k1 - syn1
    sizes = np.abs(moves).max(axis=1) if clip_value else np.linalg.norm(moves, axis=1)
    assert np.all(sizes <= 2 * bound * (1 + 1e-5))  # at most two updates per output row


@pytest.mark.parametrize("n_hot", [0, 3, 12])
def test_skipgram_chunk_with_a_hot_copy_matches_the_plain_chunk(n_hot, monkeypatch):
    # several threads train the frequent words' output rows in a private copy, folded back
    # every few centre words: on one thread that trains what the plain chunk trains, up to
    # the rounding of adding (copy - base) back
    monkeypatch.setattr(_fasttext, "HOT_SYNC_TOKENS", 4)  # read by the pure-Python chunk
    tokens, seg, chunks, counts, indptr, indices, syn0, syn1 = _problem(seed=2)
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    shift = np.empty(len(indptr) - 1, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    dim = syn0.shape[1]
    results = []
    for hot in (None, np.empty((n_hot, dim), np.float32)):
        k0, k1 = syn0.copy(), syn1.copy()
        scratch = [np.empty(dim, np.float32) for _ in range(3)]
        out = _fasttext.skipgram_chunk.py_func(
            tokens, seg, 0, len(seg) - 1, indptr, indices, shift, k0, k1, keep, prob, index, 3,
            4, 0.2, np.array([11], np.uint64), sig, log_sig, np.empty(7, np.int32), *scratch,
            None, None, hot=hot, hot_base=None if hot is None else np.empty_like(hot),
        )  # fmt: skip
        results.append((out, k0, k1))
    (loss_a, pairs_a), a0, a1 = results[0]
    (loss_b, pairs_b), b0, b1 = results[1]
    assert pairs_a == pairs_b > 0
    np.testing.assert_allclose(loss_b, loss_a, rtol=1e-5)
    np.testing.assert_allclose(b0, a0, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b1, a1, rtol=1e-5, atol=1e-6)
    assert not np.allclose(a1, syn1)


def test_parallel_kernel_with_hot_copies_trains_every_example():
    problem = _problem(seed=3)
    tokens, seg, chunks, counts, indptr, indices, syn0, syn1 = problem
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    shift = np.empty(len(indptr) - 1, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    n = len(chunks) - 1
    lrs, seeds = np.full(n, 0.1, np.float32), seed_states(5, n)
    out = []
    for kernel, extra in ((_fasttext.fasttext_serial, {}), (_fasttext.fasttext_parallel,
                                                            {"n_hot": 4})):  # fmt: skip
        loss, count = np.zeros(n), np.zeros(n, np.int64)
        k1 = syn1.copy()
        kernel(MODES["skipgram"], 0, n, chunks, seg, tokens, indptr, indices, shift,
               syn0.copy(), k1, keep, prob, index, 2, 2, lrs, seeds, sig, log_sig, 7, loss,
               count, **extra)  # fmt: skip
        assert np.all(np.isfinite(loss)) and np.all(np.isfinite(k1))
        out.append((count, k1))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    assert not np.allclose(out[1][1][:4], syn1[:4])  # the copied rows reached syn1
