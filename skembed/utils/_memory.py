"""Give the pages of an array's range back to the system before the array is freed.

A k-way merge reads each of its inputs front to back once; releasing what it
has read as it goes lets its output grow in the memory its inputs leave, so
the peak is about the inputs' size rather than inputs plus output.  NumPy
cannot shrink an array, but on Linux ``madvise(MADV_DONTNEED)`` drops the
physical pages of an anonymous private mapping: the addresses stay valid and
read as zeros if touched again.  Elsewhere :func:`release_range` does nothing
and the memory is freed with the array, as before.
"""

import ctypes
import ctypes.util
import mmap
import sys

__all__ = ["release_range"]

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
