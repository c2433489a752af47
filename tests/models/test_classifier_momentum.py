"""FastTextClassifier(momentum=...): learning, the default run, refusals, copies."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

from tests.models.test_classifier import _planted, _small

CHANCE = 0.25  # four planted classes


@pytest.mark.parametrize("loss", ["softmax", "hs", "ova"])
@pytest.mark.parametrize(("momentum", "rate"), [(0.5, 0.25), (0.9, 0.05)])
def test_momentum_learns_a_planted_label_while_a_shuffled_control_stays_at_chance(
    loss, momentum, rate
):
    docs, labels = _planted()
    test_docs, test_labels = _planted(seed=1)
    clf = _small(loss=loss, momentum=momentum, learning_rate=rate).fit(docs, labels)
    assert clf.score(test_docs, test_labels) > 0.95
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    shuffled_docs, shuffled = _planted(shuffle_labels=True)
    control = _small(loss=loss, momentum=momentum, learning_rate=rate)
    control.fit(shuffled_docs, shuffled)
    assert control.score(test_docs, test_labels) < CHANCE + 0.12
    plain = _small(loss=loss, learning_rate=rate).fit(docs, labels)
    assert not np.allclose(clf._output_vectors, plain._output_vectors, atol=1e-4)
    # the velocities (as large as the model) are neither kept nor pickled
    assert len(pickle.dumps(clf)) < 1.05 * len(pickle.dumps(plain))
    assert not any("vel" in name for name in vars(clf))


@pytest.mark.parametrize("loss", ["softmax", "hs", "ova"])
def test_momentum_zero_is_the_default_run(loss):
    docs, labels = _planted(n_docs=200)
    a = _small(loss=loss, epochs=2).fit(docs, labels)
    b = _small(loss=loss, epochs=2, momentum=0.0).fit(docs, labels)
    assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    assert_array_equal(a._ngram_vectors, b._ngram_vectors)
    assert_array_equal(a._output_vectors, b._output_vectors)
    assert a.loss_curve_ == b.loss_curve_


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, "0.5"])
def test_momentum_out_of_range_is_refused_before_any_state_changes(value):
    docs, labels = _planted(n_docs=100)
    clf = _small(momentum=value, epochs=1)
    with pytest.raises(ValueError, match="momentum"):
        clf.fit(docs, labels)
    assert not hasattr(clf, "wv_")
    fitted = _small(epochs=1).fit(docs, labels)
    before = [a.copy() for a in fitted._parameter_arrays()], fitted.n_iter_
    fitted.set_params(momentum=value, warm_start=True)
    with pytest.raises(ValueError, match="momentum"):
        fitted.fit(docs, labels)
    with pytest.raises(ValueError, match="momentum"):
        fitted.partial_fit(docs, labels)
    for got, want in zip(fitted._parameter_arrays(), before[0], strict=True):
        assert_array_equal(got, want)
    assert fitted.n_iter_ == before[1]


def test_momentum_with_weight_decay_and_character_ngrams_learns():
    # decoupled decay scales the rows, not the velocities; n-gram bucket rows get velocities
    docs, labels = _planted()
    test_docs, test_labels = _planted(seed=1)
    clf = _small(momentum=0.5, learning_rate=0.25, weight_decay=1e-3, min_n=2, max_n=3)
    clf.fit(docs, labels)
    assert clf.score(test_docs, test_labels) > 0.95
    no_decay = _small(momentum=0.5, learning_rate=0.25, min_n=2, max_n=3).fit(docs, labels)
    norm = np.linalg.norm
    assert norm(clf._ngram_vectors) < norm(no_decay._ngram_vectors)


def test_momentum_survives_clone_pickle_and_continues_a_fit():
    docs, labels = _planted(n_docs=200)
    clf = _small(momentum=0.5, epochs=2, storage_dtype="float16")
    assert clone(clf).get_params()["momentum"] == 0.5
    clf.fit(docs, labels)
    copy = pickle.loads(pickle.dumps(clf))
    assert copy.get_params()["momentum"] == 0.5
    assert_array_equal(copy.predict_proba(docs[:5]), clf.predict_proba(docs[:5]))
    refit = clone(copy).fit(docs, labels)  # a fit of the clone repeats the run
    assert_array_equal(refit.wv_.vectors, clf.wv_.vectors)
    before = clf._output_vectors.astype(np.float32)
    clf.partial_fit(docs[:50], labels[:50])  # a float32 copy trains with fresh velocities
    assert clf._output_vectors.dtype == np.float16
    assert np.isfinite(clf.wv_.vectors).all()
    assert not np.array_equal(clf._output_vectors.astype(np.float32), before)


def test_momentum_trains_on_several_threads():
    docs, labels = _planted(n_docs=2000)
    test_docs, test_labels = _planted(seed=1)
    clf = _small(momentum=0.5, learning_rate=0.25, n_jobs=2).fit(docs, labels)
    assert clf.score(test_docs, test_labels) > 0.95
