"""Stanford GloVe's text format: one word and its values per line, no header line."""

import os

from skembed.utils._files import FileFormatError, atomic_write, file_errors
from skembed.vectors.io._word2vec import read_text_rows

__all__ = ["read_glove_text", "write_glove_text"]


def write_glove_text(vectors, path):
    """Write ``vectors`` as GloVe's ``vectors.txt`` (no header line)."""

    def write(fh):
        for word, vector in zip(vectors.index_to_key, vectors.vectors, strict=True):
            if not word or any(c.isspace() for c in word):
                raise ValueError(f"word {word!r} is empty or contains whitespace.")
            fh.write(f"{word} {' '.join(repr(float(v)) for v in vector)}\n".encode())

    atomic_write(path, write)


def read_glove_text(path, encoding="utf-8"):
    """Read GloVe's text format; every line must have the same number of values.

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file and line: an empty file or line, a
        row with another number of values than the first, a value that is not
        a finite float32 number, a duplicate word, or a last line without its
        line end (a truncated file).
    """
    from skembed.vectors._word_vectors import WordVectors

    path = os.fspath(path)
    with open(path, "rb") as fh:
        words, vectors = read_text_rows(path, fh, first_line=1, encoding=encoding)
    if not words:
        raise FileFormatError(path, "empty file, no vectors.")
    with file_errors(path):
        return WordVectors(words, vectors)
