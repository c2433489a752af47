"""storage_dtype="float16" in FastTextVectorizer, Doc2VecVectorizer and FastTextClassifier.

Each trains in float32 and stores half precision at the end of a fit, so the stored
matrices must be the float32 run's, rounded once; whatever is computed from them
(composed and unseen-word vectors, inferred document vectors, class probabilities) must
be computed in float32 from the rounded matrices.  The exact checks build a float32
model holding the rounded values and compare bit for bit; the tolerance checks bound
the distance to the float32 model by float16's rounding (2**-11 of a value).
"""

import copy
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skembed import Doc2VecVectorizer, FastTextClassifier, FastTextVectorizer
from skembed.vectors._fasttext_vectors import FastTextWordVectors
from skembed.vectors.io._fasttext_bin import load_fasttext_bin
from tests.conftest import planted_topics, topic_purity
from tests.models.test_classifier import _planted as _labelled
from tests.models.test_fasttext import spelled_topics

HALF_ULP = 2.0**-11  # float16's relative rounding error (unit roundoff)


def _rounded(array):
    """``array`` rounded to float16 and back: the values a half model stores."""
    return array.astype(np.float16).astype(np.float32)


def _pair(cls, docs, y=None, **params):
    full = cls(**params, random_state=0).fit(docs, y)
    half = cls(**params, random_state=0, storage_dtype="float16").fit(docs, y)
    return full, half


def _pickle_ratio(full, half):
    return len(pickle.dumps(half)) / len(pickle.dumps(full))


# ----------------------------------------------------------------- FastText
SPELLED, WORD_TOPIC = spelled_topics()
FT = dict(vector_size=24, min_count=1, epochs=3, bucket=3000)
# unseen words: misspellings (n-grams shared with the vocabulary, some dropped by compaction)
# and a word of letters no vocabulary word has (no stored n-gram at all)
UNSEEN = [w[:4] + "zz" + w[6:] for w in list(WORD_TOPIC)[:6]] + ["zzzzzz"]


def _rounded_fasttext(full):
    """A float32 FastTextWordVectors holding the rows a half model of ``full`` stores."""
    wv = full.wv_
    return FastTextWordVectors._from_input_matrix(
        wv.index_to_key, _rounded(wv._input), min_n=wv.min_n, max_n=wv.max_n, counts=wv.counts,
        ngram_rows=wv._ngram_rows, bucket=wv._bucket,
    )  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [dict(), dict(algorithm="cbow"), dict(compact=False)],
    ids=["skipgram", "cbow", "full-layout"],
)
def test_fasttext_rows_are_the_float32_run_rounded_and_vectors_compose_in_float32(params):
    full, half = _pair(FastTextVectorizer, SPELLED, **FT, **params)
    assert half.wv_._input.dtype == np.float16 and half._output_vectors.dtype == np.float16
    assert half.wv_.vectors.dtype == np.float32  # derived: composed in float32, not stored
    assert half.wv_.is_compact == full.wv_.is_compact
    # training ran in float32: word rows, n-gram rows and output weights rounded once
    assert_array_equal(half.wv_._input, full.wv_._input.astype(np.float16))
    assert_array_equal(half._output_vectors, full._output_vectors.astype(np.float16))
    # the composed vectors are the float32 means of the stored rows
    reference = _rounded_fasttext(full)
    assert_array_equal(half.wv_.vectors, reference.vectors)
    # ... within float16 rounding of the float32 model's: each row is off by at most
    # 2**-11 of the largest row entry, and so is their mean
    bound = HALF_ULP * np.abs(full.wv_._input).max()
    assert_allclose(half.wv_.vectors, full.wv_.vectors, rtol=0, atol=bound)


@pytest.mark.parametrize("compact", [True, False])
def test_fasttext_unseen_words_compose_in_float32_close_to_the_float32_model(compact):
    full, half = _pair(FastTextVectorizer, SPELLED, **FT, compact=compact)
    reference = _rounded_fasttext(full)
    row_bound = HALF_ULP * np.abs(full.wv_._input).max()
    for word in UNSEEN:
        vector = half.wv_[word]
        assert vector.dtype == np.float32
        # summed in float32 from the stored rows: the rounded model's vector, bit for bit
        assert_array_equal(vector, reference[word])
        assert_allclose(vector, full.wv_[word], rtol=0, atol=row_bound)
    assert half.wv_["zzzzzz"].any() == full.wv_["zzzzzz"].any()
    vectors, n_ngrams = half.wv_.unseen_vectors(UNSEEN)
    ref_vectors, ref_n = reference.unseen_vectors(UNSEEN)
    assert vectors.dtype == np.float32
    assert_array_equal(n_ngrams, ref_n)
    assert_array_equal(vectors, ref_vectors)
    assert_allclose(vectors, full.wv_.unseen_vectors(UNSEEN)[0], rtol=0, atol=row_bound)
    # transform pools them in float32, as the float32 model holding the stored rows does
    docs = [" ".join(UNSEEN[:3]), SPELLED[0] + " " + UNSEEN[3], SPELLED[1]]
    X16, X32 = half.transform(docs), full.transform(docs)
    assert X16.dtype == np.float32
    rounded = copy.deepcopy(full)
    rounded.wv_ = reference
    assert_array_equal(X16, rounded.transform(docs))
    assert_allclose(X16, X32, rtol=0, atol=row_bound)
    assert half.score(SPELLED[:20]) == pytest.approx(full.score(SPELLED[:20]), rel=1e-3)


def _random_docs(n_words=600, n_docs=300, seed=0):
    rng = np.random.RandomState(seed)
    return [" ".join(f"w{i}" for i in rng.randint(0, n_words, size=20)) for _ in range(n_docs)]


def test_fasttext_pickle_and_npz_halve(tmp_path):
    docs = _random_docs()
    full, half = _pair(FastTextVectorizer, docs, vector_size=200, min_count=1, epochs=1,
                       bucket=20_000)  # fmt: skip
    # the rows dominate the pickle; the vocabulary and settings add a little
    assert _pickle_ratio(full, half) < 0.6
    full.wv_.save(tmp_path / "full.npz")
    half.wv_.save(tmp_path / "half.npz")
    assert (tmp_path / "half.npz").stat().st_size < 0.6 * (tmp_path / "full.npz").stat().st_size


def test_fasttext_half_model_round_trips_through_pickle_npz_and_bin(tmp_path):
    from skembed.vectors import load, save

    _, half = _pair(FastTextVectorizer, SPELLED, **FT)
    words = list(half.wv_.index_to_key[:5]) + UNSEEN
    expected = np.stack([half.wv_[w] for w in words])
    # pickling keeps the float16 rows and recomposes the same vectors from them
    again = pickle.loads(pickle.dumps(half))
    assert again.wv_._input.dtype == np.float16
    assert_array_equal(again.wv_.vectors, half.wv_.vectors)
    assert_array_equal(again.transform(SPELLED[:5]), half.transform(SPELLED[:5]))
    # read back as float32 rows of the same values, which compose the same vectors
    for fmt in ("npz", "fasttext"):
        save(half.wv_, tmp_path / f"vectors.{fmt}", format=fmt)
        loaded = load(tmp_path / f"vectors.{fmt}", format=fmt)
        assert loaded.index_to_key == half.wv_.index_to_key
        assert_array_equal(np.stack([loaded[w] for w in words]), expected)
    # the estimator's .bin holds float32 matrices (the format's only type): widened exactly
    half.save_fasttext_bin(tmp_path / "model.bin")
    model = load_fasttext_bin(tmp_path / "model.bin")
    assert model.input_matrix.dtype == np.float32
    assert_array_equal(model.output_matrix, half._output_vectors.astype(np.float32))
    wv = model.to_word_vectors()
    assert_array_equal(np.stack([wv[w] for w in words]), expected)


def test_fasttext_full_layout_writes_its_float16_matrix_as_float32(tmp_path):
    _, half = _pair(FastTextVectorizer, SPELLED, **FT, compact=False)
    half.save_fasttext_bin(tmp_path / "model.bin")
    model = load_fasttext_bin(tmp_path / "model.bin")
    assert_array_equal(model.input_matrix, half.wv_._input.astype(np.float32))


def test_fasttext_partial_fit_trains_in_float32_from_the_stored_rows():
    full, half = _pair(FastTextVectorizer, SPELLED, **FT)
    # the float32 model put on the stored values continues exactly as the half model does
    reference = copy.deepcopy(full)
    reference.wv_._input[...] = _rounded(full.wv_._input)
    reference._output_vectors[...] = _rounded(full._output_vectors)
    reference.wv_.clear_cache()
    before = half.wv_._input.copy()
    half.partial_fit(SPELLED)
    reference.partial_fit(SPELLED)
    assert half.wv_._input.dtype == np.float16
    assert not np.array_equal(half.wv_._input, before)  # it trained
    assert_array_equal(half.wv_._input, reference.wv_._input.astype(np.float16))
    assert_array_equal(half._output_vectors, reference._output_vectors.astype(np.float16))


def test_fasttext_failed_partial_fit_keeps_the_half_model():
    _, half = _pair(FastTextVectorizer, SPELLED, **FT)
    rows, vectors = half.wv_._input.copy(), half.wv_.vectors.copy()

    def stop(*args, **kwargs):
        raise RuntimeError("stop")

    half.set_params(callbacks=[stop])
    with pytest.raises(RuntimeError, match="stop"):
        half.partial_fit(SPELLED)
    assert half.wv_._input.dtype == np.float16 and half._output_vectors.dtype == np.float16
    assert_array_equal(half.wv_._input, rows)
    assert_array_equal(half.wv_.vectors, vectors)


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_fasttext_half_model_learns_planted_topics_far_above_an_untrained_control(algorithm):
    params = dict(algorithm=algorithm, vector_size=20, min_count=1, bucket=5000, random_state=0,
                  storage_dtype="float16")  # fmt: skip
    model = FastTextVectorizer(epochs=10, sample=0, **params).fit(SPELLED)
    control = FastTextVectorizer(epochs=0, **params).fit(SPELLED)
    assert topic_purity(model.wv_, WORD_TOPIC) >= 0.9
    assert topic_purity(control.wv_, WORD_TOPIC) < 0.5


# ------------------------------------------------------------------ Doc2Vec
DOCS, _, LABELS = planted_topics(n_topics=4, words_per_topic=8, n_docs=400, doc_len=20)
D2V = dict(vector_size=24, min_count=1, sample=0.0, epochs=4)


def _purity(vectors, labels, k=5):
    """Share of each vector's k nearest neighbours (cosine) from its own topic."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sim = unit @ unit.T
    np.fill_diagonal(sim, -2)
    nearest = np.argsort(-sim, axis=1)[:, :k]
    return (labels[nearest] == labels[:, None]).mean()


def _rounded_doc2vec(full):
    """A float32 copy of ``full`` holding the values its half model stores."""
    reference = copy.deepcopy(full)
    for array in (reference.wv_.vectors, reference.dv_.vectors, reference._output_vectors,
                  reference._output_vectors_hs):  # fmt: skip
        if array is not None:
            array[...] = _rounded(array)
    reference.wv_.clear_cache()
    return reference


@pytest.mark.parametrize(
    "params", [dict(dm=True), dict(dm=False, hs=True)], ids=["pv-dm", "pv-dbow-hs"]
)
def test_doc2vec_stores_the_float32_run_rounded_and_infers_in_float32(params):
    full, half = _pair(Doc2VecVectorizer, DOCS, **D2V, **params)
    for name in ("_output_vectors", "_output_vectors_hs"):
        f, h = getattr(full, name), getattr(half, name)
        assert (f is None) == (h is None)
        if h is not None:
            assert h.dtype == np.float16
            assert_array_equal(h, f.astype(np.float16))
    assert half.wv_.vectors.dtype == np.float16 and half.dv_.vectors.dtype == np.float16
    assert_array_equal(half.wv_.vectors, full.wv_.vectors.astype(np.float16))
    assert_array_equal(half.dv_.vectors, full.dv_.vectors.astype(np.float16))
    assert half.dv_[0].dtype == np.float32
    new = planted_topics(n_topics=4, words_per_topic=8, n_docs=40, doc_len=20, seed=1)[0]
    X16, X32 = half.transform(new), full.transform(new)
    assert X16.dtype == np.float32
    # inference trains in float32 against the stored (rounded) layers, with the same seed:
    # the float32 model holding those values infers the very same vectors
    assert_array_equal(X16, _rounded_doc2vec(full).transform(new))
    # ... close to the float32 model's inference
    assert_allclose(X16, X32, rtol=0, atol=0.01 * np.abs(X32).max())
    assert half.score(new) == pytest.approx(full.score(new), rel=1e-3)


def test_doc2vec_pickle_halves_and_round_trips():
    docs = _random_docs()
    full, half = _pair(Doc2VecVectorizer, docs, vector_size=200, min_count=1, epochs=1)
    assert _pickle_ratio(full, half) < 0.6
    again = pickle.loads(pickle.dumps(half))
    assert again.dv_.vectors.dtype == np.float16
    assert_array_equal(again.transform(docs[:10]), half.transform(docs[:10]))


def test_doc2vec_partial_fit_trains_in_float32_and_stores_again():
    full, half = _pair(Doc2VecVectorizer, DOCS, **D2V)
    reference = _rounded_doc2vec(full)
    before = half.wv_.vectors.copy()
    half.partial_fit(DOCS[:100])
    reference.partial_fit(DOCS[:100])
    assert half.wv_.vectors.dtype == np.float16 and half.dv_.vectors.dtype == np.float16
    assert len(half.dv_) == len(DOCS) + 100
    assert not np.array_equal(half.wv_.vectors, before)  # it trained
    assert_array_equal(half.wv_.vectors, reference.wv_.vectors.astype(np.float16))
    assert_array_equal(half.dv_.vectors, reference.dv_.vectors.astype(np.float16))


def test_doc2vec_failed_partial_fit_keeps_the_half_model():
    _, half = _pair(Doc2VecVectorizer, DOCS, **D2V)
    dv, wv = half.dv_, half.wv_.vectors.copy()

    def stop(*args, **kwargs):
        raise RuntimeError("stop")

    half.set_params(callbacks=[stop])
    with pytest.raises(RuntimeError, match="stop"):
        half.partial_fit(DOCS[:50])
    assert half.dv_ is dv and half.dv_.vectors.dtype == np.float16 and len(half.dv_) == len(DOCS)
    assert half.wv_.vectors.dtype == np.float16
    assert_array_equal(half.wv_.vectors, wv)


@pytest.mark.parametrize("dm", [True, False])
def test_doc2vec_half_model_recovers_planted_topics_far_above_an_untrained_control(dm):
    params = dict(dm=dm, vector_size=16, min_count=1, sample=0.0, random_state=0,
                  storage_dtype="float16")  # fmt: skip
    trained = Doc2VecVectorizer(epochs=10, **params).fit(DOCS)
    control = Doc2VecVectorizer(epochs=0, **params).fit(DOCS)
    assert _purity(control.transform(DOCS), LABELS) < 0.4  # chance is 0.25
    assert _purity(trained.dv_.vectors.astype(np.float32), LABELS) > 0.65
    assert _purity(trained.transform(DOCS), LABELS) > 0.75


# --------------------------------------------------------------- classifier
CLF = dict(vector_size=16, epochs=5, bucket=10_000)


@pytest.mark.parametrize("loss", ["softmax", "hs", "ova"])
def test_classifier_stores_the_float32_run_rounded_and_predicts_in_float32(loss):
    docs, labels = _labelled()
    test_docs, _ = _labelled(seed=1)
    full, half = _pair(FastTextClassifier, docs, labels, **CLF, loss=loss)
    for name in ("_ngram_vectors", "_output_vectors"):
        assert getattr(half, name).dtype == np.float16
        assert_array_equal(getattr(half, name), getattr(full, name).astype(np.float16))
    assert half.wv_.vectors.dtype == np.float16
    assert_array_equal(half.wv_.vectors, full.wv_.vectors.astype(np.float16))
    # the float32 classifier holding the stored values gives the very same answers
    reference = copy.deepcopy(full)
    for array in (reference.wv_.vectors, reference._ngram_vectors, reference._output_vectors):
        array[...] = _rounded(array)
    H16, H32 = half.transform(test_docs), full.transform(test_docs)
    assert H16.dtype == np.float32
    assert_array_equal(H16, reference.transform(test_docs))
    assert_array_equal(half.predict_proba(test_docs), reference.predict_proba(test_docs))
    scale = np.abs(np.concatenate([full.wv_.vectors, full._ngram_vectors])).max()
    assert_allclose(H16, H32, rtol=0, atol=HALF_ULP * scale)
    assert_allclose(half.predict_proba(test_docs), full.predict_proba(test_docs), atol=1e-3)
    assert (half.predict(test_docs) == full.predict(test_docs)).mean() > 0.99


def test_classifier_pickle_halves():
    docs, labels = _labelled()
    full, half = _pair(FastTextClassifier, docs, labels, vector_size=200, epochs=1,
                       bucket=10_000)  # fmt: skip
    assert _pickle_ratio(full, half) < 0.6
    again = pickle.loads(pickle.dumps(half))
    assert_array_equal(again.predict_proba(docs[:20]), half.predict_proba(docs[:20]))


def test_classifier_partial_fit_widens_trains_on_and_stores_again():
    # the documented choice: a continued fit widens the stored rows to float32, trains
    # them as the float32 classifier holding those values would, and stores float16 again
    docs, labels = _labelled()
    full, half = _pair(FastTextClassifier, docs, labels, **CLF)
    reference = copy.deepcopy(full)
    for array in (reference.wv_.vectors, reference._ngram_vectors, reference._output_vectors):
        array[...] = _rounded(array)
    more, more_labels = _labelled(seed=2)
    before = half._output_vectors.copy()
    half.partial_fit(more, more_labels)
    reference.partial_fit(more, more_labels)
    assert half.wv_.vectors.dtype == np.float16 and half._ngram_vectors.dtype == np.float16
    assert not np.array_equal(half._output_vectors, before)  # it trained
    assert_array_equal(half.wv_.vectors, reference.wv_.vectors.astype(np.float16))
    assert_array_equal(half._ngram_vectors, reference._ngram_vectors.astype(np.float16))
    assert_array_equal(half._output_vectors, reference._output_vectors.astype(np.float16))
    # a warm start switched to float32 keeps float32
    half.set_params(warm_start=True, storage_dtype="float32").fit(docs, labels)
    assert half.wv_.vectors.dtype == np.float32 and half._output_vectors.dtype == np.float32


def test_classifier_half_model_learns_a_planted_label_and_a_shuffled_control_does_not():
    docs, labels = _labelled()
    test_docs, test_labels = _labelled(seed=1)
    params = dict(vector_size=16, epochs=10, bucket=10_000, random_state=0,
                  storage_dtype="float16")  # fmt: skip
    clf = FastTextClassifier(**params).fit(docs, labels)
    assert clf.score(test_docs, test_labels) > 0.95
    shuffled_docs, shuffled = _labelled(shuffle_labels=True)
    control = FastTextClassifier(**params).fit(shuffled_docs, shuffled)
    assert control.score(test_docs, test_labels) < 0.25 + 0.12


# ------------------------------------------------------------------- shared
@pytest.mark.parametrize(
    ("cls", "params", "docs", "y"),
    [
        (FastTextVectorizer, FT, SPELLED, None),
        (Doc2VecVectorizer, D2V, DOCS, None),
        (FastTextClassifier, CLF, *_labelled()),
    ],
    ids=["fasttext", "doc2vec", "classifier"],
)
def test_half_fit_transform_equals_fit_then_transform_in_float32(cls, params, docs, y):
    half = dict(params, random_state=0, storage_dtype="float16")
    X = cls(**half).fit_transform(docs, y)
    assert X.dtype == np.float32
    assert_array_equal(X, cls(**half).fit(docs, y).transform(docs))
