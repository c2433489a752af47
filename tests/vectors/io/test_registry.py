"""The format registry: every format round-trips through load/save and WordVectors.save/load."""

import pathlib

import numpy as np
import pytest

from skembed.utils._files import FileFormatError
from skembed.vectors import FastTextWordVectors, WordVectors, load, save
from skembed.vectors.io import FORMATS, detect_format

DATA = pathlib.Path(__file__).parents[2] / "data" / "fasttext"
WORDS = ["king", "queen", "caf\u00e9", "\u65e5\u672c", "x"]


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(WORDS), 6)).astype(np.float32)
    vectors[0, 0] = np.float32(1e-38)  # subnormal-adjacent and extreme values survive text
    vectors[1, 1] = np.finfo(np.float32).max
    return WordVectors(WORDS, vectors, counts=[50, 40, 30, 20, 10])


@pytest.fixture
def ft():
    rng = np.random.default_rng(1)
    return FastTextWordVectors(WORDS, rng.normal(size=(5, 4)), rng.normal(size=(64, 4)),
                               min_n=2, max_n=4, counts=[5, 4, 3, 2, 1])  # fmt: skip


def _assert_same(a, b, counts=True, unseen=("kingdom", "zz")):
    assert type(a) is type(b)
    assert a.index_to_key == b.index_to_key
    np.testing.assert_array_equal(a.vectors, b.vectors)
    if counts:
        np.testing.assert_array_equal(a.counts, b.counts)
    if isinstance(a, FastTextWordVectors):
        assert (a.min_n, a.max_n, a.bucket, a.is_compact) == (b.min_n, b.max_n, b.bucket,
                                                              b.is_compact)  # fmt: skip
        np.testing.assert_array_equal(a._input, b._input)
        np.testing.assert_array_equal(a.ngram_rows, b.ngram_rows)
        for word in unseen:
            np.testing.assert_array_equal(a[word], b[word])


SUFFIX = {"npz": ".npz", "word2vec": ".vec", "word2vec-binary": ".bin", "glove": ".txt",
          "fasttext": ".bin", "safetensors": ".safetensors"}  # fmt: skip


def test_every_format_is_covered():
    assert sorted(FORMATS) == sorted(SUFFIX)


@pytest.mark.parametrize("format", sorted(SUFFIX))
def test_round_trip_of_word_vectors(tmp_path, wv, format):
    path = tmp_path / f"v{SUFFIX[format]}"
    save(wv, path, format=format)
    assert detect_format(path) == format
    for back in (load(path), load(path, format=format)):
        if format == "fasttext":  # subwords off: every word its own row
            assert isinstance(back, FastTextWordVectors) and not back.subwords_enabled
            assert back.index_to_key == wv.index_to_key
            np.testing.assert_array_equal(back.vectors, wv.vectors)
            np.testing.assert_array_equal(back.counts, wv.counts)
        else:
            expected = wv if format == "npz" else WordVectors(wv.index_to_key, wv.vectors)
            _assert_same(expected, back, counts=format == "npz")


@pytest.mark.parametrize("format", ["npz", "fasttext"])
def test_round_trip_of_fasttext_vectors(tmp_path, ft, format):
    path = tmp_path / f"ft{SUFFIX[format]}"
    save(ft, path)  # the suffix picks the format: .bin is fastText for subword vectors
    assert detect_format(path) == format
    _assert_same(ft, load(path))
    _assert_same(ft, FastTextWordVectors.load(path))


def test_npz_round_trip_of_a_compacted_model(tmp_path, ft):
    compact = ft.compact()
    assert compact.is_compact
    path = tmp_path / "compact.npz"
    compact.save(path)
    _assert_same(compact, FastTextWordVectors.load(path))


def test_npz_round_trip_without_counts_with_odd_words_and_empty(tmp_path):
    words = ["a b", "tab\there", "", "\udcff\udcfe", "nul\0", "\0"]
    wv = WordVectors(words, np.arange(12, dtype=np.float32).reshape(6, 2))
    wv.save(tmp_path / "odd.npz")
    back = WordVectors.load(tmp_path / "odd.npz")
    assert back.counts is None
    _assert_same(wv, back, counts=False)
    empty = WordVectors([], np.empty((0, 3), np.float32))
    empty.save(tmp_path / "empty.npz")
    back = WordVectors.load(tmp_path / "empty.npz")
    assert len(back) == 0 and back.vectors.shape == (0, 3)


def test_fasttext_model_file_round_trips_through_npz(tmp_path):
    wv = load(DATA / "tiny_skipgram.bin")
    wv.save(tmp_path / "tiny.npz")
    _assert_same(wv, load(tmp_path / "tiny.npz"), unseen=("naïve", "日本語", "q"))


@pytest.mark.parametrize(
    "name,format",
    [("v.npz", "npz"), ("v.NPZ", "npz"), ("v.txt", "word2vec"), ("v.vec", "word2vec"),
     ("v.w2v", "word2vec"), ("v.bin", "word2vec-binary")],
)  # fmt: skip
def test_save_picks_the_format_from_the_suffix(tmp_path, wv, name, format):
    path = tmp_path / name
    save(wv, path)
    assert detect_format(path) == format


def test_word_vectors_save_without_suffix_writes_npz_and_load_sniffs_it(tmp_path, wv, ft):
    wv.save(tmp_path / "model")
    assert (tmp_path / "model").read_bytes()[:4] == b"PK\x03\x04"
    assert detect_format(tmp_path / "model") == "npz"
    _assert_same(wv, WordVectors.load(tmp_path / "model"))
    save(ft, tmp_path / "ft.model", format="fasttext")
    assert detect_format(tmp_path / "ft.model") == "fasttext"
    _assert_same(ft, load(tmp_path / "ft.model"))


def test_content_decides_between_formats_sharing_a_suffix(tmp_path, wv, ft):
    # .bin: fastText's magic number, else word2vec binary
    save(ft, tmp_path / "a.bin")
    save(wv, tmp_path / "b.bin")
    assert detect_format(tmp_path / "a.bin") == "fasttext"
    assert detect_format(tmp_path / "b.bin") == "word2vec-binary"
    # .txt / .vec: a first line of two integers is word2vec, anything else GloVe
    for suffix in (".txt", ".vec"):
        save(wv, tmp_path / f"w2v{suffix}", format="word2vec")
        save(wv, tmp_path / f"glove{suffix}", format="glove")
        assert detect_format(tmp_path / f"w2v{suffix}") == "word2vec"
        assert detect_format(tmp_path / f"glove{suffix}") == "glove"
        assert (tmp_path / f"w2v{suffix}").read_text().splitlines()[0] == "5 6"
        assert (tmp_path / f"glove{suffix}").read_text().startswith("king ")


def test_word_vectors_methods_are_thin_wrappers(tmp_path, wv):
    wv.save_word2vec_format(tmp_path / "t.txt")
    wv.save_word2vec_format(tmp_path / "b.bin", binary=True)
    assert detect_format(tmp_path / "t.txt") == "word2vec"
    assert detect_format(tmp_path / "b.bin") == "word2vec-binary"
    for path, binary in ((tmp_path / "t.txt", False), (tmp_path / "b.bin", True)):
        back = WordVectors.load_word2vec_format(path, binary=binary)
        np.testing.assert_array_equal(back.vectors, wv.vectors)
        _assert_same(back, WordVectors.load(path), counts=False)
    wv.save(tmp_path / "g.txt", format="glove")
    _assert_same(WordVectors(WORDS, wv.vectors), WordVectors.load(tmp_path / "g.txt"),
                 counts=False)  # fmt: skip


def test_unknown_suffix_and_format_are_refused(tmp_path, wv):
    path = tmp_path / "v.xyz"
    with pytest.raises(ValueError, match=r"v\.xyz: cannot tell the format from the suffix"):
        save(wv, path)
    path.write_bytes(b"king 1 2\n")
    with pytest.raises(ValueError, match=r"v\.xyz: cannot tell the format.*pass format="):
        load(path)
    assert load(path, format="glove").index_to_key == ["king"]
    for call in (lambda: load(path, format="xyz"), lambda: save(wv, path, format="pickle")):
        with pytest.raises(ValueError, match=r"format='(xyz|pickle)' is not one of \['fasttext'"):
            call()


def test_load_as_the_wrong_class_is_refused(tmp_path, wv):
    wv.save(tmp_path / "plain.npz")
    with pytest.raises(TypeError, match="holds WordVectors, not FastTextWordVectors"):
        FastTextWordVectors.load(tmp_path / "plain.npz")


def test_reader_errors_name_the_file(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\nkingdom_of_heaven 1 2\n")
    with pytest.raises(FileFormatError, match=r"v\.txt, line 2: the file ends after 1 of the 2"):
        load(path)
