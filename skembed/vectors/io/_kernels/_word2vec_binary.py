"""Walking the entries of a word2vec binary file in compiled code.

An entry is a word, a space and ``4 * size`` bytes of values; entries may be
separated by line ends.  The word lengths vary, so finding the entries is a
loop over the file.  :func:`read_entries` does it without Python objects and,
in the same pass, copies each word and each row's values (4 bytes at a time)
and tests the values for NaN and infinity while they are in cache;
:func:`join_words` gathers the words again where the buffer given for them was
too small.

A row's values start at any byte offset, so the caller hands in the file's
bytes four times as 4-byte words, starting at offsets 0, 1, 2 and 3
(:func:`word_views`): each row is read from the view whose start has the same
remainder modulo 4 as the row's first byte.
"""

import numpy as np

from skembed.utils._jit import jit

__all__ = ["SCAN_OK", "SCAN_NO_SPACE", "SCAN_EMPTY_WORD", "SCAN_TRUNCATED", "join_words",
           "read_entries", "word_views"]  # fmt: skip

SCAN_OK = 0
SCAN_NO_SPACE = 1  # the file ends inside the word of an entry
SCAN_EMPTY_WORD = 2
SCAN_TRUNCATED = 3  # the file ends inside the values of an entry

_ABS_MASK = np.uint32(0x7FFFFFFF)  # a float32's bits without its sign
_EXPONENT_ALL_ONES = np.uint32(0x7F800000)  # the smallest |bits| of an infinity or NaN


def word_views(data):
    """Return the little-endian 4-byte words of ``data`` (uint8) starting at bytes 0, 1, 2, 3.

    View ``k`` holds bytes ``k, k+1, ...`` cut to a multiple of 4 bytes; none is a copy.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io._kernels._word2vec_binary import word_views
    >>> [v.tolist() for v in word_views(np.arange(6, dtype=np.uint8))]
    [[50462976], [67305985], [84148994], []]
    """
    views = []
    for k in range(4):
        part = data[k:]
        views.append(part[: len(part) // 4 * 4].view("<u4"))
    return tuple(views)


@jit
def read_entries(data, view0, view1, view2, view3, start, n, size, word_start, word_end, values,
                 words):  # fmt: skip
    """Find each of ``n`` entries from ``start``, copy its values and word, test its values.

    Fills ``word_start[i]`` and ``word_end[i]`` (the space after the word),
    ``values[i * size : (i + 1) * size]`` (float32 bits as uint32) and
    ``words`` with the words joined by newlines, as long as they fit.

    Returns ``(status, row, position, first_non_finite, joined, with_newline)``:
    ``status`` is ``SCAN_OK`` with ``row == n`` and the position after the
    last entry, or the code of the first fault with its entry and offset;
    ``first_non_finite`` is the first entry read with a NaN or infinite
    value, or -1; ``joined`` is the length of the joined words, or -1 when
    they did not fit in ``words`` (then :func:`join_words` gathers them);
    ``with_newline`` counts the words copied that hold a newline.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io._kernels._word2vec_binary import read_entries, word_views
    >>> blob = b"ab " + np.float32(1.5).tobytes() + b"\\nc " + np.float32(np.inf).tobytes()
    >>> data = np.frombuffer(blob, np.uint8)
    >>> starts, ends, values = np.zeros(2, np.int64), np.zeros(2, np.int64), np.zeros(2, "<u4")
    >>> words = np.zeros(8, np.uint8)
    >>> read_entries(data, *word_views(data), 0, 2, 1, starts, ends, values, words)
    (0, 2, 14, 1, 4, 0)
    >>> starts.tolist(), ends.tolist(), values.view("<f4").tolist(), bytes(words[:4])
    ([0, 8], [2, 9], [1.5, inf], b'ab\\nc')
    """
    end_of_file = data.shape[0]
    capacity = words.shape[0]
    row_bytes = 4 * size
    pos = start
    first_bad = -1
    joined = 0
    with_newline = 0
    for row in range(n):
        while pos < end_of_file and data[pos] == 10:  # the newline after an entry
            pos += 1
        space = pos
        while space < end_of_file and data[space] != 32:
            space += 1
        if space >= end_of_file:
            return SCAN_NO_SPACE, row, pos, first_bad, joined, with_newline
        if space == pos:
            return SCAN_EMPTY_WORD, row, pos, first_bad, joined, with_newline
        first = space + 1
        stop = first + row_bytes
        if stop > end_of_file:
            return SCAN_TRUNCATED, row, first, first_bad, joined, with_newline
        word_start[row] = pos
        word_end[row] = space
        if joined >= 0:
            length = space - pos + (1 if row > 0 else 0)
            if joined + length > capacity:
                joined = -1
            else:
                if row > 0:
                    words[joined] = 10
                    joined += 1
                for k in range(pos, space):
                    byte = data[k]
                    if byte == 10:
                        with_newline += 1
                    words[joined] = byte
                    joined += 1
        shift = first & 3
        if shift == 0:
            source = view0
        elif shift == 1:
            source = view1
        elif shift == 2:
            source = view2
        else:
            source = view3
        source_at = (first - shift) >> 2
        out = row * size
        largest = np.uint32(0)
        for j in range(size):
            bits = source[source_at + j]
            values[out + j] = bits
            largest = max(largest, bits & _ABS_MASK)
        if first_bad < 0 and largest >= _EXPONENT_ALL_ONES:
            first_bad = row
        pos = stop
    return SCAN_OK, n, pos, first_bad, joined, with_newline


@jit
def join_words(data, word_start, word_end, words):
    """Copy the words into ``words``, joined by newlines; return how many words hold a newline.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io._kernels._word2vec_binary import join_words
    >>> data = np.frombuffer(b"ab \\x01\\x00\\x00\\x00\\nc \\x02\\x00\\x00\\x00", np.uint8)
    >>> words = np.zeros(4, np.uint8)
    >>> join_words(data, np.array([0, 8]), np.array([2, 9]), words), bytes(words)
    (0, b'ab\\nc')
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
    return with_newline
