"""Training controls: schedules, early stopping, callbacks, progress, decay, partial_fit."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skembed import Word2VecVectorizer
from skembed._training._monitor import EpochEnd
from skembed.schedules import (
    ConstantSchedule,
    CosineSchedule,
    ExponentialSchedule,
    LinearSchedule,
    StepSchedule,
    get_schedule,
    with_warmup,
)
from tests.conftest import planted_topics

SMALL = dict(vector_size=16, min_count=1, random_state=0)
P = np.array([0.0, 0.25, 0.5, 0.9, 1.0])


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (LinearSchedule(), 0.1 - 0.09 * P),
        (ConstantSchedule(), np.full(5, 0.1)),
        (ExponentialSchedule(), 0.1 * 0.1**P),
        (StepSchedule(gamma=0.5, n_steps=4), [0.1, 0.05, 0.025, 0.0125, 0.0125]),
        (CosineSchedule(), 0.01 + 0.09 * 0.5 * (1 + np.cos(np.pi * P))),
    ],
)
def test_schedules_equal_their_closed_forms(schedule, expected):
    np.testing.assert_allclose(schedule(P, 0.1, 0.01), expected, rtol=1e-12)


def test_schedule_names_and_bad_names():
    assert isinstance(get_schedule("cosine"), CosineSchedule)
    with pytest.raises(ValueError, match="not one of"):
        get_schedule("sawtooth")


def test_warmup_starts_low_and_reaches_the_schedule():
    rates = with_warmup(LinearSchedule(), 0.1, 0.0, warmup_fraction=0.2)
    r = rates(np.array([0.0, 0.1, 0.2, 0.6, 1.0]))
    assert r[0] < 0.001 and r[1] == pytest.approx(0.05)
    assert r[2] == pytest.approx(0.1) and r[3] == pytest.approx(0.05) and r[4] == 0.0
    assert np.all(np.diff(r[:3]) > 0)


def test_rate_moves_within_an_epoch_through_the_kernel_array(planted):
    docs, _, _ = planted
    seen = []

    def record(estimator, info):
        seen.append(info.learning_rate)

    # 1 epoch of many chunks: the last chunk's rate is near the end of the decay
    big = [" ".join(docs)] * 30  # about 140k tokens: 14 chunks
    Word2VecVectorizer(epochs=1, callbacks=[record], **SMALL).fit(big)
    assert seen[0] < 0.025 * 0.1


def test_early_stopping_stops_after_n_iter_no_change_stalled_epochs(planted):
    docs, _, _ = planted
    # a tolerance no epoch can beat: every epoch after the first stalls
    model = Word2VecVectorizer(epochs=20, early_stopping=True, n_iter_no_change=3, tol=10.0,
                               **SMALL).fit(docs)  # fmt: skip
    assert model.n_iter_ == 4
    assert len(model.validation_scores_) == len(model.loss_curve_) == 4
    assert all(np.isfinite(model.validation_scores_))


def test_early_stopping_does_not_stop_while_improving(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(epochs=4, early_stopping=True, n_iter_no_change=2, tol=0.0,
                               sample=0, **SMALL).fit(docs)  # fmt: skip
    assert model.n_iter_ == 4
    assert model.validation_scores_[-1] > model.validation_scores_[0]
    assert model.best_validation_score_ == max(model.validation_scores_)


def test_keep_best_restores_the_best_epoch(planted):
    docs, _, _ = planted
    # a large constant rate (short of divergence) makes later epochs worse than the first ones
    params = dict(epochs=6, early_stopping=True, n_iter_no_change=10, learning_rate=0.5,
                  learning_rate_schedule="constant", **SMALL)  # fmt: skip
    copies = []
    record = lambda est, info: copies.append(est.wv_.vectors.copy())  # noqa: E731
    kept = Word2VecVectorizer(keep_best=True, callbacks=[record], **params).fit(docs)
    best = int(np.argmax(kept.validation_scores_))
    assert best < len(copies) - 1  # the premise: the last epoch is not the best
    np.testing.assert_array_equal(kept.wv_.vectors, copies[best])
    last = Word2VecVectorizer(keep_best=False, **params).fit(docs)
    np.testing.assert_array_equal(last.wv_.vectors, copies[-1])


class StopAfter:
    """A picklable callback that stops training after a given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.calls = []

    def __call__(self, estimator, info):
        assert isinstance(info, EpochEnd)
        assert hasattr(estimator, "wv_")  # the live vectors are there to inspect
        self.calls.append(info.epoch)
        return info.epoch >= self.epoch


def test_callback_can_stop_training_and_sees_each_epoch(planted):
    docs, _, _ = planted
    stop = StopAfter(2)
    model = Word2VecVectorizer(epochs=5, callbacks=[stop], **SMALL).fit(docs)
    assert stop.calls == [1, 2]
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 2


def test_callback_survives_clone_and_pickling(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(epochs=5, callbacks=[StopAfter(1)], **SMALL)
    copy = pickle.loads(pickle.dumps(clone(model)))
    assert copy.fit(docs).n_iter_ == 1
    assert copy.callbacks[0].calls == [1]


def test_sklearn_callback_api_is_followed_where_available(planted):
    callback_module = pytest.importorskip("sklearn.callback")
    docs, _, _ = planted

    class Recorder:
        def __init__(self):
            self.events = []

        def setup(self, estimator, context):
            self.events.append("setup")

        def teardown(self, estimator, context):
            self.events.append("teardown")

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.events.append("begin")

        def on_fit_task_end(self, estimator, context, **kwargs):
            self.events.append("end")
            return self.events.count("end") >= 2  # stop after the second epoch

    assert isinstance(Recorder(), callback_module.FitCallback)
    recorder = Recorder()
    model = Word2VecVectorizer(epochs=5, **SMALL).set_callbacks(recorder)
    model.fit(docs)
    assert model.n_iter_ == 2
    assert recorder.events[0] == "setup" and recorder.events[-1] == "teardown"


def test_verbose_zero_prints_nothing_and_verbose_shows_progress(planted, capfd):
    docs, _, _ = planted
    Word2VecVectorizer(epochs=2, verbose=0, **SMALL).fit(docs)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    Word2VecVectorizer(epochs=2, verbose=1, **SMALL).fit(docs)
    out, err = capfd.readouterr()
    assert "word" in err and "loss" in err and "lr" in err


def test_weight_decay_shrinks_vector_norms(planted):
    docs, _, _ = planted
    plain = Word2VecVectorizer(epochs=5, **SMALL).fit(docs)
    decayed = Word2VecVectorizer(epochs=5, weight_decay=20.0, **SMALL).fit(docs)
    norm = lambda m: np.linalg.norm(m.wv_.vectors, axis=1).mean()  # noqa: E731
    assert norm(decayed) < 0.8 * norm(plain)


def test_warm_start_continues_from_the_current_vectors(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(epochs=2, warm_start=True, **SMALL).fit(docs)
    first = model.wv_.vectors.copy()
    model.fit(docs)
    assert model.n_iter_ == 4 and len(model.loss_curve_) == 4
    assert not np.array_equal(model.wv_.vectors, first)
    fresh = Word2VecVectorizer(epochs=2, **SMALL).fit(docs)
    np.testing.assert_array_equal(fresh.wv_.vectors, first)  # a cold fit starts again


def test_partial_fit_grows_the_vocabulary_and_places_new_words_with_their_topic():
    old_docs, old_topics, _ = planted_topics(n_topics=4, n_docs=400, seed=0, prefix="t")
    model = Word2VecVectorizer(vector_size=20, min_count=1, sample=0, epochs=8,
                               update_vocabulary=True, learning_rate=0.025,
                               random_state=0).fit(old_docs)  # fmt: skip
    before = {w: model.wv_[w].copy() for w in old_topics}
    ids = dict(model.vocabulary_)
    # new words: each topic gains "t{k}new{i}", used in documents of that topic
    rng = np.random.default_rng(1)
    new_docs, new_topic = [], {}
    for d in range(800):
        t = d % 4
        olds = [w for w, k in old_topics.items() if k == t]
        news = [f"t{t}new{i}" for i in range(3)]
        new_topic.update({w: t for w in news})
        new_docs.append(" ".join(rng.choice(olds + news, size=12)))
    for _ in range(4):
        model.partial_fit(new_docs)
    assert all(model.vocabulary_[w] == i for w, i in ids.items())  # old ids unchanged
    assert all(w in model.wv_ for w in new_topic)
    # old vectors stay close to what they were
    drift = np.mean([np.corrcoef(before[w], model.wv_[w])[0, 1] for w in old_topics])
    assert drift > 0.5

    # each new word's nearest old words come from its own topic
    def purity(wv):
        hits = 0
        for word, topic in new_topic.items():
            sims = [(wv.similarity(word, o), k) for o, k in old_topics.items()]
            top = sorted(sims, reverse=True)[:5]
            hits += sum(k == topic for _, k in top)
        return hits / (5 * len(new_topic))

    assert purity(model.wv_) >= 0.9
    control = Word2VecVectorizer(vector_size=20, min_count=1, epochs=0, update_vocabulary=True,
                                 random_state=0).fit(old_docs)  # fmt: skip
    control.set_params(learning_rate=1e-12).partial_fit(new_docs)
    assert purity(control.wv_) < 0.5


def test_partial_fit_without_update_vocabulary_ignores_new_words(planted):
    docs, word_topic, _ = planted
    model = Word2VecVectorizer(epochs=1, **SMALL).partial_fit(docs)
    n = len(model.wv_)
    model.partial_fit([d + " brandnew" for d in docs])
    assert len(model.wv_) == n and "brandnew" not in model.wv_
    assert model.n_iter_ == 2
    with pytest.raises(ValueError, match="update_vocabulary=True"):
        model.partial_fit(["only unknown words here"])


def test_partial_fit_total_words_decays_by_words_seen(planted):
    docs, _, _ = planted
    rates = []
    record = lambda est, info: rates.append(info.learning_rate)  # noqa: E731
    n_tokens = sum(len(d.split()) for d in docs)
    model = Word2VecVectorizer(total_words=2 * n_tokens, callbacks=[record], **SMALL)
    model.partial_fit(docs).partial_fit(docs)
    # one chunk per call: its rate is the one at the call's starting point
    assert rates[0] == pytest.approx(0.025)
    assert rates[1] == pytest.approx(0.025 - (0.025 - 1e-4) * 0.5, rel=1e-3)
    constant = []
    Word2VecVectorizer(callbacks=[lambda e, i: constant.append(i.learning_rate)],
                       **SMALL).partial_fit(docs).partial_fit(docs)  # fmt: skip
    assert constant == pytest.approx([0.025, 0.025])
