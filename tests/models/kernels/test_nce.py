"""Noise-contrastive estimation: the kernel update, its gradient, and the estimator option."""

import numpy as np
import pytest

from skembed import Word2VecVectorizer
from skembed.corpus._sampling import noise_table
from skembed.models._kernels._nce import log_noise_scale, nce_update
from tests import reference
from tests.models.test_numerics import DOCS, _topic_accuracy


def _setup(seed=0, n_words=10, dim=5, negative=4):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 50, size=n_words)
    prob, index = noise_table(counts, 0.75)
    log_kq = log_noise_scale(counts, 0.75, negative)
    h = (rng.normal(size=dim) * 0.5).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.5).astype(np.float32)
    return counts, prob, index, log_kq, h, syn1


def test_log_noise_scale_is_log_k_q():
    counts = np.array([8, 1, 0, 27])
    out = log_noise_scale(counts, 1 / 3, 5)
    weights = np.array([2.0, 1.0, 1.0, 3.0])  # count 0 takes the smallest positive weight
    np.testing.assert_allclose(np.exp(out), 5 * weights / weights.sum(), rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_update_equals_the_numpy_reference(seed):
    negative = 4
    _, prob, index, log_kq, h, syn1 = _setup(seed, negative=negative)
    state = np.array([12345 + seed], dtype=np.uint64)
    k1, kg = syn1.copy(), np.zeros_like(h)
    loss = nce_update(h, k1, 3, negative, 0.1, prob, index, log_kq, state, kg)
    r1, rg = syn1.copy(), np.zeros_like(h)
    ref = reference.nce_update(h, r1, 3, negative, 0.1, prob, index, log_kq,
                               reference.Stream(12345 + seed), rg)  # fmt: skip
    assert loss == pytest.approx(ref, rel=1e-5)
    np.testing.assert_allclose(k1, r1, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(kg, rg, rtol=1e-5, atol=1e-7)
    assert not np.array_equal(k1, syn1)


def _noise_draws(prob, index, seed, negative):
    stream = reference.Stream(seed)
    return [stream.alias(prob, index) for _ in range(negative)]


@pytest.mark.parametrize("seed", [0, 1])
def test_update_is_minus_lr_times_the_finite_difference_gradient(seed):
    negative, lr, target, eps = 5, 1e-4, 2, 1e-6
    _, prob, index, log_kq, h, syn1 = _setup(seed, negative=negative)
    noise = _noise_draws(prob, index, 999, negative)
    h64, s64, lk = h.astype(np.float64), syn1.astype(np.float64), log_kq.astype(np.float64)
    grad_h = np.zeros_like(h)
    k1 = syn1.copy()
    loss = nce_update(h, k1, target, negative, lr, prob, index, log_kq,
                      np.array([999], dtype=np.uint64), grad_h)  # fmt: skip
    assert loss == pytest.approx(reference.nce_loss(h64, s64, target, noise, lk), rel=1e-5)
    # d loss / d h by central differences
    fd_h = np.empty(len(h))
    for k in range(len(h)):
        e = np.zeros(len(h))
        e[k] = eps
        fd_h[k] = (reference.nce_loss(h64 + e, s64, target, noise, lk)
                   - reference.nce_loss(h64 - e, s64, target, noise, lk)) / (2 * eps)  # fmt: skip
    np.testing.assert_allclose(grad_h / lr, -fd_h, rtol=1e-3, atol=1e-4)
    # d loss / d syn1 (rows of the target and the noise words)
    fd_s = np.zeros_like(s64)
    for w in set([target, *noise]):
        for k in range(len(h)):
            e = np.zeros_like(s64)
            e[w, k] = eps
            up = reference.nce_loss(h64, s64 + e, target, noise, lk)
            down = reference.nce_loss(h64, s64 - e, target, noise, lk)
            fd_s[w, k] = (up - down) / (2 * eps)
    # the float32 rows move by about lr: their difference keeps ~3 digits
    np.testing.assert_allclose((k1 - syn1) / lr, -fd_s, rtol=1e-2, atol=1e-3)


def test_nce_differs_from_negative_sampling_by_the_correction():
    # same noise draws: the log(k q) shift of every score changes the update
    from skembed.models._kernels._negative import negative_sampling_update
    from skembed.models._kernels._sigmoid import make_tables

    _, prob, index, log_kq, h, syn1 = _setup(3)
    sig, log_sig = make_tables()
    a, ga = syn1.copy(), np.zeros_like(h)
    nce_update(h, a, 1, 4, 0.1, prob, index, log_kq, np.array([5], np.uint64), ga)
    b, gb = syn1.copy(), np.zeros_like(h)
    negative_sampling_update(h, b, 1, 4, 0.1, prob, index, np.array([5], np.uint64), sig,
                             log_sig, gb)  # fmt: skip
    assert not np.allclose(ga, gb, atol=1e-4)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_nce_learns_planted_topics(algorithm):
    params = dict(algorithm=algorithm, vector_size=16, min_count=1, window=3, sample=0,
                  epochs=10, random_state=0, loss="nce")  # fmt: skip
    trained = Word2VecVectorizer(**params).fit(DOCS)
    control = Word2VecVectorizer(**params, learning_rate=1e-9).fit(DOCS)
    assert _topic_accuracy(trained) > 0.9
    assert _topic_accuracy(control) < 0.7
    assert trained.loss_curve_[-1] < trained.loss_curve_[0]


def test_nce_with_hs_and_dropout_trains():
    vec = Word2VecVectorizer(loss="nce", hs=True, dropout=0.2, vector_size=8, min_count=1,
                             epochs=2, random_state=0).fit(DOCS)  # fmt: skip
    assert np.isfinite(vec.wv_.vectors).all()


def test_nce_needs_noise_words():
    with pytest.raises(ValueError, match="loss='nce'.*negative"):
        Word2VecVectorizer(loss="nce", negative=0, hs=True, min_count=1).fit(DOCS)


def test_score_keeps_the_negative_sampling_protocol_for_nce():
    # what the guide states: both objectives learn the topics, yet score() (the NS
    # likelihood) rates NCE lower, so loss is compared with another scorer
    params = dict(vector_size=16, min_count=1, window=3, sample=0, epochs=10, random_state=0)
    ns = Word2VecVectorizer(**params).fit(DOCS)
    nce = Word2VecVectorizer(**params, loss="nce").fit(DOCS)
    assert _topic_accuracy(ns) > 0.9 and _topic_accuracy(nce) > 0.9
    assert nce.score(DOCS[:30]) < ns.score(DOCS[:30]) - 0.3
