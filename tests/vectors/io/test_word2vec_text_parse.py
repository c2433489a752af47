"""The compiled parser of text rows against Python's ``float`` and the line-by-line reader."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skembed.utils._files import FileFormatError
from skembed.vectors import WordVectors, load, save
from skembed.vectors.io import _word2vec as w2v
from skembed.vectors.io._kernels._word2vec_text import parse_rows


def _parse(lines, size):
    block = np.frombuffer(b"".join(lines), np.uint8)
    starts = np.zeros(len(lines) + 1, np.int64)
    np.cumsum([len(line) for line in lines], out=starts[1:])
    values = np.full((len(lines), size), np.nan, np.float32)
    flags = np.zeros(len(lines), np.uint8)
    n_flagged = parse_rows(block, starts, size, values, flags)
    assert n_flagged == flags.sum()
    return values, flags.astype(bool)


def _python(line, size):
    """The reference: the line-by-line rule (``float``, then float32), or None if refused."""
    parts = line.rstrip().split(b" ")
    if not parts[0] or len(parts) != size + 1:
        return None
    try:
        row = np.array([float(p) for p in parts[1:]], np.float64)
    except ValueError:
        return None
    with np.errstate(over="ignore"):
        row = row.astype(np.float32)
    return row if np.isfinite(row).all() else None


def _bits(values):
    return np.asarray(values, np.float32).view(np.uint32)


def _check_against_python(lines, size):
    values, flags = _parse(lines, size)
    for line, row, flagged in zip(lines, values, flags, strict=True):
        want = _python(line, size)
        if not flagged:  # a line read must be read exactly as Python reads it
            assert want is not None, line
            np.testing.assert_array_equal(_bits(row), _bits(want), err_msg=repr(line))
    return flags


# forms the compiled parser reads itself
READ_HERE = [
    b"a 1.5 -2\n", b"b +0.25 .5\n", b"c 5. -0\n", b"d 1e3 1E-3\n", b"e 0.000123 123456789\n",
    b"f 1.2345678e-05 -9.99e+21\n", b"g 0e0 -0.0\n", b"h 1 2 \r\n", b"\xc3\xa9t\xc3\xa9 7 8\n",
    b"tab\tword 3 4\t\n", b"i 000000000000000001 0.1000000000000000\n", b"j 3.4028235e20 1\n",
    # beyond the exact range: more digits, tiny and huge magnitudes
    b"k 0.1000000000000000000001 -1e-30\n", b"l 1e30 1e-400\n", b"m 3.4028234e38 1e-46\n",
    b"n 12345678901234567890 -0.000000000000000000000000000000000000000000000000000001\n",
    b"o 1.000000000000000000e+00 -5.960464477539062500e-08\n",
]  # fmt: skip
# forms left to Python: more digits, magnitudes beyond 10**+-22, other spellings, and faults
LEFT = [
    b"n 1_0 1\n", b"o nan 1\n", b"p inf 1\n", b"q 1e39 1\n", b"q2 1e400 1\n", b"r 1  2\n",
    b"s 1 2 3\n", b"t 1\n", b" 1 2\n", b"u\n", b"v 1e 2\n", b"w 1.0.0 2\n", b"x - 2\n",
    b"y 0x10 2\n", b"z 1 2\x00\n", b"\n", b"aa 1,5 2\n", b"ab 3.4028236e38 1\n",
    b"ad 3.4028235e38 1\n",  # float32's largest value, written above it: Python's call
    b"ac 1 3.4028235677973366e38\n",  # float32's overflow threshold, itself a midpoint
]  # fmt: skip


def test_common_forms_are_read_exactly_and_the_rest_left_to_python():
    flags = _check_against_python(READ_HERE + LEFT, 2)
    assert not flags[: len(READ_HERE)].any()
    assert flags[len(READ_HERE) :].all()


def test_a_line_without_its_line_end_is_read_too():
    values, flags = _parse([b"a 1 2\n", b"b 3 4"], 2)
    assert not flags.any()
    np.testing.assert_array_equal(values, [[1, 2], [3, 4]])


finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(finite32, min_size=1, max_size=12))
def test_shortest_float32_forms_round_trip_bit_for_bit(values):
    row = np.array(values, np.float32)
    line = b"w " + " ".join(row.astype(str).tolist()).encode() + b"\n"
    parsed, flags = _parse([line], len(row))
    if not flags[0]:
        np.testing.assert_array_equal(_bits(parsed[0]), _bits(row))
    # magnitudes from 1e-12 to 1e20 (and zeros) are read by the compiled parser
    magnitudes = np.abs(row[row != 0])
    if ((magnitudes > 1e-12) & (magnitudes < 1e20)).all():
        assert not flags[0]


@settings(max_examples=300, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(0, 20),
    st.sampled_from(["e", "E", "f", "g", "r"]),
)
def test_any_decimal_form_reads_as_python_reads_it(value, digits, style):
    text = repr(value) if style == "r" else format(value, f".{digits}{style}")
    _check_against_python([b"w " + text.encode() + b" 1\n"], 2)


def test_values_halfway_between_two_float32_round_as_python_rounds_them():
    # the decimal forms of exact midpoints (and their float64 neighbours): a float64
    # off by one unit in the last place rounds to the other float32 here
    rng = np.random.default_rng(2)
    low = (rng.standard_normal(20000) * 10.0 ** rng.integers(-6, 6, 20000)).astype(np.float32)
    high = np.nextafter(low, np.float32(np.inf))
    middle = (low.astype(np.float64) + high.astype(np.float64)) / 2
    lines = [f"w {m!r} {float(np.nextafter(m, np.inf))!r}\n".encode() for m in middle.tolist()]
    flags = _check_against_python(lines, 2)
    assert (~flags).sum() > len(lines) // 4  # most are read by the compiled parser


def test_long_decimals_at_or_near_float32_midpoints_read_as_python_reads_them():
    # exact decimal expansions of midpoints between two float32 values, the same nudged
    # below float64's precision, and the float64 just below: a value computed to 2**-50
    # cannot settle these, so they go to Python (short ones are read exactly)
    from decimal import Decimal

    rng = np.random.default_rng(9)
    low = (rng.standard_normal(3000) * 10.0 ** rng.integers(-40, 38, 3000)).astype(np.float32)
    powers = np.ldexp(np.float32(1), np.arange(-125, 128)).astype(np.float32)
    below_powers = np.nextafter(powers, np.float32(0))  # the narrower gap below a power of two
    low = np.concatenate([low[np.isfinite(low)], below_powers, -powers])
    high = np.nextafter(low, np.float32(np.inf))
    middle = (low.astype(np.float64) + high.astype(np.float64)) / 2
    tokens = []
    for m in middle.tolist():
        digits, _, exponent = format(Decimal(m), "e").partition("e")
        below = format(Decimal(float(np.nextafter(m, -np.inf))), "e")
        tokens += [f"{digits}e{exponent}", f"{digits}000000000000000000001e{exponent}", below]
    lines = [f"w {token}\n".encode() for token in tokens]
    flags = _check_against_python(lines, 1)
    long = np.array([len(t.partition("e")[0].replace("-", "").replace(".", "")) > 18
                     for t in tokens])  # fmt: skip
    assert long.sum() > len(tokens) // 2
    assert flags[long].all()


def _random_lines(rng, n, size):
    """Shortest forms, long decimals, odd spellings and faults, with non-ASCII words."""
    lines = []
    for i in range(n):
        values = []
        for _ in range(size):
            kind = rng.integers(8)
            value = np.float32(rng.standard_normal() * 10.0 ** rng.integers(-8, 8))
            if kind == 0:
                values.append(f"{float(value):.{rng.integers(10, 25)}f}")
            elif kind == 1:
                values.append(f"{float(value):.{rng.integers(0, 20)}e}")
            elif kind == 2:
                values.append(str(rng.choice(["1_0", "nan", "-inf", "1e-40", "7E+2", "+.5"])))
            else:
                values.append(str(value))
        word = f"w{i}\u00e9{'x' * int(rng.integers(0, 5))}"
        end = str(rng.choice(["\n", " \n", "\r\n", "\t\n"]))
        lines.append((word + " " + " ".join(values) + end).encode())
    return lines


def test_random_lines_read_as_python_reads_them():
    rng = np.random.default_rng(7)
    flags = _check_against_python(_random_lines(rng, 400, 5), 5)
    assert 0 < flags.sum() < len(flags)


def _slow_load(path):
    """The whole file read line by line (the reference reader)."""
    lines = path.read_bytes().split(b"\n")[1:-1]
    with open(path, "rb") as fh:
        fh.readline()
        raws = fh.readlines()
    words, values, _ = w2v._slow_rows(str(path), raws, 2, None, "utf-8", "strict")
    assert len(words) == len(lines)
    return words, values


def test_files_of_odd_lines_load_as_the_line_by_line_reader(tmp_path, monkeypatch):
    monkeypatch.setattr(w2v, "_BLOCK_BYTES", 500)  # many blocks
    rng = np.random.default_rng(11)
    lines = [line for line in _random_lines(rng, 300, 3) if _python(line, 3) is not None]
    path = tmp_path / "odd.txt"
    path.write_bytes(f"{len(lines)} 3\n".encode() + b"".join(lines))
    wv = load(path, format="word2vec")
    words, values = _slow_load(path)
    assert wv.index_to_key == words
    np.testing.assert_array_equal(_bits(wv.vectors), _bits(values))


@pytest.mark.parametrize("bad_line", [7, 150, 299])
@pytest.mark.parametrize(
    "damage,match",
    [(b"nan", "NaN or infinite"), (b"1e39", "overflows float32"), (b"x", "could not convert"),
     (b"1 2", "4 values, expected 3")],
)  # fmt: skip
def test_a_fault_anywhere_names_its_line(tmp_path, monkeypatch, bad_line, damage, match):
    monkeypatch.setattr(w2v, "_BLOCK_BYTES", 700)
    rng = np.random.default_rng(1)
    wv = WordVectors([f"w{i}" for i in range(300)], rng.standard_normal((300, 3)))
    path = tmp_path / "v.txt"
    save(wv, path, format="word2vec")
    lines = path.read_bytes().split(b"\n")
    lines[bad_line] = lines[bad_line].rsplit(b" ", 1)[0] + b" " + damage
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(FileFormatError, match=f"line {bad_line + 1}: .*{match}"):
        load(path, format="word2vec")


def test_the_first_fault_of_a_block_is_named_whatever_its_kind(tmp_path):
    # a word that is not UTF-8 on line 3 comes before a value fault on line 4
    data = b"4 2\nking 1 2\nqu\xffeen 3 4\nprince 5 nan\nduke 7 8\n"
    (tmp_path / "v.txt").write_bytes(data)
    with pytest.raises(FileFormatError, match="line 3: not valid utf-8"):
        load(tmp_path / "v.txt", format="word2vec")
    wv = load(tmp_path / "v.txt", format="word2vec", limit=2, unicode_errors="replace")
    assert wv.index_to_key == ["king", "qu\ufffdeen"]
    np.testing.assert_array_equal(wv.vectors, [[1, 2], [3, 4]])


def test_glove_files_go_through_the_same_parser(tmp_path):
    rng = np.random.default_rng(5)
    wv = WordVectors([f"g{i}\u00fc" for i in range(50)], rng.standard_normal((50, 4)) * 1e-3)
    save(wv, tmp_path / "g.txt", format="glove")
    back = load(tmp_path / "g.txt", format="glove")
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(_bits(back.vectors), _bits(wv.vectors))
