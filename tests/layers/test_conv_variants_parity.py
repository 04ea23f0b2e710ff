"""Parity with Keras 3 (on JAX) of the convolution variants and the spatial layers: outputs, input gradients
and weight gradients of `sum(y * g)`, float32, relative error <= 1e-5 (max |diff| / max |Keras|), with
Keras' weights copied into rkeras' layer in Keras' order (same names, same layouts)."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

assert keras.backend.backend() == "jax", "the parity tests drive Keras through its JAX backend"

from numerics import rel_err

import rkeras as rk
from rkeras.layers.convolutional.conv3d import Conv3D
from rkeras.layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from rkeras.layers.convolutional.separable_conv1d import SeparableConv1D


def keras_vjp(layer, x, g):
    """Keras forward (inference) and the gradients of sum(y * g) w.r.t. x and the trainable weights."""
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def f(tv, x):
        y, _ = layer.stateless_call(tv, ntv, x)
        return (y * g).sum(), y

    (_, y), (dtv, dx) = jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(tv, x)
    return np.asarray(y), np.asarray(dx), [np.asarray(d) for d in dtv]


def check_parity(k_layer, r_layer, shape, seed=0):
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
    ky, kdx, kdw = keras_vjp(k_layer, x, g)
    ry, rdx, rdw = rk.vjp(r_layer, x, g)
    assert ry.shape == ky.shape
    errors = [rel_err(ry, ky), rel_err(rdx, kdx)]
    errors += [rel_err(rdw[v.path], d) for v, d in zip(r_layer.trainable_weights, kdw)]
    assert max(errors) <= 1e-5, errors
    return errors


T2D = [{"kernel_size": 3}, {"kernel_size": (3, 2), "strides": 2}, {"kernel_size": 3, "strides": 2, "padding": "same"},
       {"kernel_size": 4, "strides": 3, "padding": "same", "output_padding": 1},
       {"kernel_size": 3, "dilation_rate": 2, "padding": "same", "activation": "relu"},
       {"kernel_size": 3, "strides": (2, 1), "output_padding": (1, 0), "data_format": "channels_first"}]


@pytest.mark.parametrize("kw", T2D)
def test_conv2d_transpose(kw):
    shape = (2, 3, 5, 4) if kw.get("data_format") == "channels_first" else (2, 5, 4, 3)
    check_parity(keras.layers.Conv2DTranspose(4, **kw), rk.layer_conv_2d_transpose(filters=4, **kw), shape)


@pytest.mark.parametrize("kw", [{"kernel_size": 3}, {"kernel_size": 3, "strides": 2, "padding": "same"},
                                {"kernel_size": 2, "dilation_rate": 2, "data_format": "channels_first"}])
def test_conv1d_transpose(kw):
    shape = (2, 3, 6) if kw.get("data_format") == "channels_first" else (2, 6, 3)
    check_parity(keras.layers.Conv1DTranspose(4, **kw), rk.layer_conv_1d_transpose(filters=4, **kw), shape)


@pytest.mark.parametrize("kw", [{"kernel_size": 3, "depth_multiplier": 2}, {"kernel_size": 3, "strides": 2, "padding": "same"},
                                {"kernel_size": (2, 3), "dilation_rate": 2, "data_format": "channels_first"}])
def test_depthwise_conv2d(kw):
    shape = (2, 3, 7, 6) if kw.get("data_format") == "channels_first" else (2, 7, 6, 3)
    check_parity(keras.layers.DepthwiseConv2D(**kw), rk.layer_depthwise_conv_2d(**kw), shape)


def test_depthwise_conv1d():
    kw = {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2}
    check_parity(keras.layers.DepthwiseConv1D(**kw), DepthwiseConv1D(**kw), (2, 9, 3))


@pytest.mark.parametrize("kw", [{"kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
                                {"kernel_size": 3, "strides": 2, "activation": "tanh"},
                                {"kernel_size": 2, "dilation_rate": (2, 1), "data_format": "channels_first"}])
def test_separable_conv2d(kw):
    shape = (2, 3, 7, 6) if kw.get("data_format") == "channels_first" else (2, 7, 6, 3)
    check_parity(keras.layers.SeparableConv2D(4, **kw), rk.layer_separable_conv_2d(filters=4, **kw), shape)


def test_separable_conv1d():
    kw = {"kernel_size": 3, "strides": 2, "depth_multiplier": 2, "data_format": "channels_first"}
    check_parity(keras.layers.SeparableConv1D(4, **kw), SeparableConv1D(filters=4, **kw), (2, 3, 9))


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": (2, 3, 2), "strides": 2, "padding": "same", "groups": 2},
                                {"kernel_size": 2, "dilation_rate": (2, 1, 1), "data_format": "channels_first"}])
def test_conv3d(kw):
    shape = (2, 4, 5, 4, 4) if kw.get("data_format") == "channels_first" else (2, 5, 4, 4, 4)
    check_parity(keras.layers.Conv3D(4, **kw), Conv3D(filters=4, **kw), shape)


SPATIAL = [
    ("UpSampling1D", rk.layer_upsampling_1d, {"size": 3}, (2, 4, 3)),
    ("UpSampling2D", rk.layer_upsampling_2d, {"size": (2, 3)}, (2, 3, 4, 2)),
    ("UpSampling2D", rk.layer_upsampling_2d, {"size": (2, 3), "interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("UpSampling2D", rk.layer_upsampling_2d, {"size": 2, "interpolation": "bicubic", "data_format": "channels_first"},
     (2, 2, 3, 4)),
    ("MaxPooling1D", rk.layer_max_pooling_1d, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3)),
    ("MaxPooling1D", rk.layer_max_pooling_1d, {"pool_size": 2, "data_format": "channels_first"}, (2, 3, 7)),
    ("AveragePooling1D", rk.layer_average_pooling_1d, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3)),
    ("AveragePooling1D", rk.layer_average_pooling_1d, {"pool_size": 2, "strides": 1, "data_format": "channels_first"},
     (2, 3, 7)),
    ("GlobalMaxPooling1D", rk.layer_global_max_pooling_1d, {}, (2, 7, 3)),
    ("GlobalMaxPooling1D", rk.layer_global_max_pooling_1d, {"keepdims": True, "data_format": "channels_first"},
     (2, 3, 7)),
    ("Cropping1D", rk.layer_cropping_1d, {"cropping": (1, 2)}, (2, 6, 3)),
    ("Cropping2D", rk.layer_cropping_2d, {"cropping": ((1, 2), (0, 1))}, (2, 6, 5, 3)),
    ("Cropping2D", rk.layer_cropping_2d, {"cropping": 1, "data_format": "channels_first"}, (2, 3, 6, 5)),
    ("ZeroPadding1D", rk.layer_zero_padding_1d, {"padding": (1, 2)}, (2, 6, 3)),
    ("ZeroPadding1D", rk.layer_zero_padding_1d, {"padding": 2, "data_format": "channels_first"}, (2, 3, 6)),
]


@pytest.mark.parametrize("keras_name,wrapper,kw,shape", SPATIAL)
def test_spatial_layers(keras_name, wrapper, kw, shape):
    check_parity(getattr(keras.layers, keras_name)(**kw), wrapper(**kw), shape)
