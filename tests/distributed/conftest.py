"""A 2-worker local cluster (single-threaded worker processes) for the distributed tests.

Modules that need another cluster (more threads, a worker to kill) define their own
``client`` fixture, which takes precedence over this one.
"""

import pytest


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:  # fmt: skip
        yield client


def dealt_by_topic(labels, n_workers=2):
    """Positions that put topics 0-1 on the first of two workers and 2-3 on the second.

    ``distributed.fit`` deals document ``i`` to worker ``i % n_workers``: alternating
    a document of topics 0-1 with one of topics 2-3 gives each worker half the topics,
    so the words of those topics are trained on one worker only and reach the returned
    model through the syncs alone.  Returns the positions (into ``labels``) in that
    order, as many of each half as the smaller half has.
    """
    import numpy as np

    assert n_workers == 2
    labels = np.asarray(labels)
    low, high = np.flatnonzero(labels < 2), np.flatnonzero(labels >= 2)
    n = min(len(low), len(high))
    return np.stack([low[:n], high[:n]], axis=1).ravel()
