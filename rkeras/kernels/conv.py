"""Numba kernels of 1-D/2-D convolution: im2col / col2im for the BLAS path, and direct loops.

Every kernel works on 4-D arrays: a 2-D convolution's batch as (N, H, W, C) (channels-last) or
(N, C, H, W) (channels-first, `channels_first=True`), a 1-D convolution's as a 2-D one with H = 1.
Kernel weights are Keras' (KH, KW, C, F). Geometry is given as strides (sh, sw), dilations (dh, dw)
and the padding before the first row and column (pt, pl): the output position (oh, ow) reads input
rows `oh*sh - pt + i*dh` and columns `ow*sw - pl + j*dw`; positions outside the input read zeros
(no padded copy is ever made). Outputs are allocated by the caller.

- `im2col` writes the patches as (N, OH, OW, KH, KW, C), so that one matrix product with the kernel
  viewed as (KH*KW*C, F) gives the channels-last output; `col2im` adds such patch gradients back
  into the input gradient. Both read/write either input layout directly (a channels-first sample
  is transposed into a private, cache-resident channels-last buffer first).
- `direct_forward`, `direct_grad_kernel`, `direct_grad_input` are the same convolution as plain
  loops (no BLAS, no patch matrix), parallel over the batch; channels-last outputs and gradients.

`im2col` and `col2im` are serial: they feed multithreaded OpenBLAS (benchmarks/NOTES.md, "Convolution").
These are the kernels of the im2col path, kept for BLAS builds numba cannot call; the default path is
`conv_tiled.py`.

All run in `@njit(cache=True)` functions compiled once per dtype (float32, float64); flags and
geometry are runtime arguments, so no shape or flag recompiles.
"""

import numpy as np
from numba import njit, prange

__all__ = ["col2im", "direct_forward", "direct_grad_input", "direct_grad_kernel", "im2col"]

# `reassoc` lets LLVM vectorize the filter loops, `contract` gives FMAs. No `nnan`/`ninf`: NaN and
# Inf must flow through to the outputs.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True)
def _gather_rows(xs, oh, sh, sw, dh, dw, pt, pl, rows):
    """rows[ow, i, j, :] = xs[oh*sh - pt + i*dh, ow*sw - pl + j*dw, :] (one sample, channels-last), 0 outside."""
    ow_, kh_, kw_, c_ = rows.shape
    h_, w_ = xs.shape[0], xs.shape[1]
    for ow in range(ow_):
        for i in range(kh_):
            h = oh * sh - pt + i * dh
            for j in range(kw_):
                w = ow * sw - pl + j * dw
                if h < 0 or h >= h_ or w < 0 or w >= w_:
                    for c in range(c_):
                        rows[ow, i, j, c] = 0
                else:
                    for c in range(c_):
                        rows[ow, i, j, c] = xs[h, w, c]


@njit(cache=True)
def _scatter_rows(drows, oh, sh, sw, dh, dw, pt, pl, dxs):
    """dxs[h, w, :] += drows[ow, i, j, :] for every tap inside the sample (the adjoint of `_gather_rows`)."""
    ow_, kh_, kw_, c_ = drows.shape
    h_, w_ = dxs.shape[0], dxs.shape[1]
    for i in range(kh_):
        h = oh * sh - pt + i * dh
        if h < 0 or h >= h_:
            continue
        for ow in range(ow_):
            for j in range(kw_):
                w = ow * sw - pl + j * dw
                if w < 0 or w >= w_:
                    continue
                for c in range(c_):
                    dxs[h, w, c] += drows[ow, i, j, c]


@njit(cache=True)
def im2col(x, channels_first, sh, sw, dh, dw, pt, pl, cols):
    """cols[n, oh, ow, i, j, c] = x at (n, oh*sh - pt + i*dh, ow*sw - pl + j*dw, c), 0 outside.

    Channels-first samples are first transposed, one at a time, into a private channels-last buffer
    that stays in cache (gathering straight from a channels-first batch is slower: benchmarks/NOTES.md)."""
    n_, oh_ = cols.shape[0], cols.shape[1]
    if channels_first:
        c_, h_, w_ = x.shape[1], x.shape[2], x.shape[3]
        xs = np.empty((h_, w_, c_), dtype=x.dtype)
        for n in range(n_):
            for h in range(h_):  # row by row: the writes of one row stay in L1
                for c in range(c_):
                    for w in range(w_):
                        xs[h, w, c] = x[n, c, h, w]
            for oh in range(oh_):
                _gather_rows(xs, oh, sh, sw, dh, dw, pt, pl, cols[n, oh])
    else:
        for n in range(n_):
            for oh in range(oh_):
                _gather_rows(x[n], oh, sh, sw, dh, dw, pt, pl, cols[n, oh])


@njit(cache=True)
def col2im(dcols, channels_first, sh, sw, dh, dw, pt, pl, dx):
    """dx = the sum, over every patch that read an input position, of that patch's gradient."""
    n_, oh_ = dcols.shape[0], dcols.shape[1]
    acc = np.empty((dx.shape[2], dx.shape[3], dx.shape[1]) if channels_first else (0, 0, 0), dtype=dx.dtype)
    for n in range(n_):
        if channels_first:
            c_, h_, w_ = dx.shape[1], dx.shape[2], dx.shape[3]
            acc[...] = 0
            for oh in range(oh_):
                _scatter_rows(dcols[n, oh], oh, sh, sw, dh, dw, pt, pl, acc)
            for h in range(h_):
                for c in range(c_):
                    for w in range(w_):
                        dx[n, c, h, w] = acc[h, w, c]
        else:
            dx[n] = 0
            for oh in range(oh_):
                _scatter_rows(dcols[n, oh], oh, sh, sw, dh, dw, pt, pl, dx[n])


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
