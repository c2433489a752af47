"""Reading and writing facebook fastText files, checked against what fastText printed.

The fixtures in ``tests/data/fasttext`` were made with the real fastText (see the
README there); ``expected.json`` holds fastText's own answers.
"""

import json
import pathlib
import pickle
import shutil
import struct

import numpy as np
import pytest

from skembed.text._subwords import ngram_ids
from skembed.vectors._fasttext_vectors import FastTextWordVectors
from skembed.vectors._word_vectors import WordVectors
from skembed.vectors.io._fasttext_bin import (
    FastTextModel,
    _read_head,
    _Reader,
    load_fasttext_bin,
    save_fasttext_bin,
)

DATA = pathlib.Path(__file__).parents[2] / "data" / "fasttext"
BIN = DATA / "tiny_skipgram.bin"
VEC = DATA / "tiny_skipgram.vec"
LABELS_BIN = DATA / "tiny_cbow_with_labels.bin"
SUPERVISED = DATA / "tiny_supervised.bin"
FTZ = DATA / "tiny_supervised.ftz"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))

# byte offsets in a version-12 file
_OFFSET_VERSION, _OFFSET_MINN, _OFFSET_PRUNEIDX = 4, 44, 84


@pytest.fixture(scope="module")
def model():
    return load_fasttext_bin(BIN)


@pytest.fixture(scope="module")
def wv(model):
    return model.to_word_vectors()


def _patched(tmp_path, source, offset, fmt, value, name="patched.bin"):
    target = tmp_path / name
    shutil.copyfile(source, target)
    with open(target, "r+b") as fh:
        fh.seek(offset)
        fh.write(struct.pack(fmt, value))
    return target


def _quant_flag_offset(path):
    raw = path.read_bytes()
    reader = _Reader(raw, str(path))
    _read_head(reader)
    return reader.pos


# ------------------------------------------------------------------ reading
def test_header_and_dictionary(model):
    assert model.version == 12
    assert model.args == {**EXPECTED["args"], "t": pytest.approx(EXPECTED["args"]["t"])}
    assert model.model_name == "skipgram" and model.loss_name == "ns"
    assert model.nwords == EXPECTED["nwords"]
    assert model.words[:20] == EXPECTED["words_head"]
    assert model.counts[:20].tolist() == EXPECTED["counts_head"]
    assert model.counts.dtype == np.int64 and model.ntokens >= model.counts.sum()
    assert model.labels == []
    assert (model.min_n, model.max_n, model.bucket, model.dim) == (2, 4, 1000, 10)


def test_matrices(model):
    assert list(model.input_matrix.shape) == EXPECTED["input_shape"]
    assert list(model.output_matrix.shape) == EXPECTED["output_shape"]
    assert model.input_matrix.dtype == np.float32 and model.input_matrix.flags.c_contiguous
    assert model.input_matrix.astype(np.float64).sum() == pytest.approx(
        EXPECTED["input_sum"], rel=1e-9
    )


@pytest.mark.parametrize("word", sorted(EXPECTED["in_vocab"]))
def test_in_vocabulary_vectors_match_fasttext(wv, word):
    expected = EXPECTED["in_vocab"][word]
    assert word in wv
    np.testing.assert_allclose(wv.get_vector(word), expected["vector"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        wv.vectors[wv.get_index(word)], expected["vector"], rtol=0, atol=1e-6
    )
    pieces, ids = wv.get_subwords(word)
    assert pieces == expected["strings"] and ids.tolist() == expected["ids"]


@pytest.mark.parametrize("word", sorted(EXPECTED["unseen"]))
def test_unseen_vectors_match_fasttext(wv, word):
    expected = EXPECTED["unseen"][word]
    assert word not in wv
    vector = wv.get_vector(word)
    assert vector.dtype == np.float32 and vector.shape == (wv.vector_size,)
    np.testing.assert_allclose(vector, expected["vector"], rtol=0, atol=1e-6)
    pieces, ids = wv.get_subwords(word)
    assert pieces == expected["strings"] and ids.tolist() == expected["ids"]


def test_unseen_vector_is_mean_of_its_ngram_rows(model, wv):
    for word in ["naïve", "日本語", "xyzzy", "q"]:
        rows = ngram_ids(word, 2, 4, 1000, model.nwords)
        assert rows.size > 0 and rows.min() >= model.nwords
        expected = model.input_matrix[rows].astype(np.float64).mean(axis=0)
        np.testing.assert_allclose(wv[word], expected, rtol=0, atol=1e-6)


def test_vocabulary_vector_is_mean_of_word_and_ngram_rows(model, wv):
    for word in ["god", "москва"]:
        index = wv.get_index(word)
        rows = [index] + ngram_ids(word, 2, 4, 1000, model.nwords).tolist()
        expected = model.input_matrix[rows].astype(np.float64).mean(axis=0)
        np.testing.assert_allclose(wv[word], expected, rtol=0, atol=1e-6)
    # the end-of-line token is its own row only
    np.testing.assert_array_equal(wv["</s>"], model.input_matrix[wv.get_index("</s>")])


def test_vectors_equal_fasttext_vec(wv):
    # fastText's .vec prints the composed vectors with 5 significant digits
    vec = WordVectors.load_word2vec_format(VEC)
    assert vec.index_to_key == wv.index_to_key
    np.testing.assert_allclose(wv.vectors, vec.vectors, rtol=1e-4, atol=1e-6)


def test_word_vectors_basics(wv):
    assert isinstance(wv, WordVectors)
    assert wv.vectors_vocab.shape == (EXPECTED["nwords"], 10)
    assert wv.vectors_ngrams.shape == (1000, 10)
    assert wv.bucket == 1000 and (wv.min_n, wv.max_n) == (2, 4)
    assert wv.counts[:20].tolist() == EXPECTED["counts_head"]
    assert len(wv.most_similar("naïve", topn=3)) == 3  # unseen query words work
    assert -1.0 <= wv.similarity("café", "god") <= 1.0


def test_load_fasttext_bin_classmethod(wv):
    other = FastTextWordVectors.load_fasttext_bin(BIN)
    np.testing.assert_array_equal(other.vectors, wv.vectors)
    np.testing.assert_array_equal(other["émigré"], wv["émigré"])


def test_unsupervised_model_with_label_tokens():
    expected = EXPECTED["with_labels"]
    model = load_fasttext_bin(LABELS_BIN)
    assert model.labels == expected["labels"]
    assert model.nwords == expected["nwords"]
    assert model.model_name == "cbow"
    assert model.input_matrix.shape == (model.nwords + 100, 10)
    wv = model.to_word_vectors()
    assert "__label__a" not in wv
    for word, vector in expected["vectors"].items():
        np.testing.assert_allclose(wv[word], vector, rtol=0, atol=1e-6)


def test_minn_zero_in_file_means_one(tmp_path, wv):
    path = _patched(tmp_path, BIN, _OFFSET_MINN, "<i", 0)
    model = load_fasttext_bin(path)
    assert model.args["minn"] == 0 and (model.min_n, model.max_n) == (1, 4)
    pieces, _ = model.to_word_vectors().get_subwords("ab")
    assert pieces == ["<a", "<ab", "<ab>", "a", "ab", "ab>", "b", "b>"]


# ---------------------------------------------------------------- refusals
def test_supervised_model_is_refused():
    with pytest.raises(ValueError, match="supervised") as info:
        load_fasttext_bin(SUPERVISED)
    assert str(SUPERVISED) in str(info.value)
    assert "supervised (classification)" in str(info.value)
    assert "quantized" not in str(info.value)


def test_quantized_model_is_refused():
    # a real .ftz: fastText quantizes supervised models only, so both reasons apply
    with pytest.raises(ValueError, match="quantized") as info:
        load_fasttext_bin(FTZ)
    assert str(FTZ) in str(info.value) and "supervised" in str(info.value)


def test_quantized_unsupervised_model_is_refused(tmp_path):
    path = _patched(tmp_path, BIN, _quant_flag_offset(BIN), "<?", True, "flagged.ftz")
    with pytest.raises(ValueError, match="quantized") as info:
        load_fasttext_bin(path)
    assert "supervised (classification)" not in str(info.value)
    assert "flagged.ftz" in str(info.value)


def test_pruned_dense_model_is_refused(tmp_path):
    path = _patched(tmp_path, BIN, _OFFSET_PRUNEIDX, "<q", 0)
    with pytest.raises(ValueError, match="pruned"):
        load_fasttext_bin(path)


def test_other_files_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not a fastText .bin model"):
        load_fasttext_bin(VEC)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_fasttext_bin(empty)
    newer = _patched(tmp_path, BIN, _OFFSET_VERSION, "<i", 13, "newer.bin")
    with pytest.raises(ValueError, match="version 13"):
        load_fasttext_bin(newer)
    raw = BIN.read_bytes()
    for size in [6, 60, 200, len(raw) - 3]:
        cut = tmp_path / f"cut{size}.bin"
        cut.write_bytes(raw[:size])
        with pytest.raises(ValueError, match="cut"):
            load_fasttext_bin(cut)


# ------------------------------------------------------------------ writing
@pytest.mark.parametrize("source", [BIN, LABELS_BIN])
def test_save_reproduces_fasttext_file(tmp_path, source):
    target = tmp_path / "copy.bin"
    save_fasttext_bin(target, load_fasttext_bin(source))
    assert target.read_bytes() == source.read_bytes()


def test_save_new_model_and_read_back(tmp_path):
    rng = np.random.default_rng(0)
    words = ["</s>", "alpha", "béta", "γάμμα"]
    args = dict(
        dim=3, ws=5, epoch=5, minCount=1, neg=5, wordNgrams=1, loss=2, model=2,
        bucket=20, minn=2, maxn=3, lrUpdateRate=100, t=1e-4,
    )  # fmt: skip
    model = FastTextModel(
        words=words,
        counts=np.array([9, 5, 3, 2]),
        input_matrix=rng.normal(size=(24, 3)),
        output_matrix=rng.normal(size=(4, 3)),
        args=args,
        ntokens=19,
    )
    path = tmp_path / "new.bin"
    save_fasttext_bin(path, model)
    back = load_fasttext_bin(path)
    assert back.words == words and back.counts.tolist() == [9, 5, 3, 2]
    np.testing.assert_array_equal(back.input_matrix, model.input_matrix.astype(np.float32))
    assert back.args == args and back.ntokens == 19

    fasttext = pytest.importorskip("fasttext")  # optional: fastText reads it too
    ft = fasttext.load_model(str(path))
    wv = back.to_word_vectors()
    for word in words + ["unseen", "βήτα"]:
        np.testing.assert_allclose(wv[word], ft.get_word_vector(word), rtol=0, atol=1e-6)


def test_save_refuses_bad_models(tmp_path, model):
    bad = FastTextModel(**{**model.__dict__, "args": {**model.args, "model": 3}})
    with pytest.raises(ValueError, match="cbow"):
        save_fasttext_bin(tmp_path / "x.bin", bad)
    bad = FastTextModel(**{**model.__dict__, "input_matrix": model.input_matrix[:-1]})
    with pytest.raises(ValueError, match="nwords \\+ bucket"):
        save_fasttext_bin(tmp_path / "x.bin", bad)


# --------------------------------------------------------------- .vec files
def test_vec_round_trip(tmp_path):
    vec = WordVectors.load_word2vec_format(VEC)
    assert "москва" in vec and "東京" in vec
    path = tmp_path / "again.vec"
    vec.save_word2vec_format(path)
    again = WordVectors.load_word2vec_format(path)
    assert again.index_to_key == vec.index_to_key
    np.testing.assert_array_equal(again.vectors, vec.vectors)


def test_composed_vectors_written_as_vec(tmp_path, wv):
    path = tmp_path / "ours.vec"
    wv.save_word2vec_format(path)
    ours = WordVectors.load_word2vec_format(path)
    np.testing.assert_array_equal(ours.vectors, wv.vectors)
    with pytest.raises(TypeError, match="no subword information"):
        FastTextWordVectors.load_word2vec_format(path)


# ------------------------------------------------------ FastTextWordVectors
def test_min_n_zero_disables_subwords():
    rng = np.random.default_rng(0)
    vocab, ngrams = rng.normal(size=(3, 4)), rng.normal(size=(50, 4))
    wv = FastTextWordVectors(["a", "bb", "ccc"], vocab, ngrams, min_n=0, max_n=4)
    assert not wv.subwords_enabled
    np.testing.assert_array_equal(wv.vectors, vocab.astype(np.float32))
    np.testing.assert_array_equal(wv["unseen"], np.zeros(4, dtype=np.float32))
    assert wv.get_subwords("bb")[0] == ["bb"]
    assert wv.get_subwords("zz")[0] == []


def test_constructor_matches_loader(model, wv):
    nwords = model.nwords
    built = FastTextWordVectors(
        model.words,
        model.input_matrix[:nwords],
        model.input_matrix[nwords:],
        min_n=2,
        max_n=4,
        counts=model.counts,
    )
    np.testing.assert_array_equal(built.vectors, wv.vectors)
    with pytest.raises(ValueError, match="columns"):
        FastTextWordVectors(["a"], np.ones((1, 3)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="duplicates"):
        FastTextWordVectors(["a", "a"], np.ones((2, 3)), np.ones((5, 3)))


def test_pickle_and_npz_round_trip(tmp_path, wv):
    state = wv.__getstate__()
    assert "vectors" not in state and "key_to_index" not in state
    for other in [pickle.loads(pickle.dumps(wv)), _npz_round_trip(tmp_path, wv)]:
        assert isinstance(other, FastTextWordVectors)
        assert other.index_to_key == wv.index_to_key
        assert (other.min_n, other.max_n, other.bucket) == (2, 4, 1000)
        np.testing.assert_array_equal(other.vectors, wv.vectors)
        np.testing.assert_array_equal(other["Ölüm"], wv["Ölüm"])
        np.testing.assert_array_equal(other.counts, wv.counts)


def _npz_round_trip(tmp_path, wv):
    path = tmp_path / "wv.npz"
    wv.save(path)
    return FastTextWordVectors.load(path)
