"""Geometric and mixing augmentation layers (shear, perspective, erasing, CutMix, MixUp, max number of
bounding boxes): Keras 3 parity of the transformation with its randomness fixed (outputs and input
gradients, float32 rel <= 1e-5), the shared harness (finite differences in float64 in training,
config round trip, inference is the identity), draws and argument errors."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from layer_harness import run_layer_test
from numerics import rel_err

import rkeras as rk
from rkeras.layers.preprocessing.aug_mix import ALL_OPS, AugMix
from rkeras.layers.preprocessing.cut_mix import CutMix
from rkeras.layers.preprocessing.max_num_bounding_box import MaxNumBoundingBoxes
from rkeras.layers.preprocessing.mix_up import MixUp
from rkeras.layers.preprocessing.rand_augment import STEP_NAMES, RandAugment
from rkeras.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from rkeras.layers.preprocessing.random_erasing import RandomErasing
from rkeras.layers.preprocessing.random_perspective import RandomPerspective
from rkeras.layers.preprocessing.random_shear import RandomShear

assert keras.backend.backend() == "jax"


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.0, 255.0, size=shape).astype("float32")


def _cl(x):
    return np.ascontiguousarray(np.moveaxis(x, 1, -1))


def _cf(x):
    return np.ascontiguousarray(np.moveaxis(x, -1, 1))


def _parity(k_layer, r_layer, k_t, r_t, x, data_format="channels_last"):
    assert set(k_layer.get_config()) == set(r_layer.get_config()), "config keys differ from Keras'"
    g = np.random.default_rng(3).normal(size=x.shape).astype("float32")
    ky, pullback = jax.vjp(lambda v: k_layer.transform_images(v, k_t, training=True), x)
    ky, kdx = np.asarray(ky), np.asarray(pullback(g)[0])
    cf = data_format == "channels_first"
    y_cl, back = r_layer._transform(_cl(x) if cf else x, r_t)
    dx_cl = back(_cl(g) if cf else g)
    ry, rdx = (_cf(y_cl), _cf(dx_cl)) if cf else (y_cl, dx_cl)
    assert ry.shape == ky.shape
    errors = (rel_err(ry, ky), rel_err(rdx, kdx))
    assert max(errors) <= 1e-5, errors


@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_shear_parity(fill_mode, interpolation):
    kw = {"x_factor": 0.5, "y_factor": (0.1, 0.4), "fill_mode": fill_mode, "interpolation": interpolation,
          "fill_value": 3.0}
    t = {"shear_factor": np.array([[0.31, -0.2], [-0.45, 0.12], [0.0, 0.37]], "float32")}
    _parity(keras.layers.RandomShear(**kw), RandomShear(**kw), t, t, _images((3, 7, 6, 2)))


def test_random_shear_channels_first_parity():
    kw = {"x_factor": 0.5, "y_factor": 0.5, "data_format": "channels_first"}
    t = {"shear_factor": np.array([[0.21, -0.3], [-0.15, 0.42]], "float32")}
    _parity(keras.layers.RandomShear(**kw), RandomShear(**kw), t, t, _images((2, 2, 7, 6)), "channels_first")


@pytest.mark.parametrize("interpolation,data_format", [("bilinear", "channels_last"), ("nearest", "channels_last"),
                                                        ("bilinear", "channels_first")])
def test_random_perspective_parity(interpolation, data_format):
    kw = {"factor": 1.0, "scale": 0.6, "interpolation": interpolation, "fill_value": 2.0, "data_format": data_format}
    h, w = 7, 6
    start = np.repeat(np.array([[[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]]], "float32"), 3, axis=0)
    moves = np.random.default_rng(5).uniform(-0.3, 0.3, size=(3, 4, 2)).astype("float32")
    t = {"apply_perspective": np.array([True, False, True]), "start_points": start, "end_points": start + start * moves}
    kt = dict(t, input_shape=(3, h, w, 2))
    shape = (3, 2, h, w) if data_format == "channels_first" else (3, h, w, 2)
    _parity(keras.layers.RandomPerspective(**kw), RandomPerspective(**kw), kt, t, _images(shape), data_format)


def test_mix_up_parity():
    t = {"permutation_order": np.array([2, 0, 1]), "mix_weight": np.array([0.3, 0.9, 0.55], "float32")}
    _parity(keras.layers.MixUp(alpha=0.4), MixUp(alpha=0.4), t, t, _images((3, 5, 4, 2)))


def test_cut_mix_parity():
    masks = np.zeros((3, 5, 4, 2), bool)
    masks[0, 1:3, 0:2] = True
    masks[2, 2:5, 1:4] = True
    t = {"permutation_order": np.array([1, 2, 0]), "batch_masks": masks, "mix_weight": np.array([0.8, 1.0, 0.55])}
    _parity(keras.layers.CutMix(), CutMix(), t, t, _images((3, 5, 4, 2)))


def test_random_erasing_parity():
    masks = np.zeros((3, 5, 4, 2), bool)
    masks[:, 1:4, 1:3] = True
    t = {"apply_erasing": np.array([True, False, True]), "batch_masks": masks,
         "fill_value": np.full((3, 5, 4, 2), 7.0, "float32")}
    _parity(keras.layers.RandomErasing(fill_value=7.0), RandomErasing(fill_value=7.0), t, t, _images((3, 5, 4, 2)))


@pytest.mark.parametrize("fill_mode,interpolation", [("reflect", "bilinear"), ("constant", "bilinear"),
                                                     ("wrap", "nearest")])
def test_random_elastic_transform_parity(fill_mode, interpolation):
    kw = {"factor": 1.0, "scale": 1.0, "fill_mode": fill_mode, "interpolation": interpolation, "fill_value": 5.0}
    apply = np.array([True, False, True])
    # Keras draws both displacement fields from one key: the same noise, which rkeras is given here
    noise = np.asarray(jax.random.normal(jax.numpy.array([7, 0], dtype="uint32"), (3, 20, 16), dtype="float32"))
    kt = {"apply_transform": apply, "distortion_factor": np.float32(0.8), "seed": 7}
    rt = {"apply_transform": apply, "distortion_factor": np.float32(0.8), "noise_x": noise, "noise_y": noise}
    _parity(keras.layers.RandomElasticTransform(**kw), RandomElasticTransform(**kw), kt, rt, _images((3, 20, 16, 2)))


def _keras_transformations(k_layer, names, x):
    """Each named sub-layer's Keras transformation of `x`, as numpy (rkeras reads the same keys)."""
    out = {}
    for name in names:
        t = getattr(k_layer, name).get_random_transformation(x, training=True)
        out[name] = None if t is None else {key: np.asarray(v) for key, v in t.items()}
    return out


def test_rand_augment_parity():
    x = _images((3, 9, 8, 3))
    kw = {"num_ops": 4, "factor": 0.6}
    k_layer, r_layer = keras.layers.RandAugment(**kw), RandAugment(**kw)
    k_layer.build(x.shape)
    ts = _keras_transformations(k_layer, STEP_NAMES, x)
    idxes = np.array([0, 3, 9, 6])  # shear, brightness, auto contrast, sharpness
    _parity(k_layer, r_layer, {"transforms": ts, "layer_idxes": idxes},
            {"transforms": [ts[name] for name in STEP_NAMES], "layer_idxes": idxes}, x)


def test_aug_mix_parity():
    x = _images((3, 9, 8, 3))
    kw = {"num_chains": 2, "chain_depth": 3, "factor": 0.5, "alpha": 0.7}
    k_layer, r_layer = keras.layers.AugMix(**kw), AugMix(**kw)
    k_layer.build(x.shape)
    ts = _keras_transformations(k_layer, ALL_OPS, x)
    chains = [["random_translation", "random_contrast"], ["random_color_degeneration", "solarization",
                                                           "random_shear"]]
    kt = {"chain_mixing_weights": np.array([0.3, 0.7], "float32"), "weight_sample": np.float32(0.4),
          "chain_transforms": [[{"layer_name": n, "transformation": ts[n]} for n in chain] for chain in chains]}
    rt = dict(kt, chain_transforms=[[(ALL_OPS.index(n), ts[n]) for n in chain] for chain in chains])
    _parity(k_layer, r_layer, kt, rt, x)


GEOMETRIC = [
    (RandAugment, {"num_ops": 3, "factor": 0.4, "value_range": (-3, 3), "seed": 12}),
    (AugMix, {"num_chains": 2, "factor": 0.4, "value_range": (-3, 3), "seed": 13}),
    (AugMix, {"all_ops": False, "value_range": (-3, 3), "seed": 14, "data_format": "channels_first"}),
    (RandomElasticTransform, {"scale": 0.5, "value_range": (-3, 3), "seed": 10}),
    (RandomElasticTransform, {"factor": 0.8, "fill_mode": "constant", "value_range": (-3, 3), "seed": 11,
                              "data_format": "channels_first"}),
    (RandomShear, {"x_factor": 0.3, "y_factor": 0.2, "seed": 1}),
    (RandomShear, {"x_factor": (0.1, 0.5), "fill_mode": "constant", "interpolation": "nearest", "seed": 2,
                   "data_format": "channels_first"}),
    (RandomPerspective, {"factor": 1.0, "scale": 0.5, "seed": 3}),
    (RandomPerspective, {"factor": 0.7, "scale": 0.3, "fill_value": 1.0, "seed": 4, "data_format": "channels_first"}),
    (RandomErasing, {"factor": 1.0, "value_range": (-3, 3), "seed": 5}),
    (RandomErasing, {"factor": 0.8, "scale": (0.1, 0.5), "fill_value": 0.5, "value_range": (-3, 3), "seed": 6}),
    (MixUp, {"alpha": 0.4, "seed": 7}),
    (CutMix, {"factor": 1.0, "seed": 8}),
    (CutMix, {"factor": 0.5, "seed": 9, "data_format": "channels_first"}),
    (MaxNumBoundingBoxes, {"max_number": 3}),
]


@pytest.mark.parametrize("cls,kw", GEOMETRIC)
def test_geometric_harness(cls, kw):
    shape = (4, 3, 6, 5) if kw.get("data_format") == "channels_first" else (4, 6, 5, 3)
    out = run_layer_test(cls, shape, init_kwargs=kw, forward_only_deterministic=True, training=True)
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    np.testing.assert_array_equal(out["layer"](x), x)  # inference is the identity
    a, b = cls(**kw), cls(**kw)
    np.testing.assert_array_equal(a(x, training=True), b(x, training=True))  # seeded
    assert a(x[0], training=True).shape == x.shape[1:]


def test_values_and_draws():
    x = np.arange(2 * 3 * 3, dtype="float32").reshape(2, 3, 3, 1)
    # MixUp keeps every pixel a convex combination of the two images
    y = MixUp(alpha=1.0, seed=0)(x, training=True)
    lo, hi = np.minimum(x[0], x[1]), np.maximum(x[0], x[1])
    assert np.all((y >= lo - 1e-5) & (y <= hi + 1e-5))
    # whole-pixel shear: output (y, x) reads input column x + s * y
    img = np.random.default_rng(1).normal(size=(1, 4, 6, 1))
    y, _ = RandomShear(x_factor=1.0, fill_mode="constant", dtype="float64")._transform(
        img, {"shear_factor": np.array([[1.0, 0.0]])})
    expected = np.zeros_like(img)
    for r in range(4):
        expected[0, r, :6 - r] = img[0, r, r:]
    np.testing.assert_allclose(y, expected, atol=1e-12)
    # identity homography
    t = RandomPerspective(scale=0.0, seed=0)._random_transformation((1, 4, 4, 1))
    y, _ = RandomPerspective(scale=0.0)._transform(img.astype("float32")[:, :, :4], t)
    np.testing.assert_allclose(y, img.astype("float32")[:, :, :4], atol=1e-5)
    # erasing areas follow `scale`
    t = RandomErasing(scale=(0.1, 0.2), seed=0)._random_transformation((500, 40, 40, 1))
    area = t["batch_masks"].mean(axis=(1, 2, 3))
    assert area.min() > 0.05 and area.max() < 0.25
    boxes, labels = MaxNumBoundingBoxes(max_number=3).pad_bounding_boxes(np.ones((2, 1, 4)), np.ones((2, 1)))
    assert boxes.shape == (2, 3, 4) and (boxes[:, 1:] == -1).all() and labels.shape == (2, 3)


@pytest.mark.parametrize("make,match", [
    (lambda: RandomShear(x_factor=1.5), "x_factor"),
    (lambda: RandomShear(x_factor=-0.5), "x_factor"),
    (lambda: RandomShear(y_factor=(0.1, 0.2, 0.3)), "y_factor"),
    (lambda: RandomShear(fill_mode="mirror"), "fill_mode"),
    (lambda: RandomPerspective(scale=2.0), "scale"),
    (lambda: RandomPerspective(interpolation="bicubic"), "interpolation"),
    (lambda: RandomErasing(scale=1.5), "scale"),
    (lambda: RandomErasing(fill_value=(1, 2)), "fill_value"),
    (lambda: MixUp(alpha=0), "alpha"),
    (lambda: RandAugment(num_ops=-1), "num_ops"),
    (lambda: RandAugment(factor=1.5), "factor"),
    (lambda: AugMix(num_chains=0), "num_chains"),
    (lambda: AugMix(alpha=-1.0), "alpha"),
    (lambda: RandomElasticTransform(scale=1.5), "scale"),
    (lambda: RandomElasticTransform(fill_mode="mirror"), "fill_mode"),
    (lambda: CutMix(factor=2.0), "factor"),
    (lambda: MaxNumBoundingBoxes(), "max_number"),
])
def test_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_wrappers_compose():
    model = rk.keras_model_sequential(input_shape=(8, 8, 3))
    model = model | rk.layer_random_shear(x_factor=0.2, seed=1) | rk.layer_random_perspective(scale=0.2, seed=2)
    model = model | rk.layer_random_erasing(seed=3) | rk.layer_cut_mix(seed=4) | rk.layer_mix_up(seed=5)
    model = model | rk.layer_random_elastic_transform(seed=6) | rk.layer_rand_augment(seed=7)
    model = model | rk.layer_aug_mix(seed=8) | rk.layer_max_num_bounding_boxes(max_number=2)
    x = _images((4, 8, 8, 3))
    np.testing.assert_array_equal(model(x), x)
    assert model.output_shape == (None, 8, 8, 3)
    assert [type(layer).__name__ for layer in model.layers][:2] == ["RandomShear", "RandomPerspective"]
