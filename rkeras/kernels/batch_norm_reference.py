"""The plain float64 numpy twin of batch normalization (tests and benchmarks only), on any axes.

Written from the formulas, on the original array axes (`axes`: the 0-based normalized axes; the kernels'
(O, C, I) view is `axes=(1,)`); a mask is over the other axes (broadcastable to their shape), True where a
position counts in the statistics:
  training  y = gamma * (x - mean) / sqrt(var + eps) + beta, biased var over the counted positions (mean
            and var 0 when none counts); moving = moving * momentum + stat * (1 - momentum);
  inference y uses the moving statistics; dx = gamma * g / sqrt(moving_var + eps);
  backward  dbeta = sum g, dgamma = sum g * xhat over ALL positions; in training, when some position
            counts, dx = gamma * s * (g - w * (dbeta + xhat * dgamma) / n), s = 1 / sqrt(var + eps),
            w = 1 on counted positions, 0 on masked ones, n = number of counted positions.
Masked positions are left out (not multiplied by 0), so a NaN there does not count.
"""

import numpy as np

__all__ = ["backward_sums_ref", "batch_norm_ref", "moments_ref"]


def _reduced_axes(x, axes):
    return tuple(a for a in range(x.ndim) if a not in axes)


def _weights(x, axes, mask):
    """The mask as float64 weights broadcast to x's shape (ones without a mask)."""
    if mask is None:
        return np.ones(x.shape)
    reduced = tuple(d for a, d in enumerate(x.shape) if a not in axes)
    w = np.broadcast_to(np.asarray(mask, dtype=np.float64), reduced)
    for a in axes:
        w = np.expand_dims(w, a)
    return np.broadcast_to(w, x.shape)


def _broadcast(v, x, axes):
    """A per-channel array (the normalized axes' shape) broadcast against x."""
    return np.asarray(v, dtype=np.float64).reshape(tuple(x.shape[a] if a in axes else 1 for a in range(x.ndim)))


def moments_ref(x, axes=(1,), mask=None):
    """Per-channel mean, biased variance (the normalized axes' shape) and count of the counted positions."""
    x = np.asarray(x, dtype=np.float64)
    axes = tuple(sorted(axes))
    red = _reduced_axes(x, axes)
    counted = _weights(x, axes, mask) > 0
    count = float(counted.sum() / np.prod([x.shape[a] for a in axes])) if x.size else 0.0
    pshape = tuple(x.shape[a] for a in axes)
    if count == 0:
        return np.zeros(pshape), np.zeros(pshape), 0.0
    mean = np.where(counted, x, 0.0).sum(axis=red, keepdims=True) / count
    dev = np.where(counted, x - mean, 0.0)
    var = (dev * dev).sum(axis=red, keepdims=True) / count
    return mean.reshape(pshape), var.reshape(pshape), count


def backward_sums_ref(g, x, mean, invstd, axes=(1,)):
    """(sum of g, sum of g * (x - mean) * invstd) per channel over all positions."""
    g, x = np.asarray(g, dtype=np.float64), np.asarray(x, dtype=np.float64)
    axes = tuple(sorted(axes))
    red = _reduced_axes(x, axes)
    xhat = (x - _broadcast(mean, x, axes)) * _broadcast(invstd, x, axes)
    pshape = tuple(x.shape[a] for a in axes)
    return g.sum(axis=red).reshape(pshape), (g * xhat).sum(axis=red).reshape(pshape)


def batch_norm_ref(x, axes=(1,), gamma=None, beta=None, moving_mean=None, moving_var=None, momentum=0.99,
                   epsilon=1e-3, training=True, mask=None, upstream=None):
    """Returns y, the new moving mean and variance, and (with `upstream`, the gradient of y) dx, dgamma,
    dbeta; all float64. gamma, beta, moving mean and variance default to ones, zeros, zeros, ones."""
    x = np.asarray(x, dtype=np.float64)
    axes = tuple(sorted(axes))
    pshape = tuple(x.shape[a] for a in axes)
    gamma = np.ones(pshape) if gamma is None else np.asarray(gamma, np.float64).reshape(pshape)
    beta = np.zeros(pshape) if beta is None else np.asarray(beta, np.float64).reshape(pshape)
    mm = np.zeros(pshape) if moving_mean is None else np.asarray(moving_mean, np.float64).reshape(pshape)
    mv = np.ones(pshape) if moving_var is None else np.asarray(moving_var, np.float64).reshape(pshape)
    if training:
        mean, var, n = moments_ref(x, axes, mask)
        new_mm, new_mv = mm * momentum + mean * (1 - momentum), mv * momentum + var * (1 - momentum)
    else:
        mean, var, n = mm, mv, 0.0
        new_mm, new_mv = mm.copy(), mv.copy()
    s = 1.0 / np.sqrt(_broadcast(var, x, axes) + epsilon)
    xhat = (x - _broadcast(mean, x, axes)) * s
    y = _broadcast(gamma, x, axes) * xhat + _broadcast(beta, x, axes)
    if upstream is None:
        return y, new_mm, new_mv
    g = np.asarray(upstream, np.float64)
    red = _reduced_axes(x, axes)
    dbeta = g.sum(axis=red, keepdims=True)
    dgamma = (g * xhat).sum(axis=red, keepdims=True)
    if training and n > 0:
        coupled = np.where(_weights(x, axes, mask) > 0, (dbeta + xhat * dgamma) / n, 0.0)
        dx = _broadcast(gamma, x, axes) * s * (g - coupled)
    else:  # inference, or nothing counted: the statistics are constants
        dx = _broadcast(gamma, x, axes) * s * g
    return y, new_mm, new_mv, dx, dgamma.reshape(pshape), dbeta.reshape(pshape)
