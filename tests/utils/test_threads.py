import os

import numba
import pytest
from joblib import Parallel, delayed

from skembed.utils._threads import call_kernel, numba_threads, resolve_n_threads


def test_resolution_of_n_jobs():
    available = numba.config.NUMBA_NUM_THREADS
    assert resolve_n_threads(None) == 1
    assert resolve_n_threads(1) == 1
    assert resolve_n_threads(-1) == available
    assert resolve_n_threads(10_000) == available
    assert resolve_n_threads(-10_000) == 1


def _threads_in_worker():
    return resolve_n_threads(-1), os.environ.get("NUMBA_NUM_THREADS")


@pytest.mark.skipif(os.cpu_count() < 2, reason="needs two cores to split")
def test_process_workers_lower_the_pool_so_nothing_is_oversubscribed():
    results = Parallel(n_jobs=2, backend="loky")(delayed(_threads_in_worker)() for _ in range(4))
    for n, env in results:
        assert n <= max(os.cpu_count() // 2, 1)
        assert env is not None  # joblib set it for numba in the worker


def test_thread_count_is_restored_after_a_parallel_region():
    before = numba.get_num_threads()
    with numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before


def _variants(calls):
    def serial(x):
        calls.append(("serial", x))
        return x + 1

    def parallel(x):
        calls.append(("parallel", x, numba.get_num_threads()))
        return x + 2

    return serial, parallel


def test_call_kernel_runs_the_serial_variant_for_one_thread():
    calls = []
    assert call_kernel(*_variants(calls), 1, 10) == 11
    assert calls == [("serial", 10)]


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba has one thread here")
def test_call_kernel_runs_the_parallel_variant_in_a_region_of_that_many_threads():
    calls = []
    assert call_kernel(*_variants(calls), 2, 10) == 12
    assert calls == [("parallel", 10, 2)]
