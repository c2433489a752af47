"""fastText .bin files from before format version 11 (no signature) are read."""

import pathlib

import numpy as np
import pytest

from skembed.utils._files import FileFormatError
from skembed.vectors import FastTextWordVectors, load, save
from skembed.vectors.io import detect_format, load_fasttext_bin
from tests.vectors.io._fasttext_old import to_old_format

DATA = pathlib.Path(__file__).parents[2] / "data" / "fasttext"


@pytest.fixture
def ft():
    rng = np.random.default_rng(0)
    words = ["king", "queen", "caf\u00e9", "sea"]
    return FastTextWordVectors(words, rng.normal(size=(4, 3)), rng.normal(size=(40, 3)),
                               min_n=2, max_n=4, counts=[4, 3, 2, 1])  # fmt: skip


@pytest.mark.parametrize("source", ["ours", "tiny_skipgram.bin"])
def test_old_layout_reads_as_the_same_model(tmp_path, ft, source):
    new = tmp_path / "new.bin"
    if source == "ours":
        save(ft, new)
    else:
        new.write_bytes((DATA / source).read_bytes())
    old = tmp_path / "old.bin"
    old.write_bytes(to_old_format(new.read_bytes()))
    assert detect_format(old) == "fasttext"
    a, b = load_fasttext_bin(new), load_fasttext_bin(old)
    assert b.version == 0 and a.version == 12
    assert a.words == b.words and a.args == b.args and a.ntokens == b.ntokens
    np.testing.assert_array_equal(a.input_matrix, b.input_matrix)
    np.testing.assert_array_equal(a.output_matrix, b.output_matrix)
    wa, wb = load(new), load(old)
    np.testing.assert_array_equal(wa.vectors, wb.vectors)
    np.testing.assert_array_equal(wa["unseenword"], wb["unseenword"])
    # written back, it is a current file
    save(wb, tmp_path / "again.bin")
    assert load_fasttext_bin(tmp_path / "again.bin").version == 12


def test_damaged_old_files_are_refused_naming_the_file(tmp_path, ft):
    save(ft, tmp_path / "new.bin")
    old = to_old_format((tmp_path / "new.bin").read_bytes())
    for cut in (60, 90, len(old) - 7):
        path = tmp_path / f"cut{cut}.bin"
        path.write_bytes(old[:cut])
        with pytest.raises(FileFormatError, match=str(path)):
            load(path, format="fasttext")


def test_word2vec_binary_is_not_taken_for_an_old_fasttext_file(tmp_path, ft):
    save(ft, tmp_path / "w.bin", format="word2vec-binary")
    assert detect_format(tmp_path / "w.bin") == "word2vec-binary"


@pytest.mark.parametrize("name", ["lee_fasttext.bin", "non_ascii_fasttext.bin",
                                  "cp852_fasttext.bin", "lee_fasttext_new.bin"])  # fmt: skip
def test_gensims_test_files_read_as_gensim_reads_them(name):
    gensim = pytest.importorskip("gensim", reason="gensim's test data (pip install gensim)")
    from gensim.models.fasttext import load_facebook_vectors

    path = pathlib.Path(gensim.__file__).parent / "test" / "test_data" / name
    ours = load(path)
    theirs = load_facebook_vectors(str(path))
    assert len(ours) == len(theirs.index_to_key)
    for word in ours.index_to_key[:50]:
        if word.encode("utf-8", "surrogateescape").decode("utf-8", "replace") != word:
            continue  # gensim decodes invalid bytes otherwise
        if word == "</s>":
            continue  # gensim composes it from n-grams; fastText (and skembed) does not
        np.testing.assert_allclose(ours[word], theirs[word], rtol=1e-5, atol=1e-6)
    for word in ["unseenword", "caf\u00e9", "xyz"]:
        np.testing.assert_allclose(ours[word], theirs[word], rtol=1e-5, atol=1e-6)
