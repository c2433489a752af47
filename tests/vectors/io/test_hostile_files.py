"""Readers refuse hostile and damaged files with a FileFormatError naming the file and place.

Each test builds the damaged file it needs; none allocates what a file declares
before checking it against the file's size (tracemalloc bounds the peak).
"""

import io
import pathlib
import shutil
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from skembed.utils._files import FileFormatError
from skembed.vectors import FastTextWordVectors, WordVectors, load, save
from skembed.vectors.io._fasttext_bin import _read_head, _Reader

DATA = pathlib.Path(__file__).parents[2] / "data" / "fasttext"
BIN = DATA / "tiny_skipgram.bin"
_DICT_OFFSET = 64  # signature (8) + Args (12 int32 + float64 = 56)


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path, format=None, match=None, line=None, offset=None, peak_mb=32):
    """Load ``path``; assert a FileFormatError naming it, and a small allocation peak."""
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError, match=match) as info:
            load(path, format=format)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = info.value
    assert isinstance(error, ValueError)
    assert str(path) in str(error) and error.path == str(path)
    if line is not None:
        assert error.line == line and f"line {line}" in str(error)
    if offset is not None:
        assert error.offset == offset and f"byte {offset}" in str(error)
    assert peak < peak_mb * 2**20, f"{peak / 2**20:.0f} MB allocated before refusing"
    return error


# ------------------------------------------------------------ declared sizes
def test_text_header_declaring_a_trillion_rows(tmp_path):
    path = _write(tmp_path, "huge.txt", b"1000000000000 300\nking 0.5\n")
    assert path.stat().st_size < 30
    _refused(path, match="declares 1000000000000 rows", line=1)


def test_binary_header_declaring_int32_max_words(tmp_path):
    path = _write(tmp_path, "huge.bin", b"2147483647 100\nking " + b"\0" * 400)
    _refused(path, format="word2vec-binary", match="declares 2147483647 rows", line=1)


def test_fasttext_dictionary_declaring_int32_max_words(tmp_path):
    raw = bytearray(BIN.read_bytes()[:1400])
    struct.pack_into("<iii", raw, _DICT_OFFSET, 2**31 - 1, 2**31 - 1, 0)
    path = _write(tmp_path, "huge_dict.bin", bytes(raw))
    assert path.stat().st_size == 1400
    _refused(path, match="2147483647 dictionary entries", offset=_DICT_OFFSET)


def test_fasttext_matrix_declaring_a_huge_shape(tmp_path):
    raw = bytearray(BIN.read_bytes())
    reader = _Reader(bytes(raw), str(BIN))
    _read_head(reader)
    matrix_at = reader.pos + 1  # after the quantization flag
    struct.pack_into("<qq", raw, matrix_at, 2**40, 2**20)
    _refused(_write(tmp_path, "huge_matrix.bin", bytes(raw)), match="input matrix")
    struct.pack_into("<qq", raw, matrix_at, -5, 10)
    _refused(_write(tmp_path, "negative.bin", bytes(raw)), match="invalid shape", offset=matrix_at)


def _zip(members, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_npz_that_expands_a_thousandfold_is_refused_before_expanding(tmp_path):
    members = {
        "words.npy": _npy(np.array([f"w{i}" for i in range(50_000)])),
        "vectors.npy": _npy(np.zeros((50_000, 1000), np.float32)),  # 200 MB of zeros
    }
    path = _write(tmp_path, "bomb.npz", _zip(members, zipfile.ZIP_DEFLATED))
    assert path.stat().st_size < 2_000_000
    _refused(path, match="compression bomb")


def test_npz_member_header_larger_than_its_data(tmp_path):
    header = _npy(np.zeros((4, 3), np.float32))
    # the same header text, but declaring 10**9 rows; the data stays 48 bytes
    lying = header.replace(b"(4, 3)", b"(1000000000, 3)")
    assert lying != header
    members = {"words.npy": _npy(np.array(["a", "b", "c", "d"])), "vectors.npy": lying}
    error = _refused(_write(tmp_path, "lying.npz", _zip(members)), match="declares shape")
    assert "vectors.npy" in str(error) and error.offset is not None


def test_compressed_npz_of_ordinary_vectors_still_loads(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array(["a", "b", "c"])
    vectors = rng.normal(size=(3, 5)).astype(np.float32)
    path = tmp_path / "small.npz"
    np.savez_compressed(path, words=words, vectors=vectors)
    wv = load(path)
    assert wv.index_to_key == ["a", "b", "c"]
    np.testing.assert_array_equal(wv.vectors, vectors)


# ------------------------------------------------------------ text content
@pytest.fixture
def text_file(tmp_path):
    wv = WordVectors(["king", "queen"], np.array([[0.25, -1.5], [3.0, 0.125]], np.float32))
    path = tmp_path / "v.txt"
    save(wv, path, format="word2vec")
    return path


@pytest.mark.parametrize("format,skip", [("word2vec", 1), ("glove", 0)])
def test_text_truncated_inside_its_last_number(tmp_path, format, skip):
    path = tmp_path / "cut.txt"
    lines = ["2 3\n"][:skip] + ["king 0.5 1.5 2.25\n", "queen 1.0 2.0 3.125\n"]
    path.write_bytes("".join(lines).encode()[:-3])  # "3.1": a wrong value if accepted
    _refused(path, format=format, match="truncated", line=2 + skip)


def test_text_rows_beyond_the_declared_count(text_file):
    text_file.write_bytes(text_file.read_bytes() + b"extra 1.0 2.0\n")
    _refused(text_file, match="beyond the 2 declared", line=4)


def test_text_fewer_rows_than_declared(tmp_path):
    path = _write(tmp_path, "few.txt", b"2 1\nabcdefghijk 1.5\n")
    _refused(path, match="ends after 1 of the 2 rows")


@pytest.mark.parametrize(
    "value,match",
    [(b"nan", "NaN or infinite"), (b"-inf", "NaN or infinite"), (b"1e39", "overflows float32"),
     (b"x1", "could not convert string to float"), (b"1.0.0", "could not convert")],
)  # fmt: skip
@pytest.mark.parametrize("format,header", [("word2vec", b"2 2\n"), ("glove", b"")])
def test_text_values_that_are_not_finite_float32(tmp_path, value, match, format, header):
    data = header + b"king 0.5 1.5\nqueen 2.5 " + value + b"\n"
    path = _write(tmp_path, "bad.txt", data)
    _refused(path, format=format, match=match, line=2 + bool(header))


@pytest.mark.parametrize(
    "data,match,line",
    [
        (b"2 x\nking 1\n", "two integers", 1),
        (b"-1 2\n", "two integers", 1),
        (b"1 0\nking\n", "vector_size must be at least 1", 1),
        (b"2 1\nk\xffng 1\nqueen 2\n", "not valid utf-8", 2),
        (b"2 1\nking 1\nking 2\n", "appears twice", 3),
        (b"2 1\nking 1\n 2\n", "empty word", 3),
        (b"2 2\nking 1 2\nqueen 1\n", "1 values, expected 2", 3),
    ],
)
def test_text_other_damage(tmp_path, data, match, line):
    _refused(_write(tmp_path, "bad.txt", data), format="word2vec", match=match, line=line)


def test_glove_empty_file_and_empty_line(tmp_path):
    _refused(_write(tmp_path, "empty.txt", b""), format="glove", match="empty file")
    _refused(_write(tmp_path, "gap.txt", b"a 1\n\nb 2\n"), format="glove", line=2)


def test_text_with_word2vec_c_trailing_spaces_and_crlf_loads(tmp_path):
    path = _write(tmp_path, "c.txt", b"2 2\r\nking 1.5 2 \r\nqueen -3 4e-2 \r\n")
    wv = load(path)
    assert wv.index_to_key == ["king", "queen"]
    np.testing.assert_array_equal(wv.vectors, np.array([[1.5, 2], [-3, 0.04]], np.float32))


# ------------------------------------------------------------ binary content
def _binary(words_values, header=None):
    size = len(words_values[0][1])
    head = header if header is not None else f"{len(words_values)} {size}\n".encode()
    body = b"".join(
        w + b" " + np.asarray(v, "<f4").tobytes() + b"\n" for w, v in words_values
    )  # fmt: skip
    return head + body


def test_binary_truncated_entry(tmp_path):
    data = _binary([(b"king", [1, 2, 3]), (b"queen", [4, 5, 6])])
    _refused(_write(tmp_path, "cut.bin", data[:-6]), format="word2vec-binary", match="truncated",
             offset=len(data) - 13)  # fmt: skip


def test_binary_non_finite_value(tmp_path):
    data = _binary([(b"king", [1, 2, 3]), (b"queen", [4, np.nan, 6])])
    offset = data.index(b"queen") + 6
    _refused(_write(tmp_path, "nan.bin", data), format="word2vec-binary", match="NaN",
             offset=offset)  # fmt: skip
    data = _binary([(b"king", [1, np.inf, 3])])
    _refused(_write(tmp_path, "inf.bin", data), format="word2vec-binary", match="infinite")


def test_binary_data_after_declared_entries(tmp_path):
    data = _binary([(b"king", [1, 2]), (b"queen", [3, 4])], header=b"1 2\n")
    _refused(_write(tmp_path, "extra.bin", data), format="word2vec-binary",
             match="after the 1 entries", offset=data.index(b"queen"))  # fmt: skip


def test_binary_word_not_utf8_and_duplicate_word(tmp_path):
    data = _binary([(b"king", [1, 2]), (b"qu\xffeen", [3, 4])])
    _refused(_write(tmp_path, "utf.bin", data), format="word2vec-binary", match="not valid utf-8",
             offset=data.index(b"\xff"))  # fmt: skip
    data = _binary([(b"king", [1, 2]), (b"king", [3, 4])])
    _refused(_write(tmp_path, "dup.bin", data), format="word2vec-binary", match="appears twice",
             offset=data.rindex(b"king"))  # fmt: skip


# ------------------------------------------------------------ fastText content
def _fasttext_matrix_offset(raw):
    reader = _Reader(raw, "x")
    _read_head(reader)
    return reader.pos + 1 + 16  # quant flag, then the (m, n) header


def test_fasttext_non_finite_weight(tmp_path):
    raw = bytearray(BIN.read_bytes())
    at = _fasttext_matrix_offset(bytes(raw))
    struct.pack_into("<f", raw, at + 4 * 25, np.inf)  # row 2 of a dim-10 matrix
    _refused(_write(tmp_path, "inf.bin", bytes(raw)), match="input matrix, row 2: NaN")


def test_fasttext_trailing_bytes_and_duplicate_words(tmp_path):
    raw = BIN.read_bytes()
    _refused(_write(tmp_path, "tail.bin", raw + b"\0" * 7), match="7 bytes after",
             offset=len(raw))  # fmt: skip
    words = [w.encode("utf-8", "surrogateescape") for w in load(BIN).index_to_key]
    # rename a word into an earlier one of the same length: the layout stays valid
    first, second = next(
        (a, b) for i, a in enumerate(words[1:], 1) for b in words[i + 1 :] if len(a) == len(b)
    )
    dup = raw.replace(b"\0" + second + b"\0", b"\0" + first + b"\0", 1)
    assert dup != raw
    _refused(_write(tmp_path, "dup.bin", dup), match="duplicates")


def test_fasttext_invalid_args(tmp_path):
    raw = bytearray(BIN.read_bytes())
    struct.pack_into("<i", raw, 8, 0)  # dim
    _refused(_write(tmp_path, "dim0.bin", bytes(raw)), match="dim=0", offset=8)


# ------------------------------------------------------------ npz content
def test_npz_words_as_bytes_decode_and_as_numbers_refused(tmp_path):
    vectors = np.ones((2, 3), np.float32)
    path = tmp_path / "bytes.npz"
    np.savez(path, words=np.array([b"king", "caf\u00e9".encode()]), vectors=vectors)
    assert load(path).index_to_key == ["king", "caf\u00e9"]
    np.savez(path, words=np.array([b"king", b"\xff"]), vectors=vectors)
    _refused(path, match="entry 1: bytes that are not UTF-8")
    np.savez(path, words=np.array([3, 4]), vectors=vectors)
    _refused(path, match="array 'words' has dtype int64")


@pytest.mark.parametrize(
    "arrays,match",
    [
        (dict(words=np.array(["a"]), vectors=np.array([[np.nan, 1.0]])), "row 0: NaN"),
        (dict(words=np.array(["a"]), vectors=np.array([[1e300, 1.0]])), "beyond float32"),
        (dict(words=np.array(["a"]), vectors=np.array([[1, 2]])), "'vectors' has dtype int64"),
        (dict(words=np.array(["a", "b"]), vectors=np.ones((3, 2))), "words has 2 entries"),
        (dict(vectors=np.ones((3, 2))), "no array 'words'"),
        (dict(words=np.array(["a"]), vectors=np.ones((1, 2)), counts=np.array([-1])),
         "negative counts"),
        (dict(words=np.array(["a"]), input_matrix=np.ones((3, 2)), ngram_range=np.ones(3, int)),
         "ngram_range"),
        (dict(words=np.array(["a"]), input_matrix=np.ones((3, 2)), ngram_range=np.array([2, 3]),
              ngram_rows=np.array([0, 5]), bucket=np.array(4)), "ngram_rows must be distinct"),
    ],
)  # fmt: skip
def test_npz_bad_arrays(tmp_path, arrays, match):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    _refused(path, match=match)


def test_npz_object_array_is_never_unpickled(tmp_path):
    path = tmp_path / "pickle.npz"
    np.savez(path, words=np.array(["a"], dtype=object), vectors=np.ones((1, 2)))
    _refused(path, match="Python objects")


@pytest.mark.parametrize("cut", [10, 100, -30])
def test_npz_truncated_or_not_a_zip(tmp_path, cut):
    source = tmp_path / "ok.npz"
    save(WordVectors(["a", "b"], np.ones((2, 4))), source)
    raw = source.read_bytes()
    _refused(_write(tmp_path, "cut.npz", raw[:cut]))


# ------------------------------------------------------------ exact round trips
NUL_WORDS = ["ab\0", "c\0\0", "d", "\0e"]


@pytest.mark.parametrize("format", ["npz", "word2vec", "word2vec-binary"])
def test_words_ending_in_nul_round_trip(tmp_path, format):
    wv = WordVectors(NUL_WORDS, np.arange(8, dtype=np.float32).reshape(4, 2))
    path = tmp_path / "nul.file"
    save(wv, path, format=format)
    back = load(path, format=format)
    assert back.index_to_key == NUL_WORDS
    np.testing.assert_array_equal(back.vectors, wv.vectors)


def test_fasttext_words_ending_in_nul_round_trip_through_npz(tmp_path):
    rng = np.random.default_rng(1)
    wv = FastTextWordVectors(NUL_WORDS, rng.normal(size=(4, 3)), rng.normal(size=(20, 3)),
                             min_n=2, max_n=3)  # fmt: skip
    path = tmp_path / "nul.npz"
    save(wv, path)
    back = load(path)
    assert back.index_to_key == NUL_WORDS
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    np.testing.assert_array_equal(back["unseen"], wv["unseen"])


def test_npz_word_lengths_that_do_not_fit_are_refused(tmp_path):
    path = tmp_path / "len.npz"
    np.savez(path, words=np.array(["ab", "c"]), vectors=np.ones((2, 2)),
             word_lengths=np.array([9, 1]))  # fmt: skip
    _refused(path, match="'word_lengths', entry 0")


def test_fixture_copy_still_loads(tmp_path):
    # the checks above accept the real file they damage
    copy = tmp_path / "copy.bin"
    shutil.copyfile(BIN, copy)
    assert isinstance(load(copy), FastTextWordVectors)


# ------------------------------------------------------------ found by the fuzzer
def test_fasttext_matrix_of_many_rows_and_no_columns_is_refused_at_once(tmp_path):
    raw = bytearray(BIN.read_bytes())
    reader = _Reader(bytes(raw), str(BIN))
    _read_head(reader)
    matrix_at = reader.pos + 1
    struct.pack_into("<qq", raw, matrix_at, 2**62, 0)  # zero bytes of data: walked row by row
    _refused(_write(tmp_path, "rows.bin", bytes(raw)), match="0 columns, expected dim=10",
             offset=matrix_at)  # fmt: skip


def test_npz_matrix_without_columns_is_refused(tmp_path):
    path = tmp_path / "flat.npz"
    np.savez(path, words=np.array(["a", "b"]), vectors=np.ones((2, 0)))
    _refused(path, match="no columns")


def test_npz_with_an_unsupported_zip_version_is_refused(tmp_path):
    source = tmp_path / "ok.npz"
    save(WordVectors(["a"], np.ones((1, 2))), source)
    raw = bytearray(source.read_bytes())
    struct.pack_into("<H", raw, 4, 255)  # "version needed to extract" of the first member
    raw[raw.index(b"PK\x01\x02") + 6] = 255  # and in the central directory
    _refused(_write(tmp_path, "version.npz", bytes(raw)), match="unsupported zip archive")


@pytest.mark.parametrize("suffix", [".npz", ".bin"])
def test_fasttext_rows_whose_mean_overflows_float32_are_refused(tmp_path, suffix):
    huge = np.full((2, 3), 3e38, np.float32)  # finite, but their sums are not
    wv = FastTextWordVectors(["ab", "cd"], huge, np.full((10, 3), 3e38, np.float32),
                             min_n=1, max_n=2)  # fmt: skip
    path = tmp_path / f"huge{suffix}"
    save(wv, path)
    _refused(path, match="composed vector of word 'ab' overflows float32")


def test_an_error_inside_the_mapped_fasttext_file_is_not_hidden_by_buffer_error(
    tmp_path, monkeypatch
):
    from skembed.vectors.io import _fasttext_bin

    def parse(reader):
        view = np.frombuffer(reader.buffer, dtype=np.uint8)  # held by the traceback's frame
        raise FileFormatError(reader.path, f"damaged after {view.size} bytes", offset=3)

    monkeypatch.setattr(_fasttext_bin, "_parse", parse)
    path = tmp_path / "m.bin"
    shutil.copyfile(BIN, path)
    _refused(path, match="damaged after", offset=3)


def test_a_check_of_the_vectors_classes_still_names_the_file(tmp_path):
    # nwords + bucket beyond int32: raised by the subword table, not by the reader
    path = tmp_path / "bucket.npz"
    np.savez(
        path,
        words=np.array(["ab"]),
        input_matrix=np.ones((2, 2)),
        ngram_range=np.array([1, 2]),
        ngram_rows=np.array([0]),
        bucket=np.array(2**31),
    )
    _refused(path, match="does not fit in int32")  # fmt: skip


def test_npz_member_header_that_numpy_cannot_tokenize(tmp_path):
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, (((\n"
    npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 8
    members = {"words.npy": _npy(np.array(["a", "b"])), "vectors.npy": npy}
    error = _refused(_write(tmp_path, "tokens.npz", _zip(members)), match="bad array header")
    assert "vectors.npy" in str(error)
