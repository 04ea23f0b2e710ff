"""Numba kernel of the input gradient of the HSV color maps of `RandomHue` and `RandomSaturation`
(Keras' `rgb_to_hsv` / `hsv_to_rgb` formulas): for each pixel, the Jacobian of the map from its 3
input channels to its 3 output channels by complex steps (`Im f(x + i h e_j) / h`, exact to rounding:
every branch is chosen on real parts, as in the forward pass), then `dx = J^T g`. The numpy twin is
`rkeras.layers.preprocessing.color_ops.pixel_map` with the layers' own maps; the tests compare them.

`mode` is MODE_HUE (turn the hue by `param[image]`, after rescaling `value_range` to [0, 1], then clip
to [0, 1] and rescale back) or MODE_SATURATION (multiply the saturation by `param[image]`, clip it to
`[low, high]`). Pixels are parallel (contiguous ranges).
"""

import numpy as np
from numba import njit, prange

__all__ = ["MODE_HUE", "MODE_SATURATION", "hsv_map_backward"]

MODE_HUE, MODE_SATURATION = 0, 1
STEP = 1e-30


@njit(cache=True, inline="always")
def _pick(cond, a, b):
    return a if cond else b


@njit(cache=True)
def _map(r, g, b, mode, param, low, high, eps):
    """One pixel's map on complex128 values; returns the 3 output channels."""
    if mode == MODE_HUE and not (low == 0.0 and high == 1.0):
        r, g, b = (r - low) / (high - low), (g - low) / (high - low), (b - low) / (high - low)
    r = _pick(abs(r.real) < eps, 0j, r)
    g = _pick(abs(g.real) < eps, 0j, g)
    b = _pick(abs(b.real) < eps, 0j, b)
    rg = _pick(r.real >= g.real, r, g)
    value = _pick(rg.real >= b.real, rg, b)
    rg = _pick(r.real <= g.real, r, g)
    minimum = _pick(rg.real <= b.real, rg, b)
    range_ = value - minimum
    safe_value = _pick(value.real > 0, value, 1.0 + 0j)
    safe_range = _pick(range_.real > 0, range_, 1.0 + 0j)
    sat = _pick(value.real > 0, range_ / safe_value, 0j)
    norm = 1.0 / (6.0 * safe_range)
    hue = _pick(value.real == g.real, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = _pick(value.real == r.real, norm * (g - b), hue)
    hue = _pick(range_.real > 0, hue, 0j) + (1.0 if hue.real < 0.0 else 0.0)
    if mode == MODE_HUE:
        hue = hue + param
        hue = _pick(hue.real > 1.0, hue - 1.0, hue)
        hue = _pick(hue.real < 0.0, hue + 1.0, hue)
    else:
        sat = sat * param
        sat = _pick(sat.real < low, low + 0j, _pick(sat.real > high, high + 0j, sat))
    dh = (hue - np.floor(hue.real)) * 6.0
    return (_channel(0, dh, value, sat, mode, low, high), _channel(1, dh, value, sat, mode, low, high),
            _channel(2, dh, value, sat, mode, low, high))


@njit(cache=True, inline="always")
def _channel(c, dh, value, sat, mode, low, high):
    """Output channel `c` of `hsv_to_rgb` (then, for hue, the clip and the rescaling)."""
    if c == 0:
        d = dh - 3.0
        d = _pick(d.real < 0, -d, d) - 1.0
    else:
        d = dh - (2.0 if c == 1 else 4.0)
        d = 2.0 - _pick(d.real < 0, -d, d)
    d = _pick(d.real < 0.0, 0j, _pick(d.real > 1.0, 1.0 + 0j, d))
    v = value * ((1.0 - sat) + sat * d)
    if mode == MODE_HUE:
        v = _pick(v.real < 0.0, 0j, _pick(v.real > 1.0, 1.0 + 0j, v))
        if not (low == 0.0 and high == 1.0):
            v = v * (high - low) + low
    return v


@njit(cache=True, parallel=True)
def hsv_map_backward(x, g, params, pixels_per_image, mode, low, high, eps, dx):
    """x, g, dx: (P, 3) float64; params: one float64 per image. Writes dx = J^T g."""
    total = x.shape[0]
    for p in prange(total):
        param = params[p // pixels_per_image]
        r, gr, b = x[p, 0], x[p, 1], x[p, 2]
        for j in range(3):
            o0, o1, o2 = _map(complex(r, STEP if j == 0 else 0.0), complex(gr, STEP if j == 1 else 0.0),
                              complex(b, STEP if j == 2 else 0.0), mode, param, low, high, eps)
            dx[p, j] = (o0.imag * g[p, 0] + o1.imag * g[p, 1] + o2.imag * g[p, 2]) / STEP
