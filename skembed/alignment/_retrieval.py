"""Search one space from another: cosine and CSLS nearest neighbours, hubness."""

import numpy as np

__all__ = ["csls_scores", "k_occurrence", "nearest_neighbors"]

_METHODS = ("cosine", "csls")


def _unit_rows(X, name):
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional, got shape {X.shape}.")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity.")
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    # a zero row (a document with no known word) matches nothing rather than dividing by zero
    return X / np.where(norms > 0, norms, 1)


def _check_pair(X, Y):
    X = _unit_rows(X, "X")
    Y = _unit_rows(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of columns (one shared space), "
            f"got {X.shape[1]} and {Y.shape[1]}."
        )
    return X, Y


def _check_k(k, n, name):
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"{name} must be a positive integer, got {k!r}.")
    return min(int(k), n)


def _blocks(n, batch_size):
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


def _mean_top_k(A, B, k, batch_size):
    """Mean cosine of each row of A to its k nearest rows of B (the CSLS penalty)."""
    out = np.empty(A.shape[0], dtype=np.float32)
    for rows in _blocks(A.shape[0], batch_size):
        sims = A[rows] @ B.T
        top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        out[rows] = top.mean(axis=1)
    return out


def _penalties(X, Y, method, k, batch_size):
    if method == "cosine":
        return None, None
    k_y = _check_k(k, Y.shape[0], "k")
    k_x = _check_k(k, X.shape[0], "k")
    return _mean_top_k(X, Y, k_y, batch_size), _mean_top_k(Y, X, k_x, batch_size)


def _check_method(method):
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")


def _block_scores(X, Y, rows, r_x, r_y):
    sims = X[rows] @ Y.T
    if r_x is None:
        return sims
    return 2 * sims - r_x[rows, None] - r_y[None, :]


def csls_scores(X, Y, *, k=10):
    """Return the cross-domain similarity local scaling (CSLS) of every pair of rows.

    CSLS (Conneau et al. 2018) corrects cosine similarity for hubness: rows
    close to many others (hubs) are penalised by their mean similarity to
    their ``k`` nearest neighbours on the other side,
    ``csls(x, y) = 2 cos(x, y) - r_Y(x) - r_X(y)``.

    Parameters
    ----------
    X : array-like of shape (n_queries, n_features)
        Queries (for example source words mapped into the target space).
    Y : array-like of shape (n_candidates, n_features)
        Candidates, in the same space.
    k : int, default=10
        Neighbourhood size of the penalties.

    Returns
    -------
    scores : ndarray of shape (n_queries, n_candidates), dtype float32
        Greater is more similar.

    See Also
    --------
    nearest_neighbors : The best candidates of each query, computed in blocks.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.alignment import csls_scores
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> Y = np.array([[1.0, 0.1], [0.1, 1.0], [0.7, 0.7]])
    >>> csls_scores(X, Y, k=1).argmax(axis=1)
    array([0, 1])
    """
    X, Y = _check_pair(X, Y)
    r_x, r_y = _penalties(X, Y, "csls", k, batch_size=1024)
    return _block_scores(X, Y, slice(None), r_x, r_y)


def nearest_neighbors(X, Y, *, n_neighbors=1, method="csls", k=10, batch_size=1024):
    """Find the rows of ``Y`` most similar to each row of ``X``, by cosine or CSLS.

    Scores are computed ``batch_size`` queries at a time, so the full
    ``(n_queries, n_candidates)`` matrix is never held.

    Parameters
    ----------
    X : array-like of shape (n_queries, n_features)
        Queries.
    Y : array-like of shape (n_candidates, n_features)
        Candidates, in the same space as ``X`` (for instance the output of an
        aligner's ``transform`` and ``transform_target``).
    n_neighbors : int, default=1
        Number of candidates returned per query (at most ``n_candidates``).
    method : {"csls", "cosine"}, default="csls"
        Cosine similarity, or CSLS (cosine corrected for hubness, see
        :func:`csls_scores`).
    k : int, default=10
        Neighbourhood size of the CSLS penalties; ignored by cosine.
    batch_size : int, default=1024
        Queries scored at once; bounds memory at ``batch_size * n_candidates``
        floats.

    Returns
    -------
    indices : ndarray of shape (n_queries, n_neighbors), dtype int64
        Rows of ``Y``, best first.
    scores : ndarray of shape (n_queries, n_neighbors), dtype float32
        Their scores.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.alignment import nearest_neighbors
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> Y = np.array([[0.0, 2.0], [3.0, 0.2], [1.0, 1.0]])
    >>> indices, scores = nearest_neighbors(X, Y, n_neighbors=2, method="cosine")
    >>> indices
    array([[1, 2],
           [0, 2]])
    """
    _check_method(method)
    X, Y = _check_pair(X, Y)
    n_neighbors = _check_k(n_neighbors, Y.shape[0], "n_neighbors")
    batch_size = _check_k(batch_size, max(X.shape[0], 1), "batch_size")
    r_x, r_y = _penalties(X, Y, method, k, batch_size)
    indices = np.empty((X.shape[0], n_neighbors), dtype=np.int64)
    scores = np.empty((X.shape[0], n_neighbors), dtype=np.float32)
    for rows in _blocks(X.shape[0], batch_size):
        block = _block_scores(X, Y, rows, r_x, r_y)
        if n_neighbors < block.shape[1]:
            top = np.argpartition(-block, n_neighbors - 1, axis=1)[:, :n_neighbors]
        else:
            top = np.broadcast_to(np.arange(block.shape[1]), block.shape)
        top_scores = np.take_along_axis(block, top, axis=1)
        # stable sort on the negated scores: ties keep the lower row first
        order = np.argsort(-top_scores, axis=1, kind="stable")
        indices[rows] = np.take_along_axis(top, order, axis=1)
        scores[rows] = np.take_along_axis(top_scores, order, axis=1)
    return indices, scores


def mutual_csls_neighbors(X, Y, k, batch_size=1024):
    """Rows ``(i, j)`` where ``Y[j]`` is ``X[i]``'s best CSLS match and ``X[i]`` is ``Y[j]``'s.

    One pass over the blocks of ``X @ Y.T`` gives both directions, so the
    penalties and the similarities are computed once (refinement calls this
    on vocabularies of thousands of words each round).
    """
    X, Y = _check_pair(X, Y)
    r_x, r_y = _penalties(X, Y, "csls", k, batch_size)
    forward = np.empty(X.shape[0], dtype=np.int64)
    best_backward = np.full(Y.shape[0], -np.inf, dtype=np.float32)
    backward = np.zeros(Y.shape[0], dtype=np.int64)
    for rows in _blocks(X.shape[0], batch_size):
        block = _block_scores(X, Y, rows, r_x, r_y)
        forward[rows] = block.argmax(axis=1)
        # the same scores read by column: the best query of each candidate
        column_best = block.argmax(axis=0)
        column_scores = block[column_best, np.arange(Y.shape[0])]
        better = column_scores > best_backward
        best_backward[better] = column_scores[better]
        backward[better] = column_best[better] + rows.start
    source_rows = np.flatnonzero(backward[forward] == np.arange(X.shape[0]))
    return source_rows, forward[source_rows]


def k_occurrence(X, Y, *, n_neighbors=10, method="cosine", k=10, batch_size=1024):
    """Count how often each row of ``Y`` is among the nearest neighbours of a row of ``X``.

    The k-occurrence of a candidate measures hubness (Radovanović et al.
    2010): in high dimensions a few candidates (hubs) are the neighbours of
    many queries, which shows as a right-skewed distribution of these counts.
    CSLS is meant to flatten it.

    Parameters
    ----------
    X : array-like of shape (n_queries, n_features)
        Queries.
    Y : array-like of shape (n_candidates, n_features)
        Candidates.
    n_neighbors : int, default=10
        Neighbours counted per query.
    method : {"cosine", "csls"}, default="cosine"
        Similarity used to find the neighbours.
    k : int, default=10
        Neighbourhood size of the CSLS penalties; ignored by cosine.
    batch_size : int, default=1024
        Queries scored at once.

    Returns
    -------
    counts : ndarray of shape (n_candidates,), dtype int64
        Summing to ``n_queries * n_neighbors``; ``scipy.stats.skew(counts)``
        is the usual hubness figure.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.alignment import k_occurrence
    >>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> k_occurrence(X, Y, n_neighbors=1)
    array([2, 1])
    """
    indices, _ = nearest_neighbors(
        X, Y, n_neighbors=n_neighbors, method=method, k=k, batch_size=batch_size
    )
    n_candidates = np.asarray(Y).shape[0]
    return np.bincount(indices.ravel(), minlength=n_candidates).astype(np.int64)
