"""Document search returns the planted document first; query expansion finds topic words."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skembed import Word2VecVectorizer
from skembed.vectors import DocumentIndex, ExactIndex

TRAINED = dict(vector_size=20, min_count=1, epochs=10, sample=0, random_state=0)


@pytest.fixture(scope="module")
def trained(planted):
    docs, _, _ = planted
    return Word2VecVectorizer(**TRAINED).fit(docs)


def test_planted_document_comes_first(planted, trained):
    docs, _, _ = planted
    # a collection of 40 documents, the 7th of which is the only one on topic 3 with
    # words of topic 0 mixed in: a query of those words must find it first
    collection = [docs[i] for i in range(40) if i % 4 != 3]
    planted_doc = "t3w0 t3w1 t3w2 t3w3 t3w4 t3w5 t3w6 t3w7"
    collection.insert(7, planted_doc)
    index = DocumentIndex(trained).fit(collection)
    hits = index.search("t3w1 t3w5 t3w6", topn=5)
    assert hits[0][0] == 7
    assert len(hits) == 5 and all(isinstance(i, int) for i, _ in hits)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    # the score is the cosine of the two document vectors
    vectors = trained.transform([planted_doc, "t3w1 t3w5 t3w6"])
    cosine = vectors[0] @ vectors[1] / np.linalg.norm(vectors, axis=1).prod()
    assert hits[0][1] == pytest.approx(cosine, rel=1e-4)


def test_pipeline_is_used_as_given_and_documents_can_be_added(planted, trained):
    docs, _, labels = planted
    pipeline = make_pipeline(FunctionTransformer(), trained)
    before = trained.wv_.vectors.copy()
    index = DocumentIndex(pipeline).fit(docs[:20])
    index.add(["t1w0 t1w1 t1w2 t1w3 t1w4 t1w5 t1w6 t1w7"])
    np.testing.assert_array_equal(trained.wv_.vectors, before)  # never refitted
    assert index.n_documents_ == 21
    hits = index.search("t1w2 t1w3 t1w4", topn=21)
    # the 5 documents of topic 1 among the first 20 and the added one come before
    # every document of another topic
    assert 20 in [i for i, _ in hits[:6]]
    topics = [labels[i] if i < 20 else 1 for i, _ in hits]
    assert topics[:6] == [1] * 6


def test_expand_query_adds_topic_neighbours_with_weights(trained):
    index = DocumentIndex(trained).fit(["t0w0 t0w1"])
    expanded = index.expand_query(["t2w0", "missing"], topn=4)
    assert expanded[0] == ("t2w0", 1.0)
    neighbours = expanded[1:]
    assert len(neighbours) == 4
    assert all(w.startswith("t2") for w, _ in neighbours)
    weights = [w for _, w in neighbours]
    assert weights == sorted(weights, reverse=True) and all(0 < w < 1 for w in weights)
    # a text is split by the vectorizer's analyzer (lowercase by default)
    assert index.expand_query("T2W0", topn=4) == expanded


def test_weighted_words_query_finds_the_topic(planted, trained):
    docs, _, labels = planted
    index = DocumentIndex(trained, indexer=ExactIndex()).fit(docs[:40])
    hits = index.search(index.expand_query(["t2w3"], topn=3), topn=5)
    assert all(labels[i] == 2 for i, _ in hits)


def test_errors_name_the_fault(trained):
    with pytest.raises(NotFittedError):
        DocumentIndex(Word2VecVectorizer()).fit(["a b"])
    with pytest.raises(ValueError, match="single string"):
        DocumentIndex(trained).fit("t0w0 t0w1")
    with pytest.raises(ValueError, match="not fitted"):
        DocumentIndex(trained).search("t0w0")
    index = DocumentIndex(trained).fit(["t0w0"])
    with pytest.raises(ValueError, match="no word in the vocabulary"):
        index.search([("nope", 1.0)])
