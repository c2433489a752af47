"""The driver layer: epochs, the rate of each chunk, seeds, order, decay, checks and hooks.

Plain Python over arrays.  The estimators (:mod:`skembed.models`) hand it a
:class:`Step` (a kernel call over a range of chunks, and the arrays it trains);
it decides rates, seeds and the order of the chunks, applies weight decay,
stops with :class:`TrainingDiverged` on a non-finite loss or parameter, runs
the epochs, refreshes derived vectors when the monitor reads them, and calls
the monitor after each epoch.  Nothing here is public API except
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
