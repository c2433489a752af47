"""The vectorizers' ``postprocessing`` option: word vectors transformed before pooling."""

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils._param_validation import InvalidParameterError

from skembed import (
    FastTextVectorizer,
    GloVeVectorizer,
    PretrainedVectorizer,
    Word2VecVectorizer,
    WordVectors,
)
from skembed.vectors import AllButTheTop, L2Normalizer, Whitener
from skembed.vectors._postprocessing import make_postprocessor

DOCS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a bird flew over the house",
    "my cat and my dog ate the bird food",
] * 10


def _w2v(**kw):
    return Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0, **kw)


def _mean_pool(docs, vectors, index):
    out = np.zeros((len(docs), vectors.shape[1]))
    for i, doc in enumerate(docs):
        rows = [index[w] for w in doc.split() if w in index]
        if rows:
            out[i] = vectors[rows].mean(axis=0)
    return out


def test_names_lists_and_objects_make_new_transformers():
    assert isinstance(make_postprocessor("l2"), L2Normalizer)
    assert make_postprocessor(None) is None
    given = Whitener(method="pca", n_components=3)
    made = make_postprocessor(given)
    assert isinstance(made, Whitener) and made is not given and made.n_components == 3
    pipe = make_postprocessor(["center", AllButTheTop(n_components=1), "l2"])
    names = [type(s).__name__ for _, s in pipe.steps]
    assert names == ["Centerer", "AllButTheTop", "L2Normalizer"]


@pytest.mark.parametrize(
    "spec, error, text",
    [
        ("bogus", ValueError, "postprocessing='bogus'"),
        (["l2", "bogus"], ValueError, r"postprocessing\[1\]='bogus'"),
        (["l2", 3], TypeError, r"postprocessing\[1\]"),
        ([], ValueError, "postprocessing=\\[\\] is empty"),
    ],
)
def test_bad_values_name_the_parameter(spec, error, text):
    with pytest.raises(error, match=text):
        make_postprocessor(spec)


def test_estimator_validates_the_parameter():
    with pytest.raises(InvalidParameterError, match="postprocessing"):
        _w2v(postprocessing="bogus").fit(DOCS)
    with pytest.raises(ValueError, match=r"postprocessing\[0\]"):
        _w2v(postprocessing=["nope"]).fit(DOCS)


@pytest.mark.parametrize("spec", ["l2", "center", ["center", "l2"], "all-but-the-top"])
def test_transform_pools_the_post_processed_vectors(spec):
    plain = _w2v().fit(DOCS)
    vec = _w2v(postprocessing=spec).fit(DOCS)
    # the same training: wv_ keeps the trained vectors
    np.testing.assert_array_equal(vec.wv_.vectors, plain.wv_.vectors)
    expected = make_postprocessor(spec).fit_transform(plain.wv_.vectors)
    probe = ["the cat ate food", "unknown words only", "dog dog bird"]
    want = _mean_pool(probe, expected, vec.wv_.key_to_index)
    np.testing.assert_allclose(vec.transform(probe), want, atol=1e-5)
    np.testing.assert_allclose(vec.fit_transform(DOCS), vec.transform(DOCS), atol=1e-6)
    # and it changes the features: a broken option that ignored the vectors would not
    assert not np.allclose(vec.transform(probe), plain.transform(probe), atol=1e-3)


def test_l2_rows_pool_to_at_most_unit_norm_and_max_pooling_of_one_word_is_unit():
    vec = _w2v(postprocessing="l2", pooling="max").fit(DOCS)
    out = vec.transform(["cat", "dog", "house"])
    np.testing.assert_allclose(np.linalg.norm(vec._feature_matrix(), axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_a_narrower_output_sets_the_feature_width():
    vec = _w2v(postprocessing=Whitener(method="pca", n_components=3), pooling="minmeanmax")
    out = vec.fit(DOCS).transform(DOCS[:4])
    assert out.shape == (4, 9)
    assert len(vec.get_feature_names_out()) == 9
    sif = _w2v(postprocessing=Whitener(method="pca", n_components=3), pooling="sif").fit(DOCS)
    assert sif.common_components_.shape == (1, 3) and sif.transform(DOCS).shape[1] == 3


@pytest.mark.parametrize("pooling", ["sif", "usif"])
def test_smoothed_pooling_is_fitted_on_the_post_processed_vectors(pooling):
    vec = _w2v(postprocessing="center", pooling=pooling).fit(DOCS)
    ref = PretrainedVectorizer(
        vectors=WordVectors(vec.wv_.index_to_key, vec._feature_matrix(), counts=vec.wv_.counts),
        pooling=pooling,
    ).fit(DOCS)
    np.testing.assert_allclose(vec.transform(DOCS), ref.transform(DOCS), atol=1e-5)


def test_fasttext_unseen_words_are_post_processed_too():
    vec = FastTextVectorizer(
        vector_size=8, min_count=1, bucket=500, epochs=2, random_state=0, postprocessing="l2"
    ).fit(DOCS)
    unseen = ["cats", "dogged", "housefly"]
    assert not any(w in vec.wv_.key_to_index for w in unseen)
    out = vec.transform(unseen)
    composed = np.stack([vec.wv_.get_vector(w) for w in unseen])
    np.testing.assert_allclose(
        out, composed / np.linalg.norm(composed, axis=1, keepdims=True), atol=1e-5
    )


def test_glove_and_pretrained_take_the_option():
    glove = GloVeVectorizer(vector_size=8, min_count=1, epochs=3, random_state=0,
                            postprocessing="center").fit(DOCS)  # fmt: skip
    centred = glove.wv_.vectors - glove.wv_.vectors.astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(glove._feature_matrix(), centred, atol=1e-5)
    wv = WordVectors(["cat", "dog", "sat"], np.array([[3, 4], [1, 0], [0, 2]], np.float32))
    pre = PretrainedVectorizer(vectors=wv, postprocessing="l2").fit(["cat dog"])
    np.testing.assert_allclose(pre.transform(["cat", "cat sat"]), [[0.6, 0.8], [0.3, 0.9]])
    assert pre.wv_ is wv and wv.vectors[0, 0] == 3  # the shared vectors are left alone


class _Broken(TransformerMixin, BaseEstimator):
    def __init__(self, shape=None, fail=False):
        self.shape = shape
        self.fail = fail

    def fit(self, X, y=None):
        if self.fail:
            raise RuntimeError("broken transformer")
        return self

    def transform(self, X):
        return np.zeros(self.shape) if self.shape else np.full(X.shape, np.nan)


def test_a_failing_or_wrong_transformer_leaves_the_estimator_as_it_was():
    vec = _w2v().fit(DOCS)
    before = vec.transform(DOCS)
    words = list(vec.wv_.index_to_key)
    for bad, error, text in [
        (_Broken(fail=True), RuntimeError, "broken transformer"),
        (_Broken(shape=(2, 2)), ValueError, "one row per word"),
        (_Broken(), ValueError, "NaN"),
    ]:
        vec.set_params(postprocessing=bad, warm_start=True)
        with pytest.raises(error, match=text):
            vec.fit(DOCS)
        vec.set_params(postprocessing=None, warm_start=False)
        assert vec.postprocessor_ is None and list(vec.wv_.index_to_key) == words
        np.testing.assert_array_equal(vec.transform(DOCS), before)


def test_pickle_and_clone():
    vec = _w2v(postprocessing=["center", "l2"]).fit(DOCS)
    back = pickle.loads(pickle.dumps(vec))
    np.testing.assert_array_equal(back.transform(DOCS), vec.transform(DOCS))
    fresh = clone(vec)
    assert not hasattr(fresh, "postprocessor_") and fresh.postprocessing == ["center", "l2"]


def test_onnx_export_uses_the_post_processed_vectors():
    ort = pytest.importorskip("onnxruntime")
    from skembed.export import encode_for_onnx, to_onnx

    vec = _w2v(postprocessing=["center", "l2"]).fit(DOCS)
    model = to_onnx(vec)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    probe = ["the cat ate food", "dog dog bird"]
    (out,) = session.run(None, encode_for_onnx(vec, probe))
    np.testing.assert_allclose(out, vec.transform(probe), atol=1e-5)
    ft = FastTextVectorizer(vector_size=8, min_count=1, bucket=100, epochs=1, random_state=0,
                            postprocessing="l2").fit(DOCS)  # fmt: skip
    with pytest.raises(NotImplementedError, match="postprocessing='l2'"):
        to_onnx(ft)


def test_post_processing_keeps_planted_topics_apart():
    """Neighbours in the post-processed vectors share their planted topic; untrained ones
    do not."""
    from tests.conftest import planted_topics, topic_purity

    docs, word_topic, _ = planted_topics()
    steps = ["center", "all-but-the-top", "l2"]
    kw = dict(vector_size=16, min_count=1, random_state=0, postprocessing=steps)

    def purity(epochs):
        vec = Word2VecVectorizer(epochs=epochs, **kw).fit(docs)
        return topic_purity(WordVectors(vec.wv_.index_to_key, vec._feature_matrix()), word_topic)

    trained, control = purity(20), purity(0)
    assert trained > 0.9 and control < 0.4
