"""Nearest-neighbour queries on word vectors: similarity, analogies and interpolation.

Every query works on unit vectors (cosine similarity), as word2vec's and
gensim's do.  Many queries at once cost one matrix product
(:func:`most_similar_batch`), not a Python loop over the queries.  The
methods of :class:`~skembed.WordVectors` are thin wrappers of these
functions.
"""

import numbers

import numpy as np

__all__ = [
    "analogy",
    "doesnt_match",
    "interpolate",
    "most_similar",
    "most_similar_batch",
    "most_similar_cosmul",
    "similar_by_vector",
]

# queries scored together in one product: bounds the (queries x words) score block
_BLOCK_CELLS = 1 << 25


def _unit(vectors):
    """Return float32 rows scaled to unit length; zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    lengths = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(lengths > 0, lengths, 1).astype(np.float32)


def _as_list(items):
    if items is None:
        return []
    if isinstance(items, str) or (isinstance(items, np.ndarray) and items.ndim == 1):
        return [items]
    return list(items)


def _searched(wv, restrict_vocab):
    """Return the unit vectors searched: all rows, or the first ``restrict_vocab``."""
    normed = wv.get_normed_vectors()
    if restrict_vocab is None:
        return normed
    if (
        isinstance(restrict_vocab, bool)
        or not isinstance(restrict_vocab, numbers.Integral)
        or restrict_vocab < 1
    ):
        raise ValueError(
            f"restrict_vocab must be a positive integer or None, got {restrict_vocab!r}."
        )
    return normed[: int(restrict_vocab)]


def _check_topn(topn):
    if isinstance(topn, bool) or not isinstance(topn, numbers.Integral) or topn < 0:
        raise ValueError(f"topn must be a non-negative integer, got {topn!r}.")
    return int(topn)


def _item_vector(wv, item):
    """Return the unit vector of a word or a vector, and the word's row (or None)."""
    if isinstance(item, str):
        return wv.get_vector(item, norm=True), wv.key_to_index.get(item)
    item = np.asarray(item, dtype=np.float32)
    if item.shape != (wv.vector_size,):
        raise ValueError(f"a query vector must have shape ({wv.vector_size},), got {item.shape}.")
    return _unit(item), None


def _top(scores, topn, excluded=()):
    """Return the ``topn`` (row, score) pairs of a score row, best first, ties by row.

    ``excluded`` rows never appear.
    """
    scores = scores.copy()
    excluded = [i for i in excluded if i is not None and i < scores.size]
    scores[excluded] = -np.inf
    k = min(topn, scores.size - len(set(excluded)))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.lexsort((top, -scores[top]))]
    return [(int(i), float(scores[i])) for i in top]


def _named(wv, pairs):
    return [(wv.index_to_key[i], s) for i, s in pairs]


def most_similar(wv, positive=None, negative=None, topn=10, restrict_vocab=None, indexer=None):
    """Return the ``topn`` words closest (cosine) to the mean of a query.

    The query is the mean of the unit vectors of ``positive`` minus those of
    ``negative`` (word2vec's ``distance`` and analogy tools); words given as
    strings are left out of the answer.

    Parameters
    ----------
    wv : WordVectors
    positive : str, ndarray or list of them, default=None
    negative : str, ndarray or list of them, default=None
    topn : int, default=10
    restrict_vocab : int, default=None
        Search only the first ``restrict_vocab`` rows (the most frequent words).
    indexer : object, default=None
        A fitted index (:class:`~skembed.vectors.ExactIndex`,
        :class:`~skembed.vectors.NNDescentIndex`) to search instead of scanning
        every row; cannot be combined with ``restrict_vocab``.

    Returns
    -------
    list of (str, float)
        Words and cosine similarities, most similar first.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import most_similar
    >>> wv = WordVectors(["king", "queen", "apple"],
    ...                  np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    >>> most_similar(wv, "king", topn=1)[0][0]
    'queen'
    """
    positive, negative = _as_list(positive), _as_list(negative)
    if not positive and not negative:
        raise ValueError("most_similar needs at least one positive or negative item.")
    topn = _check_topn(topn)
    parts, excluded = [], []
    for sign, items in ((1.0, positive), (-1.0, negative)):
        for item in items:
            unit, row = _item_vector(wv, item)
            parts.append(sign * unit)
            excluded.append(row)
    query = _unit(np.mean(parts, axis=0))
    if indexer is not None:
        if restrict_vocab is not None:
            raise ValueError("restrict_vocab cannot be combined with indexer.")
        from skembed.vectors._index import indexed_most_similar

        names = {wv.index_to_key[row] for row in excluded if row is not None and row >= 0}
        return indexed_most_similar(indexer, query, names, topn)
    scores = _searched(wv, restrict_vocab) @ query
    return _named(wv, _top(scores, topn, excluded))


def similar_by_vector(wv, vector, topn=10, restrict_vocab=None):
    """Return the ``topn`` words closest (cosine) to ``vector``; no word is left out.

    Parameters
    ----------
    wv : WordVectors
    vector : ndarray of shape (vector_size,)
    topn : int, default=10
    restrict_vocab : int, default=None
        Search only the first ``restrict_vocab`` rows.

    Returns
    -------
    list of (str, float)

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import similar_by_vector
    >>> wv = WordVectors(["east", "north"], np.eye(2, dtype=np.float32))
    >>> similar_by_vector(wv, np.array([1.0, 1.0]), topn=2)
    [('east', 0.7071067690849304), ('north', 0.7071067690849304)]
    """
    query, _ = _item_vector(wv, vector)
    scores = _searched(wv, restrict_vocab) @ query
    return _named(wv, _top(scores, _check_topn(topn)))


def most_similar_batch(wv, queries, topn=10, restrict_vocab=None):
    """Answer many nearest-neighbour queries with one matrix product.

    Parameters
    ----------
    wv : WordVectors
    queries : sequence of str, or ndarray of shape (n_queries, vector_size)
        Words (each left out of its own answer) or vectors.
    topn : int, default=10
    restrict_vocab : int, default=None
        Search only the first ``restrict_vocab`` rows.

    Returns
    -------
    list of n_queries lists of (str, float)
        For each query, what :func:`most_similar` (a word) or
        :func:`similar_by_vector` (a vector) returns.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import most_similar_batch
    >>> wv = WordVectors(["a", "b", "c"],
    ...                  np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32))
    >>> [answer[0][0] for answer in most_similar_batch(wv, ["a", "c"], topn=1)]
    ['b', 'b']
    """
    topn = _check_topn(topn)
    searched = _searched(wv, restrict_vocab)
    if isinstance(queries, np.ndarray) and queries.dtype.kind in "fiu":
        if queries.ndim != 2 or queries.shape[1] != wv.vector_size:
            raise ValueError(
                f"queries must have shape (n_queries, {wv.vector_size}), got {queries.shape}."
            )
        matrix, rows = _unit(queries), np.full(len(queries), -1)
    else:
        queries = [queries] if isinstance(queries, str) else list(queries)
        if not all(isinstance(q, str) for q in queries):
            raise TypeError("queries must be a list of words or a 2-dimensional array.")
        matrix = np.empty((len(queries), wv.vector_size), dtype=np.float32)
        rows = np.full(len(queries), -1)
        for i, word in enumerate(queries):
            matrix[i], row = _item_vector(wv, word)
            rows[i] = -1 if row is None else row
    n_rows = searched.shape[0]
    k = min(topn, n_rows)
    answers = []
    block = max(1, _BLOCK_CELLS // max(n_rows, 1))
    for start in range(0, len(matrix), block):
        scores = matrix[start : start + block] @ searched.T
        own = rows[start : start + block]
        hit = (own >= 0) & (own < n_rows)
        scores[np.flatnonzero(hit), own[hit]] = -np.inf
        if k == 0:
            answers += [[] for _ in range(len(scores))]
            continue
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.lexsort((top, -top_scores), axis=1)
        top = np.take_along_axis(top, order, axis=1)
        top_scores = np.take_along_axis(top_scores, order, axis=1)
        for ids, values in zip(top.tolist(), top_scores.tolist(), strict=True):
            answers.append(
                [(wv.index_to_key[i], s) for i, s in zip(ids, values, strict=True) if s > -np.inf]
            )
    return answers


def most_similar_cosmul(wv, positive=None, negative=None, topn=10, restrict_vocab=None):
    """Return the words that best answer an analogy under 3CosMul (Levy and Goldberg, 2014).

    Each word ``w`` scores ``prod(sim(w, p)) / (prod(sim(w, n)) + 1e-6)``
    over the ``positive`` and ``negative`` words, with cosine similarities
    shifted to ``[0, 1]`` as ``(1 + cos) / 2``: a multiplication that keeps
    one large similarity from dominating the sum of :func:`most_similar`.
    Words given as strings are left out of the answer.

    Parameters
    ----------
    wv : WordVectors
    positive : str, ndarray or list of them, default=None
    negative : str, ndarray or list of them, default=None
    topn : int, default=10
    restrict_vocab : int, default=None
        Search only the first ``restrict_vocab`` rows.

    Returns
    -------
    list of (str, float)
        Words and their 3CosMul scores, best first.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import most_similar_cosmul
    >>> wv = WordVectors(["man", "woman", "king", "queen"],
    ...                  np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]], np.float32))
    >>> most_similar_cosmul(wv, positive=["king", "woman"], negative=["man"], topn=1)[0][0]
    'queen'
    """
    positive, negative = _as_list(positive), _as_list(negative)
    if not positive and not negative:
        raise ValueError("most_similar_cosmul needs at least one positive or negative item.")
    topn = _check_topn(topn)
    searched = _searched(wv, restrict_vocab)
    excluded = []
    units = {}
    for name, items in (("positive", positive), ("negative", negative)):
        vectors = []
        for item in items:
            unit, row = _item_vector(wv, item)
            vectors.append(unit)
            excluded.append(row)
        units[name] = np.array(vectors, dtype=np.float32).reshape(-1, wv.vector_size)
    pos = (1 + searched @ units["positive"].T) / 2
    neg = (1 + searched @ units["negative"].T) / 2
    scores = np.prod(pos, axis=1) / (np.prod(neg, axis=1) + np.float32(1e-6))
    return _named(wv, _top(scores, topn, excluded))


def analogy(wv, a, b, c, topn=1, restrict_vocab=None):
    """Answer "``a`` is to ``b`` as ``c`` is to ?" by word arithmetic, ``b - a + c``.

    ``analogy(wv, "man", "king", "woman")`` looks for king - man + woman (3CosAdd,
    :func:`most_similar` with ``positive=[b, c]`` and ``negative=[a]``);
    the three words are left out of the answer.

    Parameters
    ----------
    wv : WordVectors
    a, b, c : str or ndarray of shape (vector_size,)
    topn : int, default=1
    restrict_vocab : int, default=None
        Search only the first ``restrict_vocab`` rows.

    Returns
    -------
    list of (str, float)
        The best answers and their cosine similarity to the query, best first.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import analogy
    >>> wv = WordVectors(["man", "woman", "king", "queen"],
    ...                  np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]], np.float32))
    >>> analogy(wv, "man", "king", "woman")[0][0]
    'queen'
    """
    return most_similar(wv, positive=[b, c], negative=[a], topn=topn,
                        restrict_vocab=restrict_vocab)  # fmt: skip


def doesnt_match(wv, words):
    """Return the word that fits least with the others: the farthest from their mean.

    The mean of the words' unit vectors is scaled to unit length; the word
    of lowest cosine similarity to it is the odd one out (ties: the first).

    Parameters
    ----------
    wv : WordVectors
    words : sequence of str
        At least two words; words outside the vocabulary of a plain
        :class:`~skembed.WordVectors` raise a KeyError.

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import doesnt_match
    >>> wv = WordVectors(["cat", "dog", "car"],
    ...                  np.array([[1, 0.1], [1, 0], [0, 1]], dtype=np.float32))
    >>> doesnt_match(wv, ["cat", "dog", "car"])
    'car'
    """
    words = _as_list(words)
    if len(words) < 2 or not all(isinstance(w, str) for w in words):
        raise ValueError("doesnt_match needs a list of at least two words.")
    units = np.stack([wv.get_vector(w, norm=True) for w in words])
    mean = _unit(units.mean(axis=0))
    return words[int(np.argmin(units @ mean))]


def interpolate(wv, a, b, steps=5, topn=1, restrict_vocab=None):
    """Return the words nearest to evenly spaced points between two vectors.

    The points are ``(1 - t) * u_a + t * u_b`` for ``steps`` values of ``t``
    from 0 to 1, with ``u_a`` and ``u_b`` the unit vectors of ``a`` and
    ``b``; all are answered by one matrix product.  No word is left out, so
    the first and last points usually answer ``a`` and ``b`` themselves.

    Parameters
    ----------
    wv : WordVectors
    a, b : str or ndarray of shape (vector_size,)
    steps : int, default=5
        Number of points, at least 2.
    topn : int, default=1
        Words per point.
    restrict_vocab : int, default=None
        Search only the first ``restrict_vocab`` rows.

    Returns
    -------
    list of (float, list of (str, float))
        Each point's ``t`` and its nearest words with their cosine similarity.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._queries import interpolate
    >>> wv = WordVectors(["cold", "cool", "warm", "hot"],
    ...                  np.array([[1, 0], [0.9, 0.4], [0.4, 0.9], [0, 1]], np.float32))
    >>> [words[0][0] for t, words in interpolate(wv, "cold", "hot", steps=4)]
    ['cold', 'cool', 'warm', 'hot']
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 2:
        raise ValueError(f"steps must be an integer of at least 2, got {steps!r}.")
    start, _ = _item_vector(wv, a)
    stop, _ = _item_vector(wv, b)
    ts = np.linspace(0.0, 1.0, int(steps))
    points = (1 - ts)[:, None] * start[None, :] + ts[:, None] * stop[None, :]
    answers = most_similar_batch(wv, points.astype(np.float32), topn, restrict_vocab)
    return [(float(t), answer) for t, answer in zip(ts, answers, strict=True)]
