"""Each kernel's serial variant (run for n_jobs None or 1) equals its parallel one.

The serial variants exist so that one thread never starts numba's thread pool
(tests/test_fork.py); both must compute the same numbers.
"""

import numba
import numpy as np
import pytest

from skembed.corpus._sampling import noise_table
from skembed.models._kernels import _fasttext
from skembed.models._kernels._pooling import (
    MAX,
    MEAN,
    SUM,
    WEIGHTED_MEAN,
    pool_documents,
    pool_documents_parallel,
)
from skembed.models._kernels._score import sgns_log_likelihood, sgns_log_likelihood_parallel
from skembed.utils._random import seed_states
from skembed.utils._threads import numba_threads

THREADS = min(2, numba.config.NUMBA_NUM_THREADS)
RNG = np.random.default_rng(3)
N_WORDS, DIM = 9, 5
TOKENS = RNG.integers(0, N_WORDS, size=200).astype(np.int32)
OFFSETS = np.array([0, 4, 4, 60, 61, 130, 200], dtype=np.int64)
VECTORS = RNG.normal(size=(N_WORDS, DIM)).astype(np.float32)


@pytest.mark.parametrize("mode", [MEAN, SUM, MAX, WEIGHTED_MEAN])
def test_pooling(mode):
    weights = RNG.random(N_WORDS).astype(np.float32)
    serial = np.zeros((len(OFFSETS) - 1, DIM), np.float32)
    parallel = serial.copy()
    pool_documents(VECTORS, TOKENS, OFFSETS, weights, mode, serial)
    with numba_threads(THREADS):
        pool_documents_parallel(VECTORS, TOKENS, OFFSETS, weights, mode, parallel)
    np.testing.assert_array_equal(serial, parallel)
    assert np.any(serial != 0)


def test_score():
    tokens = TOKENS.copy()
    tokens[::7] = -1
    syn1 = RNG.normal(size=(N_WORDS, DIM)).astype(np.float32)
    prob, index = noise_table(np.arange(1, N_WORDS + 1), 0.75)
    n_docs = len(OFFSETS) - 1
    outs = []
    for kernel in (sgns_log_likelihood, sgns_log_likelihood_parallel):
        ll, pairs = np.zeros(n_docs), np.zeros(n_docs, np.int64)
        with numba_threads(THREADS):
            kernel(tokens, OFFSETS, VECTORS, syn1, prob, index, 3, 4,
                   seed_states(1, n_docs), -5.0, ll, pairs)  # fmt: skip
        outs.append((ll, pairs))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])
    assert outs[0][1].sum() > 0


def test_init_untouched():
    touched = RNG.random(50) < 0.3
    serial = np.full((53, DIM), 7.0, np.float32)
    parallel = serial.copy()
    _fasttext.init_untouched(serial, 3, touched, 100, 9, 0.5)
    with numba_threads(THREADS):
        _fasttext.init_untouched_parallel(parallel, 3, touched, 100, 9, 0.5)
    np.testing.assert_array_equal(serial, parallel)
    assert np.all(serial[3:][touched] == 7.0) and np.all(serial[3:][~touched] != 7.0)
