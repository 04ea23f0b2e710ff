"""Plain float64 numpy twins of the layer, RMS, unit and group normalization kernels (tests and
benchmarks only), written from the formulas on the kernels' views.

Row norms, on (O, C, I) with statistics over C per (o, i):
  layer  y = gamma * (x - mean) / sqrt(var + eps) + beta (biased var)
  rms    y = gamma * x / sqrt(mean(x^2) + eps)
  unit   y = x * min(1 / sqrt(sum(x^2)), 1 / eps)
Group norm, on (N, A, C, B) with statistics per (n, group of C // G channels) over (A, C // G, B):
  y = gamma[c] * (x - mean) / sqrt(var + eps) + beta[c].
Backward twins differentiate these expressions directly (xhat and the statistics' derivatives).
"""

import numpy as np

__all__ = ["group_norm_backward_ref", "group_norm_forward_ref", "row_norm_backward_ref", "row_norm_forward_ref"]


def _vec(v, C):
    return np.ones(C) if v is None else np.asarray(v, np.float64)


def _row_stats(x, mode, eps):
    """center (O, 1, I), inv (O, 1, I) and whether inv varies with x (False where unit norm clamps)."""
    C = x.shape[1]
    if mode == 0:
        mean = x.mean(axis=1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
        return mean, 1.0 / np.sqrt(var + eps), np.ones_like(mean, bool)
    ss = (x * x).sum(axis=1, keepdims=True)
    if mode == 1:
        return np.zeros_like(ss), 1.0 / np.sqrt(ss / C + eps), np.ones_like(ss, bool)
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.sqrt(ss)
    live = ~(inv > 1.0 / eps)
    return np.zeros_like(ss), np.where(live, inv, 1.0 / eps), live


def row_norm_forward_ref(x, mode, eps, gamma=None, beta=None):
    x = np.asarray(x, np.float64)
    C = x.shape[1]
    center, inv, _ = _row_stats(x, mode, eps)
    y = (x - center) * inv * _vec(gamma, C).reshape(1, C, 1)
    if beta is not None:
        y = y + np.asarray(beta, np.float64).reshape(1, C, 1)
    return y


def row_norm_backward_ref(g, x, mode, eps, gamma=None):
    """(dx, dgamma, dbeta), float64."""
    x = np.asarray(x, np.float64)
    g = np.asarray(g, np.float64)
    C = x.shape[1]
    center, inv, live = _row_stats(x, mode, eps)
    d = x - center
    G = g * _vec(gamma, C).reshape(1, C, 1)
    dx = G * inv
    if mode == 0:  # d/dx of the mean and of the variance
        xhat = d * inv
        dx = inv * (G - G.mean(axis=1, keepdims=True) - xhat * (G * xhat).mean(axis=1, keepdims=True))
    else:  # inv = (S + e)^(-1/2), S = sum(x^2) / n: d inv / dx = -inv^3 x / n
        n = C if mode == 1 else 1
        dx = dx - np.where(live, d * inv ** 3 / n * (G * d).sum(axis=1, keepdims=True), 0.0)
    return dx, (g * d * inv).sum(axis=(0, 2)), g.sum(axis=(0, 2))


def _group_view(x, groups):
    N, A, C, B = x.shape
    return x.reshape(N, A, groups, C // groups, B)


def group_norm_forward_ref(x, groups, eps, gamma=None, beta=None):
    x = np.asarray(x, np.float64)
    C = x.shape[2]
    xg = _group_view(x, groups)
    mean = xg.mean(axis=(1, 3, 4), keepdims=True)
    var = ((xg - mean) ** 2).mean(axis=(1, 3, 4), keepdims=True)
    y = ((xg - mean) / np.sqrt(var + eps)).reshape(x.shape) * _vec(gamma, C).reshape(1, 1, C, 1)
    if beta is not None:
        y = y + np.asarray(beta, np.float64).reshape(1, 1, C, 1)
    return y


def group_norm_backward_ref(g, x, groups, eps, gamma=None):
    """(dx, dgamma, dbeta), float64."""
    x = np.asarray(x, np.float64)
    g = np.asarray(g, np.float64)
    C = x.shape[2]
    xg = _group_view(x, groups)
    mean = xg.mean(axis=(1, 3, 4), keepdims=True)
    inv = 1.0 / np.sqrt(((xg - mean) ** 2).mean(axis=(1, 3, 4), keepdims=True) + eps)
    xhat = (xg - mean) * inv
    G = _group_view(g * _vec(gamma, C).reshape(1, 1, C, 1), groups)
    dx = inv * (G - G.mean(axis=(1, 3, 4), keepdims=True) - xhat * (G * xhat).mean(axis=(1, 3, 4), keepdims=True))
    gx = g * xhat.reshape(x.shape)
    return dx.reshape(x.shape), gx.sum(axis=(0, 1, 3)), g.sum(axis=(0, 1, 3))
