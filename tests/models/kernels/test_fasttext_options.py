"""fastText kernels with loss='nce' and dropout, against the full-epoch NumPy reference."""

import numpy as np
import pytest

from skembed.corpus._encoding import make_chunks
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _fasttext
from skembed.models._kernels._nce import log_noise_scale
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference
from tests.models.kernels.test_fasttext import MODES, _problem


def _run(kernel, algorithm, problem, keep, prob, index, window, negative, lrs, seeds, **options):
    tokens, seg, chunks, _, indptr, indices, syn0, syn1 = problem
    n = len(chunks) - 1
    sig, log_sig = make_tables()
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    shift = np.empty(len(indptr) - 1, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    kernel(MODES[algorithm], 0, n, chunks, seg, tokens, indptr, indices, shift, syn0, syn1, keep,
           prob, index, window, negative, lrs, seeds, sig, log_sig, 7, loss, count,
           **options)  # fmt: skip
    return loss, count


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize(("dropout", "nce"), [(0.3, False), (None, True), (0.5, True)])
def test_serial_kernel_equals_the_reference_over_a_full_epoch(algorithm, dropout, nce):
    tokens, seg, chunks, counts, indptr, indices, syn0, syn1 = _problem()
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    log_kq = log_noise_scale(counts, 0.75, 3) if nce else None
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n_chunks).astype(np.float32)
    seeds = seed_states(3, n_chunks)
    k0, k1 = syn0.copy(), syn1.copy()
    loss, count = _run(_fasttext.fasttext_serial, algorithm,
                       (tokens, seg, chunks, counts, indptr, indices, k0, k1), keep, prob, index,
                       3, 3, lrs, seeds, dropout=dropout, log_kq=log_kq)  # fmt: skip
    r0, r1 = syn0.copy(), syn1.copy()
    ref = reference.fasttext_epoch(algorithm, tokens, seg, chunks, indptr, indices, r0, r1, keep,
                                   prob, index, 3, 3, lrs, seeds, sig, log_sig, dropout,
                                   log_kq)  # fmt: skip
    assert count.tolist() == [n for _, n in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k0, syn0)
    # the option changes the run (the default reference trains otherwise)
    d0, d1 = syn0.copy(), syn1.copy()
    reference.fasttext_epoch(algorithm, tokens, seg, chunks, indptr, indices, d0, d1, keep, prob,
                             index, 3, 3, lrs, seeds, sig, log_sig)  # fmt: skip
    assert not np.allclose(k1, d1, atol=1e-4)


def _pairs_problem(n_segments=4000, n_words=20, dim=4):
    """Segments of two tokens, each word its own only subword row: one context word each."""
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, n_words, size=2 * n_segments).astype(np.int32)
    seg = np.arange(0, 2 * n_segments + 1, 2, dtype=np.int64)
    chunks = make_chunks(seg, target=200)
    counts = np.bincount(tokens, minlength=n_words) + 1
    indptr = np.arange(n_words + 1, dtype=np.int64)
    indices = np.arange(n_words, dtype=np.int32)
    syn0 = (rng.normal(size=(n_words, dim)) * 0.1).astype(np.float32)
    return tokens, seg, chunks, counts, indptr, indices, syn0, np.zeros_like(syn0)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_removes_the_asked_fraction_of_context_words(algorithm, p):
    problem = _pairs_problem()
    counts = problem[3]
    keep = np.ones(len(counts), np.float32)
    prob, index = noise_table(counts, 0.75)
    n_chunks = len(problem[2]) - 1
    lrs = np.full(n_chunks, 0.01, np.float32)
    n = len(problem[0])
    _, full = _run(_fasttext.fasttext_serial, algorithm, problem, keep, prob, index, 1, 2, lrs,
                   seed_states(7, n_chunks))  # fmt: skip
    assert full.sum() == n
    _, kept = _run(_fasttext.fasttext_serial, algorithm, problem, keep, prob, index, 1, 2, lrs,
                   seed_states(7, n_chunks), dropout=p)  # fmt: skip
    sd = np.sqrt(n * p * (1 - p))
    assert abs(kept.sum() - n * (1 - p)) < 4 * sd


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_parallel_kernel_trains_the_same_examples_with_options(algorithm):
    problem = _problem(seed=1)
    counts = problem[3]
    keep = keep_probabilities(counts, 0.0)
    prob, index = noise_table(counts, 0.75)
    log_kq = log_noise_scale(counts, 0.75, 2)
    n = len(problem[2]) - 1
    lrs = np.full(n, 0.1, np.float32)
    results = []
    for kernel in (_fasttext.fasttext_serial, _fasttext.fasttext_parallel):
        copy = (*problem[:6], problem[6].copy(), problem[7].copy())
        loss, count = _run(kernel, algorithm, copy, keep, prob, index, 2, 2, lrs,
                           seed_states(5, n), dropout=0.3, log_kq=log_kq)  # fmt: skip
        assert np.all(np.isfinite(loss))
        results.append(count)
    np.testing.assert_array_equal(results[0], results[1])
