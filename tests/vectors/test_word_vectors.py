"""WordVectors safety: read-only lookups, and deep copies that share the matrices."""

import copy
import pickle
import tracemalloc

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone

from skembed.vectors import FastTextWordVectors, WordVectors


@pytest.fixture(params=["plain", "fasttext"])
def wv(request):
    rng = np.random.default_rng(0)
    words = ["king", "queen", "sea", "river"]
    if request.param == "plain":
        return WordVectors(words, rng.normal(size=(4, 5)), counts=[4, 3, 2, 1])
    return FastTextWordVectors(words, rng.normal(size=(4, 5)), rng.normal(size=(30, 5)),
                               min_n=2, max_n=3, counts=[4, 3, 2, 1])  # fmt: skip


def _lookups(wv):
    yield "get_vector", wv.get_vector("king")
    yield "get_vector(norm)", wv.get_vector("queen", norm=True)
    yield "[word]", wv["sea"]
    yield "[words]", wv[["king", "river"]]
    if isinstance(wv, FastTextWordVectors):
        yield "unseen", wv.get_vector("kingdom")
        yield "[unseen]", wv["seas"]


def test_lookups_are_read_only_and_the_model_survives_in_place_normalising(wv):
    before = wv.vectors.copy()
    for name, vector in _lookups(wv):
        assert not vector.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            vector /= np.linalg.norm(vector)
        writable = vector.copy()
        writable /= 2  # a copy is the caller's own
    np.testing.assert_array_equal(wv.vectors, before)
    # the matrix itself stays writable (training writes into it)
    assert wv.vectors.flags.writeable
    wv.vectors[0] += 1
    np.testing.assert_array_equal(wv.get_vector("king"), before[0] + 1)


def test_lookup_values_are_unchanged(wv):
    np.testing.assert_array_equal(wv["king"], wv.vectors[0])
    np.testing.assert_array_equal(wv[["king", "sea"]], wv.vectors[[0, 2]])
    unit = wv.get_vector("queen", norm=True)
    np.testing.assert_allclose(unit, wv.vectors[1] / np.linalg.norm(wv.vectors[1]), rtol=1e-6)
    assert unit.dtype == np.float32


def test_deep_copy_shares_read_only_matrices(wv):
    other = copy.deepcopy(wv)
    assert type(other) is type(wv)
    assert np.shares_memory(other.vectors, wv.vectors) and not other.vectors.flags.writeable
    assert wv.vectors.flags.writeable  # the original is untouched
    if isinstance(wv, FastTextWordVectors):
        assert np.shares_memory(other._input, wv._input) and not other._input.flags.writeable
        np.testing.assert_array_equal(other["kingdom"], wv["kingdom"])
    with pytest.raises(ValueError, match="read-only"):
        other.vectors[0] = 0
    # lookups and queries answer as the original's
    np.testing.assert_array_equal(other["queen"], wv["queen"])
    assert other.most_similar("king", topn=2) == wv.most_similar("king", topn=2)
    np.testing.assert_array_equal(other.counts, wv.counts)
    # the vocabulary is the copy's own
    other.index_to_key.append("extra")
    other.key_to_index["extra"] = 99
    assert "extra" not in wv and len(wv.index_to_key) == 4
    # a pickled copy is independent and writable again
    restored = pickle.loads(pickle.dumps(copy.deepcopy(wv)))
    assert restored.vectors.flags.writeable
    assert not np.shares_memory(restored.vectors, wv.vectors)


def test_clone_of_an_estimator_with_vectors_as_parameter_does_not_copy_the_matrix():
    class Step(BaseEstimator):
        def __init__(self, initial_vectors=None):
            self.initial_vectors = initial_vectors

    rng = np.random.default_rng(0)
    big = WordVectors([f"w{i}" for i in range(20_000)], rng.normal(size=(20_000, 100)))
    tracemalloc.start()
    try:
        clones = [clone(Step(initial_vectors=big)) for _ in range(5)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert big.vectors.nbytes == 8_000_000
    assert peak < big.vectors.nbytes  # five copies would take 40 MB
    for step in clones:
        assert step.initial_vectors is not big
        assert np.shares_memory(step.initial_vectors.vectors, big.vectors)


def test_deep_copy_of_an_object_holding_vectors_is_independent(wv):
    # a fitted estimator deep-copied goes on training on its own: its wv_ is copied in full
    holder = {"wv_": wv}
    other = copy.deepcopy(holder)["wv_"]
    assert not np.shares_memory(other.vectors, wv.vectors)
    assert other.vectors.flags.writeable
    other.vectors[0] = 0
    assert wv.vectors[0].any()
    if isinstance(wv, FastTextWordVectors):
        assert not np.shares_memory(other._input, wv._input)
        np.testing.assert_array_equal(other["kingdom"], wv["kingdom"])


def test_fitted_estimator_lookups_are_read_only_and_its_deep_copy_trains_alone():
    from skembed import Word2VecVectorizer

    docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
    model = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, n_jobs=1, random_state=0)
    model.fit(docs)
    assert not model.wv_["cat"].flags.writeable and model.wv_.vectors.flags.writeable
    before = model.wv_.vectors.copy()
    twin = copy.deepcopy(model)
    twin.partial_fit(docs)
    np.testing.assert_array_equal(model.wv_.vectors, before)
    assert not np.array_equal(twin.wv_.vectors, before)
