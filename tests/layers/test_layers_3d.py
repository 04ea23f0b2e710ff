"""The 3-D layer family: pooling (windowed and global), cropping, zero padding, upsampling, the transposed
3-D convolution, and `layer_input`.

Each layer: a numpy twin or Keras 3 (JAX) parity on outputs and input & weight gradients (float32,
relative error <= 1e-5), the shared harness (which checks gradients against float64 finite differences),
both data formats, and its argument errors. Shapes are small: the numba kernels compile once per dtype.
"""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

import rkeras as rk
from rkeras.layers.convolutional import patches
from rkeras.layers.convolutional.conv3d_transpose import Conv3DTranspose
from rkeras.layers.pooling.average_pooling3d import AveragePooling3D
from rkeras.layers.pooling.global_average_pooling3d import GlobalAveragePooling3D
from rkeras.layers.pooling.global_max_pooling3d import GlobalMaxPooling3D
from rkeras.layers.pooling.max_pooling3d import MaxPooling3D
from rkeras.layers.reshaping.cropping3d import Cropping3D
from rkeras.layers.reshaping.up_sampling3d import UpSampling3D
from rkeras.layers.reshaping.zero_padding3d import ZeroPadding3D
from rkeras.training.vjp import vjp

assert keras.backend.backend() == "jax", "the parity tests drive Keras through its JAX backend"


def check_parity(k_layer, r_layer, shape, seed=0, tol=1e-5):
    """Keras' weights copied into rkeras' layer; outputs, input and weight gradients of sum(y * g)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype("float32")
    k_layer.build(shape)
    r_layer.build(shape)
    assert [v.name for v in k_layer.weights] == [v.name for v in r_layer.weights]
    weights = [rng.normal(size=v.shape).astype("float32") for v in k_layer.weights]
    k_layer.set_weights(weights)
    r_layer.set_weights(weights)
    assert set(k_layer.get_config()) == set(r_layer.get_config()), "config keys differ from Keras'"
    g = rng.normal(size=k_layer.compute_output_shape(shape)).astype("float32")
    ky, (kdx,), kdw = keras_vjp(k_layer, x, g)
    ry, rdx, rdw = rk.vjp(r_layer, x, g)
    assert ry.shape == ky.shape == tuple(r_layer.compute_output_shape(shape))
    errors = [rel(ry, ky), rel(rdx, kdx)] + [rel(rdw[v.path], d) for v, d in zip(r_layer.trainable_weights, kdw)]
    assert max(errors) <= tol, errors
    return ry


# --------------------------------------------------------------------------------------------- patches
def gather_twin(x, kernel_size, strides, dilation, pads, out_spatial):
    """Plain loops: cols[n, *o, *k, c] = x[n, o*s - p + k*d, c], zeros outside."""
    rank = x.ndim - 2
    cols = np.zeros((x.shape[0],) + tuple(out_spatial) + tuple(kernel_size) + (x.shape[-1],))
    for o in np.ndindex(*out_spatial):
        for k in np.ndindex(*kernel_size):
            pos = [o[i] * strides[i] - pads[i] + k[i] * dilation[i] for i in range(rank)]
            if all(0 <= p < n for p, n in zip(pos, x.shape[1:-1])):
                cols[(slice(None),) + o + k] = x[(slice(None),) + tuple(pos)]
    return cols


@pytest.mark.parametrize("rank,spatial,kernel,strides,dilation,pads,out", [
    (1, (7,), (3,), (2,), (1,), (1,), (4,)),
    (2, (5, 4), (2, 3), (1, 2), (2, 1), (1, 1), (4, 2)),
    (3, (4, 5, 3), (2, 3, 2), (2, 1, 1), (1, 2, 1), (1, 2, 0), (3, 5, 2)),
])
def test_patches_gather_matches_twin_and_scatter_is_its_adjoint(rank, spatial, kernel, strides, dilation, pads, out):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2,) + spatial + (3,))
    cols = patches.gather(x, kernel, strides, dilation, pads, out)
    np.testing.assert_array_equal(cols, gather_twin(x, kernel, strides, dilation, pads, out))
    c = rng.normal(size=cols.shape)
    back = patches.scatter(c, x.shape, strides, dilation, pads)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)


# --------------------------------------------------------------------------------------------- pooling
def pool3d_twin(x, pool, strides, padding, mode):
    """Loops in float64 over a channels-last batch; "same" windows use only their valid cells."""
    x = np.asarray(x, np.float64)
    n, c = x.shape[0], x.shape[-1]
    sizes, pads = [], []
    for size, p, s in zip(x.shape[1:4], pool, strides):
        if padding == "valid":
            sizes.append((size - p) // s + 1)
            pads.append(0)
        else:
            out = -(-size // s)
            sizes.append(out)
            pads.append(max((out - 1) * s + p - size, 0) // 2)
    y = np.zeros((n, *sizes, c))
    for o in np.ndindex(*sizes):
        lo = [o[k] * strides[k] - pads[k] for k in range(3)]
        box = tuple(slice(max(lo[k], 0), min(lo[k] + pool[k], x.shape[k + 1])) for k in range(3))
        cells = x[(slice(None),) + box + (slice(None),)].reshape(n, -1, c)
        y[(slice(None),) + o] = cells.max(axis=1) if mode == "max" else cells.mean(axis=1)
    return y


POOL_CASES = [  # (spatial, pool_size, strides, padding)
    ((4, 4, 4), (2, 2, 2), None, "valid"),
    ((5, 4, 3), (3, 2, 2), (1, 2, 1), "valid"),
    ((5, 4, 3), (2, 2, 2), (2, 2, 2), "same"),
    ((3, 5, 4), (3, 3, 2), (2, 1, 3), "same"),
]


@pytest.mark.parametrize("cls,mode", [(MaxPooling3D, "max"), (AveragePooling3D, "average")])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("spatial,pool,strides,padding", POOL_CASES)
def test_pooling_3d_matches_twin_and_finite_differences(cls, mode, data_format, spatial, pool, strides, padding):
    rng = np.random.default_rng(0)
    x_cl = rng.normal(size=(2,) + spatial + (3,))
    x = x_cl if data_format == "channels_last" else np.moveaxis(x_cl, -1, 1)
    ref = pool3d_twin(x_cl, pool, strides or pool, padding, mode)
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


def test_max_pooling_3d_routes_ties_to_the_first_maximum_and_propagates_nan():
    x = np.zeros((1, 2, 2, 2, 1))
    _, dx, _ = vjp(MaxPooling3D(), x, np.ones((1, 1, 1, 1, 1)))
    expected = np.zeros((2, 2, 2))
    expected[0, 0, 0] = 1
    np.testing.assert_array_equal(dx[0, ..., 0], expected)
    x = np.arange(16.0).reshape(1, 2, 2, 4, 1)
    x[0, 1, 0, 1, 0] = np.nan
    for data_format in ("channels_last", "channels_first"):
        xx = x if data_format == "channels_last" else np.moveaxis(x, -1, 1)
        y = MaxPooling3D(data_format=data_format)(xx).reshape(2)
        assert np.isnan(y[0]) and y[1] == 15


@pytest.mark.parametrize("kcls,rcls,kw", [
    (keras.layers.MaxPooling3D, MaxPooling3D, {"pool_size": 2}),
    (keras.layers.MaxPooling3D, MaxPooling3D, {"pool_size": (2, 3, 2), "strides": (1, 2, 2), "padding": "same",
                                               "data_format": "channels_first"}),
    (keras.layers.AveragePooling3D, AveragePooling3D, {"pool_size": 2, "strides": 1}),
    (keras.layers.AveragePooling3D, AveragePooling3D, {"pool_size": 3, "strides": 2, "padding": "same"}),
    (keras.layers.GlobalMaxPooling3D, GlobalMaxPooling3D, {}),
    (keras.layers.GlobalAveragePooling3D, GlobalAveragePooling3D, {"keepdims": True,
                                                                   "data_format": "channels_first"}),
])
def test_pooling_3d_keras_parity(kcls, rcls, kw):
    check_parity(kcls(**kw), rcls(**kw), (2, 4, 5, 3, 3))


@pytest.mark.parametrize("cls,kw,out", [
    (MaxPooling3D, {"pool_size": 2, "padding": "same"}, (2, 2, 3, 2, 3)),
    (AveragePooling3D, {"pool_size": (1, 2, 2)}, (2, 3, 2, 1, 3)),
    (GlobalMaxPooling3D, {}, (2, 3)),
    (GlobalAveragePooling3D, {"keepdims": True}, (2, 1, 1, 1, 3)),
])
def test_pooling_3d_harness(cls, kw, out):
    run_layer_test(cls, (2, 3, 5, 3, 3), init_kwargs=kw, expected_output_shape=out, expected_num_trainable_weights=0,
                   supports_masking=False)


def test_pooling_3d_wrappers_and_errors():
    x = rk.keras_input(shape=(None, 6, 4, 2))
    assert rk.layer_max_pooling_3d(x).shape == (None, None, 3, 2, 2)
    assert rk.layer_average_pooling_3d(x, pool_size=(1, 3, 2), name="avg").shape == (None, None, 2, 2, 2)
    assert rk.layer_global_max_pooling_3d(x).shape == (None, 2)
    assert rk.layer_global_average_pooling_3d(x, data_format="channels_first", keepdims=True).shape == \
        (None, None, 1, 1, 1)
    assert isinstance(rk.layer_max_pooling_3d(), MaxPooling3D)
    with pytest.raises(ValueError, match="`pool_size` must be given"):
        rk.layer_average_pooling_3d()
    with pytest.raises(ValueError, match="`pool_size` must be an integer or a list of 3"):
        rk.layer_max_pooling_3d(pool_size=(2, 2))
    with pytest.raises(ValueError, match="`padding` must be one of"):
        rk.layer_max_pooling_3d(padding="causal")
    with pytest.raises(ValueError, match="rank 5"):
        rk.layer_max_pooling_3d(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="rank 5"):
        rk.layer_global_max_pooling_3d(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="too small"):
        rk.layer_max_pooling_3d(np.ones((1, 1, 4, 4, 1)))


# --------------------------------------------------------------------------------------------- reshaping
@pytest.mark.parametrize("kcls,rcls,kw", [
    (keras.layers.Cropping3D, Cropping3D, {}),
    (keras.layers.Cropping3D, Cropping3D, {"cropping": ((0, 1), (2, 1), (1, 0)), "data_format": "channels_first"}),
    (keras.layers.ZeroPadding3D, ZeroPadding3D, {"padding": 2}),
    (keras.layers.ZeroPadding3D, ZeroPadding3D, {"padding": ((0, 1), (2, 1), (1, 0)),
                                                 "data_format": "channels_first"}),
    (keras.layers.UpSampling3D, UpSampling3D, {}),
    (keras.layers.UpSampling3D, UpSampling3D, {"size": (1, 2, 3), "data_format": "channels_first"}),
])
def test_reshaping_3d_keras_parity(kcls, rcls, kw):
    r_layer = rcls(**kw)
    k_config = kcls(**kw).get_config()
    check_parity(kcls(**kw), r_layer, (2, 4, 5, 4, 3))
    for key in ("cropping", "padding", "size", "data_format"):
        if key in k_config:
            assert np.array_equal(np.asarray(k_config[key]), np.asarray(r_layer.get_config()[key])), key


@pytest.mark.parametrize("cls,kw,out", [
    (Cropping3D, {"cropping": (1, (0, 2), 1)}, (2, 2, 3, 2, 3)),
    (ZeroPadding3D, {"padding": (1, 0, (2, 1))}, (2, 6, 5, 7, 3)),
    (UpSampling3D, {"size": (2, 1, 3)}, (2, 8, 5, 12, 3)),
])
def test_reshaping_3d_harness(cls, kw, out):
    run_layer_test(cls, (2, 4, 5, 4, 3), init_kwargs=kw, expected_output_shape=out, expected_num_trainable_weights=0,
                   supports_masking=False)


def test_reshaping_3d_values_wrappers_and_errors():
    x = np.arange(24.0).reshape(1, 2, 3, 4, 1)
    np.testing.assert_array_equal(rk.layer_cropping_3d(x, cropping=((0, 1), (1, 1), (1, 2)))[0, ..., 0], x[0, :1, 1:2, 1:2, 0])
    y = rk.layer_zero_padding_3d(x, padding=((1, 0), (0, 0), (0, 2)))
    assert y.shape == (1, 3, 3, 6, 1) and not y[0, 0].any() and not y[0, :, :, 4:].any()
    np.testing.assert_array_equal(y[0, 1:, :, :4], x[0])
    u = rk.layer_upsampling_3d(x, size=(2, 1, 2))
    np.testing.assert_array_equal(u[0, ::2, :, ::2], x[0])
    np.testing.assert_array_equal(u[0, 1::2, :, 1::2], x[0])
    k = rk.keras_input(shape=(4, 5, 6, 2))
    assert rk.layer_cropping_3d(k).shape == (None, 2, 3, 4, 2)
    assert rk.layer_zero_padding_3d(k).shape == (None, 6, 7, 8, 2)
    assert rk.layer_upsampling_3d(k, data_format="channels_first").shape == (None, 4, 10, 12, 4)
    with pytest.raises(ValueError, match="removes every position"):
        rk.layer_cropping_3d(np.ones((1, 2, 4, 4, 1)))
    with pytest.raises(ValueError, match="`cropping` must be"):
        rk.layer_cropping_3d(cropping=(1, 1))
    with pytest.raises(ValueError, match="`padding` must hold integers >= 0"):
        rk.layer_zero_padding_3d(padding=-1)
    with pytest.raises(ValueError, match="`size` must hold integers >= 1"):
        rk.layer_upsampling_3d(size=(2, 0, 1))
    with pytest.raises(ValueError, match="rank 5"):
        rk.layer_zero_padding_3d(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="rank 5"):
        rk.layer_upsampling_3d(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="`data_format`"):
        rk.layer_cropping_3d(data_format="channels_middle")


# --------------------------------------------------------------------------------------------- Conv3DTranspose
T3D = [{"kernel_size": 3}, {"kernel_size": (2, 3, 2), "strides": 2, "padding": "same"},
       {"kernel_size": 3, "strides": (2, 1, 2), "output_padding": (1, 0, 0), "activation": "relu"},
       {"kernel_size": 2, "dilation_rate": 2, "padding": "same", "data_format": "channels_first"},
       {"kernel_size": (3, 2, 2), "strides": (1, 2, 3), "use_bias": False, "data_format": "channels_first"}]


@pytest.mark.parametrize("kw", T3D)
def test_conv3d_transpose_keras_parity(kw):
    shape = (2, 3, 4, 5, 3) if kw.get("data_format") == "channels_first" else (2, 4, 5, 3, 3)
    check_parity(keras.layers.Conv3DTranspose(4, **kw), rk.layer_conv_3d_transpose(filters=4, **kw), shape)


@pytest.mark.parametrize("kw,out", [({"kernel_size": 2, "strides": 2}, (2, 6, 4, 8, 2)),
                                    ({"kernel_size": 3, "padding": "same", "data_format": "channels_first"},
                                     (2, 2, 2, 4, 2))])
def test_conv3d_transpose_harness(kw, out):
    run_layer_test(lambda **k: Conv3DTranspose(2, **k), (2, 3, 2, 4, 2), init_kwargs=kw, expected_output_shape=out,
                   expected_num_trainable_weights=2, supports_masking=False)


def test_conv3d_transpose_wrapper_and_errors():
    x = rk.keras_input(shape=(3, 4, 5, 2))
    layer = rk.layer_conv_3d_transpose(filters=6, kernel_size=(1, 2, 3), strides=(1, 2, 1))
    assert layer(x).shape == (None, 3, 8, 7, 6)
    assert layer.kernel.shape == (1, 2, 3, 6, 2) and [v.name for v in layer.weights] == ["kernel", "bias"]
    assert rk.layer_conv_3d_transpose(x, filters=2, kernel_size=2, strides=2, padding="same").shape == \
        (None, 6, 8, 10, 2)
    with pytest.raises(ValueError, match="`filters` must be given"):
        rk.layer_conv_3d_transpose(kernel_size=3)
    with pytest.raises(ValueError, match="`kernel_size` must be an integer or a list of 3"):
        rk.layer_conv_3d_transpose(filters=2, kernel_size=(3, 3))
    with pytest.raises(ValueError, match="`output_padding` must be strictly less than `strides`"):
        rk.layer_conv_3d_transpose(filters=2, kernel_size=3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="rank 5"):
        rk.layer_conv_3d_transpose(np.ones((1, 4, 4, 1)), filters=2, kernel_size=2)


# --------------------------------------------------------------------------------------------- layer_input
def test_layer_input_is_keras_input_with_r_arguments():
    x = rk.layer_input(shape=(28, 28), name="pixels")
    assert x.shape == (None, 28, 28) and x.node.layer.name == "pixels"
    assert rk.layer_input(shape=5, batch_size=4, dtype="int32").shape == (4, 5)
    assert rk.layer_input(batch_shape=(None, 7, 3)).shape == (None, 7, 3)
    assert rk.layer_input(shape=(3,), sparse=False, ragged=False, optional=False).shape == (None, 3)
    model = rk.keras_model(x, rk.layer_dense(rk.layer_flatten(x), units=2))
    assert model.predict(np.ones((2, 28, 28), "float32"), verbose=0).shape == (2, 2)
    with pytest.raises(ValueError, match="`sparse` = TRUE is not supported"):
        rk.layer_input(shape=(3,), sparse=True)
    with pytest.raises(ValueError, match="`optional` = TRUE is not supported"):
        rk.layer_input(shape=(3,), optional=True)
    with pytest.raises(ValueError, match="`tensor` is not supported"):
        rk.layer_input(shape=(3,), tensor=np.ones((1, 3)))
    with pytest.raises(ValueError, match="either `batch_shape` or `shape`"):
        rk.layer_input(shape=(3,), batch_shape=(None, 3))
    with pytest.raises(ValueError, match="`shape` .* must be given"):
        rk.layer_input()
