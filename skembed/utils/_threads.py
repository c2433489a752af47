"""Thread counts for numba kernels: ``n_jobs`` resolution and the parallel-region lock."""

import sys
import threading
from contextlib import contextmanager

__all__ = ["call_kernel", "dask_worker_threads", "numba_threads", "resolve_n_threads"]

# numba's workqueue threading layer must not be entered by two Python threads at
# once (joblib's threading backend); parallel kernels therefore take this lock.
_PARALLEL_LOCK = threading.Lock()


def dask_worker_threads():
    """Return this Dask task's share of its worker's threads, or None outside a Dask worker.

    A worker with ``nthreads`` threads runs that many tasks at once, and its
    nanny leaves ``NUMBA_NUM_THREADS`` alone (it lowers only the OpenMP, MKL
    and OpenBLAS variables), so a fit inside a task would otherwise start one
    numba thread per core in every task.  The share is ``nthreads`` divided by
    the tasks the worker is running or has ready to run (this one included),
    at least 1: a worker busy with several fits of a search gives each one
    thread, and a lone task gets them all.  ``distributed`` is looked at only
    when something has imported it already.
    """
    if "distributed" not in sys.modules:
        return None
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError, AttributeError):  # not inside a worker's task
        return None
    try:
        nthreads = int(worker.state.nthreads)
        busy = int(worker.state.executing_count) + len(worker.state.ready)
    except AttributeError:  # a distributed too old or too new to have this state
        return None
    return max(1, nthreads // max(min(busy, nthreads), 1))


def resolve_n_threads(n_jobs):
    """Map ``n_jobs`` to a thread count: None -> 1, -1 -> all, clamped to numba's pool.

    numba's pool size (``NUMBA_NUM_THREADS``) is lowered by joblib in its
    worker processes, so a search with ``n_jobs=2`` does not oversubscribe.
    Inside a Dask worker's task the request is also clamped to the task's share
    of the worker's threads (see :func:`dask_worker_threads`).
    """
    if n_jobs is None:
        return 1
    import numba

    available = numba.config.NUMBA_NUM_THREADS
    share = dask_worker_threads()
    if share is not None:
        available = min(available, share)
    n = available + 1 + n_jobs if n_jobs < 0 else n_jobs
    return int(min(max(n, 1), available))


@contextmanager
def numba_threads(n_threads):
    """Enter a parallel region with ``n_threads`` numba threads, restoring the count after."""
    import numba

    with _PARALLEL_LOCK:
        previous = numba.get_num_threads()
        numba.set_num_threads(n_threads)
        try:
            yield
        finally:
            numba.set_num_threads(previous)


def call_kernel(serial, parallel, n_threads, *args):
    """Run ``serial(*args)`` for one thread, else ``parallel(*args)`` on ``n_threads`` threads.

    The serial path touches nothing of numba's threading layer: once a process
    has started numba's thread pool (OpenMP, TBB or workqueue), a child it
    forks dies or hangs in its first parallel region, so ``n_jobs`` None or 1
    must never start it.  The two variants are separate functions because
    numba's on-disk cache cannot tell two compilations of one function apart.
    """
    if n_threads <= 1:
        return serial(*args)
    with numba_threads(n_threads):
        return parallel(*args)
