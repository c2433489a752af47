"""Phrase kernels: candidate pairs across connector words, segmentation, renumbering.

Tokens are int32 word ids (-1 for a word that can take no part in a phrase) with
int64 document offsets. ``code[w]`` is 0 for an ordinary word and ``1 + k`` for
the k-th connector word; the run of connectors between the two ends of a
candidate is folded into one int64, ``mid = sum(code * base**position)`` with the
last connector least significant, so ``(first, mid, last)`` names the candidate
exactly (``mid == 0``: no connector).
"""

import numpy as np

from skembed.utils._jit import jit

HEAD = 8  # code points of a word copied in one fixed-length step by write_phrased

__all__ = [
    "candidate_keys",
    "candidate_pairs",
    "join_spans",
    "HEAD",
    "count_sorted",
    "row_index",
    "segment",
    "span_rows",
    "write_phrased",
]


@jit
def candidate_pairs(tokens, offsets, code, base, max_connectors, first, mid, last):
    """Write every candidate ``(first, mid, last)`` of the corpus; return how many.

    A candidate starts at an ordinary word, crosses at most ``max_connectors``
    connector words and ends at the next ordinary word of the same document.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN
    offsets : int64[n_documents + 1]  # IN
    code : int64[n_words]  # IN, 0 or 1 + connector index
    base, max_connectors : int  # IN
    first, mid, last : int64[n_tokens]  # OUT, the first return-value entries filled
    """
    n = 0
    for d in range(offsets.shape[0] - 1):
        end = offsets[d + 1]
        for i in range(offsets[d], end - 1):
            a = tokens[i]
            if a < 0 or code[a] != 0:
                continue
            j = i + 1
            folded = 0
            run = 0
            while j < end and tokens[j] >= 0 and code[tokens[j]] != 0 and run < max_connectors:
                folded = folded * base + code[tokens[j]]
                j += 1
                run += 1
            if j < end and tokens[j] >= 0 and code[tokens[j]] == 0:
                first[n] = a
                mid[n] = folded
                last[n] = tokens[j]
                n += 1
    return n


@jit
def candidate_keys(tokens, offsets, code, base, max_connectors, n_words, n_mid, keys):
    """Write each candidate of ``candidate_pairs`` as ``(first * n_words + last) * n_mid + mid``.

    For vocabularies small enough that the key fits an int64; returns how many.

    Parameters
    ----------
    tokens, offsets, code, base, max_connectors  # IN, as in ``candidate_pairs``
    n_words, n_mid : int  # IN, n_mid = base ** max_connectors
    keys : int64[n_tokens]  # OUT, the first return-value entries filled
    """
    n = 0
    for d in range(offsets.shape[0] - 1):
        end = offsets[d + 1]
        for i in range(offsets[d], end - 1):
            a = tokens[i]
            if a < 0 or code[a] != 0:
                continue
            j = i + 1
            folded = 0
            run = 0
            # the same scan as candidate_pairs (kept inline: a helper call costs 4x here)
            while j < end and tokens[j] >= 0 and code[tokens[j]] != 0 and run < max_connectors:
                folded = folded * base + code[tokens[j]]
                j += 1
                run += 1
            if j < end and tokens[j] >= 0 and code[tokens[j]] == 0:
                keys[n] = (np.int64(a) * n_words + tokens[j]) * n_mid + folded
                n += 1
    return n


@jit
def row_index(table_first, table_mid, table_last):
    """An open-addressing hash table of the rows of a phrase table (-1: empty slot).

    Looked up by :func:`_slot` of ``(first, mid, last)`` and linear probing;
    at least four slots a row, so probes stay short.
    """
    size = 8
    while size < 4 * table_first.shape[0]:
        size *= 2
    slots = np.full(size, -1, np.int64)
    mask = size - 1
    for row in range(table_first.shape[0]):
        h = _slot(table_first[row], table_mid[row], table_last[row], mask)
        while slots[h] >= 0:
            h = (h + 1) & mask
        slots[h] = row
    return slots


@jit(inline="always")
def _slot(a, m, b, mask):
    x = np.int64(a) * 0x9E3779B1 + np.int64(m) * 0x85EBCA77 + np.int64(b) * 0xC2B2AE3D
    return (x ^ (x >> 29)) & mask


@jit(inline="always")
def _lookup(slots, table_first, table_mid, table_last, a, m, b):
    """Row of ``(a, m, b)`` in the table indexed by ``slots``, or -1."""
    mask = slots.shape[0] - 1
    h = _slot(a, m, b, mask)
    while True:
        row = slots[h]
        if row < 0:
            return -1
        if table_first[row] == a and table_last[row] == b and table_mid[row] == m:
            return row
        h = (h + 1) & mask


@jit
def segment(
    tokens,
    offsets,
    n_compact,
    code,
    base,
    max_connectors,
    table_first,
    table_mid,
    table_last,
    weight,
    span,
):
    """Choose the phrases of each document that maximise the total weight.

    Phrases may not overlap; among equal totals fewer merges win. Dynamic
    programming over token positions: ``best[k]`` is the best total of the
    first ``k`` tokens, and a phrase ending at token ``k`` starts at most
    ``max_connectors + 1`` tokens earlier.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN, ids of the table's words below ``n_compact``
    offsets : int64[n_documents + 1]  # IN
    n_compact : int  # IN, ids outside [0, n_compact) take no part in a phrase
    code : int64[n_compact]  # IN
    base, max_connectors : int  # IN
    table_first, table_mid, table_last : int64[n_phrases]  # IN, sorted lexicographically
    weight : float64[n_phrases]  # IN, > 0
    span : int32[n_tokens]  # OUT, length of the unit starting at each token (0 inside one)
    """
    longest = 0
    for d in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[d + 1] - offsets[d])
    best = np.zeros(longest + 1, np.float64)
    start = np.zeros(longest + 1, np.int64)
    # words that start or end no phrase need no lookup
    can_start = np.zeros(n_compact, np.bool_)
    can_end = np.zeros(n_compact, np.bool_)
    for row in range(table_first.shape[0]):
        can_start[table_first[row]] = True
        can_end[table_last[row]] = True
    slots = row_index(table_first, table_mid, table_last)
    for d in range(offsets.shape[0] - 1):
        lo = offsets[d]
        n = offsets[d + 1] - lo
        best[0] = 0.0
        joined = False
        for k in range(n):  # best total of tokens[lo : lo + k + 1]
            best[k + 1] = best[k]
            start[k + 1] = k
            b = tokens[lo + k]
            if b < 0 or b >= n_compact or not can_end[b]:
                continue
            folded = 0
            power = 1
            i = k - 1
            run = 0
            while i >= 0:
                t = tokens[lo + i]
                if t < 0 or t >= n_compact:
                    break
                if code[t] != 0:
                    if run == max_connectors:
                        break
                    folded += code[t] * power
                    power *= base
                    run += 1
                    i -= 1
                    continue
                if not can_start[t]:
                    break
                row = _lookup(slots, table_first, table_mid, table_last, t, folded, b)
                if row >= 0 and best[i] + weight[row] > best[k + 1]:
                    best[k + 1] = best[i] + weight[row]
                    start[k + 1] = i
                    joined = True
                break
        if not joined:  # every token its own unit
            for j in range(lo, lo + n):
                span[j] = 1
            continue
        k = n
        while k > 0:
            i = start[k]
            span[lo + i] = k - i
            for j in range(i + 1, k):
                span[lo + j] = 0
            k = i


@jit
def span_rows(tokens, starts, widths, code, base, table_first, table_mid, table_last, rows):
    """Write the table row of each phrase that ``segment`` chose.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN, ids as given to ``segment``
    starts, widths : int64[n_spans]  # IN, where each joined span starts, and its length
    code : int64[n_compact]  # IN
    base : int  # IN
    table_first, table_mid, table_last : int64[n_phrases]  # IN, sorted lexicographically
    rows : int64[n_spans]  # OUT
    """
    slots = row_index(table_first, table_mid, table_last)
    for s in range(starts.shape[0]):
        lo = starts[s]
        hi = lo + widths[s] - 1
        folded = 0
        for i in range(lo + 1, hi):
            folded = folded * base + code[tokens[i]]
        a, b = tokens[lo], tokens[hi]
        rows[s] = _lookup(slots, table_first, table_mid, table_last, a, folded, b)


@jit
def join_spans(tokens, offsets, span, span_word, n_words, out, out_offsets):
    """Replace each chosen phrase by one word and renumber by first occurrence.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN, word ids in [0, n_words)
    offsets : int64[n_documents + 1]  # IN
    span : int32[n_tokens]  # IN, from ``segment``
    span_word : int64[n_spans]  # IN, word id of each span longer than 1, in token order
    n_words : int  # IN, ids below this (phrase words included)
    out : int32[n_tokens]  # OUT, the first return-value entries filled
    out_offsets : int64[n_documents + 1]  # OUT

    Returns
    -------
    order : int64[n_used]
        Old id of each new id.
    counts : int64[n_used]
    n_out : int
    """
    new_id = np.full(n_words, -1, np.int64)
    order = np.empty(n_words, np.int64)
    counts = np.zeros(n_words, np.int64)
    n_used = 0
    n = 0
    s = 0
    out_offsets[0] = 0
    for d in range(offsets.shape[0] - 1):
        for i in range(offsets[d], offsets[d + 1]):
            width = span[i]
            if width == 0:
                continue
            if width > 1:
                t = span_word[s]
                s += 1
            else:
                t = tokens[i]
            k = new_id[t]
            if k < 0:
                k = n_used
                new_id[t] = k
                order[k] = t
                n_used += 1
            counts[k] += 1
            out[n] = k
            n += 1
        out_offsets[d + 1] = n
    return order[:n_used].copy(), counts[:n_used].copy(), n


@jit
def count_sorted(keys, unique, counts):
    """Write the distinct values of sorted ``keys`` and how often each occurs; return how many.

    Parameters
    ----------
    keys : int64[n]  # IN, sorted
    unique, counts : int64[n]  # OUT, the first return-value entries filled

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.text._kernels._phrases import count_sorted
    >>> unique, counts = np.zeros(5, np.int64), np.zeros(5, np.int64)
    >>> n = count_sorted(np.array([2, 2, 3, 7, 7]), unique, counts)
    >>> unique[:n].tolist(), counts[:n].tolist()
    ([2, 3, 7], [2, 1, 2])
    """
    n = 0
    for i in range(keys.shape[0]):
        if n > 0 and keys[i] == unique[n - 1]:
            counts[n - 1] += 1
        else:
            unique[n] = keys[i]
            counts[n] = 1
            n += 1
    return n


@jit(inline="always")
def _put(out, k, head, chars, start, w):
    """Write item ``w`` of a store at ``out[k:]``; return its length.

    The first ``HEAD`` code points come from the padded ``head`` row in one
    fixed-length copy (no branch on the length, which a loop over short words
    mispredicts once a word), the rest one by one; ``out`` has ``HEAD``
    entries of slack for the padding, which the next item overwrites.
    """
    lo = start[w]
    length = start[w + 1] - lo
    for j in range(HEAD):
        out[k + j] = head[w, j]
    for p in range(HEAD, length):
        out[k + p] = chars[lo + p]
    return length


@jit
def write_phrased(
    tokens,
    offsets,
    span,
    span_row,
    word_start,
    word_chars,
    word_head,
    phrase_start,
    phrase_chars,
    phrase_head,
    separator,
    line_end,
    out,
    out_start,
):
    """Write each document with its chosen phrases joined; return the code points written.

    A token that ``segment`` left alone (``span == 1``) is written from the
    word store, the first token of a chosen phrase (``span > 1``) writes the
    phrase (the ``s``-th such span in token order is phrase ``span_row[s]``),
    and the other tokens of the phrase (``span == 0``) nothing. With an empty
    ``out`` nothing is written and the length needed is returned.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN, word ids of the word store
    offsets : int64[n_documents + 1]  # IN
    span : int32[n_tokens]  # IN, from ``segment``
    span_row : int64[n_spans]  # IN, phrase of each span longer than 1
    word_start : int64[n_words + 1], word_chars : uint32  # IN, the word store
    word_head : (uint8 or uint32)[n_words, HEAD]  # IN, first code points, 0-padded
    phrase_start, phrase_chars, phrase_head  # IN, the phrase store, likewise
    separator : uint32  # IN, between units
    line_end : int  # IN, ends every document but the last, or -1 for none
    out : uint32 or uint8[total + HEAD]  # OUT, or empty to measure
    out_start : int64[n_documents + 1]  # OUT, document d is out[out_start[d]:out_start[d + 1]]
    """
    write = out.shape[0] > 0
    k = 0
    s = 0
    n_docs = offsets.shape[0] - 1
    out_start[0] = 0
    for d in range(n_docs):
        first = True
        for t in range(offsets[d], offsets[d + 1]):
            width = span[t]
            if width == 0:
                continue
            if not first:
                if write:
                    out[k] = separator
                k += 1
            first = False
            if width > 1:
                row = span_row[s]
                s += 1
                if write:
                    k += _put(out, k, phrase_head, phrase_chars, phrase_start, row)
                else:
                    k += phrase_start[row + 1] - phrase_start[row]
            else:
                w = tokens[t]
                if write:
                    k += _put(out, k, word_head, word_chars, word_start, w)
                else:
                    k += word_start[w + 1] - word_start[w]
        out_start[d + 1] = k
        if line_end >= 0 and d + 1 < n_docs:
            if write:
                out[k] = line_end
            k += 1
    return k
