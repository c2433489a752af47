"""numba kernels of the vector-file readers."""
