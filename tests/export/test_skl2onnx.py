"""skl2onnx converters: whole pipelines with a skembed vectorizer convert and run."""

import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import skembed.export  # noqa: F401  (registers the converters)
from skembed import Doc2VecVectorizer, FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
from skl2onnx.common.data_types import FloatTensorType, StringTensorType  # noqa: E402

TOL = 1e-5
INITIAL = [("text", StringTensorType([None, 1]))]

ANIMALS = ["the cat sat on the mat", "my dog ate the bone", "a cat and a kitten purr"]
PLACES = ["the house by the river", "a town on the hill", "my house has a red door"]
DOCS = (ANIMALS + PLACES) * 6
LABELS = ([0] * 3 + [1] * 3) * 6
PROBE = ["The CAT sat", "a river town", "", "unseen zebras", "kitten house door", "cats dogs"]

VECTORIZERS = {
    "word2vec": lambda: Word2VecVectorizer(vector_size=8, min_count=1, epochs=3, random_state=0),
    "glove": lambda: GloVeVectorizer(vector_size=8, min_count=1, epochs=3, random_state=0),
    "fasttext": lambda: FastTextVectorizer(
        vector_size=8, min_count=1, bucket=400, epochs=3, random_state=0
    ),
}


def _column(docs):
    return np.array(docs, dtype=object).reshape(-1, 1)


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _convert(estimator):
    return skl2onnx.to_onnx(estimator, initial_types=INITIAL, options={"zipmap": False})


@pytest.mark.parametrize("name", sorted(VECTORIZERS))
@pytest.mark.parametrize("pooling", ["mean", "sum", "max", "tfidf", "sif", "usif", "minmeanmax"])
def test_converted_vectorizer_gives_transform(name, pooling):
    vec = VECTORIZERS[name]().set_params(pooling=pooling).fit(DOCS)
    model = skl2onnx.to_onnx(vec, initial_types=INITIAL)
    (features,) = _session(model).run(None, {"text": _column(PROBE)})
    np.testing.assert_allclose(features, vec.transform(PROBE), rtol=0, atol=TOL)


@pytest.mark.parametrize("name", sorted(VECTORIZERS))
def test_converted_pipeline_predicts_as_scikit_learn(name):
    pipe = make_pipeline(VECTORIZERS[name](), LogisticRegression()).fit(DOCS, LABELS)
    labels, probabilities = _session(_convert(pipe)).run(None, {"text": _column(PROBE)})
    np.testing.assert_array_equal(labels, pipe.predict(PROBE))
    np.testing.assert_allclose(probabilities, pipe.predict_proba(PROBE), atol=TOL)


def test_pipeline_pickles_and_converts_again_after_set_params():
    pipe = make_pipeline(VECTORIZERS["fasttext"](), LogisticRegression()).fit(DOCS, LABELS)
    _convert(pipe)
    copy = pickle.loads(pickle.dumps(pipe))
    copy.set_params(fasttextvectorizer__pooling="max", logisticregression__C=0.5)
    copy.fit(DOCS, LABELS)
    labels, probabilities = _session(_convert(copy)).run(None, {"text": _column(PROBE)})
    np.testing.assert_array_equal(labels, copy.predict(PROBE))
    np.testing.assert_allclose(probabilities, copy.predict_proba(PROBE), atol=TOL)
    # the pooling changed, so the features of the two pipelines differ
    assert not np.allclose(copy[0].transform(PROBE), pipe[0].transform(PROBE))


def test_doc2vec_pipeline_is_refused_with_the_reason():
    pipe = make_pipeline(
        Doc2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0),
        LogisticRegression(),
    ).fit(DOCS, LABELS)
    with pytest.raises(TypeError, match="gradient descent"):
        _convert(pipe)


def test_non_string_input_is_refused():
    vec = VECTORIZERS["word2vec"]().fit(DOCS)
    with pytest.raises(TypeError, match="StringTensorType"):
        skl2onnx.to_onnx(vec, initial_types=[("x", FloatTensorType([None, 1]))])


def test_custom_analyzer_is_refused_by_name():
    vec = Word2VecVectorizer(
        vector_size=4, min_count=1, epochs=1, tokenizer=str.split, token_pattern=None
    ).fit(DOCS)
    with pytest.raises(ValueError, match="tokenizer="):
        skl2onnx.to_onnx(vec, initial_types=INITIAL)


def test_an_opset_below_18_is_named():
    vec = VECTORIZERS["word2vec"]().fit(DOCS)
    with pytest.raises(ValueError, match="target_opset=15"):
        skl2onnx.to_onnx(vec, initial_types=INITIAL, target_opset=15)
