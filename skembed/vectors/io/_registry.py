"""The registry of vector file formats: one entry per format, chosen by name, suffix or content.

A format is a module with a reader and a writer, plus one entry in
:data:`FORMATS`.  Where a suffix is shared by two formats the content decides:
``.bin`` is fastText when it starts with fastText's magic number, else word2vec
binary; ``.txt`` / ``.vec`` is word2vec text when the first line is two
integers, else GloVe text.
"""

import os
import struct
from dataclasses import dataclass

from skembed.utils._files import file_errors
from skembed.vectors.io import _fasttext_bin, _glove, _npz, _safetensors, _word2vec

__all__ = ["FORMATS", "Format", "detect_format", "load", "save"]


_TEXT_OPTIONS = ("encoding", "unicode_errors", "limit")


@dataclass(frozen=True)
class Format:
    """One file format: its name, usual suffixes, reader, writer and the reader's options."""

    name: str
    suffixes: tuple
    read: object
    write: object
    description: str
    options: tuple = ()


FORMATS = {
    f.name: f
    for f in (
        Format("npz", (".npz",), _npz.read_npz, _npz.write_npz,
               "skembed's arrays (WordVectors or FastTextWordVectors), no pickles"),
        Format("word2vec", (".txt", ".vec", ".w2v"), _word2vec.read_word2vec_text,
               _word2vec.write_word2vec_text, "word2vec text: a 'n_words dim' line, then rows",
               _TEXT_OPTIONS),
        Format("word2vec-binary", (".bin",), _word2vec.read_word2vec_binary,
               _word2vec.write_word2vec_binary, "word2vec binary: header, word, float32 row",
               _TEXT_OPTIONS),
        Format("glove", (".txt",), _glove.read_glove_text, _glove.write_glove_text,
               "Stanford GloVe text: rows of a word and its values, no header", _TEXT_OPTIONS),
        Format("safetensors", (".safetensors",), _safetensors.read_safetensors,
               _safetensors.write_safetensors,
               "safetensors: the matrix and the words' UTF-8 bytes, for deep-learning layers",
               _TEXT_OPTIONS),
        Format("fasttext", (".bin",), _fasttext_bin.read_fasttext_vectors,
               _fasttext_bin.write_fasttext_vectors,
               "facebook fastText .bin model (word and n-gram rows)"),
    )
}  # fmt: skip

_SAVE_BY_SUFFIX = {".npz": "npz", ".txt": "word2vec", ".vec": "word2vec", ".w2v": "word2vec",
                   ".safetensors": "safetensors"}  # fmt: skip
_MAGIC = struct.pack("<i", _fasttext_bin.FASTTEXT_MAGIC)
_ZIP_MAGIC = b"PK\x03\x04"


def _check_name(format):
    if format not in FORMATS:
        raise ValueError(f"format={format!r} is not one of {sorted(FORMATS)}.")
    return FORMATS[format]


def _suffix(path):
    return os.path.splitext(os.fspath(path))[1].lower()


def _first_line_is_header(path):
    with open(path, "rb") as fh:
        parts = fh.readline(1024).split()
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def detect_format(path):
    """Return the name of the format of an existing file, from its suffix and content.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    name : str
        A key of :data:`FORMATS`: ``.npz`` is npz; ``.bin`` is fasttext when
        it starts with fastText's magic number (or, in a file from before
        fastText's version 11, with a plausible Args block), else
        word2vec-binary; ``.safetensors`` is safetensors;
        ``.txt``, ``.vec`` and ``.w2v`` are word2vec when the first line is two
        integers, else glove.  A file with another suffix or none is npz
        when it is a zip archive and fasttext when it starts with fastText's
        magic number.

    Raises
    ------
    ValueError
        Naming the file, when neither its suffix nor its first bytes tell.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors.io import detect_format
    >>> wv = WordVectors(["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> folder = tempfile.mkdtemp()
    >>> wv.save_word2vec_format(os.path.join(folder, "a.txt"))
    >>> detect_format(os.path.join(folder, "a.txt"))
    'word2vec'
    >>> wv.save(os.path.join(folder, "b.txt"), format="glove")
    >>> detect_format(os.path.join(folder, "b.txt"))
    'glove'
    """
    suffix = _suffix(path)
    if suffix == ".npz":
        return "npz"
    if suffix == ".safetensors":
        return "safetensors"
    if suffix == ".bin":
        with open(path, "rb") as fh:
            start = fh.read(_fasttext_bin._OLD_HEAD_SIZE)
        if start[:4] == _MAGIC:
            return "fasttext"
        # a fastText file from before version 11 has no magic number: a plausible Args block
        # that is not a word2vec header line
        header = start.split(b"\n", 1)[0].split()
        is_w2v = len(header) == 2 and all(p.isdigit() for p in header)
        if not is_w2v and _fasttext_bin.looks_like_old_fasttext(start):
            return "fasttext"
        return "word2vec-binary"
    if suffix in (".txt", ".vec", ".w2v"):
        return "word2vec" if _first_line_is_header(path) else "glove"
    # another suffix, or none (``WordVectors.save`` writes .npz to a name without one):
    # the binary formats say what they are in their first bytes
    with open(path, "rb") as fh:
        start = fh.read(4)
    if start == _ZIP_MAGIC:
        return "npz"
    if start == _MAGIC:
        return "fasttext"
    raise ValueError(
        f"{os.fspath(path)}: cannot tell the format from the suffix {suffix!r}; "
        f"pass format= one of {sorted(FORMATS)}."
    )


def load(path, format=None, **options):
    """Read word vectors from a file of any registered format.

    Parameters
    ----------
    path : str or path-like
    format : str, default=None
        A key of :data:`FORMATS`; by default chosen from the suffix and content.
    **options
        Passed to the reader.  The word2vec text and binary, GloVe and
        safetensors readers take ``encoding`` (default "utf-8"),
        ``unicode_errors`` (an error handler of ``bytes.decode``, default
        "strict": such words refuse the file; "replace" reads them) and
        ``limit`` (read the first ``limit`` rows only).  The npz and fastText
        readers take none: fastText's n-gram rows make no sense cut.

    Returns
    -------
    vectors : WordVectors or FastTextWordVectors

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file (and the line or byte offset where
        known) when the file does not hold valid vectors of its format.
    OSError
        When the file cannot be opened.

    See Also
    --------
    save : Write vectors in any registered format.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skembed import WordVectors, vectors
    >>> wv = WordVectors(["cat", "dog"], np.array([[1, 0], [0.5, 0.5]], dtype=np.float32))
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.vec")
    >>> vectors.save(wv, path)
    >>> back = vectors.load(path)
    >>> back.words, back["dog"].tolist()
    (['cat', 'dog'], [0.5, 0.5])
    """
    spec = _check_name(format) if format is not None else FORMATS[detect_format(path)]
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        raise ValueError(
            f"{os.fspath(path)}: the {spec.name} reader takes no option {unknown[0]!r} "
            f"(it takes {list(spec.options) or 'none'})."
        )
    with file_errors(path):  # a reader's check that names no file still gets the file's name
        return spec.read(path, **options)


def save(vectors, path, format=None):
    """Write word vectors to ``path`` in a registered format (atomically).

    Parameters
    ----------
    vectors : WordVectors or FastTextWordVectors
    path : str or path-like
    format : str, default=None
        A key of :data:`FORMATS`; by default from the suffix: ``.npz`` npz,
        ``.txt``/``.vec``/``.w2v`` word2vec text, ``.bin`` fastText for
        :class:`~skembed.FastTextWordVectors` and word2vec binary otherwise.

    See Also
    --------
    load : Read vectors of any registered format.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skembed import WordVectors, vectors
    >>> wv = WordVectors(["cat", "dog"], np.eye(2, dtype=np.float32))
    >>> folder = tempfile.mkdtemp()
    >>> vectors.save(wv, os.path.join(folder, "pets.bin"))   # word2vec binary
    >>> vectors.save(wv, os.path.join(folder, "pets.txt"), format="glove")
    >>> sorted(os.listdir(folder))
    ['pets.bin', 'pets.txt']
    """
    if format is None:
        suffix = _suffix(path)
        if suffix == ".bin":
            format = "fasttext" if hasattr(vectors, "full_input_matrix") else "word2vec-binary"
        else:
            format = _SAVE_BY_SUFFIX.get(suffix)
            if format is None:
                raise ValueError(
                    f"{os.fspath(path)}: cannot tell the format from the suffix {suffix!r}; "
                    f"pass format= one of {sorted(FORMATS)}."
                )
    _check_name(format).write(vectors, path)
