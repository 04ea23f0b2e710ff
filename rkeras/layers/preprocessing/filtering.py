"""Small 2-D filters of channels-last image batches with "same" zero padding (Keras'
`depthwise_conv(padding = "same")` with one kernel for every channel): the sharpening kernel of
`RandomSharpness` and the Gaussian kernels of `RandomGaussianBlur`. Every kernel here is symmetric, so
each filter is its own adjoint (the input gradient is the same filter applied to the output gradient).
"""

import numpy as np


def filter_same(x, kernel):
    """Correlate each channel of `x` (N, H, W, C) with `kernel` (kh, kw), odd sizes, zero padding."""
    kh, kw = kernel.shape
    ph, pw = kh // 2, kw // 2
    n, h, w, c = x.shape
    padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
    padded[:, ph:ph + h, pw:pw + w] = x
    out = np.zeros_like(x)
    for i in range(kh):
        for j in range(kw):
            if kernel[i, j] != 0:
                out += kernel[i, j] * padded[:, i:i + h, j:j + w]
    return out


def separable_same(x, k_rows, k_cols):
    """`filter_same(x, outer(k_rows, k_cols))`, as two 1-D passes (rows then columns)."""
    return filter_same(filter_same(x, k_rows.reshape(-1, 1)), k_cols.reshape(1, -1))


def gaussian_kernel_1d(size, sigma, dtype):
    """Keras' `_get_gaussian_kernel1d`, in `dtype`."""
    offsets = np.arange(size, dtype=dtype) - dtype.type((size - 1) / 2)
    kernel = np.exp(dtype.type(-0.5) * (offsets / dtype.type(sigma)) ** 2)
    return (kernel / kernel.sum(dtype=dtype)).astype(dtype)
