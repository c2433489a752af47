"""Parsing the rows of a word2vec or GloVe text file in compiled code.

A row is a word, then its values, each after one space; trailing ASCII
whitespace is ignored.  :func:`parse_rows` parses the values of a block of
rows into float32 and flags every row it cannot read exactly as Python reads
it (``float(text)`` rounded to float32), so that the caller reads those rows
the slow way, and finds any fault there.

A value is read in the decimal form ``[+-]digits[.digits][e[+-]digits]``.
With at most 18 digits ``m`` and a power of ten ``10**k`` that both fit
float64 exactly (``m <= 2**53``, ``|k| <= 22``: shortest float32 forms of
values from about 1e-13 to 1e22), ``m * 10**k`` or ``m / 10**-k`` is one
correctly rounded float64 operation, which is what ``float`` returns.  Other
values (more digits, as numpy's ``savetxt`` and ``repr`` of float64 write
them, or tiny and huge magnitudes) are computed from their first 18
significant digits to within a relative 2**-50, which settles their float32
unless they lie that close to the midpoint between two float32 values.  Rows
with such a value, or with ``inf``, ``nan``, underscores, other characters
or any fault, are flagged.
"""

import math

import numpy as np

from skembed.utils._jit import jit

__all__ = ["parse_rows"]

_POWERS_OF_TEN = np.array([10.0**k for k in range(23)], dtype=np.float64)  # all exact
_LAST_POWER = 308
# correctly rounded (as Python reads the literals), within a relative 2**-53
_ALL_POWERS_OF_TEN = np.array([float(f"1e{k}") for k in range(_LAST_POWER + 1)])
_EXACT_MANTISSA = 2**53
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@jit(fastmath=False)  # the one division must stay correctly rounded
def parse_rows(block, line_starts, size, values, flags):
    """Parse the values of each line of ``block`` into ``values``; flag the lines not read.

    Parameters
    ----------
    block : ndarray of shape (n_bytes,), dtype uint8
        Whole lines.
    line_starts : ndarray of shape (n_lines + 1,), dtype int64
        Where each line starts; the last entry is ``n_bytes``.  Each line
        ends with a newline, or at the end of the block.
    size : int
        Values per row.
    values : ndarray of shape (n_lines, size), dtype float32
        Filled for the lines read.
    flags : ndarray of shape (n_lines,), dtype uint8
        Set to 1 for each line not read (its ``values`` row is garbage), 0 else.

    Returns
    -------
    n_flagged : int

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io._kernels._word2vec_text import parse_rows
    >>> block = np.frombuffer(b"a 1.5 -2e-3\\nb 1 nan\\nc 0.1 7 \\r\\n", np.uint8)
    >>> values, flags = np.zeros((3, 2), np.float32), np.zeros(3, np.uint8)
    >>> parse_rows(block, np.array([0, 12, 20, 30]), 2, values, flags)
    1
    >>> values[[0, 2]].tolist() == [[1.5, np.float32(-0.002)], [np.float32(0.1), 7.0]]
    True
    >>> flags.tolist()
    [0, 1, 0]
    """
    n_flagged = 0
    for line in range(line_starts.shape[0] - 1):
        start = line_starts[line]
        end = line_starts[line + 1]
        # as bytes.rstrip(): space, \t, \n, \v, \f, \r
        while end > start and (block[end - 1] == 32 or 9 <= block[end - 1] <= 13):
            end -= 1
        ok = _parse_line(block, start, end, size, values[line])
        flags[line] = 0 if ok else 1
        if not ok:
            n_flagged += 1
    return n_flagged


@jit(fastmath=False)
def _parse_line(block, start, end, size, out):
    pos = start
    while pos < end and block[pos] != 32:  # the word
        pos += 1
    if pos == start or pos >= end:  # an empty word, or no values
        return False
    for j in range(size):
        if pos >= end or block[pos] != 32:  # fewer values, or not one space
            return False
        pos += 1
        if pos >= end:
            return False
        value_start = pos
        sign = block[pos]
        if sign == 45 or sign == 43:  # - or +
            pos += 1
        # every digit, leading zeros included, goes into the mantissa: at most 18 fit
        mantissa = 0
        first_digit = pos
        while pos < end and np.uint8(block[pos] - 48) < 10:
            mantissa = mantissa * 10 + np.int64(block[pos] - 48)
            pos += 1
        n_digits = pos - first_digit
        exponent = 0
        if pos < end and block[pos] == 46:  # .
            pos += 1
            first_decimal = pos
            while pos < end and np.uint8(block[pos] - 48) < 10:
                mantissa = mantissa * 10 + np.int64(block[pos] - 48)
                pos += 1
            exponent = first_decimal - pos
            n_digits -= exponent
        if n_digits == 0:
            return False
        if pos < end and (block[pos] | 32) == 101:  # e or E
            pos += 1
            exponent_negative = False
            if pos < end and (block[pos] == 45 or block[pos] == 43):
                exponent_negative = block[pos] == 45
                pos += 1
            first_exponent_digit = pos
            written = 0
            while pos < end and np.uint8(block[pos] - 48) < 10:
                if written < 100000:
                    written = written * 10 + np.int64(block[pos] - 48)
                pos += 1
            if pos == first_exponent_digit:
                return False
            exponent += -written if exponent_negative else written
        if pos < end and block[pos] != 32:  # anything else in the value
            return False
        if n_digits > 18 or mantissa > _EXACT_MANTISSA or exponent < -22 or exponent > 22:
            ok, result = _parse_long(block, value_start, pos)
            if not ok:
                return False
            out[j] = result
            continue
        if mantissa == 0:
            value = 0.0
        elif exponent >= 0:
            value = np.float64(mantissa) * _POWERS_OF_TEN[exponent]
        else:
            value = np.float64(mantissa) / _POWERS_OF_TEN[-exponent]
        if sign == 45:
            value = -value
        if abs(value) > _FLOAT32_MAX:  # may still round to float32's largest value: Python's call
            return False
        out[j] = np.float32(value)
    return pos == end  # no more values


@jit(fastmath=False)
def _parse_long(block, pos, end):
    """Read one value of valid syntax in ``block[pos:end]`` beyond the exact range.

    Its first 18 significant digits times a power of ten give a float64 within
    a relative 2**-50 of the decimal (and of Python's float64 of it); when that
    is farther from the nearest boundary between float32 values, both round to
    the same float32.  Returns ``(read, value)``; not read near a boundary, or
    beyond float32's largest value.
    """
    negative = block[pos] == 45
    if negative or block[pos] == 43:
        pos += 1
    mantissa = 0
    kept = 0
    exponent = 0
    while pos < end and np.uint8(block[pos] - 48) < 10:
        digit = np.int64(block[pos] - 48)
        if kept < 18:
            if mantissa != 0 or digit != 0:
                mantissa = mantissa * 10 + digit
                kept += 1
        else:
            exponent += 1  # a digit dropped before the point
        pos += 1
    if pos < end and block[pos] == 46:
        pos += 1
        while pos < end and np.uint8(block[pos] - 48) < 10:
            digit = np.int64(block[pos] - 48)
            if kept < 18:
                if mantissa != 0 or digit != 0:
                    mantissa = mantissa * 10 + digit
                    kept += 1
                exponent -= 1
            pos += 1
    if pos < end:  # e or E, then a signed exponent (checked by the caller)
        pos += 1
        exponent_negative = block[pos] == 45
        if exponent_negative or block[pos] == 43:
            pos += 1
        written = 0
        while pos < end:
            if written < 100000:
                written = written * 10 + np.int64(block[pos] - 48)
            pos += 1
        exponent += -written if exponent_negative else written
    zero = np.float32(-0.0) if negative else np.float32(0.0)
    if mantissa == 0 or exponent < -_LAST_POWER:  # below 1e-290: float32's zero
        return True, zero
    if exponent > _LAST_POWER:
        return False, zero
    if exponent >= 0:
        value = np.float64(mantissa) * _ALL_POWERS_OF_TEN[exponent]
    else:
        value = np.float64(mantissa) / _ALL_POWERS_OF_TEN[-exponent]
    if value < 1e-50:  # far below float32's smallest value: its zero
        return True, zero
    if value > _FLOAT32_MAX:
        return False, zero
    rounded = np.float32(value)
    nearest = np.float64(rounded)
    tolerance = value * 2.0**-48
    if nearest == 0.0:
        up_gap = down_gap = 2.0**-149
    else:
        fraction, power = math.frexp(nearest)
        if nearest < 2.0**-126:  # subnormal float32
            up_gap = down_gap = 2.0**-149
        else:
            up_gap = math.ldexp(1.0, power - 24)
            down_gap = up_gap / 2 if fraction == 0.5 and nearest > 2.0**-126 else up_gap
    if nearest + up_gap / 2 - value <= tolerance or value - (nearest - down_gap / 2) <= tolerance:
        return False, zero
    return True, -rounded if negative else rounded
