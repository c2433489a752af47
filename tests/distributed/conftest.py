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
