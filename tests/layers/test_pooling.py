"""Pooling layers and ZeroPadding2D: against independent float64 loop twins, finite differences,
both data formats, valid/same padding, masks of global average pooling, errors."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

from rkeras.api.layers_convolutional import layer_zero_padding_2d
from rkeras.api.layers_pooling import (
    layer_average_pooling_2d,
    layer_global_average_pooling_1d,
    layer_global_average_pooling_2d,
    layer_global_max_pooling_2d,
    layer_max_pooling_2d,
)
from rkeras.core.symbolic import keras_input
from rkeras.layers.pooling.average_pooling2d import AveragePooling2D
from rkeras.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from rkeras.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from rkeras.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from rkeras.layers.pooling.max_pooling2d import MaxPooling2D
from rkeras.layers.reshaping.zero_padding2d import ZeroPadding2D
from rkeras.training.vjp import vjp


def pool2d_twin(x, pool, strides, padding, mode):
    """Loops in float64 over a channels-last batch; "same" windows use only their valid cells."""
    x = np.asarray(x, np.float64)
    n, h, w, c = x.shape
    sizes, pads = [], []
    for size, p, s in ((h, pool[0], strides[0]), (w, pool[1], strides[1])):
        if padding == "valid":
            sizes.append((size - p) // s + 1)
            pads.append(0)
        else:
            out = -(-size // s)
            sizes.append(out)
            pads.append(max((out - 1) * s + p - size, 0) // 2)
    y = np.zeros((n, sizes[0], sizes[1], c))
    for b in range(n):
        for i in range(sizes[0]):
            for j in range(sizes[1]):
                r0, q0 = i * strides[0] - pads[0], j * strides[1] - pads[1]
                cells = x[b, max(r0, 0):min(r0 + pool[0], h), max(q0, 0):min(q0 + pool[1], w), :].reshape(-1, c)
                y[b, i, j] = cells.max(axis=0) if mode == "max" else cells.mean(axis=0)
    return y


CASES = [  # (spatial, pool_size, strides, padding)
    ((6, 6), (2, 2), None, "valid"),
    ((7, 5), (2, 2), None, "valid"),
    ((7, 5), (3, 2), (1, 1), "valid"),
    ((7, 5), (2, 2), (2, 2), "same"),
    ((5, 7), (3, 3), (2, 1), "same"),
    ((4, 4), (3, 3), (1, 1), "same"),
]


@pytest.mark.parametrize("cls,mode", [(MaxPooling2D, "max"), (AveragePooling2D, "average")])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spatial,pool,strides,padding", CASES)
def test_pooling_matches_twin_and_finite_differences(cls, mode, data_format, spatial, pool, strides, padding):
    rng = np.random.default_rng(0)
    x_cl = rng.normal(size=(2,) + spatial + (3,))
    x = x_cl if data_format == "channels_last" else np.moveaxis(x_cl, -1, 1)
    ref = pool2d_twin(x_cl, pool, strides or pool, padding, mode)
    if data_format == "channels_first":
        ref = np.moveaxis(ref, -1, 1)
    for dtype, tol in (("float64", 1e-12), ("float32", 1e-6)):
        layer = cls(pool_size=pool, strides=strides, padding=padding, data_format=data_format, dtype=dtype)
        y = layer(x.astype(dtype))
        assert y.dtype == np.dtype(dtype) and y.shape == ref.shape == layer.compute_output_shape(x.shape)
        np.testing.assert_allclose(y, ref, rtol=tol, atol=tol)
    layer = cls(pool_size=pool, strides=strides, padding=padding, data_format=data_format, dtype="float64")
    up = rng.normal(size=ref.shape)
    _, dx, _ = vjp(layer, x, up)
    assert_close_grad(dx, numeric_grad(lambda: np.sum(layer(x) * up), x), 1e-7, "input gradient")


def test_max_pooling_ties_route_to_the_first_maximum_and_nan_propagates():
    x = np.zeros((1, 2, 2, 1))
    _, dx, _ = vjp(MaxPooling2D(), x, np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 0], [0, 0]])
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    x[0, 1, 0, 0] = np.nan
    for data_format in ("channels_last", "channels_first"):
        xx = x if data_format == "channels_last" else np.moveaxis(x, -1, 1)
        y = MaxPooling2D(data_format=data_format)(xx).reshape(2, 2)
        assert np.isnan(y[0, 0]) and y[0, 1] == 7 and y[1, 1] == 15


def test_pooling_harness():
    for cls in (MaxPooling2D, AveragePooling2D):
        run_layer_test(cls, (2, 5, 4, 3), init_kwargs={"pool_size": 2, "padding": "same"},
                       expected_output_shape=(2, 3, 2, 3), expected_num_trainable_weights=0,
                       supports_masking=False, mask=np.ones((2, 5, 4), dtype=bool))


def test_pooling_wrappers_and_shapes():
    assert layer_max_pooling_2d(keras_input(shape=(None, 7, 3))).shape == (None, None, 3, 3)
    assert layer_average_pooling_2d(keras_input(shape=(3, 8, 9)), pool_size=3, strides=2, padding="same",
                                    data_format="channels_first").shape == (None, 3, 4, 5)
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(layer_max_pooling_2d(x, pool_size=(2, 2))[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(layer_average_pooling_2d(x)[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    y = layer_max_pooling_2d(np.ones((1, 4, 4, 2), dtype=np.int64))
    assert y.dtype == np.float32 and y.shape == (1, 2, 2, 2)
    config = MaxPooling2D(pool_size=3, strides=(1, 2), padding="Same").get_config()
    assert config["pool_size"] == (3, 3) and config["strides"] == (1, 2) and config["padding"] == "same"
    assert MaxPooling2D.from_config(config).get_config() == config


@pytest.mark.parametrize("call,match,error", [
    (lambda: layer_max_pooling_2d(pool_size=0), "`pool_size`.*>= 1", ValueError),
    (lambda: layer_max_pooling_2d(pool_size=(2, 2, 2)), "`pool_size`.*list of 2", ValueError),
    (lambda: layer_max_pooling_2d(strides=-1), "`strides`", ValueError),
    (lambda: layer_average_pooling_2d(padding="causal"), "`padding`.*'causal'", ValueError),
    (lambda: layer_average_pooling_2d(data_format="NCHW"), "`data_format`", ValueError),
    (lambda: layer_max_pooling_2d(foo=1), "layer_max_pooling_2d.*'foo'", TypeError),
    (lambda: layer_max_pooling_2d(2), "pool_size=2", TypeError),
    (lambda: layer_max_pooling_2d(np.ones((1, 4, 4))), "rank 4", ValueError),
    (lambda: layer_max_pooling_2d(np.ones((1, 1, 4, 1))), "too small", ValueError),
    (lambda: layer_global_max_pooling_2d(keepdims=1), "`keepdims`", TypeError),
    (lambda: layer_global_average_pooling_1d(np.ones((2, 3))), "rank 3", ValueError),
])
def test_pooling_errors(call, match, error):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------------------------- global pooling
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_2d(data_format, keepdims):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 5, 4))
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    for cls, twin in ((GlobalAveragePooling2D, np.mean), (GlobalMaxPooling2D, np.max)):
        layer = cls(data_format=data_format, keepdims=keepdims, dtype="float64")
        y = layer(x)
        np.testing.assert_allclose(y, twin(x, axis=axes, keepdims=keepdims), rtol=1e-12)
        assert y.shape == layer.compute_output_shape(x.shape)
        up = rng.normal(size=y.shape)
        _, dx, _ = vjp(layer, x, up)
        assert_close_grad(dx, numeric_grad(lambda layer=layer, up=up: np.sum(layer(x) * up), x), 1e-7,
                          "input gradient")


def test_global_max_pooling_shares_ties():
    x = np.array([[[[1.0], [3.0]], [[3.0], [2.0]]]])
    _, dx, _ = vjp(GlobalMaxPooling2D(), x, np.array([[1.0]]))
    np.testing.assert_allclose(dx[0, :, :, 0], [[0, 0.5], [0.5, 0]])


def test_global_pooling_wrappers():
    assert layer_global_average_pooling_2d(keras_input(shape=(None, None, 3))).shape == (None, 3)
    assert layer_global_max_pooling_2d(keras_input(shape=(3, 4, 5)), data_format="channels_first",
                                       keepdims=True).shape == (None, 3, 1, 1)
    assert layer_global_average_pooling_1d(keras_input(shape=(7, 2)), keepdims=True).shape == (None, 1, 2)
    np.testing.assert_array_equal(layer_global_average_pooling_1d(np.arange(12.0).reshape(2, 3, 2)),
                                  [[2, 3], [8, 9]])
    for cls in (GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D):
        config = cls(data_format="channels_first", keepdims=True).get_config()
        assert cls.from_config(config).get_config() == config


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_average_pooling_1d_with_mask(data_format):
    rng = np.random.default_rng(2)
    x_cl = rng.normal(size=(3, 5, 4))
    x_cl[0, 3:] = np.nan  # masked steps must not count, whatever they hold
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]], dtype=bool)
    x = x_cl if data_format == "channels_last" else np.moveaxis(x_cl, -1, 1)
    layer = GlobalAveragePooling1D(data_format=data_format, dtype="float64")
    y = layer(x, mask=mask)
    ref = np.stack([x_cl[b, mask[b]].mean(axis=0) for b in range(3)])
    np.testing.assert_allclose(y, ref, rtol=1e-12)
    assert layer.supports_masking and layer.compute_mask(x, mask) is None
    x_ok = np.nan_to_num(x)
    up = rng.normal(size=y.shape)
    _, dx, _ = vjp(layer, x_ok, up, mask=mask)
    assert_close_grad(dx, numeric_grad(lambda: np.sum(layer(x_ok, mask=mask) * up), x_ok), 1e-7, "input gradient")
    assert np.all(dx[~mask] == 0) if data_format == "channels_last" else np.all(np.moveaxis(dx, 1, -1)[~mask] == 0)
    with np.errstate(all="raise"):
        y_empty = layer(x_ok, mask=np.zeros((3, 5), dtype=bool))
    assert np.isnan(y_empty).all()  # a sample with every step masked gives NaN, as in Keras
    with pytest.raises(ValueError, match="`mask`.*expected \\(batch, steps\\)"):
        layer(x_ok, mask=np.ones((3, 4), dtype=bool))


# --------------------------------------------------------------------------------------------- zero padding
@pytest.mark.parametrize("padding,expected", [(1, ((1, 1), (1, 1))), ((2, 0), ((2, 2), (0, 0))),
                                              (((1, 0), (0, 2)), ((1, 0), (0, 2))), ([[0, 1], [2, 3]], ((0, 1), (2, 3)))])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding(padding, expected, data_format):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4, 2))
    layer = ZeroPadding2D(padding=padding, data_format=data_format, dtype="float64")
    assert layer.padding == expected
    widths = [(0, 0), expected[0], expected[1], (0, 0)] if data_format == "channels_last" else \
        [(0, 0), (0, 0), expected[0], expected[1]]
    y = layer(x)
    np.testing.assert_array_equal(y, np.pad(x, widths))
    assert y.shape == layer.compute_output_shape(x.shape)
    up = rng.normal(size=y.shape)
    _, dx, _ = vjp(layer, x, up)
    assert_close_grad(dx, numeric_grad(lambda: np.sum(layer(x) * up), x), 1e-7, "input gradient")


def test_zero_padding_harness_wrapper_and_errors():
    run_layer_test(ZeroPadding2D, (2, 3, 3, 2), init_kwargs={"padding": (1, 2)}, expected_output_shape=(2, 5, 7, 2),
                   expected_num_trainable_weights=0, supports_masking=False)
    assert layer_zero_padding_2d(keras_input(shape=(None, 5, 3)), padding=2).shape == (None, None, 9, 3)
    with pytest.raises(ValueError, match="`padding`.*>= 0"):
        layer_zero_padding_2d(padding=-1)
    with pytest.raises(ValueError, match="`padding` must be"):
        layer_zero_padding_2d(padding=(1, 2, 3))
    with pytest.raises(TypeError, match="`padding`"):
        layer_zero_padding_2d(padding="same")
    with pytest.raises(ValueError, match="rank 4"):
        layer_zero_padding_2d(np.ones((2, 3, 3)))
