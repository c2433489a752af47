"""FastTextVectorizer(momentum=...): learning, the default run, refusals, copies."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skembed import FastTextVectorizer
from tests.models.test_numerics import DOCS, FT_DOCS, _ft_topic_accuracy

# words whose spelling says nothing of their topic (see test_numerics._ft_docs)
_FT = dict(vector_size=16, min_count=1, window=3, sample=0, epochs=10, bucket=2000,
           random_state=0)  # fmt: skip
_SMALL = dict(vector_size=8, min_count=1, epochs=1, bucket=500, random_state=0)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_momentum_learns_planted_topics(algorithm):
    trained = FastTextVectorizer(algorithm=algorithm, **_FT, momentum=0.5).fit(FT_DOCS)
    control = FastTextVectorizer(algorithm=algorithm, **_FT, momentum=0.5, learning_rate=1e-9)
    control.fit(FT_DOCS)
    assert _ft_topic_accuracy(trained) > 0.9
    assert _ft_topic_accuracy(control) < 0.7
    assert trained.loss_curve_[-1] < trained.loss_curve_[0]
    plain = FastTextVectorizer(algorithm=algorithm, **_FT).fit(FT_DOCS)
    assert not np.allclose(trained.wv_.vectors, plain.wv_.vectors)
    # the velocities (as large as the model) are neither kept nor pickled
    assert len(pickle.dumps(trained)) < 1.05 * len(pickle.dumps(plain))


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_momentum_zero_is_the_default_run(algorithm):
    a = FastTextVectorizer(algorithm=algorithm, **_SMALL).fit(DOCS)
    b = FastTextVectorizer(algorithm=algorithm, **_SMALL, momentum=0.0).fit(DOCS)
    np.testing.assert_array_equal(a.wv_._input, b.wv_._input)
    np.testing.assert_array_equal(a._output_vectors, b._output_vectors)
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (dict(loss="nce"), "negative sampling only"),
        (dict(clip_value=0.1), "clip_value or clip_norm"),
        (dict(clip_norm=1.0), "clip_value or clip_norm"),
    ],
)
def test_momentum_refuses_what_it_does_not_implement(extra, match):
    vec = FastTextVectorizer(momentum=0.9, **_SMALL, **extra)
    with pytest.raises(ValueError, match="momentum=0.9") as info:
        vec.fit(DOCS)
    assert info.match(match)
    assert not hasattr(vec, "wv_")
    # a fitted model refuses before any state changes
    fitted = FastTextVectorizer(**_SMALL).fit(DOCS)
    before = (fitted.wv_._input.copy(), fitted._output_vectors.copy(), fitted.n_iter_)
    fitted.set_params(momentum=0.9, warm_start=True, **extra)
    with pytest.raises(ValueError, match=match):
        fitted.fit(DOCS)
    with pytest.raises(ValueError, match=match):
        fitted.partial_fit(DOCS)
    np.testing.assert_array_equal(fitted.wv_._input, before[0])
    np.testing.assert_array_equal(fitted._output_vectors, before[1])
    assert fitted.n_iter_ == before[2]


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5])
def test_momentum_out_of_range_is_refused(value):
    vec = FastTextVectorizer(momentum=value, **_SMALL)
    with pytest.raises(ValueError, match="momentum"):
        vec.fit(DOCS)
    assert not hasattr(vec, "wv_")


def test_momentum_survives_clone_and_pickle():
    vec = FastTextVectorizer(momentum=0.5, **_SMALL)
    assert clone(vec).get_params()["momentum"] == 0.5
    vec.fit(DOCS)
    copy = pickle.loads(pickle.dumps(vec))
    assert copy.get_params()["momentum"] == 0.5
    np.testing.assert_array_equal(copy.transform(DOCS[:5]), vec.transform(DOCS[:5]))
    refit = clone(copy).fit(DOCS)  # a fit of the clone repeats the run
    np.testing.assert_array_equal(refit.wv_.vectors, vec.wv_.vectors)


def test_momentum_velocity_follows_the_training_layout():
    # compact=False trains the same rows at the head of the full bucket matrix: the
    # velocities have the training layout's rows, and the vectors equal the compact fit's
    compact = FastTextVectorizer(momentum=0.5, **_SMALL).fit(DOCS)
    full = FastTextVectorizer(momentum=0.5, compact=False, **_SMALL).fit(DOCS)
    assert full.wv_._input.shape[0] == len(full.wv_) + 500
    np.testing.assert_array_equal(full.wv_.vectors, compact.wv_.vectors)


def test_momentum_continues_a_fit_and_stores_half_precision():
    vec = FastTextVectorizer(momentum=0.5, storage_dtype="float16", **_SMALL).fit(DOCS)
    before = vec.wv_._input.astype(np.float32)
    vec.partial_fit(DOCS[:50])  # trains a float32 copy with fresh velocities
    assert vec.wv_._input.dtype == np.float16
    assert np.isfinite(vec.wv_.vectors).all()
    assert not np.array_equal(vec.wv_._input.astype(np.float32), before)


def test_momentum_trains_on_several_threads():
    vec = FastTextVectorizer(momentum=0.5, **_FT, n_jobs=2).fit(FT_DOCS)
    assert np.isfinite(vec.wv_.vectors).all()
    assert _ft_topic_accuracy(vec) > 0.9
