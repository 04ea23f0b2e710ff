"""Transposed, depthwise, separable and 3-D convolutions: against independent float64 loop twins written
from the definitions, through the shared harness (finite differences in float64 on the input and every
weight, config round trip, float16), both data formats; errors raised before any state exists."""

import numpy as np
import pytest
from layer_harness import run_layer_test

from rkeras.api.layers_convolutional import (
    layer_conv_1d_transpose,
    layer_conv_2d_transpose,
    layer_conv_3d,
    layer_depthwise_conv_2d,
    layer_separable_conv_2d,
)
from rkeras.layers.convolutional.base_conv_transpose import transpose_padding
from rkeras.layers.convolutional.conv1d_transpose import Conv1DTranspose
from rkeras.layers.convolutional.conv2d_transpose import Conv2DTranspose
from rkeras.layers.convolutional.conv3d import Conv3D
from rkeras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from rkeras.layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from rkeras.layers.convolutional.separable_conv1d import SeparableConv1D
from rkeras.layers.convolutional.separable_conv2d import SeparableConv2D


# --------------------------------------------------------------------------------------------- twins
def _same_pad(size, k, s, d):
    span = (k - 1) * d + 1
    out = -(-size // s)
    return out, max((out - 1) * s + span - size, 0) // 2


def _window(size, k, s, d, padding):
    if padding == "valid":
        return (size - ((k - 1) * d + 1)) // s + 1, 0
    return _same_pad(size, k, s, d)


def conv_transpose_twin(x, kernel, bias, strides, dilation, padding, output_padding):
    """Scatter loops in float64 over a channels-last batch, from Keras' (JAX) definition: the stride-dilated
    input, padded by (left, right), convolved with the spatially flipped kernel."""
    x, kernel = np.asarray(x, np.float64), np.asarray(kernel, np.float64)
    n, spatial, cin = x.shape[0], x.shape[1:-1], x.shape[-1]
    ksize, f = kernel.shape[:-2], kernel.shape[-2]
    ops = output_padding or (None,) * len(spatial)
    pads = [transpose_padding(k, s, d, padding, op) for k, s, d, op in zip(ksize, strides, dilation, ops)]
    dilated = [(m - 1) * s + 1 for m, s in zip(spatial, strides)]
    z = np.zeros((n,) + tuple(dl + l + r for dl, (l, r) in zip(dilated, pads)) + (cin,))
    index = (slice(None),) + tuple(slice(l, l + dl, s) for (l, _), dl, s in zip(pads, dilated, strides))
    z[index] = x
    span = [(k - 1) * d + 1 for k, d in zip(ksize, dilation)]
    out_sp = [zs - sp + 1 for zs, sp in zip(z.shape[1:-1], span)]
    flipped = kernel[tuple(slice(None, None, -1) for _ in ksize)]
    y = np.zeros((n,) + tuple(out_sp) + (f,))
    for taps in np.ndindex(*ksize):
        sl = (slice(None),) + tuple(slice(t * d, t * d + o) for t, d, o in zip(taps, dilation, out_sp))
        y += z[sl] @ flipped[taps].T
    return y + (0 if bias is None else bias)


def depthwise_twin(x, kernel, bias, strides, dilation, padding):
    """Loops in float64 over a channels-last batch: output channel c*dm + m reads input channel c."""
    x, kernel = np.asarray(x, np.float64), np.asarray(kernel, np.float64)
    n, spatial, c = x.shape[0], x.shape[1:-1], x.shape[-1]
    ksize, dm = kernel.shape[:-2], kernel.shape[-1]
    geo = [_window(m, k, s, d, padding) for m, k, s, d in zip(spatial, ksize, strides, dilation)]
    y = np.zeros((n,) + tuple(o for o, _ in geo) + (c * dm,))
    for pos in np.ndindex(*[o for o, _ in geo]):
        for taps in np.ndindex(*ksize):
            src = [p * s - pad + t * d for p, s, (_, pad), t, d in zip(pos, strides, geo, taps, dilation)]
            if all(0 <= v < m for v, m in zip(src, spatial)):
                vals = x[(slice(None),) + tuple(src)]  # (n, c)
                y[(slice(None),) + pos] += (vals[:, :, None] * kernel[taps][None]).reshape(n, c * dm)
    return y + (0 if bias is None else bias)


def conv3d_twin(x, kernel, bias, strides, dilation, padding, groups=1):
    x, kernel = np.asarray(x, np.float64), np.asarray(kernel, np.float64)
    n, spatial = x.shape[0], x.shape[1:-1]
    ksize, cg, f = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    fg = f // groups
    geo = [_window(m, k, s, d, padding) for m, k, s, d in zip(spatial, ksize, strides, dilation)]
    y = np.zeros((n,) + tuple(o for o, _ in geo) + (f,))
    for pos in np.ndindex(*[o for o, _ in geo]):
        for taps in np.ndindex(*ksize):
            src = [p * s - pad + t * d for p, s, (_, pad), t, d in zip(pos, strides, geo, taps, dilation)]
            if all(0 <= v < m for v, m in zip(src, spatial)):
                vals = x[(slice(None),) + tuple(src)]
                for g in range(groups):
                    y[(slice(None),) + pos + (slice(g * fg, (g + 1) * fg),)] += \
                        vals[:, g * cg:(g + 1) * cg] @ kernel[taps][:, g * fg:(g + 1) * fg]
    return y + (0 if bias is None else bias)


def _random_weights(layer, rng):
    for v in layer.weights:
        v.assign(rng.normal(size=v.shape))


def _cf(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


# --------------------------------------------------------------------------------------------- transposed
CASES_T2D = [  # kernel, strides, dilation, padding, output_padding
    ((3, 3), (1, 1), (1, 1), "valid", None),
    ((3, 2), (2, 3), (1, 1), "valid", None),
    ((2, 2), (3, 3), (1, 1), "valid", (1, 2)),
    ((3, 3), (2, 2), (1, 1), "same", None),
    ((4, 3), (2, 3), (1, 1), "same", (1, 0)),
    ((3, 2), (1, 1), (2, 1), "same", None),
    ((2, 3), (1, 1), (1, 2), "valid", None),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("ksize,strides,dilation,padding,output_padding", CASES_T2D)
def test_conv2d_transpose_matches_twin(ksize, strides, dilation, padding, output_padding, data_format):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 3, 3))
    layer = Conv2DTranspose(filters=2, kernel_size=ksize, strides=strides, dilation_rate=dilation, padding=padding,
                            output_padding=output_padding, data_format=data_format, dtype="float64")
    xin = x if data_format == "channels_last" else _cf(x)
    layer.build(xin.shape)
    _random_weights(layer, rng)
    ref = conv_transpose_twin(x, layer.kernel.numpy(), layer.bias.numpy(), strides, dilation, padding,
                              output_padding)
    y = layer(xin)
    y = y if data_format == "channels_last" else np.moveaxis(y, 1, -1)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("case", [0, 2, 4, 5])
def test_conv2d_transpose_harness(case, data_format):
    ksize, strides, dilation, padding, output_padding = CASES_T2D[case]
    shape = (2, 3, 2, 2) if data_format == "channels_last" else (2, 2, 3, 2)
    run_layer_test(Conv2DTranspose, shape,
                   init_kwargs={"filters": 2, "kernel_size": ksize, "strides": strides, "dilation_rate": dilation,
                                "padding": padding, "output_padding": output_padding, "data_format": data_format,
                                "activation": "tanh"},
                   expected_num_trainable_weights=2, supports_masking=False)


@pytest.mark.parametrize("strides,padding,output_padding,data_format", [
    (1, "valid", None, "channels_last"), (2, "same", None, "channels_first"), (3, "same", 2, "channels_last"),
    (2, "valid", 1, "channels_first")])
def test_conv1d_transpose_harness_and_twin(strides, padding, output_padding, data_format):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 3))
    xin = x if data_format == "channels_last" else _cf(x)
    init = {"filters": 2, "kernel_size": 3, "strides": strides, "padding": padding, "output_padding": output_padding,
            "data_format": data_format}
    out = run_layer_test(Conv1DTranspose, input_data=xin, dtype="float64", init_kwargs=init,
                         expected_num_trainable_weights=2, check_float16=False)
    layer = out["layer"]
    ref = conv_transpose_twin(x, layer.kernel.numpy(), layer.bias.numpy(), (strides,), (1,), padding,
                              None if output_padding is None else (output_padding,))
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)
    run_layer_test(Conv1DTranspose, xin.shape, init_kwargs=init, check_gradients=False, check_symbolic=False)


# --------------------------------------------------------------------------------------------- depthwise
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("ksize,strides,dilation,padding,dm", [
    ((3, 3), (1, 1), (1, 1), "valid", 1), ((3, 2), (2, 2), (1, 1), "same", 2), ((2, 2), (1, 1), (2, 1), "same", 3)])
def test_depthwise_conv2d_matches_twin_and_harness(ksize, strides, dilation, padding, dm, data_format):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 4, 3))
    xin = x if data_format == "channels_last" else _cf(x)
    init = {"kernel_size": ksize, "strides": strides, "dilation_rate": dilation, "padding": padding,
            "depth_multiplier": dm, "data_format": data_format}
    layer = DepthwiseConv2D(**init, dtype="float64")
    layer.build(xin.shape)
    _random_weights(layer, rng)
    assert [w.name for w in layer.weights] == ["kernel", "bias"] and layer.kernel.shape == ksize + (3, dm)
    y = layer(xin)
    y = y if data_format == "channels_last" else np.moveaxis(y, 1, -1)
    np.testing.assert_allclose(y, depthwise_twin(x, layer.kernel.numpy(), layer.bias.numpy(), strides, dilation,
                                                 padding), rtol=1e-12, atol=1e-12)
    run_layer_test(DepthwiseConv2D, (2, 4, 3, 2) if data_format == "channels_last" else (2, 2, 4, 3),
                   init_kwargs={**init, "activation": "tanh"}, expected_num_trainable_weights=2)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_conv1d(data_format):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 7, 3))
    xin = x if data_format == "channels_last" else _cf(x)
    init = {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2, "data_format": data_format}
    out = run_layer_test(DepthwiseConv1D, input_data=xin, dtype="float64", init_kwargs=init, check_float16=False)
    layer = out["layer"]
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    np.testing.assert_allclose(y, depthwise_twin(x, layer.kernel.numpy(), layer.bias.numpy(), (2,), (1,), "same"),
                               rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------- separable
def _separable_twin(x, layer, strides, dilation, padding):
    d = depthwise_twin(x, layer.depthwise_kernel.numpy(), None, strides, dilation, padding)
    p = layer.pointwise_kernel.numpy()
    return d @ p.reshape(p.shape[-2], p.shape[-1]) + layer.bias.numpy()


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("strides,dilation,padding,dm", [((1, 1), (1, 1), "valid", 1), ((2, 1), (1, 1), "same", 2),
                                                        ((1, 1), (2, 2), "same", 1)])
def test_separable_conv2d(strides, dilation, padding, dm, data_format):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 5, 5, 2))
    xin = x if data_format == "channels_last" else _cf(x)
    init = {"filters": 3, "kernel_size": (3, 2), "strides": strides, "dilation_rate": dilation, "padding": padding,
            "depth_multiplier": dm, "data_format": data_format}
    out = run_layer_test(SeparableConv2D, input_data=xin, dtype="float64", init_kwargs={**init, "activation": "tanh"},
                         expected_num_trainable_weights=3, check_float16=False)
    layer = out["layer"]
    assert [w.name for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert layer.pointwise_kernel.shape == (1, 1, 2 * dm, 3)
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    np.testing.assert_allclose(y, np.tanh(_separable_twin(x, layer, strides, dilation, padding)),
                               rtol=1e-12, atol=1e-12)
    run_layer_test(SeparableConv2D, xin.shape, init_kwargs=init, check_gradients=False, check_symbolic=False)


def test_separable_conv1d():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 7, 3))
    out = run_layer_test(SeparableConv1D, input_data=x, dtype="float64", check_float16=False,
                         init_kwargs={"filters": 2, "kernel_size": 3, "depth_multiplier": 2, "padding": "same"})
    layer = out["layer"]
    assert layer.pointwise_kernel.shape == (1, 6, 2)
    np.testing.assert_allclose(out["output"], _separable_twin(x, layer, (1,), (1,), "same"), rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------- 3-D
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("ksize,strides,dilation,padding,groups", [
    ((2, 2, 2), (1, 1, 1), (1, 1, 1), "valid", 1), ((3, 2, 2), (2, 1, 2), (1, 1, 1), "same", 2),
    ((2, 2, 1), (1, 1, 1), (2, 1, 1), "same", 1)])
def test_conv3d(ksize, strides, dilation, padding, groups, data_format):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 4, 3, 3, 2))
    xin = x if data_format == "channels_last" else _cf(x)
    init = {"filters": 2, "kernel_size": ksize, "strides": strides, "dilation_rate": dilation, "padding": padding,
            "groups": groups, "data_format": data_format}
    out = run_layer_test(Conv3D, input_data=xin, dtype="float64", init_kwargs=init, check_float16=False,
                         expected_num_trainable_weights=2)
    layer = out["layer"]
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    np.testing.assert_allclose(y, conv3d_twin(x, layer.kernel.numpy(), layer.bias.numpy(), strides, dilation,
                                              padding, groups), rtol=1e-12, atol=1e-12)
    run_layer_test(Conv3D, xin.shape, init_kwargs=init, check_gradients=False, check_symbolic=False)


# --------------------------------------------------------------------------------------------- wrappers, errors
def test_wrappers_compose_and_name_weights_as_keras():
    x = np.random.default_rng(7).normal(size=(2, 4, 4, 3)).astype("float32")
    assert layer_conv_2d_transpose(x, filters=5, kernel_size=3, strides=2, padding="same").shape == (2, 8, 8, 5)
    layer = layer_conv_2d_transpose(filters=5, kernel_size=3)
    layer(x)
    assert layer.name.startswith("conv2d_transpose") and layer.kernel.shape == (3, 3, 5, 3)
    assert layer_conv_1d_transpose(filters=2, kernel_size=2).name.startswith("conv1d_transpose")
    assert layer_depthwise_conv_2d(kernel_size=2).name.startswith("depthwise_conv2d")
    assert layer_separable_conv_2d(filters=2, kernel_size=2).name.startswith("separable_conv2d")
    assert layer_conv_3d(filters=2, kernel_size=2).name.startswith("conv3d")


@pytest.mark.parametrize("make,match", [
    (lambda: Conv2DTranspose(filters=2, kernel_size=3, strides=2, output_padding=2), "output_padding"),
    (lambda: Conv2DTranspose(filters=2, kernel_size=3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: Conv2DTranspose(filters=None, kernel_size=3), "filters"),
    (lambda: Conv1DTranspose(filters=2, kernel_size=3, padding="causal"), "padding"),
    (lambda: DepthwiseConv2D(kernel_size=3, depth_multiplier=0), "depth_multiplier"),
    (lambda: DepthwiseConv2D(kernel_size=None), "kernel_size"),
    (lambda: SeparableConv2D(filters=2, kernel_size=3, activity_regularizer="l2"), "activity_regularizer"),
    (lambda: SeparableConv2D(filters=2, kernel_size=3, pointwise_initializer="nope"), "pointwise_initializer"),
    (lambda: Conv3D(filters=2, kernel_size=(2, 2)), "kernel_size"),
])
def test_bad_arguments_raise_before_any_state(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_bad_inputs_name_the_layer_and_shape():
    layer = DepthwiseConv2D(kernel_size=3)
    with pytest.raises(ValueError, match="rank 4"):
        layer(np.zeros((2, 5, 5)))
    layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="3 channels"):
        layer(np.zeros((1, 5, 5, 4), "float32"))
    with pytest.raises(ValueError, match="empty output"):
        Conv2DTranspose(filters=1, kernel_size=2, padding="same", output_padding=0)(np.zeros((1, 1, 1, 1)))


# --------------------------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("geometry,dm", [((1, 1, 1, 1, 0, 0), 1), ((2, 1, 1, 1, 1, 0), 2), ((1, 2, 2, 1, 2, 1), 3),
                                         ((2, 2, 1, 1, 1, 1), 1)])
def test_depthwise_kernels_match_numpy_twins(geometry, dm, dtype):
    from rkeras.kernels import depthwise as kernels
    from rkeras.kernels import depthwise_reference as twins

    rng = np.random.default_rng(8)
    sh, sw, dh, dw, pt, pl = geometry
    x = rng.normal(size=(2, 5, 6, 3)).astype(dtype)
    k = rng.normal(size=(2, 3, 3, dm)).astype(dtype)
    oh, ow = (5 + 2 * pt - (1 * dh + 1)) // sh + 1, (6 + 2 * pl - (2 * dw + 1)) // sw + 1
    tol = 1e-12 if dtype == "float64" else 2e-5
    outs = [np.full((2, oh, ow, 3 * dm), 0.5, dtype) for _ in range(2)]
    kernels.depthwise_forward(x, k, sh, sw, dh, dw, pt, pl, outs[0])
    twins.depthwise_forward(x, k.astype(np.float64), sh, sw, dh, dw, pt, pl, outs[1])
    np.testing.assert_allclose(outs[0], outs[1], rtol=tol, atol=tol)
    g = rng.normal(size=outs[0].shape).astype(dtype)
    dxs = [np.full(x.shape, np.nan, dtype) for _ in range(2)]
    kernels.depthwise_grad_input(g, k, sh, sw, dh, dw, pt, pl, dxs[0])
    twins.depthwise_grad_input(g, k.astype(np.float64), sh, sw, dh, dw, pt, pl, dxs[1])
    np.testing.assert_allclose(dxs[0], dxs[1], rtol=tol, atol=tol)
    dks = [np.full(k.shape, np.nan, dtype) for _ in range(2)]
    kernels.depthwise_grad_kernel(x, g, sh, sw, dh, dw, pt, pl, dks[0])
    twins.depthwise_grad_kernel(x, g, sh, sw, dh, dw, pt, pl, dks[1])
    np.testing.assert_allclose(dks[0], dks[1], rtol=tol, atol=tol)
