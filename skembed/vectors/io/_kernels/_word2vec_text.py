"""Parsing the rows of a word2vec or GloVe text file in compiled code.

A row is a word, then its values, each after one space; trailing ASCII
whitespace is ignored.  :func:`parse_rows` parses the values of a block of
rows into float32 and flags every row it cannot read exactly as Python reads
it (``float(text)`` rounded to float32), so that the caller reads those rows
the slow way, and finds any fault there.

A value is read only in the common decimal form ``[+-]digits[.digits][e[+-]digits]``
with at most 18 digits, and converted exactly when its digits
``m`` and power of ten ``10**k`` fit float64 exactly (``m <= 2**53`` and
``|k| <= 22``): then ``m * 10**k`` or ``m / 10**-k`` is one correctly
rounded float64 operation, which is what ``float`` returns.  Shortest float32
forms (at most 9 digits) of values from about 1e-13 to 1e22 are read that
way; anything else (more digits, tiny or huge magnitudes, ``inf``, ``nan``,
underscores, other characters) flags the row.
"""

import numpy as np

from skembed.utils._jit import jit

__all__ = ["parse_rows"]

_POWERS_OF_TEN = np.array([10.0**k for k in range(23)], dtype=np.float64)  # all exact
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
        if n_digits == 0 or n_digits > 18:
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
        if mantissa == 0:
            value = 0.0
        elif mantissa > _EXACT_MANTISSA or exponent < -22 or exponent > 22:
            return False
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
