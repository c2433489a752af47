"""The safetensors format: the matrix and the words, for PyTorch, TensorFlow or JAX layers.

A safetensors file is an 8-byte little-endian header length, a JSON header
naming each tensor's dtype, shape and byte range, then the tensors' bytes.
skembed writes three tensors and, when known, a fourth:

================  ======  =============================================
``vectors``       F32     (n_words, vector_size): one row per word
``words_utf8``    U8      the words' UTF-8 bytes, one after the other
``word_offsets``  I64     (n_words + 1,): word ``i`` is bytes
                          ``word_offsets[i]:word_offsets[i + 1]``
``counts``        I64     (n_words,), optional
================  ======  =============================================

and ``{"format": "skembed.word_vectors"}`` in the header's metadata.  An
embedding layer loads the matrix directly, e.g. PyTorch's
``nn.Embedding.from_pretrained(torch.from_numpy(safetensors.numpy.load_file(path)["vectors"]))``.
A :class:`~skembed.FastTextWordVectors` is written as its composed vocabulary
vectors (no n-gram rows).

The reader and writer are skembed's own (the ``safetensors`` package is
needed by neither; files are read and written by it too).  The reader checks
the header's length, JSON, dtypes, shapes and byte ranges against the file
before reading any tensor; errors are
:class:`~skembed.utils._files.FileFormatError` naming the file and the
tensor or byte offset.
"""

import json
import os
import struct

import numpy as np

from skembed.utils._files import FileFormatError, atomic_write, file_errors, first_non_finite_row

__all__ = ["read_safetensors", "write_safetensors"]

_DTYPES = {"F16": "<f2", "F32": "<f4", "F64": "<f8", "U8": "u1", "I32": "<i4", "I64": "<i8",
           "U32": "<u4", "U64": "<u8"}  # fmt: skip
_NAMES = {np.dtype(v).str: k for k, v in _DTYPES.items()}
_HEADER_LIMIT = 100 << 20  # the limit the safetensors package itself sets
_MAGIC = "skembed.word_vectors"


def write_safetensors(vectors, path):
    """Write the words and the vectors of ``vectors`` as a safetensors file."""
    encoded = []
    for word in vectors.index_to_key:
        try:
            encoded.append(word.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise ValueError(f"word {word!r} cannot be written as UTF-8 ({exc.reason}).") from None
    offsets = np.zeros(len(encoded) + 1, dtype="<i8")
    np.cumsum([len(w) for w in encoded], out=offsets[1:])
    tensors = {
        "vectors": np.ascontiguousarray(vectors.vectors, dtype="<f4"),
        "word_offsets": offsets,
        "words_utf8": np.frombuffer(b"".join(encoded), dtype="u1"),
    }
    if vectors.counts is not None:
        tensors["counts"] = np.asarray(vectors.counts, dtype="<i8")
    header = {"__metadata__": {"format": _MAGIC}}
    start = 0
    for name in sorted(tensors):
        array = tensors[name]
        header[name] = {"dtype": _NAMES[array.dtype.str], "shape": list(array.shape),
                        "data_offsets": [start, start + array.nbytes]}  # fmt: skip
        start += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the package writes

    def write(fh):
        fh.write(struct.pack("<Q", len(text)))
        fh.write(text)
        for name in sorted(tensors):
            fh.write(tensors[name].tobytes())

    atomic_write(path, write)


def _header(path, fh, file_size):
    if file_size < 8:
        raise FileFormatError(path, "too short to be a safetensors file.", offset=0)
    (length,) = struct.unpack("<Q", fh.read(8))
    if length > min(file_size - 8, _HEADER_LIMIT):
        raise FileFormatError(
            path, f"header length {length} is beyond the file's {file_size - 8} bytes "
            f"(or the {_HEADER_LIMIT}-byte limit).", offset=0,
        )  # fmt: skip
    try:
        header = json.loads(fh.read(length).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FileFormatError(path, f"the header is not JSON ({exc}).", offset=8) from None
    if not isinstance(header, dict):
        raise FileFormatError(path, "the header is not a JSON object.", offset=8)
    header.pop("__metadata__", None)
    data_size = file_size - 8 - length
    specs = {}
    for name, spec in header.items():
        if not (
            isinstance(spec, dict)
            and spec.get("dtype") in _DTYPES
            and isinstance(spec.get("shape"), list)
            and all(type(n) is int and n >= 0 for n in spec["shape"])
            and isinstance(spec.get("data_offsets"), list)
            and len(spec["data_offsets"]) == 2
            and all(type(n) is int for n in spec["data_offsets"])
        ):
            raise FileFormatError(
                path, f"tensor {name!r}: a dtype among {sorted(_DTYPES)}, a shape and two "
                "data_offsets expected.", offset=8,
            )  # fmt: skip
        begin, end = spec["data_offsets"]
        dtype = np.dtype(_DTYPES[spec["dtype"]])
        nbytes = int(np.prod(spec["shape"], dtype=object)) * dtype.itemsize
        if not 0 <= begin <= end <= data_size or end - begin != nbytes:
            raise FileFormatError(
                path, f"tensor {name!r} of shape {spec['shape']} ({nbytes} bytes) has byte "
                f"range {begin}:{end}, outside the {data_size} data bytes or of another size.",
                offset=8,
            )  # fmt: skip
        specs[name] = (dtype, tuple(spec["shape"]), 8 + length + begin)
    return specs


def _tensor(path, fh, specs, name, kinds, ndim, rows=None):
    if name not in specs:
        raise FileFormatError(
            path, f"no tensor {name!r}: not word vectors written by skembed "
            f"(tensors: {sorted(specs)}).",
        )  # fmt: skip
    dtype, shape, offset = specs[name]
    if dtype.kind not in kinds or len(shape) != ndim:
        raise FileFormatError(
            path, f"tensor {name!r} has dtype {dtype} and shape {shape}; expected kind "
            f"{'/'.join(kinds)} with {ndim} dimensions.", offset=offset,
        )  # fmt: skip
    if rows is not None:
        shape = (min(rows, shape[0]),) + shape[1:]
    fh.seek(offset)
    count = int(np.prod(shape, dtype=np.int64))
    array = np.fromfile(fh, dtype=dtype, count=count).reshape(shape)
    if array.size != count:
        raise FileFormatError(path, f"tensor {name!r} is truncated.", offset=offset)
    return array


def read_safetensors(path, encoding="utf-8", unicode_errors="strict", limit=None):
    """Read word vectors from a safetensors file written by :func:`write_safetensors`.

    Parameters
    ----------
    path : str or path-like
    encoding : str, default="utf-8"
        Encoding of the words' bytes.
    unicode_errors : str, default="strict"
        How words that are not valid ``encoding`` are decoded (an error
        handler of ``bytes.decode``); "strict" refuses the file.
    limit : int, default=None
        Read the first ``limit`` rows only.

    Returns
    -------
    wv : WordVectors

    Raises
    ------
    FileFormatError
        A ``ValueError`` naming the file: a header longer than the file or
        not JSON, a tensor whose byte range does not match its dtype and
        shape or lies outside the file, missing tensors, word offsets that
        do not fit the words' bytes, words that are not valid text, vectors
        that are not finite, or shapes that disagree.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skembed import WordVectors, vectors
    >>> wv = WordVectors(["caf\\u00e9", "tea"], np.eye(2, dtype=np.float32))
    >>> path = os.path.join(tempfile.mkdtemp(), "drinks.safetensors")
    >>> vectors.save(wv, path)
    >>> vectors.load(path, limit=1).words
    ['café']
    """
    from skembed.vectors._word_vectors import WordVectors
    from skembed.vectors.io._word2vec import _check_options

    _check_options(limit, unicode_errors)
    path = os.fspath(path)
    with open(path, "rb") as fh:
        specs = _header(path, fh, os.fstat(fh.fileno()).st_size)
        vectors = _tensor(path, fh, specs, "vectors", "f", 2, rows=limit)
        n_words = specs["vectors"][1][0]
        offsets = _tensor(path, fh, specs, "word_offsets", "iu", 1).astype(np.int64)
        raw = _tensor(path, fh, specs, "words_utf8", "u", 1).tobytes()
        counts = None
        if "counts" in specs:
            counts = _tensor(path, fh, specs, "counts", "iu", 1).astype(np.int64)
    if (
        offsets.shape != (n_words + 1,)
        or offsets[0] != 0
        or offsets[-1] != len(raw)
        or (np.diff(offsets) < 0).any()
    ):
        raise FileFormatError(
            path, f"tensor 'word_offsets' must rise from 0 to {len(raw)} in {n_words + 1} steps."
        )
    if counts is not None and (counts.shape != (n_words,) or (counts < 0).any()):
        raise FileFormatError(path, f"tensor 'counts' must hold {n_words} counts >= 0.")
    n = vectors.shape[0]
    words = []
    bounds = offsets[: n + 1].tolist()
    for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        try:
            words.append(raw[lo:hi].decode(encoding, unicode_errors))
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                path, f"word {i} is not valid {encoding} ({exc.reason}); "
                "unicode_errors='replace' reads such words.",
            ) from None  # fmt: skip
    with np.errstate(over="ignore"):
        vectors = vectors.astype(np.float32)
    row = first_non_finite_row(vectors)
    if row is not None:
        raise FileFormatError(
            path, f"tensor 'vectors', row {row}: NaN, infinity or beyond float32."
        )
    with file_errors(path):  # empty or duplicate words
        return WordVectors(words, vectors, None if counts is None else counts[:n])
