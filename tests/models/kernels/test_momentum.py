"""Momentum: the skip-gram and CBOW kernels against a full-epoch NumPy reference."""

import numpy as np
import pytest

from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _cbow, _sgns
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference
from tests.models.kernels.test_cbow import _no_tree, _problem


def _epoch(algorithm, momentum, vel0, vel1, sample=0.05, window=3, negative=3):
    tokens, seg, chunks, counts, syn0, syn1, _ = _problem(seed=4)
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    sig, log_sig = make_tables()
    n_chunks = len(chunks) - 1
    lrs = np.linspace(0.05, 0.02, n_chunks).astype(np.float32)
    seeds = seed_states(11, n_chunks)
    loss, count = np.zeros(n_chunks), np.zeros(n_chunks, np.int64)
    tree = _no_tree(syn0.shape[1])
    k0, k1 = syn0.copy(), syn1.copy()
    kv0 = None if vel0 is None else vel0.copy()
    kv1 = None if vel1 is None else vel1.copy()
    r0, r1 = syn0.copy(), syn1.copy()
    rv0 = None if vel0 is None else vel0.copy()
    rv1 = None if vel1 is None else vel1.copy()
    common = (0, n_chunks, chunks, seg, tokens, k0, k1, keep, prob, index, window, negative)
    if algorithm == "skipgram":
        _sgns.skipgram_serial(*common, False, *tree, lrs, seeds, sig, log_sig, 7, loss, count,
                              momentum=momentum, vel0=kv0, vel1=kv1)  # fmt: skip
        ref = reference.skipgram_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window,
                                       negative, False, None, lrs, seeds, sig, log_sig,
                                       momentum, rv0, rv1)  # fmt: skip
    else:
        _cbow.cbow_serial(*common, True, False, False, *tree, lrs, seeds, sig, log_sig, 7, loss,
                          count, momentum=momentum, vel0=kv0, vel1=kv1)  # fmt: skip
        ref = reference.cbow_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window,
                                   negative, True, False, False, None, lrs, seeds, sig, log_sig,
                                   momentum, rv0, rv1)  # fmt: skip
    assert count.tolist() == [n for _, n in ref]
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-5)
    if vel0 is not None:
        np.testing.assert_allclose(kv0, rv0, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(kv1, rv1, rtol=1e-4, atol=1e-5)
    return k0, k1, kv0, kv1


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
@pytest.mark.parametrize("momentum", [0.5, 0.9])
@pytest.mark.parametrize("start", ["zero", "moving"])
def test_momentum_epoch_equals_the_numpy_reference(algorithm, momentum, start):
    _, _, _, _, syn0, syn1, _ = _problem(seed=4)
    rng = np.random.default_rng(1)
    if start == "zero":
        vel0, vel1 = np.zeros_like(syn0), np.zeros_like(syn1)
    else:  # velocities carried from earlier updates decay only when their row is touched
        vel0 = (rng.normal(size=syn0.shape) * 0.05).astype(np.float32)
        vel1 = (rng.normal(size=syn1.shape) * 0.05).astype(np.float32)
    k0, _, kv0, kv1 = _epoch(algorithm, momentum, vel0, vel1)
    assert np.abs(kv0).sum() > 0 and np.abs(kv1).sum() > 0
    # it is not plain SGD
    plain0, _, _, _ = _epoch(algorithm, 0.0, None, None)
    assert not np.allclose(k0, plain0, atol=1e-4)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_momentum_zero_with_velocities_is_plain_sgd(algorithm):
    _, _, _, _, syn0, syn1, _ = _problem(seed=4)
    a0, a1, _, _ = _epoch(algorithm, 0.0, np.zeros_like(syn0), np.zeros_like(syn1))
    b0, b1, _, _ = _epoch(algorithm, 0.0, None, None)
    np.testing.assert_allclose(a0, b0, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(a1, b1, rtol=1e-6, atol=1e-7)
