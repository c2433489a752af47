"""Compiled default analyzer: tokenize, lowercase and encode to ids in one pass.

Text arrives as code points (uint32, a batch of documents joined, with int64
document starts). A token is what ``DEFAULT_TOKEN_PATTERN`` matches: a word
character (class 1) followed by word characters or combining marks (class 2).
Tokens are looked up in an open-addressing hash table over their (lowercased)
code-point sequences; with ``grow`` a token not yet there becomes a new word,
numbered in order of first occurrence, otherwise it is encoded as -1.

The vocabulary lives in growable arrays owned by the caller:
``word_chars`` (uint32, the code points of every word end to end),
``word_start`` (int64, word ``w`` is ``word_chars[word_start[w]:word_start[w + 1]]``),
``word_hash`` (uint64) and ``counts`` (int64); ``table`` (int32, a power of two
long, -1 for an empty slot, -2 for a deleted word) holds word indices. When an array is full the
kernel stops before the token that needs room and says so; the caller grows
the arrays and calls again from there, so a document of any length passes.
"""

import numpy as np

from skembed.utils._jit import jit

__all__ = [
    "delete_words",
    "encode_codepoints",
    "insert_words",
    "rebuild_table",
    "write_documents",
]

_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)

DONE = 0
NEED_WORDS = 1  # the table or the per-word arrays are full
NEED_CHARS = 2  # word_chars is full
NEED_PRUNE = 3  # more live words than max_live after a document
EMPTY = -1
DELETED = -2


@jit
def _finish(h):
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return h


@jit
def _find(table, mask, word_hash, word_start, word_chars, h, lo, n):
    """Return ``(slot, word)`` of the sequence ``word_chars[lo:lo + n]``; word -1 if absent.

    When absent, ``slot`` is the empty slot where the sequence would go.
    """
    slot = np.int64(h & np.uint64(mask))
    while True:
        w = table[slot]
        if w == EMPTY:
            return slot, -1
        if w >= 0 and word_hash[w] == h and word_start[w + 1] - word_start[w] == n:
            a = word_start[w]
            same = True
            for k in range(n):
                if word_chars[a + k] != word_chars[lo + k]:
                    same = False
                    break
            if same:
                return slot, w
        slot = (slot + 1) & mask


@jit
def encode_codepoints(
    text,
    doc_start,
    as_is,
    char_class,
    lower_shift,
    lowercase,
    grow,
    state,
    out_tokens,
    out_doc_end,
    table,
    word_hash,
    word_start,
    word_chars,
    counts,
    max_words,
    max_live,
):
    """Tokenize and encode documents from ``state`` on; return a status.

    Parameters
    ----------
    text : uint32 or uint8[n_chars]  # IN, code points of the batch, documents end to end
    doc_start : int64[n_documents + 1]  # IN, document d is text[doc_start[d]:doc_start[d + 1]]
    as_is : uint8[n_documents]  # IN, 1: the document is already lowercased
    char_class : uint8[0x110000]  # IN, 0 other, 1 word character, 2 combining mark
    lower_shift : int32[0x110000]  # IN, c + lower_shift[c] is c's one-to-one lowercase
    lowercase, grow : bool  # IN
    state : int64[6]  # IN/OUT, (document, position, tokens written, n_words, n_chars, n_dead)
    out_tokens : int32[>= tokens of the batch]  # OUT, word index or -1 (unknown)
    out_doc_end : int64[n_documents]  # OUT, tokens written after each document
    table : int32[2 ** k]  # IN/OUT, word index of each slot, -1 empty
    word_hash, word_start, word_chars, counts  # IN/OUT, the vocabulary
    max_words : int  # IN, stop (NEED_WORDS) before a new word beyond this count
    max_live : int  # IN, stop (NEED_PRUNE) after a document that leaves more live words

    Returns
    -------
    status : int
        DONE, NEED_WORDS, NEED_CHARS or NEED_PRUNE (``state`` says where to resume).
    """
    n_docs = doc_start.shape[0] - 1
    mask = table.shape[0] - 1
    cap_chars = word_chars.shape[0]
    d = state[0]
    i = state[1]
    n_out = state[2]
    n_words = state[3]
    n_chars = state[4]
    status = DONE
    while d < n_docs:
        end = doc_start[d + 1]
        if i < doc_start[d]:
            i = doc_start[d]
        fold = lowercase and as_is[d] == 0
        while i < end:
            c = np.uint32(text[i])
            if char_class[c] != 1:
                i += 1
                continue
            # a token starts at i: copy its (lowercased) code points after the words
            j = i
            k = n_chars
            h = _FNV_OFFSET
            full = False
            while j < end:
                c = np.uint32(text[j])
                if char_class[c] == 0:
                    break
                if fold:
                    c = np.uint32(np.int64(c) + lower_shift[c])
                if k >= cap_chars:
                    full = True
                    break
                word_chars[k] = c
                h = (h ^ np.uint64(c)) * _FNV_PRIME
                k += 1
                j += 1
            if full:
                status = NEED_CHARS
                break
            n = k - n_chars
            h = _finish(h)
            slot, w = _find(table, mask, word_hash, word_start, word_chars, h, n_chars, n)
            if w < 0 and grow:
                if n_words >= max_words:
                    status = NEED_WORDS
                    break
                w = n_words
                table[slot] = w
                word_hash[w] = h
                n_chars = k
                word_start[w + 1] = n_chars
                counts[w] = 0
                n_words += 1
            if w >= 0:
                counts[w] += 1
            out_tokens[n_out] = w
            n_out += 1
            i = j
        if status != DONE:
            break
        out_doc_end[d] = n_out
        d += 1
        if n_words - state[5] > max_live:
            status = NEED_PRUNE
            break
    state[0] = d
    state[1] = i
    state[2] = n_out
    state[3] = n_words
    state[4] = n_chars
    return status


@jit
def rebuild_table(table, word_hash, alive, n_words):
    """Insert the live words of ``0 .. n_words - 1`` into an empty ``table`` by their hashes."""
    mask = table.shape[0] - 1
    for w in range(n_words):
        if not alive[w]:
            continue
        slot = np.int64(word_hash[w] & np.uint64(mask))
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = w


@jit
def delete_words(table, word_hash, doomed):
    """Mark the slots of the words ``doomed`` (all in the table) as deleted."""
    mask = table.shape[0] - 1
    for k in range(doomed.shape[0]):
        w = doomed[k]
        slot = np.int64(word_hash[w] & np.uint64(mask))
        while table[slot] != w:
            slot = (slot + 1) & mask
        table[slot] = DELETED


@jit
def insert_words(table, word_hash, word_start, word_chars, n_words):
    """Hash words ``0 .. n_words - 1`` (distinct sequences) into an empty ``table``."""
    mask = table.shape[0] - 1
    for w in range(n_words):
        h = _FNV_OFFSET
        for k in range(word_start[w], word_start[w + 1]):
            h = (h ^ np.uint64(word_chars[k])) * _FNV_PRIME
        h = _finish(h)
        word_hash[w] = h
        slot = np.int64(h & np.uint64(mask))
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = w


@jit
def write_documents(tokens, offsets, word_start, word_chars, separator, line_end, out, out_start):
    """Write each document as its words' code points joined by ``separator``.

    With ``line_end >= 0`` that code point also ends every document but the
    last, so that one ``str.split`` cuts the text into documents.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN, word indices
    offsets : int64[n_documents + 1]  # IN
    word_start : int64[n_words + 1], word_chars : uint32  # IN
    separator : uint32  # IN, one code point
    line_end : int  # IN, a code point, or -1 for none
    out : uint32 or uint8[total]  # OUT, sum of word lengths + separators (uint8: all < 256)
    out_start : int64[n_documents + 1]  # OUT, document d is out[out_start[d]:out_start[d + 1]]
    """
    k = 0
    out_start[0] = 0
    n_docs = offsets.shape[0] - 1
    for d in range(n_docs):
        for t in range(offsets[d], offsets[d + 1]):
            if t > offsets[d]:
                out[k] = separator
                k += 1
            w = tokens[t]
            for p in range(word_start[w], word_start[w + 1]):
                out[k] = word_chars[p]
                k += 1
        out_start[d + 1] = k
        if line_end >= 0 and d + 1 < n_docs:
            out[k] = line_end
            k += 1
