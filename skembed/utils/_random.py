"""Small counter-free RNG for kernels, and the O(V) alias noise sampler.

Every chunk of work gets its own 64-bit state (a 1-element uint64 array,
mutated in place), derived by the driver from ``random_state``; numba ignores
``np.random.seed``, and per-chunk states make the serial kernel reproducible
whatever the scheduling.  The generator is xorshift64* (Vigna 2016): three
shifts and a multiply, good high bits.
"""

import numpy as np

from skembed.utils._jit import jit

_MULT = np.uint64(2685821657736338717)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@jit
def next_u64(state):
    """Advance ``state`` (uint64[1]) and return a uniform 64-bit integer."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * _MULT


@jit
def uniform(state):
    """Return a float64 uniform on [0, 1) (53 random bits)."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@jit
def randbelow(state, n):
    """Return an integer uniform on [0, n) for 0 < n < 2**32 (Lemire's multiply-shift)."""
    return np.int64(((next_u64(state) >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


@jit
def sample_alias(state, alias_prob, alias_index):
    """Draw one index from a Vose alias table with a single 64-bit draw.

    The high 32 bits pick a column, the low 32 bits flip its biased coin.
    """
    x = next_u64(state)
    col = np.int64(((x >> np.uint64(32)) * np.uint64(alias_prob.shape[0])) >> np.uint64(32))
    coin = np.float64(x & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0)
    if coin < alias_prob[col]:
        return col
    return np.int64(alias_index[col])


@jit
def build_alias(weights, alias_prob, alias_index):
    """Fill a Vose alias table for ``weights`` (float64, non-negative, positive sum).

    Parameters
    ----------
    weights : ndarray of shape (n,), float64          # IN
    alias_prob : ndarray of shape (n,), float64       # OUT: keep-probability of each column
    alias_index : ndarray of shape (n,), int32        # OUT: the other index of each column
    """
    n = weights.shape[0]
    total = weights.sum()
    scaled = weights * (n / total)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    n_small = 0
    n_large = 0
    for i in range(n):
        alias_index[i] = i
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        g = large[n_large - 1]
        alias_prob[s] = scaled[s]
        alias_index[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            n_large -= 1
            small[n_small] = g
            n_small += 1
    for k in range(n_large):
        alias_prob[large[k]] = 1.0
    for k in range(n_small):  # numerical leftovers
        alias_prob[small[k]] = 1.0


def seed_states(seed, n):
    """Return ``n`` independent non-zero xorshift states derived from ``seed`` (splitmix64)."""
    with np.errstate(over="ignore"):
        z = (np.uint64(seed) + _GOLDEN * np.arange(1, n + 1, dtype=np.uint64)).astype(np.uint64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    z[z == 0] = _GOLDEN
    return z


def float32_draws(draw, shape, transform, block=1 << 20, out=None):
    """Return a float32 array of ``shape`` filled from float64 draws, block by block.

    ``draw(k)`` returns the next ``k`` float64 values of a NumPy generator
    (``RandomState.random_sample``, ``Generator.random``) and ``transform``
    maps a float64 block to its values (in place or not).  The values, and
    the generator's state afterwards, are those of one ``draw`` of the whole
    shape followed by ``transform`` and ``astype(np.float32)``, because both
    generators draw their doubles in sequence; only a ``block`` of float64 is
    held at a time (a float64 matrix is twice the float32 result).  ``out``
    (C-contiguous float32 of ``shape``) receives the values instead of a new
    array.
    """
    if out is None:
        out = np.empty(shape, dtype=np.float32)
    flat = out.reshape(-1)
    for lo in range(0, flat.size, block):
        hi = min(flat.size, lo + block)
        flat[lo:hi] = transform(draw(hi - lo))
    return out
