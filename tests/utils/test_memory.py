import sys

import numpy as np
import pytest

from skembed.utils._memory import release_range


def test_release_range_drops_whole_pages_inside_the_range_only():
    a = np.full(1 << 20, 7, dtype=np.int64)  # 8 MiB: its own mapping
    dropped = release_range(a, 1000, 900_000)
    if sys.platform.startswith("linux"):
        assert dropped > 0 and dropped % 4096 == 0
        assert np.all(a[:1000] == 7) and np.all(a[900_000:] == 7)  # outside: untouched
        zero = np.flatnonzero(a == 0)
        assert zero.size * a.itemsize == dropped  # inside: whole pages, read as zeros
        assert zero[0] >= 1000 and zero[-1] < 900_000
    else:
        assert dropped == 0 and np.all(a == 7)


def test_release_range_ignores_empty_and_sub_page_ranges():
    a = np.full(1 << 16, 3, dtype=np.int32)
    assert release_range(a, 10, 10) == 0
    assert release_range(a, 20, 10) == 0
    assert release_range(a, 1, 500) == 0  # under a page: nothing
    assert np.all(a == 3)


def test_release_range_refuses_strided_arrays():
    a = np.zeros((1 << 16, 2), dtype=np.int64)[:, 0]
    if sys.platform.startswith("linux"):
        with pytest.raises(ValueError, match="C-contiguous 1-d"):
            release_range(a, 0, 1 << 15)


def _glibc():
    from skembed.utils import _memory

    return _memory._malloc_trim is not None


def test_trim_heap_returns_freed_heap_blocks_to_the_system():
    from skembed.utils._memory import resident_bytes, trim_heap

    if not _glibc():
        assert trim_heap() is False  # no malloc_trim: a no-op
        return
    trim_heap()
    # 12,000 heap blocks of 5 kB (below the mmap threshold), then one block above them
    # that keeps the allocator from giving the freed range back by itself
    blocks = [bytearray(5000) for _ in range(12_000)]
    for b in blocks:
        b[::512] = b"x" * len(b[::512])  # touch every page
    pin = bytearray(5000)
    held = resident_bytes()
    del blocks
    freed = resident_bytes()
    assert trim_heap() is True
    trimmed = resident_bytes()
    assert held - freed < 30e6  # free() alone kept most of the 60 MB resident
    assert freed - trimmed > 30e6  # malloc_trim gave it back
    del pin


def test_resident_and_peak_bytes_follow_an_allocation():
    from skembed.utils._memory import peak_resident_bytes, resident_bytes

    if not sys.platform.startswith("linux"):
        assert resident_bytes() is None
        return
    before = resident_bytes()
    a = np.ones(40 << 20, dtype=np.uint8)  # 40 MiB, touched
    during = resident_bytes()
    assert during - before > 35 << 20
    assert peak_resident_bytes() >= during - (1 << 20)
    del a
