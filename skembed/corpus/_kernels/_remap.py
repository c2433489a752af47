"""Numba kernels that translate provisional token ids to final vocabulary ids.

The driver (:func:`skembed.corpus._encoding.remap`) checks the ids and offsets
first: these kernels index without bounds checks.
"""

from skembed.utils._jit import jit

__all__ = ["count_kept", "remap_kept"]


@jit
def count_kept(
    tokens,  # IN int32[n_tokens]: provisional ids in [0, len(mapping))
    mapping,  # IN int32[n_provisional]: final id of each provisional id, -1 dropped
):
    """Return the number of tokens whose id maps to a final id (not -1)."""
    kept = 0
    for i in range(tokens.shape[0]):
        if mapping[tokens[i]] >= 0:
            kept += 1
    return kept


@jit
def remap_kept(
    tokens,  # IN int32[n_tokens]: provisional ids in [0, len(mapping))
    offsets,  # IN int64[n_documents + 1]: non-decreasing, from 0 to n_tokens
    mapping,  # IN int32[n_provisional]: final id of each provisional id, -1 dropped
    out_tokens,  # OUT int32[count_kept(tokens, mapping)]: the kept tokens' final ids
    out_offsets,  # OUT int64[n_documents + 1]: the documents' bounds in out_tokens
):
    """Write the final ids of the kept tokens, document by document, in one pass."""
    n = 0
    out_offsets[0] = 0
    for d in range(offsets.shape[0] - 1):
        for i in range(offsets[d], offsets[d + 1]):
            new = mapping[tokens[i]]
            if new >= 0:
                out_tokens[n] = new
                n += 1
        out_offsets[d + 1] = n
