"""The one decorator that owns skembed's numba compilation policy.

Kernels are compiled lazily (first call), with ``fastmath`` so that float32
reductions vectorise, and cached on disk so that a second process does not pay
compilation again.  When no writable cache location exists (a read-only
site-packages and no writable home), caching is switched off instead of failing.
"""

import numba

__all__ = ["jit"]


def jit(func=None, *, parallel=False, fastmath=True, cache=True, inline="never"):
    """Compile ``func`` in nopython mode with skembed's cache policy.

    Parameters
    ----------
    func : callable, default=None
        Function to compile.  When None, return a decorator.
    parallel : bool, default=False
        Build the ``prange`` (multi-threaded) variant.
    fastmath : bool, default=True
        Allow re-association of float reductions (vectorised dot products).
    cache : bool, default=True
        Cache the machine code on disk when a writable location exists.
    inline : {"never", "always"}, default="never"
        ``"always"`` inlines a small helper into its callers at numba's IR
        level (a call that LLVM would not inline costs several times the
        helper's work in a hot loop).
    """
    if func is None:
        return lambda f: jit(f, parallel=parallel, fastmath=fastmath, cache=cache, inline=inline)
    options = dict(nogil=True, parallel=parallel, fastmath=fastmath, inline=inline)
    if cache:
        try:
            return numba.njit(cache=True, **options)(func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            pass
    return numba.njit(**options)(func)
