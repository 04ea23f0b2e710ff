"""Plain float64 numpy twins of the batch-normalization kernels (tests and benchmarks only).

Same (O, C, I) layout and mask semantics as `rkeras.kernels.batch_norm`, written from the formulas:
  training  y = gamma * (x - mean) / sqrt(var + eps) + beta, biased var over the counted positions;
            moving = moving * momentum + stat * (1 - momentum);
  inference y uses the moving statistics; dx = gamma * g / sqrt(moving_var + eps);
  backward  dbeta = sum g, dgamma = sum g * xhat over ALL positions; in training
            dx = gamma * s * (g - w * (dbeta + xhat * dgamma) / n), s = 1 / sqrt(var + eps),
            w = 1 on counted positions, 0 on masked ones, n = number of counted positions.
"""

import numpy as np

__all__ = [
    "backward_input_ref",
    "backward_sums_ref",
    "batch_norm_backward_ref",
    "batch_norm_forward_ref",
    "moments_ref",
    "normalize_ref",
]


def _weights(x, mask):
    """Mask (O, I) as float64 weights broadcast over channels: shape (O, 1, I)."""
    if mask is None:
        return np.ones((x.shape[0], 1, x.shape[2]))
    return np.asarray(mask, dtype=np.float64).reshape(x.shape[0], 1, x.shape[2])


def _per_channel(v):
    return np.asarray(v, dtype=np.float64).reshape(1, -1, 1)


def moments_ref(x, mask=None):
    """Per-channel mean, biased variance and count of the counted positions (0, 0 when none count)."""
    x = np.asarray(x, dtype=np.float64)
    w = _weights(x, mask)
    count = float(w.sum())
    if count == 0:
        return np.zeros(x.shape[1]), np.zeros(x.shape[1]), 0.0
    # Masked positions are left out (not multiplied by 0), so a NaN there does not count.
    xw = np.where(w > 0, x, 0.0)
    mean = xw.sum(axis=(0, 2)) / count
    dev = np.where(w > 0, x - mean[None, :, None], 0.0)
    var = (dev * dev).sum(axis=(0, 2)) / count
    return mean, var, count


def normalize_ref(x, a, b, center=None):
    """x * a[c] + b[c], or a[c] * (x - center[c]) + b[c]."""
    x = np.asarray(x, dtype=np.float64)
    if center is not None:
        x = x - _per_channel(center)
    return x * _per_channel(a) + _per_channel(b)


def backward_sums_ref(g, x, mean, invstd):
    """(sum of g, sum of g * (x - mean) * invstd) per channel over all positions."""
    g = np.asarray(g, dtype=np.float64)
    xhat = (np.asarray(x, dtype=np.float64) - _per_channel(mean)) * _per_channel(invstd)
    return g.sum(axis=(0, 2)), (g * xhat).sum(axis=(0, 2))


def backward_input_ref(g, x, mask, k_g, k_x, k_0, center=None):
    """k_g[c] * g + w * (k_x[c] * (x - center[c]) + k_0[c]) (center 0 if not given); masked positions
    get exactly k_g * g."""
    g = np.asarray(g, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if center is not None:
        x = x - _per_channel(center)
    term = _per_channel(k_x) * x + _per_channel(k_0)
    if mask is not None:
        term = np.where(_weights(x, mask) > 0, term, 0.0)
    return _per_channel(k_g) * g + term


def _defaults(C, moving_mean, moving_var):
    mm = np.zeros(C) if moving_mean is None else np.asarray(moving_mean, dtype=np.float64)
    mv = np.ones(C) if moving_var is None else np.asarray(moving_var, dtype=np.float64)
    return mm, mv


def batch_norm_forward_ref(x, gamma, beta, epsilon, mask=None, training=True, moving_mean=None,
                           moving_var=None, momentum=0.99):
    """Returns (y, new_moving_mean, new_moving_var), float64."""
    x = np.asarray(x, dtype=np.float64)
    mm, mv = _defaults(x.shape[1], moving_mean, moving_var)
    if training:
        mean, var, _ = moments_ref(x, mask)
        new_mm = mm * momentum + mean * (1 - momentum)
        new_mv = mv * momentum + var * (1 - momentum)
    else:
        mean, var = mm, mv
        new_mm, new_mv = mm.copy(), mv.copy()
    xhat = (x - _per_channel(mean)) / np.sqrt(_per_channel(var) + epsilon)
    y = _per_channel(gamma) * xhat + _per_channel(beta)
    return y, new_mm, new_mv


def batch_norm_backward_ref(g, x, gamma, epsilon, mask=None, training=True, moving_mean=None,
                            moving_var=None):
    """Returns (dx, dgamma, dbeta), float64, for upstream gradient g of the forward's y."""
    g = np.asarray(g, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    gamma = _per_channel(gamma)
    if training:
        mean, var, n = moments_ref(x, mask)
    else:
        mean, var = _defaults(x.shape[1], moving_mean, moving_var)
        n = 0.0
    s = 1.0 / np.sqrt(_per_channel(var) + epsilon)
    xhat = (x - _per_channel(mean)) * s
    dbeta = g.sum(axis=(0, 2))
    dgamma = (g * xhat).sum(axis=(0, 2))
    if training and n > 0:
        coupled = (_per_channel(dbeta) + xhat * _per_channel(dgamma)) / n
        coupled = np.where(_weights(x, mask) > 0, coupled, 0.0)
        dx = gamma * s * (g - coupled)
    else:  # inference, or nothing counted: the statistics are constants
        dx = gamma * s * g
    return dx, dgamma, dbeta
