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

import contextlib
import mmap
import os

import numpy as np

from skembed.utils._files import (
    FileFormatError,
    atomic_write,
    check_declared_count,
    file_errors,
)

__all__ = ["read_word2vec_text", "read_word2vec_binary", "write_word2vec_text",
           "write_word2vec_binary", "read_text_rows"]  # fmt: skip

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_HEADER_LIMIT = 256  # bytes: two integers and a line end


def _check_word(word):
    if not word or any(c.isspace() for c in word):
        raise ValueError(f"word {word!r} is empty or contains whitespace; the format forbids it.")


def _writer(vectors, binary):
    def write(fh):
        fh.write(f"{len(vectors)} {vectors.vector_size}\n".encode())
        for word, vector in zip(vectors.index_to_key, vectors.vectors, strict=True):
            _check_word(word)
            if binary:
                fh.write(word.encode() + b" " + vector.astype("<f4").tobytes() + b"\n")
            else:
                values = " ".join(repr(float(v)) for v in vector)
                fh.write(f"{word} {values}\n".encode())

    return write


def write_word2vec_text(vectors, path):
    """Write ``vectors`` in the word2vec text format."""
    atomic_write(path, _writer(vectors, binary=False))


def write_word2vec_binary(vectors, path):
    """Write ``vectors`` in the word2vec binary format."""
    atomic_write(path, _writer(vectors, binary=True))


def _parse_values(path, parts, line):
    """Return ``parts`` as float32 values; refuse text, NaN, infinity and float32 overflow."""
    try:
        values = np.array(parts, dtype=np.float64)
    except ValueError as exc:
        raise FileFormatError(path, f"{exc}.", line=line) from None
    if not np.isfinite(values).all():
        raise FileFormatError(path, "a value is NaN or infinite.", line=line)
    if values.size and np.abs(values).max() > _FLOAT32_MAX:
        raise FileFormatError(path, "a value overflows float32.", line=line)
    return values.astype(np.float32)


def _check_unique(path, words, place):
    if len(set(words)) != len(words):
        seen = set()
        for i, word in enumerate(words):
            if word in seen:
                raise FileFormatError(path, f"word {word!r} appears twice.", **place(i))
            seen.add(word)


def read_text_rows(path, fh, *, first_line, n_rows=None, size=None, encoding="utf-8"):
    """Read lines of a word and its values from ``fh`` (binary mode) up to the end.

    Shared by the word2vec text and GloVe formats.

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

    Returns
    -------
    words : list of str
    vectors : ndarray of shape (n_rows, size), dtype float32
    """
    words = []
    rows = np.empty((n_rows, size), dtype=np.float32) if n_rows is not None else []
    line = first_line - 1
    for line, raw in enumerate(fh, start=first_line):  # noqa: B007 (line is used after the loop)
        if not raw.endswith(b"\n"):
            raise FileFormatError(
                path, "the last line has no line end: the file is truncated (perhaps inside its "
                "last value).", line=line,
            )  # fmt: skip
        if n_rows is not None and len(words) == n_rows:
            if raw.strip():
                raise FileFormatError(
                    path, f"a row beyond the {n_rows} declared in line 1.", line=line
                )
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                path, f"not valid {encoding} ({exc.reason} at column {exc.start + 1}).", line=line
            ) from None
        # word2vec's C tool and fastText end each row with a space
        parts = text.rstrip().split(" ")
        if not parts[0]:
            raise FileFormatError(path, "empty word (blank line or leading space).", line=line)
        if size is None:
            size = len(parts) - 1
            if size < 1:
                raise FileFormatError(path, "a word and its values expected.", line=line)
        if len(parts) != size + 1:
            raise FileFormatError(path, f"{len(parts) - 1} values, expected {size}.", line=line)
        values = _parse_values(path, parts[1:], line)
        if n_rows is not None:
            rows[len(words)] = values
        else:
            rows.append(values)
        words.append(parts[0])
    if n_rows is not None and len(words) != n_rows:
        raise FileFormatError(
            path, f"the file ends after {len(words)} of the {n_rows} rows declared in line 1.",
            line=line,
        )  # fmt: skip
    _check_unique(path, words, lambda i: {"line": first_line + i})
    if n_rows is None:
        rows = np.stack(rows) if rows else np.empty((0, size or 0), dtype=np.float32)
    return words, rows


def _read_header(path, fh, file_size, binary):
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
    # dimension and a line end (text), or a space and 4 bytes per dimension (binary)
    min_bytes = 4 * size + 2 if binary else 2 * size + 2
    check_declared_count(path, n_words, min_bytes, file_size - len(raw), "rows", line=1)
    return n_words, size, len(raw)


def _read_binary(path, buffer, start, n_words, size, encoding):
    vectors = np.empty((n_words, size), dtype=np.float32)
    words, offsets = [], []
    end_of_file = len(buffer)
    pos = start
    for row in range(n_words):
        while pos < end_of_file and buffer[pos] == 0x0A:  # the newline after an entry
            pos += 1
        space = buffer.find(b" ", pos)
        if space < 0:
            raise FileFormatError(path, f"file ends inside the word of entry {row}.", offset=pos)
        if space == pos:
            raise FileFormatError(path, f"entry {row} has an empty word.", offset=pos)
        stop = space + 1 + 4 * size
        if stop > end_of_file:
            raise FileFormatError(
                path, f"file ends inside the values of entry {row} (truncated).", offset=space + 1
            )
        try:
            words.append(buffer[pos:space].decode(encoding))
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                path, f"the word of entry {row} is not valid {encoding} ({exc.reason}).",
                offset=pos + exc.start,
            ) from None  # fmt: skip
        values = np.frombuffer(buffer, dtype="<f4", count=size, offset=space + 1)
        if not np.isfinite(values).all():
            raise FileFormatError(
                path, f"entry {row} ({words[-1]!r}) has a NaN or infinite value.",
                offset=space + 1,
            )  # fmt: skip
        vectors[row] = values
        del values  # a view of the mapping, which must be closable
        offsets.append(pos)
        pos = stop
    rest = buffer[pos:end_of_file]
    if rest.strip():
        skipped = len(rest) - len(rest.lstrip())
        raise FileFormatError(
            path, f"data after the {n_words} entries declared in line 1.", offset=pos + skipped
        )
    _check_unique(path, words, lambda i: {"offset": offsets[i]})
    return words, vectors


def _read(path, binary, encoding):
    from skembed.vectors._word_vectors import WordVectors

    path = os.fspath(path)
    with open(path, "rb") as fh:
        file_size = os.fstat(fh.fileno()).st_size
        n_words, size, header_size = _read_header(path, fh, file_size, binary)
        if not binary:
            words, vectors = read_text_rows(
                path, fh, first_line=2, n_rows=n_words, size=size, encoding=encoding
            )
        elif file_size == header_size:
            words, vectors = [], np.empty((0, size), dtype=np.float32)
        else:
            buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                words, vectors = _read_binary(path, buffer, header_size, n_words, size, encoding)
            finally:
                # a traceback may still hold a view of the mapping: never let closing it
                # hide the error being raised
                with contextlib.suppress(BufferError):
                    buffer.close()
    with file_errors(path):
        return WordVectors(words, vectors)


def read_word2vec_text(path, encoding="utf-8"):
    """Read the word2vec text format; return a :class:`~skembed.WordVectors`.

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file and line: a header that is not two
        integers or declares more rows than the file can hold, a row with the
        wrong number of values, a value that is not a finite float32 number,
        a duplicate word, a row beyond the declared count, or a last line
        without its line end (a truncated file).
    """
    return _read(path, False, encoding)


def read_word2vec_binary(path, encoding="utf-8"):
    """Read the word2vec binary format; return a :class:`~skembed.WordVectors`.

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file and line 1 or the byte offset: a bad
        header or one declaring more entries than the file can hold, a
        truncated entry, a word that is not valid text, a NaN or infinite
        value, a duplicate word, or data after the declared entries.
    """
    return _read(path, True, encoding)
