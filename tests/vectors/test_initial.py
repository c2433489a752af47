"""The shared loader and rule of ``initial_vectors``."""

import numpy as np
import pytest

from skembed import Word2VecVectorizer, WordVectors
from skembed.vectors._initial import (
    as_initial_vectors,
    copy_initial_rows,
    initial_dimension,
    union_vocabulary,
)


@pytest.fixture
def wv():
    return WordVectors(["king", "queen", "zebra"], np.arange(6, dtype=np.float32).reshape(3, 2))


def test_a_path_is_loaded_through_the_registry(tmp_path, wv):
    path = tmp_path / "v.vec"
    wv.save(path)
    loaded = as_initial_vectors(str(path))
    assert loaded.words == wv.words
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)
    assert as_initial_vectors(path).words == wv.words  # a pathlib.Path too
    assert as_initial_vectors(None) is None


def test_an_estimator_is_refused_with_the_way_out():
    with pytest.raises(TypeError, match=r"initial_vectors=estimator.wv_"):
        as_initial_vectors(Word2VecVectorizer())
    with pytest.raises(TypeError, match="initial_vectors must be a path or a WordVectors"):
        as_initial_vectors(42)


def test_non_finite_or_empty_vectors_are_refused():
    bad = WordVectors(["a"], np.array([[np.nan, 1]], dtype=np.float32))
    with pytest.raises(ValueError, match="non-finite"):
        as_initial_vectors(bad)
    with pytest.raises(ValueError, match="no word"):
        as_initial_vectors(WordVectors([], np.zeros((0, 2), np.float32)))


def test_union_keeps_corpus_order_then_file_only_words(wv):
    words, counts = union_vocabulary(["the", "queen", "king"], np.array([9, 4, 2]), wv)
    assert words == ["the", "queen", "king", "zebra"]
    assert counts.tolist() == [9, 4, 2, 0]
    same, same_counts = union_vocabulary(["a"], np.array([1]), None)
    assert same == ["a"] and same_counts.tolist() == [1]


def test_rows_of_known_words_are_copied_and_others_untouched(wv):
    words = ["the", "queen", "king", "zebra"]
    matrix = np.full((4, 2), -1.0, dtype=np.float32)
    mask = copy_initial_rows(matrix, words, wv)
    assert mask.tolist() == [False, True, True, True]
    np.testing.assert_array_equal(matrix[0], [-1, -1])
    np.testing.assert_array_equal(matrix[1:], wv.vectors[[1, 0, 2]])
    with pytest.raises(ValueError, match="2 dimensions but the model has 3"):
        copy_initial_rows(np.zeros((4, 3), np.float32), words, wv)


def test_the_vectors_fix_the_dimension(wv):
    assert initial_dimension(100, wv) == 2
    assert initial_dimension(100, None) == 100
