"""GloVe training kernels (Pennington, Socher and Manning, 2014).

The objective, summed over the non-zero co-occurrences ``x = X[i, j]``, is::

    J = sum 0.5 * f(x) * (W[i] . C[j] + bw[i] + bc[j] - log x) ** 2
    f(x) = min(1, (x / x_max) ** weighting_power)

and it is minimised by AdaGrad over the entries in a shuffled order, as in
Stanford GloVe's ``glove.c``:

- ``diff = W[i] . C[j] + bw[i] + bc[j] - log x`` and ``fdiff = f(x) * diff``;
  the reported loss is ``0.5 * fdiff * diff`` (Stanford's cost, with the 0.5);
- every gradient component (``fdiff * C[j, k]``, ``fdiff * W[i, k]`` and
  ``fdiff`` for both biases) is clipped to ``[-grad_clip, grad_clip]`` and
  multiplied by the learning rate ``lr``, giving a step ``s``;
- the parameter moves by ``s / sqrt(G)`` with the accumulator ``G`` *before*
  the update, then ``G += s ** 2``; ``G`` starts at 1 so that the first step
  is ``lr`` times the gradient.

Like Stanford, ``G`` accumulates the squared *scaled* gradient ``(lr * g)**2``
(so ``learning_rate=0.05`` behaves as Stanford's ``-eta 0.05``).  Unlike the
current Stanford code, the biases get the same learning rate and clipping as
the vectors (Stanford's 2014 release scaled them by ``eta`` too; a later
revision dropped it, see stanfordnlp/GloVe#209).

NaN guard: an entry whose ``diff`` or weighted ``diff`` is not finite (a
non-positive ``x``, or parameters already overflowed) is skipped and not
counted, and the vector step of an entry is skipped when any component is not
finite.  The kernels are compiled without the ``nnan``/``ninf`` fast-math
flags, which would let LLVM delete these checks.

Kernel call shape (see DESIGN.md): the entries are visited in the order
``order[chunk_starts[c]:chunk_starts[c + 1]]`` for chunk ``c`` with learning
rate ``learning_rates[c]`` (an empty ``order`` means storage order, positions
``chunk_starts[c]:chunk_starts[c + 1]``); each chunk writes its loss sum and entry count to
``loss_out[c]`` and ``count_out[c]``.  :func:`glove_chunks_serial` runs the
chunks in order (bit-reproducible); :func:`glove_chunks_parallel` runs them
on numba threads with lock-free (Hogwild) updates, which is not reproducible.
Both call the same body, :func:`_glove_chunk`.

Visiting entries through a random ``order`` costs three dependent cache
misses per entry (``rows[e]``, ``cols[e]``, ``values[e]``) before the
parameter rows can even be fetched; the estimator therefore shuffles the
entries once per fit and visits blocks of consecutive entries, each epoch in a
new block order (:func:`skembed.models._glove.glove_step`).
"""

from typing import NamedTuple

import numba
import numpy as np

from skembed.utils._jit import jit
from skembed.utils._random import float32_draws

__all__ = [
    "GloVeParams",
    "init_glove_params",
    "glove_chunks_serial",
    "glove_chunks_parallel",
    "gather",
]

# Re-association (vectorised float32 dot products) and FMA contraction, but no
# `nnan`/`ninf`/`afn`/`arcp`: those would delete the NaN guard or approximate
# sqrt/log/pow.
_FASTMATH = {"reassoc", "contract", "nsz"}
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@jit(fastmath=_FASTMATH)
def _clip(value, bound):
    # Comparisons rather than min/max, so that a NaN passes through to the check.
    if value > bound:
        return bound
    if value < -bound:
        return -bound
    return value


@jit(fastmath=_FASTMATH)
def _adagrad_update(param, gradsq, step, tmp):
    """``param -= step / sqrt(gradsq)``, then ``gradsq += step ** 2``, element-wise.

    The division goes through ufuncs with ``out=`` buffers: numba's default
    (Python) error model puts a zero-division check on every scalar ``/``,
    which keeps a hand-written loop from being vectorised (4x slower here).
    """
    np.sqrt(gradsq, tmp)
    np.divide(step, tmp, tmp)
    for d in range(param.shape[0]):
        param[d] -= tmp[d]
        gradsq[d] += step[d] * step[d]


@jit(fastmath=_FASTMATH)
def _touch_next(e, rows, cols, W, C, gradsq_W, gradsq_C, sink):
    """Load one float per cache line of entry ``e``'s rows (a software prefetch).

    Entries come in random order, so their rows are cache misses; issuing the
    next entry's loads now overlaps them with this entry's arithmetic (about
    30% faster epochs on a 50k-word vocabulary).  The sum is stored in
    ``sink`` so that the loads are not optimised away.
    """
    i = rows[e]
    j = cols[e]
    total = np.float32(0.0)
    for d in range(0, W.shape[1], 16):
        total += W[i, d] + C[j, d] + gradsq_W[i, d] + gradsq_C[j, d]
    sink[0] = total


@jit(fastmath=_FASTMATH)
def _glove_chunk(
    rows,  # IN int32[nnz]: row (word) of each co-occurrence entry
    cols,  # IN int32[nnz]: column (context word) of each entry
    values,  # IN float32 or float64[nnz]: co-occurrence counts, > 0
    order,  # IN int64[n_visits] or int64[0]: entry indices in visiting order; empty: storage order
    start,  # IN int: first position in `order` of this chunk
    stop,  # IN int: one past the last position
    lr,  # IN float: learning rate of this chunk
    W,  # IN/OUT float32[n_words, dim]: word vectors
    C,  # IN/OUT float32[n_words, dim]: context vectors
    bw,  # IN/OUT float32[n_words]: word biases
    bc,  # IN/OUT float32[n_words]: context biases
    gradsq_W,  # IN/OUT float32[n_words, dim]: AdaGrad accumulators of W
    gradsq_C,  # IN/OUT float32[n_words, dim]: AdaGrad accumulators of C
    gradsq_bw,  # IN/OUT float32[n_words]: AdaGrad accumulators of bw
    gradsq_bc,  # IN/OUT float32[n_words]: AdaGrad accumulators of bc
    x_max,  # IN float: weighting cutoff
    weighting_power,  # IN float: weighting exponent (the paper's alpha)
    grad_clip,  # IN float: bound on each gradient component
):
    """Run AdaGrad over the entries ``order[start:stop]``.

    Returns
    -------
    loss_sum : float
        Sum over the visited entries of ``0.5 * f(x) * diff ** 2``, each
        computed before its update.
    n_examples : int
        Number of entries visited (non-finite ones are skipped, not counted).
    """
    dim = W.shape[1]
    step_w = np.empty(dim, dtype=np.float32)
    step_c = np.empty(dim, dtype=np.float32)
    tmp = np.empty(dim, dtype=np.float32)
    lr32 = np.float32(lr)
    clip = np.float32(grad_clip)
    loss = 0.0
    n = 0
    in_storage_order = order.shape[0] == 0
    for k in range(start, stop):
        e = k if in_storage_order else order[k]
        i = rows[e]
        j = cols[e]
        x = np.float64(values[e])
        w = W[i]
        c = C[j]
        if k + 1 < stop:
            e_next = k + 1 if in_storage_order else order[k + 1]
            _touch_next(e_next, rows, cols, W, C, gradsq_W, gradsq_C, tmp)
        dot = np.float32(0.0)
        for d in range(dim):
            dot += w[d] * c[d]
        diff = np.float64(dot) + np.float64(bw[i]) + np.float64(bc[j]) - np.log(x)
        if x < x_max:
            fdiff = (x / x_max) ** weighting_power * diff
        else:
            fdiff = diff
        if not (np.isfinite(diff) and np.isfinite(fdiff)):
            continue
        loss += 0.5 * fdiff * diff
        n += 1

        # Steps (learning rate times clipped gradient), then a finiteness
        # check of their sum, then the updates: short loops over few arrays
        # each, which LLVM vectorises.
        # Finite here; kept finite in float32 too (an inf times a zero
        # component would be NaN), the clipping does the rest.
        g = np.float32(min(max(fdiff, -_FLOAT32_MAX), _FLOAT32_MAX))
        total = np.float32(0.0)
        for d in range(dim):
            sw = _clip(g * c[d], clip) * lr32
            sc = _clip(g * w[d], clip) * lr32
            step_w[d] = sw
            step_c[d] = sc
            total += sw + sc
        if np.isfinite(total):
            _adagrad_update(w, gradsq_W[i], step_w, tmp)
            _adagrad_update(c, gradsq_C[j], step_c, tmp)

        sb = _clip(g, clip) * lr32
        bw[i] -= sb / np.sqrt(gradsq_bw[i])
        bc[j] -= sb / np.sqrt(gradsq_bc[j])
        gradsq_bw[i] += sb * sb
        gradsq_bc[j] += sb * sb
    return loss, n


@jit(fastmath=_FASTMATH)
def glove_chunks_serial(
    rows,  # IN int32[nnz]
    cols,  # IN int32[nnz]
    values,  # IN float32 or float64[nnz]
    order,  # IN int64[n_visits] or int64[0]: visiting order; empty: storage order
    chunk_starts,  # IN int64[n_chunks + 1]: chunk c is order[chunk_starts[c]:chunk_starts[c + 1]]
    learning_rates,  # IN float64[n_chunks]: learning rate of each chunk
    W,  # IN/OUT float32[n_words, dim]
    C,  # IN/OUT float32[n_words, dim]
    bw,  # IN/OUT float32[n_words]
    bc,  # IN/OUT float32[n_words]
    gradsq_W,  # IN/OUT float32[n_words, dim]
    gradsq_C,  # IN/OUT float32[n_words, dim]
    gradsq_bw,  # IN/OUT float32[n_words]
    gradsq_bc,  # IN/OUT float32[n_words]
    x_max,  # IN float
    weighting_power,  # IN float
    grad_clip,  # IN float
    loss_out,  # OUT float64[n_chunks]: loss sum of each chunk
    count_out,  # OUT int64[n_chunks]: entries visited in each chunk
):
    """Train on the chunks one after the other (bit-reproducible)."""
    for c in range(chunk_starts.shape[0] - 1):
        loss, n = _glove_chunk(
            rows,
            cols,
            values,
            order,
            chunk_starts[c],
            chunk_starts[c + 1],
            learning_rates[c],
            W,
            C,
            bw,
            bc,
            gradsq_W,
            gradsq_C,
            gradsq_bw,
            gradsq_bc,
            x_max,
            weighting_power,
            grad_clip,
        )
        loss_out[c] = loss
        count_out[c] = n


@jit(parallel=True, fastmath=_FASTMATH)
def glove_chunks_parallel(
    rows,  # IN int32[nnz]
    cols,  # IN int32[nnz]
    values,  # IN float32 or float64[nnz]
    order,  # IN int64[n_visits] or int64[0]
    chunk_starts,  # IN int64[n_chunks + 1]
    learning_rates,  # IN float64[n_chunks]
    W,  # IN/OUT float32[n_words, dim]
    C,  # IN/OUT float32[n_words, dim]
    bw,  # IN/OUT float32[n_words]
    bc,  # IN/OUT float32[n_words]
    gradsq_W,  # IN/OUT float32[n_words, dim]
    gradsq_C,  # IN/OUT float32[n_words, dim]
    gradsq_bw,  # IN/OUT float32[n_words]
    gradsq_bc,  # IN/OUT float32[n_words]
    x_max,  # IN float
    weighting_power,  # IN float
    grad_clip,  # IN float
    loss_out,  # OUT float64[n_chunks]
    count_out,  # OUT int64[n_chunks]
):
    """Train on the chunks in parallel threads, lock-free (Hogwild; not reproducible)."""
    for c in numba.prange(chunk_starts.shape[0] - 1):
        loss, n = _glove_chunk(
            rows,
            cols,
            values,
            order,
            chunk_starts[c],
            chunk_starts[c + 1],
            learning_rates[c],
            W,
            C,
            bw,
            bc,
            gradsq_W,
            gradsq_C,
            gradsq_bw,
            gradsq_bc,
            x_max,
            weighting_power,
            grad_clip,
        )
        loss_out[c] = loss
        count_out[c] = n


class GloVeParams(NamedTuple):
    """GloVe's trainable arrays and their AdaGrad accumulators (all float32, C-contiguous).

    Attributes
    ----------
    W : ndarray of shape (n_words, vector_size)
        Word vectors.
    C : ndarray of shape (n_words, vector_size)
        Context vectors (Stanford's output is ``W + C``).
    bw : ndarray of shape (n_words,)
        Word biases.
    bc : ndarray of shape (n_words,)
        Context biases.
    gradsq_W, gradsq_C, gradsq_bw, gradsq_bc : ndarray
        AdaGrad accumulators, shaped like the parameter of the same suffix.
    """

    W: np.ndarray
    C: np.ndarray
    bw: np.ndarray
    bc: np.ndarray
    gradsq_W: np.ndarray
    gradsq_C: np.ndarray
    gradsq_bw: np.ndarray
    gradsq_bc: np.ndarray


def init_glove_params(n_words, vector_size, seed):
    """Draw initial GloVe parameters as Stanford GloVe does.

    Vectors and biases are uniform on ``[-0.5, 0.5) / vector_size``; the
    AdaGrad accumulators are 1.0, so the first step of every parameter is the
    learning rate times its (clipped) gradient.

    Parameters
    ----------
    n_words : int
        Vocabulary size.
    vector_size : int
        Dimension of the vectors.
    seed : int or numpy.random.Generator
        Seed of the generator drawing, in this order, ``W``, ``C``, ``bw``
        and ``bc``.

    Returns
    -------
    params : GloVeParams
        Fresh float32 arrays.
    """
    return fill_glove_params(empty_glove_params(n_words, vector_size), seed)


def empty_glove_params(n_words, vector_size):
    """GloVe parameters of the right shapes, all zero, for :func:`fill_glove_params`.

    ``np.zeros`` maps pages the system provides on first write, so until they
    are filled these arrays take (almost) no memory: a fit allocates them with
    its vocabulary and fills them only when training starts, after the
    co-occurrence counting that is its peak.
    """
    matrix, vector = (n_words, vector_size), n_words
    return GloVeParams(
        *(np.zeros(shape, dtype=np.float32) for shape in (matrix, matrix, vector, vector)),
        *(np.zeros(shape, dtype=np.float32) for shape in (matrix, matrix, vector, vector)),
    )


def fill_glove_params(params, seed):
    """Write :func:`init_glove_params`'s values into ``params`` (in place); return it."""
    rng = np.random.default_rng(seed)
    vector_size = params.W.shape[1]

    def transform(x):
        return (x - 0.5) / vector_size

    for array in params[:4]:  # W, C, bw, bc: drawn in this order
        float32_draws(rng.random, array.shape, transform, out=array)
    for array in params[4:]:  # the AdaGrad accumulators
        array.fill(1.0)
    return params


@jit
def gather(
    source,  # IN [n]
    order,  # IN int32 or int64[m]: indices in [0, n), checked by the caller
    out,  # OUT [m], source's dtype
):
    """``out[k] = source[order[k]]``: ``np.take`` without its int64 copy of int32 ``order``."""
    for k in range(order.shape[0]):
        out[k] = source[order[k]]
