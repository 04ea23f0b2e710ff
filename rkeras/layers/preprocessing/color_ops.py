"""What the color augmentation layers share, as Keras 3 computes it (on JAX): value-range rescaling,
RGB to grayscale and HSV conversions, factor rules, and the vector-Jacobian product of a per-pixel
color map.

The HSV conversions are written so that they also run on complex arrays (every comparison reads the
real part): the Jacobian of a per-pixel map `f: R^C -> R^C` is then the complex-step derivative
`Im f(x + i h e_j) / h`, exact to rounding for the piecewise-smooth maps of hue and saturation, and the
input gradient is `J^T g` pixel by pixel (the same branch choices as the forward pass).
"""

import numpy as np

from ...conventions import check_float
from ...kernels.hsv import hsv_map_backward

GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # Keras' `rgb_to_grayscale` (tf.image's weights)


def value_range_arg(value_range, arg_name="value_range", sort=True):
    """Keras' `_set_value_range`: a list of 2 numbers, sorted (some layers keep the given order)."""
    if not isinstance(value_range, (list, tuple, np.ndarray)) or len(value_range) != 2:
        raise ValueError(f"`{arg_name}` must be a list of 2 numbers (low, high); received {value_range!r}.")
    values = [check_float(v, arg_name) for v in value_range]
    return tuple(sorted(values)) if sort else tuple(values)


def base_factor(factor, arg_name, bounds, lower_is_zero=False):
    """Keras' `BaseImagePreprocessingLayer._set_factor`: a number `f` in `bounds` gives
    `(max(-|f|, bounds[0]), |f|)`; a pair gives its sorted values (Keras only checks that the pair
    overlaps `bounds`; here both values must lie in it)."""
    lo, hi = bounds
    accepted = f"a number or a list of 2 numbers in [{lo:g}, {hi:g}]"
    if isinstance(factor, (list, tuple, np.ndarray)):
        if len(factor) != 2:
            raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
        values = [check_float(v, arg_name) for v in factor]
        if any(v < lo or v > hi for v in values):
            raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
        return tuple(sorted(values))
    if factor is None:
        raise ValueError(f"`{arg_name}` must be {accepted}; received None.")
    f = check_float(factor, arg_name)
    if f < lo or f > hi:
        raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
    if lower_is_zero:
        return (0.0, f)
    return (max(-abs(f), lo), abs(f))


def transform_value_range(x, original, target):
    """Keras' `_transform_value_range`, in the same order of operations."""
    if original[0] == target[0] and original[1] == target[1]:
        return x
    return ((x - original[0]) / (original[1] - original[0])) * (target[1] - target[0]) + target[0]


def value_range_scale(original, target):
    """d transform_value_range(x) / dx."""
    if original[0] == target[0] and original[1] == target[1]:
        return 1.0
    return (target[1] - target[0]) / (original[1] - original[0])


def check_channels(x, accepted, layer_name):
    if x.shape[-1] not in accepted:
        raise ValueError(f"Layer '{layer_name}' needs images with {' or '.join(map(str, accepted))} channels "
                         f"(RGB or grayscale); received {x.shape[-1]} channels.")


def grayscale(x):
    """Keras' `rgb_to_grayscale` of a channels-last batch: (N, H, W, 1); 1 channel passes through."""
    if x.shape[-1] == 1:
        return x
    w = np.asarray(GRAY_WEIGHTS, dtype=x.dtype)
    return (x @ w)[..., None].astype(x.dtype, copy=False)


def grayscale_backward(g, channels):
    """Adjoint of `grayscale` for `channels` input channels; `g` is (N, H, W, 1) or broadcastable."""
    if channels == 1:
        return g
    return g * np.asarray(GRAY_WEIGHTS, dtype=g.dtype)


# ------------------------------------------------------------------- complex-safe HSV (Keras' dm_pix formulas)
def _where(cond, a, b):
    return np.where(cond, a, b)


def _max(a, b):
    return _where(a.real >= b.real, a, b)


def _min(a, b):
    return _where(a.real <= b.real, a, b)


def _abs(z):
    return _where(z.real < 0, -z, z)


def _clip(z, low, high):
    return _where(z.real < low, low, _where(z.real > high, high, z)).astype(z.dtype, copy=False)


def rgb_to_hsv(x, eps):
    """(…, 3) RGB to (…, 3) HSV, as Keras' `rgb_to_hsv` (values below `eps` in magnitude read as 0)."""
    x = _where(np.abs(x.real) < eps, 0.0, x).astype(x.dtype, copy=False)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    value = _max(_max(r, g), b)
    minimum = _min(_min(r, g), b)
    range_ = value - minimum
    safe_value = _where(value.real > 0, value, 1.0).astype(x.dtype, copy=False)
    safe_range = _where(range_.real > 0, range_, 1.0).astype(x.dtype, copy=False)
    saturation = _where(value.real > 0, range_ / safe_value, 0.0).astype(x.dtype, copy=False)
    norm = 1.0 / (6.0 * safe_range)
    hue = _where(value.real == g.real, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = _where(value.real == r.real, norm * (g - b), hue)
    hue = _where(range_.real > 0, hue, 0.0) + (hue.real < 0.0).astype(x.real.dtype)
    return np.stack([hue.astype(x.dtype, copy=False), saturation, value], axis=-1)


def hsv_to_rgb(x):
    """(…, 3) HSV to RGB, as Keras' `hsv_to_rgb`."""
    hue, saturation, value = x[..., 0], x[..., 1], x[..., 2]
    dh = (hue - np.floor(hue.real)) * 6.0
    dr = _clip(_abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = _clip(2.0 - _abs(dh - 2.0), 0.0, 1.0)
    db = _clip(2.0 - _abs(dh - 4.0), 0.0, 1.0)
    one_minus_s = 1.0 - saturation
    return np.stack([value * (one_minus_s + saturation * dr), value * (one_minus_s + saturation * dg),
                     value * (one_minus_s + saturation * db)], axis=-1).astype(x.dtype, copy=False)


def hsv_backward(mode, x, params, value_range, eps):
    """The input-gradient function of the hue or saturation map of `x` (N, H, W, 3), by the numba
    kernel `kernels.hsv.hsv_map_backward` (whose numpy twin is `pixel_map`)."""
    low, high = (float(v) for v in value_range)

    def back(g):
        dx = np.empty((x.size // 3, 3), dtype=np.float64)
        hsv_map_backward(np.ascontiguousarray(x.reshape(-1, 3), dtype=np.float64),
                         np.ascontiguousarray(g.reshape(-1, 3), dtype=np.float64), params,
                         x.shape[1] * x.shape[2], mode, low, high, float(eps), dx)
        return dx.reshape(x.shape).astype(g.dtype, copy=False)

    return back


def pixel_map(fn, x):
    """`fn(x)` for a per-pixel map of channels-last images, and its input-gradient function: the numpy
    twin of the kernel in `kernels.hsv` (used by the tests).

    `fn` must accept complex arrays (see the module docstring); the Jacobian (…, C, C) is taken by
    complex steps in float64 only when the backward runs."""
    y = fn(x)
    step = 1e-30

    def back(g):
        xc = x.astype(np.complex128)
        channels = x.shape[-1]
        dx = np.zeros(x.shape, dtype=np.float64)
        g64 = g.astype(np.float64)
        for j in range(channels):
            xj = xc.copy()
            xj[..., j] += 1j * step
            column = fn(xj).imag / step  # d y[..., i] / d x[..., j]
            dx[..., j] = (column * g64).sum(axis=-1)
        return dx.astype(g.dtype, copy=False)

    return y, back


def clip_with_mask(x, low, high):
    """`np.clip` and the mask where its gradient passes (JAX passes it at the bounds too)."""
    return np.clip(x, low, high), (x >= low) & (x <= high)
