"""PretrainedVectorizer: vectors from a file or in memory, in pipelines, searches and pickles."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skembed import PretrainedVectorizer, Word2VecVectorizer, WordVectors
from skembed.vectors import save

WORDS = ["good", "great", "fine", "bad", "awful", "poor", "movie", "the"]
VECTORS = np.array(
    [[1, 0, 0], [0.9, 0.1, 0], [0.8, 0, 0.2], [-1, 0, 0], [-0.9, 0.1, 0], [-0.8, 0, 0.1],
     [0, 1, 0], [0, 0, 1]],
    dtype=np.float32,
)  # fmt: skip
DOCS = ["the good movie", "a great movie", "fine", "the bad movie", "awful", "poor movie"] * 4
LABELS = [1, 1, 1, 0, 0, 0] * 4


@pytest.fixture
def wv():
    return WordVectors(WORDS, VECTORS, counts=None)


@pytest.fixture(params=["word2vec", "word2vec-binary", "npz"])
def vector_file(request, tmp_path, wv):
    path = (
        tmp_path / {"word2vec": "v.txt", "word2vec-binary": "v.bin", "npz": "v.npz"}[request.param]
    )
    save(wv, path, format=request.param)
    return str(path)


def test_mean_pooling_is_the_mean_of_the_known_words(wv):
    vec = PretrainedVectorizer(vectors=wv).fit(DOCS)
    out = vec.transform(["the good movie unknownword", "nothing known", ""])
    assert_allclose(out[0], VECTORS[[7, 0, 6]].mean(axis=0), rtol=1e-6)
    assert np.all(out[1:] == 0)
    assert vec.wv_ is wv  # used as it is, not copied
    assert vec.coverage_ == pytest.approx(12 / 13)  # "a" is the one unknown of 13 tokens
    assert vec.get_feature_names_out().tolist() == [f"pretrainedvectorizer{i}" for i in range(3)]


def test_a_file_in_any_format_gives_the_same_features_as_the_vectors(wv, vector_file):
    from_file = PretrainedVectorizer(vectors=vector_file).fit_transform(DOCS)
    assert_allclose(from_file, PretrainedVectorizer(vectors=wv).fit_transform(DOCS), atol=1e-6)


def test_a_pickle_keeps_the_loaded_vectors_not_the_file(vector_file, tmp_path):
    import os

    fitted = PretrainedVectorizer(vectors=vector_file, pooling="sif").fit(DOCS)
    blob = pickle.dumps(fitted)
    os.remove(vector_file)  # another machine: the file is not there
    restored = pickle.loads(blob)
    assert_array_equal(restored.transform(DOCS), fitted.transform(DOCS))


def test_clones_of_a_search_share_one_loaded_matrix(vector_file):
    a = clone(PretrainedVectorizer(vectors=vector_file)).fit(DOCS)
    b = clone(PretrainedVectorizer(vectors=vector_file, pooling="max")).fit(DOCS)
    assert a.wv_ is b.wv_  # loaded once per process and file version
    assert not a.wv_.vectors.flags.writeable  # shared: nobody writes into it


def test_clone_of_in_memory_vectors_shares_their_matrix_read_only(wv):
    copy = clone(PretrainedVectorizer(vectors=wv))
    assert copy.vectors is not wv
    assert np.shares_memory(copy.vectors.vectors, wv.vectors)
    assert not copy.vectors.vectors.flags.writeable
    assert_array_equal(
        copy.fit_transform(DOCS), PretrainedVectorizer(vectors=wv).fit_transform(DOCS)
    )


def test_pickling_in_memory_vectors_stores_them_once(wv):
    fitted = PretrainedVectorizer(vectors=wv).fit(DOCS)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.wv_ is restored.vectors
    big = WordVectors([f"w{i}" for i in range(2000)], np.ones((2000, 50), np.float32))
    fitted_big = PretrainedVectorizer(vectors=big).fit(["w1 w2"])
    assert len(pickle.dumps(fitted_big)) < 1.2 * len(pickle.dumps(big))


def test_in_a_grid_search_pipeline(wv):
    pipe = make_pipeline(PretrainedVectorizer(vectors=wv), LogisticRegression())
    search = GridSearchCV(
        pipe, {"pretrainedvectorizer__pooling": ["mean", "max", "sif", "usif"]}, cv=3
    ).fit(DOCS, LABELS)
    assert search.best_score_ == 1.0
    assert search.predict(["a great film", "an awful film"]).tolist() == [1, 0]


def test_sif_probabilities_come_from_the_vectors_counts_when_they_have_them(wv):
    counted = WordVectors(WORDS, VECTORS, counts=[1, 1, 1, 1, 1, 1, 100, 1000])
    vec = PretrainedVectorizer(vectors=counted, pooling="sif").fit(DOCS)
    assert_array_equal(vec.word_counts_, counted.counts)
    uncounted = PretrainedVectorizer(vectors=wv, pooling="sif").fit(DOCS)
    # without counts: the occurrences in X ("the" 8 times, "movie" 16 times, ...)
    assert uncounted.word_counts_.tolist() == [4, 4, 4, 4, 4, 4, 16, 8]
    state = uncounted._pooling_state
    assert state["weights"][6] < state["weights"][0]  # the frequent word weighs less


def test_works_with_the_vectors_of_a_fitted_vectorizer():
    texts = ["the cat sat on the mat", "the dog sat on the log"] * 20
    trained = Word2VecVectorizer(vector_size=8, min_count=1, random_state=0).fit(texts)
    vec = PretrainedVectorizer(vectors=trained.wv_)
    assert_allclose(vec.fit_transform(texts), trained.transform(texts), rtol=1e-6)
    with pytest.raises(TypeError, match="'vectors' parameter"):
        PretrainedVectorizer(vectors=trained).fit(texts)


def test_missing_vectors_or_file_give_errors_naming_them(tmp_path):
    with pytest.raises(ValueError, match="vectors=None"):
        PretrainedVectorizer().fit(DOCS)
    missing = tmp_path / "nope.txt"
    with pytest.raises(OSError, match="nope.txt"):
        PretrainedVectorizer(vectors=str(missing)).fit(DOCS)
    with pytest.raises(ValueError, match="vectors holds no word"):
        PretrainedVectorizer(vectors=WordVectors([], np.zeros((0, 3)))).fit(DOCS)
