"""Count GloVe's word-word co-occurrence matrix from an encoded corpus.

Driver level: plain Python over arrays, the loops live in
:mod:`skembed.corpus._kernels._cooccur`.
"""

import math

import numpy as np
import scipy.sparse as sp

__all__ = ["count_cooccurrences"]

# A piece's raw increments cost 6 bytes each (int32 column + uint16 distance)
# and its block at most 12 more (plus 12 a row): without a memory bound, pieces of this many
# increments (about 100 MB of raw buffers) keep the per-piece overhead,
# O(n_words), negligible.
_DEFAULT_PIECE_INCREMENTS = 1 << 24
_MIN_PIECE_INCREMENTS = 1 << 12
_PIECE_BYTES_PER_INCREMENT = 6 + 12
_BLOCK_ENTRY_BYTES = 12  # int32 column + int64 value
_RUN_BYTES = 12  # int32 row + int64 end of a run of one row's pairs
_INT64_LIMIT = (1 << 63) - 1
_MAX_WINDOW = np.iinfo(np.uint16).max


def _fixed_point_weights(window, distance_weighting, n_visits):
    """Return the int64 weight of each distance and the scale that turns sums into counts.

    With distance weighting, ``scale = lcm(1, ..., window)`` makes every
    ``scale / d`` an integer, so the counts are exact rationals.  If such a
    scale could overflow an int64 sum (very wide windows on very large
    corpora), the largest safe power of two is used instead and ``scale / d``
    is rounded to the nearest integer (relative error below ``window /
    (2 * scale)``, about 1e-4 for a window of 60 over 10**12 visits).

    Parameters
    ----------
    window : int
        Largest distance.
    distance_weighting : bool
        Weight distance ``d`` by ``1 / d`` (else 1).
    n_visits : int
        Number of centre visits: ``n_tokens``, twice that when symmetric.  One
        visit adds at most one weight per distance to any entry.

    Returns
    -------
    weights : ndarray of shape (window + 1,), dtype int64
        ``weights[d]`` for ``d`` in ``1..window``; ``weights[0]`` is unused (0).
    scale : float
        Counts are ``sum_of_weights / scale``.
    """
    weights = np.zeros(window + 1, dtype=np.int64)
    if not distance_weighting:
        weights[1:] = 1
        return weights, 1.0
    distances = np.arange(1, window + 1)
    # Largest possible count of one entry (a 2x margin is added below).
    bound = max(1, n_visits) * float(np.sum(1.0 / distances))
    # lcm(1..window) passes 2**63 at window 43 and a float at window 709: grow it only
    # while it stays exact (Python compares an int with a float exactly).
    limit = _INT64_LIMIT / (2 * bound)
    scale = 1
    for d in range(2, window + 1):
        scale = math.lcm(scale, d)
        if scale >= limit:
            break
    else:
        weights[1:] = scale // distances
        return weights, float(scale)
    scale = 2 ** max(0, math.floor(math.log2(_INT64_LIMIT / (2 * bound))))
    weights[1:] = np.rint(scale / distances)
    return weights, float(scale)


class _BlockArena:
    """Blocks of unique (column, value) pairs, rows run-length coded, back to back.

    ``cols``/``vals`` hold the pairs, ``run_rows``/``run_ends`` the runs (see
    :mod:`skembed.corpus._kernels._cooccur`); ``starts`` and ``run_starts``
    give where each block's pairs and runs begin.
    """

    def __init__(self, capacity, run_capacity):
        self.cols = np.empty(capacity, dtype=np.int32)
        self.vals = np.empty(capacity, dtype=np.int64)
        self.run_rows = np.empty(run_capacity, dtype=np.int32)
        self.run_ends = np.empty(run_capacity, dtype=np.int64)
        self.starts = [0]
        self.run_starts = [0]

    @property
    def size(self):
        return self.starts[-1]

    @property
    def n_runs(self):
        return self.run_starts[-1]

    @property
    def n_blocks(self):
        return len(self.starts) - 1

    @property
    def nbytes(self):
        return self.size * _BLOCK_ENTRY_BYTES + self.n_runs * _RUN_BYTES

    @staticmethod
    def _grown(arrays, used, need):
        if need <= arrays[0].shape[0]:
            return arrays
        capacity = max(need, 2 * arrays[0].shape[0])
        grown = []
        for old in arrays:
            new = np.empty(capacity, dtype=old.dtype)
            new[:used] = old[:used]
            grown.append(new)
        return grown

    def reserve(self, n, runs):
        """Make room for ``n`` more pairs and ``runs`` more runs."""
        self.cols, self.vals = self._grown((self.cols, self.vals), self.size, self.size + n)
        self.run_rows, self.run_ends = self._grown(
            (self.run_rows, self.run_ends), self.n_runs, self.n_runs + runs
        )

    def add_block(self, n_unique, n_runs):
        self.starts.append(self.size + n_unique)
        self.run_starts.append(self.n_runs + n_runs)

    def block_starts(self):
        return np.asarray(self.starts, dtype=np.int64)

    def block_runs(self):
        return np.asarray(self.run_starts, dtype=np.int64)

    def inputs(self):
        """The arrays of the blocks held, as the merging kernels take them."""
        n, m = self.size, self.n_runs
        return (self.cols[:n], self.vals[:n], self.run_rows[:m], self.run_ends[:m],
                self.block_starts(), self.block_runs())  # fmt: skip

    def merge(self, n_words, spare, spare_runs):
        """Sum all blocks into one, leaving room for ``spare`` pairs and ``spare_runs`` runs."""
        from skembed.corpus._kernels._cooccur import merge_blocks

        if self.n_blocks <= 1:
            return
        merged = _BlockArena(self.size + spare, min(self.n_runs, n_words) + spare_runs)
        n_unique, n_runs = merge_blocks(
            *self.inputs(), n_words, merged.cols, merged.vals, merged.run_rows, merged.run_ends
        )
        self.cols, self.vals = merged.cols, merged.vals
        self.run_rows, self.run_ends = merged.run_rows, merged.run_ends
        self.starts, self.run_starts = [0, n_unique], [0, n_runs]


# Row ranges the final merge is cut into: after each, the blocks' pairs it read are
# released, so the matrix grows in the memory the blocks leave (see _to_csr)
_FINAL_ROUNDS = 32


def _row_rounds(arena, n_words, rounds=_FINAL_ROUNDS):
    """Row boundaries cutting the blocks' pairs into about ``rounds`` equal parts."""
    cols, vals, run_rows, run_ends, starts, runs = arena.inputs()
    if run_rows.shape[0] == 0 or n_words == 0:
        return np.array([0, n_words], dtype=np.int64)
    first = np.empty_like(run_ends)  # where each run starts: the previous run's end...
    first[1:] = run_ends[:-1]
    heads = runs[:-1][runs[:-1] < runs[1:]]  # ...or, for a block's first run, the block's start
    first[heads] = starts[:-1][runs[:-1] < runs[1:]]
    per_row = np.bincount(run_rows, weights=run_ends - first, minlength=n_words)
    cumulative = np.cumsum(per_row)
    targets = cumulative[-1] * np.arange(1, rounds) / rounds
    cuts = np.searchsorted(cumulative, targets, side="left") + 1
    return np.unique(np.concatenate([[0], cuts, [n_words]]).clip(0, n_words)).astype(np.int64)


def _to_csr(arena, n_words, scale, dtype):
    """Sum the blocks into a canonical CSR matrix, releasing the blocks as they are read.

    The merge runs over row ranges of about equal numbers of pairs; after each
    range, the pages of every block's pairs read so far are given back
    (:func:`~skembed.utils._memory.release_range`, Linux), so the peak is about
    the blocks' size, not the blocks' plus the matrix's.
    """
    from skembed.corpus._kernels._cooccur import finalize_rows
    from skembed.utils._memory import release_range

    n = arena.size
    indptr = np.empty(n_words + 1, dtype=np.int64)
    # pages past the nnz written are never touched, so sizing for every pair costs no memory
    indices = np.empty(n, dtype=np.int32)
    data = np.empty(n, dtype=dtype)
    bounds = _row_rounds(arena, n_words)
    cols, vals, run_rows, run_ends, starts, runs = arena.inputs()
    arena.cols = arena.vals = arena.run_rows = arena.run_ends = None  # ours to release now
    run_cursor = runs[:-1].copy()
    acc = np.zeros(n_words, dtype=np.int64)
    mark = np.full(n_words, -1, dtype=np.int64)
    touched = np.empty(n_words, dtype=np.int32)
    released = starts[:-1].copy()  # each block's pairs given back so far
    indptr[0] = 0
    nnz = 0
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        nnz = finalize_rows(
            cols, vals, run_rows, run_ends, starts, runs, int(lo), int(hi), scale, run_cursor,
            acc, mark, touched, indptr, indices, data, nnz,
        )  # fmt: skip
        for b in range(len(released)):
            k = run_cursor[b]
            read = starts[b] if k == runs[b] else run_ends[k - 1]
            if read > released[b]:
                release_range(cols, released[b], read)
                release_range(vals, released[b], read)
                released[b] = read
    del cols, vals, run_rows, run_ends  # release the blocks
    if nnz < n:
        indices = indices[:nnz].copy()
        data = data[:nnz].copy()
    if nnz <= np.iinfo(np.int32).max:
        indptr = indptr.astype(np.int32)
    else:
        indices = indices.astype(np.int64)
    X = sp.csr_matrix((data, indices, indptr), shape=(n_words, n_words), copy=False)
    X.has_canonical_format = True  # sorted, no duplicates (also sets has_sorted_indices)
    return X


def count_cooccurrences(
    tokens,
    offsets,
    n_words,
    *,
    window=10,
    symmetric=True,
    distance_weighting=True,
    max_memory=None,
    dtype=np.float64,
):
    """Count weighted word-word co-occurrences within a left context window.

    For every token (the centre) and every token at most ``window`` positions
    to its left in the same document (the context, at distance ``d``),
    ``weight = 1 / d`` (or 1 without distance weighting) is added to
    ``X[centre, context]`` and, when ``symmetric``, to ``X[context, centre]``
    too, which accounts for the right context.  This is Stanford GloVe's
    ``cooccur`` (``-window-size``, ``-symmetric``, ``-distance-weighting``);
    in the asymmetric case Stanford stores the transpose (left word first).
    A token co-occurring with its own word id contributes to the diagonal
    (twice when ``symmetric``).

    Parameters
    ----------
    tokens : ndarray of shape (n_tokens,), dtype int32
        Word ids in ``[0, n_words)`` with out-of-vocabulary tokens removed.
    offsets : ndarray of shape (n_documents + 1,), dtype int64
        Document ``d`` is ``tokens[offsets[d]:offsets[d + 1]]``; windows
        never cross a document boundary.  ``offsets[0] == 0`` and
        ``offsets[-1] == n_tokens``.
    n_words : int
        Vocabulary size; the matrix is ``(n_words, n_words)``.
    window : int, default=10
        Number of context positions to the left of each centre.
    symmetric : bool, default=True
        Also count the right context (mirror every increment).
    distance_weighting : bool, default=True
        Weight a context at distance ``d`` by ``1 / d`` instead of 1.
    max_memory : int, default=None
        Soft bound, in bytes, on the partial counts held while counting.  The
        corpus is processed in pieces; each piece becomes a block of unique
        12-byte (column, value) pairs (and 12 bytes per row present), and
        when the blocks held exceed ``max_memory`` they are merged into one.
        Merging transiently needs about twice the held bytes.  When the
        merged counts alone exceed half the bound (it is smaller than the
        result), the next merge waits until they have doubled.  None counts
        in large pieces and merges once at the end.  The result does not
        depend on it.
    dtype : {np.float64, np.float32}, default=np.float64
        Dtype of the returned values.  Counting is always exact (int64 fixed
        point); float32 halves the memory of the result for training.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_words, n_words)
        Co-occurrence counts, without explicit zeros, duplicates summed and
        column indices sorted within each row.
    """
    from skembed.corpus._kernels._cooccur import piece_fill, piece_row_counts, reduce_buckets

    tokens = np.ascontiguousarray(tokens, dtype=np.int32)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    n_words = int(n_words)
    window = int(window)
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}.")
    if window > _MAX_WINDOW:
        raise ValueError(f"window must be <= {_MAX_WINDOW}, got {window}.")
    if n_words < 0:
        raise ValueError(f"n_words must be >= 0, got {n_words}.")
    if offsets.ndim != 1 or offsets.shape[0] < 1:
        raise ValueError("offsets must be a 1-d array of length n_documents + 1.")
    n_tokens = tokens.shape[0]
    if offsets[0] != 0 or offsets[-1] != n_tokens or np.any(np.diff(offsets) < 0):
        raise ValueError("offsets must start at 0, end at len(tokens) and be non-decreasing.")
    if n_tokens and (tokens.min() < 0 or tokens.max() >= n_words):
        raise ValueError("tokens must be word ids in [0, n_words).")
    symmetric = bool(symmetric)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}.")

    if max_memory is not None and not max_memory > 0:
        raise ValueError(f"max_memory must be a positive number of bytes, got {max_memory}.")

    factor = 2 if symmetric else 1
    weights, scale = _fixed_point_weights(window, distance_weighting, n_tokens * factor)
    if max_memory is None:
        piece_increments = _DEFAULT_PIECE_INCREMENTS
    else:
        # One piece's transient buffers use at most a quarter of the budget.
        piece_increments = int(max_memory) // (4 * _PIECE_BYTES_PER_INCREMENT)
        piece_increments = min(
            max(piece_increments, _MIN_PIECE_INCREMENTS), _DEFAULT_PIECE_INCREMENTS
        )
    piece_tokens = max(1, piece_increments // (window * factor))
    piece_increments = piece_tokens * window * factor  # exact upper bound of a piece

    total_increments = n_tokens * window * factor  # upper bound
    n_pieces = -(-n_tokens // piece_tokens) if n_tokens else 0
    arena = _BlockArena(min(piece_increments, total_increments), min(piece_increments, n_words))
    merge_at = max_memory
    row_counts = np.zeros(n_words, dtype=np.int64)
    row_ptr = np.zeros(n_words + 1, dtype=np.int64)
    raw_cols = np.empty(0, dtype=np.int32)
    raw_codes = np.empty(0, dtype=np.uint16)
    for piece, start in enumerate(range(0, n_tokens, piece_tokens)):
        stop = min(n_tokens, start + piece_tokens)
        row_counts[:] = 0
        n = piece_row_counts(tokens, offsets, start, stop, window, symmetric, row_counts)
        if n == 0:
            continue
        if raw_cols.shape[0] < n:  # allocated once, at the first non-empty piece
            raw_cols = np.empty(piece_increments, dtype=np.int32)
            raw_codes = np.empty(piece_increments, dtype=np.uint16)
        np.cumsum(row_counts, out=row_ptr[1:])
        cursor = row_ptr[:-1].copy()
        piece_fill(tokens, offsets, start, stop, window, symmetric, cursor, raw_cols, raw_codes)
        rows_present = min(n, n_words)  # at most one run a row
        if arena.n_blocks == 1 and max_memory is None:
            # Pieces have similar numbers of unique pairs: reserve for all of
            # them at once rather than growing (and copying) step by step.
            left = n_pieces - piece
            pairs = min(total_increments, (arena.size * 9 // 8) * left + n)
            runs = min(n_words * left, (arena.n_runs * 9 // 8) * left) + rows_present
            arena.reserve(pairs, runs)
        arena.reserve(n, rows_present)
        at, run_at = arena.size, arena.n_runs
        n_unique, n_runs = reduce_buckets(
            row_ptr, raw_cols[:n], raw_codes[:n], weights, at, arena.cols[at:],
            arena.vals[at:], arena.run_rows[run_at:], arena.run_ends[run_at:],
        )  # fmt: skip
        arena.add_block(n_unique, n_runs)
        if max_memory is not None and arena.nbytes > merge_at and arena.n_blocks > 1:
            arena.merge(n_words, spare=piece_increments, spare_runs=min(piece_increments, n_words))
            # A bound below the size of the merged counts cannot be met; merge
            # again only when they have doubled, which keeps the work linear.
            merge_at = max(max_memory, 2 * arena.nbytes)
    del raw_cols, raw_codes
    return _to_csr(arena, n_words, scale, dtype)
