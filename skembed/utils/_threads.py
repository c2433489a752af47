"""Thread counts for numba kernels: ``n_jobs`` resolution and the parallel-region lock."""

import threading
from contextlib import contextmanager

__all__ = ["call_kernel", "numba_threads", "resolve_n_threads"]

# numba's workqueue threading layer must not be entered by two Python threads at
# once (joblib's threading backend); parallel kernels therefore take this lock.
_PARALLEL_LOCK = threading.Lock()


def resolve_n_threads(n_jobs):
    """Map ``n_jobs`` to a thread count: None -> 1, -1 -> all, clamped to numba's pool.

    numba's pool size (``NUMBA_NUM_THREADS``) is lowered by joblib in its
    worker processes, so a search with ``n_jobs=2`` does not oversubscribe.
    """
    if n_jobs is None:
        return 1
    import numba

    available = numba.config.NUMBA_NUM_THREADS
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
