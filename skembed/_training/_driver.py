"""The driver shared by every algorithm: epochs, schedule, seeds, order, decay, checks, loss.

A kernel trains a range of chunks given one learning rate and one RNG seed
per chunk, and writes each chunk's loss sum and example count.  This module
decides those rates and seeds and the order in which an epoch visits the
chunks, splits an epoch into batches of chunks (so the progress bar moves),
applies weight decay after each batch, checks that training has not diverged,
refreshes derived vectors before the per-epoch hook when asked, and turns the
per-chunk figures into ``loss_curve_``.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from skembed._training._monitor import EpochEnd
from skembed.utils._random import seed_states
from skembed.utils._threads import numba_threads

__all__ = [
    "Step",
    "TrainingDiverged",
    "TrainingResult",
    "train_chunks",
]


class TrainingDiverged(FloatingPointError):
    """Training produced a non-finite loss or parameter, or a loss that exploded."""


@dataclass
class Step:
    """A kernel call over chunks, and what the driver needs to schedule and check it.

    Attributes
    ----------
    run : callable
        ``run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel)`` trains the
        chunks at positions ``lo..hi`` of the epoch, with ``lrs``, ``seeds``,
        ``loss_out`` and ``count_out`` indexed by position.  ``chunks`` is None
        when positions are chunk ids, else the int64 ids of the chunks at
        positions ``lo..hi`` (``shuffle=True``).
    chunk_words : ndarray of shape (n_chunks,), int64
        Units of work (tokens, or co-occurrence entries) in each chunk: the unit
        of progress, of the schedule and of weight decay's share.
    arrays : list of ndarray
        The arrays trained in place; weight decay scales them after each batch.
    watch : list of ndarray or (ndarray, ndarray) pairs, default=None
        What the finiteness check sums after each epoch: whole arrays, or
        ``(array, rows)`` to look at the rows the kernel can touch only.
        Default: ``arrays``.
    shuffle : bool, default=False
        Visit the chunks in a new random order each epoch (GloVe's blocks of
        shuffled co-occurrence entries).
    max_loss : float, default=None
        Also call training diverged when a batch's mean loss per example
        exceeds this bound (for objectives whose kernels skip non-finite
        values, so that divergence shows as a finite but exploding loss).
    chunk_progress : ndarray of shape (n_chunks,), default=None
        What the schedule counts as progress in each chunk, when not its
        words (Doc2Vec: its documents, as gensim decays by documents).  Only
        the proportions matter: the driver scales them to the epoch's words,
        so ``words_done`` and ``total_words`` keep counting words.
    """

    run: object
    chunk_words: np.ndarray
    arrays: list = field(default_factory=list)
    watch: list | None = None
    shuffle: bool = False
    max_loss: float | None = None
    chunk_progress: np.ndarray | None = None


@dataclass
class TrainingResult:
    """What the driver measured: per-epoch mean loss, epochs run, words and seconds.

    ``seconds`` is the training time (hooks excluded).  The rest splits the
    driver's wall time for a fit's profile: ``compile_seconds`` (the first,
    empty kernel call, which compiles on first use), ``kernel_seconds`` and
    ``epoch_seconds`` (per epoch: inside the kernels, and the whole epoch with
    the driver's checks, decay and progress), ``hook_seconds`` (refresh and
    the per-epoch hooks) and ``wall_seconds`` (all of the call).
    """

    loss_curve: list = field(default_factory=list)
    n_epochs: int = 0
    words: int = 0
    seconds: float = 0.0
    compile_seconds: float = 0.0
    kernel_seconds: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    hook_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def words_per_second(self):
        return self.words / self.seconds if self.seconds > 0 else float("nan")


def _progress_units(step, chunk_words, per_epoch):
    """Each chunk's progress for the schedule, in words: ``chunk_progress`` scaled, or words."""
    if step.chunk_progress is None:
        return chunk_words
    units = np.asarray(step.chunk_progress, dtype=np.float64)
    if units.shape != chunk_words.shape:
        raise ValueError(f"chunk_progress has shape {units.shape}; the chunks {chunk_words.shape}")
    total = units.sum()
    if not total > 0:
        return chunk_words
    return units * (per_epoch / total)


def _progress_bar(total, verbose):
    from tqdm.auto import tqdm

    return tqdm(
        total=int(total),
        unit="word",
        unit_scale=True,
        disable=not verbose,
        desc="training",
        leave=bool(verbose),
    )


def _finite_sum(item):
    """Whether the sum of an array (or of some of its rows) is finite.

    One NaN or infinity makes the sum non-finite; the sum is a single
    vectorised pass, cheaper than ``isfinite(...).all()``'s boolean array.
    Kernels cannot do this check themselves: under fastmath, ``isfinite``
    folds to True.
    """
    if isinstance(item, tuple):
        array, rows = item
        return all(
            np.isfinite(array[rows[i : i + 65536]].sum()) for i in range(0, len(rows), 65536)
        )
    return bool(np.isfinite(item.sum()))


def _diverged(message, epoch):
    return TrainingDiverged(
        f"training diverged in epoch {epoch} ({message}): lower learning_rate "
        "(or set clip_value / clip_norm / grad_clip); the estimator is left as it was "
        "before this call."
    )


def train_chunks(
    step,
    *,
    epochs,
    schedule,
    rng,
    n_threads=1,
    verbose=0,
    weight_decay=0.0,
    refresh=None,
    on_epoch_begin=None,
    on_epoch_end=None,
    words_done=0,
    total_words=None,
):
    """Run up to ``epochs`` passes of ``step`` over all chunks.

    Parameters
    ----------
    step : Step
        The kernel call and its chunks.
    epochs : int
    schedule : callable
        Maps training progress in [0, 1] (array) to learning rates.
    rng : numpy.random.RandomState
        Source of the per-epoch seeds (and so of the visiting order).
    n_threads : int, default=1
        1 runs the serial (reproducible) kernel, more the parallel one.
    verbose : int, default=0
        Show a progress bar when positive.
    weight_decay : float, default=0.0
        Decoupled L2 decay: after each batch every array of ``step.arrays`` is
        multiplied by ``1 - weight_decay * rate * share``, ``share`` being the
        batch's share of an epoch's words.
    refresh : callable, default=None
        ``refresh()`` after each epoch, before ``on_epoch_end``: brings derived
        vectors up to date for the hook.  None when the hook needs no vectors.
    on_epoch_begin : callable, default=None
        ``on_epoch_begin(epoch)`` with the 1-based epoch, before it runs.
    on_epoch_end : callable, default=None
        ``on_epoch_end(EpochEnd) -> bool``; True stops training after this epoch.
    words_done : int, default=0
        Words trained before this call (incremental training): progress starts there.
    total_words : int, default=None
        Words of the whole training, for the schedule; default: ``words_done``
        plus this call's ``epochs`` passes.

    Returns
    -------
    TrainingResult

    Raises
    ------
    TrainingDiverged
        When a batch gives a non-finite loss or parameter (or, with
        ``step.max_loss``, a mean loss beyond it).  The arrays are
        left as the failing batch made them: the caller rolls back.
    """
    chunk_words = np.asarray(step.chunk_words, dtype=np.int64)
    n_chunks = len(chunk_words)
    per_epoch = int(chunk_words.sum())
    progress = _progress_units(step, chunk_words, per_epoch)
    if total_words is None:
        total_words = words_done + per_epoch * epochs
    total = max(total_words, 1)
    parallel = n_threads > 1
    batch = max(4 * n_threads, -(-n_chunks // 20))
    watch = step.arrays if step.watch is None else step.watch
    decay = float(weight_decay)
    result = TrainingResult()
    called = time.perf_counter()
    in_kernel = [0.0]

    def run(lo, hi, chunks, lrs, seeds, loss_out, count_out):
        begin = time.perf_counter()
        if parallel:
            with numba_threads(n_threads):
                step.run(lo, hi, chunks, lrs, seeds, loss_out, count_out, True)
        else:
            step.run(lo, hi, chunks, lrs, seeds, loss_out, count_out, False)
        in_kernel[0] += time.perf_counter() - begin

    if epochs > 0 and n_chunks > 0:
        # an empty call compiles the kernel (first use only), so compilation is not timed
        empty_f, empty_i = np.zeros(n_chunks, np.float32), np.zeros(n_chunks, np.int64)
        chunks = empty_i[:0] if step.shuffle else None
        run(0, 0, chunks, empty_f, seed_states(0, n_chunks), empty_f.astype(np.float64), empty_i)
    start = time.perf_counter()
    result.compile_seconds = start - called
    outside = 0.0
    with _progress_bar(per_epoch * epochs, verbose) as bar:
        for epoch in range(epochs):
            if on_epoch_begin is not None:
                pause = time.perf_counter()
                on_epoch_begin(epoch + 1)
                outside += time.perf_counter() - pause
            epoch_start = time.perf_counter()
            in_kernel[0] = 0.0
            seeds = seed_states(rng.randint(0, 2**31 - 1), n_chunks)
            order = None
            words, units = chunk_words, progress
            if step.shuffle and n_chunks:
                # the epoch's order comes from its first seed: reproducible, one draw
                order = np.random.default_rng(int(seeds[0])).permutation(n_chunks)
                words, units = chunk_words[order], progress[order]
            units_before = np.cumsum(units) - units
            position = words_done + epoch * per_epoch + units_before
            lrs = np.asarray(schedule(position / total), dtype=np.float32)
            loss_out = np.zeros(n_chunks, dtype=np.float64)
            count_out = np.zeros(n_chunks, dtype=np.int64)
            for lo in range(0, n_chunks, batch):
                hi = min(lo + batch, n_chunks)
                run(lo, hi, None if order is None else order[lo:hi], lrs, seeds, loss_out,
                    count_out)  # fmt: skip
                share = words[lo:hi].sum() / max(per_epoch, 1)
                if decay > 0:
                    factor = np.float32(max(1.0 - decay * float(lrs[lo:hi].mean()) * share, 0.0))
                    for array in step.arrays:
                        array *= factor
                loss = float(loss_out[lo:hi].sum())
                if not np.isfinite(loss):
                    raise _diverged(f"the loss is {loss}", epoch + 1)
                # the parameters are summed once an epoch (a pass over every array,
                # which per batch cost a third of a classifier's training time);
                # a non-finite loss stops the fit at once
                if hi == n_chunks and not all(_finite_sum(item) for item in watch):
                    raise _diverged("a parameter is not finite", epoch + 1)
                seen = int(count_out[lo:hi].sum())
                if step.max_loss is not None and seen and loss / seen > step.max_loss:
                    raise _diverged(
                        f"the mean loss {loss / seen:.4g} exceeds {step.max_loss:.4g}", epoch + 1
                    )
                bar.update(int(words[lo:hi].sum()))
                if verbose:
                    seen = max(int(count_out[:hi].sum()), 1)
                    bar.set_postfix(
                        epoch=epoch + 1, loss=f"{loss_out[:hi].sum() / seen:.4f}",
                        lr=f"{lrs[hi - 1]:.5f}",
                    )  # fmt: skip
            result.loss_curve.append(float(loss_out.sum() / max(count_out.sum(), 1)))
            result.n_epochs += 1
            result.words += per_epoch
            result.seconds = time.perf_counter() - start - outside
            result.epoch_seconds.append(time.perf_counter() - epoch_start)
            result.kernel_seconds.append(in_kernel[0])
            if on_epoch_end is not None:
                pause = time.perf_counter()
                if refresh is not None:
                    refresh()
                info = EpochEnd(
                    epoch=epoch + 1,
                    loss=result.loss_curve[-1],
                    learning_rate=float(lrs[-1]) if n_chunks else float("nan"),
                    words=result.words,
                    seconds=result.seconds,
                )
                stop = on_epoch_end(info)
                outside += time.perf_counter() - pause  # callbacks are not training time
                if stop:
                    break
    result.hook_seconds = outside
    result.wall_seconds = time.perf_counter() - called
    return result
