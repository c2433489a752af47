"""The driver shared by every algorithm: epochs, schedule, seeds, threads, progress, loss.

A kernel trains a range of chunks given one learning rate and one RNG seed
per chunk, and writes each chunk's loss sum and example count.  This module
decides those rates and seeds, splits an epoch into batches of chunks (so the
progress bar moves and a later callback can stop between epochs), and turns
the per-chunk figures into ``loss_curve_``.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from skembed.utils._random import seed_states
from skembed.utils._threads import numba_threads

__all__ = [
    "EpochInfo",
    "TrainingResult",
    "train_chunks",
]

@dataclass
class TrainingResult:
    """What the driver measured: per-epoch mean loss, epochs run, words and seconds."""

    loss_curve: list = field(default_factory=list)
    n_epochs: int = 0
    words: int = 0
    seconds: float = 0.0

    @property
    def words_per_second(self):
        return self.words / self.seconds if self.seconds > 0 else float("nan")


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


@dataclass(frozen=True)
class EpochInfo:
    """Figures of one finished epoch, handed to ``on_epoch_end``."""

    epoch: int  # 1-based count of epochs run in this call
    loss: float  # mean loss per example in this epoch
    learning_rate: float  # rate of the epoch's last chunk
    words: int  # words trained in this call so far
    seconds: float  # seconds spent training in this call so far


def train_chunks(
    step,
    chunk_words,
    *,
    epochs,
    schedule,
    rng,
    n_threads=1,
    verbose=0,
    on_epoch_begin=None,
    on_epoch_end=None,
    words_done=0,
    total_words=None,
):
    """Run up to ``epochs`` passes of ``step`` over all chunks.

    Parameters
    ----------
    step : callable
        ``step(lo, hi, lrs, seeds, loss_out, count_out, parallel)`` trains chunks
        ``lo..hi`` (the kernel call).
    chunk_words : ndarray of shape (n_chunks,), int64
        Tokens in each chunk: the unit of progress and of the schedule.
    epochs : int
    schedule : callable
        Maps training progress in [0, 1] (array) to learning rates.
    rng : numpy.random.RandomState
        Source of the per-epoch seeds.
    n_threads : int, default=1
        1 runs the serial (reproducible) kernel, more the parallel one.
    verbose : int, default=0
        Show a progress bar when positive.
    on_epoch_begin : callable, default=None
        ``on_epoch_begin(epoch)`` with the 1-based epoch, before it runs.
    on_epoch_end : callable, default=None
        ``on_epoch_end(EpochInfo) -> bool``; True stops training after this epoch.
    words_done : int, default=0
        Words trained before this call (incremental training): progress starts there.
    total_words : int, default=None
        Words of the whole training, for the schedule; default: ``words_done``
        plus this call's ``epochs`` passes.

    Returns
    -------
    TrainingResult
    """
    chunk_words = np.asarray(chunk_words, dtype=np.int64)
    n_chunks = len(chunk_words)
    per_epoch = int(chunk_words.sum())
    if total_words is None:
        total_words = words_done + per_epoch * epochs
    total = max(total_words, 1)
    parallel = n_threads > 1
    batch = max(4 * n_threads, -(-n_chunks // 20))
    result = TrainingResult()
    words_before = np.cumsum(chunk_words) - chunk_words
    if epochs > 0 and n_chunks > 0:
        # an empty call compiles the kernel (first use only), so compilation is not timed
        empty_f, empty_i = np.zeros(n_chunks, np.float32), np.zeros(n_chunks, np.int64)
        seeds = seed_states(0, n_chunks)
        if parallel:
            with numba_threads(n_threads):
                step(0, 0, empty_f, seeds, empty_f.astype(np.float64), empty_i, True)
        else:
            step(0, 0, empty_f, seeds, empty_f.astype(np.float64), empty_i, False)
    start = time.perf_counter()
    outside = 0.0
    with _progress_bar(per_epoch * epochs, verbose) as bar:
        for epoch in range(epochs):
            if on_epoch_begin is not None:
                on_epoch_begin(epoch + 1)
            position = words_done + epoch * per_epoch + words_before
            lrs = np.asarray(schedule(position / total), dtype=np.float32)
            seeds = seed_states(rng.randint(0, 2**31 - 1), n_chunks)
            loss_out = np.zeros(n_chunks, dtype=np.float64)
            count_out = np.zeros(n_chunks, dtype=np.int64)
            for lo in range(0, n_chunks, batch):
                hi = min(lo + batch, n_chunks)
                if parallel:
                    with numba_threads(n_threads):
                        step(lo, hi, lrs, seeds, loss_out, count_out, True)
                else:
                    step(lo, hi, lrs, seeds, loss_out, count_out, False)
                bar.update(int(chunk_words[lo:hi].sum()))
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
            if on_epoch_end is not None:
                pause = time.perf_counter()
                info = EpochInfo(
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
    return result
