"""Image preprocessing and augmentation layers: deterministic values from the definitions, the shared
harness (finite differences in float64 of the sampled transformation, config round trip, float16),
inference is the identity, seeding, and the statistics of the random draws."""

import numpy as np
import pytest
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.layers.preprocessing.center_crop import CenterCrop
from rkeras.layers.preprocessing.random_contrast import RandomContrast
from rkeras.layers.preprocessing.random_crop import RandomCrop
from rkeras.layers.preprocessing.random_flip import RandomFlip
from rkeras.layers.preprocessing.random_rotation import RandomRotation
from rkeras.layers.preprocessing.random_translation import RandomTranslation
from rkeras.layers.preprocessing.random_zoom import RandomZoom
from rkeras.layers.preprocessing.resampling import weight_matrix
from rkeras.layers.preprocessing.rescaling import Rescaling
from rkeras.layers.preprocessing.resizing import Resizing


def _cf(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


# --------------------------------------------------------------------------------------------- preprocessing
def test_rescaling():
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 3, 3, 2))
    out = run_layer_test(Rescaling, input_data=x, dtype="float64", init_kwargs={"scale": 1 / 127.5, "offset": -1},
                         supports_masking=True, mask=np.ones((2, 3, 3), bool))
    np.testing.assert_allclose(out["output"], x / 127.5 - 1, rtol=1e-12)
    out = run_layer_test(Rescaling, input_data=x, dtype="float64", init_kwargs={"scale": [1.0, 2.0], "offset": [0.0, 1.0]})
    np.testing.assert_allclose(out["output"], x * [1.0, 2.0] + [0.0, 1.0], rtol=1e-12)
    ints = np.arange(6, dtype=np.int64).reshape(1, 6)
    assert rk.layer_rescaling(ints, scale=0.5).dtype == np.float32
    with pytest.raises(ValueError, match="scale"):
        Rescaling()
    with pytest.raises(TypeError, match="offset"):
        Rescaling(scale=1.0, offset="a")


def test_resampling_weights_are_the_half_pixel_triangle():
    # downscaling 4 -> 2 samples at 0.5 and 2.5: the mean of the two neighbours
    np.testing.assert_allclose(weight_matrix(4, 2, "bilinear", False), [[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    # with antialias (4 -> 1) the triangle is 4 times as wide: distances 1.5, 0.5, 0.5, 1.5 from the
    # sample at 1.5 give 1 - d / 4 = 5/8, 7/8, 7/8, 5/8, normalized to sum to 1
    w = weight_matrix(4, 1, "bilinear", True)
    np.testing.assert_allclose(w, [[5 / 24, 7 / 24, 7 / 24, 5 / 24]])
    for method in ("bilinear", "bicubic", "lanczos3", "lanczos5"):
        np.testing.assert_allclose(weight_matrix(5, 9, method, False).sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("kw", [
    {"height": 3, "width": 2}, {"height": 7, "width": 9}, {"height": 3, "width": 5, "crop_to_aspect_ratio": True},
    {"height": 3, "width": 5, "pad_to_aspect_ratio": True, "fill_value": 2.0}, {"height": 2, "width": 3, "antialias": True},
    {"height": 4, "width": 7, "interpolation": "nearest"}, {"height": 4, "width": 3, "interpolation": "bicubic"},
    {"height": 3, "width": 4, "interpolation": "lanczos3", "data_format": "channels_first"}])
def test_resizing_harness(kw):
    shape = (2, 2, 5, 4) if kw.get("data_format") == "channels_first" else (2, 5, 4, 2)
    out = run_layer_test(Resizing, shape, init_kwargs=kw)
    hw = out["output"].shape[2:] if kw.get("data_format") == "channels_first" else out["output"].shape[1:3]
    assert hw == (kw["height"], kw["width"])


def test_resizing_values():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_allclose(Resizing(2, 2, dtype="float64")(x)[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(Resizing(2, 2, interpolation="nearest", dtype="float64")(x)[0, :, :, 0],
                                  [[5.0, 7.0], [13.0, 15.0]])
    # crop to aspect ratio 1:2 keeps the middle two rows, then halves the columns
    y = Resizing(2, 4, crop_to_aspect_ratio=True, dtype="float64")(x)[0, :, :, 0]
    np.testing.assert_allclose(y, x[0, 1:3, :, 0])
    # pad to aspect ratio 2:1 (tall) adds two rows of fill above and below (8 x 4), then nearest takes
    # rows 1, 3, 5, 7 and columns 1, 3
    y = Resizing(4, 2, pad_to_aspect_ratio=True, fill_value=-1.0, interpolation="nearest", dtype="float64")(x)
    np.testing.assert_array_equal(y[0, :, :, 0], [[-1, -1], [5, 7], [13, 15], [-1, -1]])
    single = Resizing(2, 2, dtype="float64")(x[0])
    np.testing.assert_allclose(single, Resizing(2, 2, dtype="float64")(x)[0])
    with pytest.raises(ValueError, match="Only one"):
        Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="fill_mode"):
        Resizing(2, 2, fill_mode="reflect")
    with pytest.raises(ValueError, match="height"):
        rk.layer_resizing(width=3)


@pytest.mark.parametrize("height,width,data_format", [(3, 2, "channels_last"), (6, 3, "channels_last"),
                                                      (2, 3, "channels_first")])
def test_center_crop(height, width, data_format):
    x = np.random.default_rng(1).normal(size=(2, 5, 4, 2))
    xin = x if data_format == "channels_last" else _cf(x)
    out = run_layer_test(CenterCrop, input_data=xin, dtype="float64",
                         init_kwargs={"height": height, "width": width, "data_format": data_format})
    y = out["output"] if data_format == "channels_last" else np.moveaxis(out["output"], 1, -1)
    if height <= 5 and width <= 4:
        top, left = (5 - height) // 2, (4 - width) // 2
        np.testing.assert_array_equal(y, x[:, top:top + height, left:left + width])
    else:  # smaller than the target: the aspect-ratio window (5 x 2.5 -> 5 x 2 at column 1), resized
        np.testing.assert_allclose(y, Resizing(height, width, dtype="float64")(x[:, :, 1:3]), rtol=1e-12)


# --------------------------------------------------------------------------------------------- augmentation
AUGMENTATION = [
    (RandomFlip, {"mode": "horizontal", "seed": 1}),
    (RandomFlip, {"mode": "horizontal_and_vertical", "seed": 2, "data_format": "channels_first"}),
    (RandomRotation, {"factor": 0.2, "seed": 3}),
    (RandomRotation, {"factor": (-0.3, 0.1), "fill_mode": "constant", "fill_value": 1.5, "seed": 4}),
    (RandomRotation, {"factor": 0.5, "fill_mode": "wrap", "interpolation": "nearest", "seed": 5}),
    (RandomZoom, {"height_factor": 0.3, "seed": 6}),
    (RandomZoom, {"height_factor": (-0.4, 0.2), "width_factor": 0.3, "fill_mode": "nearest", "seed": 7,
                  "data_format": "channels_first"}),
    (RandomTranslation, {"height_factor": 0.3, "width_factor": (-0.2, 0.4), "seed": 8}),
    (RandomTranslation, {"height_factor": 0.2, "width_factor": 0.2, "fill_mode": "constant", "seed": 9}),
    (RandomContrast, {"factor": 0.4, "value_range": (-1.0, 1.0), "seed": 10}),
    (RandomContrast, {"factor": (0.2, 0.5), "value_range": (-10.0, 10.0), "seed": 11}),
    (RandomCrop, {"height": 3, "width": 2, "seed": 12}),
    (RandomCrop, {"height": 6, "width": 3, "seed": 13, "data_format": "channels_first"}),
]


@pytest.mark.parametrize("cls,kw", AUGMENTATION)
def test_augmentation_harness(cls, kw):
    shape = (3, 2, 5, 4) if kw.get("data_format") == "channels_first" else (3, 5, 4, 2)
    out = run_layer_test(cls, shape, init_kwargs=kw, forward_only_deterministic=True, training=True)
    if cls is not RandomCrop:  # inference is the identity
        x = np.random.default_rng(0).normal(size=shape).astype("float32")
        np.testing.assert_array_equal(out["layer"](x), x)


def test_seeded_layers_repeat_and_unseeded_follow_set_random_seed():
    x = np.random.default_rng(2).normal(size=(4, 6, 6, 1)).astype("float32")
    for cls, kw in AUGMENTATION[:1] + AUGMENTATION[2:3] + AUGMENTATION[5:6] + AUGMENTATION[9:10]:
        a, b = cls(**kw), cls(**kw)
        np.testing.assert_array_equal(a(x, training=True), b(x, training=True))
        kw = {k: v for k, v in kw.items() if k != "seed"}
        rk.set_random_seed(5)
        first = cls(**kw)(x, training=True)
        rk.set_random_seed(5)
        np.testing.assert_array_equal(cls(**kw)(x, training=True), first)


def test_random_flip_statistics_and_values():
    x = np.arange(6.0).reshape(1, 2, 3, 1)
    batch = np.repeat(x, 4000, axis=0)
    y = RandomFlip("horizontal", seed=0, dtype="float64")(batch, training=True)
    flipped = (y == x[:, :, ::-1]).all(axis=(1, 2, 3))
    kept = (y == x).all(axis=(1, 2, 3))
    assert (flipped | kept).all()
    assert abs(flipped.mean() - 0.5) < 4 * np.sqrt(0.25 / 4000)
    y = RandomFlip("vertical", seed=1, dtype="float64")(batch[:200], training=True)
    assert ((y == x[:, ::-1]).all(axis=(1, 2, 3)) | (y == x).all(axis=(1, 2, 3))).all()
    y = RandomFlip(seed=2, dtype="float64")(batch[:200], training=True)
    assert ((y == x[:, ::-1, ::-1]).all(axis=(1, 2, 3)) | (y == x).all(axis=(1, 2, 3))).all()


def test_random_rotation_by_quarter_turns_and_angle_draws():
    layer = RandomRotation(0.25, fill_mode="constant", dtype="float64")
    x = np.random.default_rng(3).normal(size=(2, 5, 5, 2))
    y, _ = layer._transform(x, {"angle": np.array([90.0, -90.0])})
    # output (y, x) samples input column cx - (y - cy) and row cy + (x - cx): a quarter turn of the array
    np.testing.assert_allclose(y[0], np.rot90(x[0], k=1, axes=(0, 1)), atol=1e-12)
    np.testing.assert_allclose(y[1], np.rot90(x[1], k=-1, axes=(0, 1)), atol=1e-12)
    angles = RandomRotation((-0.1, 0.3), seed=4)._random_transformation((20000, 5, 5, 1))["angle"]
    assert angles.min() >= -36.0 and angles.max() <= 108.0
    assert abs(angles.mean() - 36.0) < 4 * 144.0 / np.sqrt(12 * 20000)


def test_random_translation_by_whole_pixels_shifts_the_image():
    x = np.random.default_rng(5).normal(size=(1, 5, 6, 1))
    layer = RandomTranslation(0.5, 0.5, fill_mode="constant", fill_value=0.0, dtype="float64")
    y, _ = layer._transform(x, {"translations": np.array([[2.0, -1.0]])})  # 2 columns right, 1 row up
    expected = np.zeros_like(x)
    expected[:, :4, 2:] = x[:, 1:, :4]
    np.testing.assert_allclose(y, expected, atol=1e-12)
    t = RandomTranslation((-0.2, 0.4), 0.1, seed=6)._random_transformation((10000, 10, 20, 1))["translations"]
    assert t[:, 1].min() >= -2.0 and t[:, 1].max() <= 4.0 and t[:, 0].min() >= -2.0 and t[:, 0].max() <= 2.0
    assert abs(t[:, 1].mean() - 1.0) < 0.1


def test_random_zoom_identity_and_draws():
    x = np.random.default_rng(7).normal(size=(2, 5, 4, 1))
    layer = RandomZoom(0.5, dtype="float64")
    y, _ = layer._transform(x, {"height_zoom": np.ones((2, 1)), "width_zoom": np.ones((2, 1))})
    np.testing.assert_allclose(y, x, atol=1e-12)
    # zoom 0.5 about the center (1.5 columns of a 4-wide image): output column j reads 0.75 + j / 2
    y, _ = RandomZoom(0.5, fill_mode="constant", dtype="float64")._transform(
        x, {"height_zoom": np.ones((2, 1)), "width_zoom": np.full((2, 1), 0.5)})
    np.testing.assert_allclose(y[..., 0, :], 0.25 * x[..., 0, :] + 0.75 * x[..., 1, :], atol=1e-12)
    np.testing.assert_allclose(y[..., 1, :], 0.75 * x[..., 1, :] + 0.25 * x[..., 2, :], atol=1e-12)
    t = RandomZoom(0.2, seed=8)._random_transformation((5000, 4, 4, 1))
    assert (t["height_zoom"] == t["width_zoom"]).all()
    assert t["height_zoom"].min() >= 0.8 and t["height_zoom"].max() <= 1.2
    t = RandomZoom(0.2, (-0.5, -0.1), seed=9)._random_transformation((5000, 4, 4, 1))
    assert t["width_zoom"].min() >= 0.5 and t["width_zoom"].max() <= 0.9


def test_random_contrast_keeps_channel_means_and_clips():
    rng = np.random.default_rng(10)
    x = rng.uniform(50, 150, size=(200, 4, 4, 3))
    layer = RandomContrast(0.5, seed=11, dtype="float64")
    y = layer(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), x.mean(axis=(1, 2)), rtol=1e-9)
    ratio = (y - y.mean(axis=(1, 2), keepdims=True)) / (x - x.mean(axis=(1, 2), keepdims=True))
    per_image = ratio.reshape(200, -1)
    np.testing.assert_allclose(per_image, np.broadcast_to(per_image[:, :1], per_image.shape), rtol=1e-6)
    assert per_image.min() >= 1.0 - 1e-9 and per_image.max() <= 1.5 + 1e-9  # Keras: [1 - 0, 1 + 0.5]
    y = RandomContrast((0.9, 0.9), value_range=(60, 140), seed=12, dtype="float64")(x, training=True)
    assert y.min() >= 60 and y.max() <= 140


def test_random_crop_windows_and_inference_path():
    x = np.arange(6 * 7, dtype=np.float64).reshape(1, 6, 7, 1)
    layer = RandomCrop(3, 4, seed=0, dtype="float64")
    seen = set()
    for _ in range(300):
        y = layer(x, training=True)
        top, left = divmod(int(y[0, 0, 0, 0]), 7)
        np.testing.assert_array_equal(y, x[:, top:top + 3, left:left + 4])
        seen.add((top, left))
    assert seen == {(t, l) for t in range(4) for l in range(4)}
    # inference: the centered window with the target's aspect ratio (6 x 8 -> 6 x 7 whole... 3.5 rows), resized
    np.testing.assert_allclose(layer(x), Resizing(3, 4, crop_to_aspect_ratio=True, dtype="float64")(x))


@pytest.mark.parametrize("make,match", [
    (lambda: RandomFlip(mode="diagonal"), "mode"),
    (lambda: RandomRotation(factor=1.5), "factor"),
    (lambda: RandomRotation(factor=0.1, fill_mode="mirror"), "fill_mode"),
    (lambda: RandomRotation(factor=0.1, interpolation="bicubic"), "interpolation"),
    (lambda: RandomZoom(height_factor=-1.0), "height_factor"),
    (lambda: RandomZoom(height_factor=0.1, width_factor=(0.1, 0.2, 0.3)), "width_factor"),
    (lambda: RandomTranslation(height_factor=0.1, width_factor=None), "width_factor"),
    (lambda: RandomContrast(factor=1.5), "factor"),
    (lambda: RandomContrast(factor=0.1, value_range=(1, 0)), "value_range"),
    (lambda: RandomCrop(height=2, width=None), "width"),
    (lambda: RandomFlip(seed=-1), "seed"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_wrappers_compose():
    model = rk.keras_model_sequential(input_shape=(8, 8, 3))
    model = model | rk.layer_rescaling(scale=1 / 255) | rk.layer_random_flip(seed=1)
    model = model | rk.layer_random_rotation(factor=0.1, seed=2) | rk.layer_random_contrast(factor=0.2, seed=3)
    model = model | rk.layer_random_crop(height=6, width=6, seed=4) | rk.layer_resizing(height=4, width=4)
    model = model | rk.layer_random_zoom(height_factor=0.1, seed=5)
    model = model | rk.layer_random_translation(height_factor=0.1, width_factor=0.1, seed=6)
    model = model | rk.layer_center_crop(height=2, width=2)
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3)).astype("float32")
    assert model(x).shape == (2, 2, 2, 3)
    assert model.output_shape == (None, 2, 2, 3)
    assert [type(layer).__name__ for layer in model.layers][:3] == ["Rescaling", "RandomFlip", "RandomRotation"]
