"""Dropout: statistics, inverted scaling, inference identity, seeding, noise_shape, gradients, errors."""

import numpy as np
import pytest
from layer_harness import run_layer_test

from rkeras.api.layers_core import layer_dense, layer_dropout
from rkeras.layers.core.dropout import Dropout
from rkeras.models.sequential import keras_model_sequential
from rkeras.random import set_random_seed
from rkeras.training.vjp import vjp


def test_harness():
    run_layer_test(Dropout, (4, 5), init_kwargs={"rate": 0.4, "seed": 1}, forward_only_deterministic=True,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=True, mask=np.array([True, True, False, True]))
    run_layer_test(Dropout, (2, 3, 4), init_kwargs={"rate": 0.5, "noise_shape": (None, 1, None)},
                   forward_only_deterministic=True)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_rate_statistics_and_scaling(rate):
    x = np.full((400, 500), 2.0, dtype=np.float32)
    y = Dropout(rate, seed=0)(x, training=True)
    dropped = np.mean(y == 0)
    assert abs(dropped - rate) < 0.01  # 200k draws: 5 sigma is < 0.005
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 2.0 / (1.0 - rate), rtol=1e-6)
    assert abs(y.mean() - 2.0) < 0.05  # the expected sum is unchanged
    assert y.dtype == np.float32


def test_inference_is_identity():
    x = np.random.default_rng(0).normal(size=(6, 7))
    layer = Dropout(0.5)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer(x, training=False), x)
    model = keras_model_sequential(input_shape=(7,)) | layer_dropout(rate=0.9)
    np.testing.assert_array_equal(model(x), x)


def test_rate_zero_and_one():
    x = np.ones((3, 4))
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True), x)
    np.testing.assert_array_equal(Dropout(1.0)(x, training=True), np.zeros_like(x))
    _, dx, _ = vjp(Dropout(1), x, np.ones_like(x), training=True)
    np.testing.assert_array_equal(dx, np.zeros_like(x))


def test_seeded_layers_repeat_their_sequence_of_masks():
    x = np.ones((10, 10))
    a, b, c = Dropout(0.5, seed=42), Dropout(0.5, seed=42), Dropout(0.5, seed=43)
    seq_a = [a(x, training=True) for _ in range(3)]
    seq_b = [b(x, training=True) for _ in range(3)]
    for ya, yb in zip(seq_a, seq_b):
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(seq_a[0], seq_a[1])  # a new mask at each call
    assert not np.array_equal(seq_a[0], c(x, training=True))


def test_unseeded_layers_repeat_after_set_random_seed():
    x = np.ones((10, 10))
    set_random_seed(7)
    first = [Dropout(0.5)(x, training=True) for _ in range(2)]
    set_random_seed(7)
    second = [Dropout(0.5)(x, training=True) for _ in range(2)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])


def test_mask_drawn_from_generator_made_once_at_construction():
    set_random_seed(3)
    layer = Dropout(0.5)
    set_random_seed(99)  # later reseeding does not change an existing layer's stream
    y1 = layer(np.ones((8, 8)), training=True)
    set_random_seed(3)
    y2 = Dropout(0.5)(np.ones((8, 8)), training=True)
    np.testing.assert_array_equal(y1, y2)


def test_noise_shape_broadcasts():
    x = np.random.default_rng(1).normal(size=(4, 6, 5)) + 10.0  # no zeros of its own
    y = Dropout(0.5, noise_shape=(None, 1, None), seed=2)(x, training=True)
    keep = y != 0
    assert np.all(keep == keep[:, :1, :])  # the same mask at every timestep
    np.testing.assert_allclose(y[keep], 2.0 * x[keep])
    y = Dropout(0.5, noise_shape=(1, 1, 5), seed=2)(x, training=True)
    assert np.all((y != 0) == (y[:1, :1, :] != 0))
    y = Dropout(0.5, noise_shape=[4, 6, 1], seed=2)(x, training=True)  # R passes lists
    assert np.all((y != 0) == (y[:, :, :1] != 0))


def test_backward_is_the_same_mask_scaled():
    x = np.random.default_rng(2).normal(size=(5, 6)) + 10.0
    g = np.random.default_rng(3).normal(size=(5, 6))
    y, dx, grads = vjp(Dropout(0.3, seed=5), x, g, training=True)
    np.testing.assert_allclose(dx, g * y / x, rtol=1e-12)
    assert grads == {}
    _, dx_inf, _ = vjp(Dropout(0.3, seed=5), x, g, training=False)
    np.testing.assert_array_equal(dx_inf, g)


def test_dtypes():
    assert Dropout(0.5, seed=0)(np.ones((3, 3), dtype=np.int64), training=True).dtype == np.float32
    assert Dropout(0.5, seed=0)(np.ones((3, 3), dtype=np.float16), training=True).dtype == np.float16
    assert Dropout(0.5, seed=0)(np.ones((3, 3)), training=True).dtype == np.float64


def test_config_round_trip_repeats_masks():
    layer = Dropout(0.25, noise_shape=(None, 1), seed=9, name="drop")
    config = layer.get_config()
    assert config["rate"] == 0.25 and config["noise_shape"] == (None, 1) and config["seed"] == 9
    clone = Dropout.from_config(config)
    x = np.ones((6, 3))
    np.testing.assert_array_equal(layer(x, training=True), clone(x, training=True))


def test_in_a_model_training_drops_inference_does_not():
    x = np.ones((2, 4))
    model = keras_model_sequential(input_shape=(4,)) | layer_dense(units=3, kernel_initializer="ones") | \
        layer_dropout(rate=0.5, seed=1)
    y_inf, _ = model.forward(x, training=False)
    np.testing.assert_array_equal(y_inf, np.full((2, 3), 4.0))
    y_tr, _ = model.forward(np.ones((50, 4)), training=True)
    assert np.any(y_tr == 0) and np.all((y_tr == 0) | (y_tr == 8.0))


@pytest.mark.parametrize("kwargs,exc,words", [
    ({}, ValueError, ["rate", "None"]),
    ({"rate": 1.5}, ValueError, ["rate", "1.5", "[0, 1]"]),
    ({"rate": -0.1}, ValueError, ["rate", "-0.1"]),
    ({"rate": "half"}, TypeError, ["rate", "half"]),
    ({"rate": True}, TypeError, ["rate", "True"]),
    ({"rate": 0.5, "seed": -1}, ValueError, ["seed", "-1"]),
    ({"rate": 0.5, "seed": "a"}, TypeError, ["seed", "'a'"]),
    ({"rate": 0.5, "noise_shape": 3.5}, TypeError, ["noise_shape", "3.5"]),
    ({"rate": 0.5, "noise_shape": (None, 0)}, ValueError, ["noise_shape", "0"]),
    ({"rate": 0.5, "bar": 2}, TypeError, ["layer_dropout()", "bar"]),
])
def test_constructor_errors(kwargs, exc, words):
    with pytest.raises(exc) as info:
        layer_dropout(**kwargs)
    for w in words:
        assert w in str(info.value)


def test_noise_shape_errors_at_call():
    with pytest.raises(ValueError, match="one entry per input dimension"):
        Dropout(0.5, noise_shape=(None, 1))(np.ones((2, 3, 4)), training=True)
    with pytest.raises(ValueError, match=r"must broadcast to the input shape \(2, 3\)"):
        Dropout(0.5, noise_shape=(None, 2))(np.ones((2, 3)), training=True)
    with pytest.raises(TypeError, match=r"rate=0\.5"):
        layer_dropout(0.5)
