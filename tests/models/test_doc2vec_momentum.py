"""Doc2VecVectorizer(momentum=...): learning, the default run, refusals, copies, inference."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skembed import Doc2VecVectorizer
from tests.models.test_doc2vec import DOCS, LABELS, SMALL, _purity

MODES = {
    "pv-dm": dict(dm=True),
    "pv-dbow": dict(dm=False),
    "pv-dbow-words": dict(dm=False, dbow_words=True),
}


@pytest.mark.parametrize("mode", list(MODES))
def test_momentum_learns_planted_topics(mode):
    params = dict(epochs=10, **SMALL, **MODES[mode])
    trained = Doc2VecVectorizer(momentum=0.5, **params).fit(DOCS)
    control = Doc2VecVectorizer(momentum=0.5, learning_rate=1e-9, **params).fit(DOCS)
    assert _purity(control.dv_.vectors, LABELS) < 0.4  # chance is 0.25
    assert _purity(control.transform(DOCS), LABELS) < 0.4
    assert _purity(trained.dv_.vectors, LABELS) > 0.7
    assert _purity(trained.transform(DOCS), LABELS) > 0.8
    assert trained.loss_curve_[-1] < trained.loss_curve_[0]
    plain = Doc2VecVectorizer(**params).fit(DOCS)
    assert not np.allclose(trained.dv_.vectors, plain.dv_.vectors)
    # the velocities (as large as the model) are neither kept nor pickled
    assert len(pickle.dumps(trained)) < 1.05 * len(pickle.dumps(plain))
    assert not [k for k in vars(trained) if "vel" in k]


@pytest.mark.parametrize("mode", list(MODES))
def test_momentum_zero_is_the_default_run(mode):
    params = dict(epochs=2, **SMALL, **MODES[mode])
    a = Doc2VecVectorizer(**params).fit(DOCS[:100])
    b = Doc2VecVectorizer(momentum=0.0, **params).fit(DOCS[:100])
    np.testing.assert_array_equal(a.dv_.vectors, b.dv_.vectors)
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    np.testing.assert_array_equal(a._output_vectors, b._output_vectors)
    np.testing.assert_array_equal(a.transform(DOCS[:5]), b.transform(DOCS[:5]))


@pytest.mark.parametrize("dm", [True, False])
def test_momentum_leaves_inference_plain(dm):
    # transform trains new document vectors by plain SGD: momentum changes the fitted
    # weights, never how a new document is inferred from them
    vec = Doc2VecVectorizer(dm=dm, momentum=0.5, epochs=2, **SMALL).fit(DOCS[:100])
    inferred = vec.transform(DOCS[:20])
    score = vec.score(DOCS[:20])
    vec.set_params(momentum=0.0)
    np.testing.assert_array_equal(vec.transform(DOCS[:20]), inferred)
    assert vec.score(DOCS[:20]) == score


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (dict(hs=True), "negative sampling only"),
        (dict(hs=True, negative=0), "negative sampling only"),
        (dict(clip_value=0.1), "clip_value or clip_norm"),
        (dict(clip_norm=1.0), "clip_value or clip_norm"),
    ],
)
def test_momentum_refuses_what_it_does_not_implement(extra, match):
    vec = Doc2VecVectorizer(momentum=0.9, epochs=1, **SMALL, **extra)
    with pytest.raises(ValueError, match="momentum=0.9") as info:
        vec.fit(DOCS[:50])
    assert info.match(match)
    assert not hasattr(vec, "wv_") and not hasattr(vec, "dv_")
    # a fitted model refuses before any state changes
    fitted = Doc2VecVectorizer(epochs=1, hs=extra.get("hs", False), **SMALL).fit(DOCS[:50])
    before = (fitted.wv_.vectors.copy(), fitted.dv_.vectors.copy(),
              list(fitted.dv_.index_to_key), fitted.n_iter_)  # fmt: skip
    fitted.set_params(momentum=0.9, warm_start=True, **extra)
    with pytest.raises(ValueError, match=match):
        fitted.fit(DOCS[:50])
    with pytest.raises(ValueError, match=match):
        fitted.partial_fit(DOCS[50:80])
    np.testing.assert_array_equal(fitted.wv_.vectors, before[0])
    np.testing.assert_array_equal(fitted.dv_.vectors, before[1])
    assert fitted.dv_.index_to_key == before[2] and fitted.n_iter_ == before[3]


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5])
def test_momentum_out_of_range_is_refused(value):
    vec = Doc2VecVectorizer(momentum=value, epochs=1, **SMALL)
    with pytest.raises(ValueError, match="momentum"):
        vec.fit(DOCS[:50])
    assert not hasattr(vec, "wv_")


def test_momentum_survives_clone_and_pickle():
    vec = Doc2VecVectorizer(momentum=0.5, epochs=2, **SMALL)
    assert clone(vec).get_params()["momentum"] == 0.5
    vec.fit(DOCS[:100])
    copy = pickle.loads(pickle.dumps(vec))
    assert copy.get_params()["momentum"] == 0.5
    np.testing.assert_array_equal(copy.transform(DOCS[:5]), vec.transform(DOCS[:5]))
    refit = clone(copy).fit(DOCS[:100])  # a fit of the clone repeats the run
    np.testing.assert_array_equal(refit.dv_.vectors, vec.dv_.vectors)


@pytest.mark.parametrize("storage_dtype", ["float32", "float16"])
def test_momentum_partial_fit_grows_the_document_rows(storage_dtype):
    # each call allocates fresh velocities the size of dv_ as it is then (rows appended)
    vec = Doc2VecVectorizer(momentum=0.5, epochs=1, storage_dtype=storage_dtype, **SMALL)
    vec.partial_fit(DOCS[:100])
    words_before = vec.wv_.vectors.astype(np.float32)
    vec.partial_fit(DOCS[100:250])
    assert len(vec.dv_) == 250 and vec.dv_.vectors.dtype == np.dtype(storage_dtype)
    assert np.isfinite(vec.dv_.vectors.astype(np.float32)).all()
    assert not np.array_equal(vec.wv_.vectors.astype(np.float32), words_before)
    vec.set_params(warm_start=True).fit(DOCS[:250])
    assert np.isfinite(vec.dv_.vectors.astype(np.float32)).all()


def test_momentum_trains_on_several_threads():
    vec = Doc2VecVectorizer(momentum=0.5, epochs=10, n_jobs=2, **SMALL).fit(DOCS)
    assert np.isfinite(vec.dv_.vectors).all()
    assert _purity(vec.transform(DOCS), LABELS) > 0.8
