"""Parity with Keras 3 (on JAX) of the image preprocessing layers (outputs and input gradients) and of the
deterministic part of the augmentation layers: given the same transformation (Keras'
`transform_images(images, transformation)`), the same images and input gradients. Float32, relative
error <= 1e-5 (max |diff| / max |Keras|)."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

assert keras.backend.backend() == "jax", "the parity tests drive Keras through its JAX backend"

from numerics import rel_err

import rkeras as rk
from rkeras.layers.preprocessing.random_contrast import RandomContrast
from rkeras.layers.preprocessing.random_crop import RandomCrop
from rkeras.layers.preprocessing.random_flip import RandomFlip
from rkeras.layers.preprocessing.random_rotation import RandomRotation
from rkeras.layers.preprocessing.random_translation import RandomTranslation
from rkeras.layers.preprocessing.random_zoom import RandomZoom


def _keras_vjp(fn, x, g):
    y, pullback = jax.vjp(fn, x)
    return np.asarray(y), np.asarray(pullback(g.astype(np.asarray(y).dtype))[0])


def _rkeras_vjp(forward, backward, x, g):
    y = forward(x)
    return y, backward(g)


def _check(ky, kdx, ry, rdx):
    assert ry.shape == ky.shape
    errors = (rel_err(ry, ky), rel_err(rdx, kdx))
    assert max(errors) <= 1e-5, errors


def _images(shape, seed=0, low=0.0, high=255.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype("float32")


@pytest.mark.parametrize("keras_name,wrapper,kw", [
    ("Rescaling", rk.layer_rescaling, {"scale": 1 / 127.5, "offset": -1.0}),
    ("Rescaling", rk.layer_rescaling, {"scale": [0.5, 2.0], "offset": [1.0, 0.0]}),
    ("Resizing", rk.layer_resizing, {"height": 5, "width": 4}),
    ("Resizing", rk.layer_resizing, {"height": 12, "width": 17}),
    ("Resizing", rk.layer_resizing, {"height": 5, "width": 7, "crop_to_aspect_ratio": True}),
    ("Resizing", rk.layer_resizing, {"height": 5, "width": 7, "pad_to_aspect_ratio": True, "fill_value": 3.0}),
    ("Resizing", rk.layer_resizing, {"height": 4, "width": 3, "antialias": True}),
    ("Resizing", rk.layer_resizing, {"height": 5, "width": 11, "interpolation": "nearest"}),
    ("Resizing", rk.layer_resizing, {"height": 5, "width": 11, "interpolation": "bicubic",
                                     "data_format": "channels_first"}),
    ("Resizing", rk.layer_resizing, {"height": 6, "width": 3, "interpolation": "lanczos5"}),
    ("CenterCrop", rk.layer_center_crop, {"height": 5, "width": 4}),
    ("CenterCrop", rk.layer_center_crop, {"height": 12, "width": 6}),
    ("CenterCrop", rk.layer_center_crop, {"height": 4, "width": 3, "data_format": "channels_first"}),
])
def test_preprocessing_layers(keras_name, wrapper, kw):
    shape = (3, 2, 9, 8) if kw.get("data_format") == "channels_first" else (3, 9, 8, 2)
    x = _images(shape)
    k_layer, r_layer = getattr(keras.layers, keras_name)(**kw), wrapper(**kw)
    assert set(k_layer.get_config()) == set(r_layer.get_config()), "config keys differ from Keras'"
    g = np.random.default_rng(1).normal(size=k_layer.compute_output_shape(shape)).astype("float32")
    ky, kdx = _keras_vjp(lambda v: k_layer(v, training=False), x, g)
    ry, rdx, _ = rk.vjp(r_layer, x, g)
    _check(ky, kdx, ry, rdx)


def _transform_parity(k_layer, r_layer, k_transformation, r_transformation, shape, data_format="channels_last"):
    x = _images(shape, seed=2)
    assert set(k_layer.get_config()) == set(r_layer.get_config()), "config keys differ from Keras'"
    ky, kdx = _keras_vjp(lambda v: k_layer.transform_images(v, k_transformation, training=True), x,
                         np.random.default_rng(3).normal(size=k_layer.compute_output_shape(shape)))
    g = np.random.default_rng(3).normal(size=ky.shape).astype("float32")
    cf = data_format == "channels_first"
    x_cl = np.ascontiguousarray(np.moveaxis(x, 1, -1)) if cf else x
    y_cl, back = r_layer._transform(x_cl, r_transformation)
    g_cl = np.ascontiguousarray(np.moveaxis(g, 1, -1)) if cf else g
    dx_cl = back(g_cl)
    ry = np.moveaxis(y_cl, -1, 1) if cf else y_cl
    rdx = np.moveaxis(dx_cl, -1, 1) if cf else dx_cl
    _check(ky, kdx, ry, rdx)


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
def test_random_flip(mode):
    flips = np.array([True, False, True])
    _transform_parity(keras.layers.RandomFlip(mode), RandomFlip(mode), {"flips": flips.reshape(3, 1, 1, 1)},
                      {"flips": flips}, (3, 7, 6, 2))


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_rotation(fill_mode, interpolation):
    kw = {"factor": 0.3, "fill_mode": fill_mode, "interpolation": interpolation, "fill_value": 2.0}
    k_layer = keras.layers.RandomRotation(**kw)
    angles = np.array([13.3, -47.1, 101.7], "float32")
    zeros, ones = np.zeros(3, "float32"), np.ones(3, "float32")
    matrix = k_layer._compute_affine_matrix(center_x=0.5, center_y=0.5, angle=angles, translate_x=zeros,
                                            translate_y=zeros, scale=ones, shear_x=zeros, shear_y=zeros, height=7,
                                            width=6)
    _transform_parity(k_layer, RandomRotation(**kw), {"rotation_matrix": matrix}, {"angle": angles}, (3, 7, 6, 2))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_random_zoom(data_format):
    kw = {"height_factor": 0.3, "width_factor": 0.2, "fill_mode": "reflect", "data_format": data_format}
    t = {"height_zoom": np.array([[0.8], [1.2], [1.05]], "float32"),
         "width_zoom": np.array([[1.1], [0.75], [1.0]], "float32")}
    shape = (3, 2, 7, 6) if data_format == "channels_first" else (3, 7, 6, 2)
    _transform_parity(keras.layers.RandomZoom(**kw), RandomZoom(**kw), t, t, shape, data_format)


@pytest.mark.parametrize("fill_mode", ["constant", "wrap"])
def test_random_translation(fill_mode):
    kw = {"height_factor": 0.3, "width_factor": 0.2, "fill_mode": fill_mode, "fill_value": 1.0}
    t = {"translations": np.array([[1.3, -2.2], [0.5, 1.7], [-1.1, 0.4]], "float32")}
    _transform_parity(keras.layers.RandomTranslation(**kw), RandomTranslation(**kw), t, t, (3, 7, 6, 2))


def test_random_contrast():
    kw = {"factor": 0.5, "value_range": (0, 200)}
    t = {"contrast_factor": np.array([0.7, 1.3, 1.1], "float32").reshape(3, 1, 1, 1)}
    _transform_parity(keras.layers.RandomContrast(**kw), RandomContrast(**kw), t, t, (3, 7, 6, 2))


def test_random_crop_window():
    kw = {"height": 4, "width": 3}
    _transform_parity(keras.layers.RandomCrop(**kw), RandomCrop(**kw), (2, 1), (2, 1), (3, 7, 6, 2))
