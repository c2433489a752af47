"""``mean_shift_factors`` counts repeated subword rows without comparing every pair."""

import numpy as np
import pytest

from skembed.models._kernels import _fasttext


def _pairwise_reference(indptr, indices):
    # the definition: ordered pairs (p, q) of a word's list with equal rows, over its length
    out = np.empty(len(indptr) - 1, dtype=np.float32)
    for w in range(len(out)):
        rows = indices[indptr[w] : indptr[w + 1]]
        out[w] = (rows[:, None] == rows[None, :]).sum() / max(rows.size, 1)
    return out


@pytest.mark.parametrize("n_distinct", [1, 3, 40, 10_000])
def test_equals_the_pairwise_count_on_both_sides_of_the_sorting_threshold(n_distinct):
    rng = np.random.default_rng(n_distinct)
    # lengths from empty to well past _PAIRWISE_MAX, so both code paths run
    lengths = np.concatenate([[0, 1, 2], rng.integers(0, 3 * _fasttext._PAIRWISE_MAX, 60)])
    lengths = np.append(lengths, [_fasttext._PAIRWISE_MAX, _fasttext._PAIRWISE_MAX + 1])
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    indices = rng.integers(0, n_distinct, indptr[-1]).astype(np.int32)
    shift = np.empty(len(lengths), dtype=np.float32)
    _fasttext.mean_shift_factors(indptr, indices, shift)
    np.testing.assert_array_equal(shift, _pairwise_reference(indptr, indices))
    assert shift[0] == 0.0 and shift[1] == 1.0


def test_a_long_list_with_one_repeated_row():
    # a word of 5,000 entries of which 1,000 are the same row: (1000**2 + 4000) / 5000
    indices = np.concatenate([np.full(1000, 7), np.arange(100, 4100)]).astype(np.int32)
    np.random.default_rng(0).shuffle(indices)
    shift = np.empty(1, dtype=np.float32)
    _fasttext.mean_shift_factors(np.array([0, 5000], dtype=np.int64), indices, shift)
    assert shift[0] == np.float32((1000**2 + 4000) / 5000)
