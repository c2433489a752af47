"""Precomputed sigmoid and log-sigmoid tables, as word2vec's C tool uses.

Inputs beyond +-MAX_EXP saturate: sigmoid to 0 or 1 (so the gradient step is
``label - 0`` or ``label - 1``, exactly word2vec's rule); log-sigmoid to 0 or
to the input itself, its asymptote.  Tables are sampled at bin centres.
"""

import numpy as np

from skembed.utils._jit import jit

MAX_EXP = 6.0
TABLE_SIZE = 1000
_SCALE = TABLE_SIZE / (2.0 * MAX_EXP)


def make_tables():
    """Return ``(sigmoid_table, log_sigmoid_table)``, float32 arrays of TABLE_SIZE."""
    centres = (np.arange(TABLE_SIZE) + 0.5) / _SCALE - MAX_EXP
    sig = 1.0 / (1.0 + np.exp(-centres))
    return sig.astype(np.float32), np.log(sig).astype(np.float32)


@jit
def table_index(f):
    """Return the table bin of ``f``, always in ``[0, TABLE_SIZE)``.

    Callers handle ``|f| >= MAX_EXP`` first; a NaN passes those comparisons
    (and fastmath may drop any NaN test), so the bin is clamped in integer
    space, where no float flag applies: a NaN can then give a wrong value but
    never a read outside the table.  The driver detects the NaN afterwards.
    """
    i = int((f + MAX_EXP) * _SCALE)
    if i < 0:
        return 0
    if i >= TABLE_SIZE:
        return TABLE_SIZE - 1
    return i


@jit
def sigmoid_lookup(f, sig_table):
    """Return sigmoid(f) from the table, saturated beyond +-MAX_EXP."""
    if f >= MAX_EXP:
        return np.float32(1.0)
    if f <= -MAX_EXP:
        return np.float32(0.0)
    return sig_table[table_index(f)]


@jit
def log_sigmoid_lookup(f, log_sig_table):
    """Return log(sigmoid(f)) from the table, asymptotic beyond +-MAX_EXP."""
    if f >= MAX_EXP:
        return 0.0
    if f <= -MAX_EXP:
        return np.float64(f)
    return np.float64(log_sig_table[table_index(f)])
