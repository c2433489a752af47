"""Stanford GloVe's text format: one word and its values per line, no header line."""

import os

from skembed.utils._files import FileFormatError, atomic_write, file_errors
from skembed.vectors.io._word2vec import _check_options, read_text_rows, text_lines

__all__ = ["read_glove_text", "write_glove_text"]


def write_glove_text(vectors, path):
    """Write ``vectors`` as GloVe's ``vectors.txt`` (no header line).

    Values are float32's shortest decimal forms, which read back exactly.
    """

    def write(fh):
        for block in text_lines(vectors):
            fh.write(block)

    atomic_write(path, write)


def read_glove_text(path, encoding="utf-8", unicode_errors="strict", limit=None):
    """Read GloVe's text format; every line must have the same number of values.

    Parameters
    ----------
    path : str or path-like
    encoding : str, default="utf-8"
        Encoding of the words.
    unicode_errors : str, default="strict"
        How words that are not valid ``encoding`` are decoded (an error
        handler of ``bytes.decode``); "strict" refuses the file.
    limit : int, default=None
        Read the first ``limit`` lines only; the rest is not read.

    Returns
    -------
    wv : WordVectors

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file and line: an empty file or line, a
        row with another number of values than the first, a value that is not
        a finite float32 number, a duplicate word, or a last line without its
        line end (a truncated file).
    """
    from skembed.vectors._word_vectors import WordVectors

    _check_options(limit, unicode_errors)
    path = os.fspath(path)
    with open(path, "rb") as fh:
        words, vectors = read_text_rows(
            path, fh, first_line=1, encoding=encoding, unicode_errors=unicode_errors, limit=limit
        )
    if not words and limit != 0:
        raise FileFormatError(path, "empty file, no vectors.")
    with file_errors(path):
        return WordVectors(words, vectors)
