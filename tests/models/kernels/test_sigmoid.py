"""Sigmoid tables: values, saturation, and indices that stay in range for any argument."""

import numpy as np
import pytest

from skembed.models._kernels._sigmoid import (
    MAX_EXP,
    TABLE_SIZE,
    log_sigmoid_lookup,
    make_tables,
    sigmoid_lookup,
    table_index,
)


def test_table_values_and_saturation():
    sig, log_sig = make_tables()
    for f in (-5.9, -1.0, 0.0, 0.3, 5.9):
        assert sigmoid_lookup(np.float32(f), sig) == pytest.approx(1 / (1 + np.exp(-f)), abs=0.01)
        assert log_sigmoid_lookup(np.float32(f), log_sig) == pytest.approx(
            -np.log1p(np.exp(-f)), abs=0.02
        )
    assert sigmoid_lookup(np.float32(MAX_EXP), sig) == 1.0
    assert sigmoid_lookup(np.float32(-MAX_EXP), sig) == 0.0
    assert log_sigmoid_lookup(np.float32(-50.0), log_sig) == -50.0


@pytest.mark.parametrize("f", [np.nan, -np.nan, np.inf, -np.inf, 1e30, -1e30, MAX_EXP, -MAX_EXP])
def test_index_stays_in_the_table_whatever_the_argument(f):
    # a NaN passes the saturation tests; its bin is clamped in integer space
    assert 0 <= table_index(np.float32(f)) < TABLE_SIZE
    assert 0 <= table_index(float(f)) < TABLE_SIZE
    sig, log_sig = make_tables()
    if np.isnan(f):
        # a table value or a saturated one (fastmath may take either branch for a NaN),
        # never a read outside the table
        assert sigmoid_lookup(np.float32(f), sig) in np.concatenate([sig, [0.0, 1.0]])
        value = log_sigmoid_lookup(np.float32(f), log_sig)
        assert np.isnan(value) or np.float32(value) in np.concatenate([log_sig, [0.0]])
