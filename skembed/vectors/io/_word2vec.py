"""The word2vec text and binary formats (as word2vec's C tool, gensim and fastText write them).

Both start with a text line ``n_words vector_size``.  In the text format each
further line is a word and its values separated by spaces; in the binary
format each entry is the word's UTF-8 bytes, a space, then ``vector_size``
little-endian float32 values (writers add a newline after each entry, which
readers skip).

Readers check the header against the file's size before allocating, refuse
rows beyond the declared count, a last line cut short, and values that are
not finite float32 numbers; every error is a
:class:`~skembed.utils._files.FileFormatError` naming the file and the line
(text) or byte offset (binary).
"""

import codecs
import contextlib
import mmap
import numbers
import os

import numpy as np

from skembed.utils._files import (
    FileFormatError,
    atomic_write,
    check_declared_count,
    file_errors,
)

__all__ = ["read_word2vec_text", "read_word2vec_binary", "write_word2vec_text",
           "write_word2vec_binary", "read_text_rows", "text_lines"]  # fmt: skip

_HEADER_LIMIT = 256  # bytes: two integers and a line end


_BLOCK_BYTES = 1 << 24  # text read and parsed this many bytes (whole lines) at a time
_ROWS_PER_WRITE = 4096


def _check_word(word):
    if not word or any(c.isspace() for c in word):
        raise ValueError(f"word {word!r} is empty or contains whitespace; the format forbids it.")


def _encode_word(word):
    _check_word(word)
    try:
        return word.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"word {word!r} cannot be written as UTF-8 ({exc.reason}).") from None


def text_lines(vectors):
    """Yield the lines ``word v1 v2 ...`` of ``vectors``, as UTF-8 bytes, a block at a time.

    Each value is float32's shortest decimal form that reads back to the same
    float32 (numpy's ``str`` of a float32), so files are no larger than they
    need to be and a round trip is exact.
    """
    words = vectors.index_to_key
    for start in range(0, len(words), _ROWS_PER_WRITE):
        block = vectors.vectors[start : start + _ROWS_PER_WRITE].astype(str).tolist()
        encoded = [_encode_word(w) for w in words[start : start + _ROWS_PER_WRITE]]
        yield b"".join(
            w + b" " + " ".join(values).encode("ascii") + b"\n"
            for w, values in zip(encoded, block, strict=True)
        )


def _writer(vectors, binary):
    def write(fh):
        fh.write(f"{len(vectors)} {vectors.vector_size}\n".encode())
        if not binary:
            for block in text_lines(vectors):
                fh.write(block)
            return
        for word, vector in zip(vectors.index_to_key, vectors.vectors, strict=True):
            fh.write(_encode_word(word) + b" " + vector.astype("<f4").tobytes() + b"\n")

    return write


def write_word2vec_text(vectors, path):
    """Write ``vectors`` in the word2vec text format (float32's shortest decimal forms)."""
    atomic_write(path, _writer(vectors, binary=False))


def write_word2vec_binary(vectors, path):
    """Write ``vectors`` in the word2vec binary format."""
    atomic_write(path, _writer(vectors, binary=True))


def _check_unique(path, words, place):
    if len(set(words)) != len(words):
        seen = set()
        for i, word in enumerate(words):
            if word in seen:
                raise FileFormatError(path, f"word {word!r} appears twice.", **place(i))
            seen.add(word)


def _check_options(limit, unicode_errors):
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 0
    ):
        raise ValueError(f"limit must be a non-negative integer or None, got {limit!r}.")
    try:
        codecs.lookup_error(unicode_errors)
    except (LookupError, TypeError):
        raise ValueError(
            f"unicode_errors={unicode_errors!r} is not an error handler of str.decode "
            "('strict', 'replace', 'ignore', 'backslashreplace', ...)."
        ) from None


def _decode_word(path, raw, encoding, unicode_errors, **place):
    try:
        return raw.decode(encoding, unicode_errors)
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            path, f"not valid {encoding} ({exc.reason} at column {exc.start + 1}); "
            "unicode_errors='replace' reads such words.", **place,
        ) from None  # fmt: skip


def _slow_rows(path, lines, first_line, size, encoding, unicode_errors):
    """Parse ``lines`` one at a time under the format's rules; raise at the first fault.

    The reference for :func:`_fast_rows`, and where every error is found.
    Returns ``(words, values, size)``.
    """
    words, rows = [], []
    for line, raw in enumerate(lines, start=first_line):
        # word2vec's C tool and fastText end each row with a space
        parts = raw.rstrip().split(b" ")
        if not parts[0]:
            raise FileFormatError(path, "empty word (blank line or leading space).", line=line)
        if size is None:
            size = len(parts) - 1
            if size < 1:
                raise FileFormatError(path, "a word and its values expected.", line=line)
        if len(parts) != size + 1:
            raise FileFormatError(path, f"{len(parts) - 1} values, expected {size}.", line=line)
        word = _decode_word(path, parts[0], encoding, unicode_errors, line=line)
        try:
            values = np.array([float(p) for p in parts[1:]], dtype=np.float64)
        except ValueError as exc:
            raise FileFormatError(path, f"{exc}.", line=line) from None
        if not np.isfinite(values).all():
            raise FileFormatError(path, "a value is NaN or infinite.", line=line)
        with np.errstate(over="ignore"):
            values = values.astype(np.float32)  # rounds to float32 (its max stays finite)
        if not np.isfinite(values).all():
            raise FileFormatError(path, "a value overflows float32.", line=line)
        words.append(word)
        rows.append(values)
    values = np.array(rows, dtype=np.float32).reshape(len(rows), size or 0)
    return words, values, size


def _fast_rows(path, lines, first_line, size, encoding, unicode_errors, out=None):
    """Parse a block of lines in compiled code; the same result as :func:`_slow_rows`.

    The values of every line in the common form are parsed at once
    (:func:`~skembed.vectors.io._kernels._word2vec_text.parse_rows`, exact);
    the few lines it leaves, and the whole block when any of them or any
    word is at fault (to name the first line at fault), go to
    :func:`_slow_rows`.  Fills ``out`` (a float32 array of shape
    ``(len(lines), size)``) when given; returns ``(words, values)``.
    """
    from skembed.vectors.io._kernels import _word2vec_text as kernels

    values = np.empty((len(lines), size), dtype=np.float32) if out is None else out
    flags = np.empty(len(lines), dtype=np.uint8)
    line_starts = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum([len(raw) for raw in lines], out=line_starts[1:])
    block = np.frombuffer(b"".join(lines), dtype=np.uint8)
    try:
        if kernels.parse_rows(block, line_starts, size, values, flags):
            for k in np.flatnonzero(flags).tolist():
                values[k] = _slow_rows(
                    path, lines[k : k + 1], first_line + k, size, encoding, unicode_errors
                )[1][0]
        words = [raw.partition(b" ")[0].decode(encoding, unicode_errors) for raw in lines]
    except (FileFormatError, UnicodeDecodeError):
        words, values[:], _ = _slow_rows(path, lines, first_line, size, encoding, unicode_errors)
    return words, values


def read_text_rows(path, fh, *, first_line, n_rows=None, size=None, encoding="utf-8",
                   unicode_errors="strict", limit=None):  # fmt: skip
    """Read lines of a word and its values from ``fh`` (binary mode) up to the end.

    Shared by the word2vec text and GloVe formats.  Lines are read and
    parsed a block (16 MiB) at a time: numbers in compiled code, and the
    few lines it leaves, or a block with a fault, line by line (to name the
    line at fault).

    Parameters
    ----------
    path : str
        The file, for messages.
    fh : binary file object
        Positioned at the first row.
    first_line : int
        1-based number of that row's line.
    n_rows : int, default=None
        Number of rows declared by a header; lines after them must be blank.
        None: every line is a row (GloVe).
    size : int, default=None
        Values per row; None: taken from the first row.
    encoding : str, default="utf-8"
    unicode_errors : str, default="strict"
        How words that are not valid ``encoding`` are decoded (an error
        handler of ``bytes.decode``): "strict" refuses the file.
    limit : int, default=None
        Read the first ``limit`` rows only, and nothing after them.

    Returns
    -------
    words : list of str
    vectors : ndarray of shape (n_rows, size), dtype float32
    """
    want = n_rows if limit is None else min(limit, n_rows if n_rows is not None else limit)
    stop_early = limit is not None and (n_rows is None or limit < n_rows)
    words, blocks = [], []
    rows = None
    line = first_line  # number of the next line
    while True:
        lines = fh.readlines(_BLOCK_BYTES)
        if not lines:
            break
        if not lines[-1].endswith(b"\n"):
            raise FileFormatError(
                path, "the last line has no line end: the file is truncated (perhaps inside its "
                "last value).", line=line + len(lines) - 1,
            )  # fmt: skip
        if size is None:  # GloVe: the first line tells
            size = _slow_rows(path, lines[:1], line, None, encoding, unicode_errors)[2]
        take = lines if want is None else lines[: max(want - len(words), 0)]
        if take:
            if n_rows is not None and rows is None:
                rows = np.empty((want, size), dtype=np.float32)
            out = None if rows is None else rows[len(words) : len(words) + len(take)]
            parsed = _fast_rows(path, take, line, size, encoding, unicode_errors, out)
            if rows is None:
                blocks.append(parsed[1])
            words += parsed[0]
        if len(take) < len(lines):
            if stop_early:
                break
            for k, raw in enumerate(lines[len(take) :], start=line + len(take)):
                if raw.strip():
                    raise FileFormatError(
                        path, f"a row beyond the {n_rows} declared in line 1.", line=k
                    )
        line += len(lines)
    if n_rows is not None and len(words) != want:
        raise FileFormatError(
            path, f"the file ends after {len(words)} of the {n_rows} rows declared in line 1.",
            line=line - 1,
        )  # fmt: skip
    _check_unique(path, words, lambda i: {"line": first_line + i})
    if rows is None:
        rows = np.concatenate(blocks) if blocks else np.empty((0, size or 0), dtype=np.float32)
    return words, rows


def _read_header(path, fh, file_size, binary, limit=None):
    raw = fh.readline(_HEADER_LIMIT)
    parts = raw.split()
    if not raw.endswith(b"\n") or len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise FileFormatError(
            path, "first line must be 'n_words vector_size' (two integers).", line=1
        )
    n_words, size = int(parts[0]), int(parts[1])
    if size < 1:
        raise FileFormatError(path, f"vector_size must be at least 1, got {size}.", line=1)
    # fewest bytes per row: a one-byte word, then a space and a one-character value per
    # dimension and a line end (text), or a space and 4 bytes per dimension (binary);
    # with a limit only the rows read must be there
    min_bytes = 4 * size + 2 if binary else 2 * size + 2
    n_read = n_words if limit is None else min(n_words, limit)
    check_declared_count(path, n_read, min_bytes, file_size - len(raw), "rows", line=1)
    return n_words, size, len(raw)


def _read_binary(path, buffer, start, n_words, size, encoding, unicode_errors, limit):
    """Walk the entries (a word, a space, ``4 * size`` bytes), copying words and values.

    The walk, the copies (values 4 bytes at a time) and the test for
    non-finite values are one compiled pass over the file (the word lengths
    vary, so finding the entries is a loop); the words, joined by newlines,
    are then decoded in one call.  Returns ``(words, vectors, word_starts)``.
    """
    from skembed.vectors.io._kernels import _word2vec_binary as kernels

    n = n_words if limit is None else min(n_words, limit)
    data = np.frombuffer(buffer, dtype=np.uint8)
    end_of_file = len(data)
    starts, ends = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    # the header's count was checked against the file's size: the values fit in the
    # file, and so do the words (joined by newlines) in what the values leave of it
    # (with a limit, a buffer that usually holds them; else they are gathered again)
    capacity = end_of_file - start - n * 4 * size
    if n < n_words:
        capacity = min(capacity, 64 * n + 4096)
    try:
        flat = np.empty(n * size, dtype="<f4")
        joined = np.empty(max(capacity, 0), dtype=np.uint8)
        views = kernels.word_views(data)
        status, row, pos, bad, length, with_newline = kernels.read_entries(
            data, *views, start, n, size, starts, ends, flat.view("<u4"), joined
        )
        del views
        if status == kernels.SCAN_NO_SPACE:
            raise FileFormatError(path, f"file ends inside the word of entry {row}.", offset=pos)
        if status == kernels.SCAN_EMPTY_WORD:
            raise FileFormatError(path, f"entry {row} has an empty word.", offset=pos)
        if status == kernels.SCAN_TRUNCATED:
            raise FileFormatError(
                path, f"file ends inside the values of entry {row} (truncated).", offset=pos
            )
        if length < 0:  # the words did not fit
            joined = np.empty(int((ends - starts).sum()) + max(n - 1, 0), dtype=np.uint8)
            with_newline = kernels.join_words(data, starts, ends, joined)
        else:
            joined = joined[:length]
        raw_words = None
        if with_newline:  # words holding a newline cannot be split apart after joining
            raw_words = [bytes(data[a:b]) for a, b in zip(starts, ends, strict=True)]
        rest = bytes(data[pos:end_of_file]) if n == n_words else b""
    finally:
        del data  # the mapping must be closable
    if n == n_words:
        if rest.strip():
            skipped = len(rest) - len(rest.lstrip())
            raise FileFormatError(
                path, f"data after the {n_words} entries declared in line 1.",
                offset=pos + skipped,
            )  # fmt: skip
    if raw_words is None:
        words = _decode_joined(
            path,
            joined.tobytes(),
            n,
            starts,
            encoding,
            unicode_errors,
            lambda: [bytes(buffer[a:b]) for a, b in zip(starts, ends, strict=True)],
        )
    else:
        words = _decode_words(path, raw_words, starts, encoding, unicode_errors)
    vectors = flat.reshape(n, size).astype(np.float32, copy=False)
    if bad >= 0:
        raise FileFormatError(
            path, f"entry {bad} ({words[bad]!r}) has a NaN or infinite value.",
            offset=int(ends[bad]) + 1,
        )  # fmt: skip
    return words, vectors, starts


_JOINABLE = {"utf-8", "ascii", "latin-1", "iso8859-1"}  # codecs in which b"\n" is a character


def _decode_joined(path, joined, n, word_starts, encoding, unicode_errors, raw_words):
    """Decode ``n`` words joined by newlines in one call where the encoding allows;
    else (or to name the entry at fault) word by word from ``raw_words()``."""
    if n and codecs.lookup(encoding).name in _JOINABLE:
        try:
            return joined.decode(encoding, unicode_errors).split("\n")
        except UnicodeDecodeError:
            pass  # find the entry at fault
    return _decode_words(path, raw_words(), word_starts, encoding, unicode_errors)


def _decode_words(path, raw_words, word_starts, encoding, unicode_errors):
    """Decode the words, all in one call where the encoding allows; name the entry at fault."""
    joined = b"\n".join(raw_words)
    if codecs.lookup(encoding).name in _JOINABLE and joined.count(b"\n") == len(raw_words) - 1:
        try:
            return joined.decode(encoding, unicode_errors).split("\n") if raw_words else []
        except UnicodeDecodeError:
            pass  # find the entry at fault
    words = []
    for row, raw in enumerate(raw_words):
        try:
            words.append(raw.decode(encoding, unicode_errors))
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                path, f"the word of entry {row} is not valid {encoding} ({exc.reason}); "
                "unicode_errors='replace' reads such words.",
                offset=int(word_starts[row]) + exc.start,
            ) from None  # fmt: skip
    return words


def _read(path, binary, encoding, unicode_errors, limit):
    from skembed.vectors._word_vectors import WordVectors

    _check_options(limit, unicode_errors)
    path = os.fspath(path)
    with open(path, "rb") as fh:
        file_size = os.fstat(fh.fileno()).st_size
        n_words, size, header_size = _read_header(path, fh, file_size, binary, limit)
        if not binary:
            words, vectors = read_text_rows(
                path, fh, first_line=2, n_rows=n_words, size=size, encoding=encoding,
                unicode_errors=unicode_errors, limit=limit,
            )  # fmt: skip
        elif file_size == header_size or limit == 0:
            words, vectors = [], np.empty((0, size), dtype=np.float32)
        else:
            buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                words, vectors, word_starts = _read_binary(
                    path, buffer, header_size, n_words, size, encoding, unicode_errors, limit
                )
            finally:
                # a traceback may still hold a view of the mapping: never let closing it
                # hide the error being raised
                with contextlib.suppress(BufferError):
                    buffer.close()
            with file_errors(path):
                try:
                    return WordVectors._from_strings(words, vectors)
                except ValueError:  # a duplicate word (building the index finds it): name it
                    _check_unique(path, words, lambda i: {"offset": int(word_starts[i])})
                    raise
    with file_errors(path):
        return WordVectors._from_strings(words, vectors)


_OPTIONS_DOC = """
    Parameters
    ----------
    path : str or path-like
    encoding : str, default="utf-8"
        Encoding of the words.
    unicode_errors : str, default="strict"
        How words that are not valid ``encoding`` are decoded (an error
        handler of ``bytes.decode``: "replace", "ignore",
        "backslashreplace", ...); "strict" refuses the file.
    limit : int, default=None
        Read the first ``limit`` rows only (the most frequent words, in files
        sorted by frequency); the rest of the file is not read.

    Returns
    -------
    wv : WordVectors
"""


def read_word2vec_text(path, encoding="utf-8", unicode_errors="strict", limit=None):
    return _read(path, False, encoding, unicode_errors, limit)


read_word2vec_text.__doc__ = (
    """Read the word2vec text format; return a :class:`~skembed.WordVectors`.
"""
    + _OPTIONS_DOC
    + """
    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file and line: a header that is not two
        integers or declares more rows than the file can hold, a row with the
        wrong number of values, a value that is not a finite float32 number,
        a duplicate word, a row beyond the declared count, or a last line
        without its line end (a truncated file).
"""
)


def read_word2vec_binary(path, encoding="utf-8", unicode_errors="strict", limit=None):
    return _read(path, True, encoding, unicode_errors, limit)


read_word2vec_binary.__doc__ = (
    """Read the word2vec binary format; return a :class:`~skembed.WordVectors`.
"""
    + _OPTIONS_DOC
    + """
    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file and line 1 or the byte offset: a bad
        header or one declaring more entries than the file can hold, a
        truncated entry, a word that is not valid text, a NaN or infinite
        value, a duplicate word, or data after the declared entries.
"""
)
