"""Functions that run inside Dask workers in the distributed tests (importable there)."""

import threading

import numba

_LOCK = threading.Lock()
_RECORDS = {}  # thread id -> thread count of each training-kernel call
_BARRIERS = {}


def install_recorder():
    """Wrap word2vec's kernels in this process so each call records its thread count.

    The serial kernel records 1; the parallel one records the threads numba
    runs it on, read inside the parallel region the driver opens.
    """
    from skembed.models import _word2vec

    with _LOCK:
        if getattr(_word2vec, "_recording", False):
            return
        for name, (serial, parallel, options) in list(_word2vec._KERNELS.items()):

            def serial_recorded(*args, _kernel=serial, **kwargs):
                _RECORDS.setdefault(threading.get_ident(), []).append(1)
                return _kernel(*args, **kwargs)

            def parallel_recorded(*args, _kernel=parallel, **kwargs):
                _RECORDS.setdefault(threading.get_ident(), []).append(numba.get_num_threads())
                return _kernel(*args, **kwargs)

            _word2vec._KERNELS[name] = (serial_recorded, parallel_recorded, options)
        _word2vec._recording = True


def all_records():
    """Every thread count recorded in this process."""
    return [n for counts in _RECORDS.values() for n in counts]


def fit_recording(docs, n_jobs, together=1):
    """Fit word2vec in this task and return the thread counts its kernel calls ran on.

    With ``together > 1``, that many tasks of this worker meet at a barrier
    before fitting and again after, so that all of them run at once for the
    whole of every fit.
    """
    from skembed import Word2VecVectorizer

    install_recorder()
    barrier = None
    if together > 1:
        with _LOCK:
            barrier = _BARRIERS.setdefault(together, threading.Barrier(together))
        barrier.wait(timeout=60)
    _RECORDS.pop(threading.get_ident(), None)
    Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, n_jobs=n_jobs, random_state=0).fit(
        docs
    )
    counts = _RECORDS.pop(threading.get_ident(), [])
    if barrier is not None:
        barrier.wait(timeout=60)
    return counts


_UNPICKLED = [0]


def _counting_class():
    from skembed import Word2VecVectorizer

    class CountingVectorizer(Word2VecVectorizer):
        """Word2VecVectorizer that counts how often this process unpickles one."""

        def __setstate__(self, state):
            _UNPICKLED[0] += 1
            super().__setstate__(state)

    CountingVectorizer.__module__ = __name__
    CountingVectorizer.__qualname__ = "CountingVectorizer"
    return CountingVectorizer


CountingVectorizer = _counting_class()


def unpickled():
    return _UNPICKLED[0]


def rounds_done():
    """Rounds each distributed fit has trained on this worker so far."""
    from skembed.distributed import _worker

    return max((s.rounds_done for s in list(_worker._SHARDS.values())), default=0)


def shards_held():
    """How many shards of distributed fits this worker process still holds."""
    from skembed.distributed import _worker

    return len(_worker._SHARDS)
