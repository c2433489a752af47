"""skembed.distributed.fit: word2vec on a 2-worker LocalCluster against one-process fits."""

import os
import pickle
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
db = pytest.importorskip("dask.bag")

from skembed import FastTextClassifier, Word2VecVectorizer  # noqa: E402
from skembed._training import TrainingDiverged  # noqa: E402
from skembed.distributed import fit  # noqa: E402
from tests.conftest import planted_topics, topic_purity  # noqa: E402
from tests.distributed import _workers  # noqa: E402
from tests.distributed.conftest import dealt_by_topic  # noqa: E402

pytestmark = pytest.mark.slow

SMALL = dict(vector_size=16, min_count=1, epochs=3, random_state=0)


def _cluster():
    return distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def topics():
    # dealt by topic: the first worker's shard holds topics 0-1, the second's topics 2-3,
    # so the words of half the topics are trained on one worker only and reach the
    # returned model through the syncs alone
    docs, word_topic, labels = planted_topics(n_docs=2000, doc_len=20)
    return [docs[i] for i in dealt_by_topic(labels)], word_topic


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_one_worker_gives_the_one_process_fit_exactly(client, topics, algorithm):
    docs = topics[0]
    params = dict(SMALL, algorithm=algorithm)
    ref = Word2VecVectorizer(**params).fit(docs)
    worker = sorted(client.nthreads())[0]
    est = fit(
        Word2VecVectorizer(**params), docs, client, workers=[worker], syncs_per_epoch=3,
        averaging="mean",
    )  # fmt: skip
    np.testing.assert_array_equal(est.wv_.vectors, ref.wv_.vectors)
    np.testing.assert_array_equal(est._output_vectors, ref._output_vectors)
    assert est.loss_curve_ == ref.loss_curve_


@pytest.mark.parametrize(
    "algorithm, averaging",
    [
        ("skipgram", "adaptive"),
        ("cbow", "adaptive"),
        ("skipgram", "hybrid"),
        ("skipgram", "mean"),
        ("cbow", "sum"),
    ],  # fmt: skip
)
def test_two_workers_learn_topics_that_live_on_one_worker_each(
    client, topics, algorithm, averaging
):
    docs, word_topic = topics
    params = dict(SMALL, algorithm=algorithm)
    ref = Word2VecVectorizer(**params).fit(docs)
    est, stats = fit(
        Word2VecVectorizer(**params), docs, client, averaging=averaging, return_stats=True
    )

    # the work ran on both workers, each on its half, and each sync moved the rows
    assert set(stats["words_per_worker"]) == set(client.nthreads())
    halves = list(stats["words_per_worker"].values())
    assert min(halves) > 0 and sum(halves) == est._words_trained == ref._words_trained
    assert stats["n_syncs"] == 3 * 16 and stats["bytes_per_sync"] > 0  # 16 a epoch: default

    # the vocabulary is the one-process vocabulary; the model is an ordinary fitted one
    assert est.wv_.index_to_key == ref.wv_.index_to_key
    np.testing.assert_array_equal(est.wv_.counts, ref.wv_.counts)
    np.testing.assert_array_equal(est.idf_, ref.idf_)
    assert est.n_iter_ == 3 and np.isfinite(est.loss_curve_).all()
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.transform(docs[:20]), est.transform(docs[:20]))
    assert np.isfinite(est.score(docs[:50]))

    # learning: every topic, wherever it was trained, against a control without topics
    rng = np.random.default_rng(0)
    tokens = " ".join(docs).split()
    rng.shuffle(tokens)
    shuffled = [" ".join(tokens[i : i + 20]) for i in range(0, len(tokens), 20)]
    control = fit(Word2VecVectorizer(**params), shuffled, client)
    for half in ({0, 1}, {2, 3}):
        words = {w: t for w, t in word_topic.items() if t in half}
        assert topic_purity(est.wv_, words) >= 0.9
    assert topic_purity(est.wv_, word_topic) >= 0.9
    assert topic_purity(control.wv_, word_topic) <= 0.5  # chance: 7 of 31 neighbours


def _payload(rows, values, weights):
    rows = np.asarray(rows, np.int32)
    return (rows, np.asarray(values, np.float32), np.asarray(weights, np.float32))


@pytest.mark.parametrize("averaging", ["mean", "sum", "hybrid", "adaptive"])
def test_a_sync_combines_each_row_over_the_workers_that_changed_it(averaging):
    from skembed.distributed import _worker

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    # two matrices (input, output vectors), the same changes in both; rows below 3 are "hot"
    first = _payload([0, 2, 5], a, [1, 3, 2])
    second = _payload([2, 5, 7], b, [5, 1, 2])
    out = _worker.average(
        {"payload": [first, first], "averaging": averaging, "hot": 3, "stats": {}},
        {"payload": [second, second], "averaging": averaging, "hot": 3, "stats": {}},
    )
    a, b = a.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)
    mean = np.stack([a[0], (3 * a[1] + 5 * b[0]) / 8, (2 * a[2] + b[1]) / 3, b[2]])
    summed = np.stack([a[0], a[1] + b[0], a[2] + b[1], b[2]])
    # adaptive: the sum, moved toward the mean by 1 - exp(-n / 100), n the occurrences per
    # worker (weights less one, averaged over the workers that changed the row)
    per_worker = np.array([0.0, (2 + 4) / 2, (1 + 0) / 2, 1.0])
    share = (1 - np.exp(-per_worker / _worker.ADAPTIVE_SCALE))[:, None]
    adaptive = summed + (mean - summed) * share
    expected = {
        "mean": [mean, mean],
        "sum": [summed, summed],
        # input vectors: hot rows (0, 2) averaged, rare rows (5, 7) summed; output: averaged
        "hybrid": [np.concatenate([mean[:2], summed[2:]]), mean],
        "adaptive": [adaptive, adaptive],
    }[averaging]
    for (rows, values), want in zip(out["update"], expected, strict=True):
        np.testing.assert_array_equal(rows, [0, 2, 5, 7])
        np.testing.assert_allclose(values, want, rtol=1e-6, atol=1e-7)
    assert out["additive"] == (averaging != "mean")
    assert out["bytes_in"] == 2 * 6 * (4 + 16 + 4) and out["bytes_out"] == 2 * 2 * 4 * (4 + 16)


def test_a_bag_trains_on_both_workers_with_the_same_vocabulary(client, topics):
    docs = topics[0]
    ref = Word2VecVectorizer(**SMALL).fit(docs)
    est, stats = fit(
        Word2VecVectorizer(**SMALL), db.from_sequence(docs, npartitions=5), client,
        return_stats=True,
    )  # fmt: skip
    assert est.wv_.index_to_key == ref.wv_.index_to_key
    assert all(words > 0 for words in stats["words_per_worker"].values())
    assert set(client.run(_workers.shards_held).values()) == {0}  # freed after the fit


def test_documents_are_dealt_to_the_workers_in_turn(client):
    # a list's document i goes to worker i % n and a bag's partition p to worker p % n,
    # so every shard samples the whole (possibly topic-sorted) corpus in its order
    from skembed.distributed._fit import _shard_documents

    workers = sorted(client.nthreads())
    docs = [f"d{i}" for i in range(7)]
    shards, positions = _shard_documents(client, docs, workers)
    assert [client.gather(s)[0] for s in shards] == [docs[0::2], docs[1::2]]
    loaded = [{"part_sizes": [len(docs[k::2])]} for k in range(2)]
    assert [p.tolist() for p in positions(loaded)] == [[0, 2, 4, 6], [1, 3, 5]]

    bag = db.from_sequence(docs, npartitions=4)  # partitions of 2, 2, 2 and 1 documents
    shards, positions = _shard_documents(client, bag, workers)
    held = [[d for part in client.gather(s) for d in part] for s in shards]
    assert held == [docs[0:2] + docs[4:6], docs[2:4] + docs[6:7]]
    sizes = [[len(part) for part in client.gather(s)] for s in shards]
    where = positions([{"part_sizes": size} for size in sizes])
    assert [p.tolist() for p in where] == [[0, 1, 4, 5], [2, 3, 6]]
    assert [[docs[i] for i in p] for p in where] == held


def test_divergence_raises_and_leaves_the_estimator_as_it_was(client, topics):
    est = Word2VecVectorizer(**SMALL).fit(topics[0][:200])
    before = est.wv_.vectors.copy()
    with pytest.raises(TrainingDiverged, match="learning_rate"):
        fit(est.set_params(learning_rate=1e3), topics[0], client)
    np.testing.assert_array_equal(est.wv_.vectors, before)
    assert len(est.wv_) < 32 + 1  # the vocabulary of the first fit


def test_parameters_it_cannot_honour_are_refused_by_name(client, topics):
    docs = topics[0][:50]
    for params, name in [
        (dict(hs=True), "hs"), (dict(early_stopping=True), "early_stopping"),
        (dict(pooling="sif"), "pooling"), (dict(weight_decay=0.1), "weight_decay"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=name):
            fit(Word2VecVectorizer(**params), docs, client)
    with pytest.raises(TypeError, match="Word2VecVectorizer"):
        fit(FastTextClassifier(), docs, client)
    with pytest.raises(ValueError, match="single string"):
        fit(Word2VecVectorizer(), "one document", client)
    with pytest.raises(ValueError, match="syncs_per_epoch"):
        fit(Word2VecVectorizer(), docs, client, syncs_per_epoch=0)


def test_without_dask_the_error_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"skembed\[dask\]"):
        fit(Word2VecVectorizer(), ["a b"])


def test_a_worker_lost_mid_fit_ends_it_with_a_clear_error(topics):
    docs = topics[0]
    with _cluster() as cluster, distributed.Client(cluster) as client:
        est = Word2VecVectorizer(**SMALL).fit(docs[:300])
        before = est.wv_.vectors.copy()
        est.set_params(epochs=500)  # far longer than the test waits
        outcome = {}

        def run():
            try:
                fit(est, docs, client, syncs_per_epoch=4)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                outcome["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if min(client.run(_workers.rounds_done).values()) >= 2:
                break
            time.sleep(0.2)
        doomed = sorted(client.nthreads())[1]
        try:
            client.run(os._exit, 1, workers=[doomed])
        except Exception:  # noqa: BLE001 - the worker dies before it answers
            pass
        thread.join(timeout=120)
        assert not thread.is_alive()
        error = outcome.get("error")
        assert isinstance(error, RuntimeError) and not isinstance(error, TrainingDiverged)
        assert doomed in str(error) and "left the cluster during epoch" in str(error)
        np.testing.assert_array_equal(est.wv_.vectors, before)
        assert est.n_iter_ == 3
