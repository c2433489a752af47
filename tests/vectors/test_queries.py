"""Queries on WordVectors against answers computed by hand on five 2-d vectors."""

import numpy as np
import pytest

from skembed.vectors import FastTextWordVectors, WordVectors
from skembed.vectors import _queries as q

# unit vectors, except none needs it: a = east, c = north, d = west
WORDS = ["a", "b", "c", "d", "e"]
VECTORS = np.array([[1, 0], [0.8, 0.6], [0, 1], [-1, 0], [0.6, 0.8]], dtype=np.float32)


@pytest.fixture
def wv():
    return WordVectors(WORDS, VECTORS)


def _check(answer, expected):
    assert [w for w, _ in answer] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in answer], [s for _, s in expected], atol=1e-6)


def test_most_similar_by_hand(wv):
    _check(wv.most_similar("a"), [("b", 0.8), ("e", 0.6), ("c", 0.0), ("d", -1.0)])
    _check(wv.most_similar("a", topn=2), [("b", 0.8), ("e", 0.6)])
    assert wv.most_similar("a", topn=0) == []
    # the first three rows only
    _check(wv.most_similar("a", restrict_vocab=3), [("b", 0.8), ("c", 0.0)])
    # b - a: mean (-0.1, 0.3), direction (-1, 3) / sqrt(10)
    r10 = np.sqrt(10)
    _check(wv.most_similar(positive="b", negative="a"),
           [("c", 3 / r10), ("e", 1.8 / r10), ("d", 1 / r10)])  # fmt: skip


def test_similar_by_vector_leaves_no_word_out_and_breaks_ties_by_row(wv):
    _check(wv.similar_by_vector(np.array([0, -2.0]), topn=3), [("a", 0), ("d", 0), ("b", -0.6)])
    _check(wv.similar_by_vector(np.array([1.0, 0]), topn=1), [("a", 1.0)])
    _check(wv.similar_by_vector(np.array([1.0, 0]), topn=2, restrict_vocab=1), [("a", 1.0)])


def test_analogy_is_b_minus_a_plus_c_and_cosmul_differs(wv):
    # b - a + c = (-0.2, 1.6): e scores 1.16 / sqrt(2.6), d 0.2 / sqrt(2.6)
    r = np.sqrt(2.6)
    _check(wv.analogy("a", "b", "c", topn=2), [("e", 1.16 / r), ("d", 0.2 / r)])
    _check(wv.most_similar(positive=["b", "c"], negative=["a"], topn=1), [("e", 1.16 / r)])
    # 3CosMul, similarities shifted to (1 + cos) / 2: d scores 0.1 * 0.5 / (0 + 1e-6),
    # e scores 0.98 * 0.9 / (0.8 + 1e-6)
    answer = wv.most_similar_cosmul(positive=["b", "c"], negative=["a"])
    assert [w for w, _ in answer] == ["d", "e"]
    assert answer[0][1] == pytest.approx(0.05 / 1e-6, rel=1e-4)
    assert answer[1][1] == pytest.approx(0.98 * 0.9 / (0.8 + 1e-6), rel=1e-5)
    # restricted to the first three rows, only nothing is left: a, b, c are the query
    assert wv.most_similar_cosmul(positive=["b", "c"], negative=["a"], restrict_vocab=3) == []


def test_doesnt_match_by_hand(wv):
    # mean of the unit vectors is (0.35, 0.35): d's cosine -0.71 is the lowest
    assert wv.doesnt_match(["a", "b", "e", "d"]) == "d"
    # mean direction (2.4, 1.4): cosines b 0.99, e 0.92, a 0.86
    assert wv.doesnt_match(["b", "e", "a"]) == "a"
    with pytest.raises(ValueError, match="at least two"):
        wv.doesnt_match(["a"])
    with pytest.raises(KeyError, match="zzz"):
        wv.doesnt_match(["a", "zzz"])


def test_interpolate_by_hand(wv):
    # points t = 0, 1/3, 2/3, 1 between a and c: (1, 0), (2/3, 1/3), (1/3, 2/3), (0, 1)
    answer = wv.interpolate("a", "c", steps=4, topn=1)
    assert [t for t, _ in answer] == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert [words[0][0] for _, words in answer] == ["a", "b", "e", "c"]
    point = np.array([2 / 3, 1 / 3])
    assert answer[1][1][0][1] == pytest.approx(point @ VECTORS[1] / np.linalg.norm(point))
    with pytest.raises(ValueError, match="steps"):
        wv.interpolate("a", "c", steps=1)


def test_batch_equals_one_query_at_a_time(wv):
    answers = wv.most_similar_batch(["a", "c", "d"], topn=2)
    _check(answers[0], [("b", 0.8), ("e", 0.6)])
    _check(answers[1], [("e", 0.8), ("b", 0.6)])
    _check(answers[2], [("c", 0.0), ("e", -0.6)])
    # restricted: the query word itself beyond the searched rows changes nothing
    _check(wv.most_similar_batch(["d"], topn=5, restrict_vocab=2)[0], [("b", -0.8), ("a", -1)])
    # vectors: nothing left out
    _check(wv.most_similar_batch(np.array([[2.0, 0]]), topn=1)[0], [("a", 1.0)])
    assert wv.most_similar_batch(["a"], topn=0) == [[]]


def test_batch_on_random_vectors_matches_the_loop():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    wv = WordVectors(words, rng.normal(size=(300, 8)))
    queries = words[::7]
    batch = wv.most_similar_batch(queries, topn=5, restrict_vocab=200)
    for word, answer in zip(queries, batch, strict=True):
        single = wv.most_similar(word, topn=5, restrict_vocab=200)
        assert [w for w, _ in answer] == [w for w, _ in single]
        np.testing.assert_allclose([s for _, s in answer], [s for _, s in single], rtol=1e-5)
    # against a plain NumPy computation
    normed = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    scores = normed[:200] @ normed[0]
    scores[0] = -np.inf
    assert [w for w, _ in batch[0]] == [words[i] for i in np.argsort(-scores)[:5]]


def test_unseen_words_of_a_subword_model_can_be_queried():
    rng = np.random.default_rng(1)
    wv = FastTextWordVectors(["cat", "cats", "dog"], rng.normal(size=(3, 4)),
                             rng.normal(size=(40, 4)), min_n=2, max_n=3)  # fmt: skip
    answer = wv.most_similar("catz", topn=3)
    assert sorted(w for w, _ in answer) == ["cat", "cats", "dog"]  # none left out
    np.testing.assert_allclose(answer[0][1], max(wv.similarity("catz", w) for w in wv), rtol=1e-5)


def test_bad_arguments_name_the_parameter(wv):
    with pytest.raises(ValueError, match="restrict_vocab"):
        wv.most_similar("a", restrict_vocab=0)
    with pytest.raises(ValueError, match="topn"):
        wv.most_similar("a", topn=-1)
    with pytest.raises(ValueError, match="at least one"):
        wv.most_similar()
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        wv.similar_by_vector(np.ones(3))
    with pytest.raises(ValueError, match="n_queries"):
        wv.most_similar_batch(np.ones((2, 3)))
    with pytest.raises(KeyError, match="zzz"):
        wv.most_similar_batch(["a", "zzz"])
    assert q.most_similar(wv, "a", topn=1) == wv.most_similar("a", topn=1)
