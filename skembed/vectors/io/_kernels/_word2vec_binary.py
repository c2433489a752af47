"""Walking the entries of a word2vec binary file in compiled code.

An entry is a word, a space and ``4 * size`` bytes of values; entries may be
separated by line ends.  The word lengths vary, so finding the entries is a
loop over the file; :func:`scan_entries` does it without Python objects, and
:func:`copy_entries` copies the values and the words out in one more pass.
"""

from skembed.utils._jit import jit

__all__ = ["SCAN_OK", "SCAN_NO_SPACE", "SCAN_EMPTY_WORD", "SCAN_TRUNCATED", "copy_entries",
           "scan_entries"]  # fmt: skip

SCAN_OK = 0
SCAN_NO_SPACE = 1  # the file ends inside the word of an entry
SCAN_EMPTY_WORD = 2
SCAN_TRUNCATED = 3  # the file ends inside the values of an entry


@jit
def scan_entries(data, start, n, row_bytes, word_start, word_end):
    """Find the word of each of ``n`` entries from ``start``.

    Fills ``word_start[i]`` and ``word_end[i]`` (the space after the word).
    Returns ``(status, row, position)``: ``SCAN_OK`` with the position after
    the last entry, or the code of the first fault with its entry and offset.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io._kernels._word2vec_binary import scan_entries
    >>> data = np.frombuffer(b"ab \\x00\\x00\\x00\\x00\\nc \\x00\\x00\\x00\\x00", np.uint8)
    >>> starts, ends = np.zeros(2, np.int64), np.zeros(2, np.int64)
    >>> scan_entries(data, 0, 2, 4, starts, ends), starts.tolist(), ends.tolist()
    ((0, 2, 14), [0, 8], [2, 9])
    """
    end_of_file = data.shape[0]
    pos = start
    for row in range(n):
        while pos < end_of_file and data[pos] == 10:  # the newline after an entry
            pos += 1
        space = pos
        while space < end_of_file and data[space] != 32:
            space += 1
        if space >= end_of_file:
            return SCAN_NO_SPACE, row, pos
        if space == pos:
            return SCAN_EMPTY_WORD, row, pos
        stop = space + 1 + row_bytes
        if stop > end_of_file:
            return SCAN_TRUNCATED, row, space + 1
        word_start[row] = pos
        word_end[row] = space
        pos = stop
    return SCAN_OK, n, pos


@jit
def copy_entries(data, word_start, word_end, row_bytes, values, words):
    """Copy each entry's values into ``values`` (rows of ``row_bytes``) and its word
    into ``words``, the words joined by newlines; return how many words hold a newline.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io._kernels._word2vec_binary import copy_entries
    >>> data = np.frombuffer(b"ab \\x01\\x00\\x00\\x00\\nc \\x02\\x00\\x00\\x00", np.uint8)
    >>> values, words = np.zeros(8, np.uint8), np.zeros(4, np.uint8)
    >>> copy_entries(data, np.array([0, 8]), np.array([2, 9]), 4, values, words)
    0
    >>> values.tolist(), bytes(words)
    ([1, 0, 0, 0, 2, 0, 0, 0], b'ab\\nc')
    """
    with_newline = 0
    out = 0
    for row in range(word_start.shape[0]):
        if row > 0:
            words[out] = 10
            out += 1
        for k in range(word_start[row], word_end[row]):
            byte = data[k]
            if byte == 10:
                with_newline += 1
            words[out] = byte
            out += 1
        first = word_end[row] + 1
        base = row * row_bytes
        values[base : base + row_bytes] = data[first : first + row_bytes]
    return with_newline
