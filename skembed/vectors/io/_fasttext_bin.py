"""Read and write facebook fastText's binary model format (``.bin``).

The layout, all little-endian, as written by fastText's ``saveModel``
(format version 12):

========================  =====================================================
magic, version            int32 793712314, int32 12
Args                      int32 dim, ws, epoch, minCount, neg, wordNgrams, loss
                          (1 hs, 2 ns, 3 softmax, 4 ova), model (1 cbow,
                          2 skipgram, 3 supervised), bucket, minn, maxn,
                          lrUpdateRate; float64 t
Dictionary                int32 size, nwords, nlabels; int64 ntokens,
                          pruneidx_size; ``size`` entries of (word bytes, NUL,
                          int64 count, int8 type: 0 word, 1 label), words first;
                          ``max(pruneidx_size, 0)`` pairs of int32
quant flag                bool (1 byte); true in quantized ``.ftz`` files
input matrix              int64 m, int64 n, m * n float32 (row-major):
                          ``nwords`` word rows, then ``bucket`` n-gram rows
qout flag                 bool
output matrix             int64 m, int64 n, m * n float32
========================  =====================================================

Files of fastText before format version 11 (2017) have no signature: they
start with ``dim`` and ``ws`` (the Args block without its first two fields
follows), their Dictionary has no ``pruneidx_size`` nor pruned-index table,
and their matrices no quant or qout flag before them.  They are read too
(``version`` 0), told apart by a plausible Args block.

The ``.vec`` text file that fastText writes next to the ``.bin`` is the word2vec
text format: read it with :meth:`skembed.WordVectors.load_word2vec_format`.
"""

import contextlib
import mmap
import os
import struct
from dataclasses import dataclass, field

import numpy as np

from skembed.text._subwords import fasttext_ngram_range
from skembed.utils._files import (
    FileFormatError,
    atomic_write,
    check_declared_count,
    file_errors,
    first_non_finite_row,
)

__all__ = [
    "FASTTEXT_MAGIC",
    "FASTTEXT_VERSION",
    "FastTextModel",
    "load_fasttext_bin",
    "read_fasttext_vectors",
    "save_fasttext_bin",
    "write_fasttext_vectors",
]

FASTTEXT_MAGIC = 793712314
FASTTEXT_VERSION = 12
MODEL_NAMES = {1: "cbow", 2: "skipgram", 3: "supervised"}
LOSS_NAMES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}

_ARG_NAMES = (
    "dim",
    "ws",
    "epoch",
    "minCount",
    "neg",
    "wordNgrams",
    "loss",
    "model",
    "bucket",
    "minn",
    "maxn",
    "lrUpdateRate",
    "t",
)
_ARGS = struct.Struct("<12id")
_SIGNATURE = struct.Struct("<ii")
_DICT_HEAD = struct.Struct("<iiiqq")
_OLD_DICT_HEAD = struct.Struct("<iiiq")  # before version 11: no pruneidx_size
_ENTRY_TAIL = struct.Struct("<qb")
_MATRIX_HEAD = struct.Struct("<qq")
_WORD, _LABEL = 0, 1


@dataclass(eq=False)
class FastTextModel:
    """The contents of an unsupervised fastText ``.bin`` model.

    Parameters
    ----------
    words : list of str of length nwords
        The vocabulary in row order (fastText sorts it by decreasing count).
        Bytes that are not valid UTF-8 are kept as surrogate escapes
        (``errors="surrogateescape"``), so they hash and save unchanged.
    counts : ndarray of shape (nwords,), dtype int64
        Corpus count of each word.
    input_matrix : ndarray of shape (nwords + bucket, dim), dtype float32
        Word rows, then n-gram bucket rows.
    output_matrix : ndarray of shape (n_outputs, dim), dtype float32
        Context (negative sampling) or tree-node weights.
    args : dict
        fastText's hyper-parameters under fastText's names: ``dim``, ``ws``,
        ``epoch``, ``minCount``, ``neg``, ``wordNgrams``, ``loss``,
        ``model``, ``bucket``, ``minn``, ``maxn``, ``lrUpdateRate``, ``t``.
    ntokens : int, default=0
        Number of tokens read while building the dictionary.
    labels : list of str, default=[]
        Dictionary entries of type label (tokens starting with ``__label__``
        in the text of an unsupervised model); they have no input row.
    label_counts : ndarray of shape (n_labels,), dtype int64, default=None
    qout : bool, default=False
        The file's ``qout`` flag (meaningful only for quantized models).
    version : int, default=12
        File format version that was read (0: a file from before version 11,
        without a signature).

    Attributes
    ----------
    nwords : int
    dim : int
    bucket : int
    min_n, max_n : int
        n-gram range under skembed's convention (``0, 0`` when off).
    model_name : {"cbow", "skipgram"}
    loss_name : {"hs", "ns", "softmax", "ova"}

    See Also
    --------
    load_fasttext_bin : Read a ``.bin`` file into this class.
    save_fasttext_bin : Write this class to a ``.bin`` file.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors.io import FastTextModel
    >>> args = dict(dim=2, ws=5, epoch=5, minCount=1, neg=5, wordNgrams=1, loss=2,
    ...             model=2, bucket=0, minn=0, maxn=0, lrUpdateRate=100, t=1e-4)
    >>> model = FastTextModel(words=["cat", "dog"], counts=np.array([3, 2]),
    ...                       input_matrix=np.eye(2, dtype=np.float32),
    ...                       output_matrix=np.zeros((2, 2), np.float32), args=args)
    >>> model.nwords, model.model_name, model.loss_name
    (2, 'skipgram', 'ns')
    """

    words: list
    counts: np.ndarray
    input_matrix: np.ndarray
    output_matrix: np.ndarray
    args: dict
    ntokens: int = 0
    labels: list = field(default_factory=list)
    label_counts: np.ndarray = None
    qout: bool = False
    version: int = FASTTEXT_VERSION

    @property
    def nwords(self):
        return len(self.words)

    @property
    def dim(self):
        return int(self.args["dim"])

    @property
    def bucket(self):
        return int(self.args["bucket"])

    @property
    def min_n(self):
        return fasttext_ngram_range(self.args["minn"], self.args["maxn"], self.bucket)[0]

    @property
    def max_n(self):
        return fasttext_ngram_range(self.args["minn"], self.args["maxn"], self.bucket)[1]

    @property
    def model_name(self):
        return MODEL_NAMES.get(self.args["model"], str(self.args["model"]))

    @property
    def loss_name(self):
        return LOSS_NAMES.get(self.args["loss"], str(self.args["loss"]))

    def to_word_vectors(self):
        """Return the :class:`~skembed.FastTextWordVectors` of this model.

        Returns
        -------
        wv : FastTextWordVectors
            In-vocabulary vectors are the means fastText prints in its
            ``.vec``; unseen words are composed from their n-grams.  It shares
            ``input_matrix`` with this model (no copy).
        """
        from skembed.vectors._fasttext_vectors import FastTextWordVectors

        return FastTextWordVectors._from_input_matrix(
            self.words, self.input_matrix, min_n=self.min_n, max_n=self.max_n, counts=self.counts
        )


class _Reader:
    """Bounds-checked little-endian reads from a buffer, with the file named in errors."""

    def __init__(self, buffer, path):
        self.buffer = buffer
        self.path = path
        self.pos = 0

    def error(self, message):
        return FileFormatError(self.path, message, offset=self.pos)

    def need(self, n_bytes, what):
        if n_bytes < 0 or self.pos + n_bytes > len(self.buffer):
            raise self.error(f"file ends inside {what} (truncated or not fastText).")

    def unpack(self, fmt, what):
        self.need(fmt.size, what)
        values = fmt.unpack_from(self.buffer, self.pos)
        self.pos += fmt.size
        return values

    def cstring(self, what):
        end = self.buffer.find(b"\0", self.pos)
        if end < 0:
            raise self.error(f"file ends inside {what} (truncated or not fastText).")
        value = bytes(self.buffer[self.pos : end])
        self.pos = end + 1
        return value

    def flag(self, what):
        self.need(1, what)
        value = self.buffer[self.pos] != 0
        self.pos += 1
        return value

    def matrix(self, what, columns):
        start = self.pos
        m, n = self.unpack(_MATRIX_HEAD, what)
        if m < 0 or n < 0:
            self.pos = start
            raise self.error(f"{what} has invalid shape ({m}, {n}).")
        if n != columns:
            self.pos = start
            raise self.error(f"{what} has {n} columns, expected dim={columns}.")
        self.need(4 * m * n, what)
        array = np.empty((m, n), dtype=np.float32)  # a copy: the buffer gets closed
        array.reshape(-1)[:] = np.frombuffer(
            self.buffer, dtype="<f4", count=m * n, offset=self.pos
        )
        row = first_non_finite_row(array)
        if row is not None:
            raise self.error(f"{what}, row {row}: NaN or infinity.")
        self.pos += 4 * m * n
        return array


_OLD_HEAD_SIZE = _ARGS.size


def looks_like_old_fasttext(start):
    """Whether ``start`` (a file's first bytes) is a plausible Args block of an old fastText file.

    Such a file has no signature: its first fields are dim, ws, epoch,
    minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate
    (int32) and t (float64).  A word2vec binary file starts with ASCII digits
    and a space instead, which make no plausible block.
    """
    if len(start) < _OLD_HEAD_SIZE:
        return False
    args = dict(zip(_ARG_NAMES, _ARGS.unpack_from(start), strict=True))
    return (
        1 <= args["dim"] <= 1 << 16
        and 0 <= args["ws"] <= 1 << 16
        and 0 <= args["epoch"] <= 1 << 20
        and args["loss"] in LOSS_NAMES
        and args["model"] in MODEL_NAMES
        and 0 <= args["bucket"] < 1 << 31
        and 0 <= args["minn"] <= 64
        and 0 <= args["maxn"] <= 64
        and 0 <= args["t"] <= 1
    )


def _read_head(reader):
    """Read signature, Args and Dictionary; leave the reader at the quant flag."""
    path = reader.path
    if len(reader.buffer) < _SIGNATURE.size:
        raise FileFormatError(path, "too short to be a fastText .bin model.")
    magic, version = reader.unpack(_SIGNATURE, "the signature")
    old = magic != FASTTEXT_MAGIC and looks_like_old_fasttext(reader.buffer[:_OLD_HEAD_SIZE])
    if old:
        reader.pos = 0  # dim and ws are the first two fields of Args
        version = 0
    elif magic != FASTTEXT_MAGIC:
        raise FileFormatError(
            path,
            f"not a fastText .bin model (magic number {magic}, "
            f"expected {FASTTEXT_MAGIC}). A .vec file is text: read it with "
            "WordVectors.load_word2vec_format.",
            offset=0,
        )
    if version > FASTTEXT_VERSION:
        raise FileFormatError(
            path,
            f"fastText file format version {version} is newer than the "
            f"versions this reader knows (up to {FASTTEXT_VERSION}).",
            offset=4,
        )
    args_at = reader.pos
    args = dict(zip(_ARG_NAMES, reader.unpack(_ARGS, "the Args block"), strict=True))
    if args["dim"] < 1 or args["bucket"] < 0:
        raise FileFormatError(
            path, f"invalid Args: dim={args['dim']}, bucket={args['bucket']}.", offset=args_at
        )
    dict_at = reader.pos
    if old:
        size, nwords, nlabels, ntokens = reader.unpack(_OLD_DICT_HEAD, "the Dictionary")
        pruneidx_size = -1
    else:
        size, nwords, nlabels, ntokens, pruneidx_size = reader.unpack(_DICT_HEAD, "the Dictionary")
    if not 0 <= nwords <= size or nwords + nlabels != size:
        raise FileFormatError(
            path,
            f"inconsistent dictionary sizes (size={size}, nwords={nwords}, nlabels={nlabels}).",
            offset=dict_at,
        )
    # an entry is at least a NUL-terminated (possibly empty) word, an int64 and an int8
    check_declared_count(
        path, size, 1 + _ENTRY_TAIL.size, len(reader.buffer) - reader.pos, "dictionary entries",
        offset=dict_at,
    )  # fmt: skip
    entries, counts, types = [], np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int8)
    for i in range(size):
        entries.append(reader.cstring(f"dictionary entry {i}"))
        counts[i], types[i] = reader.unpack(_ENTRY_TAIL, f"dictionary entry {i}")
    if (types[:nwords] != _WORD).any() or (types[nwords:] != _LABEL).any():
        raise FileFormatError(
            path, "dictionary entries are not words followed by labels.", offset=dict_at
        )
    reader.need(8 * max(pruneidx_size, 0), "the pruned-index table")
    reader.pos += 8 * max(pruneidx_size, 0)
    head = dict(
        old=old,
        version=version,
        args=args,
        entries=entries,
        counts=counts,
        nwords=nwords,
        ntokens=ntokens,
        pruneidx_size=pruneidx_size,
    )
    return head


def load_fasttext_bin(path):
    """Read an unsupervised model saved by facebook fastText (``.bin``).

    Parameters
    ----------
    path : str or path-like
        A file written by fastText's ``saveModel`` (command line ``skipgram``
        or ``cbow``, or ``model.save_model`` in Python).

    Returns
    -------
    model : FastTextModel
        Words, counts, both matrices and the hyper-parameters.

    Raises
    ------
    ValueError
        If the file is not a fastText model, is truncated, was written by a
        newer fastText, is a supervised (classification) model, or is
        quantized (``.ftz``).  The message names the file and every reason.

    See Also
    --------
    skembed.vectors._fasttext_vectors.FastTextWordVectors.load_fasttext_bin :
        Read the word vectors only.

    Examples
    --------
    >>> from skembed.vectors.io._fasttext_bin import load_fasttext_bin
    >>> model = load_fasttext_bin("cc.en.300.bin")  # doctest: +SKIP
    >>> model.input_matrix.shape  # doctest: +SKIP
    (4000000, 300)
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            raise FileFormatError(path, "empty file, not a fastText .bin model.")
        buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            with file_errors(path):
                return _parse(_Reader(buffer, path))
        finally:
            # a traceback may still hold a view of the mapping: never let closing it
            # hide the error being raised
            with contextlib.suppress(BufferError):
                buffer.close()


def _parse(reader):
    path = reader.path
    head = _read_head(reader)
    args, nwords = head["args"], head["nwords"]
    quant_at = reader.pos
    quantized = False if head["old"] else reader.flag("the quantization flag")
    reasons = []
    if args["model"] == 3:
        n_labels = len(head["entries"]) - nwords
        reasons.append(
            f"it is a supervised (classification) model with {n_labels} labels, not word vectors"
        )
    elif args["model"] not in MODEL_NAMES:
        reasons.append(f"its model type {args['model']} is unknown")
    if quantized:
        reasons.append(
            "it is quantized (.ftz): its input matrix is product-quantized, not a dense matrix"
        )
    if reasons:
        raise FileFormatError(
            path,
            f"cannot load: {' and '.join(reasons)}. Only unsupervised (cbow or "
            "skipgram) models with a dense input matrix can be read.",
            offset=quant_at,
        )
    if head["pruneidx_size"] >= 0:
        raise FileFormatError(
            path,
            "the dictionary is pruned but the model is not quantized "
            "(fastText itself refuses such files).",
            offset=quant_at,
        )
    input_at = reader.pos
    input_matrix = reader.matrix("the input matrix", args["dim"])
    qout = False if head["old"] else reader.flag("the qout flag")
    output_matrix = reader.matrix("the output matrix", args["dim"])
    expected = (nwords + args["bucket"], args["dim"])
    if input_matrix.shape != expected:
        raise FileFormatError(
            path,
            f"input matrix has shape {input_matrix.shape}, expected {expected} "
            "(nwords + bucket, dim).",
            offset=input_at,
        )
    if reader.pos != len(reader.buffer):
        raise reader.error(f"{len(reader.buffer) - reader.pos} bytes after the output matrix.")

    def decode(raw):
        return [e.decode("utf-8", "surrogateescape") for e in raw]

    return FastTextModel(
        words=decode(head["entries"][:nwords]),
        counts=head["counts"][:nwords].copy(),
        input_matrix=input_matrix,
        output_matrix=output_matrix,
        args=args,
        ntokens=int(head["ntokens"]),
        labels=decode(head["entries"][nwords:]),
        label_counts=head["counts"][nwords:].copy(),
        qout=qout,
        version=head["version"],
    )


def save_fasttext_bin(path, model):
    """Write ``model`` in fastText's ``.bin`` format (version 12).

    fastText's ``load_model`` reads the result; reading a file and writing it
    back reproduces it byte for byte.

    Parameters
    ----------
    path : str or path-like
        Destination; written to a temporary name, then renamed.
    model : FastTextModel
        An unsupervised model: ``args["model"]`` is 1 (cbow) or 2 (skipgram)
        and ``input_matrix`` has ``nwords + bucket`` rows.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skembed.vectors.io import FastTextModel, load_fasttext_bin, save_fasttext_bin
    >>> args = dict(dim=2, ws=5, epoch=5, minCount=1, neg=5, wordNgrams=1, loss=2,
    ...             model=2, bucket=0, minn=0, maxn=0, lrUpdateRate=100, t=1e-4)
    >>> model = FastTextModel(words=["cat", "dog"], counts=np.array([3, 2]),
    ...                       input_matrix=np.eye(2, dtype=np.float32),
    ...                       output_matrix=np.zeros((2, 2), np.float32), args=args, ntokens=5)
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.bin")
    >>> save_fasttext_bin(path, model)
    >>> load_fasttext_bin(path).words
    ['cat', 'dog']
    """
    args = dict(model.args)
    if args.get("model") not in (1, 2):
        raise ValueError(
            f"only cbow (1) or skipgram (2) models can be saved, got model={args.get('model')}."
        )
    input_matrix = np.ascontiguousarray(model.input_matrix, dtype="<f4")
    output_matrix = np.ascontiguousarray(model.output_matrix, dtype="<f4")
    nwords = len(model.words)
    if input_matrix.shape != (nwords + args["bucket"], args["dim"]):
        raise ValueError(
            f"input_matrix has shape {input_matrix.shape}, expected "
            f"(nwords + bucket, dim) = ({nwords + args['bucket']}, {args['dim']})."
        )
    if output_matrix.ndim != 2 or output_matrix.shape[1] != args["dim"]:
        raise ValueError(f"output_matrix must have dim={args['dim']} columns.")
    labels = list(model.labels)
    counts = np.asarray(model.counts, dtype=np.int64)
    label_counts = (
        np.zeros(len(labels), dtype=np.int64)
        if model.label_counts is None
        else np.asarray(model.label_counts, dtype=np.int64)
    )
    if counts.shape != (nwords,) or label_counts.shape != (len(labels),):
        raise ValueError("counts and label_counts must have one entry per word and per label.")

    def write(fh):
        fh.write(_SIGNATURE.pack(FASTTEXT_MAGIC, FASTTEXT_VERSION))
        fh.write(_ARGS.pack(*(args[name] for name in _ARG_NAMES)))
        size = nwords + len(labels)
        fh.write(_DICT_HEAD.pack(size, nwords, len(labels), int(model.ntokens), -1))
        entries = [(w, c, _WORD) for w, c in zip(model.words, counts, strict=True)]
        entries += [(w, c, _LABEL) for w, c in zip(labels, label_counts, strict=True)]
        for word, count, kind in entries:
            raw = word.encode("utf-8", "surrogateescape")
            if b"\0" in raw:
                raise ValueError(f"word {word!r} contains a NUL byte.")
            fh.write(raw + b"\0" + _ENTRY_TAIL.pack(int(count), kind))
        fh.write(b"\0")  # not quantized
        for flag, matrix in ((None, input_matrix), (bool(model.qout), output_matrix)):
            if flag is not None:
                fh.write(b"\1" if flag else b"\0")
            fh.write(_MATRIX_HEAD.pack(*matrix.shape))
            fh.write(matrix.tobytes())

    atomic_write(path, write)


def read_fasttext_vectors(path):
    """Read the word vectors of a fastText ``.bin`` model (a :class:`FastTextWordVectors`)."""
    model = load_fasttext_bin(path)
    with file_errors(path):  # e.g. duplicate words, or nwords + bucket beyond int32
        vectors = model.to_word_vectors()
    check_composed(path, vectors)
    return vectors


def check_composed(path, vectors):
    """Refuse vectors whose composed mean overflows float32 (finite rows, huge values)."""
    row = first_non_finite_row(vectors.vectors)
    if row is not None:
        raise FileFormatError(
            path, f"the composed vector of word {vectors.index_to_key[row]!r} overflows float32."
        )


def write_fasttext_vectors(vectors, path):
    """Write word vectors as a fastText ``.bin`` that fastText's ``load_model`` reads.

    A :class:`~skembed.FastTextWordVectors` keeps its n-gram rows, so unseen
    words compose the same vectors after a round trip; plain
    :class:`~skembed.WordVectors` are written with subwords off.  Vectors
    alone carry no output matrix: it is written as zeros (the file answers
    ``get_word_vector`` exactly, but is no model to continue training; use
    :meth:`skembed.FastTextVectorizer.save_fasttext_bin` for that).
    """
    on = bool(getattr(vectors, "subwords_enabled", False))
    matrix = vectors.full_input_matrix() if on else vectors.vectors
    if not on and hasattr(vectors, "vectors_vocab"):
        matrix = vectors.vectors_vocab
    counts = vectors.counts if vectors.counts is not None else np.ones(len(vectors), np.int64)
    args = dict(
        dim=vectors.vector_size, ws=5, epoch=5, minCount=1, neg=5, wordNgrams=1, loss=2,
        model=2, bucket=vectors.bucket if on else 0, minn=vectors.min_n if on else 0,
        maxn=vectors.max_n if on else 0, lrUpdateRate=100, t=1e-4,
    )  # fmt: skip
    model = FastTextModel(
        words=list(vectors.index_to_key),
        counts=counts,
        input_matrix=matrix,
        output_matrix=np.zeros((len(vectors), vectors.vector_size), np.float32),
        args=args,
        ntokens=int(np.sum(counts)),
    )
    save_fasttext_bin(path, model)
