"""The parallel relu kernels against numpy's one-core formulas (the twins: `np.maximum(x, 0)`, `grad * (y > 0)`)."""

import numpy as np
import pytest

from rkeras.kernels import elementwise
from rkeras.layers.core.activations import Relu


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 1000, elementwise.PARALLEL_SIZE + 12345])
def test_relu_kernels_equal_numpy(size, dtype):
    rng = np.random.default_rng(size)
    x = rng.normal(size=size).astype(dtype)
    g = rng.normal(size=size).astype(dtype)
    x[:: max(1, size // 7)] = np.nan
    g[1:: max(2, size // 5)] = np.inf
    y = np.empty_like(x)
    elementwise.relu_forward(x, y)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    d = np.empty_like(g)
    elementwise.relu_backward(y, g, d)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(d, g * (y > 0))


def test_relu_activation_takes_the_kernel_on_large_batches_with_the_same_numbers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 64, 64, 8)).astype(np.float32)  # above PARALLEL_SIZE
    g = rng.normal(size=x.shape).astype(np.float32)
    relu = Relu()
    y = relu.forward(x)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    np.testing.assert_array_equal(relu.backward(x, y, g), g * (y > 0))
    # a non-contiguous or mixed-dtype call keeps numpy's formula
    np.testing.assert_array_equal(relu.forward(x[:, ::2]), np.maximum(x[:, ::2], 0))
    np.testing.assert_array_equal(relu.backward(x, y, g.astype(np.float64)), g.astype(np.float64) * (y > 0))
