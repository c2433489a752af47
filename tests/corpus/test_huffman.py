import numpy as np
import pytest

from skembed.corpus._huffman import huffman_tree
from tests import reference


def _random_counts(seed, n):
    rng = np.random.default_rng(seed)
    if seed % 2:  # Zipf-like, many ties among the rare words
        counts = rng.zipf(1.5, size=n).clip(1, 10**6)
    else:
        counts = rng.integers(1, 50, size=n)
    return np.sort(counts)[::-1]


def _paths(tree, w):
    lo, hi = tree.indptr[w], tree.indptr[w + 1]
    return tree.codes[lo:hi].tolist(), tree.points[lo:hi].tolist()


def test_hand_built_tree_follows_word2vec_conventions():
    # merges: (1, 1) -> inner 0, (inner 0, 2) -> inner 1, (3, inner 1) -> inner 2,
    # (5, inner 2) -> inner 3 = root; the smaller node of each merge takes branch 0
    tree = huffman_tree([5, 3, 2, 1, 1])
    expected = [
        ([0], [3]),
        ([1, 0], [3, 2]),
        ([1, 1, 1], [3, 2, 1]),
        ([1, 1, 0, 1], [3, 2, 1, 0]),
        ([1, 1, 0, 0], [3, 2, 1, 0]),
    ]
    assert [_paths(tree, w) for w in range(5)] == expected
    assert tree.codes.dtype == np.uint8
    assert tree.points.dtype == np.int32
    assert tree.indptr.dtype == np.int64


@pytest.mark.parametrize("seed", range(6))
def test_tree_equals_word2vec_create_binary_tree(seed):
    counts = _random_counts(seed, 60)
    tree = huffman_tree(counts)
    codes, points = reference.create_binary_tree(counts)
    for w in range(len(counts)):
        assert _paths(tree, w) == (codes[w], points[w])


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n", [2, 3, 17, 300])
def test_tree_is_optimal_prefix_free_and_complete(seed, n):
    counts = _random_counts(seed, n)
    tree = huffman_tree(counts)
    lengths = np.diff(tree.indptr)
    assert np.all(lengths >= 1)  # every word has a code
    # optimal: weighted path length equals the classic heap-merge bound
    assert int((counts * lengths).sum()) == reference.huffman_cost(counts)
    words = ["".join(map(str, _paths(tree, w)[0])) for w in range(n)]
    assert len(set(words)) == n
    ordered = sorted(words)
    assert not any(b.startswith(a) for a, b in zip(ordered, ordered[1:], strict=False))
    # points index inner nodes, the root first, and each inner node sits at one prefix
    assert tree.points.min() >= 0 and tree.points.max() < n - 1
    node_of_prefix = {}
    for w in range(n):
        codes, points = _paths(tree, w)
        assert points[0] == n - 2
        for depth, node in enumerate(points):
            prefix = tuple(codes[:depth])
            assert node_of_prefix.setdefault(prefix, node) == node
    assert sorted(node_of_prefix.values()) == list(range(n - 1))


def test_unsorted_counts_give_the_tree_of_the_sorted_ones():
    counts = np.array([40, 7, 90, 1, 13, 5, 60, 2])  # distinct: no tie to break
    order = np.argsort(-counts)
    sorted_tree = huffman_tree(counts[order])
    tree = huffman_tree(counts)
    for rank, w in enumerate(order):
        assert _paths(tree, w) == _paths(sorted_tree, rank)


def test_ties_are_deterministic_and_zero_counts_are_allowed():
    counts = np.array([3, 3, 3, 3, 0, 0])
    a, b = huffman_tree(counts), huffman_tree(counts.tolist())
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert int((counts * np.diff(a.indptr)).sum()) == reference.huffman_cost(counts)


@pytest.mark.parametrize("n", [0, 1])
def test_a_single_word_has_an_empty_path(n):
    tree = huffman_tree(np.ones(n, np.int64))
    assert tree.indptr.tolist() == [0] * (n + 1)
    assert len(tree.codes) == 0 and len(tree.points) == 0
