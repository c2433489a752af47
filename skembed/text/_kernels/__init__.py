"""numba kernels of the text layer (subword id tables)."""
