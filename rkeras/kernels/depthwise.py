"""Numba kernels of the depthwise convolution (`DepthwiseConv1D/2D`, the first step of `SeparableConv1D/2D`).

Each input channel `c` is convolved with its own `depth_multiplier` (DM) filters: output channel
`c * DM + m` reads `k[i, j, c, m]` (Keras' depthwise kernel layout `(KH, KW, C, DM)`). Batches are
channels-last 4-D arrays (N, H, W, C) (a 1-D layer is a 2-D one of height 1; channels-first layers
transpose to channels-last first); the geometry is the one of `rkeras.kernels.conv`: output (oh, ow)
tap (i, j) reads input row `oh*sh - pt + i*dh` and column `ow*sw - pl + j*dw`, zeros outside.

The work is a few multiply-adds per input element, too thin for BLAS: the loops run over the taps
with the channels innermost (contiguous, vectorized). The kernels are serial, as the im2col kernels
are, because a numba parallel region would leave OpenMP threads spinning while the matrix product
that follows (the pointwise step of a separable convolution, the next dense or convolution layer)
wants both cores (see `rkeras.kernels.conv`). The kernel gradient sums over the batch and the output
positions in a float64 accumulator. Outputs are allocated by the caller; compiled once per dtype.
"""

import numpy as np
from numba import njit

__all__ = ["depthwise_forward", "depthwise_grad_input", "depthwise_grad_kernel"]

# `reassoc` lets LLVM vectorize the channel loops, `contract` gives FMAs; no `nnan`/`ninf`.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True, fastmath=_FASTMATH)
def depthwise_forward(x, k, sh, sw, dh, dw, pt, pl, out):
    """out[n, oh, ow, c*DM + m] += sum over taps (i, j) of x[n, h, w, c] * k[i, j, c, m].

    `out` (N, OH, OW, C*DM) is pre-filled by the caller (with the bias, or zeros)."""
    n_, oh_, ow_, _ = out.shape
    h_, w_, c_ = x.shape[1], x.shape[2], x.shape[3]
    kh_, kw_, _, dm_ = k.shape
    for n in range(n_):
        for oh in range(oh_):
            for ow in range(ow_):
                for i in range(kh_):
                    h = oh * sh - pt + i * dh
                    if h < 0 or h >= h_:
                        continue
                    for j in range(kw_):
                        w = ow * sw - pl + j * dw
                        if w < 0 or w >= w_:
                            continue
                        if dm_ == 1:
                            for c in range(c_):
                                out[n, oh, ow, c] += x[n, h, w, c] * k[i, j, c, 0]
                        else:
                            for c in range(c_):
                                v = x[n, h, w, c]
                                for m in range(dm_):
                                    out[n, oh, ow, c * dm_ + m] += v * k[i, j, c, m]


@njit(cache=True, fastmath=_FASTMATH)
def depthwise_grad_input(grad, k, sh, sw, dh, dw, pt, pl, dx):
    """dx[n, h, w, c] = sum over the outputs that read (h, w) and over m of grad[..., c*DM + m] * k[i, j, c, m]."""
    n_, oh_, ow_, _ = grad.shape
    h_, w_, c_ = dx.shape[1], dx.shape[2], dx.shape[3]
    kh_, kw_, _, dm_ = k.shape
    dx[...] = 0
    for n in range(n_):
        for oh in range(oh_):
            for ow in range(ow_):
                for i in range(kh_):
                    h = oh * sh - pt + i * dh
                    if h < 0 or h >= h_:
                        continue
                    for j in range(kw_):
                        w = ow * sw - pl + j * dw
                        if w < 0 or w >= w_:
                            continue
                        if dm_ == 1:
                            for c in range(c_):
                                dx[n, h, w, c] += grad[n, oh, ow, c] * k[i, j, c, 0]
                        else:
                            for c in range(c_):
                                s = grad[n, oh, ow, c * dm_] * k[i, j, c, 0]
                                for m in range(1, dm_):
                                    s += grad[n, oh, ow, c * dm_ + m] * k[i, j, c, m]
                                dx[n, h, w, c] += s


@njit(cache=True, fastmath=_FASTMATH)
def depthwise_grad_kernel(x, grad, sh, sw, dh, dw, pt, pl, dk):
    """dk[i, j, c, m] = sum over (n, oh, ow) of x[n, h, w, c] * grad[n, oh, ow, c*DM + m], in float64."""
    n_, oh_, ow_, _ = grad.shape
    h_, w_, c_ = x.shape[1], x.shape[2], x.shape[3]
    kh_, kw_, _, dm_ = dk.shape
    # (KH, KW, DM, C): the channel loop innermost and contiguous in every array it touches
    acc = np.zeros((kh_, kw_, dm_, c_), dtype=np.float64)
    for n in range(n_):
        for oh in range(oh_):
            for ow in range(ow_):
                for i in range(kh_):
                    h = oh * sh - pt + i * dh
                    if h < 0 or h >= h_:
                        continue
                    for j in range(kw_):
                        w = ow * sw - pl + j * dw
                        if w < 0 or w >= w_:
                            continue
                        for m in range(dm_):
                            for c in range(c_):
                                acc[i, j, m, c] += np.float64(x[n, h, w, c]) * grad[n, oh, ow, c * dm_ + m]
    for i in range(kh_):
        for j in range(kw_):
            for c in range(c_):
                for m in range(dm_):
                    dk[i, j, c, m] = acc[i, j, m, c]
