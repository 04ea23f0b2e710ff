"""Numba kernels of 1-D/2-D convolution: im2col / col2im for the BLAS path, and direct loops.

Every kernel works on 4-D arrays: a 2-D convolution's batch as (N, H, W, C) (channels-last) or
(N, C, H, W) (channels-first, `channels_first=True`), a 1-D convolution's as a 2-D one with H = 1.
Kernel weights are Keras' (KH, KW, C // groups, F). Geometry is given as strides (sh, sw), dilations
(dh, dw) and the padding before the first row and column (pt, pl): the output position (oh, ow)
reads input rows `oh*sh - pt + i*dh` and columns `ow*sw - pl + j*dw`; positions outside the input
read zeros (no padded copy is ever made). Outputs are allocated by the caller.

- `im2col` writes the patches as (N, OH, OW, KH, KW, C), so that one matrix product with the kernel
  viewed as (KH*KW*C, F) gives the channels-last output; `col2im` adds such patch gradients back
  into the input gradient. Both read/write either input layout directly, so channels-first costs no
  transposed copy of the input.
- `direct_forward`, `direct_grad_kernel`, `direct_grad_input` are the same convolution as plain loops
  (no BLAS), channels-last outputs and upstream gradients.

All run in `@njit(cache=True)` functions compiled once per dtype (float32, float64); flags and
geometry are runtime arguments, so no shape or flag recompiles.
"""

import numpy as np
from numba import njit, prange

__all__ = ["im2col", "col2im", "direct_forward", "direct_grad_kernel", "direct_grad_input"]

# `reassoc` lets LLVM vectorize the filter loops, `contract` gives FMAs. No `nnan`/`ninf`: NaN and
# Inf must flow through to the outputs.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@njit(parallel=True, cache=True)
def im2col(x, channels_first, sh, sw, dh, dw, pt, pl, cols):
    """cols[n, oh, ow, i, j, c] = x at (n, oh*sh - pt + i*dh, ow*sw - pl + j*dw, c), 0 outside."""
    n_, oh_, ow_, kh_, kw_, c_ = cols.shape
    if channels_first:
        h_, w_ = x.shape[2], x.shape[3]
    else:
        h_, w_ = x.shape[1], x.shape[2]
    for r in prange(n_ * oh_):
        n = r // oh_
        oh = r - n * oh_
        for ow in range(ow_):
            for i in range(kh_):
                h = oh * sh - pt + i * dh
                for j in range(kw_):
                    w = ow * sw - pl + j * dw
                    if h < 0 or h >= h_ or w < 0 or w >= w_:
                        for c in range(c_):
                            cols[n, oh, ow, i, j, c] = 0
                    elif channels_first:
                        for c in range(c_):
                            cols[n, oh, ow, i, j, c] = x[n, c, h, w]
                    else:
                        for c in range(c_):
                            cols[n, oh, ow, i, j, c] = x[n, h, w, c]


@njit(parallel=True, cache=True)
def col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx):
    """dx = the sum, over every patch that read an input position, of that patch's gradient."""
    n_, oh_, ow_, kh_, kw_, c_ = dcols.shape
    if channels_first:
        h_, w_ = dx.shape[2], dx.shape[3]
    else:
        h_, w_ = dx.shape[1], dx.shape[2]
    for n in prange(n_):  # samples are independent: no two threads write the same element
        dx[n] = 0
        for oh in range(oh_):
            for i in range(kh_):
                h = oh * sh - pt + i * dh
                if h < 0 or h >= h_:
                    continue
                for ow in range(ow_):
                    for j in range(kw_):
                        w = ow * sw - pl + j * dw
                        if w < 0 or w >= w_:
                            continue
                        if channels_first:
                            for c in range(c_):
                                dx[n, c, h, w] += dcols[n, oh, ow, i, j, c]
                        else:
                            for c in range(c_):
                                dx[n, h, w, c] += dcols[n, oh, ow, i, j, c]


@njit(parallel=True, cache=True, fastmath=_FASTMATH)
def direct_forward(x, channels_first, k, sh, sw, dh, dw, pt, pl, out):
    """out[n, oh, ow, f] += sum over (i, j, c) of x at (n, oh*sh - pt + i*dh, ow*sw - pl + j*dw, c) * k[i, j, c, f].

    `out` (N, OH, OW, F) is channels-last and pre-filled by the caller (with the bias, or zeros)."""
    n_, oh_, ow_, f_ = out.shape
    kh_, kw_, c_, _ = k.shape
    if channels_first:
        h_, w_ = x.shape[2], x.shape[3]
    else:
        h_, w_ = x.shape[1], x.shape[2]
    for r in prange(n_ * oh_):
        n = r // oh_
        oh = r - n * oh_
        for ow in range(ow_):
            for i in range(kh_):
                h = oh * sh - pt + i * dh
                if h < 0 or h >= h_:
                    continue
                for j in range(kw_):
                    w = ow * sw - pl + j * dw
                    if w < 0 or w >= w_:
                        continue
                    for c in range(c_):
                        v = x[n, c, h, w] if channels_first else x[n, h, w, c]
                        for f in range(f_):
                            out[n, oh, ow, f] += v * k[i, j, c, f]


@njit(parallel=True, cache=True, fastmath=_FASTMATH)
def direct_grad_kernel(x, channels_first, grad, sh, sw, dh, dw, pt, pl, dk):
    """dk[i, j, c, f] = sum over (n, oh, ow) of x at (n, h, w, c) * grad[n, oh, ow, f] (grad channels-last)."""
    n_, oh_, ow_, f_ = grad.shape
    kh_, kw_, c_, _ = dk.shape
    if channels_first:
        h_, w_ = x.shape[2], x.shape[3]
    else:
        h_, w_ = x.shape[1], x.shape[2]
    for r in prange(kh_ * kw_):  # each tap owns its slice of dk: no two threads write the same element
        i = r // kw_
        j = r - i * kw_
        dk[i, j] = 0
        for n in range(n_):
            for oh in range(oh_):
                h = oh * sh - pt + i * dh
                if h < 0 or h >= h_:
                    continue
                for ow in range(ow_):
                    w = ow * sw - pl + j * dw
                    if w < 0 or w >= w_:
                        continue
                    for c in range(c_):
                        v = x[n, c, h, w] if channels_first else x[n, h, w, c]
                        for f in range(f_):
                            dk[i, j, c, f] += v * grad[n, oh, ow, f]


@njit(parallel=True, cache=True, fastmath=_FASTMATH)
def direct_grad_input(grad, channels_first, k, sh, sw, dh, dw, pt, pl, dx):
    """dx at (n, h, w, c) = sum over the outputs (n, oh, ow, f) that read it of grad * k[i, j, c, f]."""
    n_, oh_, ow_, f_ = grad.shape
    kh_, kw_, c_, _ = k.shape
    if channels_first:
        h_, w_ = dx.shape[2], dx.shape[3]
    else:
        h_, w_ = dx.shape[1], dx.shape[2]
    for n in prange(n_):  # samples are independent: no two threads write the same element
        dx[n] = 0
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
                        for c in range(c_):
                            s = grad[n, oh, ow, 0] * k[i, j, c, 0]
                            for f in range(1, f_):
                                s += grad[n, oh, ow, f] * k[i, j, c, f]
                            if channels_first:
                                dx[n, c, h, w] += s
                            else:
                                dx[n, h, w, c] += s
