"""numba kernels of the corpus layer (co-occurrence counting)."""
