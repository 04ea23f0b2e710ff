"""Numba kernels of group normalization (Wu & He, 2018) on a C-contiguous (N, A, C, B) view.

N is the batch, C the channels (the normalized axis), A the product of the axes between the batch and
the channels, B of the axes after them (channels-last images: (N, H*W, C, 1); channels-first:
(N, 1, C, H*W)). The C channels form G groups of C // G consecutive channels; the statistics of group g
of sample n are the mean and biased variance over its A * (C // G) * B values:
  y = (x - mean[n, g]) * inv[n, g] * gamma[c] + beta[c],  inv = 1 / sqrt(var + eps).
Backward, with G = gamma * g and n_g = A * (C // G) * B values per group,
  dx = inv * G - inv * sum(G) / n_g - (x - mean) * inv^3 * sum(G * (x - mean)) / n_g  (sums over the group)
  dgamma[c] = sum over n of inv[n, g] * sum(g * (x - mean)),  dbeta[c] = sum of g.

Samples run in parallel (one contiguous range of n per thread). Sums are float64 over x - shift (the
group's first value in the sample) or x - mean; the element-wise passes subtract the mean as a float32
value plus its float64 rounding error and never reassociate (see `row_norm`).
"""

import numpy as np
from numba import njit, prange

from .threads import threads_for

__all__ = ["group_norm_backward", "group_norm_forward"]

_FM = {"reassoc", "contract", "nsz", "arcp"}  # row sums only
_FM_ELEMENTWISE = {"contract"}
_PARALLEL = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
             "setitem": False, "numpy": False, "stencil": False, "fusion": False}


@njit(cache=True)
def _bound(total, nchunks, k):
    return total * np.int64(k) // nchunks


@njit(cache=True, fastmath=_FM)
def _sums(xr, shift):
    s = 0.0
    q = 0.0
    for j in range(xr.shape[0]):
        d = np.float64(xr[j]) - shift
        s += d
        q += d * d
    return s, q


@njit(cache=True, fastmath=_FM)
def _grad_sums(gr, xr, center):
    s = 0.0
    q = 0.0
    for j in range(xr.shape[0]):
        gj = np.float64(gr[j])
        s += gj
        q += gj * (np.float64(xr[j]) - center)
    return s, q


@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _channel_sums(x, n, A, C, B, shift_c, s, q):
    """Per-channel float64 sums of d = x - shift_c[c] and d^2 over sample n."""
    s[:] = 0.0
    q[:] = 0.0
    for a in range(A):
        base = (n * A + a) * C * B
        if B == 1:
            row = x[base:base + C]
            for c in range(C):
                d = np.float64(row[c]) - shift_c[c]
                s[c] += d
                q[c] += d * d
        else:
            for c in range(C):
                ss, qq = _sums(x[base + c * B:base + (c + 1) * B], shift_c[c])
                s[c] += ss
                q[c] += qq


@njit(cache=True, fastmath=_FM_ELEMENTWISE, error_model="numpy")
def _forward_samples(x, A, C, B, G, n0, n1, eps, gamma, has_gamma, beta, has_beta, out, mean, inv):
    Cg = C // G
    count = A * Cg * B
    s = np.empty(C)
    q = np.empty(C)
    shift_c = np.empty(C)
    k_a = np.empty(C, x.dtype)   # inv * gamma
    k_c = np.empty(C, x.dtype)   # the mean rounded to x's dtype
    k_d = np.empty(C, x.dtype)   # its rounding error
    k_b = np.empty(C, x.dtype)   # beta
    for n in range(n0, n1):
        for g in range(G):
            first = x[(n * A * C + g * Cg) * B]
            for c in range(g * Cg, (g + 1) * Cg):
                shift_c[c] = np.float64(first)
        _channel_sums(x, n, A, C, B, shift_c, s, q)
        for g in range(G):
            S = 0.0
            Q = 0.0
            for c in range(g * Cg, (g + 1) * Cg):
                S += s[c]
                Q += q[c]
            m = S / count
            var = Q / count - m * m
            if var < 0.0:  # noqa: PLR1730 (rounding only; NaN stays NaN)
                var = 0.0
            mu = shift_c[g * Cg] + m
            iv = 1.0 / np.sqrt(var + eps)
            mean[n, g] = mu
            inv[n, g] = iv
            mu_r = x.dtype.type(mu)
            for c in range(g * Cg, (g + 1) * Cg):
                k_a[c] = iv * (np.float64(gamma[c]) if has_gamma else 1.0)
                k_c[c] = mu_r
                k_d[c] = mu - np.float64(mu_r)
                k_b[c] = beta[c] if has_beta else 0.0
        for a in range(A):
            base = (n * A + a) * C * B
            if B == 1:
                row = x[base:base + C]
                yr = out[base:base + C]
                for c in range(C):
                    yr[c] = ((row[c] - k_c[c]) - k_d[c]) * k_a[c] + k_b[c]
            else:
                for c in range(C):
                    row = x[base + c * B:base + (c + 1) * B]
                    yr = out[base + c * B:base + (c + 1) * B]
                    ka, kc, kd, kb = k_a[c], k_c[c], k_d[c], k_b[c]
                    for j in range(B):
                        yr[j] = ((row[j] - kc) - kd) * ka + kb


@njit(cache=True, parallel=_PARALLEL)
def _forward_parallel(x, N, A, C, B, G, eps, gamma, has_gamma, beta, has_beta, out, mean, inv, nchunks):
    for k in prange(nchunks):
        _forward_samples(x, A, C, B, G, _bound(N, nchunks, k), _bound(N, nchunks, k + 1), eps, gamma,
                         has_gamma, beta, has_beta, out, mean, inv)


@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _backward_samples(g, x, A, C, B, G, n0, n1, mean, inv, gamma, has_gamma, out, sum_g, sum_gx):
    Cg = C // G
    count = A * Cg * B
    mean_c = np.empty(C)
    k_g = np.empty(C, x.dtype)
    k_c = np.empty(C, x.dtype)
    k_d = np.empty(C, x.dtype)
    k_0 = np.empty(C, x.dtype)
    k_x = np.empty(C, x.dtype)
    for n in range(n0, n1):
        sg = sum_g[n]
        sgx = sum_gx[n]
        for c in range(C):
            mean_c[c] = mean[n, c // Cg]
        sg[:] = 0.0
        sgx[:] = 0.0
        for a in range(A):
            base = (n * A + a) * C * B
            if B == 1:
                xr = x[base:base + C]
                gr = g[base:base + C]
                for c in range(C):
                    gj = np.float64(gr[c])
                    sg[c] += gj
                    sgx[c] += gj * (np.float64(xr[c]) - mean_c[c])
            else:
                for c in range(C):
                    s1, s2 = _grad_sums(g[base + c * B:base + (c + 1) * B], x[base + c * B:base + (c + 1) * B],
                                        mean_c[c])
                    sg[c] += s1
                    sgx[c] += s2
        for grp in range(G):
            m1 = 0.0
            m2 = 0.0
            for c in range(grp * Cg, (grp + 1) * Cg):
                gc = np.float64(gamma[c]) if has_gamma else 1.0
                m1 += gc * sg[c]
                m2 += gc * sgx[c]
            iv = inv[n, grp]
            mu = mean[n, grp]
            mu_r = x.dtype.type(mu)
            for c in range(grp * Cg, (grp + 1) * Cg):
                k_g[c] = iv * (np.float64(gamma[c]) if has_gamma else 1.0)
                k_0[c] = iv * m1 / count
                k_x[c] = iv * iv * iv * m2 / count
                k_c[c] = mu_r
                k_d[c] = mu - np.float64(mu_r)
        for a in range(A):
            base = (n * A + a) * C * B
            if B == 1:
                xr = x[base:base + C]
                gr = g[base:base + C]
                dr = out[base:base + C]
                for c in range(C):
                    dr[c] = gr[c] * k_g[c] - k_0[c] - ((xr[c] - k_c[c]) - k_d[c]) * k_x[c]
            else:
                for c in range(C):
                    xr = x[base + c * B:base + (c + 1) * B]
                    gr = g[base + c * B:base + (c + 1) * B]
                    dr = out[base + c * B:base + (c + 1) * B]
                    kg, k0, kx, kc, kd = k_g[c], k_0[c], k_x[c], k_c[c], k_d[c]
                    for j in range(B):
                        dr[j] = gr[j] * kg - k0 - ((xr[j] - kc) - kd) * kx


@njit(cache=True, parallel=_PARALLEL)
def _backward_parallel(g, x, N, A, C, B, G, mean, inv, gamma, has_gamma, out, sum_g, sum_gx, nchunks):
    for k in prange(nchunks):
        _backward_samples(g, x, A, C, B, G, _bound(N, nchunks, k), _bound(N, nchunks, k + 1), mean, inv, gamma,
                          has_gamma, out, sum_g, sum_gx)


# --------------------------------------------------------------------------------------------- wrappers
def _check(name, arr, shape, dtype):
    if not isinstance(arr, np.ndarray) or arr.shape != shape or arr.dtype != dtype or not arr.flags.c_contiguous:
        raise ValueError(f"`{name}` must be a C-contiguous {np.dtype(dtype)} array of shape {shape}; received "
                         f"{type(arr).__name__} of shape {getattr(arr, 'shape', None)}, "
                         f"dtype {getattr(arr, 'dtype', None)}.")


def _check_x(x, groups):
    if not isinstance(x, np.ndarray) or x.ndim != 4 or x.dtype not in (np.float32, np.float64) \
            or not x.flags.c_contiguous:
        raise ValueError(f"`x` must be a C-contiguous float32 or float64 array of shape (N, A, C, B); received "
                         f"{type(x).__name__} of shape {getattr(x, 'shape', None)}, dtype {getattr(x, 'dtype', None)}.")
    if not isinstance(groups, (int, np.integer)) or groups < 1 or x.shape[2] % groups:
        raise ValueError(f"`groups` must be a positive divisor of the {x.shape[2]} channels; received {groups!r}.")


def _vector(name, v, C, dtype):
    if v is None:
        return np.zeros(0, dtype), False
    _check(name, v, (C,), dtype)
    return v, True


def _nchunks(x):
    return max(1, min(threads_for(x.size), x.shape[0]))


def group_norm_forward(x, groups, epsilon, gamma, beta, out, mean, inv):
    """Group-normalize x (N, A, C, B) into `out` (x's shape and dtype); gamma, beta: (C,) in x's dtype or
    None; mean, inv: float64 (N, groups) outputs kept for the backward."""
    _check_x(x, groups)
    N, A, C, B = x.shape
    _check("out", out, x.shape, x.dtype)
    _check("mean", mean, (N, groups), np.float64)
    _check("inv", inv, (N, groups), np.float64)
    gamma, has_gamma = _vector("gamma", gamma, C, x.dtype)
    beta, has_beta = _vector("beta", beta, C, x.dtype)
    if x.size == 0:
        return
    nchunks = _nchunks(x)
    if nchunks > 1:
        _forward_parallel(x.reshape(-1), N, A, C, B, int(groups), float(epsilon), gamma, has_gamma, beta,
                          has_beta, out.reshape(-1), mean, inv, nchunks)
    else:  # small arrays: no parallel region at all
        _forward_samples(x.reshape(-1), A, C, B, int(groups), 0, N, float(epsilon), gamma, has_gamma, beta,
                         has_beta, out.reshape(-1), mean, inv)


def group_norm_backward(g, x, groups, mean, inv, gamma, out):
    """dx into `out`; returns (dgamma, dbeta) as float64 (C,). g has x's shape and dtype."""
    _check_x(x, groups)
    N, A, C, B = x.shape
    _check("g", g, x.shape, x.dtype)
    _check("out", out, x.shape, x.dtype)
    _check("mean", mean, (N, groups), np.float64)
    _check("inv", inv, (N, groups), np.float64)
    gamma, has_gamma = _vector("gamma", gamma, C, x.dtype)
    sum_g = np.zeros((N, C))
    sum_gx = np.zeros((N, C))
    nchunks = _nchunks(x)
    if x.size and nchunks > 1:
        _backward_parallel(g.reshape(-1), x.reshape(-1), N, A, C, B, int(groups), mean, inv, gamma, has_gamma,
                           out.reshape(-1), sum_g, sum_gx, nchunks)
    elif x.size:  # small arrays: no parallel region at all
        _backward_samples(g.reshape(-1), x.reshape(-1), A, C, B, int(groups), 0, N, mean, inv, gamma, has_gamma,
                          out.reshape(-1), sum_g, sum_gx)
    inv_c = np.repeat(inv, C // groups, axis=1)
    return (sum_gx * inv_c).sum(axis=0), sum_g.sum(axis=0)
