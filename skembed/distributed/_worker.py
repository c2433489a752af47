"""The worker side of :func:`skembed.distributed.fit`: one shard and one model replica per worker.

Each function here runs as a Dask task pinned to one worker.  A worker keeps
its shard (the encoded documents) and its replica of the model between tasks
in ``_SHARDS``, keyed by the fit and the worker (threads of one process may be
several workers); the tasks of one fit follow each other
through their dependencies:

``load`` (encode the shard, count its words) -> ``setup`` (final vocabulary,
replica, rounds) -> per round: ``train_round`` on every worker -> ``average``
on one worker -> ``apply_round`` on every worker -> ... -> ``parameters`` (and
``owned`` on every worker).

A round trains a contiguous range of the shard's chunks with the estimator's
own step (the numba kernel) through the shared driver, then sends the rows
that changed since the last sync; ``average`` combines each row over the
workers that changed it, and every replica takes it.  Rows that a shard owns
(Doc2Vec's document vectors, see :mod:`skembed.distributed._models`) stay on
their worker until ``owned`` returns them.
"""

import pickle
import threading
import time

import numpy as np

from skembed._training._driver import Step, train_chunks
from skembed.corpus._encoding import encode_documents, make_chunks, remap
from skembed.distributed._models import OWNED, hot_rows, in_runs, row_occurrences, support_for
from skembed.models._pooling import document_frequency
from skembed.schedules import get_schedule, with_warmup
from skembed.utils._random import seed_states
from skembed.utils._threads import resolve_n_threads

__all__ = [
    "apply_round", "average", "count", "counts_of", "drop", "load", "owned", "parameters",
    "setup", "summary", "train_counted", "train_round",
]  # fmt: skip

_SHARDS = {}
_LOCK = threading.Lock()


class _Shard:
    """What one worker holds for one fit."""

    def __init__(self, corpus, words):
        self.corpus = corpus  # provisional ids until setup
        self.words = words
        self.rounds_done = 0


def _shard(key):
    shard = _SHARDS.get((key, _address()))
    if shard is None:
        raise RuntimeError(
            f"this worker holds no shard of distributed fit {key}: it restarted or was "
            "replaced since the fit began, and distributed.fit does not recover a lost shard."
        )
    return shard


def _address():
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "local"


def load(key, estimator, parts):
    """Encode this worker's documents; return its words and their counts.

    ``parts`` is a list of lists of documents (a shard, or some partitions of
    a bag), read in order.
    """
    part_sizes = [len(part) for part in parts]
    documents = [doc for part in parts for doc in part]
    corpus, words, counts = encode_documents(
        estimator._analyze(documents), estimator.max_vocab_size
    )
    with _LOCK:
        _SHARDS[key, _address()] = _Shard(corpus, words)
    alive = counts > 0  # words pruned by max_vocab_size count 0
    # where each word first occurs in the shard (document, token within it): the client
    # orders the vocabulary by the first occurrence in the whole corpus
    ids, first = np.unique(corpus.tokens, return_index=True)
    first_token = np.zeros(len(words), dtype=np.int64)
    first_token[ids] = first
    first_document = np.searchsorted(corpus.offsets, first_token, side="right") - 1
    first_token -= corpus.offsets[first_document]
    return {
        "words": [w for w, a in zip(words, alive, strict=True) if a],
        "counts": counts[alive],
        "first_document": first_document[alive],
        "first_token": first_token[alive],
        "n_documents": corpus.n_documents,
        "part_sizes": part_sizes,
        "address": _address(),
    }


def setup(key, model, syncs_per_epoch, averaging, owned, *after):
    """Map the shard onto the final vocabulary, take a replica of ``model``, plan the rounds.

    ``owned`` is the shard's part of the matrices whose rows the shards own
    (Doc2Vec: its documents' vectors), or None.

    Returns the shard's document frequencies, document count and the words
    (tokens) of each round, from which the driver places every round on the
    global word count.
    """
    shard = _shard(key)
    estimator = pickle.loads(pickle.dumps(model))  # a replica of its own, trained in place
    support = support_for(estimator)
    support.adopt_owned(estimator, owned)
    index = estimator.wv_.key_to_index
    mapping = np.array([index.get(w, -1) for w in shard.words], dtype=np.int32)
    corpus = remap(shard.corpus, mapping)
    shard.corpus, shard.words = corpus, None
    shard.estimator = estimator
    shard.averaging = averaging
    shard.arrays = estimator._parameter_arrays()
    shard.tables = support.row_tables(estimator)
    # "hybrid" averages the input rows of the most frequent words, half of all tokens
    # (for fastText, their word rows and their n-gram rows)
    share = np.cumsum(estimator.wv_.counts) / max(int(estimator.wv_.counts.sum()), 1)
    n_hot = min(int(np.searchsorted(share, 0.5) + 1), len(estimator.wv_))
    shard.hot = hot_rows(shard.tables[0], n_hot)
    shard.snapshots = [
        None if t is OWNED else a.copy() for a, t in zip(shard.arrays, shard.tables, strict=True)
    ]
    shard.n_words = len(estimator.wv_)
    n_tokens = corpus.n_tokens
    if n_tokens:
        shard.step = support.make_step(estimator, corpus)
        seg_offsets = corpus.segments()
        chunk_segs = make_chunks(seg_offsets)
        # token where each chunk starts (and where the last one ends)
        shard.chunk_tokens = seg_offsets[chunk_segs]
        words = np.asarray(shard.step.chunk_words, dtype=np.int64)
    else:
        shard.step, shard.chunk_tokens = None, np.zeros(1, np.int64)
        words = np.zeros(0, np.int64)
    cumulative = np.cumsum(words)
    shard_words = int(cumulative[-1]) if len(words) else 0
    targets = np.arange(1, syncs_per_epoch) * shard_words / syncs_per_epoch
    inner = np.searchsorted(cumulative, targets, side="left") + 1
    bounds = np.concatenate([[0], np.minimum(inner, len(words)), [len(words)]])
    shard.bounds = np.maximum.accumulate(bounds).astype(np.int64)
    before = np.concatenate([[0], cumulative])
    start, end = estimator._learning_rates()
    schedule = get_schedule(estimator.learning_rate_schedule)
    shard.rates = with_warmup(schedule, start, end, estimator.warmup_fraction)
    shard.n_threads = resolve_n_threads(estimator.n_jobs)
    return {
        "document_frequency": document_frequency(corpus, shard.n_words),
        "n_documents": corpus.n_documents,
        "round_words": np.diff(before[shard.bounds]).astype(np.int64),
    }


def train_round(key, epoch, r, epoch_seed, words_done, total_words, stretch, *after):
    """Train round ``r`` of epoch ``epoch`` on the shard; return the changed rows and figures.

    ``epoch_seed`` seeds every chunk of the epoch (``seed_states``, as the
    one-process driver does); ``words_done`` is the global word count before
    this round and ``stretch`` the round's global words per word of this
    shard, so that the rate decays on the words of all workers.  ``after``
    only orders this task after the previous sync.
    """
    shard = _shard(key)
    a, b = int(shard.bounds[r]), int(shard.bounds[r + 1])
    tic = time.perf_counter()
    totals = np.zeros(2)
    if b > a:
        if getattr(shard, "epoch", None) != epoch:
            shard.epoch = epoch
            shard.seeds = seed_states(epoch_seed, len(shard.step.chunk_words))
        _train_chunks(shard, a, b, words_done, total_words, stretch, totals)
    seconds = time.perf_counter() - tic
    payload = _changed_rows(shard, a, b)
    shard.rounds_done += 1
    return {
        "payload": payload,
        "averaging": shard.averaging,
        "hot": shard.hot,
        "stats": {
            "address": _address(),
            "loss": float(totals[0]),
            "count": int(totals[1]),
            "words": int(shard.chunk_tokens[b] - shard.chunk_tokens[a]) if b > a else 0,
            "seconds": seconds,
            "n_threads": shard.n_threads,
        },
    }


def _train_chunks(shard, a, b, words_done, total_words, stretch, totals):
    """Run the shared driver over chunks ``a..b`` of the shard's step, one pass."""
    step = shard.step
    n_chunks = len(step.chunk_words)

    def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
        # the driver numbers the round's chunks from 0; the kernel reads the shard's ids
        rates = np.zeros(n_chunks, np.float32)
        rates[a + lo : a + hi] = lrs[lo:hi]
        losses = np.zeros(n_chunks, np.float64)
        counts = np.zeros(n_chunks, np.int64)
        step.run(a + lo, a + hi, None, rates, shard.seeds, losses, counts, parallel)
        loss_out[lo:hi] = losses[a + lo : a + hi]
        count_out[lo:hi] = counts[a + lo : a + hi]
        totals[0] += losses.sum()
        totals[1] += counts.sum()

    rates = shard.rates
    if stretch != 1.0:
        start = words_done / max(total_words, 1)

        def rates(progress, _rates=shard.rates):
            return _rates(start + (np.asarray(progress) - start) * stretch)

    progress = None if step.chunk_progress is None else np.asarray(step.chunk_progress[a:b])
    sub = Step(
        run, np.asarray(step.chunk_words[a:b]), arrays=step.arrays, watch=step.watch,
        chunk_progress=progress,
    )  # fmt: skip
    train_chunks(
        sub, epochs=1, schedule=rates, rng=np.random.RandomState(0),  # seeds: shard.seeds
        n_threads=shard.n_threads, words_done=words_done, total_words=total_words,
    )  # fmt: skip


def _changed_rows(shard, a, b):
    """Rows of each matrix that differ from the last sync: ids, values (or changes), weights.

    A row's weight is 1 plus the occurrences, in the round's tokens, of the
    words that train it (its word; for a fastText n-gram row, every word with
    that n-gram): the workers that trained a row more have more say in its
    mean.  Except with ``averaging="mean"``, the rows carry their change
    since the last sync.
    """
    if b > a:
        lo, hi = shard.chunk_tokens[a], shard.chunk_tokens[b]
        occurrences = np.bincount(shard.corpus.tokens[lo:hi], minlength=shard.n_words)
    else:
        occurrences = np.zeros(shard.n_words, np.int64)
    payload = []
    for array, snapshot, table in zip(shard.arrays, shard.snapshots, shard.tables, strict=True):
        if table is OWNED:  # the shard's own rows: never sent
            empty = np.zeros(0, np.int32)
            payload.append((empty, array[:0].copy(), np.zeros(0, np.float32)))
            continue
        rows = np.flatnonzero((array != snapshot).any(axis=1))
        counts = row_occurrences(table, occurrences, array.shape[0])
        weights = (counts[rows] + 1).astype(np.float32)
        values = array[rows] if shard.averaging == "mean" else array[rows] - snapshot[rows]
        payload.append((rows.astype(np.int32), values, weights))
    return payload


# "adaptive": occurrences per worker and round at which a row's changes are 63% averaged
# (1 - 1/e) and 37% summed; chosen on KJV (30, 100, 300, 1000 tried with 2 and 4 workers)
ADAPTIVE_SCALE = 100.0


def average(*results):
    """Combine each changed row over the workers that changed it, as ``averaging`` says.

    "mean": the count-weighted mean of the workers' values.  "sum": the row
    plus the sum of the workers' changes (every update applied, as
    asynchronous SGD would).  "hybrid": the count-weighted mean of the changes
    for the output vectors and for the ``hot`` input rows (those of the most
    frequent words: an int ``h`` for the rows below ``h``, or ``(start, stop)``
    runs of rows), the sum of the changes for the other input rows.
    "adaptive": per row, ``sum + (mean - sum) * (1 - exp(-n / ADAPTIVE_SCALE))``
    of the changes, ``n`` the occurrences of the row's words per worker that
    changed it (its weights less one, averaged).

    Returns the rows and what to do with them for every matrix (new values,
    or changes to add), each worker's figures, and the bytes the sync moves:
    every worker's changed rows (ids, values, weights) in, the union of rows
    (ids, values) out to every worker.
    """
    update, sent = [], 0
    averaging, hot = results[0]["averaging"], results[0]["hot"]
    for m in range(len(results[0]["payload"])):
        parts = [r["payload"][m] for r in results]
        sent += sum(p[0].nbytes + p[1].nbytes + p[2].nbytes for p in parts)
        rows = np.concatenate([p[0] for p in parts])
        dim = parts[0][1].shape[1]
        values = np.concatenate([p[1] for p in parts]).astype(np.float64)
        weights = np.concatenate([p[2] for p in parts]).astype(np.float64)
        unique, inverse = np.unique(rows, return_inverse=True)
        summed = np.zeros((unique.size, dim))
        if averaging != "mean":
            np.add.at(summed, inverse, values)
        if averaging == "sum":
            combined = summed
        else:
            combined = np.zeros((unique.size, dim))
            np.add.at(combined, inverse, values * weights[:, None])
            combined /= np.bincount(inverse, weights=weights, minlength=unique.size)[:, None]
            if averaging == "hybrid" and m == 0:  # the input rows of the rarer words
                runs = [(0, hot)] if isinstance(hot, int | np.integer) else hot
                rare = ~in_runs(unique, runs)
                combined[rare] = summed[rare]
            elif averaging == "adaptive":
                # a row's words met n times per worker in the round: its changes add up
                # while n is small (steps too few to interfere) and are averaged as n
                # grows (each worker's change alone nearly reaches where the row is going)
                met = np.zeros(unique.size)
                np.add.at(met, inverse, weights - 1.0)
                per_worker = met / np.bincount(inverse, minlength=unique.size)
                mean_share = -np.expm1(-per_worker / ADAPTIVE_SCALE)
                combined = summed + (combined - summed) * mean_share[:, None]
        update.append((unique.astype(np.int32), combined.astype(np.float32)))
    received = len(results) * sum(r.nbytes + v.nbytes for r, v in update)
    return {
        "update": update,
        "additive": averaging != "mean",
        "stats": [r["stats"] for r in results],
        "rows": [int(r.size) for r, _ in update],
        "bytes_in": int(sent),
        "bytes_out": int(received),
    }


def apply_round(key, averaged):
    """Give this replica the averaged rows; they become its new reference for changes."""
    shard = _shard(key)
    for (rows, values), array, snapshot in zip(
        averaged["update"], shard.arrays, shard.snapshots, strict=True
    ):
        if snapshot is None:  # rows the shard owns: never synchronised
            continue
        if averaged["additive"]:
            values = snapshot[rows] + values
        array[rows] = values
        snapshot[rows] = values
    return True


def summary(averaged):
    """The small part of a sync that the driver reads."""
    return {k: v for k, v in averaged.items() if k != "update"}


def parameters(key, *after):
    """This replica's trained arrays (all replicas are equal after a sync, except in the
    rows the shards own)."""
    return _shard(key).arrays


def owned(key, *after):
    """This shard's trained part of each matrix whose rows the shards own (None for others)."""
    shard = _shard(key)
    return [a if t is OWNED else None for a, t in zip(shard.arrays, shard.tables, strict=True)]


def count(key, model, *after):
    """GloVe: map the shard onto the final vocabulary and count its co-occurrences.

    The counts stay on this worker (``counts_of`` hands them to the training
    task); returns the shard's document frequencies and figures.
    """
    shard = _shard(key)
    index = model.wv_.key_to_index
    mapping = np.array([index.get(w, -1) for w in shard.words], dtype=np.int32)
    corpus = remap(shard.corpus, mapping)
    n_words = len(model.wv_)
    counts = model._count(corpus.tokens, corpus.offsets, n_words, np.float32)
    shard.counts, shard.corpus, shard.words = counts, None, None
    return {
        "document_frequency": document_frequency(corpus, n_words),
        "n_documents": corpus.n_documents,
        "n_tokens": int(corpus.n_tokens),
        "entries": int(counts.nnz),
        "bytes": int(counts.data.nbytes + counts.indices.nbytes + counts.indptr.nbytes),
        "address": _address(),
    }


def counts_of(key, *after):
    """This shard's co-occurrence counts (a CSR matrix)."""
    return _shard(key).counts


def train_counted(model, n_tokens, *matrices):
    """GloVe: sum the shards' counts and train a replica of ``model`` on them, as ``fit`` does.

    Returns the trained parameters, the loss curve and figures, and the state
    of the replica's random generator after training.
    """
    estimator = pickle.loads(pickle.dumps(model))
    X = matrices[0]
    for other in matrices[1:]:
        X = X + other  # CSR + CSR: canonical (sorted) entries, as a local count's
    rng = estimator._rng
    start, end = estimator._learning_rates()
    schedule = get_schedule(estimator.learning_rate_schedule)
    rates = with_warmup(schedule, start, end, estimator.warmup_fraction)
    monitor = estimator._monitor(None, None)
    entries = int(X.nnz)
    owned = len(matrices) > 1  # a sum is this task's own; a lone shard's matrix is not
    result = estimator._train_counts(
        X, n_tokens, estimator.epochs, rates, rng, monitor, 0, None, owned=owned
    )
    return {
        "params": tuple(estimator._glove_params),
        "loss_curve": list(result.loss_curve),
        "words": result.words,
        "seconds": result.seconds,
        "rng_state": rng.get_state(),
        "cooccurrence": estimator.__dict__.get("cooccurrence_"),
        "entries": entries,
        "address": _address(),
    }


def drop(key, dask_worker=None):
    """Forget the fit's shard and replica on this worker (run by ``client.run``)."""
    address = _address() if dask_worker is None else dask_worker.address
    with _LOCK:
        _SHARDS.pop((key, address), None)
