"""Learning-rate schedules: functions of training progress.

A schedule maps progress ``p`` in [0, 1] (the fraction of all training words
processed) and the estimator's ``learning_rate`` (start) and
``min_learning_rate`` (end) to a rate.  The driver evaluates it once per chunk
of about 10,000 words, so the rate moves within an epoch as word2vec's does.

Pass a name (``learning_rate_schedule="cosine"``) or an instance with your
own parameters (``learning_rate_schedule=StepSchedule(gamma=0.3, n_steps=4)``).
"""

from dataclasses import dataclass

import numpy as np

__all__ = [
    "ConstantSchedule",
    "CosineSchedule",
    "ExponentialSchedule",
    "LinearSchedule",
    "StepSchedule",
    "get_schedule",
    "with_warmup",
]


def _progress(p):
    return np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)


@dataclass(frozen=True)
class LinearSchedule:
    """``start - (start - end) * p``: word2vec's and fastText's decay.

    Examples
    --------
    >>> from skembed.schedules import LinearSchedule
    >>> LinearSchedule()([0.0, 0.5, 1.0], 0.025, 0.0001).round(5).tolist()
    [0.025, 0.01255, 0.0001]
    """

    def __call__(self, p, start, end):
        return start - (start - end) * _progress(p)


@dataclass(frozen=True)
class ConstantSchedule:
    """``start`` throughout (GloVe's, under AdaGrad).

    Examples
    --------
    >>> from skembed.schedules import ConstantSchedule
    >>> ConstantSchedule()([0.0, 0.5, 1.0], 0.05, 0.0001).tolist()
    [0.05, 0.05, 0.05]
    """

    def __call__(self, p, start, end):
        return np.full(np.shape(p), float(start))


@dataclass(frozen=True)
class ExponentialSchedule:
    """``start * (end / start) ** p``: geometric decay from start to end (end > 0).

    Examples
    --------
    >>> from skembed.schedules import ExponentialSchedule
    >>> ExponentialSchedule()([0.0, 0.5, 1.0], 0.01, 0.0001).round(6).tolist()
    [0.01, 0.001, 0.0001]
    """

    def __call__(self, p, start, end):
        end = max(end, 1e-12)
        return start * (end / start) ** _progress(p)


@dataclass(frozen=True)
class StepSchedule:
    """``start * gamma ** floor(p * n_steps)``: drops by ``gamma`` ``n_steps`` times.

    Parameters
    ----------
    gamma : float, default=0.5
        Factor applied at each step.
    n_steps : int, default=5
        Number of equal stretches of training (5 epochs by default: one per epoch).

    Examples
    --------
    >>> from skembed.schedules import StepSchedule
    >>> StepSchedule(gamma=0.5, n_steps=2)([0.0, 0.4, 0.6, 1.0], 0.1, 0.0).tolist()
    [0.1, 0.1, 0.05, 0.05]
    """

    gamma: float = 0.5
    n_steps: int = 5

    def __call__(self, p, start, end):
        k = np.minimum(np.floor(_progress(p) * self.n_steps), self.n_steps - 1)
        return np.maximum(start * self.gamma**k, end)


@dataclass(frozen=True)
class CosineSchedule:
    """``end + (start - end) * (1 + cos(pi p)) / 2``: cosine annealing.

    Examples
    --------
    >>> from skembed.schedules import CosineSchedule
    >>> CosineSchedule()([0.0, 0.5, 1.0], 0.1, 0.0).round(6).tolist()
    [0.1, 0.05, 0.0]
    """

    def __call__(self, p, start, end):
        return end + (start - end) * 0.5 * (1.0 + np.cos(np.pi * _progress(p)))


SCHEDULES = {
    "linear": LinearSchedule,
    "constant": ConstantSchedule,
    "exponential": ExponentialSchedule,
    "step": StepSchedule,
    "cosine": CosineSchedule,
}


def get_schedule(schedule):
    """Return the schedule instance for a name or an instance.

    Parameters
    ----------
    schedule : str or callable
        A name of ``SCHEDULES`` or a callable ``schedule(p, start, end)``,
        returned as it is.

    Returns
    -------
    schedule : callable

    Examples
    --------
    >>> from skembed.schedules import StepSchedule, get_schedule
    >>> get_schedule("cosine")
    CosineSchedule()
    >>> get_schedule(StepSchedule(gamma=0.3))
    StepSchedule(gamma=0.3, n_steps=5)
    """
    if isinstance(schedule, str):
        try:
            return SCHEDULES[schedule]()
        except KeyError:
            raise ValueError(
                f"learning_rate_schedule={schedule!r} is not one of {sorted(SCHEDULES)}."
            ) from None
    if not callable(schedule):
        raise TypeError("learning_rate_schedule must be a name or a callable schedule.")
    return schedule


def with_warmup(schedule, start, end, warmup_fraction=0.0):
    """Return ``rates(p)``: ``schedule`` after a linear warm-up over ``warmup_fraction``.

    During warm-up the rate climbs linearly from ``start / n`` (low, never 0)
    to ``start``; the schedule then runs over the remaining progress.

    Parameters
    ----------
    schedule : callable
        ``schedule(p, start, end)``, e.g. from :func:`get_schedule`.
    start, end : float
        The rates at the start and at the end of the schedule.
    warmup_fraction : float, default=0.0
        Share of the progress spent warming up.

    Returns
    -------
    rates : callable
        ``rates(p)``: the rate (float64 array) at each progress ``p``.

    Examples
    --------
    >>> from skembed.schedules import LinearSchedule, with_warmup
    >>> rates = with_warmup(LinearSchedule(), 0.1, 0.0, warmup_fraction=0.5)
    >>> rates([0.25, 0.5, 0.75, 1.0]).round(6).tolist()
    [0.05, 0.1, 0.05, 0.0]
    """

    def rates(p):
        p = _progress(p)
        if warmup_fraction <= 0:
            return np.asarray(schedule(p, start, end), dtype=np.float64)
        w = warmup_fraction
        after = schedule(np.clip((p - w) / (1.0 - w), 0.0, 1.0), start, end)
        during = start * np.maximum(p / w, 1e-3)
        return np.where(p < w, during, after).astype(np.float64)

    return rates
