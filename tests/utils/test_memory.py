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
