"""What :func:`skembed.distributed.fit` needs to know about each estimator it trains.

A distributed fit trains the estimator's own parameter matrices
(``_parameter_arrays``) with its own kernel (``_make_step``); what differs
between estimators is which parameters the rounds cannot honour, how the rows
of each matrix relate to the words, and which rows belong to one shard:

- word2vec: a row of every matrix is a word.
- fastText: the input matrix holds a row per word followed by the n-gram
  bucket rows, and an occurrence of a word trains its own row and the rows
  of its n-grams (its subword table).
- Doc2Vec: the document vectors are owned by the shards (a document is
  trained on the worker that holds it), so they never travel in a sync: each
  replica holds its shard's rows only, gathered once at the end.
- GloVe: no rounds; each shard counts its co-occurrences, the counts are
  summed and the kernel runs once on the sum (``counted``).
"""

import numpy as np

__all__ = [
    "OWNED", "check_supported", "hot_rows", "in_runs", "row_occurrences", "support_for",
    "supported_names",
]  # fmt: skip

OWNED = "owned"  # a row table saying: this matrix's rows belong to the shards, no sync


class _Support:
    """The hooks of one estimator class; this base serves word2vec."""

    counted = False  # True: count on the shards, train once on the summed counts (GloVe)

    def refused(self, estimator):
        """``{parameter: (refused?, how to fix)}`` beyond the shared checks."""
        return {"hs": (estimator.hs, "set hs=False and negative > 0 (negative sampling)")}

    def row_tables(self, estimator):
        """For each of ``estimator._parameter_arrays()``, how its rows relate to the words.

        None: row ``i`` is word ``i``.  A CSR pair ``(indptr, indices)``: word
        ``i`` trains rows ``indices[indptr[i]:indptr[i + 1]]``.  ``OWNED``:
        the rows belong to the shard's documents.
        """
        return [None] * len(estimator._parameter_arrays())

    def make_step(self, estimator, corpus):
        return estimator._make_step(corpus)

    def begin(self, estimator):
        """Prepare the client's estimator before its vocabulary is built."""

    def init_owned(self, estimator, rng, n_documents):
        """After ``_init_parameters``: draw the shard-owned rows, as a local fit would."""

    def split_owned(self, estimator, positions):
        """Take the shard-owned rows off ``estimator``: one part per shard (None: none).

        ``positions`` gives, per shard, the positions of its documents in the
        documents of the fit.
        """
        return [None] * len(positions)

    def adopt_owned(self, replica, part):
        """Give a worker's replica its shard's part."""

    def join_owned(self, estimator, parts, positions):
        """Put the trained parts of every shard back on the client's estimator."""

    def end(self, estimator):
        """Clear what :meth:`begin` set."""


class _FastText(_Support):
    def refused(self, estimator):
        return {}

    def row_tables(self, estimator):
        # the input matrix's rows in the training layout; the output rows are words
        return [estimator.wv_._table(), None]


class _Doc2Vec(_Support):
    _DV = 1  # dv_.vectors in _parameter_arrays: [wv_, dv_, output(, output_hs)]

    def row_tables(self, estimator):
        tables = super().row_tables(estimator)
        tables[self._DV] = OWNED
        return tables

    def make_step(self, estimator, corpus):
        # the replica holds its shard's document rows only, in document order
        return estimator._make_step(corpus, np.arange(corpus.n_documents))

    def begin(self, estimator):
        # the hooks of a local fit read what one call needs from ``_pending``
        estimator._pending = {"tags": None, "partial": False}

    def init_owned(self, estimator, rng, n_documents):
        # the keys and draws of a local fit: documents 0 .. n - 1, in the order given
        estimator._rows_for(list(range(int(n_documents))), rng)

    def split_owned(self, estimator, positions):
        from skembed.models._doc2vec import DocumentVectors

        vectors = estimator.dv_.vectors
        estimator.dv_ = DocumentVectors([], vectors[:0].copy())
        return [vectors[where] for where in positions]  # fancy indexing: copies

    def adopt_owned(self, replica, part):
        from skembed.models._doc2vec import DocumentVectors

        replica.dv_ = DocumentVectors(list(range(len(part))), part)

    def join_owned(self, estimator, parts, positions):
        from skembed.models._doc2vec import DocumentVectors

        n_documents = sum(len(where) for where in positions)
        first = parts[0][self._DV]
        vectors = np.empty((n_documents, first.shape[1]), dtype=first.dtype)
        for part, where in zip(parts, positions, strict=True):
            vectors[where] = part[self._DV]  # each shard's rows back at their documents
        estimator.dv_ = DocumentVectors(list(range(n_documents)), vectors)

    def end(self, estimator):
        estimator.__dict__.pop("_pending", None)


class _GloVe(_Support):
    counted = True

    def refused(self, estimator):
        return {}


def _supported():
    from skembed import models

    return {
        models.Word2VecVectorizer: _Support(),
        models.FastTextVectorizer: _FastText(),
        models.Doc2VecVectorizer: _Doc2Vec(),
        models.GloVeVectorizer: _GloVe(),
    }


def supported_names():
    """The names of the classes distributed.fit trains, for messages."""
    return [cls.__name__ for cls in _supported()]


def support_for(estimator):
    """The hooks of ``estimator``'s class; TypeError for a class distributed.fit cannot train."""
    support = next((s for cls, s in _supported().items() if isinstance(estimator, cls)), None)
    if support is None:
        names = supported_names()
        raise TypeError(
            f"distributed.fit trains a {', a '.join(names[:-1])} or a {names[-1]}; "
            f"got {type(estimator).__name__}."
        )
    return support


def check_supported(estimator):
    """Raise TypeError for a class, ValueError for a parameter the rounds cannot honour."""
    support = support_for(estimator)
    estimator._validate_params()
    estimator._check_params()
    checks = {
        **support.refused(estimator),
        "early_stopping": (estimator.early_stopping, "set early_stopping=False"),
        "keep_best": (estimator.keep_best, "set keep_best=False"),
        "callbacks": (estimator.callbacks, "set callbacks=None"),
        "initial_vectors": (
            getattr(estimator, "initial_vectors", None) is not None,
            "set initial_vectors=None",
        ),
        "weight_decay": (estimator.weight_decay > 0, "set weight_decay=0"),
        "warm_start": (
            estimator.warm_start and hasattr(estimator, "wv_"),
            "set warm_start=False (a distributed fit starts afresh)",
        ),
        "pooling": (
            getattr(estimator, "pooling", None) in ("sif", "usif"),
            "fit SIF/uSIF pooling in one process, or choose another pooling",
        ),
        "input": (estimator.input == "file", 'pass file names with input="filename"'),
    }
    for name, (bad, fix) in checks.items():
        if bad:
            raise ValueError(
                f"distributed.fit does not support {name}={getattr(estimator, name)!r}: {fix}."
            )
    return support


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
