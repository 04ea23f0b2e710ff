"""1-D pooling, global max pooling 1D, cropping, zero padding 1D and upsampling: expected values from the
definitions, the shared harness (finite differences in float64, config round trip, float16), errors."""

import numpy as np
import pytest
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.layers.pooling.average_pooling1d import AveragePooling1D
from rkeras.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from rkeras.layers.pooling.max_pooling1d import MaxPooling1D
from rkeras.layers.reshaping.cropping1d import Cropping1D
from rkeras.layers.reshaping.cropping2d import Cropping2D
from rkeras.layers.reshaping.up_sampling1d import UpSampling1D
from rkeras.layers.reshaping.up_sampling2d import UpSampling2D
from rkeras.layers.reshaping.zero_padding1d import ZeroPadding1D


def _windows_1d(x, pool, stride, padding):
    """The valid cells of every pooling window of a (batch, steps, features) input (TF's "same" rule)."""
    steps = x.shape[1]
    if padding == "valid":
        n_out, before = (steps - pool) // stride + 1, 0
    else:
        n_out = -(-steps // stride)
        before = max((n_out - 1) * stride + pool - steps, 0) // 2
    return [x[:, max(o * stride - before, 0):min(o * stride - before + pool, steps)] for o in range(n_out)]


@pytest.mark.parametrize("pool,stride,padding", [(2, None, "valid"), (3, 2, "same"), (3, 1, "valid"), (2, 3, "same")])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_pooling_1d(pool, stride, padding, data_format):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 7, 3))
    xin = x if data_format == "channels_last" else np.ascontiguousarray(np.moveaxis(x, -1, 1))
    for cls, reduce in ((MaxPooling1D, np.max), (AveragePooling1D, np.mean)):
        init = {"pool_size": pool, "strides": stride, "padding": padding, "data_format": data_format}
        out = run_layer_test(cls, input_data=xin, dtype="float64", init_kwargs=init, check_float16=False)
        expected = np.stack([reduce(w, axis=1) for w in _windows_1d(x, pool, stride or pool, padding)], axis=1)
        y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    run_layer_test(MaxPooling1D, xin.shape, init_kwargs=init, check_gradients=False, check_symbolic=False)


def test_pooling_1d_wrappers():
    assert rk.layer_max_pooling_1d(name="pool_a").name == "pool_a"
    assert rk.layer_max_pooling_1d().name.startswith("max_pooling1d")
    assert rk.layer_average_pooling_1d(pool_size=2).name.startswith("average_pooling1d")
    with pytest.raises(ValueError, match="pool_size"):
        rk.layer_average_pooling_1d()


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_max_pooling_1d(keepdims, data_format):
    x = np.random.default_rng(1).normal(size=(3, 5, 4))
    out = run_layer_test(GlobalMaxPooling1D, input_data=x, dtype="float64",
                         init_kwargs={"keepdims": keepdims, "data_format": data_format})
    axis = 1 if data_format == "channels_last" else 2
    np.testing.assert_array_equal(out["output"], x.max(axis=axis, keepdims=keepdims))


def test_global_max_pooling_1d_shares_the_gradient_of_ties():
    layer = GlobalMaxPooling1D()
    x = np.array([[[1.0], [3.0], [3.0]]])
    _, dx, _ = rk.vjp(layer, x, np.array([[2.0]]))
    np.testing.assert_array_equal(dx, [[[0.0], [1.0], [1.0]]])


def test_cropping_and_padding_1d():
    x = np.random.default_rng(2).normal(size=(2, 6, 3))
    out = run_layer_test(Cropping1D, input_data=x, dtype="float64", init_kwargs={"cropping": (1, 2)})
    np.testing.assert_array_equal(out["output"], x[:, 1:4])
    out = run_layer_test(ZeroPadding1D, input_data=x, dtype="float64", init_kwargs={"padding": (2, 1)})
    np.testing.assert_array_equal(out["output"], np.pad(x, ((0, 0), (2, 1), (0, 0))))
    out = run_layer_test(ZeroPadding1D, input_data=np.moveaxis(x, -1, 1).copy(), dtype="float64",
                         init_kwargs={"padding": 1, "data_format": "channels_first"})
    np.testing.assert_array_equal(out["output"], np.pad(np.moveaxis(x, -1, 1), ((0, 0), (0, 0), (1, 1))))


@pytest.mark.parametrize("cropping,data_format", [(1, "channels_last"), ((1, 2), "channels_first"),
                                                  (((0, 2), (1, 0)), "channels_last")])
def test_cropping_2d(cropping, data_format):
    x = np.random.default_rng(3).normal(size=(2, 5, 6, 2))
    xin = x if data_format == "channels_last" else np.ascontiguousarray(np.moveaxis(x, -1, 1))
    out = run_layer_test(Cropping2D, input_data=xin, dtype="float64",
                         init_kwargs={"cropping": cropping, "data_format": data_format})
    c = Cropping2D(cropping).cropping
    expected = x[:, c[0][0]:5 - c[0][1], c[1][0]:6 - c[1][1]]
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    np.testing.assert_array_equal(y, expected)


def test_upsampling_1d():
    x = np.random.default_rng(4).normal(size=(2, 3, 2))
    out = run_layer_test(UpSampling1D, input_data=x, dtype="float64", init_kwargs={"size": 3})
    np.testing.assert_array_equal(out["output"], np.repeat(x, 3, axis=1))


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear", "bicubic", "lanczos3"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_upsampling_2d(interpolation, data_format):
    x = np.random.default_rng(5).normal(size=(2, 3, 2, 2))
    xin = x if data_format == "channels_last" else np.ascontiguousarray(np.moveaxis(x, -1, 1))
    out = run_layer_test(UpSampling2D, input_data=xin, dtype="float64",
                         init_kwargs={"size": (2, 3), "interpolation": interpolation, "data_format": data_format})
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    assert y.shape == (2, 6, 6, 2)
    if interpolation == "nearest":
        np.testing.assert_array_equal(y, np.repeat(np.repeat(x, 2, axis=1), 3, axis=2))
    else:  # interpolation weights sum to 1: a constant image stays constant
        const = np.full_like(xin, 2.5)
        np.testing.assert_allclose(UpSampling2D((2, 3), data_format, interpolation, dtype="float64")(const), 2.5,
                                   rtol=1e-12)
    run_layer_test(UpSampling2D, xin.shape, init_kwargs={"size": 2, "interpolation": interpolation,
                                                         "data_format": data_format},
                   check_gradients=False, check_symbolic=False)


def test_bilinear_upsampling_by_two_is_the_half_pixel_rule():
    # an output at input coordinate (i + 0.5) / 2 - 0.5: 0.25 / 0.75 blends inside, edges clamp
    x = np.array([0.0, 4.0, 8.0]).reshape(1, 3, 1, 1)
    y = UpSampling2D(size=(2, 1), interpolation="bilinear", dtype="float64")(x)[0, :, 0, 0]
    np.testing.assert_allclose(y, [0.0, 1.0, 3.0, 5.0, 7.0, 8.0], rtol=1e-12)


@pytest.mark.parametrize("make,match", [
    (lambda: Cropping1D(cropping=(1, -1)), "cropping"),
    (lambda: Cropping2D(cropping=((1, 2, 3), (0, 0))), "cropping"),
    (lambda: ZeroPadding1D(padding="a"), "padding"),
    (lambda: UpSampling1D(size=0), "size"),
    (lambda: UpSampling2D(interpolation="area"), "interpolation"),
    (lambda: MaxPooling1D(pool_size=(2, 2)), "pool_size"),
    (lambda: GlobalMaxPooling1D(keepdims="yes"), "keepdims"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_bad_inputs():
    with pytest.raises(ValueError, match="rank 3"):
        Cropping1D()(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="smaller than its size"):
        Cropping1D(cropping=(2, 2))(np.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match="rank 4"):
        UpSampling2D()(np.zeros((1, 2, 2)))
