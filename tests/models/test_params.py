"""Parameter bounds: every integer that reaches a kernel is bounded in the constraint table."""

import inspect

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from skembed.corpus._cooccur import _fixed_point_weights, count_cooccurrences
from skembed.models._params import MAX_WINDOW

DOCS = ["the cat sat on the mat", "the dog sat on the log"] * 10


@pytest.mark.parametrize("window", [708, 709, 1000, MAX_WINDOW])
def test_glove_counts_windows_up_to_the_documented_bound(window):
    # window=709 used to overflow a float with lcm(1..709) (OverflowError)
    glove = GloVeVectorizer(vector_size=4, window=window, min_count=1, epochs=1, random_state=0)
    glove.set_params(store_cooccurrence=True).fit(DOCS)
    narrow = GloVeVectorizer(vector_size=4, window=6, min_count=1, epochs=1, random_state=0)
    narrow.set_params(store_cooccurrence=True).fit(DOCS)
    # documents have 6 words: any window of 5 or more counts the same pairs
    np.testing.assert_allclose(
        glove.cooccurrence_.toarray(), narrow.cooccurrence_.toarray(), rtol=1e-4
    )


def test_fixed_point_weights_of_a_wide_window_are_close_to_one_over_distance():
    weights, scale = _fixed_point_weights(MAX_WINDOW, True, n_visits=10**6)
    d = np.arange(1, MAX_WINDOW + 1)
    assert weights.dtype == np.int64 and weights[0] == 0
    assert scale < 2**63
    # the whole sum of one entry still fits an int64
    assert float(weights[1:].sum()) * 10**6 < 2**63
    np.testing.assert_allclose(weights[1:] / scale, 1.0 / d, rtol=1e-6, atol=0.5 / scale)
    exact, exact_scale = _fixed_point_weights(12, True, n_visits=100)
    assert exact_scale == 27720  # lcm(1..12): exact rationals while they fit
    assert np.all(exact[1:] * np.arange(1, 13) == 27720)


def test_count_cooccurrences_with_a_window_wider_than_708():
    tokens = np.array([0, 1, 2, 0], dtype=np.int32)
    X = count_cooccurrences(tokens, np.array([0, 4]), 3, window=1000)
    # symmetric: the two 0s at distance 3 count 1/3 each way; 1 and 2 are adjacent once
    assert X[0, 0] == pytest.approx(2 / 3, rel=1e-6)
    assert X[1, 2] == pytest.approx(1.0, rel=1e-6)
    narrow = count_cooccurrences(tokens, np.array([0, 4]), 3, window=3)
    np.testing.assert_allclose(X.toarray(), narrow.toarray(), rtol=1e-6)


@pytest.mark.parametrize("Estimator", [Word2VecVectorizer, FastTextVectorizer])
@pytest.mark.parametrize("value", [-1000, 1000, -10.5, float("inf"), float("nan")])
def test_ns_exponent_out_of_range_names_the_parameter(Estimator, value):
    # ns_exponent=-1000 used to raise ZeroDivisionError from the alias table
    est = Estimator(vector_size=4, min_count=1, epochs=1, ns_exponent=value)
    with pytest.raises(InvalidParameterError, match="'ns_exponent' parameter"):
        est.fit(DOCS)


@pytest.mark.parametrize("Estimator", [Word2VecVectorizer, FastTextVectorizer])
@pytest.mark.parametrize("value", [-10, 10])
def test_ns_exponent_at_its_bounds_trains_finite_vectors(Estimator, value):
    est = Estimator(vector_size=4, min_count=1, epochs=1, ns_exponent=value, random_state=0)
    if Estimator is FastTextVectorizer:
        est.set_params(bucket=100)
    assert np.isfinite(est.fit(DOCS).wv_.vectors).all()


@pytest.mark.parametrize("Estimator", [Word2VecVectorizer, FastTextVectorizer, GloVeVectorizer])
@pytest.mark.parametrize("window", [2**63, 2**64, MAX_WINDOW + 1])
def test_window_beyond_the_bound_names_the_parameter(Estimator, window):
    # 2**64 was a numba TypingError, 2**63 silently compiled a uint64 kernel
    with pytest.raises(InvalidParameterError, match=r"'window' parameter.*\[1, 65535\]"):
        Estimator(window=window).fit(DOCS)


@pytest.mark.parametrize(
    "Estimator, name, value",
    [
        (Word2VecVectorizer, "negative", 2**31),
        (Word2VecVectorizer, "negative", -1),
        (FastTextVectorizer, "negative", 0),
        (FastTextVectorizer, "negative", 2**63),
        (FastTextVectorizer, "min_n", 2**63),
        (FastTextVectorizer, "max_n", 2**64),
        (FastTextVectorizer, "bucket", 2**31 - 1),
        (FastTextVectorizer, "bucket", 2**63),
        (GloVeVectorizer, "x_max", 0.0),
        (GloVeVectorizer, "x_max", float("inf")),
        (GloVeVectorizer, "grad_clip", float("nan")),
        (Word2VecVectorizer, "vector_size", 2**63),
        (GloVeVectorizer, "epochs", 2**64),
        (Word2VecVectorizer, "max_final_vocab", 2**31),
        (FastTextVectorizer, "n_iter_no_change", 2**63),
    ],
)
def test_integer_and_real_bounds_name_the_parameter(Estimator, name, value):
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        Estimator(**{name: value}).fit(DOCS)


def test_largest_bucket_is_accepted_by_the_constraint():
    from skembed.models._fasttext import _MAX_BUCKET

    est = FastTextVectorizer(bucket=_MAX_BUCKET)
    est._validate_params()  # no error: the bound itself is valid
    assert _MAX_BUCKET == 2**31 - 1 - 2**24


def test_glove_has_no_clipping_parameters_of_the_skipgram_family():
    params = GloVeVectorizer().get_params()
    assert "clip_value" not in params and "clip_norm" not in params
    assert not hasattr(GloVeVectorizer(), "clip_value")
    assert "grad_clip" in params
    for Estimator in (Word2VecVectorizer, FastTextVectorizer):
        assert {"clip_value", "clip_norm"} <= set(Estimator().get_params())
    assert "hs" not in FastTextVectorizer().get_params()
    assert "bucket" not in Word2VecVectorizer().get_params()


def test_fasttext_transform_documents_that_it_composes_unseen_words():
    doc = inspect.getdoc(FastTextVectorizer.transform)
    assert "not skipped" in doc and "n-gram" in doc
    assert "are skipped" in inspect.getdoc(Word2VecVectorizer.transform)
    vec = FastTextVectorizer(vector_size=8, min_count=1, bucket=1000, random_state=0).fit(DOCS)
    assert "cats" not in vec.wv_
    assert vec.transform(["cats"]).any()
    w2v = Word2VecVectorizer(vector_size=8, min_count=1, random_state=0).fit(DOCS)
    assert not w2v.transform(["cats"]).any()
