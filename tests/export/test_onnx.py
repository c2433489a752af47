"""to_onnx and encode_for_onnx: the ONNX graphs reproduce transform in ONNX Runtime."""

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone

from skembed import Doc2VecVectorizer, FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from skembed.export import encode_for_onnx, to_onnx

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")

POOLINGS = ["mean", "sum", "max", "tfidf", "sif", "usif", "minmeanmax"]
FITTED_POOLINGS = ("sif", "usif")  # fitted on the training documents: refit to switch
TOL = 1e-5

TRAIN = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a bird flew over the house",
    "my cat and my dog ate the bird food",
] * 8
# unseen words, uppercase, an empty document, a document of unseen words only,
# repeated words, digits and underscores, punctuation
PROBE = [
    "The cats sat on THE mat!",
    "zebras and aardvarks",
    "",
    "   ...   ",
    "the the the dog",
    "house_2 flew 42 times, a bird-dog",
    "q",
]

ESTIMATORS = {
    "word2vec": lambda: Word2VecVectorizer(vector_size=8, min_count=2, epochs=2, random_state=0),
    "glove": lambda: GloVeVectorizer(vector_size=8, min_count=2, epochs=2, random_state=0),
    "fasttext": lambda: FastTextVectorizer(
        vector_size=8, min_count=2, bucket=500, compact=False, epochs=2, random_state=0
    ),
    "fasttext_compact": lambda: FastTextVectorizer(
        vector_size=8, min_count=2, bucket=500, compact=True, epochs=2, random_state=0
    ),
    # one-character n-grams: the graph must drop "<" and ">" as fastText does
    "fasttext_unigrams": lambda: FastTextVectorizer(
        vector_size=8, min_count=2, bucket=300, min_n=1, max_n=3, epochs=2, random_state=0
    ),
    "fasttext_no_subwords": lambda: FastTextVectorizer(
        vector_size=8, min_count=2, bucket=0, epochs=2, random_state=0
    ),
}


@pytest.fixture(scope="module", params=sorted(ESTIMATORS))
def fitted(request):
    return ESTIMATORS[request.param]().fit(TRAIN)


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _run(model, feeds):
    (out,) = _session(model).run(None, feeds)
    return out


def _text(docs):
    return {"text": np.array(docs, dtype=object)}


def test_compacted_model_counts_untouched_buckets_as_zero_rows():
    """Unseen words whose n-grams fall, partly or wholly, in buckets training never touched."""
    vec = ESTIMATORS["fasttext_compact"]().fit(TRAIN)
    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("qxzjvkwy"), size=rng.integers(2, 6))) for _ in range(300)]
    _, n_stored = vec.wv_.unseen_vectors(words)
    assert (n_stored == 0).any() and (n_stored > 0).any()  # both kinds are probed
    docs = [" ".join(words[i : i + 3]) + " cat" for i in range(0, 300, 3)]
    for pooling in ("mean", "sum"):
        vec.set_params(pooling=pooling)
        expected = vec.transform(docs)
        for model, feeds in ((to_onnx(vec), encode_for_onnx(vec, docs)),
                             (to_onnx(vec, input="text"), _text(docs))):  # fmt: skip
            np.testing.assert_allclose(_run(model, feeds), expected, rtol=0, atol=TOL)


def _with_pooling(fitted, pooling):
    if pooling in FITTED_POOLINGS:
        return clone(fitted).set_params(pooling=pooling).fit(TRAIN)
    return fitted.set_params(pooling=pooling)


@pytest.mark.parametrize("pooling", POOLINGS)
def test_token_graph_matches_transform(fitted, pooling):
    fitted = _with_pooling(fitted, pooling)
    expected = fitted.transform(PROBE)
    out = _run(to_onnx(fitted), encode_for_onnx(fitted, PROBE))
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=0, atol=TOL)
    # empty documents and documents of unseen words only are rows of zeros, as in transform
    assert not out[2].any() and not out[3].any()


@pytest.mark.parametrize("pooling", POOLINGS)
def test_text_graph_matches_transform_on_ascii(fitted, pooling):
    fitted = _with_pooling(fitted, pooling)
    out = _run(to_onnx(fitted, input="text"), _text(PROBE))
    np.testing.assert_allclose(out, fitted.transform(PROBE), rtol=0, atol=TOL)


def test_fasttext_unseen_words_are_composed_in_the_graph():
    vec = ESTIMATORS["fasttext"]().fit(TRAIN)
    docs = ["aardvarks", "cats", "catdog"]
    feeds = encode_for_onnx(vec, docs)
    assert (feeds["token_ids"] == -1).all() and (feeds["ngram_buckets"] >= 0).any()
    expected = vec.transform(docs)
    assert np.abs(expected).sum(axis=1).min() > 0  # unseen words do get vectors
    np.testing.assert_allclose(_run(to_onnx(vec), feeds), expected, atol=TOL)
    np.testing.assert_allclose(_run(to_onnx(vec, input="text"), _text(docs)), expected, atol=TOL)


def test_all_documents_empty():
    vec = ESTIMATORS["fasttext"]().fit(TRAIN)
    for pooling in ("mean", "max"):
        vec.set_params(pooling=pooling)
        out = _run(to_onnx(vec, input="text"), _text(["", "!!"]))
        assert out.shape == (2, 8) and not out.any()
        feeds = encode_for_onnx(vec, ["", "!!"])
        assert feeds["token_ids"].shape == (2, 0)
        assert not _run(to_onnx(vec), feeds).any()


def test_text_graph_removes_stop_words_and_respects_lowercase():
    vec = Word2VecVectorizer(
        vector_size=8,
        min_count=1,
        epochs=2,
        random_state=0,
        stop_words=["on", "the"],
        lowercase=False,
    ).fit(TRAIN)
    docs = ["The cat sat on the mat", "CAT Dog the"]
    expected = vec.transform(docs)
    np.testing.assert_allclose(_run(to_onnx(vec, input="text"), _text(docs)), expected, atol=TOL)
    ft = FastTextVectorizer(
        vector_size=8, min_count=1, bucket=200, epochs=1, random_state=0, stop_words="english"
    ).fit(TRAIN)
    # a stop word outside the vocabulary must not be composed from its n-grams
    docs = ["the cat is on a mat", "whereupon cats"]
    np.testing.assert_allclose(
        _run(to_onnx(ft, input="text"), _text(docs)), ft.transform(docs), atol=TOL
    )


def test_token_graph_follows_a_custom_analyzer():
    vec = Word2VecVectorizer(
        vector_size=8,
        min_count=1,
        epochs=1,
        random_state=0,
        tokenizer=str.split,
        token_pattern=None,
    ).fit(TRAIN)
    docs = ["the cat, sat", "café au lait"]
    out = _run(to_onnx(vec), encode_for_onnx(vec, docs))
    np.testing.assert_allclose(out, vec.transform(docs), atol=TOL)
    with pytest.raises(ValueError, match="tokenizer="):
        to_onnx(vec, input="text")


@pytest.mark.parametrize(
    "params, name",
    [
        ({"strip_accents": "ascii"}, "strip_accents="),
        ({"token_pattern": r"\S+"}, "token_pattern="),
        ({"preprocessor": str.upper}, "preprocessor="),
    ],
)
def test_text_graph_refuses_custom_analyzers(params, name):
    vec = Word2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0, **params)
    with pytest.raises(ValueError, match=name):
        to_onnx(vec.fit(TRAIN), input="text")


def test_non_ascii_text_is_the_documented_limit():
    # RE2's \w is ASCII: the text graph cuts "café" to "caf", the token graph is exact
    vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0)
    vec.fit(["café au lait"] * 5 + TRAIN)
    docs = ["café"]
    assert not _run(to_onnx(vec, input="text"), _text(docs)).any()
    exact = _run(to_onnx(vec), encode_for_onnx(vec, docs))
    np.testing.assert_allclose(exact, vec.transform(docs), atol=TOL)
    assert exact.any()


def test_metadata_holds_the_vocabulary_and_settings():
    vec = ESTIMATORS["fasttext"]().fit(TRAIN)
    meta = {p.key: p.value for p in to_onnx(vec).metadata_props}
    assert json.loads(meta["skembed.vocabulary"]) == vec.wv_.index_to_key
    assert meta["skembed.pooling"] == "mean" and meta["skembed.input"] == "tokens"
    assert (meta["skembed.min_n"], meta["skembed.max_n"], meta["skembed.bucket"]) == (
        "3",
        "6",
        "500",
    )


def test_the_model_survives_a_file_round_trip(tmp_path):
    vec = ESTIMATORS["word2vec"]().fit(TRAIN)
    path = tmp_path / "w2v.onnx"
    onnx.save(to_onnx(vec, input="text"), str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, _text(PROBE))
    np.testing.assert_allclose(out, vec.transform(PROBE), atol=TOL)


def test_doc2vec_is_refused_with_the_reason():
    vec = Doc2VecVectorizer(vector_size=4, min_count=1, epochs=1, random_state=0).fit(TRAIN)
    with pytest.raises(TypeError, match="gradient descent"):
        to_onnx(vec)


def test_other_objects_and_inputs_are_refused():
    with pytest.raises(TypeError, match="vectorizer must be"):
        to_onnx(object())
    vec = ESTIMATORS["word2vec"]().fit(TRAIN)
    with pytest.raises(ValueError, match="input must be"):
        to_onnx(vec, input="ids")


def test_a_pooling_without_exporter_is_named():
    vec = ESTIMATORS["word2vec"]().fit(TRAIN)
    vec.pooling = "median"  # as a pooling added later would be set
    with pytest.raises(NotImplementedError, match="pooling='median'"):
        to_onnx(vec)


def test_a_smoothed_pooling_switched_after_fit_is_refused():
    vec = ESTIMATORS["word2vec"]().fit(TRAIN)
    vec.set_params(pooling="sif")  # no SIF weights were fitted
    with pytest.raises(ValueError, match="pooling='sif' was not fitted"):
        to_onnx(vec)


def test_missing_extra_names_it(monkeypatch):
    vec = ESTIMATORS["word2vec"]().fit(TRAIN)
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"skembed\[export\]"):
        to_onnx(vec)


@pytest.mark.slow
def test_import_skembed_loads_no_export_package():
    code = (
        "import sys, skembed, skembed.models, skembed.vectors\n"
        "loaded = {'onnx', 'onnxruntime', 'skl2onnx'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_export_imports_and_names_the_extra_without_its_packages():
    code = (
        "import sys\n"
        "for name in ('onnx', 'onnxruntime', 'skl2onnx'):\n"
        "    sys.modules[name] = None\n"
        "import skembed.export\n"
        "from skembed import Word2VecVectorizer\n"
        "vec = Word2VecVectorizer(vector_size=4, min_count=1, epochs=1).fit(['a b a b'])\n"
        "try:\n"
        "    skembed.export.to_onnx(vec)\n"
        "except ImportError as exc:\n"
        "    assert 'skembed[export]' in str(exc), exc\n"
        "else:\n"
        "    raise AssertionError('no ImportError')\n"
        "assert skembed.export.embedding_arrays(vec.wv_)[0].shape == (2, 4)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
