"""Clusters of words and documents recover planted topics; an untrained model does not."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skembed import Word2VecVectorizer, WordVectors
from skembed.vectors import cluster_documents, cluster_words

TRAINED = dict(vector_size=20, min_count=1, epochs=10, sample=0, random_state=0)


@pytest.fixture(scope="module")
def models(planted):
    docs, _, _ = planted
    trained = Word2VecVectorizer(**TRAINED).fit(docs)
    control = Word2VecVectorizer(**{**TRAINED, "epochs": 0}).fit(docs)
    return trained, control


def purity(labels, truth):
    """Share of items in the majority true class of their cluster."""
    table = pd.crosstab(np.asarray(labels), np.asarray(truth))
    return table.max(axis=1).sum() / len(labels)


@pytest.mark.parametrize("method", ["kmeans", "agglomerative"])
def test_word_clusters_recover_planted_topics(planted, models, method):
    _, word_topic, _ = planted
    trained, control = models
    words = sorted(word_topic)
    truth = [word_topic[w] for w in words]
    result = cluster_words(trained.wv_, 4, method=method, words=words, random_state=0)
    assert list(result.table.columns) == ["word", "cluster", "distance"]
    assert list(result.table["word"]) == words
    assert purity(result.table["cluster"], truth) >= 0.9
    assert result.silhouette > 0.2
    untrained = cluster_words(control.wv_, 4, method=method, words=words, random_state=0)
    assert purity(untrained.table["cluster"], truth) < 0.9
    assert untrained.silhouette < result.silhouette
    # the top words of a cluster are its members, nearest the centre first
    for cluster, top in result.top_words.items():
        members = result.table[result.table["cluster"] == cluster]
        assert set(top) == set(members["word"][:10]) or set(top) <= set(members["word"])
        distances = members.set_index("word").loc[top, "distance"].to_numpy()
        assert np.all(np.diff(distances) >= 0)


def test_distance_is_to_the_mean_of_unit_vectors():
    vectors = np.array([[2, 0], [0, 3], [0, 1], [1, 1]], dtype=np.float32)
    wv = WordVectors(["a", "b", "c", "d"], vectors)
    result = cluster_words(wv, 2, random_state=0)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = result.table["cluster"].to_numpy()
    for c in range(2):
        centre = unit[labels == c].mean(axis=0)
        np.testing.assert_allclose(result.centres[c], centre, rtol=1e-6)
        expected = np.linalg.norm(unit[labels == c] - centre, axis=1)
        np.testing.assert_allclose(
            result.table["distance"][labels == c], expected, rtol=1e-5, atol=1e-6
        )


def test_document_clusters_recover_planted_topics_through_a_pipeline(planted, models):
    docs, _, doc_topic = planted
    trained, _ = models
    pipeline = make_pipeline(FunctionTransformer(), trained)  # fitted steps, used as given
    docs, doc_topic = docs[:80], doc_topic[:80]
    result = cluster_documents(pipeline, docs, 4, random_state=0)
    assert list(result.table.columns) == ["document", "cluster", "distance"]
    assert list(result.table["document"]) == list(range(80))
    assert purity(result.table["cluster"], doc_topic) >= 0.9
    # each cluster's top words are mostly of one topic
    word_topic = {w: int(w[1]) for w in trained.wv_.index_to_key}  # "t2w5" is of topic 2
    for top in result.top_words.values():
        topics = [word_topic[w] for w in top[:5]]
        assert max(topics.count(t) for t in set(topics)) >= 4
    # no untrained control here: a topic's documents share their words, so even the means
    # of random word vectors separate them


def test_bad_arguments_are_named(models):
    trained, _ = models
    with pytest.raises(ValueError, match="method must be one of"):
        cluster_words(trained.wv_, 2, method="dbscan")
    with pytest.raises(ValueError, match="n_clusters must be between"):
        cluster_words(trained.wv_, 2, words=["t0w0"])
    with pytest.raises(KeyError, match="nope"):
        cluster_words(trained.wv_, 2, words=["t0w0", "nope"])
    with pytest.raises(ValueError, match="single string"):
        cluster_documents(trained, "one text", 2)
