"""Stanford GloVe's text format: one word and its values per line, no header line."""

import numpy as np

from skembed.utils._files import atomic_write

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
    """Read GloVe's text format; every line must have the same number of values."""
    from skembed.vectors._word_vectors import WordVectors

    words, rows, size = [], [], None
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            parts = raw.decode(encoding).rstrip("\r\n").split(" ")
            if size is None:
                size = len(parts) - 1
                if size < 1:
                    raise ValueError(f"{path}, line {number}: a word and its values expected.")
            if len(parts) != size + 1:
                raise ValueError(
                    f"{path}, line {number}: {len(parts) - 1} values, expected {size}."
                )
            words.append(parts[0])
            rows.append(np.asarray(parts[1:], dtype=np.float32))
    if not words:
        raise ValueError(f"{path}: empty file, no vectors.")
    return WordVectors(words, np.stack(rows))
