"""The driver alone: visiting order, weight decay, refresh hook, epoch records, divergence."""

import numpy as np
import pytest

from skembed import EpochEnd, FastTextVectorizer
from skembed._training import Step, TrainingDiverged, train_chunks
from skembed.vectors._fasttext_vectors import FastTextWordVectors

DOCS = ["the cat sat on the mat", "the dog sat on the log"] * 50


def _recording_step(n_chunks, shuffle=False, words=10, array=None, loss=1.0):
    """A Python step that records the chunks it is handed and fills in a loss."""
    visits = []

    def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
        ids = np.arange(lo, hi) if chunks is None else np.asarray(chunks)
        visits.extend(ids.tolist())
        loss_out[lo:hi] = loss
        count_out[lo:hi] = 1

    arrays = [] if array is None else [array]
    return Step(run, np.full(n_chunks, words), arrays=arrays, shuffle=shuffle), visits


def _constant(rate):
    return lambda p: np.full(np.shape(p), rate)


def test_shuffled_order_is_a_new_permutation_each_epoch_and_reproducible():
    step, visits = _recording_step(12, shuffle=True)
    train_chunks(step, epochs=3, schedule=_constant(0.1), rng=np.random.RandomState(0))
    epochs = [visits[k : k + 12] for k in range(0, 36, 12)]
    for order in epochs:
        assert sorted(order) == list(range(12))  # every chunk once per epoch
    assert epochs[0] != epochs[1] != epochs[2]
    again, visits_again = _recording_step(12, shuffle=True)
    train_chunks(again, epochs=3, schedule=_constant(0.1), rng=np.random.RandomState(0))
    assert visits_again == visits
    plain, in_order = _recording_step(12)
    train_chunks(plain, epochs=2, schedule=_constant(0.1), rng=np.random.RandomState(0))
    assert in_order == list(range(12)) * 2


def _rate_recorder(words, progress=None):
    seen = {}

    def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
        for c in range(lo, hi):
            seen.setdefault(c, []).append(float(lrs[c]))
        loss_out[lo:hi] = 1.0
        count_out[lo:hi] = 1

    return Step(run, np.asarray(words), chunk_progress=progress), seen


def test_chunk_progress_moves_the_schedule_by_its_units_not_words():
    linear = lambda p: 1.0 - np.asarray(p)  # noqa: E731
    words = [900, 50, 50]
    # by words: the 2nd chunk starts 90% into the epoch
    step, by_words = _rate_recorder(words)
    train_chunks(step, epochs=2, schedule=linear, rng=np.random.RandomState(0))
    # by documents (one each): a third of the way in
    step, by_docs = _rate_recorder(words, progress=np.array([1.0, 1.0, 1.0]))
    train_chunks(step, epochs=2, schedule=linear, rng=np.random.RandomState(0))
    np.testing.assert_allclose(by_words[1], [1 - 0.9 / 2, 1 - 1.9 / 2], rtol=1e-6)
    np.testing.assert_allclose(by_docs[1], [1 - (1 / 3) / 2, 1 - (4 / 3) / 2], rtol=1e-6)
    np.testing.assert_allclose(by_docs[2], [1 - (2 / 3) / 2, 1 - (5 / 3) / 2], rtol=1e-6)
    # progress units are scaled to the epoch's words, so a continued fit's
    # words_done / total_words still count words
    step, resumed = _rate_recorder(words, progress=np.array([1.0, 1.0, 1.0]))
    train_chunks(step, epochs=1, schedule=linear, rng=np.random.RandomState(0),
                 words_done=1000, total_words=2000)  # fmt: skip
    second_epoch = [by_docs[c][1] for c in range(3)]
    np.testing.assert_allclose([resumed[c][0] for c in range(3)], second_epoch)
    with pytest.raises(ValueError, match="chunk_progress"):
        step, _ = _rate_recorder(words, progress=np.ones(2))
        train_chunks(step, epochs=1, schedule=linear, rng=np.random.RandomState(0))


def test_weight_decay_scales_the_arrays_after_each_batch():
    array = np.ones((3, 2), dtype=np.float32)
    step, _ = _recording_step(4, array=array)
    # 4 chunks on 1 thread make one batch per epoch: share 1, rate 0.1
    train_chunks(step, epochs=2, schedule=_constant(0.1), rng=np.random.RandomState(0),
                 weight_decay=2.0)  # fmt: skip
    np.testing.assert_allclose(array, (1 - 2.0 * 0.1) ** 2, rtol=1e-6)
    untouched = np.ones((3, 2), dtype=np.float32)
    step, _ = _recording_step(4, array=untouched)
    train_chunks(step, epochs=2, schedule=_constant(0.1), rng=np.random.RandomState(0))
    np.testing.assert_array_equal(untouched, 1.0)


def test_refresh_runs_once_per_epoch_before_the_hook_and_only_with_one():
    events = []
    step, _ = _recording_step(5)

    def hook(info):
        assert isinstance(info, EpochEnd) and info.validation_score is None
        events.append(("end", info.epoch))
        return info.epoch == 2  # stop after the second epoch

    result = train_chunks(step, epochs=4, schedule=_constant(0.1), rng=np.random.RandomState(0),
                          refresh=lambda: events.append("refresh"), on_epoch_end=hook)  # fmt: skip
    assert events == ["refresh", ("end", 1), "refresh", ("end", 2)]
    assert result.n_epochs == 2 and len(result.loss_curve) == 2
    counted = []
    train_chunks(step, epochs=2, schedule=_constant(0.1), rng=np.random.RandomState(0),
                 refresh=lambda: counted.append(1))  # fmt: skip
    assert counted == []  # no hook, nothing reads the vectors: no refresh


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_loss_or_parameter_stops_with_the_epoch_named(bad):
    step, _ = _recording_step(4, loss=bad)
    with pytest.raises(TrainingDiverged, match="epoch 1.*learning_rate"):
        train_chunks(step, epochs=2, schedule=_constant(0.1), rng=np.random.RandomState(0))
    array = np.ones((50, 2), dtype=np.float32)
    array[37, 1] = bad
    step, _ = _recording_step(4, array=array)
    with pytest.raises(TrainingDiverged, match="not finite"):
        train_chunks(step, epochs=2, schedule=_constant(0.1), rng=np.random.RandomState(0))
    # watching some rows only: a bad row outside them goes unseen, inside it is caught
    for rows, caught in [(np.array([0, 5, 49]), False), (np.array([2, 37]), True)]:
        step, _ = _recording_step(4, array=array)
        step.watch = [(array, rows)]
        if caught:
            with pytest.raises(TrainingDiverged):
                train_chunks(step, epochs=1, schedule=_constant(0.1),
                             rng=np.random.RandomState(0))  # fmt: skip
        else:
            train_chunks(step, epochs=1, schedule=_constant(0.1), rng=np.random.RandomState(0))


def test_max_loss_bound():
    step, _ = _recording_step(4, loss=5.0)
    step.max_loss = 4.0
    with pytest.raises(TrainingDiverged, match="mean loss 5 exceeds 4"):
        train_chunks(step, epochs=1, schedule=_constant(0.1), rng=np.random.RandomState(0))
    step.max_loss = 6.0
    train_chunks(step, epochs=1, schedule=_constant(0.1), rng=np.random.RandomState(0))


def _count_compositions(monkeypatch, **params):
    calls = []
    compose = FastTextWordVectors._compose_vocabulary

    def counting(self, *args, **kwargs):
        calls.append(1)
        return compose(self, *args, **kwargs)

    monkeypatch.setattr(FastTextWordVectors, "_compose_vocabulary", counting)
    model = FastTextVectorizer(vector_size=8, min_count=1, bucket=500, random_state=0,
                               **params).fit(DOCS)  # fmt: skip
    monkeypatch.undo()
    return len(calls), model


@pytest.mark.parametrize("compact", [False, True])
def test_fasttext_recomposes_once_per_epoch_at_most_and_only_when_read(monkeypatch, compact):
    # 9 compositions for a 3-epoch fit before: twice per epoch, and more at the end
    one, _ = _count_compositions(monkeypatch, epochs=1, compact=compact)
    three, _ = _count_compositions(monkeypatch, epochs=3, compact=compact)
    assert three == one <= 2  # the initial vectors and the final ones; none per epoch
    seen = []
    callback = lambda est, info: seen.append(est.wv_.vectors.copy())  # noqa: E731
    watched, model = _count_compositions(monkeypatch, epochs=3, compact=compact,
                                         callbacks=[callback])  # fmt: skip
    assert watched <= three + 3  # one per epoch for the callback, and no more
    # what the callback saw after the last epoch is the fitted model's vectors
    np.testing.assert_array_equal(seen[-1], model.wv_.vectors)
