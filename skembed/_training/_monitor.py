"""Per-epoch training controls: validation score, early stopping, callbacks, logging.

``EpochMonitor`` is what the driver calls after each epoch.  It scores the
held-out documents, decides early stopping (scikit-learn's MLP rule), keeps a
copy of the best epoch's parameters when asked, calls the user's callbacks and
scikit-learn's own callback hooks (``set_callbacks``, where the installed
scikit-learn has ``sklearn.callback``), and logs through the ``skembed`` logger.
"""

import dataclasses
import logging
from contextlib import contextmanager

import numpy as np

logger = logging.getLogger("skembed")

try:  # scikit-learn >= 1.9 ships a callback API; older versions have none
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # pragma: no cover - depends on the installed scikit-learn

    class CallbackSupportMixin:  # noqa: D101 - a stand-in with no behaviour
        pass

    def with_callbacks(method):
        return method


@dataclasses.dataclass(frozen=True)
class EpochEnd:
    """What a callback receives after each epoch.

    Attributes
    ----------
    epoch : int
        Epochs run so far in this call of ``fit`` / ``partial_fit`` (1-based).
    loss : float
        Mean training loss per example during the epoch.
    learning_rate : float
        Learning rate at the end of the epoch.
    words : int
        Words trained so far in this call.
    seconds : float
        Training seconds so far in this call.
    validation_score : float or None
        ``score`` of the held-out documents (``early_stopping=True``), else None.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> seen = []
    >>> def record(estimator, info):
    ...     seen.append((info.epoch, info.loss > 0))
    ...     return info.epoch == 2          # True stops training after this epoch
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=5,
    ...                          callbacks=[record], random_state=0).fit(docs)
    >>> seen, vec.n_iter_
    ([(1, True), (2, True)], 2)
    """

    epoch: int
    loss: float
    learning_rate: float
    words: int
    seconds: float
    validation_score: float | None = None


class EpochMonitor:
    """Callable for the driver's ``on_epoch_end``; True means stop.

    Parameters
    ----------
    estimator : BaseEmbeddingVectorizer
        The estimator being trained; the driver refreshes its ``wv_`` before each
        call when :attr:`needs_vectors`.
    validate : callable or None
        Returns the validation score of the current parameters.
    snapshot : callable or None
        Returns a copy of the current parameters (``keep_best``).
    """

    def __init__(self, estimator, validate=None, snapshot=None):
        self.estimator = estimator
        self.validate = validate
        self.snapshot = snapshot
        self.validation_scores = []
        self.best_score = -np.inf
        self.best_epoch = None
        self.best_state = None
        self.stalled = 0
        self.stopped_by = None
        self._context = None

    @property
    def needs_vectors(self):
        """Whether an epoch's end reads the estimator's vectors (so the driver refreshes them).

        Validation reads them, and so may any callback; with none of these the
        per-epoch refresh is skipped (fastText's recomposition of every
        vocabulary vector, GloVe's ``W + C``).
        """
        est = self.estimator
        return bool(
            self.validate is not None or est.callbacks or getattr(est, "_skl_callbacks", None)
        )

    def __call__(self, info):
        est = self.estimator
        score = self.validate() if self.validate is not None else None
        info = dataclasses.replace(info, validation_score=None if score is None else float(score))
        self.validation_scores.append(info.validation_score)
        logger.info(
            "%s epoch %d: loss %.5f, learning rate %.6f, %d words in %.2f s%s",
            type(est).__name__, info.epoch, info.loss, info.learning_rate, info.words,
            info.seconds, "" if score is None else f", validation score {score:.5f}",
        )  # fmt: skip
        stop = False
        if score is not None:
            if score > self.best_score:
                if self.snapshot is not None:
                    self.best_state = self.snapshot()
                self.best_epoch = info.epoch
            # scikit-learn's MLP rule: an epoch that fails to beat the best by tol stalls
            self.stalled = self.stalled + 1 if score < self.best_score + est.tol else 0
            self.best_score = max(self.best_score, score)
            if est.early_stopping and self.stalled >= est.n_iter_no_change:
                self.stopped_by = "early_stopping"
                stop = True
        for callback in est.callbacks or ():
            if callback(est, info):
                self.stopped_by = self.stopped_by or "callback"
                stop = True
        if self._context is not None and self._sklearn_epoch_end(info):
            self.stopped_by = self.stopped_by or "callback"
            stop = True
        return stop

    # ---------------------------------------------- scikit-learn's callback API
    @contextmanager
    def sklearn_callbacks(self, max_epochs):
        """Open scikit-learn's callback context for this fit, when callbacks are set."""
        est = self.estimator
        if not getattr(est, "_skl_callbacks", None):
            yield
            return
        self._context = est._init_callback_context(max_subtasks=max_epochs)
        self._context.call_on_fit_task_begin(estimator=est)
        try:
            yield
        finally:
            self._context.call_on_fit_task_end(
                estimator=est, reconstruction_attributes=self._fitted_attributes()
            )
            self._context = None

    def _fitted_attributes(self):
        est = self.estimator
        return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}

    def _sklearn_epoch_end(self, info):
        est = self.estimator
        stop = self._epoch_context.call_on_fit_task_end(
            estimator=est,
            metadata={"loss": info.loss, "validation_score": info.validation_score},
            reconstruction_attributes=self._fitted_attributes(),
        )
        return bool(stop)

    def begin(self, epoch):
        """Driver hook before each epoch: open scikit-learn's epoch task."""
        if self._context is not None:
            self._epoch_context = self._context.subcontext(task_name="epoch")
            self._epoch_context.call_on_fit_task_begin(estimator=self.estimator)
