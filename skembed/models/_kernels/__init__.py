"""Numba kernels: arrays and scalars in, buffers mutated in place.

Nothing here knows about estimators, strings or Python objects.  Modules are
imported lazily by the drivers so that ``import skembed`` never compiles.
"""
