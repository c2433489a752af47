import pickle

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.dummy import DummyClassifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.utils import Bunch

from skembed.evaluation import (
    _analogy,
    analogy_accuracy,
    make_analogy_scorer,
    make_similarity_scorer,
    word_similarity_score,
)
from skembed.vectors._word_vectors import WordVectors


def unit(*values):
    vector = np.asarray(values, dtype=np.float64)
    return vector / np.linalg.norm(vector)


def cosine(u, v):
    return float(np.dot(unit(*u), unit(*v)))


class StemVectors(WordVectors):
    """Word vectors that give an unseen plural the vector of its singular."""

    def _unseen_vector(self, word):
        if word.endswith("s") and word[:-1] in self.key_to_index:
            return self.vectors[self.key_to_index[word[:-1]]]
        raise KeyError(word)


# ------------------------------------------------------------ similarity

SIM_WORDS = ["cat", "dog", "car", "tree", "Paris"]
SIM_VECTORS = np.array(
    [[1.0, 0.1, 0.0], [0.9, 0.4, 0.1], [0.1, 1.0, 0.2], [0.3, 0.3, 1.0], [0.5, -0.5, 0.5]],
    dtype=np.float32,
)


@pytest.fixture
def sim_wv():
    return WordVectors(SIM_WORDS, SIM_VECTORS)


def test_spearman_equals_scipy_on_covered_pairs(sim_wv):
    pairs = [
        ("cat", "dog", 9.0),
        ("cat", "car", 2.0),
        ("dog", "tree", 4.0),
        ("car", "tree", 1.5),
        ("cat", "zebra", 5.0),  # uncovered
        ("Paris", "tree", 3.0),
        ("dog", "car", 6.0),
    ]
    result = word_similarity_score(sim_wv, pairs)
    covered = [p for p in pairs if p[1] != "zebra"]
    model = [sim_wv.similarity(w1, w2) for w1, w2, _ in covered]
    expected = stats.spearmanr(model, [s for *_, s in covered])
    assert result.spearman == pytest.approx(expected.statistic)
    assert result.pvalue == pytest.approx(expected.pvalue)
    assert (result.n_found, result.n_total) == (6, 7)
    assert result.coverage == pytest.approx(6 / 7)


def test_coverage_counts_are_exact(sim_wv):
    pairs = [
        ("cat", "dog", 1.0),
        ("cat", "cow", 2.0),
        ("hen", "cow", 3.0),
        ("tree", "car", 4.0),
        ("dog", "dog", 5.0),
    ]
    result = word_similarity_score(sim_wv, pairs)
    assert (result.n_found, result.n_total) == (3, 5)
    assert result.coverage == 0.6
    none = word_similarity_score(sim_wv, [("a", "b", 1.0), ("c", "d", 2.0)])
    assert (none.n_found, none.n_total) == (0, 2)
    assert np.isnan(none.spearman)


def test_lookup_tries_word_as_given_then_lowercased(sim_wv):
    pairs = [("CAT", "Dog", 3.0), ("Paris", "tree", 2.0), ("paris", "car", 1.0)]
    result = word_similarity_score(sim_wv, pairs)
    # "CAT" and "Dog" lowercased; "Paris" found as given; "paris" is not in the vocabulary
    assert result.n_found == 2
    strict = word_similarity_score(sim_wv, pairs, lowercase=False)
    assert strict.n_found == 1


def test_oov_vector_composes_unseen_words():
    wv = StemVectors(SIM_WORDS, SIM_VECTORS)
    pairs = [("cats", "dog", 3.0), ("cat", "car", 1.0), ("trees", "car", 2.0), ("xyz", "car", 0)]
    skip = word_similarity_score(wv, pairs, oov="skip")
    assert skip.n_found == 1
    composed = word_similarity_score(wv, pairs, oov="vector")
    assert composed.n_found == 3  # "xyz" still raises KeyError: uncovered
    model = [cosine(SIM_VECTORS[0], SIM_VECTORS[1]), cosine(SIM_VECTORS[0], SIM_VECTORS[2])]
    model.append(cosine(SIM_VECTORS[3], SIM_VECTORS[2]))
    expected = stats.spearmanr(model, [3.0, 1.0, 2.0]).statistic
    assert composed.spearman == pytest.approx(expected)


def test_missing_worst_ranks_uncovered_pairs_last(sim_wv):
    pairs = [
        ("cat", "dog", 9.0),
        ("dog", "car", 6.0),
        ("cat", "zebra", 5.0),
        ("dog", "tree", 4.0),
        ("cat", "car", 2.0),
    ]
    result = word_similarity_score(sim_wv, pairs, missing="worst")
    model = [sim_wv.similarity(w1, w2) if w2 != "zebra" else -2.0 for w1, w2, _ in pairs]
    expected = stats.spearmanr(model, [s for *_, s in pairs]).statistic
    assert result.spearman == pytest.approx(expected)
    assert result.n_found == 4
    drop = word_similarity_score(sim_wv, pairs, missing="drop")
    assert result.spearman < drop.spearman


def test_similarity_datasets_by_name_and_bunch(sim_wv):
    result = word_similarity_score(sim_wv, "wordsim353")
    assert result.n_total == 353
    assert word_similarity_score(sim_wv, "simlex999").n_total == 999
    bunch = Bunch(pairs=[("cat", "dog"), ("cat", "car")], scores=np.array([2.0, 1.0]))
    assert word_similarity_score(sim_wv, bunch).spearman == pytest.approx(1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dataset="men3000"), "Unknown similarity dataset"),
        (dict(dataset=[("a", "b")]), r"\(word1, word2, score\)"),
        (dict(oov="zero"), "oov must be one of"),
        (dict(missing="zero"), "missing must be one of"),
    ],
)
def test_similarity_errors(sim_wv, kwargs, match):
    with pytest.raises(ValueError, match=match):
        word_similarity_score(sim_wv, **kwargs)


def test_model_without_vectors_is_rejected():
    with pytest.raises(TypeError, match="wv_"):
        word_similarity_score(object(), "wordsim353")
    with pytest.raises(TypeError, match="no step|No step"):
        word_similarity_score(Pipeline([("clf", DummyClassifier())]), "wordsim353")


# --------------------------------------------------------------- analogies

# a, b and c are orthogonal; x1 leans wholly towards c, x2 halfway to b and c.
#   candidate  cos(.,a) cos(.,b) cos(.,c)  3CosAdd  3CosMul
#   x1         0        0        0.95      0.95     0.5 * 0.975 / 0.501  = 0.9731
#   x2         0        0.45     0.45      0.90     0.725 * 0.725 / 0.501 = 1.0492
#   b          0        1        0         1.00     1 * 0.5 / 0.501      = 0.9980
#   c          0        0        1         1.00     0.9980
# 3CosAdd picks x1 and 3CosMul x2, once b and c (question words) are excluded.
ANALOGY_WORDS = ["a", "b", "c", "x1", "x2"]
ANALOGY_VECTORS = np.array(
    [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0.95, np.sqrt(1 - 0.95**2)],
        [0, 0.45, 0.45, np.sqrt(1 - 2 * 0.45**2)],
    ],
    dtype=np.float32,
)


@pytest.fixture
def analogy_wv():
    return WordVectors(ANALOGY_WORDS, ANALOGY_VECTORS)


def test_3cosadd_and_3cosmul_hand_computed(analogy_wv):
    questions = [("a", "b", "c", "x1"), ("a", "b", "c", "x2")]
    add = analogy_accuracy(analogy_wv, questions, method="3cosadd")
    mul = analogy_accuracy(analogy_wv, questions, method="3cosmul")
    assert add.predictions == ["x1", "x1"]
    assert mul.predictions == ["x2", "x2"]
    assert add.n_correct == mul.n_correct == 1
    assert add.accuracy == mul.accuracy == 0.5


def test_question_words_are_excluded_from_answers():
    # b - a + c lands exactly on "woman", a question word; the answer is the next best.
    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array(
        [[1, 0, 0], [0, 1, 0], [1, 0, 0.01], [0.2, 1, 0.1], [0, 0, 1]], dtype=np.float32
    )
    wv = WordVectors(words, vectors)
    query = unit(0, 1, 0) - unit(1, 0, 0) + unit(1, 0, 0.01)
    normed = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert words[int(np.argmax(normed @ query))] == "woman"
    for method in ("3cosadd", "3cosmul"):
        result = analogy_accuracy(wv, [("man", "woman", "king", "queen")], method=method)
        assert result.predictions == ["queen"] and result.n_correct == 1


def test_restrict_vocab_leaves_out_rare_rows(analogy_wv):
    # "x1" (row 3) is the 3CosAdd answer; restricted to 4 rows, "x2" (row 4) is out
    # of reach, restricted to 3 rows, "x1" is too and the question is uncovered.
    questions = [("a", "b", "c", "x1")]
    full = analogy_accuracy(analogy_wv, questions, restrict_vocab=None)
    assert full.predictions == ["x1"] and full.n_found == 1
    four = analogy_accuracy(analogy_wv, questions, restrict_vocab=4, method="3cosmul")
    assert four.predictions == ["x1"]  # 3CosMul would pick x2 if it could
    three = analogy_accuracy(analogy_wv, questions, restrict_vocab=3)
    assert (three.n_found, three.n_total, three.predictions) == (0, 1, [None])
    assert np.isnan(three.accuracy) and three.accuracy_all == 0.0
    # a question word beyond restrict_vocab: uncovered unless oov="vector"
    late = [("x2", "b", "c", "x1")]
    assert analogy_accuracy(analogy_wv, late, restrict_vocab=4).n_found == 0
    assert analogy_accuracy(analogy_wv, late, restrict_vocab=4, oov="vector").n_found == 1


def test_case_insensitive_matching():
    words = ["france", "paris", "italy", "Rome", "PARIS", "rome", "bread"]
    vectors = np.array(
        [
            [1, 0, 0, 0],
            [1, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 1, 1, 0],
            [-0.29, 0.71, 1, 0.01],  # nearest to the query, but a case variant of "Paris"
            [0, 1, 1, 0.2],
            [0, 0, 0, 1],
        ],
        dtype=np.float32,
    )
    wv = WordVectors(words, vectors)
    question = [("France", "Paris", "Italy", "rome")]
    result = analogy_accuracy(wv, question)
    # "Rome" is the most frequent spelling of "rome", and it is the answer
    assert result.predictions == ["Rome"] and result.n_correct == 1
    assert analogy_accuracy(wv, question, case_insensitive=False).n_found == 0
    exact = [("france", "paris", "italy", "rome")]
    # case-sensitive, "PARIS" is another word: not excluded, it wins
    assert analogy_accuracy(wv, exact, case_insensitive=False).predictions == ["PARIS"]


def test_oov_vector_composes_question_words():
    wv = StemVectors(ANALOGY_WORDS, ANALOGY_VECTORS)
    questions = [("as", "b", "c", "x1"), ("a", "b", "cs", "x1"), ("a", "b", "c", "x1s")]
    skip = analogy_accuracy(wv, questions)
    assert skip.n_found == 0
    composed = analogy_accuracy(wv, questions, oov="vector")
    # a composed word is not a vocabulary row: in the second question the row
    # "c" is not excluded and wins; "d" must be a vocabulary word, so the third
    # question stays uncovered
    assert composed.predictions == ["x1", "c", None]
    assert (composed.n_correct, composed.n_found) == (1, 2)


def test_sections_and_semantic_split(analogy_wv):
    dataset = Bunch(
        questions=[
            ("a", "b", "c", "x1"),
            ("a", "b", "c", "x2"),
            ("a", "b", "c", "zebra"),
            ("a", "b", "c", "x1"),
            ("a", "b", "c", "x1"),
        ],
        section=np.array(["capitals", "capitals", "family", "gram1", "gram1"], dtype=object),
        sections=["capitals", "family", "gram1", "gram2"],
        semantic=np.array([True, True, True, False, False]),
    )
    result = analogy_accuracy(analogy_wv, dataset)
    assert result.sections == {
        "capitals": (1, 2, 2),
        "family": (0, 0, 1),
        "gram1": (2, 2, 2),
        "gram2": (0, 0, 0),
    }
    assert result.sections["capitals"].accuracy == 0.5
    assert (result.n_correct, result.n_found, result.n_total) == (3, 4, 5)
    assert result.accuracy == 0.75 and result.accuracy_all == 0.6 and result.coverage == 0.8
    assert result.semantic_accuracy == 0.5 and result.syntactic_accuracy == 1.0


def slow_analogy(wv, questions, method, restrict_vocab):
    normed = wv.get_normed_vectors()[:restrict_vocab].astype(np.float64)
    index = {w: i for i, w in enumerate(wv.index_to_key[:restrict_vocab])}
    predictions = []
    for question in questions:
        if not all(w in index for w in question):
            predictions.append(None)
            continue
        a, b, c = (normed[index[w]] for w in question[:3])
        if method == "3cosadd":
            scores = normed @ (b - a + c)
        else:
            cos = [(normed @ v + 1) / 2 for v in (a, b, c)]
            scores = cos[1] * cos[2] / (cos[0] + 0.001)
        scores[[index[w] for w in question[:3]]] = -np.inf
        predictions.append(wv.index_to_key[int(np.argmax(scores))])
    return predictions


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_batched_answers_match_a_loop_over_questions(method, monkeypatch):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(60)]
    wv = WordVectors(words, rng.standard_normal((60, 5)))
    questions = [tuple(rng.choice(words + ["oov"], size=4)) for _ in range(300)]
    # several blocks of questions, the last one partial
    monkeypatch.setattr(_analogy, "_BLOCK_ENTRIES", 40 * 50)
    result = analogy_accuracy(wv, questions, method=method, restrict_vocab=50)
    assert result.predictions == slow_analogy(wv, questions, method, 50)
    assert 0 < result.n_found < result.n_total


def test_google_dataset_by_name(analogy_wv):
    result = analogy_accuracy(analogy_wv)  # no Google word in the vocabulary
    assert (result.n_found, result.n_total) == (0, 19544)
    assert list(result.sections)[0] == "capital-common-countries"
    assert len(result.sections) == 14


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dataset="bats"), "Unknown analogy dataset"),
        (dict(dataset=[("a", "b", "c")]), "4 words"),
        (dict(method="cosine"), "method must be one of"),
        (dict(restrict_vocab=0), "restrict_vocab"),
        (dict(oov="zero"), "oov must be one of"),
    ],
)
def test_analogy_errors(analogy_wv, kwargs, match):
    with pytest.raises(ValueError, match=match):
        analogy_accuracy(analogy_wv, **kwargs)


# ------------------------------------------------------------------ scorers


class FakeEmbedder(TransformerMixin, BaseEstimator):
    """A fitted-by-construction embedding step: ``fit`` only wraps the given vectors."""

    def __init__(self, words=None, vectors=None):
        self.words = words
        self.vectors = vectors

    def fit(self, X, y=None):
        self.wv_ = WordVectors(self.words, self.vectors)
        return self

    def transform(self, X):
        return np.zeros((len(X), self.wv_.vector_size), dtype=np.float32)


X_DOCS = ["some text"] * 8
Y_DOCS = [0, 1] * 4
SCORER_PAIRS = [
    ("cat", "dog", 9.0),
    ("dog", "car", 6.0),
    ("dog", "tree", 4.0),
    ("cat", "car", 2.0),
]


def pipeline(words=SIM_WORDS, vectors=SIM_VECTORS):
    return Pipeline([("embed", FakeEmbedder(words, vectors)), ("clf", DummyClassifier())]).fit(
        X_DOCS, Y_DOCS
    )


def test_similarity_scorer_scores_the_embedding_step():
    scorer = make_similarity_scorer(SCORER_PAIRS)
    expected = word_similarity_score(WordVectors(SIM_WORDS, SIM_VECTORS), SCORER_PAIRS)
    assert scorer(pipeline(), X_DOCS, Y_DOCS) == pytest.approx(expected.spearman)
    assert scorer(pipeline().named_steps["embed"], X_DOCS) == pytest.approx(expected.spearman)
    assert check_scoring(pipeline(), scoring=scorer)(pipeline(), X_DOCS, Y_DOCS) == (
        pytest.approx(expected.spearman)
    )


def test_uncovered_pairs_count_against_a_candidate():
    # The same vectors without "tree": the pairs it still covers get the same
    # similarities, but the missing pair must cost it.
    full = pipeline()
    keep = [i for i, w in enumerate(SIM_WORDS) if w != "tree"]
    smaller = pipeline([SIM_WORDS[i] for i in keep], SIM_VECTORS[keep])
    drop = make_similarity_scorer(SCORER_PAIRS, missing="drop")
    assert drop(full, X_DOCS) == drop(smaller, X_DOCS)
    scorer = make_similarity_scorer(SCORER_PAIRS)
    assert scorer(smaller, X_DOCS) < scorer(full, X_DOCS)
    nothing = pipeline(["x", "y"], np.eye(2))
    assert scorer(nothing, X_DOCS) == -1.0


def test_analogy_scorer_counts_uncovered_as_wrong():
    embed = FakeEmbedder(ANALOGY_WORDS, ANALOGY_VECTORS)
    model = Pipeline([("embed", embed), ("clf", DummyClassifier())]).fit(X_DOCS, Y_DOCS)
    questions = [("a", "b", "c", "x1"), ("a", "b", "c", "x2"), ("a", "b", "c", "zebra")]
    assert make_analogy_scorer(questions)(model, X_DOCS) == pytest.approx(1 / 3)
    assert make_analogy_scorer(questions, missing="drop")(model, X_DOCS) == 0.5
    assert make_analogy_scorer(questions, method="3cosmul")(model, X_DOCS) == (
        pytest.approx(1 / 3)
    )
    assert make_analogy_scorer([("p", "q", "r", "s")], missing="drop")(model, X_DOCS) == 0.0


def test_scorers_in_cross_validate_and_grid_search():
    questions = [("a", "b", "c", "x1"), ("a", "b", "c", "x2")]
    # both vocabularies in one model, in orthogonal subspaces
    words = SIM_WORDS + ANALOGY_WORDS
    vectors = np.zeros((len(words), 7), dtype=np.float32)
    vectors[: len(SIM_WORDS), :3] = SIM_VECTORS
    vectors[len(SIM_WORDS) :, 3:] = ANALOGY_VECTORS
    model = Pipeline([("embed", FakeEmbedder(words, vectors)), ("clf", DummyClassifier())])
    scoring = {
        "similarity": make_similarity_scorer(SCORER_PAIRS),
        "analogy": make_analogy_scorer(questions),
    }
    scores = cross_validate(model, X_DOCS, Y_DOCS, cv=2, scoring=scoring)
    np.testing.assert_allclose(scores["test_analogy"], 0.5)
    assert np.isfinite(scores["test_similarity"]).all()

    grid = {"embed__words": [words, words[::-1]]}
    search = GridSearchCV(model, grid, cv=2, scoring=scoring, refit="similarity")
    search.fit(X_DOCS, Y_DOCS)
    # reversed words scramble the vectors: the original order must win
    assert search.best_params_["embed__words"] == words
    assert "mean_test_analogy" in search.cv_results_


def test_scorers_pickle_and_repr():
    scorer = make_analogy_scorer(method="3cosmul", restrict_vocab=100)
    clone = pickle.loads(pickle.dumps(scorer))
    assert repr(clone) == repr(scorer)
    assert "3cosmul" in repr(scorer) and "make_analogy_scorer" in repr(scorer)
    assert "<list>" in repr(make_similarity_scorer(SCORER_PAIRS))
    wv = WordVectors(ANALOGY_WORDS, ANALOGY_VECTORS)
    assert clone(wv, None) == scorer(wv, None) == 0.0


@pytest.mark.parametrize(
    "factory, kwargs, match",
    [
        (make_similarity_scorer, dict(dataset="men"), "Unknown similarity dataset"),
        (make_similarity_scorer, dict(missing="wrong"), "missing"),
        (make_analogy_scorer, dict(dataset="bats"), "Unknown analogy dataset"),
        (make_analogy_scorer, dict(method="cos"), "method"),
        (make_analogy_scorer, dict(missing="worst"), "missing"),
    ],
)
def test_scorer_factories_validate_early(factory, kwargs, match):
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)
