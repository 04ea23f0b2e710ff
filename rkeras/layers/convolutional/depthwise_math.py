"""The math of a depthwise convolution, shared by `DepthwiseConv1D/2D` and `SeparableConv1D/2D`.

Each input channel `c` is convolved with its own `depth_multiplier` filters: output channel
`c * depth_multiplier + m` reads `kernel[..., c, m]` (Keras' layout `(kh, kw, channels,
depth_multiplier)`, as Keras on JAX, which runs it as a grouped convolution with one group per
channel). The loops are the numba kernels of `rkeras.kernels.depthwise`, on channels-last batches
(a channels-first batch is transposed once).
"""

import numpy as np

from ...kernels import depthwise as kernels


def depthwise_forward(x4, channels_first, k4, geometry):
    """Outputs (N*OH*OW, C*dm), channels-last, and what backward needs (the channels-last input).

    `x4`: a 4-D batch (channels-first when `channels_first`), `k4`: (KH, KW, C, dm), `geometry`:
    (OH, OW, sh, sw, dh, dw, pt, pl)."""
    oh, ow, sh, sw, dh, dw, pt, pl = geometry
    x_cl = np.ascontiguousarray(x4.transpose(0, 2, 3, 1)) if channels_first else x4
    n, c, dm = x_cl.shape[0], k4.shape[2], k4.shape[3]
    out = np.zeros((n, oh, ow, c * dm), dtype=x_cl.dtype)
    kernels.depthwise_forward(x_cl, np.ascontiguousarray(k4), sh, sw, dh, dw, pt, pl, out)
    return out.reshape(n * oh * ow, c * dm), x_cl


def depthwise_backward(x_cl, k4, grad2, channels_first, geometry, x4_shape):
    """(input gradient in the 4-D layout of `x4_shape`, kernel gradient (KH, KW, C, dm)) from the
    outputs' gradient `grad2` (N*OH*OW, C*dm)."""
    oh, ow, sh, sw, dh, dw, pt, pl = geometry
    g4 = np.ascontiguousarray(grad2, dtype=x_cl.dtype).reshape(x_cl.shape[0], oh, ow, -1)
    dk = np.empty(k4.shape, dtype=x_cl.dtype)
    kernels.depthwise_grad_kernel(x_cl, g4, sh, sw, dh, dw, pt, pl, dk)
    dx = np.empty(x_cl.shape, dtype=x_cl.dtype)
    kernels.depthwise_grad_input(g4, np.ascontiguousarray(k4), sh, sw, dh, dw, pt, pl, dx)
    if channels_first:
        dx = np.ascontiguousarray(dx.transpose(0, 3, 1, 2))
    return dx.reshape(x4_shape), dk
