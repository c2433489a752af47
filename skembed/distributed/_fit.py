"""Train skembed's word-vector estimators on a Dask cluster: data-parallel shards."""

import time
import uuid

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from skembed.distributed import _worker
from skembed.distributed._deps import get_client, require_distributed
from skembed.distributed._models import check_supported
from skembed.models._pooling import smooth_idf

__all__ = ["fit"]

_PIN = dict(allow_other_workers=False, pure=False)  # a task runs where its shard is
_POLL = 0.5  # seconds between checks that every shard's worker is still there
_NOTICE = 10.0  # seconds a cancellation waits for the scheduler to see a worker leave


class _WorkerLost(RuntimeError):
    pass


def _shard_documents(client, documents, workers):
    """Deal the documents to the workers; return each worker's shard and its positions.

    Documents are dealt in turn, as cards are: a list's document ``i`` goes to
    worker ``i % n``, a bag's partition ``p`` to worker ``p % n``.  Every shard
    then samples the whole corpus, in its order, so in every round the workers
    train on the same stretch of it.  Contiguous blocks (the first half of a
    book-ordered corpus on one worker, the second on the other) let the
    replicas drift apart between syncs: on KJV with two workers that cost
    WordSim-353 about 0.05.

    Returns ``(shards, positions)``: per worker a future (or list of futures)
    of its documents, and a function that, given each worker's loaded
    figures, returns the positions in ``documents`` of each shard's
    documents (int64 arrays, in shard order).
    """
    import dask.bag as db

    n = len(workers)
    if isinstance(documents, db.Bag):
        if documents.npartitions < n:
            documents = documents.repartition(npartitions=n)
        parts = documents.to_delayed(optimize_graph=True)
        dealt = [list(range(k, len(parts), n)) for k in range(n)]
        shards = [
            client.compute([parts[p] for p in mine], workers=[worker])
            for mine, worker in zip(dealt, workers, strict=True)
        ]

        def positions(loaded):
            sizes = np.zeros(len(parts), dtype=np.int64)
            for mine, part in zip(dealt, loaded, strict=True):
                sizes[mine] = part["part_sizes"]
            starts = np.concatenate([[0], np.cumsum(sizes)])
            return [
                np.concatenate([np.arange(starts[p], starts[p + 1]) for p in mine] or [[]]).astype(
                    np.int64
                )
                for mine in dealt
            ]

        return shards, positions
    if isinstance(documents, str):
        raise ValueError(
            "documents must be an iterable of documents (or file names), not a single "
            "string: wrap it in a list."
        )
    documents = list(documents)
    shards = [
        client.scatter([documents[k::n]], workers=[worker], hash=False)
        for k, worker in enumerate(workers)
    ]
    total = len(documents)
    return shards, lambda loaded: [np.arange(k, total, n, dtype=np.int64) for k in range(n)]


def _merge_counts(loaded):
    """Sum the workers' word counts; words keep their order of first occurrence in the corpus.

    Each worker reports where in its shard every word first occurs (document,
    token); with the positions of the shard's documents in the corpus, the
    earliest of those places orders the words as a one-process fit's first
    pass would, so ties of ``min_count`` and of frequency break the same way.
    """
    import pandas as pd

    words = [w for part in loaded for w in part["words"]]
    if not words:
        return [], np.zeros(0, dtype=np.int64)
    counts = np.concatenate([part["counts"] for part in loaded])
    first = np.concatenate([
        part["positions"][part["first_document"]] * (1 << 32) + part["first_token"]
        for part in loaded
    ])  # fmt: skip
    frame = pd.DataFrame({"count": counts, "first": first}, index=pd.Index(words, dtype=object))
    merged = frame.groupby(level=0, sort=False).agg({"count": "sum", "first": "min"})
    merged = merged.sort_values("first", kind="stable")
    return list(merged.index), merged["count"].to_numpy(dtype=np.int64)


def _lost_workers(client, workers, patience=0.0):
    """The workers of ``workers`` the scheduler no longer has, waiting up to ``patience`` s
    for it to notice one (a cancellation can reach the client before the departure)."""
    deadline = time.monotonic() + patience
    while True:
        alive = set(client.nthreads())
        lost = [w for w in workers if w not in alive]
        if lost or time.monotonic() >= deadline:
            return lost
        time.sleep(0.1)


def _lost_error(client, workers, where, patience=0.0):
    lost = _lost_workers(client, workers, patience)
    if lost:
        return _WorkerLost(
            f"worker {', '.join(lost)} left the cluster {where}. distributed.fit keeps "
            "each shard and its model replica on one worker and does not recover them: "
            "the estimator is left as it was; fit again on the workers that remain."
        )
    return _WorkerLost(
        f"the tasks of the fit were cancelled {where} (the cluster restarted or "
        "closed, or lost a worker's data): the estimator is left as it was."
    )


def _is_cancellation(exc, distributed):
    import asyncio
    import concurrent.futures

    kinds = (asyncio.CancelledError, concurrent.futures.CancelledError)
    futures_cancelled = getattr(distributed.client, "FuturesCancelledError", None)
    if futures_cancelled is not None:
        kinds += (futures_cancelled,)
    return isinstance(exc, kinds)


def _wait(client, futures, workers, where):
    """Wait for ``futures``; raise a clear error as soon as a shard's worker is gone."""
    distributed = require_distributed()
    pending = list(futures)
    try:
        while pending:
            try:
                distributed.wait(pending, timeout=_POLL)
            except TimeoutError:
                pass
            if _lost_workers(client, workers):
                raise _lost_error(client, workers, where)
            for future in pending:
                if future.status == "error":
                    future.result()  # raises the task's exception (TrainingDiverged, ...)
                if future.status == "cancelled":
                    raise _lost_error(client, workers, where, patience=_NOTICE)
            pending = [f for f in pending if f.status != "finished"]
        return client.gather(list(futures))
    except BaseException as exc:
        # Dask may report a lost worker's tasks as cancelled before the client sees the
        # worker leave: name the worker all the same
        if _is_cancellation(exc, distributed):
            raise _lost_error(client, workers, where, patience=_NOTICE) from None
        raise


def fit(estimator, documents, client=None, *, workers=None, syncs_per_epoch=16,
        averaging="adaptive", return_stats=False):  # fmt: skip
    """Train a word2vec, fastText, Doc2Vec or GloVe model on documents spread over a Dask cluster.

    Each worker holds a shard of the documents and a full replica of the
    model.  The vocabulary is counted on the shards first and summed, then
    the estimator's own rules (``min_count``, ``max_final_vocab``) choose it,
    so it is the vocabulary of a one-process fit.  Each epoch is cut into
    ``syncs_per_epoch`` rounds; in a round every worker trains its part of
    the epoch with the estimator's kernel, then the replicas are synchronised
    sparsely: only the rows changed since the last sync travel, and each is
    combined over the workers that changed it (see ``averaging``).  The
    learning rate decays on the word count of all workers.

    A fastText model trains its word rows and the n-gram bucket rows of its
    vocabulary's words (the rows a local fit trains) the same way: a changed
    bucket row travels like a word row, weighted by the occurrences of the
    words that use it.  The result is laid out as after a local fit (the
    buckets ``compact`` keeps, or fastText's full matrix), so it composes
    unseen words as a local fit does.

    A Doc2Vec model's document vectors belong to the shards: each worker
    holds and trains the vectors of its own documents only, they never
    travel in a sync, and they are gathered once at the end; the word and
    output vectors are synchronised as word2vec's.  The keys of ``dv_`` are
    the documents' positions, 0 to n - 1, in the order of ``documents`` (a
    bag: its partitions in order), as after a local fit without ``tags``.

    GloVe trains on co-occurrence counts, and windows never cross a
    document: each worker counts its shard, the counts are summed (the
    counts of the whole corpus, up to float32 rounding) and the estimator's
    kernel trains once on the sum, on the first worker, as a local fit would
    (``syncs_per_epoch`` and ``averaging`` do not apply).

    Parameters
    ----------
    estimator : Word2VecVectorizer, FastTextVectorizer, Doc2VecVectorizer \
or GloVeVectorizer
        An unfitted (or to be refitted) estimator; word2vec and Doc2Vec with
        negative sampling (``hs=False``).  Its ``n_jobs`` sets the threads of
        each worker's kernel (None: one, reproducible; -1: the worker's
        threads).  It is fitted in place and returned.
    documents : iterable of str, or dask.bag.Bag
        Documents (or file names with ``input="filename"``, read where each
        worker runs, so on a file system every worker sees).  Documents are
        dealt to the workers in turn and sent once: a list's document ``i``
        goes to worker ``i % n_workers``, a bag's partition ``p`` to worker
        ``p % n_workers``, so each shard samples the whole corpus in its
        order (a corpus sorted by topic would otherwise give each worker
        other topics, and the replicas would drift apart between syncs).
    client : distributed.Client, default=None
        The cluster; default: the current client.
    workers : list of str, default=None
        Addresses of the workers to train on; default: all workers of the
        cluster when the call starts.
    syncs_per_epoch : int, default=16
        Synchronisations per epoch.  1 averages once per epoch, as Spark
        MLlib does.  More syncs keep the replicas closer (each round's changes
        smaller) at the cost of more traffic; 16 kept two workers within
        noise of one process on KJV, where 4 lost about 0.1 of WordSim-353.
    averaging : {"adaptive", "hybrid", "mean", "sum"}, default="adaptive"
        How a sync combines the workers' changes of a row.  "mean": the mean of
        the workers' values, weighted by how often each met the word in the
        round (1 plus its occurrences), so a row only one worker changed keeps
        that worker's update whole, but a word every worker trains moves about
        as far as one worker moves it.  "sum": every worker's change is
        applied, as asynchronous SGD does; the rows that every worker trains
        many times in a round (the output vectors of frequent words, which
        are also the most drawn noise words) then overshoot, and training
        breaks down beyond two workers.  "hybrid": the weighted mean for the
        output vectors and for the input vectors of the most frequent words
        (those that make up half of the tokens), the sum for the input vectors
        of all other words.  For fastText, the input rows of the frequent
        words are their word rows and the bucket rows of their n-grams.
        "adaptive": per row, between the sum and the mean by how often each
        worker met the row's words in the round, ``n``: the sum plus
        ``1 - exp(-n / 100)`` of the way to the mean.  A row met a few times
        per worker adds every change (its steps are too few to interfere),
        one met hundreds of times is averaged (each worker's change alone
        nearly reaches where the row is going); as rounds shrink with more
        syncs, more rows add up.  It tracks one process better than "hybrid"
        (see the guide's figures) and, unlike "sum", stays stable with four
        workers.
    return_stats : bool, default=False
        Also return a dict of figures: the workers, the words each trained,
        their threads, syncs, rows and bytes per sync, seconds per round
        (GloVe: the tokens each worker counted, the entries and bytes of each
        shard's counts, the entries of their sum and the worker that trained).

    Returns
    -------
    estimator : Word2VecVectorizer, FastTextVectorizer, Doc2VecVectorizer \
or GloVeVectorizer
        The fitted estimator, an ordinary one (it pickles, transforms and
        scores as after ``fit``).
    stats : dict
        Only when ``return_stats=True``.

    Raises
    ------
    TypeError
        For an estimator of another class.
    ValueError
        For a parameter this training cannot honour (``hs``,
        ``early_stopping``, ``initial_vectors``, ...), named in the message.
    RuntimeError
        When a worker holding a shard leaves the cluster during the fit: the
        fit stops at once and the estimator is left as it was (shards and
        replicas are not recovered).
    ImportError
        When Dask is not installed (``pip install 'skembed[dask]'``).

    Notes
    -----
    With one worker and ``averaging="mean"``, the result equals
    ``estimator.fit(documents)`` (for ``n_jobs`` None or 1): the rounds run
    the chunks in the same order with the same seeds and rates, and a sync of
    one replica changes nothing (the other modes add a change back to the
    previous values, exact up to float32 rounding).  A GloVe fit on one
    worker equals the local fit whatever ``averaging``.

    Examples
    --------
    >>> from distributed import Client, LocalCluster
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.distributed import fit
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
    >>> with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster:
    ...     with Client(cluster) as client:
    ...         vec, stats = fit(Word2VecVectorizer(vector_size=8, min_count=1, random_state=0),
    ...                          docs, client, return_stats=True)
    >>> vec.transform(docs).shape
    (100, 8)
    >>> len(stats["words_per_worker"]), stats["n_syncs"]  # 5 epochs of 16 syncs
    (2, 80)
    """
    require_distributed()
    client = get_client(client)
    support = check_supported(estimator)
    if not (isinstance(syncs_per_epoch, int | np.integer) and syncs_per_epoch >= 1):
        raise ValueError(f"syncs_per_epoch must be an int >= 1, got {syncs_per_epoch!r}.")
    if averaging not in ("adaptive", "hybrid", "mean", "sum"):
        raise ValueError(
            f'averaging must be "adaptive", "hybrid", "mean" or "sum", got {averaging!r}.'
        )
    workers = sorted(client.nthreads()) if workers is None else list(workers)
    if not workers:
        raise ValueError("the Dask cluster has no worker: start workers or pass workers=.")
    unknown = sorted(set(workers) - set(client.nthreads()))
    if unknown:
        raise ValueError(f"workers {unknown} are not workers of this cluster.")

    key = f"skembed-fit-{uuid.uuid4().hex}"
    work = clone(estimator)
    work.random_state = estimator.random_state  # the same object: a RandomState advances
    saved_rng = (
        estimator.random_state.get_state()
        if isinstance(estimator.random_state, np.random.RandomState)
        else None
    )
    try:
        shards, positions = _shard_documents(client, documents, workers)
        unfitted = client.scatter(work, broadcast=True, hash=False)
        loads = [
            client.submit(_worker.load, key, unfitted, shard, workers=[w], **_PIN)
            for shard, w in zip(shards, workers, strict=True)
        ]
        loaded = _wait(client, loads, workers, "while reading its documents")
        for part, where in zip(loaded, positions(loaded), strict=True):
            part["positions"] = where
        del shards, unfitted
        words, counts = _merge_counts(loaded)
        if sum(part["n_documents"] for part in loaded) == 0:
            raise ValueError("documents is empty: fit needs at least one document.")
        if len(words) == 0:
            raise ValueError(
                "documents contain no tokens: every document is empty after analysis "
                "(check token_pattern, stop_words, preprocessor and tokenizer)."
            )

        rng = check_random_state(work.random_state)
        work._rng = rng
        support.begin(work)
        final_words, final_counts, _ = work._new_vocabulary(words, counts)
        work._init_parameters(final_words, final_counts, rng)
        train = _train_counted if support.counted else _train_rounds
        install, plans, loss_curve, total, seconds, stats = train(
            client, work, support, key, workers, loads, loaded, rng, syncs_per_epoch, averaging
        )
    except _WorkerLost as exc:
        _restore_rng(estimator, saved_rng)
        raise RuntimeError(str(exc)) from None
    except BaseException:
        _restore_rng(estimator, saved_rng)
        raise
    finally:
        _drop(client, key, workers)

    install(work)
    _finish(work, plans, loss_curve, total, seconds)
    support.end(work)
    params = estimator.get_params(deep=False)
    estimator.__dict__.update({k: v for k, v in work.__dict__.items() if k not in params})
    if not return_stats:
        return estimator
    return estimator, stats


def _train_rounds(client, work, support, key, workers, loads, loaded, rng, syncs_per_epoch,
                  averaging):  # fmt: skip
    """Train in rounds with sparse syncs (word2vec, fastText, Doc2Vec); see :func:`fit`.

    Returns ``(install, plans, loss_curve, total, seconds, stats)``: ``install(work)``
    puts the trained parameters on the client's estimator.
    """
    positions = [part["positions"] for part in loaded]
    support.init_owned(work, rng, sum(len(p) for p in positions))
    # Doc2Vec: each shard's document vectors go to its worker only
    owned = [
        None if part is None else client.scatter(part, workers=[w], hash=False)
        for part, w in zip(support.split_owned(work, positions), workers, strict=True)
    ]
    # fastText with compact=False: the full bucket matrix stays here, out of the
    # replicas, and takes the trained rows in place at the end (as in a local fit)
    full_buffer = work.__dict__.pop("_full_buffer", None)
    model = client.scatter(work, broadcast=True, hash=False)
    plan = (key, model, syncs_per_epoch, averaging)
    setups = [
        client.submit(_worker.setup, *plan, part, load, workers=[w], **_PIN)
        for part, load, w in zip(owned, loads, workers, strict=True)
    ]
    plans = _wait(client, setups, workers, "while setting up its replica")
    del model, owned, plan
    loads.clear()  # the caller's list too: the shards' word lists are not needed any more
    round_words = np.array([p["round_words"] for p in plans], dtype=np.int64)
    per_epoch = int(round_words.sum())
    total = per_epoch * work.epochs
    if per_epoch == 0:
        raise ValueError("no word of documents is in the vocabulary.")

    tic = time.perf_counter()
    previous, syncs, loss_curve = setups, [], []
    for epoch in range(work.epochs):
        seeds = [rng.randint(0, 2**31 - 1) for _ in workers]
        epoch_syncs = []
        done = epoch * per_epoch
        for r in range(syncs_per_epoch):
            in_round = int(round_words[:, r].sum())
            # each shard's words stretched onto the round's words of all workers
            stretch = [in_round / n if n else 1.0 for n in round_words[:, r]]
            trains = []
            for k, w in enumerate(workers):
                args = (key, epoch, r, seeds[k], done, total, stretch[k], previous[k])
                trains.append(client.submit(_worker.train_round, *args, workers=[w], **_PIN))
            averaged = client.submit(_worker.average, *trains, workers=[workers[0]], **_PIN)
            previous = [
                client.submit(_worker.apply_round, key, averaged, workers=[w], **_PIN)
                for w in workers
            ]
            epoch_syncs.append(
                client.submit(_worker.summary, averaged, workers=[workers[0]], **_PIN)
            )
            del trains, averaged
            done += in_round
        where = f"during epoch {epoch + 1}"
        results = _wait(client, epoch_syncs + previous, workers, where)[: len(epoch_syncs)]
        syncs.extend(results)
        figures = [s for sync in results for s in sync["stats"]]
        loss_curve.append(
            sum(f["loss"] for f in figures) / max(sum(f["count"] for f in figures), 1)
        )
        if not np.isfinite(loss_curve[-1]):
            from skembed._training._driver import TrainingDiverged

            raise TrainingDiverged(
                f"training diverged in epoch {epoch + 1} (the loss is {loss_curve[-1]}): "
                "lower learning_rate; the estimator is left as it was."
            )
    final = client.submit(_worker.parameters, key, *previous, workers=[workers[0]], **_PIN)
    parts = [client.submit(_worker.owned, key, *previous, workers=[w], **_PIN) for w in workers]
    arrays, *parts = _wait(client, [final, *parts], workers, "at the end of training")
    seconds = time.perf_counter() - tic

    def install(work):
        support.join_owned(work, parts, positions)
        for array, trained, part in zip(work._parameter_arrays(), arrays, parts[0], strict=True):
            if part is None:  # the rows a shard owns came with join_owned
                array[...] = trained
        if full_buffer is not None:
            work._full_buffer = full_buffer

    return install, plans, loss_curve, total, seconds, _stats(workers, syncs, seconds)


def _train_counted(client, work, support, key, workers, loads, loaded, rng, syncs_per_epoch,
                   averaging):  # fmt: skip
    """GloVe: count co-occurrences on every shard, sum the counts and train on one worker.

    Windows never cross a document, so the sum of the shards' counts is the
    count of the whole corpus (up to float32 rounding).  The kernel then runs
    once, on the first worker, exactly as in a local fit; ``syncs_per_epoch``
    and ``averaging`` do not apply.  Returns what :func:`_train_rounds` returns.
    """
    del support, loaded, syncs_per_epoch, averaging  # the signature of _train_rounds
    model = client.scatter(work, broadcast=True, hash=False)
    counting = [
        client.submit(_worker.count, key, model, load, workers=[w], **_PIN)
        for load, w in zip(loads, workers, strict=True)
    ]
    plans = _wait(client, counting, workers, "while counting co-occurrences")
    loads.clear()  # the caller's list too: the shards' word lists are not needed any more
    n_tokens = sum(p["n_tokens"] for p in plans)
    if n_tokens == 0:
        raise ValueError("no word of documents is in the vocabulary.")
    matrices = [
        client.submit(_worker.counts_of, key, c, workers=[w], **_PIN)
        for c, w in zip(counting, workers, strict=True)
    ]
    trained = client.submit(
        _worker.train_counted, model, n_tokens, *matrices, workers=[workers[0]], **_PIN
    )
    (out,) = _wait(client, [trained], workers, "while training on the summed counts")

    def install(work):
        work.__dict__.pop("_pending_seed", None)  # the worker drew and trained them
        work._glove_params = type(work._glove_params)(*out["params"])
        work._n_training_tokens = n_tokens
        if out["cooccurrence"] is not None:
            work.cooccurrence_ = out["cooccurrence"]
        rng.set_state(out["rng_state"])  # the draws of the worker's replica, as in a local fit

    stats = {
        "workers": list(workers),
        "words_per_worker": {p["address"]: p["n_tokens"] for p in plans},
        "entries_per_worker": {p["address"]: p["entries"] for p in plans},
        "bytes_per_worker": {p["address"]: p["bytes"] for p in plans},
        "entries": out["entries"],
        "trained_on": out["address"],
        "n_syncs": 0,
        "train_seconds": out["seconds"],
    }
    return install, plans, out["loss_curve"], out["words"], out["seconds"], stats


def _drop(client, key, workers):
    """Free the fit's shards and replicas on the workers that remain."""
    try:
        alive = [w for w in workers if w in set(client.nthreads())]
        if alive:
            client.run(_worker.drop, key, workers=alive)
    except Exception:  # noqa: BLE001 - the cluster may be closing; nothing is left to free
        pass


def _restore_rng(estimator, saved):
    if saved is not None:
        estimator.random_state.set_state(saved)


def _finish(work, plans, loss_curve, total, seconds):
    """Set the fitted attributes that a one-process ``fit`` sets."""
    work._fitted_structure = {name: getattr(work, name) for name in work._structural_parameters}
    work._finish(current=False)  # fastText: compose the vectors, move to the compact layout
    work.__dict__.pop("_full_buffer", None)
    work.loss_curve_ = loss_curve
    work.n_iter_ = len(loss_curve)
    work._words_trained = total
    work.train_time_ = seconds
    work.words_per_second_ = total / seconds if seconds > 0 else float("nan")
    work.validation_scores_ = None
    work.best_validation_score_ = None
    work._document_frequency = sum(p["document_frequency"] for p in plans)
    work._n_documents = sum(p["n_documents"] for p in plans)
    work.idf_ = smooth_idf(work._document_frequency, work._n_documents)
    work._fit_postprocessing()
    work._fit_pooling(None)  # the modes allowed here fit nothing from the corpus
    if getattr(work, "storage_dtype", "float32") == "float16":
        work._store(np.float16)


def _stats(workers, syncs, seconds):
    figures = [s for sync in syncs for s in sync["stats"]]
    per_worker = {w: 0 for w in workers}
    threads = {}
    for f in figures:
        per_worker[f["address"]] = per_worker.get(f["address"], 0) + f["words"]
        threads[f["address"]] = f["n_threads"]
    moved = np.array([s["bytes_in"] + s["bytes_out"] for s in syncs], dtype=np.int64)
    return {
        "workers": list(workers),
        "words_per_worker": per_worker,
        "threads_per_worker": threads,
        "n_syncs": len(syncs),
        "rows_per_sync": np.mean([s["rows"] for s in syncs], axis=0).tolist(),
        "bytes_per_sync": float(moved.mean()) if moved.size else 0.0,
        "bytes_in_per_sync": float(np.mean([s["bytes_in"] for s in syncs])),
        "bytes_out_per_sync": float(np.mean([s["bytes_out"] for s in syncs])),
        "train_seconds": seconds,
        "seconds_per_round": seconds / max(len(syncs), 1),
        "kernel_seconds_per_round": float(
            np.mean([max(f["seconds"] for f in s["stats"]) for s in syncs])
        ),
    }
