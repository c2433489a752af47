"""The compiled walk over word2vec binary entries against a plain Python parse."""

import numpy as np
import pytest

from skembed.utils._files import FileFormatError
from skembed.vectors import load


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
