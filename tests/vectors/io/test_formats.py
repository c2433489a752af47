"""Every format round-trips exactly; limit= and unicode_errors=; float32's shortest text form."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skembed.utils._files import FileFormatError
from skembed.vectors import WordVectors, load, save
from skembed.vectors.io import FORMATS
from skembed.vectors.io import _word2vec as w2v

SUFFIX = {"npz": ".npz", "word2vec": ".vec", "word2vec-binary": ".bin", "glove": ".txt",
          "fasttext": ".bin", "safetensors": ".safetensors"}  # fmt: skip
LIMITED = ["word2vec", "word2vec-binary", "glove", "safetensors"]

# words: any text without whitespace or NUL (which every format holds), some non-ASCII
word = st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=8
).filter(lambda w: not any(c.isspace() for c in w))
finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.parametrize("format", sorted(FORMATS))
def test_every_format_round_trips_exactly(tmp_path, format, data):
    words = data.draw(st.lists(word, min_size=1, max_size=6, unique=True), label="words")
    dim = data.draw(st.integers(1, 4), label="dim")
    values = data.draw(st.lists(finite32, min_size=len(words) * dim, max_size=len(words) * dim))
    wv = WordVectors(words, np.array(values, dtype=np.float32).reshape(len(words), dim))
    path = tmp_path / f"v{SUFFIX[format]}"
    save(wv, path, format=format)
    back = load(path, format=format)
    assert back.index_to_key == words
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    if format != "fasttext":  # which composes rows, as fastText does: -0.0 comes back 0.0
        np.testing.assert_array_equal(back.vectors.view(np.uint32), wv.vectors.view(np.uint32))


@pytest.mark.parametrize("format", ["word2vec", "word2vec-binary", "glove"])
@pytest.mark.parametrize("bad", ["two words", "tab\there", "", "line\nbreak"])
def test_words_the_format_cannot_hold_are_refused_clearly(tmp_path, format, bad):
    wv = WordVectors(["ok", bad], np.ones((2, 2), np.float32))
    path = tmp_path / f"v{SUFFIX[format]}"
    with pytest.raises(ValueError, match="empty or contains whitespace"):
        save(wv, path, format=format)
    assert not path.exists()  # atomic: nothing half written


def test_safetensors_holds_any_word(tmp_path):
    words = ["two words", "tab\there", "", "caf\u00e9", "\u65e5\u672c"]
    wv = WordVectors(words, np.arange(10, dtype=np.float32).reshape(5, 2), counts=[5, 4, 3, 2, 1])
    save(wv, tmp_path / "v.safetensors")
    back = load(tmp_path / "v.safetensors")
    assert back.index_to_key == words
    np.testing.assert_array_equal(back.counts, wv.counts)


def test_surrogate_words_are_refused_clearly(tmp_path):
    wv = WordVectors(["ok", "bad\udcff"], np.ones((2, 2), np.float32))
    for format in ("word2vec", "word2vec-binary", "safetensors"):
        with pytest.raises(ValueError, match="cannot be written as UTF-8"):
            save(wv, tmp_path / f"v{SUFFIX[format]}", format=format)


def test_text_values_are_float32_shortest_forms(tmp_path):
    values = np.array([[0.1, -0.5, 1e-7, 3.4028235e38, 0.3333333432674408]], dtype=np.float32)
    save(WordVectors(["w"], values), tmp_path / "v.txt")
    line = (tmp_path / "v.txt").read_text().splitlines()[1]
    assert line == "w 0.1 -0.5 1e-07 3.4028235e+38 0.33333334"


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    words = [f"w{i}\u00e9" for i in range(50)]
    return WordVectors(words, rng.normal(size=(50, 3)), counts=np.arange(50, 0, -1))


@pytest.mark.parametrize("format", LIMITED)
def test_limit_reads_the_first_rows(tmp_path, wv, format):
    path = tmp_path / f"v{SUFFIX[format]}"
    save(wv, path, format=format)
    for limit in (0, 1, 7, 50, 80):
        back = load(path, format=format, limit=limit)
        n = min(limit, 50)
        assert back.index_to_key == wv.index_to_key[:n]
        np.testing.assert_array_equal(back.vectors, wv.vectors[:n])
    with pytest.raises(ValueError, match="limit must be a non-negative integer"):
        load(path, format=format, limit=-1)


@pytest.mark.parametrize("format", ["word2vec", "glove"])
def test_limit_does_not_read_the_rest_of_a_text_file(tmp_path, wv, format):
    path = tmp_path / f"v{SUFFIX[format]}"
    save(wv, path, format=format)
    path.write_bytes(path.read_bytes() + b"garbage that would be refused\n")
    assert load(path, format=format, limit=40).index_to_key == wv.index_to_key[:40]
    with pytest.raises(FileFormatError):
        load(path, format=format)


def test_limit_on_a_binary_file_with_damage_after_the_rows_read(tmp_path, wv):
    path = tmp_path / "v.bin"
    save(wv, path)
    data = path.read_bytes()
    path.write_bytes(data[:-20])  # the last entry is cut
    assert load(path, limit=10).index_to_key == wv.index_to_key[:10]
    with pytest.raises(FileFormatError, match="entry 49"):
        load(path)


@pytest.mark.parametrize("format", ["word2vec", "word2vec-binary", "glove"])
def test_unicode_errors(tmp_path, format):
    good = WordVectors(["caf\u00e9", "tea"], np.eye(2, dtype=np.float32))
    path = tmp_path / f"v{SUFFIX[format]}"
    save(good, path, format=format)
    path.write_bytes(path.read_bytes().replace("caf\u00e9".encode(), b"caf\xe9\xff"))
    with pytest.raises(FileFormatError, match="unicode_errors='replace'"):
        load(path, format=format)
    assert load(path, format=format, unicode_errors="replace").index_to_key == [
        "caf\ufffd\ufffd", "tea"]  # fmt: skip
    assert load(path, format=format, unicode_errors="ignore").index_to_key == ["caf", "tea"]
    assert load(path, format=format, encoding="latin-1").index_to_key == ["caf\u00e9\u00ff", "tea"]
    with pytest.raises(ValueError, match="unicode_errors='nonsense'"):
        load(path, format=format, unicode_errors="nonsense")


def test_options_a_reader_does_not_take_are_named(tmp_path, wv):
    save(wv, tmp_path / "v.npz")
    with pytest.raises(ValueError, match="npz reader takes no option 'limit'"):
        load(tmp_path / "v.npz", limit=3)


def test_blocks_parsed_in_bulk_or_line_by_line_agree_and_name_the_line(tmp_path, monkeypatch):
    monkeypatch.setattr(w2v, "_BLOCK_BYTES", 200)  # many blocks
    rng = np.random.default_rng(3)
    wv = WordVectors([f"w{i}" for i in range(300)], rng.normal(size=(300, 4)))
    path = tmp_path / "v.txt"
    save(wv, path)
    back = load(path)
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    lines = path.read_bytes().split(b"\n")
    lines[250] = lines[250].replace(b" ", b"  ", 1)  # an empty field, deep in the file
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(FileFormatError, match="line 251: 5 values, expected 4"):
        load(path)
    # the forms the line-by-line rules accept, in a block
    path.write_bytes(b"2 2\nking 1.5 2 \r\nqueen 1_0 -0 \n")
    np.testing.assert_array_equal(load(path).vectors, [[1.5, 2], [10, 0]])


def test_safetensors_files_are_read_and_written_by_the_safetensors_package(tmp_path, wv):
    st_numpy = pytest.importorskip("safetensors.numpy", reason="pip install safetensors")
    save(wv, tmp_path / "ours.safetensors")
    tensors = st_numpy.load_file(tmp_path / "ours.safetensors")
    np.testing.assert_array_equal(tensors["vectors"], wv.vectors)
    offsets = tensors["word_offsets"]
    raw = tensors["words_utf8"].tobytes()
    assert [raw[a:b].decode() for a, b in zip(offsets[:-1], offsets[1:], strict=True)] == wv.words
    st_numpy.save_file(tensors, tmp_path / "theirs.safetensors")
    back = load(tmp_path / "theirs.safetensors")
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(back.vectors, wv.vectors)


@pytest.mark.parametrize(
    "edit, match",
    [(lambda t: t.pop("words_utf8"), "no tensor 'words_utf8'"),
     (lambda t: t.update(word_offsets=t["word_offsets"][:-1]), "word_offsets"),
     (lambda t: t.update(vectors=t["vectors"] * np.nan), "NaN"),
     (lambda t: t.update(vectors=t["vectors"].ravel()), "2 dimensions")],
)  # fmt: skip
def test_safetensors_damage_is_named(tmp_path, wv, edit, match):
    st_numpy = pytest.importorskip("safetensors.numpy", reason="pip install safetensors")
    save(wv, tmp_path / "v.safetensors")
    tensors = dict(st_numpy.load_file(tmp_path / "v.safetensors"))
    edit(tensors)
    st_numpy.save_file(tensors, tmp_path / "bad.safetensors")
    with pytest.raises(FileFormatError, match=match):
        load(tmp_path / "bad.safetensors")
    (tmp_path / "cut.safetensors").write_bytes((tmp_path / "v.safetensors").read_bytes()[:-5])
    with pytest.raises(FileFormatError, match="byte range"):
        load(tmp_path / "cut.safetensors")


def test_safetensors_header_beyond_the_file_is_refused_before_reading(tmp_path, wv):
    save(wv, tmp_path / "v.safetensors")
    data = bytearray((tmp_path / "v.safetensors").read_bytes())
    data[:8] = (2**62).to_bytes(8, "little")
    (tmp_path / "huge.safetensors").write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="header length"):
        load(tmp_path / "huge.safetensors")
    (tmp_path / "short.safetensors").write_bytes(b"\x01\x00")
    with pytest.raises(FileFormatError, match="too short"):
        load(tmp_path / "short.safetensors")


def test_load_word2vec_format_passes_the_options(tmp_path, wv):
    wv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    back = WordVectors.load_word2vec_format(tmp_path / "v.bin", binary=True, limit=3)
    assert back.index_to_key == wv.index_to_key[:3]
