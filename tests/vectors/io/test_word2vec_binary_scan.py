"""The compiled walk over word2vec binary entries against a plain Python parse."""

import numpy as np
import pytest

from skembed.utils._files import FileFormatError
from skembed.vectors import load
from skembed.vectors.io._kernels import _word2vec_binary as kernels


def _python_parse(blob, size):
    header, rest = blob.split(b"\n", 1)
    n, dim = map(int, header.split())
    assert dim == size
    words, rows, pos = [], [], 0
    for _ in range(n):
        while rest[pos : pos + 1] == b"\n":
            pos += 1
        space = rest.index(b" ", pos)
        words.append(rest[pos:space].decode("utf-8"))
        rows.append(np.frombuffer(rest[space + 1 : space + 1 + 4 * size], "<f4"))
        pos = space + 1 + 4 * size
    return words, np.array(rows)


def _file(tmp_path, words, vectors, newlines=True):
    parts = [f"{len(words)} {vectors.shape[1]}\n".encode()]
    for word, row in zip(words, vectors, strict=True):
        parts.append(word + b" " + row.astype("<f4").tobytes() + (b"\n" if newlines else b""))
    path = tmp_path / "v.bin"
    path.write_bytes(b"".join(parts))
    return path


@pytest.mark.parametrize("newlines", [True, False])
def test_random_files_read_as_the_python_parse(tmp_path, newlines):
    rng = np.random.default_rng(0)
    alphabet = list("abcé漢🙂_-'")
    words = list({"".join(rng.choice(alphabet, rng.integers(1, 9))) for _ in range(300)})
    vectors = rng.standard_normal((len(words), 7)).astype(np.float32)
    path = _file(tmp_path, [w.encode() for w in words], vectors, newlines)
    wv = load(path, format="word2vec-binary")
    want_words, want_vectors = _python_parse(path.read_bytes(), 7)
    assert wv.index_to_key == want_words == words
    np.testing.assert_array_equal(wv.vectors, want_vectors)
    limited = load(path, format="word2vec-binary", limit=5)
    assert limited.index_to_key == words[:5]


def test_a_word_holding_a_newline_is_kept_whole(tmp_path):
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    path = _file(tmp_path, [b"a", b"b\nc", b"d"], vectors)
    wv = load(path, format="word2vec-binary")
    assert wv.index_to_key == ["a", "b\nc", "d"]
    np.testing.assert_array_equal(wv.vectors, vectors)


def test_bad_utf8_names_its_entry_and_replace_reads_it(tmp_path):
    vectors = np.zeros((3, 2), dtype=np.float32)
    path = _file(tmp_path, [b"ok", b"\xff\xfe", b"fine"], vectors)
    with pytest.raises(FileFormatError, match="entry 1"):
        load(path, format="word2vec-binary")
    wv = load(path, format="word2vec-binary", unicode_errors="replace")
    assert wv.index_to_key[0] == "ok" and wv.index_to_key[2] == "fine"
    assert "\ufffd" in wv.index_to_key[1]


def test_rows_at_every_byte_alignment_copy_bit_for_bit(tmp_path):
    # word lengths 1 to 9 put the values at every offset modulo 4; the values are any
    # finite float32 bit patterns (subnormals, -0.0)
    rng = np.random.default_rng(4)
    bits = rng.integers(0, 2**32, size=(200, 5), dtype=np.uint64).astype(np.uint32)
    bits[(bits & 0x7F800000) == 0x7F800000] &= 0xBFFFFFFF  # no NaN or infinity
    bits[0, 0], bits[1, 1], bits[2, 2] = 0x80000000, 0x00000001, 0x007FFFFF
    vectors = bits.view(np.float32)
    words = [("w" * int(rng.integers(1, 10)) + str(i)).encode() for i in range(200)]
    for newlines in (True, False):
        path = _file(tmp_path, words, vectors, newlines)
        wv = load(path, format="word2vec-binary")
        want_words, want_vectors = _python_parse(path.read_bytes(), 5)
        assert wv.index_to_key == want_words
        np.testing.assert_array_equal(wv.vectors.view(np.uint32), bits)


def test_the_first_non_finite_entry_is_named(tmp_path):
    vectors = np.ones((12, 3), dtype=np.float32)
    vectors[9, 0], vectors[5, 2], vectors[7, 1] = np.nan, -np.inf, np.inf
    words = [f"word{i}".encode() for i in range(12)]
    path = _file(tmp_path, words, vectors)
    offset = path.read_bytes().index(b"word5 ") + 6
    with pytest.raises(FileFormatError, match=f"byte {offset}: entry 5 \\('word5'\\)"):
        load(path, format="word2vec-binary")


def test_long_words_under_a_limit_are_gathered_again(tmp_path, monkeypatch):
    # with limit=, the words are first copied into a buffer that long words overflow
    gathered = []
    join_words = kernels.join_words
    monkeypatch.setattr(kernels, "join_words", lambda *a: gathered.append(1) or join_words(*a))
    rng = np.random.default_rng(6)
    words = [("\u00e9" * int(rng.integers(1, 4000)) + str(i)).encode() for i in range(60)]
    vectors = rng.standard_normal((60, 3)).astype(np.float32)
    path = _file(tmp_path, words, vectors)
    for limit in (1, 7, 59, 60):
        wv = load(path, format="word2vec-binary", limit=limit)
        assert wv.index_to_key == [w.decode() for w in words[:limit]]
        np.testing.assert_array_equal(wv.vectors, vectors[:limit])
    assert len(gathered) == 2  # limits 7 and 59; the whole file's words always fit
