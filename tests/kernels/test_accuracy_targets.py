"""Accuracy targets of issue 5, checked through the public layer (not the kernels).

`rk.layer_batch_normalization(momentum=0)` trained once stores the batch statistics as its moving
statistics, so the float32 batch variance the layer computed can be read back and compared with float64
statistics of the same float32 data:
  |mean| / std = 1e3  ->  relative error of the variance <= 1e-6
  |mean| / std = 1e6  ->  relative error of the variance <= 1e-5
for every layout the layer maps onto the kernels (dense, channels-last, channels-first through `axis = 2`,
several non-adjacent axes, a masked sequence). NaN in an input reaches only its own channel, in the
outputs, the moving statistics and the gradients of `rk.vjp()`; a NaN at a masked position is not
counted. The kernel-level versions of these checks live in test_batch_norm_kernels.py.
"""

import numpy as np
import pytest

import rkeras as rk

# (name, input shape, R axis, mask shape or None)
LAYOUTS = [
    ("dense", (65536, 4), -1, None),
    ("channels_last", (16, 32, 32, 4), -1, None),
    ("channels_first", (16, 4, 64, 64), 2, None),
    ("two_axes", (64, 4, 32, 3), [2, 4], None),
    ("masked_sequence", (64, 512, 4), -1, (64, 512)),
    ("dense_wide", (4099, 64), -1, None),  # C >= 64: the four-row walk of the moments
    ("masked_wide", (33, 125, 64), -1, (33, 125)),
]
# (mean, std, tolerance): |mean| / std = 1e3 and 1e6
STATS = [(1e3, 1.0, 1e-6), (-1e3, 1.0, 1e-6), (1e4, 1e-2, 1e-5), (-1e6, 1.0, 1e-5)]


def normalized_axes(shape, axis):
    axes = axis if isinstance(axis, list) else [axis]
    return tuple(a - 1 if a > 0 else len(shape) + a for a in axes)


def float64_statistics(x, axes, mask=None):
    """Mean and biased variance over every axis but `axes`, in float64, counting unmasked positions."""
    x = x.astype(np.float64)
    reduce = tuple(a for a in range(x.ndim) if a not in axes)
    if mask is None:
        return x.mean(axis=reduce), x.var(axis=reduce)
    w = np.broadcast_to(np.expand_dims(mask, tuple(axes)), x.shape)
    n = w.sum(axis=reduce)
    mean = np.where(w, x, 0.0).sum(axis=reduce) / n
    dev = np.where(w, x - np.expand_dims(mean, reduce), 0.0)
    return mean, (dev * dev).sum(axis=reduce) / n


def train_once(x, axis, mask=None):
    layer = rk.layer_batch_normalization(axis=axis, momentum=0)
    kwargs = {} if mask is None else {"mask": mask}
    y = layer(x, training=True, **kwargs)
    return layer, y


@pytest.mark.parametrize("loc, scale, tol", STATS)
@pytest.mark.parametrize("name, shape, axis, mask_shape", LAYOUTS, ids=[lay[0] for lay in LAYOUTS])
def test_float32_batch_variance_at_large_mean(name, shape, axis, mask_shape, loc, scale, tol):
    rng = np.random.default_rng(abs(int(loc)) + len(shape))
    x = rng.normal(loc, scale, shape).astype(np.float32)
    mask = None if mask_shape is None else rng.random(mask_shape) < 0.7
    layer, y = train_once(x, axis, mask)
    axes = normalized_axes(shape, axis)
    want_mean, want_var = float64_statistics(x, axes, mask)
    var = layer.moving_variance.numpy().astype(np.float64)
    mean = layer.moving_mean.numpy().astype(np.float64)
    assert layer.moving_variance.numpy().dtype == np.float32
    rel = np.abs(var - want_var) / want_var
    assert rel.max() <= tol, f"relative error of the variance {rel.max():.3g} > {tol:g} ({name})"
    # the mean is stored in float32: its error is bounded by that rounding, and a few std * tol
    mean_err = np.abs(mean - want_mean)
    assert np.all(mean_err <= np.abs(want_mean) * 2.0 ** -24 + tol * np.sqrt(want_var))
    # and the output is normalized with those statistics: per channel, mean ~ 0 and variance ~ var/(var+eps)
    y64 = y.astype(np.float64)
    got_mean, got_var = float64_statistics(y64, axes, mask)
    want_y_var = want_var / (want_var + 1e-3)
    # y = (x - mean) * invstd: float32 rounding of x near |loc| is amplified by invstd, so compare to that
    resolution = np.abs(loc) * 2.0 ** -23 / np.sqrt(want_var + 1e-3)
    assert np.all(np.abs(got_mean) <= 10 * resolution + 1e-5)
    assert np.all(np.abs(got_var - want_y_var) <= 10 * resolution + 1e-4)


@pytest.mark.parametrize("name, shape, axis, mask_shape", LAYOUTS, ids=[lay[0] for lay in LAYOUTS])
def test_nan_propagates_to_its_channel_only(name, shape, axis, mask_shape):
    rng = np.random.default_rng(7)
    x = rng.normal(size=shape).astype(np.float32)
    axes = normalized_axes(shape, axis)
    param_shape = tuple(shape[a] for a in axes)
    mask = None if mask_shape is None else rng.random(mask_shape) < 0.7
    # one NaN, at a counted position of the first channel (channel index 0 along the normalized axes)
    pos = [0] * len(shape)
    if mask is not None:
        pos[:2] = [int(i) for i in np.argwhere(mask)[0]]
    x[tuple(pos)] = np.nan
    nan_channel = np.zeros(param_shape, bool)
    nan_channel[(0,) * len(param_shape)] = True

    def by_channel(a):  # (channels..., everything else)
        rest = tuple(i for i in range(a.ndim) if i not in axes)
        return np.transpose(a, tuple(axes) + rest).reshape(param_shape + (-1,))

    layer, y = train_once(x, axis, mask)
    yc = by_channel(y)
    assert np.isnan(yc[nan_channel]).all() and np.isfinite(yc[~nan_channel]).all()
    for v in (layer.moving_mean, layer.moving_variance):
        assert np.isnan(v.numpy()[nan_channel]).all() and np.isfinite(v.numpy()[~nan_channel]).all()

    g = rng.normal(size=shape).astype(np.float32)
    layer2 = rk.layer_batch_normalization(axis=axis, momentum=0)
    _, dx, grads = rk.vjp(layer2, x, g, training=True, mask=mask)
    dxc = by_channel(dx)
    assert np.isnan(dxc[nan_channel]).all() and np.isfinite(dxc[~nan_channel]).all()
    dgamma = grads[layer2.gamma.path]
    assert np.isnan(dgamma[nan_channel]).all() and np.isfinite(dgamma[~nan_channel]).all()
    assert np.isfinite(grads[layer2.beta.path]).all()  # the sum of g does not see x

    # inference with the NaN statistics: only that channel is NaN
    yi = by_channel(layer(np.where(np.isnan(x), 0, x).astype(np.float32)))
    assert np.isnan(yi[nan_channel]).all() and np.isfinite(yi[~nan_channel]).all()


def test_nan_at_a_masked_position_is_not_counted():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(32, 64, 4)).astype(np.float32)
    mask = rng.random((32, 64)) < 0.7
    mask[3, 5] = False
    x[3, 5, :] = np.nan
    layer, y = train_once(x, -1, mask)
    want_mean, want_var = float64_statistics(x, (2,), mask)
    assert np.isfinite(layer.moving_mean.numpy()).all() and np.isfinite(layer.moving_variance.numpy()).all()
    np.testing.assert_allclose(layer.moving_variance.numpy(), want_var, rtol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), want_mean, rtol=1e-6, atol=1e-7)
    # the masked NaN position still gets an output (NaN: its own input), every other output is finite
    assert np.isnan(y[3, 5]).all()
    y[3, 5] = 0
    assert np.isfinite(y).all()
