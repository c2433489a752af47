"""SIF and uSIF pooling: each against its formula written in NumPy, and fit/transform agreement."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from skembed.corpus._encoding import Corpus
from skembed.models._pooling import (
    POOLING_OPTIONS,
    fit_smoothed_pooling,
    pool_smoothed,
    usif_parameter,
)

VECTORS = np.array(
    [[1.0, -2.0, 0.5], [-3.0, -1.0, 2.0], [0.0, -4.0, -1.0], [2.5, -0.5, -2.0], [0.0, 0.0, 0.0]],
    dtype=np.float32,
)
COUNTS = np.array([50, 20, 10, 5, 15])
DOCS = [[0, 1], [], [2, 2, 3], [4, 0], [3, 0, 1, 2, 0], [1, 3]]

TEXTS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog ran in the park",
    "the bird sang on the branch of the tree",
] * 10


def _corpus(docs):
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    return Corpus(np.array([w for d in docs for w in d], dtype=np.int32), offsets)


def _weighted_means(vectors, weights):
    return np.array(
        [(weights[d, None] * vectors[d]).mean(axis=0) if d else np.zeros(3) for d in DOCS]
    )


def test_sif_equals_its_formula_in_numpy():
    a = 1e-3
    p = COUNTS / COUNTS.sum()
    weights = a / (a + p)
    X = _weighted_means(VECTORS.astype(np.float64), weights)
    u = np.linalg.svd(X, full_matrices=False)[2][0]  # uncentred, as Arora et al.'s code
    expected = X - np.outer(X @ u, u)

    state = fit_smoothed_pooling("sif", VECTORS, _corpus(DOCS), COUNTS)
    assert_allclose(state["weights"], weights, rtol=1e-6)
    assert state["components"].shape == (1, 3)
    assert_allclose(abs(state["components"][0] @ u), 1.0, rtol=1e-5)
    out = pool_smoothed(state, VECTORS, _corpus(DOCS))
    assert out.dtype == np.float32
    assert_allclose(out, expected, rtol=1e-4, atol=1e-6)
    assert_allclose(out @ u, 0.0, atol=1e-5)  # nothing left along the common direction
    assert np.all(out[1] == 0)  # the empty document


def test_usif_equals_its_formula_in_numpy():
    p = COUNTS / COUNTS.sum()
    lengths = np.array([len(d) for d in DOCS])
    n_vocab = 5  # words of known probability
    n = lengths.mean()
    threshold = 1 - (1 - 1 / n_vocab) ** n
    alpha = np.mean(p > threshold)
    a = (1 - alpha) / (alpha * n_vocab / 2)
    assert usif_parameter(p, n) == pytest.approx(a)
    weights = a / (a / 2 + p)
    norms = np.linalg.norm(VECTORS, axis=1, keepdims=True)
    unit = np.where(norms > 0, VECTORS / np.where(norms > 0, norms, 1), 0.0)
    X = _weighted_means(unit, weights)
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    m = min(5, *X.shape)  # at most the rank bound: 3 here
    lam = s[:m] ** 2 / np.sum(s[:m] ** 2)
    expected = X.copy()
    for i in range(m):  # sequential removal, as the reference code does
        expected = expected - lam[i] * np.outer(expected @ vt[i], vt[i])

    state = fit_smoothed_pooling("usif", VECTORS, _corpus(DOCS), COUNTS)
    assert_allclose(state["weights"], weights, rtol=1e-6)
    assert_allclose(state["scales"], lam, rtol=1e-6)
    out = pool_smoothed(state, VECTORS, _corpus(DOCS))
    assert_allclose(out, expected, rtol=1e-4, atol=1e-6)


def test_a_word_beyond_the_fitted_rows_weighs_as_unseen():
    state = fit_smoothed_pooling("sif", VECTORS, _corpus(DOCS), COUNTS)
    extra = np.vstack([VECTORS, [[1.0, 1.0, 1.0]]]).astype(np.float32)
    out = pool_smoothed(state, extra, _corpus([[5]]))
    u = state["components"][0].astype(np.float64)
    v = np.ones(3)
    assert_allclose(out[0], v - (v @ u) * u, rtol=1e-5)  # weight a / (a + 0) = 1


@pytest.mark.parametrize(
    "estimator",
    [
        Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0),
        GloVeVectorizer(vector_size=8, window=3, min_count=1, epochs=2, random_state=0),
        FastTextVectorizer(vector_size=8, min_count=2, epochs=2, bucket=200, random_state=0),
    ],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize("mode", ["sif", "usif"])
def test_fit_transform_equals_fit_then_transform(estimator, mode):
    est = estimator.set_params(pooling=mode)
    via_fit_transform = est.fit_transform(TEXTS)
    state = est._pooling_state
    assert est.common_components_ is state["components"]
    assert est.common_components_.shape[1] == 8
    assert_array_equal(via_fit_transform, est.transform(TEXTS))
    again = type(est)(**est.get_params()).fit(TEXTS)
    assert_array_equal(via_fit_transform, again.transform(TEXTS))
    unseen = est.transform(["zebra quagga", ""])
    assert unseen.shape == (2, 8) and np.all(unseen[1] == 0)
    # the weights come from the training counts: the most frequent word weighs least
    weights = state["weights"]
    assert weights[np.argmax(est.wv_.counts)] == weights.min()


def test_pooling_changed_after_fit_to_a_fitted_mode_asks_to_refit():
    est = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0).fit(TEXTS)
    assert est.common_components_ is None
    est.set_params(pooling="sif")
    with pytest.raises(ValueError, match="pooling='sif' needs word weights"):
        est.transform(TEXTS)
    assert "sif" in POOLING_OPTIONS and "usif" in POOLING_OPTIONS


@pytest.mark.slow
def test_retrieval_of_reworded_verses_with_every_pooling_mode():
    # examples/pooling_retrieval_kjv.py on a quarter of the King James Bible
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "pooling_retrieval_kjv.py"
    spec = importlib.util.spec_from_file_location("pooling_retrieval_kjv", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    top1 = module.main(small=True)
    # chance is 1 in 7,776 verses; a pooling that mixed up documents would fall far below
    assert min(top1.values()) > 0.4  # measured: 0.56 (SIF) to 0.74 (uSIF)
    # uSIF's unit vectors and five weighted components do not lose to the plain mean here
    assert top1["usif"] >= top1["mean"] - 0.01
