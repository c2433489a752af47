"""Momentum in PV-DM and PV-DBOW: the kernel against the full-epoch NumPy reference."""

import numpy as np
import pytest

from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _doc2vec
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference
from tests.models.kernels.test_doc2vec import MODES, _no_tree, _problem


def _velocities(start, syn0, dv, syn1):
    if start is None:
        return None, None, None
    if start == "zero":
        return np.zeros_like(syn0), np.zeros_like(dv), np.zeros_like(syn1)
    # velocities carried from earlier updates decay only when their row is trained
    rng = np.random.default_rng(1)
    return tuple((rng.normal(size=a.shape) * 0.05).astype(np.float32) for a in (syn0, dv, syn1))


def _epoch(dm, dm_mean, dbow_words, momentum, start, dropout=None,
           kernel=_doc2vec.doc2vec_serial, words=True):  # fmt: skip
    """One epoch of the kernel and of the reference; return their matrices and velocities."""
    tokens, _, seg, seg_rows, chunks, counts, syn0, dv, syn1, _ = _problem(seed=2)
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    tree = _no_tree(syn0.shape[1])
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.linspace(0.2, 0.05, n).astype(np.float32)
    seeds = seed_states(5, n)
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    velocities = _velocities(start, syn0, dv, syn1)
    if not words:
        velocities = (None, *velocities[1:])
    k = [a.copy() for a in (syn0, dv, syn1)]
    kv = [None if v is None else v.copy() for v in velocities]
    kernel(0, n, chunks, seg, seg_rows, tokens, k[0], k[1], k[2], keep, prob, index, 3, 3, False,
           *tree, dm, dm_mean, dbow_words, lrs, seeds, sig, log_sig, 7, loss, count,
           dropout=dropout, momentum=momentum, vel0=kv[0], vel_dv=kv[1],
           vel1=kv[2])  # fmt: skip
    r = [a.copy() for a in (syn0, dv, syn1)]
    rv = [None if v is None else v.copy() for v in velocities]
    ref = reference.doc2vec_epoch(tokens, seg, seg_rows, chunks, r[0], r[1], r[2], keep, prob,
                                  index, 3, 3, False, None, dm, dm_mean, dbow_words, lrs, seeds,
                                  sig, log_sig, dropout, momentum, rv[0], rv[1],
                                  rv[2])  # fmt: skip
    return dict(kernel=k, ref=r, kv=kv, rv=rv, loss=loss, count=count, expected=ref,
                start=(syn0, dv, syn1))  # fmt: skip


def _assert_matches(run):
    assert run["count"].tolist() == [x for _, x in run["expected"]]
    assert run["count"].sum() > 0
    np.testing.assert_allclose(run["loss"], [x for x, _ in run["expected"]], rtol=1e-4,
                               atol=1e-4)  # fmt: skip
    for mine, theirs in zip(run["kernel"] + run["kv"], run["ref"] + run["rv"], strict=True):
        if theirs is None:
            assert mine is None
        else:
            np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("dm", "dm_mean", "dbow_words"), MODES)
@pytest.mark.parametrize("momentum", [0.5, 0.9])
@pytest.mark.parametrize("start", ["zero", "moving"])
def test_momentum_epoch_equals_the_numpy_reference(dm, dm_mean, dbow_words, momentum, start):
    run = _epoch(dm, dm_mean, dbow_words, momentum, start)
    _assert_matches(run)
    syn0, dv, _ = run["start"]
    vel0, vel_dv, vel1 = run["kv"]
    moved = _velocities(start, *run["start"])
    assert not np.allclose(vel_dv, moved[1]) and not np.allclose(vel1, moved[2])
    if dm or dbow_words:
        assert not np.allclose(vel0, moved[0])
    else:  # plain PV-DBOW trains no word row: neither it nor its velocity moves
        np.testing.assert_array_equal(run["kernel"][0], syn0)
        np.testing.assert_array_equal(vel0, moved[0])
    # it is not plain SGD
    plain = _epoch(dm, dm_mean, dbow_words, 0.0, None)
    _assert_matches(plain)
    assert not np.allclose(run["kernel"][1], plain["kernel"][1], atol=1e-4)
    assert not np.allclose(run["kernel"][1], dv)


@pytest.mark.parametrize("dm_mean", [True, False])
def test_momentum_with_pv_dm_dropout_equals_the_reference(dm_mean):
    _assert_matches(_epoch(True, dm_mean, False, 0.7, "moving", dropout=0.4))


def test_word_velocity_left_out_trains_the_words_by_plain_sgd():
    # each velocity is optional on its own: None trains that matrix by plain SGD
    run = _epoch(True, True, False, 0.5, "zero", words=False)
    _assert_matches(run)
    assert run["kv"][0] is None
    full = _epoch(True, True, False, 0.5, "zero")
    assert not np.allclose(run["kernel"][0], full["kernel"][0], atol=1e-5)


@pytest.mark.parametrize(("dm", "dm_mean", "dbow_words"), MODES)
def test_momentum_zero_with_velocities_is_plain_sgd(dm, dm_mean, dbow_words):
    a = _epoch(dm, dm_mean, dbow_words, 0.0, "zero")
    b = _epoch(dm, dm_mean, dbow_words, 0.0, None)
    for x, y in zip(a["kernel"], b["kernel"], strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(a["count"], b["count"])


def test_momentum_parallel_kernel_trains_the_same_examples():
    serial = _epoch(True, True, False, 0.5, "zero")
    parallel = _epoch(True, True, False, 0.5, "zero", kernel=_doc2vec.doc2vec_parallel)
    np.testing.assert_array_equal(serial["count"], parallel["count"])
    for matrix in parallel["kernel"] + parallel["kv"]:
        assert np.isfinite(matrix).all()
