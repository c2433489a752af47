"""Thread counts of fits inside Dask workers, and a grid search on joblib's dask backend."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_backend  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skembed import Word2VecVectorizer  # noqa: E402
from skembed.utils._threads import dask_worker_threads, resolve_n_threads  # noqa: E402
from tests.conftest import planted_topics  # noqa: E402
from tests.distributed import _workers  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=2, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    with cluster, distributed.Client(cluster) as client:
        client.run(_workers.install_recorder)
        yield client


def test_outside_a_worker_nothing_changes():
    assert dask_worker_threads() is None
    assert resolve_n_threads(None) == 1


def test_a_lone_task_gets_the_workers_threads_and_tasks_side_by_side_get_one(client):
    import numba

    docs = planted_topics(n_docs=200)[0]
    worker = sorted(client.scheduler_info()["workers"])[0]
    expected = min(2, numba.config.NUMBA_NUM_THREADS)  # nthreads, clamped to numba's pool
    alone = client.submit(_workers.fit_recording, docs, -1, workers=[worker], pure=False)
    assert set(alone.result()) == {expected}
    serial = client.submit(_workers.fit_recording, docs, None, workers=[worker], pure=False)
    assert set(serial.result()) == {1}  # n_jobs=None stays serial (reproducible)

    # two fits on one 2-thread worker at once: one thread each, the serial kernel
    pair = [
        client.submit(_workers.fit_recording, docs, -1, together=2, workers=[worker], pure=False)
        for _ in range(2)
    ]
    results = client.gather(pair)
    assert all(r and set(r) == {1} for r in results)


def test_grid_search_on_the_dask_backend_runs_in_the_workers_without_oversubscribing(client):
    docs, _, labels = planted_topics(n_docs=240)
    pipe = make_pipeline(
        Word2VecVectorizer(vector_size=8, min_count=1, epochs=3, n_jobs=-1, random_state=0),
        LogisticRegression(max_iter=200),
    )
    grid = {"word2vecvectorizer__window": [2, 4], "word2vecvectorizer__algorithm":
            ["skipgram", "cbow"]}  # fmt: skip
    client.run(lambda: _workers._RECORDS.clear())
    search = GridSearchCV(pipe, grid, cv=2)
    with parallel_backend("dask"):
        search.fit(docs, labels)
    records = client.run(_workers.all_records)
    nthreads = client.nthreads()
    # the fits ran inside the workers (joblib batches quick fits, so the scheduler may
    # give every batch to one worker: which workers train is not asserted)
    assert any(records.values())
    for address, counts in records.items():
        assert max(counts, default=0) <= nthreads[address]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ > 0.9  # topics of planted words: the fits learned
