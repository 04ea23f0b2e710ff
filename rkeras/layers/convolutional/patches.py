"""Patch gathering (im2col) and its adjoint (col2im) for channels-last batches of rank 1, 2 or 3,
on the 2-D kernels of `rkeras.kernels.conv`.

`gather(x, ...)` turns a batch `(N, *S, C)` into its patches `(N, *O, *K, C)`: output position `o`
and tap `k` read input position `o * stride - pad + k * dilation` along each spatial dimension, zeros
outside the input. One matrix product of the patches viewed as `(N*prod(O), prod(K)*C)` with a kernel
viewed as `(prod(K)*C, F)` is then a convolution. `scatter(dcols, ...)` adds such patches back into a
batch (the input gradient of a convolution, the forward pass of a transposed one).

A 1-D batch runs as a 2-D one of height 1; a 3-D one depth tap by depth tap: output depth `od` and
tap `a` read the input plane `od*sd - pd + a*dd`, a 2-D gather (planes outside the input are zeros).
Used by `Conv3D`, `Conv3DTranspose` and the ConvLSTM cells.
"""

import numpy as np

from ...kernels import conv as kernels

__all__ = ["depth_taps", "gather", "scatter"]


def depth_taps(depth, od_, kd, sd, dd, pd):
    """(od, a, input plane) for every depth tap that lands inside the input."""
    return [(od, a, od * sd - pd + a * dd) for od in range(od_) for a in range(kd)
            if 0 <= od * sd - pd + a * dd < depth]


def gather(x, kernel_size, strides, dilation, pads, out_spatial):
    """The patches `(N, *out_spatial, *kernel_size, C)` of the contiguous channels-last batch `x`."""
    rank = x.ndim - 2
    n, c = x.shape[0], x.shape[-1]
    if rank == 1:
        (k,), (s,), (d,), (p,), (o,) = kernel_size, strides, dilation, pads, out_spatial
        cols = np.empty((n, 1, o, 1, k, c), dtype=x.dtype)
        kernels.im2col(x.reshape(n, 1, x.shape[1], c), False, 1, s, 1, d, 0, p, cols)
        return cols.reshape(n, o, k, c)
    if rank == 2:
        cols = np.empty((n,) + tuple(out_spatial) + tuple(kernel_size) + (c,), dtype=x.dtype)
        kernels.im2col(x, False, strides[0], strides[1], dilation[0], dilation[1], pads[0], pads[1], cols)
        return cols
    od_, oh_, ow_ = out_spatial
    kd, kh, kw = kernel_size
    cols = np.zeros((n, od_, oh_, ow_, kd, kh, kw, c), dtype=x.dtype)
    plane = np.empty((n, oh_, ow_, kh, kw, c), dtype=x.dtype)
    by_plane = np.ascontiguousarray(x.transpose(1, 0, 2, 3, 4))  # contiguous planes: one kernel specialization
    for od, a, d in depth_taps(x.shape[1], od_, kd, strides[0], dilation[0], pads[0]):
        kernels.im2col(by_plane[d], False, strides[1], strides[2], dilation[1], dilation[2], pads[1], pads[2],
                       plane)
        cols[:, od, :, :, a] = plane
    return cols


def scatter(dcols, x_shape, strides, dilation, pads):
    """The channels-last batch of shape `x_shape` that sums the patches `dcols` (the adjoint of `gather`)."""
    rank = len(x_shape) - 2
    n, c = x_shape[0], x_shape[-1]
    work = dcols.dtype
    if rank == 1:
        (s,), (d,), (p,) = strides, dilation, pads
        o, k = dcols.shape[1], dcols.shape[2]
        dx = np.empty((n, 1, x_shape[1], c), dtype=work)
        kernels.col2im(np.ascontiguousarray(dcols).reshape(n, 1, o, 1, k, c), False, 1, s, 1, d, 0, p, dx)
        return dx.reshape(x_shape)
    if rank == 2:
        dx = np.empty(tuple(x_shape), dtype=work)
        kernels.col2im(np.ascontiguousarray(dcols), False, strides[0], strides[1], dilation[0], dilation[1],
                       pads[0], pads[1], dx)
        return dx
    od_, kd = dcols.shape[1], dcols.shape[4]
    dx = np.zeros(tuple(x_shape), dtype=work)
    plane = np.empty((n,) + tuple(x_shape[2:]), dtype=work)
    for od, a, d in depth_taps(x_shape[1], od_, kd, strides[0], dilation[0], pads[0]):
        kernels.col2im(np.ascontiguousarray(dcols[:, od, :, :, a]), False, strides[1], strides[2], dilation[1],
                       dilation[2], pads[1], pads[2], plane)
        dx[:, d] += plane
    return dx
