"""The driver layer: epochs, the rate of each chunk, seeds, progress and per-epoch hooks.

Plain Python over arrays.  The estimators (:mod:`skembed.models`) hand it a
*step* (a kernel call over a range of chunks); it decides rates and seeds, runs
the epochs and calls the monitor after each.  Nothing here is public API except
:class:`~skembed.EpochEnd`, which the top-level package re-exports.
"""

from skembed._training._driver import Step, TrainingDiverged, TrainingResult, train_chunks
from skembed._training._monitor import (
    CallbackSupportMixin,
    EpochEnd,
    EpochMonitor,
    with_callbacks,
)

__all__ = [
    "CallbackSupportMixin",
    "EpochEnd",
    "EpochMonitor",
    "Step",
    "TrainingDiverged",
    "TrainingResult",
    "train_chunks",
    "with_callbacks",
]
