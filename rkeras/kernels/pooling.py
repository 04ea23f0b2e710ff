"""Numba kernels of 3-D max and average pooling (2-D pooling is 3-D pooling of depth 1, 1-D pooling
2-D pooling of height 1: one kernel family serves the three ranks).

Inputs are 5-D, (N, D, H, W, C) or, with `channels_first=True`, (N, C, D, H, W); outputs (and the
argmax array of max pooling) have the same layout. The window of output (od, oh, ow) covers input
planes `od*sd - pf + a` (a < pd), rows `oh*sh - pt + i` (i < ph) and columns `ow*sw - pl + j`
(j < pw); cells outside the input are skipped
(never zero-padded): max pooling takes the max of the valid cells, average pooling divides by their
number, as Keras does with `padding="same"`. Every window holds at least one valid cell (the layers
only produce such geometries).

Max pooling stores, per output, the flat index `(d * H + h) * W + w` of the first maximal cell, and routes
the gradient there (overlapping windows add up). NaN propagates: a NaN in a window is its max.
Outputs are allocated by the caller; compiled once per dtype, geometry and flags are arguments.

The kernels are parallel over samples (or sample rows): with the convolutions on numba threads too
(`conv_tiled.py`) and OpenMP's spinning cut short (`GOMP_SPINCOUNT`, `rkeras.kernels`), nothing else
waits for the second core.
"""

import math

from numba import njit, prange

__all__ = ["avg_pool_backward", "avg_pool_forward", "max_pool_backward", "max_pool_forward"]


@njit(parallel=True, cache=True)
def max_pool_forward(x, channels_first, pd, ph, pw, sd, sh, sw, pf, pt, pl, out, argmax):
    if channels_first:
        n_, c_, d_, h_, w_ = x.shape
        od_, oh_, ow_ = out.shape[2], out.shape[3], out.shape[4]
        for r in prange(n_ * c_):
            n = r // c_
            c = r - n * c_
            for od in range(od_):
                for oh in range(oh_):
                    for ow in range(ow_):
                        best = x[n, c, 0, 0, 0]
                        where = -1
                        for a in range(pd):
                            d = od * sd - pf + a
                            if d < 0 or d >= d_:
                                continue
                            for i in range(ph):
                                h = oh * sh - pt + i
                                if h < 0 or h >= h_:
                                    continue
                                for j in range(pw):
                                    w = ow * sw - pl + j
                                    if w < 0 or w >= w_:
                                        continue
                                    v = x[n, c, d, h, w]
                                    if where < 0 or v > best or (math.isnan(v) and not math.isnan(best)):
                                        best = v
                                        where = (d * h_ + h) * w_ + w
                        out[n, c, od, oh, ow] = best
                        argmax[n, c, od, oh, ow] = where
    else:
        n_, d_, h_, w_, c_ = x.shape
        od_, oh_, ow_ = out.shape[1], out.shape[2], out.shape[3]
        for r in prange(n_ * od_ * oh_):
            n = r // (od_ * oh_)
            od = (r // oh_) % od_
            oh = r % oh_
            for ow in range(ow_):
                first = True
                for a in range(pd):
                    d = od * sd - pf + a
                    if d < 0 or d >= d_:
                        continue
                    for i in range(ph):
                        h = oh * sh - pt + i
                        if h < 0 or h >= h_:
                            continue
                        for j in range(pw):
                            w = ow * sw - pl + j
                            if w < 0 or w >= w_:
                                continue
                            where = (d * h_ + h) * w_ + w
                            if first:
                                for c in range(c_):
                                    out[n, od, oh, ow, c] = x[n, d, h, w, c]
                                    argmax[n, od, oh, ow, c] = where
                                first = False
                            else:
                                for c in range(c_):
                                    v = x[n, d, h, w, c]
                                    best = out[n, od, oh, ow, c]
                                    if v > best or (math.isnan(v) and not math.isnan(best)):
                                        out[n, od, oh, ow, c] = v
                                        argmax[n, od, oh, ow, c] = where


@njit(parallel=True, cache=True)
def max_pool_backward(grad, argmax, channels_first, dx):
    """dx[argmax position] += grad, for every output (dx, C-contiguous, has the input's shape and layout).

    The flat spatial index addresses a (N, C, D*H*W) or (N, D*H*W, C) view of dx directly (no divisions)."""
    n_ = dx.shape[0]
    if channels_first:
        c_ = dx.shape[1]
        od_, oh_, ow_ = grad.shape[2], grad.shape[3], grad.shape[4]
    else:
        c_ = dx.shape[4]
        od_, oh_, ow_ = grad.shape[1], grad.shape[2], grad.shape[3]
    spatial = dx.size // max(1, n_ * c_)
    flat = dx.reshape((n_, c_, spatial) if channels_first else (n_, spatial, c_))
    for n in prange(n_):
        flat[n] = 0
        for od in range(od_):
            for oh in range(oh_):
                for ow in range(ow_):
                    for c in range(c_):
                        if channels_first:
                            flat[n, c, argmax[n, c, od, oh, ow]] += grad[n, c, od, oh, ow]
                        else:
                            flat[n, argmax[n, od, oh, ow, c], c] += grad[n, od, oh, ow, c]


@njit(parallel=True, cache=True)
def avg_pool_forward(x, channels_first, pd, ph, pw, sd, sh, sw, pf, pt, pl, out):
    if channels_first:
        n_, c_, d_, h_, w_ = x.shape
        od_, oh_, ow_ = out.shape[2], out.shape[3], out.shape[4]
    else:
        n_, d_, h_, w_, c_ = x.shape
        od_, oh_, ow_ = out.shape[1], out.shape[2], out.shape[3]
    for r in prange(n_ * od_ * oh_):
        n = r // (od_ * oh_)
        od = (r // oh_) % od_
        oh = r % oh_
        d0, d1 = max(od * sd - pf, 0), min(od * sd - pf + pd, d_)
        h0, h1 = max(oh * sh - pt, 0), min(oh * sh - pt + ph, h_)
        for ow in range(ow_):
            w0, w1 = max(ow * sw - pl, 0), min(ow * sw - pl + pw, w_)
            inv = 1.0 / ((d1 - d0) * (h1 - h0) * (w1 - w0))
            if channels_first:
                for c in range(c_):
                    s = x[n, c, d0, h0, w0] * 0
                    for d in range(d0, d1):
                        for h in range(h0, h1):
                            for w in range(w0, w1):
                                s += x[n, c, d, h, w]
                    out[n, c, od, oh, ow] = s * inv
            else:
                for c in range(c_):
                    out[n, od, oh, ow, c] = 0
                for d in range(d0, d1):
                    for h in range(h0, h1):
                        for w in range(w0, w1):
                            for c in range(c_):
                                out[n, od, oh, ow, c] += x[n, d, h, w, c]
                for c in range(c_):
                    out[n, od, oh, ow, c] *= inv


@njit(parallel=True, cache=True)
def avg_pool_backward(grad, channels_first, pd, ph, pw, sd, sh, sw, pf, pt, pl, dx):
    """Each output's gradient, divided by its number of valid cells, added to those cells."""
    if channels_first:
        n_, c_, d_, h_, w_ = dx.shape
        od_, oh_, ow_ = grad.shape[2], grad.shape[3], grad.shape[4]
    else:
        n_, d_, h_, w_, c_ = dx.shape
        od_, oh_, ow_ = grad.shape[1], grad.shape[2], grad.shape[3]
    for n in prange(n_):
        dx[n] = 0
        for od in range(od_):
            d0, d1 = max(od * sd - pf, 0), min(od * sd - pf + pd, d_)
            for oh in range(oh_):
                h0, h1 = max(oh * sh - pt, 0), min(oh * sh - pt + ph, h_)
                for ow in range(ow_):
                    w0, w1 = max(ow * sw - pl, 0), min(ow * sw - pl + pw, w_)
                    inv = 1.0 / ((d1 - d0) * (h1 - h0) * (w1 - w0))
                    for d in range(d0, d1):
                        for h in range(h0, h1):
                            for w in range(w0, w1):
                                for c in range(c_):
                                    if channels_first:
                                        dx[n, c, d, h, w] += grad[n, c, od, oh, ow] * inv
                                    else:
                                        dx[n, d, h, w, c] += grad[n, od, oh, ow, c] * inv
