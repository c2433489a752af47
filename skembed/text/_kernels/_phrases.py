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

__all__ = [
    "candidate_keys",
    "candidate_pairs",
    "join_spans",
    "segment",
    "span_rows",
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
def _find(table_first, table_mid, table_last, a, m, b, lo, hi):
    """Row of ``(a, m, b)`` in rows ``lo:hi`` of the lexicographically sorted table, or -1."""
    end = hi
    while lo < hi:
        h = (lo + hi) // 2
        fa = table_first[h]
        fm = table_mid[h]
        fb = table_last[h]
        if fa < a or (fa == a and (fm < m or (fm == m and fb < b))):
            lo = h + 1
        else:
            hi = h
    if lo < end:
        if table_first[lo] == a and table_mid[lo] == m and table_last[lo] == b:
            return lo
    return -1


@jit
def segment(
    tokens, offsets, code, base, max_connectors, table_first, table_mid, table_last, weight, span
):
    """Choose the phrases of each document that maximise the total weight.

    Phrases may not overlap; among equal totals fewer merges win. Dynamic
    programming over token positions: ``best[k]`` is the best total of the
    first ``k`` tokens, and a phrase ending at token ``k`` starts at most
    ``max_connectors + 1`` tokens earlier.

    Parameters
    ----------
    tokens : int32[n_tokens]  # IN
    offsets : int64[n_documents + 1]  # IN
    code : int64[n_words]  # IN
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
    # rows first_row[w]:first_row[w + 1] start with word w (the table is sorted by first
    # word); words that start or end no phrase need no search
    first_row = np.zeros(code.shape[0] + 1, np.int64)
    can_end = np.zeros(code.shape[0], np.bool_)
    for row in range(table_first.shape[0]):
        first_row[table_first[row] + 1] += 1
        can_end[table_last[row]] = True
    for w in range(code.shape[0]):
        first_row[w + 1] += first_row[w]
    for d in range(offsets.shape[0] - 1):
        lo = offsets[d]
        n = offsets[d + 1] - lo
        best[0] = 0.0
        for k in range(n):  # best total of tokens[lo : lo + k + 1]
            best[k + 1] = best[k]
            start[k + 1] = k
            b = tokens[lo + k]
            if b < 0 or not can_end[b]:
                continue
            folded = 0
            power = 1
            i = k - 1
            run = 0
            while i >= 0:
                t = tokens[lo + i]
                if t < 0:
                    break
                if code[t] != 0:
                    if run == max_connectors:
                        break
                    folded += code[t] * power
                    power *= base
                    run += 1
                    i -= 1
                    continue
                if first_row[t] == first_row[t + 1]:
                    break
                row = _find(
                    table_first,
                    table_mid,
                    table_last,
                    t,
                    folded,
                    b,
                    first_row[t],
                    first_row[t + 1],
                )
                if row >= 0 and best[i] + weight[row] > best[k + 1]:
                    best[k + 1] = best[i] + weight[row]
                    start[k + 1] = i
                break
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
    tokens : int32[n_tokens]  # IN, compact ids as given to ``segment``
    starts, widths : int64[n_spans]  # IN, where each joined span starts, and its length
    code : int64[n_words]  # IN
    base : int  # IN
    table_first, table_mid, table_last : int64[n_phrases]  # IN, sorted lexicographically
    rows : int64[n_spans]  # OUT
    """
    for s in range(starts.shape[0]):
        lo = starts[s]
        hi = lo + widths[s] - 1
        folded = 0
        for i in range(lo + 1, hi):
            folded = folded * base + code[tokens[i]]
        rows[s] = _find(
            table_first, table_mid, table_last, tokens[lo], folded, tokens[hi], 0, table_first.size
        )


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
