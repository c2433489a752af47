"""Character n-grams, fastText's hash and the subword kernels, against fastText's own output.

``tests/data/fasttext/expected.json`` holds what facebook fastText printed for
the fixture model (see the README next to it).
"""

import json
import pathlib

import numpy as np
import pytest

from skembed.text._kernels._subwords import compose_vectors, compose_vectors_parallel
from skembed.text._subwords import (
    EOS,
    build_subword_table,
    char_ngrams,
    fasttext_hash,
    fasttext_ngram_range,
    ngram_ids,
    subwords_enabled,
)

DATA = pathlib.Path(__file__).parents[1] / "data" / "fasttext"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
ARGS = EXPECTED["args"]
MIN_N, MAX_N, BUCKET, NWORDS = ARGS["minn"], ARGS["maxn"], ARGS["bucket"], EXPECTED["nwords"]
QUERIES = {**EXPECTED["in_vocab"], **EXPECTED["unseen"]}


def reference_hash(data):
    """fastText's hash spelled with NumPy casts: uint32(int8(byte)), then FNV-1a."""
    h = np.uint32(2166136261)
    for value in np.frombuffer(data, dtype=np.int8):
        h = np.uint32(h ^ np.int32(value).astype(np.uint32))
        h = np.uint32((int(h) * 16777619) & 0xFFFFFFFF)
    return int(h)


def unsigned_fnv1a(data):
    """Textbook FNV-1a (bytes read as unsigned), which fastText does *not* use."""
    h = 2166136261
    for byte in data:
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def reference_subwords(token, min_n, max_n):
    """fastText's computeSubwords, byte by byte, on ``token`` = b"<word>"."""
    out = []
    for i in range(len(token)):
        if (token[i] & 0xC0) == 0x80:
            continue
        j, n = i, 1
        while j < len(token) and n <= max_n:
            j += 1
            while j < len(token) and (token[j] & 0xC0) == 0x80:
                j += 1
            if n >= min_n and not (n == 1 and (i == 0 or j == len(token))):
                out.append(token[i:j])
            n += 1
    return out


# ------------------------------------------------------------------- hash
@pytest.mark.parametrize(
    "text, expected",
    [("", 0x811C9DC5), ("a", 0xE40C292C), ("foobar", 0xBF9CF968)],
)
def test_hash_ascii_is_fnv1a(text, expected):
    assert fasttext_hash(text) == expected == unsigned_fnv1a(text.encode())


@pytest.mark.parametrize("text", sorted(EXPECTED["hashes"]))
def test_hash_matches_fasttext(text):
    # fastText's values, recovered from get_subword_id under three coprime buckets
    assert fasttext_hash(text) == EXPECTED["hashes"][text]
    assert fasttext_hash(text.encode("utf-8")) == EXPECTED["hashes"][text]


@pytest.mark.parametrize(
    "data", [b"\x80", b"\xff", b"\xff\xfe\x00abc", bytes(range(256)), "émigré".encode()]
)
def test_hash_sign_extends_high_bytes(data):
    assert fasttext_hash(data) == reference_hash(data)
    assert fasttext_hash(data) != unsigned_fnv1a(data)


def test_sign_extension_changes_the_bucket():
    # the n-grams of "café" that contain "é" land elsewhere under textbook FNV-1a
    expected = dict(zip(QUERIES["café"]["strings"], QUERIES["café"]["ids"], strict=True))
    for gram in ["afé", "fé>", "é>", "afé>"]:
        fasttext_row = NWORDS + fasttext_hash(gram) % BUCKET
        unsigned_row = NWORDS + unsigned_fnv1a(gram.encode()) % BUCKET
        assert fasttext_row == expected[gram]
        assert unsigned_row != expected[gram]
    # ASCII n-grams agree under both
    assert NWORDS + unsigned_fnv1a(b"<ca") % BUCKET == expected["<ca"]


def test_subword_ids_match_fasttext():
    for gram, row in EXPECTED["subword_ids"].items():
        assert NWORDS + fasttext_hash(gram) % BUCKET == row


# ---------------------------------------------------------------- n-grams
@pytest.mark.parametrize("word", sorted(QUERIES))
def test_char_ngrams_and_ids_match_fasttext(word):
    expected = QUERIES[word]
    strings, ids = expected["strings"], expected["ids"]
    if word in EXPECTED["in_vocab"]:  # fastText lists the word itself first
        strings, ids = strings[1:], ids[1:]
    if word == EOS:
        assert strings == []
        return
    assert char_ngrams(word, MIN_N, MAX_N) == strings
    got = ngram_ids(word, MIN_N, MAX_N, BUCKET, NWORDS)
    assert got.dtype == np.int32
    assert got.tolist() == ids


def test_char_ngrams_rules():
    # lone "<" and ">" are dropped, the interior single characters are not
    assert char_ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]
    # the whole token is an n-gram when short enough
    assert char_ngrams("a", 3, 3) == ["<a>"]
    # counted in code points, duplicates kept
    assert char_ngrams("日本", 2, 2) == ["<日", "日本", "本>"]
    assert char_ngrams("aaaa", 3, 3).count("aaa") == 2
    assert char_ngrams("🙂", 3, 3) == ["<🙂>"]


@pytest.mark.parametrize(
    "word",
    ["naïve", "日本語", b"\x80abc", b"ab\xff\xfecd", b"\xc3", b"x\xe6\x97", b"\xbf\xbf"],
)
def test_char_ngrams_group_bytes_as_fasttext(word):
    data = word.encode() if isinstance(word, str) else word
    expected = reference_subwords(b"<" + data + b">", 2, 5)
    got = [g.encode("utf-8", "surrogateescape") for g in char_ngrams(word, 2, 5)]
    assert got == expected
    rows = [77 + reference_hash(g) % 999 for g in expected]
    assert ngram_ids(word, 2, 5, 999, 77).tolist() == rows


def test_minn_zero_in_fasttext_means_one():
    # fastText trained with minn=0, maxn=3 gives one-character n-grams, as minn=1
    info = EXPECTED["minn0_maxn3"]
    min_n, max_n = fasttext_ngram_range(0, 3, 100)
    assert (min_n, max_n) == (1, 3)
    for word, expected in info["subwords"].items():
        strings, ids = expected["strings"], expected["ids"]
        if strings and strings[0] == word:
            strings, ids = strings[1:], ids[1:]
        assert char_ngrams(word, min_n, max_n) == strings
        assert ngram_ids(word, min_n, max_n, 100, info["nwords"]).tolist() == ids


@pytest.mark.parametrize(
    "min_n, max_n, bucket", [(0, 4, 10), (3, 0, 10), (4, 3, 10), (2, 4, 0), (-1, 3, 10)]
)
def test_disabled_subwords(min_n, max_n, bucket):
    assert not subwords_enabled(min_n, max_n, bucket)
    assert ngram_ids("word", min_n, max_n, bucket, 5).size == 0
    if bucket:
        assert char_ngrams("word", min_n, max_n) == []
    indptr, indices = build_subword_table(["a", "bb", "ccc"], min_n, max_n, bucket, 3)
    assert indptr.tolist() == [0, 1, 2, 3]
    assert indices.tolist() == [0, 1, 2]


def test_fasttext_ngram_range():
    assert fasttext_ngram_range(3, 6, 2_000_000) == (3, 6)
    assert fasttext_ngram_range(0, 0, 0) == (0, 0)  # supervised default
    assert fasttext_ngram_range(3, 6, 0) == (0, 0)
    assert fasttext_ngram_range(5, 3, 10) == (0, 0)


# ------------------------------------------------------------------ table
def _random_words(rng, n):
    alphabet = list("abcdefghij") + ["é", "ï", "ü", "日", "本", "я", "🙂", "ß"]
    words = set()
    while len(words) < n:
        size = int(rng.integers(1, 9))
        words.add("".join(rng.choice(alphabet, size=size)))
    return sorted(words)


@pytest.mark.parametrize("min_n, max_n", [(3, 6), (1, 2), (2, 4), (5, 5)])
def test_build_subword_table_matches_python(min_n, max_n):
    rng = np.random.default_rng(0)
    words = [EOS] + _random_words(rng, 300) + [b"\xff\x80z", ""]
    nwords, bucket = len(words) + 7, 1013
    indptr, indices = build_subword_table(words, min_n, max_n, bucket, nwords)
    assert indptr.dtype == np.int64 and indices.dtype == np.int32
    assert indptr.shape == (len(words) + 1,) and indptr[-1] == indices.size
    for i, word in enumerate(words):
        row = indices[indptr[i] : indptr[i + 1]].tolist()
        grams = [] if word == EOS else ngram_ids(word, min_n, max_n, bucket, nwords).tolist()
        expected = [i] + grams
        assert row == expected, word


def test_build_subword_table_matches_fasttext():
    words = list(EXPECTED["in_vocab"])
    indptr, indices = build_subword_table(words, MIN_N, MAX_N, BUCKET, NWORDS)
    for i, word in enumerate(words):
        got = indices[indptr[i] + 1 : indptr[i + 1]].tolist()
        assert got == EXPECTED["in_vocab"][word]["ids"][1:], word


def test_build_subword_table_eos_option():
    indptr, indices = build_subword_table([EOS, "ab"], 2, 2, 10, 2, eos=None)
    assert indptr[1] - indptr[0] == 1 + len(char_ngrams(EOS, 2, 2))


def test_build_subword_table_checks_sizes():
    with pytest.raises(ValueError, match="nwords"):
        build_subword_table(["a", "b"], 3, 6, 10, 1)
    with pytest.raises(ValueError, match="int32"):
        build_subword_table(["a"], 3, 6, 2**31, 1)


def test_build_subword_table_empty():
    indptr, indices = build_subword_table([], 3, 6, 100, 0)
    assert indptr.tolist() == [0] and indices.size == 0


# ---------------------------------------------------------------- compose
def _numpy_compose(indptr, indices, matrix):
    out = np.zeros((len(indptr) - 1, matrix.shape[1]), dtype=np.float32)
    for i in range(len(out)):
        rows = indices[indptr[i] : indptr[i + 1]]
        if rows.size:
            out[i] = matrix[rows].astype(np.float64).mean(axis=0)
    return out


@pytest.mark.parametrize("kernel", [compose_vectors, compose_vectors_parallel])
def test_compose_kernel_matches_numpy(kernel):
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(500, 13)).astype(np.float32)
    sizes = rng.integers(0, 12, size=200)
    sizes[:3] = 0  # empty rows give zero vectors
    indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    indices = rng.integers(0, 500, size=indptr[-1]).astype(np.int32)
    out = np.full((200, 13), np.nan, dtype=np.float32)
    kernel(indptr, indices, matrix, out)
    np.testing.assert_allclose(out, _numpy_compose(indptr, indices, matrix), rtol=1e-5, atol=1e-6)
    assert not out[:3].any()


def test_compose_parallel_is_bit_identical():
    rng = np.random.default_rng(2)
    matrix = rng.normal(size=(300, 8)).astype(np.float32)
    indptr = np.arange(0, 1001, 5, dtype=np.int64)
    indices = rng.integers(0, 300, size=1000).astype(np.int32)
    a = np.empty((200, 8), dtype=np.float32)
    b = np.empty((200, 8), dtype=np.float32)
    compose_vectors(indptr, indices, matrix, a)
    compose_vectors_parallel(indptr, indices, matrix, b)
    np.testing.assert_array_equal(a, b)
