"""The math of a depthwise convolution, shared by `DepthwiseConv1D/2D` and `SeparableConv1D/2D`.

Each input channel `c` is convolved with its own `depth_multiplier` filters: output channel
`c * depth_multiplier + m` reads `kernel[..., c, m]` (Keras' layout `(kh, kw, channels,
depth_multiplier)`, as Keras on JAX, which runs it as a grouped convolution with one group per
channel). The patches come from the im2col kernel of `rkeras.kernels.conv`; then one batched matrix
product per channel, `(M, KH*KW) @ (KH*KW, depth_multiplier)`, gives the outputs, and two more give
the kernel and patch gradients, which col2im scatters back into the input gradient.
"""

import numpy as np

from ...kernels import conv as kernels


def depthwise_forward(x4, channels_first, k4, geometry):
    """Outputs (N*OH*OW, C*dm), channels-last, and the per-channel patches (C, M, KH*KW) for backward.

    `x4`: a 4-D batch (channels-first when `channels_first`), `k4`: (KH, KW, C, dm), `geometry`:
    (OH, OW, sh, sw, dh, dw, pt, pl)."""
    oh, ow, sh, sw, dh, dw, pt, pl = geometry
    kh, kw, c, dm = k4.shape
    n = x4.shape[0]
    cols = np.empty((n, oh, ow, kh, kw, c), dtype=x4.dtype)
    kernels.im2col(x4, channels_first, sh, sw, dh, dw, pt, pl, cols)
    m = n * oh * ow
    patches = np.ascontiguousarray(cols.reshape(m, kh * kw, c).transpose(2, 0, 1))
    per_channel = np.ascontiguousarray(k4.reshape(kh * kw, c, dm).transpose(1, 0, 2))
    z = np.matmul(patches, per_channel)  # (C, M, dm)
    return np.ascontiguousarray(z.transpose(1, 0, 2)).reshape(m, c * dm), patches


def depthwise_backward(patches, k4, grad2, channels_first, geometry, x4_shape):
    """(input gradient in the 4-D layout of `x4_shape`, kernel gradient (KH, KW, C, dm)) from the
    outputs' gradient `grad2` (N*OH*OW, C*dm)."""
    oh, ow, sh, sw, dh, dw, pt, pl = geometry
    kh, kw, c, dm = k4.shape
    m = grad2.shape[0]
    g = np.ascontiguousarray(grad2.reshape(m, c, dm).transpose(1, 0, 2))  # (C, M, dm)
    dk = np.matmul(patches.transpose(0, 2, 1), g)  # (C, KH*KW, dm)
    dk = np.ascontiguousarray(dk.transpose(1, 0, 2)).reshape(kh, kw, c, dm)
    per_channel = k4.reshape(kh * kw, c, dm).transpose(1, 2, 0)  # (C, dm, KH*KW)
    dpatches = np.matmul(g, per_channel)  # (C, M, KH*KW)
    dcols = np.ascontiguousarray(dpatches.transpose(1, 2, 0)).reshape(x4_shape[0], oh, ow, kh, kw, c)
    dx4 = np.empty(x4_shape, dtype=grad2.dtype)
    kernels.col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx4)
    return dx4, dk
