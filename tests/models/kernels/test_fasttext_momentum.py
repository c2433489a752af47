"""fastText kernels with momentum, against the full-epoch NumPy reference."""

import numpy as np
import pytest

from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _fasttext
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference
from tests.models.kernels.test_fasttext import MODES, _problem

N_WORDS = 12  # _problem's word rows; its n-gram bucket rows follow


def _epoch(algorithm, mu, vel0, vel1, kernel=None, options=None):
    """Train one epoch of _problem with the kernel; return (syn0, syn1, vel0, vel1, loss, count).

    Without velocities the kernel is called without the momentum arguments, unless
    ``options`` (more keyword arguments of the kernel) names them.
    """
    options = dict(options or {})
    tokens, seg, chunks, counts, indptr, indices, syn0, syn1 = _problem(seed=2)
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.linspace(0.1, 0.02, n).astype(np.float32)
    seeds = seed_states(9, n)
    shift = np.empty(N_WORDS, np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    k0, k1 = syn0.copy(), syn1.copy()
    kv0 = None if vel0 is None else vel0.copy()
    kv1 = None if vel1 is None else vel1.copy()
    if vel0 is not None:
        options.update(momentum=mu, vel0=kv0, vel1=kv1)
    kernel = _fasttext.fasttext_serial if kernel is None else kernel
    kernel(MODES[algorithm], 0, n, chunks, seg, tokens, indptr, indices, shift, k0, k1, keep,
           prob, index, 3, 3, lrs, seeds, sig, log_sig, 7, loss, count, **options)  # fmt: skip
    return k0, k1, kv0, kv1, loss, count


def _reference(algorithm, momentum, vel0, vel1, dropout=None):
    tokens, seg, chunks, counts, indptr, indices, syn0, syn1 = _problem(seed=2)
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.linspace(0.1, 0.02, n).astype(np.float32)
    r0, r1 = syn0.copy(), syn1.copy()
    rv0 = None if vel0 is None else vel0.copy()
    rv1 = None if vel1 is None else vel1.copy()
    out = reference.fasttext_epoch(algorithm, tokens, seg, chunks, indptr, indices, r0, r1, keep,
                                   prob, index, 3, 3, lrs, seed_states(9, n), sig, log_sig,
                                   dropout, None, momentum, rv0, rv1)  # fmt: skip
    return r0, r1, rv0, rv1, out


def _velocities(start):
    _, _, _, _, _, _, syn0, syn1 = _problem(seed=2)
    if start == "zero":
        return np.zeros_like(syn0), np.zeros_like(syn1)
    # velocities carried from earlier updates decay only when their row is touched
    rng = np.random.default_rng(1)
    return ((rng.normal(size=syn0.shape) * 0.01).astype(np.float32),
            (rng.normal(size=syn1.shape) * 0.01).astype(np.float32))  # fmt: skip


def test_problem_lists_rows_twice_and_shares_buckets():
    # what the reference comparison must cover: a row twice in one list, buckets shared by words
    _, _, _, _, indptr, indices, _, _ = _problem(seed=2)
    lists = [indices[indptr[w] : indptr[w + 1]] for w in range(N_WORDS)]
    assert any(len(set(x.tolist())) < len(x) for x in lists)
    buckets = np.concatenate([x[1:] for x in lists])
    assert len(set(buckets.tolist())) < len(buckets)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize("momentum", [0.5, 0.9])
@pytest.mark.parametrize("start", ["zero", "moving"])
def test_momentum_epoch_equals_the_numpy_reference(algorithm, momentum, start):
    vel0, vel1 = _velocities(start)
    k0, k1, kv0, kv1, loss, count = _epoch(algorithm, momentum, vel0, vel1)
    r0, r1, rv0, rv1, ref = _reference(algorithm, momentum, vel0, vel1)
    assert count.tolist() == [n for _, n in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(kv0, rv0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(kv1, rv1, rtol=1e-4, atol=1e-6)
    # word rows and n-gram bucket rows both gathered velocity
    assert np.abs(kv0[:N_WORDS] - vel0[:N_WORDS]).sum() > 0
    assert np.abs(kv0[N_WORDS:] - vel0[N_WORDS:]).sum() > 0
    assert np.abs(kv1 - vel1).sum() > 0
    # and it is not plain SGD
    plain0, plain1, _, _, _, _ = _epoch(algorithm, 0.0, None, None)
    assert not np.allclose(k0, plain0, atol=1e-4)
    assert not np.allclose(k1, plain1, atol=1e-4)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_momentum_with_dropout_equals_the_numpy_reference(algorithm):
    vel0, vel1 = _velocities("zero")
    k0, k1, kv0, _, _, count = _epoch(algorithm, 0.5, vel0, vel1, options=dict(dropout=0.3))
    r0, r1, rv0, _, ref = _reference(algorithm, 0.5, vel0, vel1, dropout=0.3)
    assert count.tolist() == [n for _, n in ref]
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(kv0, rv0, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_momentum_zero_with_velocities_is_plain_sgd(algorithm):
    # the per-pair heavy-ball path at momentum 0 is fastText's update, which the plain
    # kernel computes in another order (skip-gram: once per centre word)
    vel0, vel1 = _velocities("zero")
    a0, a1, _, _, a_loss, a_count = _epoch(algorithm, 0.0, vel0, vel1)
    b0, b1, _, _, b_loss, b_count = _epoch(algorithm, 0.0, None, None)
    np.testing.assert_array_equal(a_count, b_count)
    np.testing.assert_allclose(a_loss, b_loss, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a0, b0, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a1, b1, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_no_velocity_is_the_plain_kernel_bit_for_bit(algorithm):
    a = _epoch(algorithm, 0.0, None, None)
    b = _epoch(algorithm, 0.0, None, None, options=dict(momentum=0.0, vel0=None, vel1=None))
    for x, y in zip(a, b, strict=True):
        if x is not None:
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_parallel_kernel_trains_the_same_examples_with_momentum(algorithm):
    vel0, vel1 = _velocities("zero")
    serial = _epoch(algorithm, 0.5, vel0, vel1)
    parallel = _epoch(algorithm, 0.5, vel0, vel1, kernel=_fasttext.fasttext_parallel)
    np.testing.assert_array_equal(serial[5], parallel[5])
    assert np.isfinite(parallel[0]).all() and np.isfinite(parallel[4]).all()
    assert np.abs(parallel[2]).sum() > 0 and np.abs(parallel[3]).sum() > 0
