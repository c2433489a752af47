"""skembed.distributed.fit of GloVeVectorizer: counts summed over 2 workers, against local fits."""

import pickle

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from skembed import GloVeVectorizer  # noqa: E402
from skembed.distributed import fit  # noqa: E402
from tests.conftest import planted_topics, topic_purity  # noqa: E402
from tests.distributed.conftest import dealt_by_topic  # noqa: E402

pytestmark = pytest.mark.slow

SMALL = dict(vector_size=16, min_count=1, epochs=10, store_cooccurrence=True, random_state=0)


@pytest.fixture(scope="module")
def topics():
    # dealt by topic: the first worker counts the co-occurrences of topics 0-1 only, the
    # second those of topics 2-3
    docs, word_topic, labels = planted_topics(n_docs=1600, doc_len=20)
    return [docs[i] for i in dealt_by_topic(labels)], word_topic


def test_one_worker_gives_the_local_fit_exactly(client, topics):
    docs = topics[0]
    local_rng, remote_rng = np.random.RandomState(3), np.random.RandomState(3)
    ref = GloVeVectorizer(**dict(SMALL, random_state=local_rng)).fit(docs)
    worker = sorted(client.nthreads())[0]
    est = fit(GloVeVectorizer(**dict(SMALL, random_state=remote_rng)), docs, client,
              workers=[worker])  # fmt: skip
    for trained, want in zip(est._glove_params, ref._glove_params, strict=True):
        np.testing.assert_array_equal(trained, want)  # factors, biases and accumulators
    np.testing.assert_array_equal(est.wv_.vectors, ref.wv_.vectors)
    assert est.loss_curve_ == ref.loss_curve_ and est._words_trained == ref._words_trained
    assert (est.cooccurrence_ != ref.cooccurrence_).nnz == 0
    # a RandomState passed as random_state advances as in a local fit
    assert remote_rng.randint(2**31 - 1) == local_rng.randint(2**31 - 1)


def test_two_workers_count_their_shards_and_the_sum_trains_as_the_whole(client, topics):
    docs, word_topic = topics
    ref = GloVeVectorizer(**SMALL).fit(docs)
    est, stats = fit(GloVeVectorizer(**SMALL), docs, client, return_stats=True)

    # both workers counted their half; the sum is the whole corpus's count
    assert set(stats["words_per_worker"]) == set(client.nthreads())
    halves = list(stats["words_per_worker"].values())
    assert min(halves) > 0 and sum(halves) == est._n_training_tokens == ref._n_training_tokens
    assert all(n > 0 for n in stats["entries_per_worker"].values())
    # topics 0-1 and 2-3 never meet in a document: the shards count disjoint entries
    assert sum(stats["entries_per_worker"].values()) == stats["entries"] == ref.cooccurrence_.nnz
    X, Y = est.cooccurrence_, ref.cooccurrence_
    np.testing.assert_array_equal(X.indptr, Y.indptr)
    np.testing.assert_array_equal(X.indices, Y.indices)
    np.testing.assert_allclose(X.data, Y.data, rtol=1e-6)

    # the vocabulary and training of a local fit, to float32 rounding of the counts
    assert est.wv_.index_to_key == ref.wv_.index_to_key
    np.testing.assert_array_equal(est.idf_, ref.idf_)
    np.testing.assert_allclose(est.wv_.vectors, ref.wv_.vectors, atol=1e-4)
    np.testing.assert_allclose(est.loss_curve_, ref.loss_curve_, rtol=1e-4)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.transform(docs[:20]), est.transform(docs[:20]))
    assert np.isfinite(est.score(docs[:50]))

    # learning, of the topics each worker counted, against a fit on the tokens shuffled
    rng = np.random.default_rng(0)
    tokens = " ".join(docs).split()
    rng.shuffle(tokens)
    shuffled = [" ".join(tokens[i : i + 20]) for i in range(0, len(tokens), 20)]
    control = fit(GloVeVectorizer(**SMALL), shuffled, client)
    for half in ({0, 1}, {2, 3}):
        assert topic_purity(est.wv_, {w: t for w, t in word_topic.items() if t in half}) >= 0.9
    assert topic_purity(est.wv_, word_topic) >= 0.9
    assert topic_purity(control.wv_, word_topic) <= 0.5  # chance: 7 of 31 neighbours


def test_errors_are_named_and_leave_the_estimator_as_it_was(client, topics):
    with pytest.raises(ValueError, match="early_stopping"):
        fit(GloVeVectorizer(early_stopping=True), topics[0][:50], client)
    rng = np.random.RandomState(0)
    est = GloVeVectorizer(**dict(SMALL, random_state=rng)).fit(topics[0][:200])
    before, words, state = est.wv_.vectors.copy(), est.wv_.index_to_key, rng.get_state()
    # the vocabulary is built and the parameters drawn before the workers find no pair
    with pytest.raises(ValueError, match="co-occur"):
        fit(est, ["alpha", "beta", "gamma", "delta"], client)
    np.testing.assert_array_equal(est.wv_.vectors, before)
    assert est.wv_.index_to_key == words and rng.randint(2**31 - 1) == _next(state)


def _next(state):
    rng = np.random.RandomState()
    rng.set_state(state)
    return rng.randint(2**31 - 1)
