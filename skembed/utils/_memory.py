"""Give memory back to the system, and read how much the process holds.

:func:`release_range`: give the pages of an array's range back before the array is freed.

A k-way merge reads each of its inputs front to back once; releasing what it
has read as it goes lets its output grow in the memory its inputs leave, so
the peak is about the inputs' size rather than inputs plus output.  NumPy
cannot shrink an array, but on Linux ``madvise(MADV_DONTNEED)`` drops the
physical pages of an anonymous private mapping: the addresses stay valid and
read as zeros if touched again.  Elsewhere :func:`release_range` does nothing
and the memory is freed with the array, as before.

:func:`trim_heap`: a fit's reading phase allocates and frees many blocks (the
documents' strings, per-batch token buffers); glibc's allocator keeps freed
heap memory for reuse rather than returning it, so the resident set during
training stayed that much higher (5M-token Zipf corpus, skip-gram: 197 MB
above the imports without trimming, 165 MB with it).  ``malloc_trim(0)``
returns the free pages; elsewhere (no glibc) it does nothing.

:func:`resident_bytes` and :func:`peak_resident_bytes` read the process's
resident set now (Linux) and its peak (Unix), for the fit profile.
"""

import ctypes
import ctypes.util
import mmap
import sys

__all__ = ["peak_resident_bytes", "release_range", "resident_bytes", "trim_heap"]

_MADV_DONTNEED = 4  # Linux
_madvise = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        _madvise = _libc.madvise
        _madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _madvise.restype = ctypes.c_int
    except (OSError, AttributeError):  # no libc to load: releasing is only an optimisation
        _madvise = None
_malloc_trim = None
if _madvise is not None:
    try:
        _malloc_trim = _libc.malloc_trim  # glibc only (musl has none)
        _malloc_trim.argtypes = [ctypes.c_size_t]
        _malloc_trim.restype = ctypes.c_int
    except AttributeError:
        _malloc_trim = None


def trim_heap():
    """Return the allocator's free heap pages to the system; return whether any were returned.

    A no-op returning False where the C library has no ``malloc_trim``.
    """
    if _malloc_trim is None:
        return False
    return bool(_malloc_trim(0))


def resident_bytes():
    """Return the process's resident set in bytes now, or None where it cannot be read.

    Read from ``/proc/self/statm`` (Linux).
    """
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * mmap.PAGESIZE
    except (OSError, IndexError, ValueError):
        return None


def peak_resident_bytes():
    """Return the process's peak resident set in bytes so far, or None without ``resource``."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def release_range(array, start, stop):
    """Drop the physical pages lying wholly inside ``array[start:stop]``; return bytes dropped.

    For a C-contiguous 1-d array owned by the caller, whose ``start:stop``
    range is never read again (it reads as zeros afterwards on Linux, and
    keeps its values elsewhere, where nothing is released).  Partial pages at
    either end are kept, so neighbouring data is never touched.
    """
    if _madvise is None or stop <= start:
        return 0
    if array.ndim != 1 or not array.flags.c_contiguous:
        raise ValueError("release_range takes a C-contiguous 1-d array.")
    start, stop = max(int(start), 0), min(int(stop), array.shape[0])
    base = array.ctypes.data
    first = -(-(base + start * array.itemsize) // mmap.PAGESIZE) * mmap.PAGESIZE
    last = (base + stop * array.itemsize) // mmap.PAGESIZE * mmap.PAGESIZE
    if last <= first:
        return 0
    if _madvise(first, last - first, _MADV_DONTNEED) != 0:
        return 0  # e.g. not an anonymous mapping: the pages simply stay
    return last - first
