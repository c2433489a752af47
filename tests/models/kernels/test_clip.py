import numpy as np
import pytest

from skembed import Word2VecVectorizer
from skembed.corpus._sampling import noise_table
from skembed.models._kernels._clip import add_scaled
from skembed.models._kernels._negative import negative_sampling_update
from skembed.models._kernels._sigmoid import make_tables


def test_add_scaled_without_bounds_is_an_axpy():
    m = np.zeros((2, 3), np.float32)
    add_scaled(m, 1, 2.0, np.array([1, -2, 3], np.float32), None, None)
    np.testing.assert_array_equal(m, [[0, 0, 0], [2, -4, 6]])


def test_add_scaled_clips_by_norm_and_by_value():
    vec = np.array([3, -4, 0], np.float32)  # norm 5
    m = np.zeros((1, 3), np.float32)
    add_scaled(m, 0, 2.0, vec, None, 1.0)  # update of norm 10 rescaled to 1
    assert np.linalg.norm(m[0]) == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(m[0], vec / 5, rtol=1e-6)  # direction kept
    m[:] = 0
    add_scaled(m, 0, 2.0, vec, 0.5, None)
    np.testing.assert_array_equal(m[0], [0.5, -0.5, 0.0])


def test_negative_sampling_updates_respect_the_norm_bound():
    rng = np.random.default_rng(0)
    h = rng.normal(size=8).astype(np.float32)
    syn1 = (rng.normal(size=(3, 8)) * 0.1).astype(np.float32)
    before = syn1.copy()
    prob, index = noise_table(np.array([0.0, 0.0, 1.0]), 1.0)
    sig, log_sig = make_tables()
    grad = np.zeros(8, np.float32)
    negative_sampling_update(h, syn1, 0, 1, 1.0, prob, index, np.array([1], np.uint64), sig,
                             log_sig, grad, None, 0.01)  # fmt: skip
    steps = np.linalg.norm(syn1 - before, axis=1)
    assert steps[0] > 0 and steps[2] > 0 and steps[1] == 0
    assert np.all(steps <= 0.01 + 1e-6)


def test_clipping_bounds_how_far_training_moves_the_vectors(planted):
    docs, _, _ = planted
    common = dict(vector_size=16, min_count=1, epochs=1, random_state=0)
    start = Word2VecVectorizer(**{**common, "epochs": 0}).fit(docs).wv_.vectors
    moved = {}
    for name, params in {"free": {}, "value": {"clip_value": 1e-5},
                         "norm": {"clip_norm": 1e-5}}.items():  # fmt: skip
        model = Word2VecVectorizer(**common, **params).fit(docs)
        moved[name] = np.abs(model.wv_.vectors - start).max()
    assert moved["value"] < 0.05 * moved["free"]
    assert moved["norm"] < 0.05 * moved["free"]
