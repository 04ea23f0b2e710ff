"""Color augmentation layers (auto contrast, equalization, brightness, color degeneration, color jitter,
grayscale, hue, saturation, invert, posterization, solarization, sharpness, Gaussian blur): Keras 3
parity of the transformation with its randomness fixed (Keras' `transform_images(images,
transformation)`, outputs and input gradients, float32 rel <= 1e-5), the shared harness (finite
differences in float64 in training, config round trip, inference is the identity), seeding, draws and
argument errors."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from layer_harness import run_layer_test
from numerics import rel_err

import rkeras as rk
from rkeras.layers.preprocessing.auto_contrast import AutoContrast
from rkeras.layers.preprocessing.color_ops import pixel_map
from rkeras.layers.preprocessing.equalization import Equalization
from rkeras.layers.preprocessing.random_brightness import RandomBrightness
from rkeras.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from rkeras.layers.preprocessing.random_color_jitter import RandomColorJitter
from rkeras.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from rkeras.layers.preprocessing.random_grayscale import RandomGrayscale
from rkeras.layers.preprocessing.random_hue import RandomHue
from rkeras.layers.preprocessing.random_invert import RandomInvert
from rkeras.layers.preprocessing.random_posterization import RandomPosterization
from rkeras.layers.preprocessing.random_saturation import RandomSaturation
from rkeras.layers.preprocessing.random_sharpness import RandomSharpness
from rkeras.layers.preprocessing.solarization import Solarization

assert keras.backend.backend() == "jax"


def _images(shape, seed=0, low=0.0, high=255.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype("float32")


def _cl(x):
    return np.ascontiguousarray(np.moveaxis(x, 1, -1))


def _cf(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


def _parity(k_layer, r_layer, k_t, r_t, x, data_format="channels_last", tol=1e-5, extra_keys=()):
    """Keras' `transform_images(x, k_t)` and its vjp against rkeras' `_transform(x, r_t)`."""
    assert set(k_layer.get_config()) | set(extra_keys) == set(r_layer.get_config()), "config keys differ"
    g = np.random.default_rng(3).normal(size=x.shape).astype("float32")
    ky, pullback = jax.vjp(lambda v: k_layer.transform_images(v, k_t, training=True), x)
    ky, kdx = np.asarray(ky), np.asarray(pullback(g)[0])
    cf = data_format == "channels_first"
    y_cl, back = r_layer._transform(_cl(x) if cf else x, r_t)
    dx_cl = back(_cl(g) if cf else g)
    ry, rdx = (_cf(y_cl), _cf(dx_cl)) if cf else (y_cl, dx_cl)
    assert ry.shape == ky.shape and ry.dtype == np.float32
    errors = (rel_err(ry, ky), rel_err(rdx, kdx))
    assert max(errors) <= tol, errors
    return ry, ky


# --------------------------------------------------------------------------------------------- Keras parity
@pytest.mark.parametrize("value_range,data_format", [((0, 255), "channels_last"), ((-1, 1), "channels_first")])
def test_auto_contrast_parity(value_range, data_format):
    kw = {"value_range": value_range, "data_format": data_format}
    shape = (3, 2, 7, 6) if data_format == "channels_first" else (3, 7, 6, 2)
    x = _images(shape, low=value_range[0] * 0.5, high=value_range[1] * 0.5)
    if data_format == "channels_last":
        x[1, :, :, 0] = 3.0  # a constant channel passes unchanged
    if data_format == "channels_first":
        # Keras 3 reduces axes (1, 2) whatever the data format (channels and rows when channels come
        # first); rkeras stretches each channel of each image, as Keras does for channels-last input
        y = AutoContrast(**kw)(x)
        k_layer = keras.layers.AutoContrast(value_range=value_range)
        np.testing.assert_allclose(_cl(y), np.asarray(k_layer(_cl(x), training=False)), rtol=1e-5, atol=1e-6)
        return
    _parity(keras.layers.AutoContrast(**kw), AutoContrast(**kw), None, None, x, data_format)
    # active in inference too
    np.testing.assert_allclose(AutoContrast(**kw)(x), np.asarray(keras.layers.AutoContrast(**kw)(x, training=False)),
                               rtol=1e-5, atol=1e-5 * value_range[1])


@pytest.mark.parametrize("kw,data_format", [({}, "channels_last"), ({"bins": 64, "value_range": (0, 1)},
                                                                      "channels_first")])
def test_equalization_parity(kw, data_format):
    shape = (2, 3, 6, 5) if data_format == "channels_first" else (2, 6, 5, 3)
    high = kw.get("value_range", (0, 255))[1]
    x = _images(shape, high=high) ** 2 / high  # skewed histogram
    kw = dict(kw, data_format=data_format)
    _parity(keras.layers.Equalization(**kw), Equalization(**kw), None, None, x, data_format)


def test_equalization_single_bin_channel_passes():
    x = np.full((2, 4, 4, 1), 7.0, "float32")
    _parity(keras.layers.Equalization(), Equalization(), None, None, x)


@pytest.mark.parametrize("kw,t", [
    ({}, {"additions": [0.0, 0.0], "thresholds": [0.0, 0.0]}),
    ({"addition_factor": 0.3, "threshold_factor": (0.2, 0.7), "value_range": (0, 1)},
     {"additions": [20.0, 60.0], "thresholds": [100.0, 150.0]}),
])
def test_solarization_parity(kw, t):
    x = _images((2, 6, 5, 3), high=kw.get("value_range", (0, 255))[1])
    t = {k: np.asarray(v, "float32").reshape(2, 1, 1, 1) for k, v in t.items()}
    _parity(keras.layers.Solarization(**kw), Solarization(**kw), t, t, x)


def test_random_brightness_parity():
    kw = {"factor": 0.4, "value_range": (0, 255)}
    t = {"rgb_delta": np.array([-60.0, 80.0, 10.0], "float32").reshape(3, 1, 1, 1)}
    _parity(keras.layers.RandomBrightness(**kw), RandomBrightness(**kw), t, t, _images((3, 6, 5, 3)))


@pytest.mark.parametrize("channels,data_format", [(3, "channels_last"), (1, "channels_last"), (3, "channels_first")])
def test_random_color_degeneration_parity(channels, data_format):
    kw = {"factor": 0.8, "data_format": data_format}
    t = {"factor": np.array([0.3, -0.6, 0.9], "float32").reshape(3, 1, 1, 1)}
    shape = (3, channels, 6, 5) if data_format == "channels_first" else (3, 6, 5, channels)
    _parity(keras.layers.RandomColorDegeneration(**kw), RandomColorDegeneration(**kw), t, t, _images(shape),
            data_format)


def test_random_grayscale_parity():
    apply = np.array([True, False, True])
    _parity(keras.layers.RandomGrayscale(factor=0.5), RandomGrayscale(factor=0.5), apply.reshape(3, 1, 1, 1), apply,
            _images((3, 6, 5, 3)), extra_keys=("seed",))  # Keras 3 does not save its seed


@pytest.mark.parametrize("value_range,data_format", [((0, 255), "channels_last"), ((0, 1), "channels_first")])
def test_random_hue_parity(value_range, data_format):
    kw = {"factor": 0.9, "value_range": value_range, "data_format": data_format}
    t = {"factor": np.array([0.31, -0.44, 0.05], "float32")}
    shape = (3, 3, 7, 6) if data_format == "channels_first" else (3, 7, 6, 3)
    _parity(keras.layers.RandomHue(**kw), RandomHue(**kw), t, t, _images(shape, high=value_range[1]), data_format)


@pytest.mark.parametrize("factor", [[0.2, 1.6, 0.0], [3.0, 0.5, 1.0]])
def test_random_saturation_parity(factor):
    kw = {"factor": 0.7}
    t = {"factor": np.array(factor, "float32")}
    _parity(keras.layers.RandomSaturation(**kw), RandomSaturation(**kw), t, t, _images((3, 7, 6, 3)))


def test_random_invert_parity():
    kw = {"factor": 0.5, "value_range": (0, 255)}
    t = {"apply_inversion": np.array([True, False, True])}
    _parity(keras.layers.RandomInvert(**kw), RandomInvert(**kw), t, t, _images((3, 6, 5, 3)))


@pytest.mark.parametrize("value_range", [(0, 255), (0, 1)])
def test_random_posterization_parity(value_range):
    kw = {"factor": (1, 8), "value_range": value_range}
    t = {"shift_factor": np.array([7, 4, 1], "uint8")}
    _parity(keras.layers.RandomPosterization(**kw), RandomPosterization(**kw), t, t,
            _images((3, 6, 5, 3), high=value_range[1]))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_random_sharpness_parity(data_format):
    kw = {"factor": 0.9, "data_format": data_format}
    t = {"factor": np.array([0.1, 0.5, 0.85], "float32")}
    shape = (3, 2, 7, 6) if data_format == "channels_first" else (3, 7, 6, 2)
    _parity(keras.layers.RandomSharpness(**kw), RandomSharpness(**kw), t, t, _images(shape), data_format)


@pytest.mark.parametrize("kw,data_format", [({}, "channels_last"),
                                            ({"kernel_size": (5, 3), "sigma": (0.3, 0.9)}, "channels_first")])
def test_random_gaussian_blur_parity(kw, data_format):
    kw = dict(kw, data_format=data_format)
    t = {"should_apply_blur": np.array([True, False, True]), "blur_factor": np.array([0.7, 0.4], "float32")}
    shape = (3, 2, 8, 7) if data_format == "channels_first" else (3, 8, 7, 2)
    _parity(keras.layers.RandomGaussianBlur(**kw), RandomGaussianBlur(**kw), t, t, _images(shape), data_format)


def test_random_color_jitter_composes_its_steps():
    kw = {"brightness_factor": 0.2, "contrast_factor": 0.3, "saturation_factor": 0.4, "hue_factor": 0.5}
    layer = RandomColorJitter(**kw)
    assert set(keras.layers.RandomColorJitter(**kw).get_config()) == set(layer.get_config())
    x = _images((3, 6, 5, 3))
    ts = [{"rgb_delta": np.array([10.0, -20.0, 5.0], "float32").reshape(3, 1, 1, 1)},
          {"contrast_factor": np.array([0.8, 1.2, 1.0], "float32").reshape(3, 1, 1, 1)},
          {"factor": np.array([0.5, 1.5, 0.9], "float32")}, {"factor": np.array([0.1, -0.2, 0.3], "float32")}]
    names = ["RandomBrightness", "RandomContrast", "RandomSaturation", "RandomHue"]
    factors = [0.2, 0.3, 0.4, 0.5]
    g = np.random.default_rng(3).normal(size=x.shape).astype("float32")

    def keras_chain(v):
        for name, f, t in zip(names, factors, ts):
            v = getattr(keras.layers, name)(factor=f).transform_images(v, t, training=True)
        return v

    ky, pullback = jax.vjp(keras_chain, x)
    ry, back = layer._transform(x, ts)
    assert max(rel_err(ry, np.asarray(ky)), rel_err(back(g), np.asarray(pullback(g)[0]))) <= 1e-5


@pytest.mark.parametrize("value_range", [(0, 255), (-1, 1)])
def test_hsv_kernel_matches_its_numpy_twin(value_range):
    """The numba Jacobian kernel of hue and saturation (kernels.hsv) against its numpy twin
    `color_ops.pixel_map` (complex steps through the layers' own per-pixel maps)."""
    x = _images((3, 6, 5, 3), low=value_range[0], high=value_range[1])
    x[0, 0, 0] = [value_range[1] / 2] * 3  # gray: no hue
    x[1, 0, 0] = [0.0, 0.0, 0.0]  # black
    g = np.random.default_rng(4).normal(size=x.shape).astype("float32")
    layers = [(RandomHue(factor=0.9, value_range=value_range), {"factor": np.array([0.3, -0.45, 0.1])}),
              (RandomSaturation(factor=0.9, value_range=value_range), {"factor": np.array([0.0, 1.7, 9.0])})]
    for layer, t in layers:
        y, back = layer._transform(x, t)
        twin_y, twin_back = pixel_map(lambda v, layer=layer, t=t: layer._pixel_map(v, t, x.dtype), x)
        np.testing.assert_array_equal(y, twin_y)
        expected = twin_back(g)
        assert np.abs(expected).max() > 0.1
        np.testing.assert_allclose(back(g), expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


# --------------------------------------------------------------------------------------------- harness
COLOR = [
    (AutoContrast, {}, False),
    (AutoContrast, {"value_range": (-1, 1), "data_format": "channels_first"}, False),
    (Equalization, {"value_range": (-3, 3)}, True),
    (Solarization, {"addition_factor": 0.2, "threshold_factor": 0.8, "value_range": (-3, 3), "seed": 1}, True),
    (RandomBrightness, {"factor": 0.3, "value_range": (-2, 2), "seed": 2}, True),
    (RandomColorDegeneration, {"factor": 0.5, "value_range": (-2, 2), "seed": 3}, True),
    (RandomColorDegeneration, {"factor": (0.1, 0.9), "value_range": (-2, 2), "seed": 3,
                               "data_format": "channels_first"}, True),
    (RandomColorJitter, {"value_range": (-3, 3), "brightness_factor": 0.2, "contrast_factor": 0.3,
                         "saturation_factor": 0.6, "hue_factor": 0.4, "seed": 4}, True),
    (RandomGrayscale, {"factor": 0.5, "seed": 5}, True),
    (RandomHue, {"factor": 0.8, "value_range": (-3, 3), "seed": 6}, True),
    (RandomHue, {"factor": 0.8, "value_range": (-3, 3), "seed": 6, "data_format": "channels_first"}, True),
    (RandomSaturation, {"factor": 0.7, "value_range": (0, 3), "seed": 7}, True),
    (RandomInvert, {"factor": 0.5, "value_range": (-3, 3), "seed": 8}, True),
    (RandomPosterization, {"factor": 4, "value_range": (-3, 3), "seed": 9}, True),
    (RandomSharpness, {"factor": 0.8, "value_range": (-3, 3), "seed": 10}, True),
    (RandomGaussianBlur, {"factor": 0.8, "kernel_size": (3, 5), "sigma": 0.8, "value_range": (-3, 3),
                          "seed": 11}, True),
]


@pytest.mark.parametrize("cls,kw,identity_in_inference", COLOR)
def test_color_harness(cls, kw, identity_in_inference):
    shape = (3, 3, 5, 4) if kw.get("data_format") == "channels_first" else (3, 5, 4, 3)
    x = np.random.default_rng(0).uniform(-1.5, 1.5, size=shape)
    out = run_layer_test(cls, input_data=x.astype("float32"), init_kwargs=kw, forward_only_deterministic=True,
                         training=True, grad_input_data=x)
    layer = out["layer"]
    y = layer(x.astype("float32"))
    if identity_in_inference:
        np.testing.assert_array_equal(y, x.astype("float32"))
    # unbatched input: the same transformation as a batch of one
    single = layer(x[0].astype("float32"), training=not identity_in_inference)
    assert single.shape == x.shape[1:]


def test_seeded_color_layers_repeat():
    for cls, kw, _ in COLOR[3:]:
        x = _images((4, 3, 6, 6) if kw.get("data_format") == "channels_first" else (4, 6, 6, 3))
        a, b = cls(**kw), cls(**kw)
        np.testing.assert_array_equal(a(x, training=True), b(x, training=True))


# --------------------------------------------------------------------------------------------- values and draws
def test_deterministic_values():
    x = np.array([[[[0.0], [64.0]], [[128.0], [192.0]]]], "float32")
    np.testing.assert_allclose(AutoContrast()(x)[0, :, :, 0], [[0, 85], [170, 255]])
    np.testing.assert_allclose(Solarization()(x, training=True)[0, :, :, 0], [[255, 191], [127, 63]])
    np.testing.assert_allclose(RandomInvert(factor=(1.0, 1.0))(x, training=True), 255 - x)
    posterized = RandomPosterization(factor=(1, 1))(x + 50.0, training=True)  # keeps the top bit only
    np.testing.assert_array_equal(posterized[0, :, :, 0], [[0, 0], [128, 128]])
    rgb = np.array([[[[255.0, 0.0, 0.0]]]], "float32")
    np.testing.assert_allclose(RandomGrayscale(factor=1.0)(rgb, training=True), np.full((1, 1, 1, 3), 0.2989 * 255),
                               rtol=1e-6)
    y = RandomHue(factor=(1.0, 1.0))._transform(rgb, {"factor": np.array([1 / 3])})[0]  # red -> green
    np.testing.assert_allclose(y[0, 0, 0], [0.0, 255.0, 0.0], atol=1e-3)
    y = RandomSaturation(factor=0.5)._transform(rgb, {"factor": np.array([0.0])})[0]  # no saturation: gray
    np.testing.assert_allclose(y[0, 0, 0], [255.0, 255.0, 255.0])


def test_draw_ranges():
    n = 4000
    shape = (n, 2, 2, 3)
    d = RandomBrightness(factor=(-0.2, 0.1), value_range=(0, 10), seed=0)._random_transformation(shape)["rgb_delta"]
    assert d.min() >= -2.0 and d.max() <= 1.0 and abs(d.mean() + 0.5) < 0.05
    p = RandomInvert(factor=0.5, seed=1)._random_transformation(shape)["apply_inversion"]
    assert abs(p.mean() - 0.25) < 0.03  # probability drawn in [0, 0.5]: 1/4 on average
    s = RandomPosterization(factor=(2, 5), seed=2)._random_transformation(shape)["shift_factor"]
    assert set(np.unique(s)) == {4, 5, 6}  # bits in [2, 5): shifts 8 - bits
    h = RandomHue(factor=(0.2, 0.6), seed=3)._random_transformation(shape)["factor"]
    assert np.all((np.abs(h) >= 0.1) & (np.abs(h) <= 0.3)) and abs((h > 0).mean() - 0.5) < 0.05
    g = RandomGrayscale(factor=0.3, seed=4)._random_transformation(shape)
    assert abs(g.mean() - 0.3) < 0.03
    b = RandomGaussianBlur(factor=(1.0, 1.0), sigma=(0.2, 0.4), seed=5)._random_transformation(shape)
    assert b["should_apply_blur"].all() and np.all((b["blur_factor"] >= 0.2) & (b["blur_factor"] <= 0.4 + 1e-6))


@pytest.mark.parametrize("make,match", [
    (lambda: RandomBrightness(factor=1.5), "factor"),
    (lambda: RandomBrightness(factor=None), "factor"),
    (lambda: RandomBrightness(factor=0.1, value_range=(0, 1, 2)), "value_range"),
    (lambda: AutoContrast(value_range="a"), "value_range"),
    (lambda: Equalization(bins=0), "bins"),
    (lambda: Solarization(addition_factor=1.5), "addition_factor"),
    (lambda: Solarization(threshold_factor=(0.1, 0.2, 0.3)), "threshold_factor"),
    (lambda: RandomGrayscale(factor=2.0), "factor"),
    (lambda: RandomHue(factor=-0.5), "factor"),
    (lambda: RandomPosterization(factor=9), "factor"),
    (lambda: RandomSharpness(factor=(0.1, 1.2)), "factor"),
    (lambda: RandomGaussianBlur(kernel_size=4), "kernel_size"),
    (lambda: RandomGaussianBlur(sigma=2.0), "sigma"),
    (lambda: RandomInvert(seed=-1), "seed"),
    (lambda: RandomColorJitter(hue_factor=2.0), "factor"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_rgb_only_layers_refuse_other_channel_counts():
    with pytest.raises(ValueError, match="3 channels"):
        RandomHue(factor=0.5)(_images((1, 4, 4, 2)), training=True)
    with pytest.raises(ValueError, match="channels"):
        RandomGrayscale()(_images((1, 4, 4, 2)), training=True)


def test_wrappers_compose():
    model = rk.keras_model_sequential(input_shape=(8, 8, 3))
    model = model | rk.layer_auto_contrast() | rk.layer_random_brightness(factor=0.1, seed=1)
    model = model | rk.layer_random_color_degeneration(factor=0.2, seed=2) | rk.layer_random_grayscale(seed=3)
    model = model | rk.layer_random_hue(factor=0.1, seed=4) | rk.layer_random_saturation(factor=0.2, seed=5)
    model = model | rk.layer_random_invert(factor=0.1, seed=6) | rk.layer_random_posterization(factor=6, seed=7)
    model = model | rk.layer_solarization(threshold_factor=0.9, seed=8) | rk.layer_random_sharpness(factor=0.3)
    model = model | rk.layer_random_gaussian_blur(seed=9) | rk.layer_equalization()
    model = model | rk.layer_random_color_jitter(brightness_factor=0.1, contrast_factor=0.1, seed=10)
    x = _images((2, 8, 8, 3))
    assert model(x).shape == (2, 8, 8, 3)
    assert model.output_shape == (None, 8, 8, 3)
    assert [type(layer).__name__ for layer in model.layers][:3] == ["AutoContrast", "RandomBrightness",
                                                                    "RandomColorDegeneration"]
    y = rk.layer_solarization()(x, training=True)
    np.testing.assert_allclose(y, 255.0 - x, rtol=1e-6)
