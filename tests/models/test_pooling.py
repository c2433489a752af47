import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from skembed import Word2VecVectorizer
from skembed.corpus._encoding import Corpus
from skembed.models._pooling import POOLING_MODES, document_frequency, pool, smooth_idf

# five words in 3-d, with negative entries so that max cannot start from zero
VECTORS = np.array(
    [
        [1.0, -2.0, 0.5],
        [-3.0, -1.0, 2.0],
        [0.0, -4.0, -1.0],
        [2.5, -0.5, -2.0],
        [-1.0, -1.0, -1.0],
    ],
    dtype=np.float32,
)
DOCS = [[0, 1], [], [2, 2, 3], [4], [], [3, 0, 1, 4, 2, 0]]
WEIGHTS = np.array([0.5, 2.0, 1.0, 3.0, 0.25], dtype=np.float32)


def _corpus(docs):
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    tokens = np.array([w for d in docs for w in d], dtype=np.int32)
    return Corpus(tokens, offsets)


def _numpy_pool(mode, doc):
    if not doc:
        return np.zeros(VECTORS.shape[1])
    rows = VECTORS[doc].astype(np.float64)
    if mode == "mean":
        return rows.mean(axis=0)
    if mode == "sum":
        return rows.sum(axis=0)
    if mode == "max":
        return rows.max(axis=0)
    weights = WEIGHTS[doc].astype(np.float64)
    return weights @ rows / weights.sum()


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("mode", sorted(POOLING_MODES))
def test_each_mode_equals_numpy_on_hand_built_vectors(mode, n_threads):
    weights = WEIGHTS if mode == "tfidf" else None
    out = pool(VECTORS, _corpus(DOCS), mode, weights, n_threads)
    assert out.dtype == np.float32 and out.shape == (len(DOCS), 3)
    expected = np.array([_numpy_pool(mode, d) for d in DOCS])
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    assert np.all(out[[1, 4]] == 0)  # empty documents


def test_max_starts_from_the_first_word_not_from_zero():
    out = pool(VECTORS, _corpus([[4, 4], [1, 4]]), "max")
    np.testing.assert_array_equal(out, [[-1.0, -1.0, -1.0], [-1.0, -1.0, 2.0]])


def test_smooth_idf_equals_the_document_frequency_formula():
    corpus = _corpus(DOCS)
    df = np.array([sum(w in d for d in DOCS) for w in range(5)])
    expected = np.log((1 + len(DOCS)) / (1 + df)) + 1
    np.testing.assert_array_equal(document_frequency(corpus, 5), df)
    np.testing.assert_allclose(smooth_idf(df, len(DOCS)), expected, rtol=1e-6)


def test_document_frequency_counts_each_document_once_on_random_corpora():
    # against a set-based reference, with repeated words, empty documents and
    # a word that is in no document
    rng = np.random.default_rng(0)
    docs = [list(rng.integers(0, 6, size=rng.integers(0, 9))) for _ in range(200)]
    df = document_frequency(_corpus(docs), 7)
    assert df.dtype == np.int64
    np.testing.assert_array_equal(df, [sum(w in set(d) for d in docs) for w in range(7)])
    assert df[6] == 0


def test_document_frequency_refuses_ids_outside_the_vocabulary():
    with pytest.raises(ValueError, match="word ids"):
        document_frequency(_corpus([[0, 5]]), 5)


TEXTS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "",
    "the the the end",
    "I saw a cat",
    "Dogs and cats, cats and dogs",
]


def test_idf_equals_tfidf_vectorizer_idf_on_the_same_tokens():
    model = Word2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0)
    model.fit(TEXTS)
    tfidf = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b").fit(TEXTS)
    assert set(model.vocabulary_) == set(tfidf.vocabulary_)
    for word, row in model.vocabulary_.items():
        assert model.idf_[row] == pytest.approx(tfidf.idf_[tfidf.vocabulary_[word]], rel=1e-6)
    assert model.idf_.dtype == np.float32


def test_tfidf_pooling_is_the_idf_weighted_mean_of_the_word_vectors():
    model = Word2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0,
                               pooling="tfidf").fit(TEXTS)  # fmt: skip
    X = model.transform(TEXTS)
    for text, row in zip(TEXTS, X, strict=True):
        rows = [model.vocabulary_[w] for w in text.lower().replace(",", "").split()]
        if not rows:
            assert np.all(row == 0)
            continue
        weights = model.idf_[rows].astype(np.float64)
        expected = weights @ model.wv_.vectors[rows].astype(np.float64) / weights.sum()
        np.testing.assert_allclose(row, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("mode", sorted(POOLING_MODES))
def test_empty_and_unknown_documents_give_zeros_in_every_mode(mode):
    model = Word2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0,
                               pooling=mode).fit(TEXTS)  # fmt: skip
    X = model.transform(["", "zebra quagga", "!!", "the cat"])
    assert X.dtype == np.float32
    assert np.all(X[:3] == 0)
    assert np.any(X[3] != 0)
    np.testing.assert_array_equal(model.fit_transform(TEXTS), model.transform(TEXTS))


def test_pool_checks_ids_and_weights_against_the_matrix_before_the_kernel():
    corpus = _corpus(DOCS)
    with pytest.raises(ValueError, match=r"weights has shape \(3,\) but vectors has 5 rows"):
        pool(VECTORS, corpus, "tfidf", WEIGHTS[:3])
    with pytest.raises(ValueError, match=r"ids must be in \[0, 4\)"):
        pool(VECTORS[:4], corpus, "mean")
    bad = Corpus(np.array([0, -1], np.int32), np.array([0, 2], np.int64))
    with pytest.raises(ValueError, match="word ids run from -1"):
        pool(VECTORS, bad, "sum")
    short = Corpus(np.array([0, 1], np.int32), np.array([0, 5], np.int64))
    with pytest.raises(ValueError, match="offsets"):
        pool(VECTORS, short, "sum")
    assert pool(VECTORS, corpus, "tfidf", WEIGHTS).shape == (len(DOCS), 3)


# ------------------------------------------------------------ minmeanmax
@pytest.mark.parametrize("n_threads", [1, 2])
def test_minmeanmax_equals_numpy_min_mean_max_side_by_side(n_threads):
    out = pool(VECTORS, _corpus(DOCS), "minmeanmax", None, n_threads)
    assert out.dtype == np.float32 and out.shape == (len(DOCS), 9)
    expected = np.array(
        [
            np.concatenate([VECTORS[d].min(0), VECTORS[d].mean(0), VECTORS[d].max(0)])
            if d
            else np.zeros(9)
            for d in DOCS
        ]
    )
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    assert np.all(out[[1, 4]] == 0)  # empty documents


MINMEANMAX_DOCS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", ""]


def _minmeanmax_estimators():
    from skembed import FastTextVectorizer, GloVeVectorizer, PretrainedVectorizer
    from skembed.vectors import WordVectors

    keys = ["the", "cat", "sat", "on", "mat", "dog", "log", "a", "and"]
    wv = WordVectors(keys, np.random.default_rng(0).normal(size=(9, 4)).astype(np.float32))
    common = dict(vector_size=4, min_count=1, epochs=2, random_state=0)
    return [
        Word2VecVectorizer(pooling="minmeanmax", **common),
        GloVeVectorizer(pooling="minmeanmax", **common),
        FastTextVectorizer(pooling="minmeanmax", **common),
        PretrainedVectorizer(vectors=wv, pooling="minmeanmax"),
    ]


@pytest.mark.parametrize("est", _minmeanmax_estimators(), ids=lambda e: type(e).__name__)
def test_minmeanmax_in_every_pooling_vectorizer(est):
    X = est.fit_transform(MINMEANMAX_DOCS)
    assert X.shape == (4, 12) and X.dtype == np.float32
    np.testing.assert_array_equal(X, est.transform(MINMEANMAX_DOCS))
    np.testing.assert_array_equal(X, clone(est).fit(MINMEANMAX_DOCS).transform(MINMEANMAX_DOCS))
    np.testing.assert_array_equal(X[3], 0)  # the empty document
    dim = 4
    # min <= mean <= max in every coordinate of every non-empty document
    assert np.all(X[:3, :dim] <= X[:3, dim : 2 * dim] + 1e-6)
    assert np.all(X[:3, dim : 2 * dim] <= X[:3, 2 * dim :] + 1e-6)
    names = est.get_feature_names_out()
    assert len(names) == 12 and len(set(names)) == 12
    frame = est.set_output(transform="pandas").transform(MINMEANMAX_DOCS)
    assert frame.shape == (4, 12) and list(frame.columns) == list(names)
