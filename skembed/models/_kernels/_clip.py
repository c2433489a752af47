"""Clipped vector updates: ``matrix[row] += g * vec`` with optional bounds."""

import numpy as np

from skembed.utils._jit import jit


@jit
def add_scaled(
    matrix,  # IN/OUT float32[n_rows, dim]
    row,  # IN     int
    g,  # IN     float: scale of the update
    vec,  # IN     float32[dim]
    clip_value,  # IN     float or None: bound on each component of the update
    clip_norm,  # IN     float or None: bound on the update's L2 norm
):
    """Add ``g * vec`` to ``matrix[row]``, bounded by ``clip_norm`` and ``clip_value``.

    None disables a bound; numba compiles a version per combination, so the
    unused branches cost nothing.
    """
    dim = vec.shape[0]
    g = np.float32(g)
    if clip_norm is not None:
        sq = np.float32(0.0)
        for k in range(dim):
            sq += vec[k] * vec[k]
        norm = np.sqrt(sq) * abs(g)
        if norm > clip_norm:
            g = g * np.float32(clip_norm / norm)
    if clip_value is not None:
        bound = np.float32(clip_value)
        for k in range(dim):
            step = g * vec[k]
            matrix[row, k] += min(max(step, -bound), bound)
    else:
        for k in range(dim):
            matrix[row, k] += g * vec[k]
