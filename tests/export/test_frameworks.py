"""Word vectors for embedding layers: embedding_arrays and the .npz layout the guide reads."""

import numpy as np
import pytest

from skembed import FastTextVectorizer, Word2VecVectorizer
from skembed.export import embedding_arrays
from skembed.vectors import WordVectors, save

DOCS = ["the cat sat on the mat", "the dog sat on the log"] * 10


@pytest.mark.parametrize("padding", [False, True])
def test_rows_are_the_word_vectors(padding):
    vec = Word2VecVectorizer(vector_size=6, min_count=1, epochs=1, random_state=0).fit(DOCS)
    matrix, word_index = embedding_arrays(vec.wv_, padding=padding)
    assert matrix.dtype == np.float32 and matrix.shape == (len(vec.wv_) + padding, 6)
    assert sorted(word_index.values()) == list(range(padding, len(vec.wv_) + padding))
    for word in vec.wv_.index_to_key:
        np.testing.assert_array_equal(matrix[word_index[word]], vec.wv_[word])
    if padding:
        assert not matrix[0].any()
    # an embedding layer's forward pass is a row lookup: token ids -> matrix rows
    ids = np.array([[word_index["the"], word_index["cat"]]])
    np.testing.assert_array_equal(matrix[ids][0, 1], vec.wv_["cat"])
    matrix[:] = 0  # a copy: training the layer leaves the vectors alone
    assert vec.wv_.vectors.any()


def test_fasttext_rows_are_the_composed_vectors():
    vec = FastTextVectorizer(vector_size=4, min_count=1, bucket=100, epochs=1, random_state=0).fit(
        DOCS
    )
    matrix, word_index = embedding_arrays(vec.wv_)
    np.testing.assert_array_equal(matrix[word_index["mat"]], vec.wv_.get_vector("mat"))


def test_npz_file_layout_gives_the_same_arrays(tmp_path):
    # the guide loads vectors for torch/Keras from the .npz with NumPy alone
    rng = np.random.default_rng(0)
    wv = WordVectors(["cat", "dog", "émile"], rng.normal(size=(3, 5)).astype(np.float32))
    path = tmp_path / "vectors.npz"
    save(wv, path)
    with np.load(path) as data:
        assert {"words", "vectors"} <= set(data.files)
        vectors = data["vectors"]
        words = [str(w) for w in data["words"]]
    word_index = {w: i + 1 for i, w in enumerate(words)}
    matrix = np.vstack([np.zeros((1, vectors.shape[1]), np.float32), vectors])
    expected_matrix, expected_index = embedding_arrays(wv, padding=True)
    np.testing.assert_array_equal(matrix, expected_matrix)
    assert word_index == expected_index
