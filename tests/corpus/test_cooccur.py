"""Co-occurrence counting against a brute-force double loop."""

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp

from skembed.corpus._cooccur import _fixed_point_weights, count_cooccurrences


def _corpus(rng, n_words, lengths):
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    tokens = rng.integers(0, n_words, size=offsets[-1]).astype(np.int32)
    return tokens, offsets


def _brute_force(tokens, offsets, n_words, window, symmetric, distance_weighting):
    """Exact counts as a dict {(row, col): Fraction}."""
    counts = {}
    for d in range(len(offsets) - 1):
        doc = tokens[offsets[d] : offsets[d + 1]]
        for i in range(len(doc)):
            for j in range(max(0, i - window), i):
                w = Fraction(1, i - j) if distance_weighting else Fraction(1)
                pairs = [(doc[i], doc[j])] + ([(doc[j], doc[i])] if symmetric else [])
                for key in pairs:
                    key = (int(key[0]), int(key[1]))
                    counts[key] = counts.get(key, 0) + w
    return counts


def _assert_matches(X, expected, n_words):
    assert isinstance(X, sp.csr_matrix)
    assert X.shape == (n_words, n_words)
    assert X.has_canonical_format
    for r in range(n_words):  # strictly increasing columns
        assert np.all(np.diff(X.indices[X.indptr[r] : X.indptr[r + 1]]) > 0)
    assert np.all(X.data != 0)
    coo = X.tocoo()
    got = {(int(r), int(c)): v for r, c, v in zip(coo.row, coo.col, coo.data, strict=True)}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == float(value), key  # exact: correctly rounded rational


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("distance_weighting", [True, False])
@pytest.mark.parametrize("window", [1, 2, 5, 12])
def test_matches_brute_force(symmetric, distance_weighting, window):
    rng = np.random.default_rng(window + 10 * symmetric + 100 * distance_weighting)
    n_words = 7
    # Empty documents, documents shorter than the window, longer ones.
    tokens, offsets = _corpus(rng, n_words, [0, 3, 1, 0, 17, 2, 40, 0, 6])
    X = count_cooccurrences(
        tokens,
        offsets,
        n_words,
        window=window,
        symmetric=symmetric,
        distance_weighting=distance_weighting,
    )
    expected = _brute_force(tokens, offsets, n_words, window, symmetric, distance_weighting)
    _assert_matches(X, expected, n_words)


def test_symmetric_is_asymmetric_plus_transpose():
    rng = np.random.default_rng(3)
    tokens, offsets = _corpus(rng, 20, [50, 0, 30, 7])
    X_sym = count_cooccurrences(tokens, offsets, 20, window=4)
    X_left = count_cooccurrences(tokens, offsets, 20, window=4, symmetric=False)
    np.testing.assert_allclose((X_left + X_left.T).toarray(), X_sym.toarray(), rtol=1e-15)
    # Row = centre, column = left context.
    X = count_cooccurrences(np.array([0, 1], np.int32), np.array([0, 2]), 2, symmetric=False)
    np.testing.assert_array_equal(X.toarray(), [[0.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize("distance_weighting", [True, False])
def test_max_memory_merges_blocks_to_the_same_matrix(distance_weighting, monkeypatch):
    from skembed.corpus._kernels import _cooccur as kernels

    rng = np.random.default_rng(0)
    n_words = 300
    tokens, offsets = _corpus(rng, n_words, rng.integers(0, 400, size=30))
    kwargs = dict(window=7, distance_weighting=distance_weighting)
    unbounded = count_cooccurrences(tokens, offsets, n_words, **kwargs)

    merges = []
    merge_blocks = kernels.merge_blocks

    def counting_merge(*args):
        merges.append(args[4].shape[0] - 1)  # number of blocks merged (block_starts)
        return merge_blocks(*args)

    monkeypatch.setattr(kernels, "merge_blocks", counting_merge)
    bounded = count_cooccurrences(tokens, offsets, n_words, max_memory=20_000, **kwargs)
    assert len(merges) >= 2 and max(merges) >= 2  # several blocks, merged several times
    assert bounded.nnz == unbounded.nnz
    np.testing.assert_array_equal(bounded.indptr, unbounded.indptr)
    np.testing.assert_array_equal(bounded.indices, unbounded.indices)
    np.testing.assert_array_equal(bounded.data, unbounded.data)  # bitwise


def test_final_merge_releases_the_blocks_it_has_read_and_counts_the_same(monkeypatch):
    # many blocks (small pieces) merged once at the end, in row ranges: the pages of the
    # pairs read are given back as it goes (Linux), and the matrix is bit for bit the
    # one merged without releasing anything
    import sys

    from skembed.corpus import _cooccur
    from skembed.utils import _memory

    rng = np.random.default_rng(5)
    n_words = 500
    tokens, offsets = _corpus(rng, n_words, rng.integers(50, 400, size=400))
    monkeypatch.setattr(_cooccur, "_DEFAULT_PIECE_INCREMENTS", 1 << 14)
    released = []
    real = _memory.release_range

    def counting(array, start, stop):
        released.append(real(array, start, stop))
        return released[-1]

    monkeypatch.setattr(_memory, "release_range", counting)
    X = count_cooccurrences(tokens, offsets, n_words, window=5)
    monkeypatch.setattr(_memory, "release_range", lambda array, start, stop: 0)
    kept = count_cooccurrences(tokens, offsets, n_words, window=5)
    assert len(released) > 10  # released after several row ranges, block by block
    if sys.platform.startswith("linux"):
        assert sum(released) >= 16 * 4096  # whole pages of several blocks
    np.testing.assert_array_equal(X.indptr, kept.indptr)
    np.testing.assert_array_equal(X.indices, kept.indices)
    np.testing.assert_array_equal(X.data, kept.data)


def test_float32_and_edge_cases():
    rng = np.random.default_rng(1)
    tokens, offsets = _corpus(rng, 5, [10, 4])
    X64 = count_cooccurrences(tokens, offsets, 5)
    X32 = count_cooccurrences(tokens, offsets, 5, dtype=np.float32)
    assert X32.dtype == np.float32 and X64.dtype == np.float64
    np.testing.assert_allclose(X32.toarray(), X64.toarray(), rtol=1e-7)
    # Empty corpus, all-empty documents, single-token documents.
    for toks, offs in [([], [0]), ([], [0, 0, 0]), ([1, 2, 3], [0, 1, 2, 3])]:
        X = count_cooccurrences(np.array(toks, np.int32), np.array(offs, np.int64), 4)
        assert X.shape == (4, 4) and X.nnz == 0
    # Self co-occurrence: diagonal, twice when symmetric.
    X = count_cooccurrences(np.array([2, 2], np.int32), np.array([0, 2]), 3)
    assert X[2, 2] == 2.0 and X.nnz == 1


def test_invalid_input():
    tokens = np.array([0, 1, 2], np.int32)
    with pytest.raises(ValueError, match="window"):
        count_cooccurrences(tokens, np.array([0, 3]), 3, window=0)
    with pytest.raises(ValueError, match="offsets"):
        count_cooccurrences(tokens, np.array([0, 2]), 3)
    with pytest.raises(ValueError, match="word ids"):
        count_cooccurrences(tokens, np.array([0, 3]), 2)
    with pytest.raises(ValueError, match="max_memory"):
        count_cooccurrences(tokens, np.array([0, 3]), 3, max_memory=0)


def test_fixed_point_weights():
    weights, scale = _fixed_point_weights(15, True, 10**6)
    assert scale == 360360.0  # lcm(1..15)
    assert np.all(weights[1:] * np.arange(1, 16) == scale)
    # Wide windows on huge corpora fall back to a power-of-two scale.
    weights, scale = _fixed_point_weights(60, True, 10**12)
    assert np.log2(scale).is_integer()
    np.testing.assert_allclose(weights[1:] / scale, 1.0 / np.arange(1, 61), rtol=2e-4)
    assert int(weights[1]) * 10**12 * 5 < 2**63
