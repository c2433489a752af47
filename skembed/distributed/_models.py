"""What :func:`skembed.distributed.fit` needs to know about each estimator it trains.

A distributed fit trains the estimator's own parameter matrices
(``_parameter_arrays``) with its own kernel (``_make_step``); what differs
between estimators is which parameters the rounds cannot honour and how the
rows of each matrix relate to the words.  In word2vec a row is a word; in
fastText the input matrix holds a row per word followed by the n-gram bucket
rows, and a word's occurrence trains its own row and the rows of its n-grams
(its subword table).
"""

import numpy as np

__all__ = [
    "check_supported",
    "hot_rows",
    "in_runs",
    "row_occurrences",
    "row_tables",
    "supported_names",
]


def _supported():
    from skembed.models import FastTextVectorizer, Word2VecVectorizer

    # class -> the checks of its own parameters (on top of the shared ones below)
    return {Word2VecVectorizer: _word2vec_refused, FastTextVectorizer: _no_more_refused}


def supported_names():
    """The names of the classes distributed.fit trains, for messages."""
    return [cls.__name__ for cls in _supported()]


def _word2vec_refused(estimator):
    return {"hs": (estimator.hs, "set hs=False and negative > 0 (negative sampling)")}


def _no_more_refused(estimator):
    return {}


def check_supported(estimator):
    """Raise TypeError for a class, ValueError for a parameter the rounds cannot honour."""
    refused = next((own for cls, own in _supported().items() if isinstance(estimator, cls)), None)
    if refused is None:
        raise TypeError(
            f"distributed.fit trains a {' or a '.join(supported_names())}; "
            f"got {type(estimator).__name__}."
        )
    estimator._validate_params()
    estimator._check_params()
    checks = {
        **refused(estimator),
        "early_stopping": (estimator.early_stopping, "set early_stopping=False"),
        "keep_best": (estimator.keep_best, "set keep_best=False"),
        "callbacks": (estimator.callbacks, "set callbacks=None"),
        "initial_vectors": (estimator.initial_vectors is not None, "set initial_vectors=None"),
        "weight_decay": (estimator.weight_decay > 0, "set weight_decay=0"),
        "warm_start": (
            estimator.warm_start and hasattr(estimator, "wv_"),
            "set warm_start=False (a distributed fit starts afresh)",
        ),
        "pooling": (
            estimator.pooling in ("sif", "usif"),
            "fit SIF/uSIF pooling in one process, or choose another pooling",
        ),
        "input": (estimator.input == "file", 'pass file names with input="filename"'),
    }
    for name, (bad, fix) in checks.items():
        if bad:
            raise ValueError(
                f"distributed.fit does not support {name}={getattr(estimator, name)!r}: {fix}."
            )


def row_tables(estimator):
    """For each of ``estimator._parameter_arrays()``, how its rows relate to the words.

    None: row ``i`` is word ``i``.  A CSR pair ``(indptr, indices)``: word
    ``i`` trains rows ``indices[indptr[i]:indptr[i + 1]]`` (a fastText word's
    own row and its n-gram rows, in the training layout).
    """
    from skembed.models import FastTextVectorizer

    arrays = estimator._parameter_arrays()
    tables = [None] * len(arrays)
    if isinstance(estimator, FastTextVectorizer):
        tables[0] = estimator.wv_._table()  # the input matrix; the output rows are words
    return tables


def row_occurrences(table, occurrences, n_rows):
    """How often the words that train each row occur: ``occurrences`` spread by ``table``."""
    if table is None:
        return occurrences
    indptr, indices = table
    spread = np.repeat(occurrences.astype(np.float64), np.diff(indptr))
    return np.bincount(indices, weights=spread, minlength=n_rows).astype(np.int64)


def hot_rows(table, n_hot):
    """The rows that the ``n_hot`` most frequent words train, as sorted ``(start, stop)`` runs.

    Word ids are ordered by frequency, so these are the rows of words
    ``0 .. n_hot - 1``: the first ``n_hot`` rows for a plain matrix, those
    rows and the n-gram rows of those words for a fastText input matrix (one
    more run in its training layout, where n-gram rows follow their first use).
    """
    if table is None:
        rows = np.arange(n_hot, dtype=np.int64)
    else:
        indptr, indices = table
        rows = np.unique(np.asarray(indices[: indptr[n_hot]], dtype=np.int64))
    if rows.size == 0:
        return np.zeros((0, 2), np.int64)
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = rows[np.concatenate([[0], breaks])]
    stops = rows[np.concatenate([breaks - 1, [rows.size - 1]])] + 1
    return np.stack([starts, stops], axis=1)


def in_runs(rows, runs):
    """Whether each of ``rows`` lies in one of the sorted ``(start, stop)`` runs."""
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    if runs.size == 0:
        return np.zeros(len(rows), dtype=bool)
    k = np.searchsorted(runs[:, 0], rows, side="right") - 1
    return (k >= 0) & (rows < runs[np.maximum(k, 0), 1])
