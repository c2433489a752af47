"""The default analyzer compiled: documents to word ids without a Python step per token.

Produces exactly the tokens of ``re.findall(DEFAULT_TOKEN_PATTERN, doc.lower())``
(or of ``doc`` with ``lowercase=False``). The character tables are built once
per process, on first use, from the running Python itself: ``re``'s ``\\w``, the
combining marks of the pattern and ``str.lower``. ``str.lower`` is not a
per-character map for two kinds of character: U+0130 (lowercase ``i`` plus a
combining dot, two code points) and U+03A3 (capital sigma, whose lowercase
depends on the letters around it); a document holding either is lowercased by
``str.lower`` before the compiled pass, which then keeps it as it is.
"""

import mmap
import re
import threading
from itertools import islice

import numpy as np

from skembed.text._kernels._fast_analyzer import (
    DONE,
    NEED_CHARS,
    NEED_PRUNE,
    NEED_WORDS,
    delete_words,
    encode_codepoints,
    insert_words,
    rebuild_table,
    write_documents,
)
from skembed.text._unicode_tables import MARKS

__all__ = [
    "CompiledVocabulary",
    "decode_words",
    "encode_texts",
    "free_line_end",
    "join_documents",
    "split_documents",
    "word_store",
]

N_CODEPOINTS = 0x110000
_BATCH = 1 << 21  # code points per batch
_CHUNK = 4096  # most documents read from the iterable at a time (see _batches)
_TABLES = None
_LOCK = threading.Lock()


def _zero_table(dtype):
    """A zero-filled table of one entry per code point, resident only where written.

    An anonymous memory map starts as the system's zero page: the blocks the
    tables never write (most of planes 2-16) take no memory, which a heap
    allocation does not promise (``calloc`` may hand back used pages it must clear).
    """
    size = N_CODEPOINTS * np.dtype(dtype).itemsize
    if hasattr(mmap, "MAP_PRIVATE"):  # copy-on-write across fork, as heap memory is
        return np.frombuffer(mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE), dtype=dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype=dtype)  # Windows: zero-filled on demand


def _class_ranges(ranges):
    """Yield ``(first, last)`` code points of a regex character-class body of literals."""
    i = 0
    while i < len(ranges):
        if i + 2 < len(ranges) and ranges[i + 1] == "-":
            yield ord(ranges[i]), ord(ranges[i + 2])
            i += 3
        else:
            yield ord(ranges[i]), ord(ranges[i])
            i += 1


def character_tables():
    """Return ``(char_class, lower_shift, special)``, built on first use (some hundredths of a s).

    ``char_class`` is 1 for what ``re``'s ``\\w`` matches, 2 for the other
    combining marks of the token pattern, 0 otherwise; ``c + lower_shift[c]``
    is ``ord(chr(c).lower())`` where that is one code point (``c`` elsewhere);
    ``special`` marks the characters whose ``str.lower`` is no such map.  The
    tables are zero where nothing is written, and only the written blocks take
    memory (under half a megabyte of the 6.6 MB).
    """
    global _TABLES
    with _LOCK:
        if _TABLES is None:
            char_class = _zero_table(np.uint8)
            lower_shift = _zero_table(np.int32)
            special = _zero_table(np.bool_)
            for first, last in _class_ranges(MARKS):
                char_class[first : last + 1] = 2
            block = 1 << 12
            for start in range(0, N_CODEPOINTS, block):
                codes = np.arange(start, start + block, dtype="<u4")
                chars = codes.tobytes().decode("utf-32-le", "surrogatepass")
                for m in re.finditer(r"\w+", chars):
                    char_class[start + m.start() : start + m.end()] = 1
                lowered = chars.lower()
                if lowered == chars:
                    continue
                if len(lowered) == len(chars):
                    shift = _codepoints(lowered).astype(np.int64) - codes
                    changed = np.flatnonzero(shift)
                    lower_shift[start + changed] = shift[changed]
                    continue
                for k, c in enumerate(chars):  # a block with a longer lowercase: one by one
                    if len(c.lower()) != 1:
                        special[start + k] = True
                    elif c.lower() != c:
                        lower_shift[start + k] = ord(c.lower()) - (start + k)
            # capital sigma lowercases by context (final or not): str.lower decides
            special[0x3A3] = True
            lower_shift[special] = 0
            _TABLES = (char_class, lower_shift, special)
        return _TABLES


def _codepoints(text):
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class CompiledVocabulary:
    """Words as code-point sequences in an open-addressing hash table.

    Parameters
    ----------
    words : list of str, default=None
        Initial words (distinct), numbered from 0 in that order.
    max_vocab_size : int, default=None
        While growing, prune rare words whenever more than this many are
        live after a document, as ``skembed.corpus._encoding._Encoder`` does:
        the live words seen at most ``min_reduce`` times leave the table (a
        later occurrence gets a new index), then ``min_reduce`` goes up by one.
    """

    def __init__(self, words=None, max_vocab_size=None):
        words = [] if words is None else words
        self.max_vocab_size = max_vocab_size
        self.min_reduce = 1
        self.n_dead = 0
        self._live = np.zeros(0, dtype=np.int64)  # ids alive after the last prune
        self._pruned_upto = 0  # ids from here on are new since the last prune
        n = len(words)
        self._allocate_words(max(1 << 14, 2 * n))
        chars = _codepoints("".join(words))
        self.word_chars = np.empty(max(1 << 16, 2 * chars.size), dtype=np.uint32)
        self.word_chars[: chars.size] = chars
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=n)
        self.word_start[1 : n + 1] = np.cumsum(lengths)
        self.n_words, self.n_chars = n, int(chars.size)
        insert_words(self.table, self.word_hash, self.word_start, self.word_chars, n)

    def _allocate_words(self, capacity):
        size = 1 << int(np.ceil(np.log2(2 * capacity)))
        self.table = np.full(size, -1, dtype=np.int32)
        self.max_words = size // 2
        self.word_hash = np.zeros(self.max_words, dtype=np.uint64)
        self.word_start = np.zeros(self.max_words + 1, dtype=np.int64)
        self.counts = np.zeros(self.max_words, dtype=np.int64)
        self.alive = np.ones(self.max_words, dtype=bool)

    def _grow_words(self):
        n = self.n_words
        old = (self.word_hash, self.word_start, self.counts, self.alive)
        self._allocate_words(2 * self.max_words)
        self.word_hash[:n] = old[0][:n]
        self.word_start[: n + 1] = old[1][: n + 1]
        self.counts[:n] = old[2][:n]
        self.alive[:n] = old[3][:n]
        rebuild_table(self.table, self.word_hash, self.alive, n)

    def _prune(self):
        n = self.n_words
        live = np.concatenate([self._live, np.arange(self._pruned_upto, n, dtype=np.int64)])
        dead = self.counts[live] <= self.min_reduce
        doomed = live[dead]
        self._live = live[~dead]
        self._pruned_upto = n
        delete_words(self.table, self.word_hash, doomed)
        self.alive[doomed] = False
        self.n_dead += doomed.size
        self.min_reduce += 1

    def _grow_chars(self):
        grown = np.empty(2 * self.word_chars.size, dtype=np.uint32)
        grown[: self.n_chars] = self.word_chars[: self.n_chars]
        self.word_chars = grown

    def encode(self, text, doc_start, as_is, lowercase, grow):
        """Encode one batch; return ``(tokens, doc_end)`` (word indices, -1 unknown)."""
        char_class, lower_shift, _ = character_tables()
        n_docs = doc_start.size - 1
        # a token and the gap after it take two code points, except at a document end
        out_tokens = np.empty((text.size + n_docs) // 2 + 1, dtype=np.int32)
        out_doc_end = np.empty(n_docs, dtype=np.int64)
        state = np.array([0, 0, 0, self.n_words, self.n_chars, self.n_dead], dtype=np.int64)
        max_live = self.max_vocab_size if grow and self.max_vocab_size is not None else -1
        while True:
            status = encode_codepoints(
                text,
                doc_start,
                as_is,
                char_class,
                lower_shift,
                bool(lowercase),
                bool(grow),
                state,
                out_tokens,
                out_doc_end,
                self.table,
                self.word_hash,
                self.word_start,
                self.word_chars,
                self.counts,
                self.max_words,
                max_live if max_live >= 0 else np.iinfo(np.int64).max,
            )
            self.n_words, self.n_chars = int(state[3]), int(state[4])
            if status == DONE:
                break
            if status == NEED_WORDS:
                self._grow_words()
            elif status == NEED_CHARS:
                self._grow_chars()
            elif status == NEED_PRUNE:
                self._prune()
                state[5] = self.n_dead
            else:  # pragma: no cover - the kernel returns one of the three
                raise RuntimeError(f"unexpected status {status} from the compiled analyzer")
        return out_tokens[: state[2]], out_doc_end

    def words(self):
        """Return the words as a list of str, in index order."""
        return decode_words(self.word_chars, self.word_start, self.n_words)


def decode_words(word_chars, word_start, n_words):
    """Return words ``0 .. n_words - 1`` of a code-point store as str."""
    text = word_chars[: word_start[n_words]].tobytes().decode("utf-32-le", "surrogatepass")
    starts = word_start[: n_words + 1].tolist()
    return [text[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]


def word_store(words):
    """Return ``(word_chars, word_start)``: the code points of ``words`` end to end."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    word_start = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(lengths, out=word_start[1:])
    return _codepoints("".join(words)), word_start


def _check_types(chunk, first, parameter):
    """Raise a TypeError naming the first document of ``chunk`` that is not a str."""
    for i, doc in enumerate(chunk):
        if not isinstance(doc, str):
            raise TypeError(
                f"{parameter}: document {first + i} is of type {type(doc).__name__}; every "
                "document must be a str."
            )


def _batches(documents, parameter):
    """Yield lists of documents of about ``_BATCH`` code points (a long one alone).

    Documents are taken from the iterable a few at a time, as many as the
    mean length so far says fill a batch (at most ``_CHUNK``), so that what is
    held at once stays near one batch even for long documents.
    """
    documents = iter(documents)
    pending, size, first = [], 0, 0
    take, n_chars = 16, 0
    while True:
        chunk = list(islice(documents, take))
        if not chunk:
            break
        if set(map(type, chunk)) != {str}:
            _check_types(chunk, first, parameter)
        first += len(chunk)
        ends = np.cumsum(np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk)))
        n_chars += int(ends[-1])
        take = int(min(max(_BATCH * first // max(n_chars, 1), 1), _CHUNK))
        start = 0
        while start < len(chunk):
            before = int(ends[start - 1]) if start else 0
            # take documents up to the one that fills the batch
            stop = int(np.searchsorted(ends, before + _BATCH - size, side="left")) + 1
            stop = min(stop, len(chunk))
            pending.extend(chunk[start:stop])
            size += int(ends[stop - 1]) - before
            start = stop
            if size >= _BATCH:
                yield pending
                pending, size = [], 0
    if pending:
        yield pending


def _prepare(batch, lowercase):
    """Return ``(text, doc_start, as_is)`` of a batch of str.

    Text within Latin-1 (ASCII included) goes to the kernel as bytes, which
    holds neither of the characters that ``str.lower`` maps specially.
    """
    lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
    doc_start = np.zeros(len(batch) + 1, dtype=np.int64)
    np.cumsum(lengths, out=doc_start[1:])
    joined = "".join(batch)
    as_is = np.zeros(len(batch), dtype=np.uint8)
    try:
        return np.frombuffer(joined.encode("latin-1"), dtype=np.uint8), doc_start, as_is
    except UnicodeEncodeError:
        pass
    text = _codepoints(joined)
    if lowercase and text.size:
        _, _, special = character_tables()
        hits = np.flatnonzero(special[text])
        if hits.size:
            # str.lower is exact where no one-to-one table is: use it for these documents
            batch = list(batch)
            for d in np.unique(np.searchsorted(doc_start, hits, side="right") - 1):
                batch[d] = batch[d].lower()
                as_is[d] = 1
            lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
            np.cumsum(lengths, out=doc_start[1:])
            text = _codepoints("".join(batch))
    return text, doc_start, as_is


def encode_texts(
    documents, lowercase=True, vocabulary=None, parameter="X", max_vocab_size=None, grow=None
):
    """Tokenize and encode str documents with the compiled default analyzer.

    Parameters
    ----------
    documents : iterable of str
    lowercase : bool, default=True
    vocabulary : CompiledVocabulary, default=None
        With None, a new vocabulary grows in order of first occurrence
        (counts kept); otherwise tokens are looked up in it and those not
        found are encoded as -1.
    parameter : str, default="X"
        Name of the documents in the error raised for one that is not a str.
    max_vocab_size : int, default=None
        Bound on the live words of a new vocabulary (see CompiledVocabulary).
    grow : bool, default=None
        Whether words not in ``vocabulary`` join it (None: only when no
        ``vocabulary`` is given). ``grow=True`` with a vocabulary numbers its
        words first and new words after them.

    Returns
    -------
    tokens : ndarray of int32
        Word indices (-1: not in a fixed ``vocabulary``).
    offsets : ndarray of shape (n_documents + 1,), int64
    vocabulary : CompiledVocabulary
    """
    if grow is None:
        grow = vocabulary is None
    if vocabulary is None:
        vocabulary = CompiledVocabulary(max_vocab_size=max_vocab_size)
    parts, ends, n = [], [np.zeros(1, dtype=np.int64)], 0
    for batch in _batches(documents, parameter):
        text, doc_start, as_is = _prepare(batch, lowercase)
        tokens, doc_end = vocabulary.encode(text, doc_start, as_is, lowercase, grow)
        parts.append(tokens.copy())
        ends.append(doc_end + n)
        n += tokens.size
    tokens = np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
    return tokens, np.concatenate(ends), vocabulary


def join_documents(tokens, offsets, vocabulary, separator=" "):
    """Return each document as its words joined by ``separator`` (one code point).

    ``vocabulary`` is a CompiledVocabulary or a ``(word_chars, word_start)`` pair.
    """
    if isinstance(vocabulary, CompiledVocabulary):
        word_chars, word_start = vocabulary.word_chars, vocabulary.word_start
        used = word_chars[: vocabulary.n_chars]
    else:
        word_chars, word_start = vocabulary
        used = word_chars[: word_start[-1]]
    n_docs = offsets.size - 1
    lengths = word_start[1:] - word_start[:-1]
    total = int(lengths[tokens].sum()) + int(np.maximum(np.diff(offsets) - 1, 0).sum())
    line_end = free_line_end(used, separator)
    total += max(n_docs - 1, 0) if line_end >= 0 else 0
    narrow = ord(separator) < 256 and (used.size == 0 or int(used.max()) < 256)
    out = np.empty(total, dtype=np.uint8 if narrow else np.uint32)
    out_start = np.empty(n_docs + 1, dtype=np.int64)
    write_documents(
        tokens, offsets, word_start, word_chars, ord(separator), line_end, out, out_start
    )
    return split_documents(out, out_start, narrow, line_end)


def free_line_end(*stores_and_separator):
    """A line end that no word holds (10) and is not the separator, else -1."""
    *stores, separator = stores_and_separator
    if separator == "\n" or any(store.size and bool((store == 10).any()) for store in stores):
        return -1
    return 10


def split_documents(out, out_start, narrow, line_end):
    """Decode the code points written by a document writer into one str per document."""
    if narrow:  # Latin-1: one byte a character
        text = out.tobytes().decode("latin-1")
    else:
        text = out.tobytes().decode("utf-32-le", "surrogatepass")
    if out_start.size == 1:
        return []
    if line_end >= 0:
        return text.split(chr(line_end))
    starts = out_start.tolist()
    return [text[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]
