"""Numba kernels of layer, RMS and unit normalization on a C-contiguous (outer, features, inner) view.

The statistics of each position (o, i) are taken over the C features `x[o, :, i]`: C is the product of
the normalized axes, O of the axes before them, I of the axes after (last-axis normalization: I == 1,
every row of C features is contiguous; channels-first: I > 1). `mode` picks the normalization:
  * MODE_LAYER  center = mean, inv = 1 / sqrt(biased var + eps)           (Ba et al. 2016)
  * MODE_RMS    center = 0,    inv = 1 / sqrt(mean(x^2) + eps)            (Zhang & Sennrich 2019)
  * MODE_UNIT   center = 0,    inv = min(1 / sqrt(sum(x^2)), 1 / eps)     (Keras' `ops.normalize`)
and y = (x - center) * inv * gamma[c] + beta[c] (gamma, beta optional). The forward stores center, inv and
the coupling factor k3 = inv^3 / C (unit: inv^3, or 0 where the clamp is active) per position for the
backward: with G = gamma * g,
  dx = inv * G - [layer] inv * sum(G) / C - (x - center) * k3 * sum(G * (x - center))
  dgamma[c] = sum over positions of g * (x - center) * inv,  dbeta[c] = sum of g.

Accuracy: a row's sums run in float64 over x - shift (shift: the row's first element) in one read, the
element-wise passes subtract the center as a float32 value plus its float64 rounding error, so float32
outputs stay accurate when |mean| / std is large. Rows are parallel over contiguous ranges of O, each
range with its own float64 weight-gradient accumulators (combined in Python). NaN and Inf propagate
(no `nnan`/`ninf` fast-math flags; the unit-norm clamp is a comparison that NaN fails).
"""

import numpy as np
from numba import njit, prange

from .threads import threads_for

__all__ = ["MODE_LAYER", "MODE_RMS", "MODE_UNIT", "row_norm_backward", "row_norm_forward"]

MODE_LAYER, MODE_RMS, MODE_UNIT = 0, 1, 2

_FM = {"reassoc", "contract", "nsz", "arcp"}  # lets LLVM vectorize the row sums; never nnan/ninf
# Element-wise passes: FMAs only. Reassociation would turn (x - c) - dl into x - (c + dl), and c + dl
# rounds back to c in float32: the center's correction would be lost.
_FM_ELEMENTWISE = {"contract"}
_PARALLEL = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
             "setitem": False, "numpy": False, "stencil": False, "fusion": False}


@njit(cache=True)
def _bound(total, nchunks, k):
    return total * np.int64(k) // nchunks


@njit(cache=True, fastmath=_FM, error_model="numpy")  # 1 / 0 is inf, not an exception
def _stats(s, q, n, shift, mode, eps):
    """(center, inv, k3) from s = sum(x - shift), q = sum((x - shift)^2) (layer) or sum(x^2) (rms, unit)."""
    if mode == 0:
        m = s / n
        var = q / n - m * m
        if var < 0.0:  # noqa: PLR1730 (rounding only; a NaN fails the test and stays NaN, not so with max)
            var = 0.0
        inv = 1.0 / np.sqrt(var + eps)
        return shift + m, inv, inv * inv * inv / n
    if mode == 1:
        inv = 1.0 / np.sqrt(q / n + eps)
        return 0.0, inv, inv * inv * inv / n
    inv = 1.0 / np.sqrt(q)
    if inv > 1.0 / eps:  # Keras: min(rsqrt(sum x^2), 1 / epsilon); the clamp has no gradient
        return 0.0, 1.0 / eps, 0.0
    return 0.0, inv, inv * inv * inv


@njit(cache=True, fastmath=_FM)
def _row_sums(xr, shift):
    """(sum d, sum d^2), d = x - shift, in float64 over one contiguous row."""
    s = 0.0
    q = 0.0
    for j in range(xr.shape[0]):
        d = np.float64(xr[j]) - shift
        s += d
        q += d * d
    return s, q


@njit(cache=True, fastmath=_FM)
def _row_grad_sums(gr, xr, c64, gamma, has_gamma, sum_g, sum_gxhat, a64):
    """(sum G, sum G * (x - center)), G = gamma * g, in float64 over one row; adds the row's weight-gradient
    terms into sum_g, sum_gxhat."""
    a1 = 0.0
    a2 = 0.0
    for j in range(xr.shape[0]):
        d = np.float64(xr[j]) - c64
        gj = np.float64(gr[j])
        gg = gj * np.float64(gamma[j]) if has_gamma else gj
        a1 += gg
        a2 += gg * d
        sum_g[j] += gj
        sum_gxhat[j] += gj * d * a64
    return a1, a2


@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _forward_rows(x, C, o0, o1, mode, eps, gamma, has_gamma, beta, has_beta, out, center, inv, k3):
    """I == 1: rows [o0, o1) of C contiguous features."""
    one = x.dtype.type(1)
    for o in range(o0, o1):
        xr = x[o * C:(o + 1) * C]
        yr = out[o * C:(o + 1) * C]
        shift = np.float64(xr[0]) if mode == 0 else 0.0
        s, q = _row_sums(xr, shift)
        c64, a64, k = _stats(s, q, C, shift, mode, eps)
        center[o], inv[o], k3[o] = c64, a64, k
        c = x.dtype.type(c64)
        dl = x.dtype.type(c64 - np.float64(c))
        a = x.dtype.type(a64)
        if has_gamma and has_beta:
            for j in range(C):
                yr[j] = ((xr[j] - c) - dl) * a * gamma[j] + beta[j]
        elif has_gamma:
            for j in range(C):
                yr[j] = ((xr[j] - c) - dl) * a * gamma[j]
        elif has_beta:
            for j in range(C):
                yr[j] = ((xr[j] - c) - dl) * a + beta[j]
        else:
            for j in range(C):
                yr[j] = ((xr[j] - c) - dl) * a * one


@njit(cache=True, fastmath=_FM)
def _forward_strided(x, C, I, o0, o1, mode, eps, gamma, has_gamma, beta, has_beta, out, center, inv, k3):
    """I > 1: for each o, the I positions' sums run side by side (memory order, vectorized over i)."""
    s = np.empty(I)
    q = np.empty(I)
    shift = np.zeros(I)
    for o in range(o0, o1):
        base = o * C * I
        if mode == 0:
            for i in range(I):
                shift[i] = x[base + i]
        s[:] = 0.0
        q[:] = 0.0
        for c in range(C):
            row = x[base + c * I:base + (c + 1) * I]
            for i in range(I):
                d = np.float64(row[i]) - shift[i]
                s[i] += d
                q[i] += d * d
        for i in range(I):
            center[o * I + i], inv[o * I + i], k3[o * I + i] = _stats(s[i], q[i], C, shift[i], mode, eps)
        cen = center[o * I:(o + 1) * I]
        iv = inv[o * I:(o + 1) * I]
        for c in range(C):
            row = x[base + c * I:base + (c + 1) * I]
            yr = out[base + c * I:base + (c + 1) * I]
            gc = np.float64(gamma[c]) if has_gamma else 1.0
            bc = np.float64(beta[c]) if has_beta else 0.0
            for i in range(I):
                yr[i] = (np.float64(row[i]) - cen[i]) * (iv[i] * gc) + bc


@njit(cache=True, parallel=_PARALLEL)
def _forward_parallel(x, C, I, O, mode, eps, gamma, has_gamma, beta, has_beta, out, center, inv, k3, nchunks):
    for k in prange(nchunks):
        o0, o1 = _bound(O, nchunks, k), _bound(O, nchunks, k + 1)
        if I == 1:
            _forward_rows(x, C, o0, o1, mode, eps, gamma, has_gamma, beta, has_beta, out, center, inv, k3)
        else:
            _forward_strided(x, C, I, o0, o1, mode, eps, gamma, has_gamma, beta, has_beta, out, center, inv, k3)


@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _backward_rows(g, x, C, o0, o1, mode, center, inv, k3, gamma, has_gamma, out, sum_g, sum_gxhat):
    """I == 1: dx of rows [o0, o1); this range's weight-gradient sums are added to sum_g, sum_gxhat."""
    for o in range(o0, o1):
        xr = x[o * C:(o + 1) * C]
        gr = g[o * C:(o + 1) * C]
        dr = out[o * C:(o + 1) * C]
        c64 = center[o]
        a64 = inv[o]
        c = x.dtype.type(c64)
        dl = x.dtype.type(c64 - np.float64(c))
        a1, a2 = _row_grad_sums(gr, xr, c64, gamma, has_gamma, sum_g, sum_gxhat, a64)
        b0 = x.dtype.type(a64 * a1 / C if mode == 0 else 0.0)
        kk = x.dtype.type(k3[o] * a2)
        a = x.dtype.type(a64)
        if has_gamma:
            for j in range(C):
                dr[j] = gr[j] * gamma[j] * a - b0 - ((xr[j] - c) - dl) * kk
        else:
            for j in range(C):
                dr[j] = gr[j] * a - b0 - ((xr[j] - c) - dl) * kk


@njit(cache=True, fastmath=_FM)
def _backward_strided(g, x, C, I, o0, o1, mode, center, inv, k3, gamma, has_gamma, out, sum_g, sum_gxhat):
    a1 = np.empty(I)
    a2 = np.empty(I)
    for o in range(o0, o1):
        base = o * C * I
        cen = center[o * I:(o + 1) * I]
        iv = inv[o * I:(o + 1) * I]
        kv = k3[o * I:(o + 1) * I]
        a1[:] = 0.0
        a2[:] = 0.0
        for c in range(C):
            xr = x[base + c * I:base + (c + 1) * I]
            gr = g[base + c * I:base + (c + 1) * I]
            gc = np.float64(gamma[c]) if has_gamma else 1.0
            sg = 0.0
            sgx = 0.0
            for i in range(I):
                d = np.float64(xr[i]) - cen[i]
                gi = np.float64(gr[i])
                a1[i] += gi * gc
                a2[i] += gi * gc * d
                sg += gi
                sgx += gi * d * iv[i]
            sum_g[c] += sg
            sum_gxhat[c] += sgx
        for c in range(C):
            xr = x[base + c * I:base + (c + 1) * I]
            gr = g[base + c * I:base + (c + 1) * I]
            dr = out[base + c * I:base + (c + 1) * I]
            gc = np.float64(gamma[c]) if has_gamma else 1.0
            for i in range(I):
                b0 = iv[i] * a1[i] / C if mode == 0 else 0.0
                dr[i] = np.float64(gr[i]) * gc * iv[i] - b0 - (np.float64(xr[i]) - cen[i]) * kv[i] * a2[i]


@njit(cache=True, parallel=_PARALLEL)
def _backward_parallel(g, x, C, I, O, mode, center, inv, k3, gamma, has_gamma, out, sums_g, sums_gxhat, nchunks):
    for k in prange(nchunks):
        o0, o1 = _bound(O, nchunks, k), _bound(O, nchunks, k + 1)
        if I == 1:
            _backward_rows(g, x, C, o0, o1, mode, center, inv, k3, gamma, has_gamma, out, sums_g[k],
                           sums_gxhat[k])
        else:
            _backward_strided(g, x, C, I, o0, o1, mode, center, inv, k3, gamma, has_gamma, out, sums_g[k],
                              sums_gxhat[k])


# --------------------------------------------------------------------------------------------- wrappers
def _check_x(name, x):
    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.dtype not in (np.float32, np.float64) \
            or not x.flags.c_contiguous:
        raise ValueError(f"`{name}` must be a C-contiguous float32 or float64 array of shape (O, C, I); "
                         f"received {type(x).__name__} of shape {getattr(x, 'shape', None)}, "
                         f"dtype {getattr(x, 'dtype', None)}.")


def _check(name, arr, shape, dtype):
    if not isinstance(arr, np.ndarray) or arr.shape != shape or arr.dtype != dtype or not arr.flags.c_contiguous:
        raise ValueError(f"`{name}` must be a C-contiguous {np.dtype(dtype)} array of shape {shape}; received "
                         f"{type(arr).__name__} of shape {getattr(arr, 'shape', None)}, "
                         f"dtype {getattr(arr, 'dtype', None)}.")


def _vector(name, v, C, dtype):
    if v is None:
        return np.zeros(0, dtype), False
    _check(name, v, (C,), dtype)
    return v, True


def _nchunks(x):
    return max(1, min(threads_for(x.size), x.shape[0]))


def row_norm_forward(x, mode, epsilon, gamma, beta, out, center, inv, k3):
    """Normalize each (o, i) of x (O, C, I) over its C features into `out` (x's shape and dtype).

    gamma, beta: (C,) in x's dtype, or None. center, inv, k3: float64 (O * I,) outputs kept for the
    backward (see the module docstring).
    """
    _check_x("x", x)
    O, C, I = x.shape
    _check("out", out, x.shape, x.dtype)
    for name, arr in (("center", center), ("inv", inv), ("k3", k3)):
        _check(name, arr, (O * I,), np.float64)
    if mode not in (MODE_LAYER, MODE_RMS, MODE_UNIT):
        raise ValueError(f"`mode` must be MODE_LAYER, MODE_RMS or MODE_UNIT; received {mode!r}.")
    gamma, has_gamma = _vector("gamma", gamma, C, x.dtype)
    beta, has_beta = _vector("beta", beta, C, x.dtype)
    if x.size == 0:
        return
    nchunks = _nchunks(x)
    xf, of = x.reshape(-1), out.reshape(-1)
    if nchunks > 1:
        _forward_parallel(xf, C, I, O, mode, float(epsilon), gamma, has_gamma, beta, has_beta, of, center, inv,
                          k3, nchunks)
    elif I == 1:  # small arrays: no parallel region at all
        _forward_rows(xf, C, 0, O, mode, float(epsilon), gamma, has_gamma, beta, has_beta, of, center, inv, k3)
    else:
        _forward_strided(xf, C, I, 0, O, mode, float(epsilon), gamma, has_gamma, beta, has_beta, of, center,
                         inv, k3)


def row_norm_backward(g, x, mode, center, inv, k3, gamma, out):
    """dx into `out` (x's shape and dtype); returns (sum_g, sum_gxhat), float64 (C,): the gradients of
    beta and gamma. g has x's shape and dtype; center, inv, k3 come from `row_norm_forward`."""
    _check_x("x", x)
    O, C, I = x.shape
    _check("g", g, x.shape, x.dtype)
    _check("out", out, x.shape, x.dtype)
    for name, arr in (("center", center), ("inv", inv), ("k3", k3)):
        _check(name, arr, (O * I,), np.float64)
    gamma, has_gamma = _vector("gamma", gamma, C, x.dtype)
    nchunks = _nchunks(x)
    # one padded row of sums per chunk: chunks never write to the same cache line
    pad = (-C) % 8
    sums_g = np.zeros((nchunks, C + pad))[:, :C]
    sums_gxhat = np.zeros((nchunks, C + pad))[:, :C]
    gf, xf, of = g.reshape(-1), x.reshape(-1), out.reshape(-1)
    if x.size and nchunks > 1:
        _backward_parallel(gf, xf, C, I, O, mode, center, inv, k3, gamma, has_gamma, of, sums_g, sums_gxhat,
                           nchunks)
    elif x.size and I == 1:  # small arrays: no parallel region at all
        _backward_rows(gf, xf, C, 0, O, mode, center, inv, k3, gamma, has_gamma, of, sums_g[0], sums_gxhat[0])
    elif x.size:
        _backward_strided(gf, xf, C, I, 0, O, mode, center, inv, k3, gamma, has_gamma, of, sums_g[0],
                          sums_gxhat[0])
    return sums_g.sum(axis=0), sums_gxhat.sum(axis=0)

