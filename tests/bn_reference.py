"""An independent float64 batch-normalization reference on the original array axes (tests only)."""

import numpy as np


def expand_mask(mask, shape, axes):
    """A mask over the non-normalized axes as weights broadcast to the full input shape."""
    reduced = tuple(d for a, d in enumerate(shape) if a not in axes)
    m = np.broadcast_to(np.asarray(mask, dtype=np.float64), reduced)
    for a in axes:
        m = np.expand_dims(m, a)
    return np.broadcast_to(m, shape)


def bn_reference(x, axes, gamma=None, beta=None, moving_mean=None, moving_var=None, momentum=0.99,
                 epsilon=1e-3, training=True, mask=None, upstream=None):
    """Returns y, new moving mean/var, and (if upstream) dx, dgamma, dbeta — all float64."""
    x = np.asarray(x, dtype=np.float64)
    axes = tuple(sorted(axes))
    red = tuple(a for a in range(x.ndim) if a not in axes)
    pshape = tuple(x.shape[a] for a in axes)
    bshape = tuple(x.shape[a] if a in axes else 1 for a in range(x.ndim))
    gamma = np.ones(pshape) if gamma is None else np.asarray(gamma, np.float64)
    beta = np.zeros(pshape) if beta is None else np.asarray(beta, np.float64)
    mm = np.zeros(pshape) if moving_mean is None else np.asarray(moving_mean, np.float64)
    mv = np.ones(pshape) if moving_var is None else np.asarray(moving_var, np.float64)
    g_b, b_b = gamma.reshape(bshape), beta.reshape(bshape)
    if training:
        w = np.ones_like(x) if mask is None else expand_mask(mask, x.shape, axes)
        n = w.sum(axis=red, keepdims=True)
        safe = np.where(n > 0, n, 1.0)
        mean = np.where(n > 0, (w * x).sum(axis=red, keepdims=True) / safe, 0.0)
        var = np.where(n > 0, (w * (x - mean) ** 2).sum(axis=red, keepdims=True) / safe, 0.0)
        new_mm = mm * momentum + mean.reshape(pshape) * (1 - momentum)
        new_mv = mv * momentum + var.reshape(pshape) * (1 - momentum)
    else:
        w, n = None, None
        mean, var = mm.reshape(bshape), mv.reshape(bshape)
        new_mm, new_mv = mm, mv
    s = 1.0 / np.sqrt(var + epsilon)
    xhat = (x - mean) * s
    y = g_b * xhat + b_b
    if upstream is None:
        return y, new_mm, new_mv
    g = np.asarray(upstream, np.float64)
    dbeta = g.sum(axis=red, keepdims=True)
    dgamma = (g * xhat).sum(axis=red, keepdims=True)
    if training and np.all(n > 0):
        dx = g_b * s * (g - w * (dbeta + xhat * dgamma) / n)
    else:
        dx = g_b * s * g
    return y, new_mm, new_mv, dx, dgamma.reshape(pshape), dbeta.reshape(pshape)


def rel_err(a, b, floor=0.0) -> float:
    """max |a - b| / max(max |b|, floor): norm-wise relative error (0 when both are 0).

    `floor = 1` suits normalized outputs, which are O(1) by construction: with a degenerate batch
    (variance 0) they can all be tiny, and float32 rounding of `x * a + b` is then relative to 1.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.max(np.abs(b)), floor) if b.size else 0.0
    diff = np.max(np.abs(a - b)) if b.size else 0.0
    return diff / scale if scale > 0 else diff
