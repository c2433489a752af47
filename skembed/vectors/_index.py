"""Nearest-neighbour indexes over unit vectors: exact (blocked products) and approximate.

Every index follows one small protocol, so that :meth:`WordVectors.most_similar`
(``indexer=``) and :class:`~skembed.vectors.DocumentIndex` take any of them:

- ``fit(wv)`` indexes the rows of a :class:`WordVectors` (keys: its words) or of
  a 2-D array (keys: row positions) and returns the index;
- ``add(keys, vectors)`` appends items after the index is built;
- ``query(vectors, k)`` returns ``(indices, similarities)``, two arrays of shape
  ``(n_queries, min(k, n_items))``, best first; indices are rows in the order of
  ``fit`` followed by ``add``, similarities are cosines;
- ``keys_`` lists the key of each row.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["ExactIndex", "NNDescentIndex"]

# a block of queries times all items holds at most this many float32 scores (64 MiB)
_BLOCK_SCORES = 1 << 24


def _unit_rows(vectors, name="vectors"):
    """Return ``vectors`` as C-contiguous float32 rows of unit length (zero rows stay zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    if vectors.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional, got shape {vectors.shape}.")
    if not np.all(np.isfinite(vectors)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    lengths[lengths == 0] = 1.0
    return np.ascontiguousarray(vectors / lengths, dtype=np.float32)


def _keys_and_rows(wv):
    """Return ``(keys, unit rows)`` of WordVectors (words) or of a 2-D array (positions)."""
    if hasattr(wv, "index_to_key") and hasattr(wv, "vectors"):
        normed = wv.get_normed_vectors() if hasattr(wv, "get_normed_vectors") else wv.vectors
        return list(wv.index_to_key), _unit_rows(normed, "wv")
    rows = _unit_rows(wv, "wv")
    return list(range(len(rows))), rows


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    return int(k)


class _BaseIndex:
    """Keys, their unit rows and the checks that every index shares."""

    def _check_fitted(self):
        if not hasattr(self, "keys_"):
            raise ValueError(f"This {type(self).__name__} is not fitted yet; call fit(wv) first.")

    def _new_items(self, keys, vectors):
        self._check_fitted()
        keys = list(keys)
        rows = _unit_rows(vectors)
        if len(keys) != len(rows):
            raise ValueError(f"keys has {len(keys)} entries but vectors has {len(rows)} rows.")
        if rows.shape[1] != self.vectors_.shape[1]:
            raise ValueError(
                f"vectors has {rows.shape[1]} columns; the index holds "
                f"{self.vectors_.shape[1]}-dimensional vectors."
            )
        known = set(self.keys_)
        for key in keys:
            if key in known:
                raise ValueError(f"key {key!r} is already in the index.")
            known.add(key)
        return keys, rows

    def _queries(self, vectors):
        self._check_fitted()
        rows = _unit_rows(vectors)
        if rows.shape[1] != self.vectors_.shape[1]:
            raise ValueError(
                f"vectors has {rows.shape[1]} columns; the index holds "
                f"{self.vectors_.shape[1]}-dimensional vectors."
            )
        return rows

    def __len__(self):
        return len(getattr(self, "keys_", ()))


class ExactIndex(_BaseIndex):
    """Exact cosine nearest neighbours by blocked matrix products (the reference index).

    The vectors are scaled to unit length once; a query block is multiplied
    with all of them (at most 16 million scores, 64 MiB, at a time) and the
    ``k`` best of each row are kept.  Results do not depend on ``n_jobs``.

    Parameters
    ----------
    n_jobs : int, default=None
        Threads over query blocks (None: 1, -1: all cores).  Each block is one
        BLAS product; the products release the GIL.

    Attributes
    ----------
    keys_ : list
        Key of each row: words, document ids or positions.
    vectors_ : ndarray of shape (n_items, vector_size), dtype float32
        The unit vectors.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import ExactIndex
    >>> wv = WordVectors(["king", "queen", "apple"],
    ...                  np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    >>> index = ExactIndex().fit(wv)
    >>> indices, similarities = index.query(wv["king"], k=2)
    >>> [index.keys_[i] for i in indices[0]]
    ['king', 'queen']
    >>> index.add(["pear"], [[0.1, 1.0]]).query([[0, 1]], k=2)[0]
    array([[2, 3]])
    >>> wv.most_similar("apple", topn=1, indexer=index)
    [('pear', 0.995...)]
    """

    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def fit(self, wv):
        """Index the rows of ``wv`` (WordVectors, or a 2-D array keyed by position).

        Parameters
        ----------
        wv : WordVectors or array-like of shape (n_items, vector_size)

        Returns
        -------
        self : ExactIndex
        """
        self.keys_, self.vectors_ = _keys_and_rows(wv)
        return self

    def add(self, keys, vectors):
        """Append items; the index then answers exactly as one built on all of them.

        Parameters
        ----------
        keys : sequence of length n_new
            New keys (a ValueError names one already indexed).
        vectors : array-like of shape (n_new, vector_size)

        Returns
        -------
        self : ExactIndex
        """
        keys, rows = self._new_items(keys, vectors)
        self.keys_ = self.keys_ + keys
        self.vectors_ = np.concatenate([self.vectors_, rows])
        return self

    def query(self, vectors, k=10):
        """Return the ``k`` items most similar (cosine) to each query vector.

        Parameters
        ----------
        vectors : array-like of shape (n_queries, vector_size) or (vector_size,)
        k : int, default=10

        Returns
        -------
        indices : ndarray of shape (n_queries, min(k, n_items)), dtype int64
            Rows of the items, most similar first (ties: the lower row first).
        similarities : ndarray of shape (n_queries, min(k, n_items)), dtype float32
        """
        k = _check_k(k)
        queries = self._queries(vectors)
        n_items = len(self.vectors_)
        k = min(k, n_items)
        indices = np.zeros((len(queries), k), dtype=np.int64)
        similarities = np.zeros((len(queries), k), dtype=np.float32)
        step = max(1, _BLOCK_SCORES // max(n_items, 1))
        starts = range(0, len(queries), step)

        def block(start):
            stop = min(start + step, len(queries))
            scores = queries[start:stop] @ self.vectors_.T
            if k < n_items:
                top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            else:
                top = np.broadcast_to(np.arange(n_items), scores.shape)
            top_scores = np.take_along_axis(scores, top, axis=1)
            # best first, ties by row: sort on (-score, row)
            order = np.lexsort((top, -top_scores), axis=1)
            indices[start:stop] = np.take_along_axis(top, order, axis=1)
            similarities[start:stop] = np.take_along_axis(top_scores, order, axis=1)

        n_threads = _resolve_threads(self.n_jobs)
        if n_threads <= 1 or len(starts) <= 1:
            for start in starts:
                block(start)
        else:
            with ThreadPoolExecutor(min(n_threads, len(starts))) as pool:
                list(pool.map(block, starts))
        return indices, similarities


def _resolve_threads(n_jobs):
    if n_jobs is None:
        return 1
    cores = os.cpu_count() or 1
    return max(1, cores + 1 + n_jobs if n_jobs < 0 else n_jobs)


class NNDescentIndex(_BaseIndex):
    """Approximate cosine nearest neighbours with pynndescent's NN-descent graph.

    Needs ``pip install skembed[ann]``.  pynndescent compiles numba code (the
    first use in a process takes tens of seconds; numba caches it on disk) and
    builds its graph with numba's parallel threads in the calling process: after
    that, a forked child that enters a parallel region dies or hangs (see the
    guide, "Threads and fork"), so start worker processes with ``spawn`` or
    ``forkserver`` afterwards.  Similarities of the returned items are exact
    cosines, recomputed from the stored unit vectors.

    Parameters
    ----------
    **pynndescent_params
        Passed to ``pynndescent.NNDescent`` (``n_neighbors``, ``random_state``,
        ``n_jobs``, ...); ``metric`` defaults to ``"cosine"``.  ``epsilon``
        (default 0.1) is passed to its ``query``: larger searches more of the
        graph, slower and with higher recall.

    Attributes
    ----------
    keys_ : list
        Key of each row.
    vectors_ : ndarray of shape (n_items, vector_size), dtype float32
        The unit vectors.
    index_ : pynndescent.NNDescent

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors import NNDescentIndex
    >>> vectors = np.random.default_rng(0).normal(size=(500, 8))
    >>> index = NNDescentIndex(random_state=0).fit(vectors)  # doctest: +SKIP
    >>> index.query(vectors[:1], k=3)[0][0, 0]  # doctest: +SKIP
    0
    >>> NNDescentIndex(n_neighbors=15).get_params()
    {'n_neighbors': 15}
    """

    def __init__(self, **pynndescent_params):
        self.pynndescent_params = pynndescent_params

    def get_params(self):
        """Return the parameters given to pynndescent (a copy)."""
        return dict(self.pynndescent_params)

    def _nndescent(self):
        try:
            import pynndescent
        except ImportError:
            raise ImportError(
                "NNDescentIndex needs pynndescent: pip install skembed[ann]"
            ) from None
        return pynndescent

    def fit(self, wv):
        """Build the neighbour graph over the rows of ``wv``.

        Parameters
        ----------
        wv : WordVectors or array-like of shape (n_items, vector_size)

        Returns
        -------
        self : NNDescentIndex
        """
        pynndescent = self._nndescent()
        keys, rows = _keys_and_rows(wv)
        params = self.get_params()
        params.pop("epsilon", None)
        params.setdefault("metric", "cosine")
        self.index_ = pynndescent.NNDescent(rows, **params)
        self.index_.prepare()
        self.keys_, self.vectors_ = keys, rows
        return self

    def add(self, keys, vectors):
        """Insert items into the graph (pynndescent's ``update``), without a rebuild.

        Parameters
        ----------
        keys : sequence of length n_new
        vectors : array-like of shape (n_new, vector_size)

        Returns
        -------
        self : NNDescentIndex
        """
        keys, rows = self._new_items(keys, vectors)
        if len(keys):
            self.index_.update(xs_fresh=rows)
            self.index_.prepare()
            self.keys_ = self.keys_ + keys
            self.vectors_ = np.concatenate([self.vectors_, rows])
        return self

    def query(self, vectors, k=10):
        """Return about the ``k`` items most similar to each query vector.

        Parameters
        ----------
        vectors : array-like of shape (n_queries, vector_size) or (vector_size,)
        k : int, default=10

        Returns
        -------
        indices : ndarray of shape (n_queries, min(k, n_items)), dtype int64
        similarities : ndarray of shape (n_queries, min(k, n_items)), dtype float32
            Exact cosines of the returned items, best first.
        """
        k = min(_check_k(k), len(self.keys_) if hasattr(self, "keys_") else k)
        queries = self._queries(vectors)
        epsilon = self.pynndescent_params.get("epsilon", 0.1)
        indices, _ = self.index_.query(queries, k=k, epsilon=epsilon)
        indices = indices.astype(np.int64)
        similarities = np.einsum("qd,qkd->qk", queries, self.vectors_[indices])
        order = np.lexsort((indices, -similarities), axis=1)
        indices = np.take_along_axis(indices, order, axis=1)
        similarities = np.take_along_axis(similarities, order, axis=1).astype(np.float32)
        return indices, similarities


def indexed_most_similar(indexer, query, excluded, topn):
    """Answer ``most_similar`` through ``indexer``: ``[(key, similarity)]`` without ``excluded``.

    ``excluded`` holds the query's own words; asking for that many more keeps
    ``topn`` answers after they are dropped.
    """
    if topn <= 0:
        return []
    indices, similarities = indexer.query(np.asarray(query, dtype=np.float32)[None, :],
                                          topn + len(excluded))  # fmt: skip
    keys = indexer.keys_
    answer = [
        (keys[i], float(s)) for i, s in zip(indices[0], similarities[0], strict=True)
        if keys[i] not in excluded
    ]  # fmt: skip
    return answer[:topn]
