"""The Huffman tree of hierarchical softmax, in word2vec C's conventions.

Words are the leaves of a binary Huffman tree built from their counts, so that
frequent words get short paths.  Each of the ``n_words - 1`` inner nodes owns
one output vector; inner nodes are numbered ``0 .. n_words - 2`` in the order
they are created, so the root is ``n_words - 2``.  When two nodes are merged,
the smaller one becomes the parent's 0 branch and the other its 1 branch
(word2vec's ``CreateBinaryTree``, gensim's ``_build_heap``).  A word's path is
stored from the root down: ``points`` lists the inner nodes it passes,
``codes`` the branch taken at each, and hierarchical softmax trains
``log sigmoid((1 - 2 * code) * h . v_point)`` for every step of the path.

The paths of all words are kept in CSR layout: word ``w``'s path is
``codes[indptr[w]:indptr[w + 1]]`` and ``points[indptr[w]:indptr[w + 1]]``.
"""

from typing import NamedTuple

import numpy as np

from skembed.utils._jit import jit

__all__ = ["HuffmanTree", "huffman_tree"]


class HuffmanTree(NamedTuple):
    """Root-to-leaf paths of every word, in CSR layout.

    Attributes
    ----------
    codes : ndarray of shape (n_steps,), uint8
        Branch (0 or 1) taken at each step.
    points : ndarray of shape (n_steps,), int32
        Inner node (``0 .. n_words - 2``) of each step.
    indptr : ndarray of shape (n_words + 1,), int64
        Word ``w``'s steps are ``indptr[w]:indptr[w + 1]``.
    """

    codes: np.ndarray
    points: np.ndarray
    indptr: np.ndarray


@jit
def _paths(sorted_counts, leaf_of_word):
    """Build the tree of non-increasing ``sorted_counts``; return ``(codes, points, indptr)``.

    Leaves are nodes ``0 .. n - 1`` (in sorted order), inner nodes
    ``n .. 2n - 2`` in order of creation.  The leaves, read from the end, and
    the inner nodes, in order of creation, are two queues already sorted by
    count, so each merge takes the two smallest heads (word2vec's linear
    method); a tie goes to the inner node, as in word2vec.  ``leaf_of_word``
    gives the leaf of each word.
    """
    n = sorted_counts.shape[0]
    weight = np.empty(2 * n - 1, dtype=np.int64)
    weight[:n] = sorted_counts
    parent = np.empty(2 * n - 1, dtype=np.int64)
    branch = np.zeros(2 * n - 1, dtype=np.uint8)
    leaf = n - 1  # smallest unmerged leaf
    inner = n  # oldest unmerged inner node
    for new in range(n, 2 * n - 1):
        weight[new] = 0
        for side in range(2):  # the smaller node takes branch 0
            if leaf >= 0 and (inner >= new or weight[leaf] < weight[inner]):
                child = leaf
                leaf -= 1
            else:
                child = inner
                inner += 1
            weight[new] += weight[child]
            parent[child] = new
            branch[child] = side
    root = 2 * n - 2
    # a parent is created after its children: depths fill from the root down
    depth = np.zeros(2 * n - 1, dtype=np.int64)
    for node in range(root - 1, -1, -1):
        depth[node] = depth[parent[node]] + 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    for w in range(n):
        indptr[w + 1] = indptr[w] + depth[leaf_of_word[w]]
    codes = np.empty(indptr[n], dtype=np.uint8)
    points = np.empty(indptr[n], dtype=np.int32)
    for w in range(n):  # walk each leaf up, writing its path from the end
        node = leaf_of_word[w]
        pos = indptr[w + 1] - 1
        while node != root:
            codes[pos] = branch[node]
            node = parent[node]
            points[pos] = node - n
            pos -= 1
    return codes, points, indptr


def huffman_tree(counts):
    """Build the Huffman tree of ``counts`` and return every word's root-to-leaf path.

    Parameters
    ----------
    counts : array-like of shape (n_words,)
        Non-negative word counts.  skembed's vocabularies are sorted by
        decreasing count, which gives exactly word2vec's tree; other orders are
        sorted first (stably, so that ties keep their order).

    Returns
    -------
    tree : HuffmanTree
        ``codes`` (uint8), ``points`` (int32, inner nodes in
        ``0 .. n_words - 2``) and ``indptr`` (int64, CSR).  A vocabulary of
        one word has an empty path.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = len(counts)
    if n < 2:
        return HuffmanTree(np.empty(0, np.uint8), np.empty(0, np.int32), np.zeros(n + 1, np.int64))
    order = np.argsort(-counts, kind="stable")
    leaf_of_word = np.empty(n, dtype=np.int64)
    leaf_of_word[order] = np.arange(n)
    return HuffmanTree(*_paths(np.ascontiguousarray(counts[order]), leaf_of_word))
