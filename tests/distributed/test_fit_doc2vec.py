"""skembed.distributed.fit of Doc2VecVectorizer on a 2-worker LocalCluster against local fits."""

import pickle

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from skembed import Doc2VecVectorizer  # noqa: E402
from skembed.distributed import fit  # noqa: E402
from tests.conftest import planted_topics  # noqa: E402
from tests.distributed.conftest import dealt_by_topic  # noqa: E402
from tests.distributed.test_fit_fasttext import _purity  # noqa: E402

pytestmark = pytest.mark.slow

# sample=0: with 32 equally frequent words, subsampling would drop 4 in 5 tokens
SMALL = dict(vector_size=16, min_count=1, epochs=10, sample=0, random_state=0)


@pytest.fixture(scope="module")
def topics():
    # dealt by topic: the first worker's shard holds the documents of topics 0-1 (even
    # positions), the second's those of topics 2-3 (odd), whose vectors are trained there
    docs, word_topic, labels = planted_topics(n_docs=1600, doc_len=20)
    order = dealt_by_topic(labels)
    return [docs[i] for i in order], labels[order]


@pytest.mark.parametrize("dm", [True, False])
def test_one_worker_gives_the_local_fit_exactly(client, topics, dm):
    docs = topics[0]
    params = dict(SMALL, epochs=2, dm=dm)
    ref = Doc2VecVectorizer(**params).fit(docs)
    worker = sorted(client.nthreads())[0]
    est = fit(
        Doc2VecVectorizer(**params), docs, client, workers=[worker], syncs_per_epoch=3,
        averaging="mean",
    )  # fmt: skip
    assert est.dv_.index_to_key == ref.dv_.index_to_key == list(range(len(docs)))
    np.testing.assert_array_equal(est.dv_.vectors, ref.dv_.vectors)
    np.testing.assert_array_equal(est.wv_.vectors, ref.wv_.vectors)
    np.testing.assert_array_equal(est._output_vectors, ref._output_vectors)
    assert est.loss_curve_ == ref.loss_curve_
    np.testing.assert_array_equal(est.transform(docs[:10]), ref.transform(docs[:10]))


# PV-DM learns document vectors more slowly than PV-DBOW: at twice the default rate a
# local fit reaches a purity of about 0.89 here, PV-DBOW 1.0
@pytest.mark.parametrize("dm, bar", [(True, 0.8), (False, 0.9)])
def test_two_workers_train_the_vectors_of_the_documents_each_holds(client, topics, dm, bar):
    docs, labels = topics
    params = dict(SMALL, dm=dm, learning_rate=0.05 if dm else "auto")
    ref = Doc2VecVectorizer(**params).fit(docs)
    est, stats = fit(Doc2VecVectorizer(**params), docs, client, return_stats=True)

    # the work ran on both workers; document vectors never travelled in a sync
    assert type(est) is Doc2VecVectorizer
    assert set(stats["words_per_worker"]) == set(client.nthreads())
    halves = list(stats["words_per_worker"].values())
    assert min(halves) > 0 and sum(halves) == est._words_trained == ref._words_trained
    assert stats["rows_per_sync"][1] == 0 and stats["rows_per_sync"][2] > 0

    # a local fit's vocabulary and document keys; an ordinary fitted estimator
    assert est.wv_.index_to_key == ref.wv_.index_to_key
    np.testing.assert_array_equal(est.wv_.counts, ref.wv_.counts)
    assert est.dv_.index_to_key == list(range(len(docs)))
    assert not hasattr(est, "_pending") and est.n_iter_ == SMALL["epochs"]
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.transform(docs[:10]), est.transform(docs[:10]))

    # learning: the documents of either worker group by topic, against a fit on the same
    # tokens shuffled.  The control is judged within each shard: the document vectors of
    # one shard share an offset (PV-DBOW: their mean directions differ by about 35
    # degrees on the two workers, against 1 in one process), so over all documents
    # its neighbours fall in the same shard, and so in the same half of the topics
    rng = np.random.default_rng(0)
    tokens = " ".join(docs).split()
    rng.shuffle(tokens)
    shuffled = [" ".join(tokens[i : i + 20]) for i in range(0, len(tokens), 20)]
    control = fit(Doc2VecVectorizer(**params), shuffled, client)
    new_docs, _, new_labels = planted_topics(n_docs=200, doc_len=20, seed=1)
    for part in (slice(0, None, 2), slice(1, None, 2)):  # each worker's shard: two topics
        assert _purity(est.dv_.vectors[part], labels[part]) >= bar
        assert _purity(control.dv_.vectors[part], labels[part]) <= 0.65  # chance: 0.5
    assert _purity(est.dv_.vectors, labels) >= bar
    # inference groups new documents by their words even in the control's model: a check
    # that transform works on the returned model, not of what training learnt
    assert _purity(est.transform(new_docs), new_labels) >= bar


def test_hierarchical_softmax_is_refused_by_name(client, topics):
    with pytest.raises(ValueError, match="hs"):
        fit(Doc2VecVectorizer(hs=True, negative=0), topics[0][:50], client)
