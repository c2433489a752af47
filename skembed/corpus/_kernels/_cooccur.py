"""Numba kernels that count weighted word-word co-occurrences (GloVe's ``X``).

The driver (:func:`skembed.corpus._cooccur.count_cooccurrences`) cuts the corpus into
*pieces* (ranges of centre tokens).  For each piece the raw ``(centre,
context)`` increments are bucketed by row with a counting sort
(:func:`piece_row_counts`, then :func:`piece_fill`) and reduced row by row
with a dense accumulator (:func:`reduce_buckets`), giving a *block* of unique
(column, value) pairs grouped by row.  Blocks are summed by :func:`merge_blocks` and
turned into CSR arrays with sorted columns by :func:`finalize_rows`.

Counts are **int64 fixed-point numbers**: a context at distance ``d`` adds
the integer ``weights[d]`` (``scale / d``, or ``scale`` without distance
weighting) and the sums are divided by ``scale`` once at the end.  Integer
addition is associative, so the counted matrix is bitwise the same however the
corpus is cut into pieces and blocks (any ``max_memory``).

Stanford's ``cooccur`` also keeps a dense table for pairs of frequent words
(product of frequency ranks below a bound).  Measured here on a 1M-token Zipf
corpus (50k words, window 15), such a table cut the piece phase from 0.39 s
to 0.30 s at best (1.1M cells) and made it slower with larger tables (0.44 s
at 8.8M cells), for about 10% of the whole count: not kept.

Layouts:

- raw increments of one piece: ``cols`` int32 and distance ``codes`` uint16,
  grouped by row through ``row_ptr`` int64[n_words + 1] (6 bytes each);
- blocks: unique pairs ``cols`` int32, ``vals`` int64 (12 bytes each) in
  increasing row order, the rows run-length coded: ``run_rows`` int32 and
  ``run_ends`` int64 give each run's row and the position one past its last
  entry (12 bytes a run, at most one run per row present in the block, so
  no per-vocabulary overhead and many blocks of a large vocabulary stay
  cheap).  A row stored once per entry cost 4 bytes an entry more, a quarter
  of the blocks' memory.  Within a row, columns are in first-seen order;
  only the final result is sorted, once.
"""

import numpy as np

from skembed.utils._jit import jit

__all__ = [
    "piece_row_counts",
    "piece_fill",
    "reduce_buckets",
    "merge_blocks",
    "finalize_rows",
]


@jit
def piece_row_counts(
    tokens,  # IN int32[n_tokens]: word ids
    offsets,  # IN int64[n_documents + 1]: document d is tokens[offsets[d]:offsets[d + 1]]
    start,  # IN int: first centre position of the piece
    stop,  # IN int: one past the last centre position of the piece
    window,  # IN int: number of left-context positions
    symmetric,  # IN bool: also count the mirrored (context, centre) entry
    row_counts,  # OUT int64[n_words]: incremented by each row's number of raw increments
):
    """Count, per row, the raw increments of the centres ``start:stop``.

    Returns
    -------
    n_increments : int
        Total number of raw increments of the piece.
    """
    if stop <= start:
        return 0
    doc = np.searchsorted(offsets, start, side="right") - 1
    doc_start = offsets[doc]
    doc_stop = offsets[doc + 1]
    total = 0
    for pos in range(start, stop):
        while pos >= doc_stop:  # also steps over empty documents
            doc += 1
            doc_start = offsets[doc]
            doc_stop = offsets[doc + 1]
        lo = max(doc_start, pos - window)
        n_ctx = pos - lo
        if n_ctx == 0:
            continue
        row_counts[tokens[pos]] += n_ctx
        total += n_ctx
        if symmetric:
            for q in range(lo, pos):
                row_counts[tokens[q]] += 1
            total += n_ctx
    return total


@jit
def piece_fill(
    tokens,  # IN int32[n_tokens]
    offsets,  # IN int64[n_documents + 1]
    start,  # IN int
    stop,  # IN int
    window,  # IN int
    symmetric,  # IN bool
    cursor,  # IN/OUT int64[n_words]: next free slot of each row's bucket (row_ptr[:-1] on entry)
    cols,  # OUT int32[n_increments]: context id of each raw increment, grouped by row
    codes,  # OUT uint16[n_increments]: distance (1..window) of each raw increment
):
    """Write the raw increments of the centres ``start:stop`` into row buckets.

    Within a row the increments keep corpus order, so the intermediate state
    is reproducible.
    """
    if stop <= start:
        return
    doc = np.searchsorted(offsets, start, side="right") - 1
    doc_start = offsets[doc]
    doc_stop = offsets[doc + 1]
    for pos in range(start, stop):
        while pos >= doc_stop:
            doc += 1
            doc_start = offsets[doc]
            doc_stop = offsets[doc + 1]
        centre = tokens[pos]
        lo = max(doc_start, pos - window)
        for q in range(lo, pos):
            context = tokens[q]
            dist = pos - q
            k = cursor[centre]
            cols[k] = context
            codes[k] = dist
            cursor[centre] = k + 1
            if symmetric:
                k = cursor[context]
                cols[k] = centre
                codes[k] = dist
                cursor[context] = k + 1


@jit
def reduce_buckets(
    row_ptr,  # IN int64[n_words + 1]: bucket of row r is [row_ptr[r], row_ptr[r + 1])
    cols,  # IN int32[n_increments]: column of each increment, grouped by row
    codes,  # IN uint16[n_increments]: distance of each increment
    weights,  # IN int64[window + 1]: fixed-point weight of each distance
    base,  # IN int: position of out_cols[0] in the arena (run ends are absolute)
    out_cols,  # OUT int32[>= n_unique]
    out_vals,  # OUT int64[>= n_unique]
    out_run_rows,  # OUT int32[>= n_runs]: row of each run
    out_run_ends,  # OUT int64[>= n_runs]: base + one past each run's last pair
):
    """Sum the duplicate increments of each row into one block of (column, value) pairs.

    Each row is reduced with a dense accumulator indexed by column (the sparse
    accumulator of sparse matrix products).  Rows come out in increasing
    order, one run each, columns within a row in first-seen order.

    Returns
    -------
    n_unique, n_runs : int
        Number of pairs and of runs written.
    """
    n_rows = row_ptr.shape[0] - 1
    acc = np.zeros(n_rows, dtype=np.int64)
    mark = np.full(n_rows, -1, dtype=np.int64)
    touched = np.empty(n_rows, dtype=np.int32)
    n_out = 0
    n_runs = 0
    for r in range(n_rows):
        n_touched = 0
        for e in range(row_ptr[r], row_ptr[r + 1]):
            c = cols[e]
            if mark[c] != r:
                mark[c] = r
                acc[c] = weights[codes[e]]
                touched[n_touched] = c
                n_touched += 1
            else:
                acc[c] += weights[codes[e]]
        if n_touched == 0:
            continue
        for t in range(n_touched):
            c = touched[t]
            out_cols[n_out] = c
            out_vals[n_out] = acc[c]
            n_out += 1
        out_run_rows[n_runs] = r
        out_run_ends[n_runs] = base + n_out
        n_runs += 1
    return n_out, n_runs


@jit
def _accumulate_row(
    r, cols, vals, run_rows, run_ends, block_starts, block_runs, run_cursor, acc, mark, touched
):
    """Sum row ``r`` of every block into ``acc``; return the number of columns touched."""
    n_touched = 0
    for b in range(block_starts.shape[0] - 1):
        k = run_cursor[b]
        if k >= block_runs[b + 1] or run_rows[k] != r:
            continue
        lo = block_starts[b] if k == block_runs[b] else run_ends[k - 1]
        for e in range(lo, run_ends[k]):
            c = cols[e]
            if mark[c] != r:
                mark[c] = r
                acc[c] = vals[e]
                touched[n_touched] = c
                n_touched += 1
            else:
                acc[c] += vals[e]
        run_cursor[b] = k + 1
    return n_touched


@jit
def merge_blocks(
    cols,  # IN int32[n]: concatenated blocks, each in increasing row order
    vals,  # IN int64[n]
    run_rows,  # IN int32[n_runs]: the blocks' runs, back to back
    run_ends,  # IN int64[n_runs]: one past each run's last pair (positions in cols)
    block_starts,  # IN int64[n_blocks + 1]: block b's pairs are [block_starts[b], [b + 1])
    block_runs,  # IN int64[n_blocks + 1]: block b's runs are [block_runs[b], [b + 1])
    n_words,  # IN int: number of rows (and columns)
    out_cols,  # OUT int32[>= n_unique]
    out_vals,  # OUT int64[>= n_unique]
    out_run_rows,  # OUT int32[>= n_rows present]
    out_run_ends,  # OUT int64[>= n_rows present]
):
    """Sum blocks into one block (a k-way merge, row by row).

    One run cursor per block advances over the current row; the row is summed
    in a dense accumulator.  ``out_*`` must not overlap the inputs: a row's
    output can overtake entries of later rows not yet read.

    Returns
    -------
    n_unique, n_runs : int
        Number of pairs and of runs written (positions from 0).
    """
    run_cursor = block_runs[:-1].copy()
    acc = np.zeros(n_words, dtype=np.int64)
    mark = np.full(n_words, -1, dtype=np.int64)
    touched = np.empty(n_words, dtype=np.int32)
    n_out = 0
    n_runs = 0
    for r in range(n_words):
        n_touched = _accumulate_row(
            r, cols, vals, run_rows, run_ends, block_starts, block_runs, run_cursor, acc, mark,
            touched,
        )  # fmt: skip
        if n_touched == 0:
            continue
        for t in range(n_touched):
            c = touched[t]
            out_cols[n_out] = c
            out_vals[n_out] = acc[c]
            n_out += 1
        out_run_rows[n_runs] = r
        out_run_ends[n_runs] = n_out
        n_runs += 1
    return n_out, n_runs


@jit(fastmath=False)  # exact division: no reciprocal rewrite
def finalize_rows(
    cols,  # IN int32[n]: concatenated blocks, each in increasing row order
    vals,  # IN int64[n]
    run_rows,  # IN int32[n_runs]
    run_ends,  # IN int64[n_runs]
    block_starts,  # IN int64[n_blocks + 1]
    block_runs,  # IN int64[n_blocks + 1]
    row_lo,  # IN int: first row of this call
    row_hi,  # IN int: one past its last row
    scale,  # IN float: divisor turning fixed-point sums into counts
    run_cursor,  # IN/OUT int64[n_blocks]: each block's next run (block_runs[:-1] at row 0)
    acc,  # SCRATCH int64[n_words]
    mark,  # SCRATCH int64[n_words]: -1 at row 0, kept between calls
    touched,  # SCRATCH int32[n_words]
    out_indptr,  # OUT int64[n_words + 1]: entries row_lo + 1 .. row_hi (out_indptr[0] = 0)
    out_indices,  # OUT int32[>= n_unique]
    out_data,  # OUT float32 or float64[>= n_unique]
    n_out,  # IN int: entries written by the calls before (out_indptr[row_lo])
):
    """Sum the blocks' rows ``row_lo..row_hi`` into CSR arrays with sorted columns.

    Called for consecutive row ranges from row 0 (``out_indptr[0] = 0`` set
    by the caller).  Each value is the int64 sum converted to float64 and
    divided by ``scale`` (correctly rounded whenever the sum is below 2**53).
    After a call, block ``b``'s pairs before its run ``run_cursor[b]`` are
    read for good, so the caller may release them.  Returns ``n_out`` after
    the call's rows.
    """
    n_words = acc.shape[0]
    for r in range(row_lo, row_hi):
        n_touched = _accumulate_row(
            r, cols, vals, run_rows, run_ends, block_starts, block_runs, run_cursor, acc, mark,
            touched,
        )  # fmt: skip
        if n_touched * 32 > n_words:
            # A dense row: scanning the marks is cheaper than sorting.
            for c in range(n_words):
                if mark[c] == r:
                    out_indices[n_out] = c
                    out_data[n_out] = acc[c] / scale
                    n_out += 1
        else:
            row_cols = touched[:n_touched]
            row_cols.sort()
            for t in range(n_touched):
                c = row_cols[t]
                out_indices[n_out] = c
                out_data[n_out] = acc[c] / scale
                n_out += 1
        out_indptr[r + 1] = n_out
    return n_out
