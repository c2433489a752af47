"""The word2vec text and binary formats (as word2vec's C tool, gensim and fastText write them).

Both start with a text line ``n_words vector_size``.  In the text format each
further line is a word and its values separated by spaces; in the binary
format each entry is the word's UTF-8 bytes, a space, then ``vector_size``
little-endian float32 values (writers add a newline after each entry, which
readers skip).
"""

import numpy as np

from skembed.utils._files import atomic_write

__all__ = ["read_word2vec_text", "read_word2vec_binary", "write_word2vec_text",
           "write_word2vec_binary"]  # fmt: skip


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


def _read(path, binary, encoding):
    from skembed.vectors._word_vectors import WordVectors

    with open(path, "rb") as fh:
        header = fh.readline().split()
        try:
            n_words, size = int(header[0]), int(header[1])
        except (IndexError, ValueError):
            raise ValueError(f"{path}: first line must be 'n_words vector_size'.") from None
        words, vectors = [], np.empty((n_words, size), dtype=np.float32)
        for row in range(n_words):
            if binary:
                word = bytearray()
                while (ch := fh.read(1)) != b" ":
                    if not ch:
                        raise ValueError(f"{path}: file ends inside entry {row}.")
                    if ch != b"\n":
                        word += ch
                raw = fh.read(4 * size)
                if len(raw) != 4 * size:
                    raise ValueError(f"{path}: file ends inside entry {row}.")
                vectors[row] = np.frombuffer(raw, dtype="<f4")
                words.append(word.decode(encoding))
            else:
                parts = fh.readline().decode(encoding).rstrip().split(" ")
                if len(parts) != size + 1:
                    raise ValueError(
                        f"{path}: line {row + 2} has {len(parts) - 1} values, expected {size}."
                    )
                words.append(parts[0])
                vectors[row] = np.asarray(parts[1:], dtype=np.float32)
    return WordVectors(words, vectors)


def read_word2vec_text(path, encoding="utf-8"):
    """Read the word2vec text format; return a :class:`~skembed.WordVectors`."""
    return _read(path, False, encoding)


def read_word2vec_binary(path, encoding="utf-8"):
    """Read the word2vec binary format; return a :class:`~skembed.WordVectors`."""
    return _read(path, True, encoding)
