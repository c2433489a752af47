"""Nearest-neighbour indexes: exact search is the reference, the approximate one keeps up."""

import sys

import numpy as np
import pytest

from skembed import WordVectors
from skembed.vectors import ExactIndex, NNDescentIndex


def clustered(n, d, n_centres=200, spread=0.5, latent=12, seed=0):
    """Clusters in a ``latent``-dimensional space mapped into ``d`` dimensions, plus noise.

    Trained embeddings have a low intrinsic dimension; clusters of full-rank noise
    (every direction as likely) would make every neighbour nearly as far as the next.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_centres, latent))
    z = centres[rng.integers(n_centres, size=n)] + spread * rng.normal(size=(n, latent))
    points = z @ rng.normal(size=(latent, d)) + 0.1 * rng.normal(size=(n, d))
    return points.astype(np.float32)


def recall(found, truth):
    return np.mean([len(set(a) & set(b)) / len(b) for a, b in zip(found, truth, strict=True)])


def numpy_reference(items, queries, k):
    items = items / np.linalg.norm(items, axis=1, keepdims=True)
    queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    scores = queries @ items.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(scores, order, axis=1)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_exact_search_equals_numpy_argsort(n_jobs, monkeypatch):
    # small blocks, so that several query blocks (and threads) take part
    monkeypatch.setattr("skembed.vectors._index._BLOCK_SCORES", 3000)
    rng = np.random.default_rng(0)
    items, queries = rng.normal(size=(700, 16)), rng.normal(size=(50, 16))
    indices, similarities = ExactIndex(n_jobs=n_jobs).fit(items).query(queries, k=10)
    expected, expected_scores = numpy_reference(items, queries, 10)
    assert indices.shape == similarities.shape == (50, 10)
    assert indices.dtype == np.int64 and similarities.dtype == np.float32
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_allclose(similarities, expected_scores, rtol=1e-5, atol=1e-6)


def test_exact_k_larger_than_the_index_returns_every_item():
    items = np.random.default_rng(1).normal(size=(4, 3))
    indices, similarities = ExactIndex().fit(items).query(items[0], k=10)
    assert indices.shape == (1, 4)
    assert indices[0, 0] == 0 and similarities[0, 0] == pytest.approx(1.0)
    assert np.all(np.diff(similarities[0]) <= 0)


def test_exact_add_equals_a_rebuild():
    points = clustered(3040, 16, seed=2)
    items, queries = points[:3000], points[3000:]
    grown = ExactIndex().fit(items[:2000]).add(range(2000, 3000), items[2000:])
    rebuilt = ExactIndex().fit(items)
    assert grown.keys_ == rebuilt.keys_
    for a, b in zip(grown.query(queries, 10), rebuilt.query(queries, 10), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_index_checks_name_the_fault():
    index = ExactIndex().fit(WordVectors(["a", "b"], np.eye(2, dtype=np.float32)))
    with pytest.raises(ValueError, match="key 'a' is already"):
        index.add(["a"], [[1.0, 1.0]])
    with pytest.raises(ValueError, match="3 columns"):
        index.query([[1.0, 0.0, 0.0]], k=1)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        index.query([[1.0, 0.0]], k=0)
    with pytest.raises(ValueError, match="not fitted"):
        ExactIndex().query([[1.0, 0.0]], k=1)


def test_most_similar_through_an_index_matches_the_scan():
    rng = np.random.default_rng(4)
    wv = WordVectors([f"w{i}" for i in range(300)], rng.normal(size=(300, 12)))
    index = ExactIndex().fit(wv)
    for query in (dict(positive="w3"), dict(positive=["w1", "w2"], negative="w7")):
        expected = wv.most_similar(**query, topn=5)
        got = wv.most_similar(**query, topn=5, indexer=index)
        assert [w for w, _ in got] == [w for w, _ in expected]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=1e-5)
    with pytest.raises(ValueError, match="restrict_vocab"):
        wv.most_similar("w3", restrict_vocab=10, indexer=index)


def test_words_added_to_the_index_are_answers():
    wv = WordVectors(["a", "b"], np.array([[1, 0], [0, 1]], dtype=np.float32))
    index = ExactIndex().fit(wv).add(["near_a"], [[1.0, 0.05]])
    assert wv.most_similar("a", topn=1, indexer=index)[0][0] == "near_a"


def test_nndescent_without_pynndescent_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynndescent", None)
    index = NNDescentIndex()  # constructing needs nothing
    with pytest.raises(ImportError, match=r"skembed\[ann\]"):
        index.fit(np.eye(3))


@pytest.fixture(scope="module")
def ann_setting():
    pytest.importorskip("pynndescent")
    # queries from the same clusters as the items, as queries for words are
    points = clustered(20_500, 32)
    items, queries = points[:20_000], points[20_000:]
    truth = ExactIndex().fit(items).query(queries, 10)[0]
    return items, queries, truth


# pynndescent compiles its numba functions on first use (minutes when its cache is cold)
@pytest.mark.slow
def test_nndescent_recall_and_add(ann_setting):
    items, queries, truth = ann_setting
    rebuilt = NNDescentIndex(random_state=0).fit(items)
    indices, similarities = rebuilt.query(queries, 10)
    rebuilt_recall = recall(indices, truth)
    assert rebuilt_recall >= 0.9
    # returned similarities are exact cosines, best first
    unit = items / np.linalg.norm(items, axis=1, keepdims=True)
    unit_queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    exact = np.einsum("qd,qkd->qk", unit_queries, unit[indices])
    np.testing.assert_allclose(similarities, exact, rtol=1e-5, atol=1e-6)
    assert np.all(np.diff(similarities, axis=1) <= 0)

    grown = NNDescentIndex(random_state=0).fit(items[:18_000])
    grown.add(range(18_000, 20_000), items[18_000:])
    assert len(grown) == 20_000
    grown_recall = recall(grown.query(queries, 10)[0], truth)
    assert grown_recall >= rebuilt_recall - 0.02
    # the added items are found: each one's nearest neighbour is itself
    own = grown.query(items[18_000:18_200], 1)[0][:, 0]
    assert np.mean(own == np.arange(18_000, 18_200)) >= 0.9
