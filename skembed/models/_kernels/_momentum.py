"""The heavy-ball step shared by every kernel that takes ``momentum``."""

import numpy as np

from skembed.utils._jit import jit

__all__ = ["heavy_ball"]


@jit(inline="always")
def heavy_ball(matrix, velocity, row, scale, vec, momentum):
    """``v = momentum * v + scale * vec`` for ``velocity[row]``, then ``matrix[row] += v``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.models._kernels._momentum import heavy_ball
    >>> m, v = np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)
    >>> heavy_ball(m, v, 1, 2.0, np.array([1.0, 0.0], np.float32), 0.5)
    >>> m.tolist(), v.tolist()
    ([[0.0, 0.0], [2.5, 0.5]], [[1.0, 1.0], [2.5, 0.5]])
    """
    mu = np.float32(momentum)
    s = np.float32(scale)
    for k in range(vec.shape[0]):
        v = mu * velocity[row, k] + s * vec[k]
        velocity[row, k] = v
        matrix[row, k] += v
