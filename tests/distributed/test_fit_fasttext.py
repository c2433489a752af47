"""skembed.distributed.fit of FastTextVectorizer on a 2-worker LocalCluster against local fits."""

import pickle

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from skembed import FastTextClassifier, FastTextVectorizer  # noqa: E402
from skembed.distributed import _models, fit  # noqa: E402
from tests.conftest import planted_topics  # noqa: E402
from tests.distributed.conftest import dealt_by_topic  # noqa: E402

pytestmark = pytest.mark.slow

SMALL = dict(vector_size=16, min_count=1, epochs=3, bucket=20_000, random_state=0)


@pytest.fixture(scope="module")
def topics():
    """Planted topics whose words are random letter strings, sorted by topic.

    The planted words ("t0w1", ...) share the n-grams of their topic's
    prefix, which would group them before any training; random strings share
    (almost) none.  Dealt by topic, the first worker's shard holds topics 0-1
    and the second's topics 2-3, so half of the word and n-gram rows are
    trained on one worker only and reach the returned model through the syncs.
    """
    docs, word_topic, labels = planted_topics(n_docs=2000, doc_len=20)
    rng = np.random.default_rng(1)
    names = {}
    while len(names) < len(word_topic):
        name = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=6))
        if name not in names.values():
            names[list(word_topic)[len(names)]] = name
    docs = [" ".join(names[w] for w in doc.split()) for doc in docs]
    return [docs[i] for i in dealt_by_topic(labels)], {names[w]: t for w, t in word_topic.items()}


def _purity(vectors, labels, k=5):
    """Fraction of each row's k nearest rows (cosine) that share its label."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())


def _purities(wv, word_topic):
    """Purity of the composed vectors and of the n-gram part alone (no word row)."""
    words = list(word_topic)
    labels = np.array([word_topic[w] for w in words])
    composed = np.stack([wv[w] for w in words])
    ngrams, n_ngrams = wv.unseen_vectors(words)
    assert (n_ngrams > 0).all()
    return _purity(composed, labels), _purity(ngrams, labels)


@pytest.mark.parametrize(
    "params",
    [
        dict(algorithm="skipgram", compact=True, postprocessing="center"),
        dict(algorithm="cbow", compact=False, pooling="tfidf"),
    ],
)
def test_one_worker_gives_the_local_fit_exactly(client, topics, params):
    docs = topics[0]
    params = dict(SMALL, bucket=3000, **params)
    ref = FastTextVectorizer(**params).fit(docs)
    worker = sorted(client.nthreads())[0]
    est = fit(
        FastTextVectorizer(**params), docs, client, workers=[worker], syncs_per_epoch=3,
        averaging="mean",
    )  # fmt: skip
    # the same layout: compacted to the same bucket rows, or fastText's full matrix
    assert est.wv_.is_compact == ref.wv_.is_compact == params["compact"]
    np.testing.assert_array_equal(est.wv_.ngram_rows, ref.wv_.ngram_rows)
    np.testing.assert_array_equal(est.wv_._input, ref.wv_._input)
    np.testing.assert_array_equal(est._output_vectors, ref._output_vectors)
    assert est.loss_curve_ == ref.loss_curve_
    # what transform pools (post-processing, idf) and unseen words compose as locally
    unseen = ["qqqabc xyzzyx " + docs[0]]
    np.testing.assert_array_equal(est.transform(docs[:20] + unseen),
                                  ref.transform(docs[:20] + unseen))  # fmt: skip
    assert (est.postprocessor_ is None) == (params.get("postprocessing") is None)


@pytest.mark.parametrize("algorithm, averaging", [("skipgram", "hybrid"), ("cbow", "hybrid"),
                                                  ("skipgram", "mean")])  # fmt: skip
def test_two_workers_learn_word_and_ngram_rows_of_topics_on_one_worker_each(
    client, topics, algorithm, averaging
):
    docs, word_topic = topics
    params = dict(SMALL, algorithm=algorithm)
    ref = FastTextVectorizer(**params).fit(docs)
    est, stats = fit(
        FastTextVectorizer(**params), docs, client, averaging=averaging, return_stats=True
    )

    # the work ran on both workers, each on its half, and the syncs moved n-gram rows too
    assert type(est) is FastTextVectorizer
    assert set(stats["words_per_worker"]) == set(client.nthreads())
    halves = list(stats["words_per_worker"].values())
    assert min(halves) > 0 and sum(halves) == est._words_trained == ref._words_trained
    assert stats["n_syncs"] == 3 * 16  # 16 syncs an epoch: the default
    assert stats["rows_per_sync"][0] > len(est.wv_) and stats["bytes_per_sync"] > 0

    # the vocabulary and compaction of a local fit; an ordinary fitted estimator
    assert est.wv_.index_to_key == ref.wv_.index_to_key
    np.testing.assert_array_equal(est.wv_.counts, ref.wv_.counts)
    np.testing.assert_array_equal(est.idf_, ref.idf_)
    np.testing.assert_array_equal(est.wv_.ngram_rows, ref.wv_.ngram_rows)
    assert est.n_iter_ == 3 and np.isfinite(est.loss_curve_).all()
    copy = pickle.loads(pickle.dumps(est))
    batch = docs[:20] + ["qqqabc"]
    np.testing.assert_array_equal(copy.transform(batch), est.transform(batch))
    assert np.isfinite(est.score(docs[:50]))
    word = next(iter(word_topic))
    assert word + "s" not in est.wv_ and np.any(est.wv_[word + "s"])  # composed from n-grams

    # learning, in the word rows and in the n-gram rows alone, of topics trained on either
    # worker, against a fit on the same tokens shuffled (no topics left to learn)
    rng = np.random.default_rng(0)
    tokens = " ".join(docs).split()
    rng.shuffle(tokens)
    shuffled = [" ".join(tokens[i : i + 20]) for i in range(0, len(tokens), 20)]
    control = fit(FastTextVectorizer(**params), shuffled, client)
    for half in ({0, 1}, {2, 3}):
        words = {w: t for w, t in word_topic.items() if t in half}
        composed, ngrams = _purities(est.wv_, words)
        assert composed >= 0.9 and ngrams >= 0.9
    composed, ngrams = _purities(est.wv_, word_topic)
    assert composed >= 0.9 and ngrams >= 0.9
    assert max(_purities(control.wv_, word_topic)) <= 0.5  # chance: 7 of 31 neighbours


def test_rows_of_a_subword_table():
    rng = np.random.default_rng(0)
    n_words, n_rows = 30, 200
    lengths = rng.integers(1, 8, size=n_words)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    # each word's own row, then n-gram rows (repeats allowed, as fastText's lists have)
    indices = np.concatenate(
        [np.concatenate([[i], rng.integers(n_words, n_rows, size=k - 1)])
         for i, k in enumerate(lengths)]
    ).astype(np.int32)  # fmt: skip
    occurrences = rng.integers(0, 50, size=n_words)

    slow = np.zeros(n_rows, np.int64)
    for w in range(n_words):
        for row in indices[indptr[w] : indptr[w + 1]]:
            slow[row] += occurrences[w]
    got = _models.row_occurrences((indptr, indices), occurrences, n_rows)
    np.testing.assert_array_equal(got, slow)
    assert _models.row_occurrences(None, occurrences, n_words) is occurrences

    for n_hot in (1, 7, n_words):
        runs = _models.hot_rows((indptr, indices), n_hot)
        want = np.zeros(n_rows, bool)
        want[indices[: indptr[n_hot]]] = True
        covered = np.zeros(n_rows, bool)
        for start, stop in runs:
            assert not covered[start:stop].any()  # runs do not overlap
            covered[start:stop] = True
        np.testing.assert_array_equal(covered, want)
        probe = rng.permutation(n_rows + 5)
        np.testing.assert_array_equal(_models.in_runs(probe, runs),
                                      np.isin(probe, np.flatnonzero(want)))  # fmt: skip
    np.testing.assert_array_equal(_models.hot_rows(None, 4), [[0, 4]])
    assert not _models.in_runs(np.arange(3), np.zeros((0, 2), np.int64)).any()


def test_other_estimators_and_parameters_are_refused_by_name(client, topics):
    docs = topics[0][:50]
    for params, name in [
        (dict(early_stopping=True), "early_stopping"), (dict(pooling="usif"), "pooling"),
        (dict(initial_vectors="vectors.txt"), "initial_vectors"),
        (dict(weight_decay=0.1), "weight_decay"), (dict(callbacks=[print]), "callbacks"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=name):
            fit(FastTextVectorizer(**params), docs, client)
    names = (
        "trains a Word2VecVectorizer, a FastTextVectorizer, a Doc2VecVectorizer or a "
        "GloVeVectorizer; got FastTextClassifier"
    )
    with pytest.raises(TypeError, match=names):
        fit(FastTextClassifier(), docs, client)
