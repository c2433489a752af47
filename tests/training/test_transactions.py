"""Transactional fitting and divergence: a failed call leaves the estimator exactly as before."""

import numpy as np
import pytest

from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from skembed._training import TrainingDiverged
from skembed.vectors._word_vectors import WordVectors

DOCS = ["the cat sat on the mat", "the dog sat on the log"] * 50
NEW_DOCS = [
    "a bird flew over the red barn at noon",
    "seven green frogs sang near the quiet pond",
] * 20

ESTIMATORS = {
    "skipgram": lambda **kw: Word2VecVectorizer(**kw),
    "cbow": lambda **kw: Word2VecVectorizer(algorithm="cbow", **kw),
    "hs": lambda **kw: Word2VecVectorizer(hs=True, negative=0, **kw),
    "fasttext": lambda **kw: FastTextVectorizer(bucket=500, **kw),
    "fasttext-compact": lambda **kw: FastTextVectorizer(bucket=500, compact=True, **kw),
    "glove": lambda **kw: GloVeVectorizer(window=3, **kw),
}
SMALL = dict(vector_size=8, min_count=1, random_state=0, pooling="tfidf")


class Interrupt:
    """A callback that raises ``error`` at epoch ``at`` (of the call it is armed for)."""

    def __init__(self, error=KeyboardInterrupt, at=1):
        self.error, self.at, self.armed = error, at, False

    def __call__(self, estimator, info):
        if self.armed and info.epoch >= self.at:
            raise self.error("stop")


def _plain(value):
    """A comparable copy of ``value``: arrays copied, objects as their attribute dicts."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.random.RandomState):
        return _plain(list(value.get_state()))
    if isinstance(value, WordVectors):
        return {"type": type(value).__name__, **_plain(vars(value))}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def fitted_state(estimator):
    """Every attribute that is not a parameter (fitted state, caches, random state)."""
    params = estimator.get_params(deep=False)
    return _plain({k: v for k, v in vars(estimator).items() if k not in params})


def _assert_same(before, after):
    assert before.keys() == after.keys()
    np.testing.assert_equal(after, before)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_interrupted_partial_fit_with_new_words_changes_nothing(name):
    stop = Interrupt()
    est = ESTIMATORS[name](update_vocabulary=True, callbacks=[stop], epochs=2, **SMALL)
    est.fit(DOCS)
    before = fitted_state(est)
    features = est.transform(DOCS + NEW_DOCS)
    stop.armed = True
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(NEW_DOCS)
    _assert_same(before, fitted_state(est))
    # the symptom: wv_ grown, idf_ not; now both are as before and agree
    assert len(est.idf_) == len(est.wv_)
    np.testing.assert_array_equal(est.transform(DOCS + NEW_DOCS), features)
    # and the same call, not interrupted, then succeeds
    stop.armed = False
    est.partial_fit(NEW_DOCS)
    assert len(est.idf_) == len(est.wv_) > len(before["idf_"])


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("error", [KeyboardInterrupt, MemoryError, RuntimeError])
def test_interrupted_warm_start_trained_in_place_changes_nothing(name, error):
    # no new words: training moves the fitted arrays in place, and the undo log puts
    # them back (rows touched, for fastText's bucket matrix)
    stop = Interrupt(error, at=2)
    est = ESTIMATORS[name](warm_start=True, callbacks=[stop], epochs=3, **SMALL).fit(DOCS)
    before = fitted_state(est)
    stop.armed = True
    with pytest.raises(error):
        est.fit(DOCS)
    _assert_same(before, fitted_state(est))
    stop.armed = False
    reference = ESTIMATORS[name](warm_start=True, epochs=3, **SMALL).fit(DOCS).fit(DOCS)
    # the rolled-back estimator continues exactly as one never interrupted
    np.testing.assert_array_equal(est.fit(DOCS).wv_.vectors, reference.wv_.vectors)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_interrupted_refit_keeps_the_previous_model(name):
    stop = Interrupt()
    est = ESTIMATORS[name](callbacks=[stop], epochs=2, **SMALL).fit(DOCS)
    before = fitted_state(est)
    stop.armed = True
    with pytest.raises(KeyboardInterrupt):
        est.fit(NEW_DOCS)
    _assert_same(before, fitted_state(est))
    fresh = ESTIMATORS[name](callbacks=[stop], **SMALL)
    unfitted = fitted_state(fresh)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(DOCS)
    assert fitted_state(fresh) == unfitted  # nothing fitted was left behind
    assert not hasattr(fresh, "wv_")


def test_random_state_instance_is_restored():
    rng = np.random.RandomState(3)
    state = rng.get_state()[1].copy()
    stop = Interrupt()
    stop.armed = True
    with pytest.raises(KeyboardInterrupt):
        Word2VecVectorizer(vector_size=8, min_count=1, random_state=rng, callbacks=[stop]).fit(
            DOCS
        )
    np.testing.assert_array_equal(rng.get_state()[1], state)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_divergence_stops_with_an_error_and_changes_nothing(name):
    est = ESTIMATORS[name](epochs=3, **SMALL)
    unfitted = fitted_state(est)
    with pytest.raises(TrainingDiverged, match=r"epoch \d") as info:
        est.set_params(learning_rate=1e3).fit(DOCS)
    assert "learning_rate" in str(info.value)
    assert fitted_state(est) == unfitted and not hasattr(est, "wv_")
    # a fitted estimator continued at a diverging rate keeps its finite vectors
    est.set_params(learning_rate="auto" if name != "glove" else 0.05, warm_start=True).fit(DOCS)
    before = fitted_state(est)
    with pytest.raises(TrainingDiverged, match="learning_rate"):
        est.set_params(learning_rate=1e3).fit(DOCS)
    _assert_same(before, fitted_state(est))
    with pytest.raises(TrainingDiverged, match="learning_rate"):
        est.partial_fit(DOCS)
    _assert_same(before, fitted_state(est))
    assert np.all(np.isfinite(est.wv_.vectors))


def test_glove_divergence_bound_separates_working_from_exploding_rates():
    # the bound is 100 times the loss of predicting zero: rates that train stay far below
    # it (the loss falls), rates that explode pass it by orders of magnitude
    for lr in (0.05, 0.5):
        model = GloVeVectorizer(learning_rate=lr, window=3, epochs=10, **SMALL).fit(DOCS)
        assert model.loss_curve_[-1] < model.loss_curve_[0]
    with pytest.raises(TrainingDiverged, match=r"mean loss .* exceeds .* epoch 1|epoch 1"):
        GloVeVectorizer(learning_rate=10.0, window=3, **SMALL).fit(DOCS)
