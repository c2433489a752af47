"""Encoded corpora on disk: written once by one streaming pass, read in bounded windows.

With ``memory=`` (a folder, or a ``joblib.Memory`` whose ``location`` is used)
the encoded corpus of a fit goes to ``<location>/skembed-corpus/<key>/``:

- ``tokens.npy``: int32 provisional ids, streamed to disk while encoding;
- ``offsets.npy``: int64 document offsets;
- ``counts.npy`` and ``words.json``: the provisional vocabulary;
- ``meta.json``: sizes, the CRC-32 of the tokens and the key, written last.

The key hashes what changes the encoding (the text parameters and
``max_vocab_size``) and the documents (file names with their size and
modification time, or the content of strings).  ``min_count`` and
``max_final_vocab`` apply after loading, so every fit of a search that shares
the text parameters reads one entry.  An entry is built in a hidden folder and
renamed into place, so concurrent writers (search workers sharing the folder)
leave one complete entry and readers never see a partial one.  Reading checks
every size, the id range and the CRC in one windowed pass; a damaged entry is
removed and written again.  Documents that cannot be keyed (a generator, file
objects, a callable text parameter) are still written to disk for the fit, in
a hidden folder removed once mapped.

Peak memory: the resident pages of a memory-mapped file count in a process's
RSS, so every pass over the tokens (remapping, document frequencies, pooling,
training) works on windows of about :data:`WINDOW_TOKENS` tokens and drops the
pages it has read (``madvise(MADV_DONTNEED)``; they stay in the page cache).
Where ``madvise`` is missing (Windows) the pages stay resident until the
system reclaims them.
"""

import contextlib
import dataclasses
import hashlib
import json
import mmap
import os
import shutil
import tempfile
import warnings
import zlib

import numpy as np
import sklearn

from skembed.corpus._encoding import Corpus, _Encoder, encode_documents, remap
from skembed.text._analyzer import TEXT_PARAMETERS, check_documents
from skembed.text._inputs import expand_filenames
from skembed.utils._files import atomic_write

__all__ = [
    "MappedCorpus",
    "bounded_step",
    "cache_folder",
    "corpus_document_frequency",
    "document_windows",
    "pool_windows",
    "read_documents",
    "release_pages",
    "remap_corpus",
]

FORMAT_VERSION = 1
FOLDER_NAME = "skembed-corpus"
WINDOW_TOKENS = 1 << 20  # 4 MiB of int32 ids per window
_HEADER_BYTES = 128  # a fixed .npy header, rewritten once the length is known
_FILES = ("tokens.npy", "offsets.npy", "counts.npy", "words.json", "meta.json")


class CorruptEntry(Exception):
    """A cache entry that cannot be read as written (truncated, edited, mismatched)."""


# ----------------------------------------------------------------------------- keys
def cache_folder(memory):
    """Return the folder of encoded corpora under ``memory``, or None (no caching).

    Parameters
    ----------
    memory : None, str, path-like or object with a ``location`` attribute
        A folder, or a ``joblib.Memory`` (its ``location``; None means no caching).
    """
    if memory is None:
        return None
    location = memory if isinstance(memory, (str, os.PathLike)) else memory.location
    if location is None:
        return None
    return os.path.join(os.fspath(location), FOLDER_NAME)


def text_key(estimator):
    """Return the JSON text of what decides the encoding, or None when it cannot be keyed.

    A callable text parameter (``preprocessor``, ``tokenizer``, ``strip_accents``)
    cannot be keyed: its code may change under the same name.
    """
    params = {name: getattr(estimator, name) for name in TEXT_PARAMETERS}
    params["max_vocab_size"] = estimator.max_vocab_size
    if any(callable(value) for value in params.values()):
        return None
    params["format"] = FORMAT_VERSION
    params["sklearn"] = sklearn.__version__  # whose analyzer tokenizes
    return json.dumps(params, sort_keys=True, default=repr)


def documents_key(X, input):
    """Return a hex digest of the documents, or None when they cannot be keyed.

    File names key by absolute path, size and modification time (ns); strings
    and bytes by their content.  An iterator (read once), file objects and
    documents of other types are not keyed.
    """
    if input == "file" or iter(X) is X:
        return None
    digest = hashlib.sha256()
    if input == "filename":
        for name in X:
            if not isinstance(name, (str, os.PathLike)):
                return None
            try:
                st = os.stat(name)
            except OSError:
                return None  # reading it fails later, naming it
            path = os.fsdecode(os.path.abspath(os.fspath(name)))
            digest.update(json.dumps([path, st.st_size, st.st_mtime_ns]).encode() + b"\n")
        return digest.hexdigest()
    for doc in X:
        if isinstance(doc, str):
            data, tag = doc.encode("utf-8", "surrogatepass"), b"s"
        elif isinstance(doc, bytes):
            data, tag = doc, b"b"
        else:
            return None  # reading it fails later, naming its type
        digest.update(tag + len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------- mapped corpus
class MappedCorpus(Corpus):
    """A :class:`Corpus` whose tokens are a memory-mapped ``.npy`` file.

    The mapping is private (copy-on-write), so the token array is writable
    and numba compiles the same kernels as for an in-memory corpus; nothing
    writes to it.  ``folder`` is where derived corpora (remapped ids) go.
    """

    def __init__(self, path, offsets, folder):
        with open(path, "rb") as fh:
            data_offset, n_tokens = _read_npy_header(fh, path)
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
        tokens = np.frombuffer(self._map, dtype=np.int32, count=n_tokens, offset=data_offset)
        super().__init__(tokens, offsets)
        self.path = path
        self.folder = folder

    def release(self):
        """Drop the pages read so far from the resident set; they stay in the page cache."""
        if hasattr(self._map, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)


def _npy_header(n_tokens):
    header = f"{{'descr': '<i4', 'fortran_order': False, 'shape': ({n_tokens},), }}"
    header = header.ljust(_HEADER_BYTES - 10 - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1")


def _read_npy_header(fh, path):
    """Return ``(data_offset, n_tokens)`` of an int32 vector ``.npy``, checked against its size."""
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    except ValueError as exc:
        raise CorruptEntry(f"{path}: not a .npy file ({exc})") from None
    if dtype != np.dtype("<i4") or len(shape) != 1 or fortran:
        raise CorruptEntry(f"{path}: holds {dtype} of shape {shape}, not an int32 vector")
    data_offset = fh.tell()
    size = os.fstat(fh.fileno()).st_size
    if size != data_offset + 4 * shape[0]:
        raise CorruptEntry(
            f"{path}: declares {shape[0]} tokens ({4 * shape[0]} bytes) but holds "
            f"{size - data_offset} bytes of data"
        )
    return data_offset, int(shape[0])


# -------------------------------------------------------------------------- writing
def _save_npy(path, array):
    atomic_write(path, lambda fh: np.save(fh, array, allow_pickle=False))


def _save_json(path, value):
    data = json.dumps(value).encode("ascii")  # escapes keep lone surrogates readable
    atomic_write(path, lambda fh: fh.write(data))


def _write_entry(folder, token_lists, max_vocab_size, key):
    """Encode ``token_lists`` into the files of an entry in ``folder`` in one streaming pass."""
    encoder = _Encoder(max_vocab_size)
    written = {"n": 0, "crc": 0}

    def spill(fh, parts):
        for part in parts:
            raw = part.view(np.uint8)
            fh.write(raw)
            written["crc"] = zlib.crc32(raw, written["crc"])
            written["n"] += part.size

    def write_tokens(fh):
        fh.write(b"\0" * _HEADER_BYTES)
        for tokens in token_lists:
            encoder.add(tokens)
            spill(fh, encoder.drain())
        spill(fh, encoder.drain(final=True))
        fh.seek(0)
        fh.write(_npy_header(written["n"]))

    atomic_write(os.path.join(folder, "tokens.npy"), write_tokens)
    corpus, counts = encoder.result()
    offsets = corpus.offsets
    if int(offsets[-1]) != written["n"]:  # the encoder and the file disagree: a bug
        raise RuntimeError(f"wrote {written['n']} tokens but the offsets end at {offsets[-1]}")
    _save_npy(os.path.join(folder, "offsets.npy"), offsets)
    _save_npy(os.path.join(folder, "counts.npy"), counts)
    _save_json(os.path.join(folder, "words.json"), encoder.words)
    meta = {
        "format": FORMAT_VERSION,
        "key": key,
        "n_documents": len(offsets) - 1,
        "n_tokens": written["n"],
        "n_words": len(encoder.words),
        "crc32": written["crc"],
    }
    _save_json(os.path.join(folder, "meta.json"), meta)


def _remove(folder):
    shutil.rmtree(folder, ignore_errors=True)


# -------------------------------------------------------------------------- reading
def _load_array(path, dtype, shape):
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise CorruptEntry(f"{path}: {exc}") from None
    if array.dtype != dtype or array.shape != shape:
        raise CorruptEntry(f"{path}: holds {array.dtype} {array.shape}, expected {dtype} {shape}")
    return array


def _load_json(path):
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        raise
    except (ValueError, OSError) as exc:
        raise CorruptEntry(f"{path}: {exc}") from None


def _check_tokens(path, n_tokens, n_words, crc):
    """One windowed pass: every id in ``[0, n_words)`` and the CRC-32 as written."""
    buffer = np.empty(min(max(n_tokens, 1), WINDOW_TOKENS), dtype=np.int32)
    running = 0
    with open(path, "rb") as fh:
        data_offset, declared = _read_npy_header(fh, path)
        if declared != n_tokens:
            raise CorruptEntry(f"{path}: holds {declared} tokens, meta.json says {n_tokens}")
        fh.seek(data_offset)
        done = 0
        while done < n_tokens:
            window = buffer[: min(len(buffer), n_tokens - done)]
            raw = window.view(np.uint8)
            if fh.readinto(raw) != raw.size:
                raise CorruptEntry(f"{path}: ends early, at token {done}")
            if window.min() < 0 or window.max() >= n_words:
                raise CorruptEntry(f"{path}: an id outside [0, {n_words}) near token {done}")
            running = zlib.crc32(raw, running)
            done += window.size
    if running != crc:
        raise CorruptEntry(f"{path}: the CRC-32 of the tokens differs from meta.json's")


def _load_entry(folder, key, root):
    """Return ``(MappedCorpus, words, counts)`` of a complete, intact entry.

    Raises FileNotFoundError when the entry (or a file of it) is missing and
    :class:`CorruptEntry` when it does not hold what ``meta.json`` says.
    """
    meta = _load_json(os.path.join(folder, "meta.json"))
    try:
        n_docs, n_tokens, n_words = (int(meta[k]) for k in ("n_documents", "n_tokens", "n_words"))
        fmt, stored_key, crc = meta["format"], meta["key"], int(meta["crc32"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptEntry(f"{folder}: meta.json lacks or garbles {exc}") from None
    if fmt != FORMAT_VERSION or stored_key != key:
        raise CorruptEntry(f"{folder}: written for another format or key")
    offsets = _load_array(os.path.join(folder, "offsets.npy"), np.int64, (n_docs + 1,))
    if offsets[0] != 0 or offsets[-1] != n_tokens or np.any(np.diff(offsets) < 0):
        raise CorruptEntry(f"{folder}: offsets.npy does not run from 0 to {n_tokens}")
    counts = _load_array(os.path.join(folder, "counts.npy"), np.int64, (n_words,))
    if n_words and counts.min() < 0:
        raise CorruptEntry(f"{folder}: counts.npy holds a negative count")
    words = _load_json(os.path.join(folder, "words.json"))
    if not isinstance(words, list) or len(words) != n_words:
        raise CorruptEntry(f"{folder}: words.json does not hold {n_words} words")
    tokens_path = os.path.join(folder, "tokens.npy")
    _check_tokens(tokens_path, n_tokens, n_words, crc)
    return MappedCorpus(tokens_path, offsets, root), words, counts


def _publish(tmp, final, key, root):
    """Rename a written entry into place, or read the one a concurrent writer put there first."""
    for _ in range(3):
        try:
            os.rename(tmp, final)
            return _load_entry(final, key, root)
        except OSError:
            if not os.path.isdir(final):
                continue  # removed meanwhile: rename again
        try:  # another writer got there first: use its entry if it is intact
            loaded = _load_entry(final, key, root)
        except (CorruptEntry, FileNotFoundError):
            _remove(final)
            continue
        _remove(tmp)
        return loaded
    raise OSError(f"could not put the encoded corpus in place at {final}")


def read_documents(estimator, X):
    """Return ``(corpus, words, counts)``: X encoded with provisional ids.

    Without ``memory`` (or an estimator without the parameter) the corpus is
    encoded in memory, as :func:`~skembed.corpus._encoding.encode_documents`
    does.  With ``memory`` it comes from the cache folder, written there on a
    miss; the corpus is then a :class:`MappedCorpus`.
    """
    root = cache_folder(getattr(estimator, "memory", None))
    if root is None:
        return encode_documents(estimator._analyze(X), estimator.max_vocab_size)
    X = check_documents(X)
    if estimator.input == "filename":
        X = expand_filenames(X)
    text = text_key(estimator)
    docs = None if text is None else documents_key(X, estimator.input)
    os.makedirs(root, exist_ok=True)
    if docs is None:  # cannot be keyed: written for this fit only, then unlinked
        tmp = tempfile.mkdtemp(dir=root, prefix=".unkeyed-")
        try:
            _write_entry(tmp, estimator._analyze(X), estimator.max_vocab_size, None)
            return _load_entry(tmp, None, root)
        finally:
            _remove(tmp)  # the mapping keeps the tokens readable (POSIX)
    key = json.dumps([text, docs])
    final = os.path.join(root, hashlib.sha256(key.encode()).hexdigest()[:32])
    try:
        return _load_entry(final, key, root)
    except FileNotFoundError:
        pass
    except CorruptEntry as exc:
        warnings.warn(f"the cached corpus is damaged ({exc}); encoding it again.", stacklevel=3)
        _remove(final)
    tmp = tempfile.mkdtemp(dir=root, prefix=".tmp-")
    try:
        _write_entry(tmp, estimator._analyze(X), estimator.max_vocab_size, key)
        return _publish(tmp, final, key, root)
    finally:
        if os.path.isdir(tmp):
            _remove(tmp)


# ------------------------------------------------------------------ windowed passes
def document_windows(corpus, max_tokens=None):
    """Yield ``(d0, d1, window)``: consecutive documents of about ``max_tokens`` tokens.

    ``window`` is the :class:`Corpus` of documents ``d0:d1`` (a view of the
    tokens); a document longer than ``max_tokens`` is a window of its own.
    Default: :data:`WINDOW_TOKENS`.
    """
    max_tokens = WINDOW_TOKENS if max_tokens is None else max_tokens
    offsets = corpus.offsets
    n_docs = corpus.n_documents
    d0 = 0
    while d0 < n_docs:
        d1 = int(np.searchsorted(offsets, offsets[d0] + max_tokens, side="right")) - 1
        d1 = min(max(d1, d0 + 1), n_docs)
        lo, hi = offsets[d0], offsets[d1]
        yield d0, d1, Corpus(corpus.tokens[lo:hi], offsets[d0 : d1 + 1] - lo)
        d0 = d1


def remap_corpus(corpus, mapping):
    """:func:`~skembed.corpus._encoding.remap` that keeps a mapped corpus on disk.

    A :class:`MappedCorpus` is translated window by window into a new file
    beside it, mapped, and unlinked at once (POSIX keeps it readable while
    mapped), so nothing is left behind; other corpora go to ``remap``.
    """
    if not isinstance(corpus, MappedCorpus):
        return remap(corpus, mapping)
    offsets, n_tokens = corpus.offsets, corpus.n_tokens
    new_offsets = np.zeros_like(offsets)
    kept = 0
    fd, path = tempfile.mkstemp(dir=corpus.folder, prefix=".remapped-", suffix=".npy")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"\0" * _HEADER_BYTES)
            step = WINDOW_TOKENS
            for lo in range(0, n_tokens, step):
                hi = min(lo + step, n_tokens)
                window = corpus.tokens[lo:hi]
                if len(mapping):
                    ids = mapping[window]
                else:
                    ids = np.full(window.size, -1, np.int32)
                keep = ids >= 0
                before = kept + np.concatenate([[0], np.cumsum(keep)])
                i0, i1 = np.searchsorted(offsets, [lo, hi], side="left")
                new_offsets[i0:i1] = before[offsets[i0:i1] - lo]
                fh.write(ids[keep].astype(np.int32))
                kept = int(before[-1])
                corpus.release()
            new_offsets[np.searchsorted(offsets, n_tokens, side="left") :] = kept
            fh.seek(0)
            fh.write(_npy_header(kept))
        remapped = MappedCorpus(path, new_offsets, corpus.folder)
    finally:
        with contextlib.suppress(OSError):  # Windows cannot unlink a mapped file
            os.unlink(path)
    return remapped


def corpus_document_frequency(corpus, n_words, document_frequency):
    """``document_frequency(corpus, n_words)``, window by window for a mapped corpus."""
    if not isinstance(corpus, MappedCorpus):
        return document_frequency(corpus, n_words)
    total = np.zeros(n_words, dtype=np.int64)
    for _, _, window in document_windows(corpus):
        total += document_frequency(window, n_words)
        corpus.release()
    return total


def pool_windows(corpus, pool):
    """``pool(corpus)``, window by window for a mapped corpus (rows in document order)."""
    if not isinstance(corpus, MappedCorpus):
        return pool(corpus)
    parts = []
    for _, _, window in document_windows(corpus):
        parts.append(pool(window))
        corpus.release()
    if not parts:
        return pool(Corpus(corpus.tokens[:0], corpus.offsets[:1]))
    return np.concatenate(parts)


def bounded_step(step, corpus, max_tokens=None):
    """Return ``step`` running at most about ``max_tokens`` tokens per kernel call.

    For a :class:`MappedCorpus` the driver's batches are cut into runs of
    consecutive chunks, and the pages read are dropped after each, so
    training holds a bounded window of the corpus.  Chunks keep their rates
    and seeds, so a serial fit is identical to one call per batch.  Other
    corpora, and steps that shuffle their chunks, are returned as they are.
    """
    if not isinstance(corpus, MappedCorpus) or step.shuffle:
        return step
    max_tokens = WINDOW_TOKENS if max_tokens is None else max_tokens
    ends = np.cumsum(np.asarray(step.chunk_words, dtype=np.int64))
    inner = step.run

    def run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
        if lo >= hi:
            inner(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel)
            return
        a = lo
        while a < hi:
            base = ends[a - 1] if a else 0
            b = int(np.searchsorted(ends, base + max_tokens, side="right"))
            b = min(max(b, a + 1), hi)
            inner(a, b, chunks, lrs, seeds, loss_out, count_out, parallel)
            corpus.release()
            a = b

    return dataclasses.replace(step, run=run)


def release_pages(corpus):
    """Drop the resident pages of a mapped corpus (no-op for others)."""
    if isinstance(corpus, MappedCorpus):
        corpus.release()
