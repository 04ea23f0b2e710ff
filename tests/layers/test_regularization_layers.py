"""Spatial dropout 1D/2D/3D, Gaussian noise, Gaussian dropout, alpha dropout, activity regularization: the shared
harness (finite differences in float64 with the random draws frozen, config round trip), numpy twins of the
training-mode formulas on the layer's own draws, seeded repeatability, and the activity penalty against Keras 3
in a training step (loss and updated weights)."""

import keras
import numpy as np
import pytest
from keras_grads import rel
from layer_harness import FrozenRandomness, run_layer_test

import rkeras as rk
from rkeras.layers.regularization.activity_regularization import ActivityRegularization
from rkeras.layers.regularization.alpha_dropout import AlphaDropout
from rkeras.layers.regularization.gaussian_dropout import GaussianDropout
from rkeras.layers.regularization.gaussian_noise import GaussianNoise
from rkeras.layers.regularization.spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D

_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


@pytest.mark.parametrize("cls,kwargs,shape", [
    (SpatialDropout1D, {"rate": 0.4, "seed": 1}, (3, 5, 4)),
    (SpatialDropout2D, {"rate": 0.4, "seed": 1}, (2, 3, 3, 4)),
    (SpatialDropout2D, {"rate": 0.4, "seed": 1, "data_format": "channels_first"}, (2, 4, 3, 3)),
    (SpatialDropout3D, {"rate": 0.4, "seed": 1}, (2, 2, 2, 2, 3)),
    (GaussianNoise, {"stddev": 0.3, "seed": 1}, (3, 4, 5)),
    (GaussianDropout, {"rate": 0.3, "seed": 1}, (3, 4, 5)),
    (AlphaDropout, {"rate": 0.3, "seed": 1}, (3, 4, 5)),
    (AlphaDropout, {"rate": 0.3, "seed": 1, "noise_shape": (None, 1, 5)}, (3, 4, 5)),
    (ActivityRegularization, {"l1": 0.01, "l2": 0.1}, (3, 4, 5)),
])
def test_regularization_layers_through_the_harness(cls, kwargs, shape):
    mask = np.random.default_rng(0).random(shape[:2]) < 0.7
    out = run_layer_test(cls, shape, init_kwargs=kwargs, forward_only_deterministic=cls is not ActivityRegularization,
                         supports_masking=True, mask=mask, expected_num_trainable_weights=0,
                         expected_output_shape=shape)
    np.testing.assert_array_equal(out["output"], out["layer"](np.asarray(out["output"])))  # inference: identity


def _inputs_and_draws(layer, shape, kind, seed=0):
    """Inputs, and the draws the layer's next training call will make (from a copy of its generator)."""
    x = np.random.default_rng(seed).normal(size=shape).astype("float32")
    state = FrozenRandomness(layer)
    gen = np.random.default_rng()
    gen.bit_generator.state = state.states[0]
    return x, gen


def test_spatial_dropout_drops_whole_channels():
    layer = SpatialDropout2D(rate=0.5, seed=3)
    x = np.random.default_rng(1).normal(size=(8, 3, 4, 6)).astype("float32") + 5
    y = layer(x, training=True)
    kept = y != 0
    assert np.all(kept == kept[:, :1, :1, :])  # one draw per (sample, channel)
    np.testing.assert_allclose(y[kept], 2 * x[kept], rtol=1e-6)
    first = SpatialDropout1D(rate=0.5, seed=3)
    layer_cf = SpatialDropout2D(rate=0.5, seed=3, data_format="channels_first")
    y_cf = layer_cf(np.transpose(x, (0, 3, 1, 2)), training=True)
    assert np.all((y_cf != 0) == (y_cf != 0)[:, :, :1, :1])
    a, b = (SpatialDropout1D(rate=0.5, seed=7)(x[:, 0], training=True) for _ in range(2))
    np.testing.assert_array_equal(a, b)  # seeded: the same sequence of masks
    assert first.get_config().keys() >= {"rate", "seed", "name", "dtype"} and "noise_shape" not in first.get_config()
    assert layer_cf.get_config()["data_format"] == "channels_first"


def test_gaussian_noise_and_dropout_match_their_formulas_on_the_same_draws():
    noise = GaussianNoise(stddev=0.3, seed=2)
    x, gen = _inputs_and_draws(noise, (4, 6), "normal")
    np.testing.assert_allclose(noise(x, training=True), x + 0.3 * gen.standard_normal((4, 6), dtype=np.float32),
                               rtol=1e-6)
    drop = GaussianDropout(rate=0.2, seed=2)
    x, gen = _inputs_and_draws(drop, (4, 6), "normal")
    factor = 1 + np.sqrt(0.2 / 0.8) * gen.standard_normal((4, 6), dtype=np.float32)
    np.testing.assert_allclose(drop(x, training=True), x * factor, rtol=1e-6)
    big = np.ones((200, 500), "float32")
    y = GaussianDropout(rate=0.2, seed=5)(big, training=True)
    assert abs(y.mean() - 1) < 0.01 and abs(y.std() - 0.5) < 0.01


def test_alpha_dropout_matches_keras_formula_and_keeps_mean_and_variance():
    rate = 0.2
    layer = AlphaDropout(rate=rate, seed=4)
    x, gen = _inputs_and_draws(layer, (5, 7), "uniform")
    kept = gen.random((5, 7), dtype=np.float32) >= rate
    a = ((1 - rate) * (1 + rate * _ALPHA_P ** 2)) ** -0.5
    b = -a * _ALPHA_P * rate
    np.testing.assert_allclose(layer(x, training=True), a * np.where(kept, x, _ALPHA_P) + b, rtol=1e-5, atol=1e-6)
    z = np.random.default_rng(0).normal(size=(400, 500)).astype("float32")
    selu = rk.layer_activation(z, activation="selu")
    y = AlphaDropout(rate=0.1, seed=1)(selu, training=True)
    assert abs(y.mean() - selu.mean()) < 0.02 and abs(y.std() - selu.std()) < 0.02


def test_noise_layers_are_identity_in_inference_and_repeat_with_a_seed():
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    for make in (lambda: GaussianNoise(stddev=1.0, seed=9), lambda: GaussianDropout(rate=0.5, seed=9),
                 lambda: AlphaDropout(rate=0.5, seed=9)):
        np.testing.assert_array_equal(make()(x), x)
        np.testing.assert_array_equal(make()(x, training=True), make()(x, training=True))
    rk.set_random_seed(3)
    first = GaussianNoise(stddev=1.0)(x, training=True)
    rk.set_random_seed(3)
    np.testing.assert_array_equal(GaussianNoise(stddev=1.0)(x, training=True), first)


@pytest.mark.parametrize("l1,l2", [(0.01, 0.0), (0.0, 0.05), (0.02, 0.03)])
def test_activity_regularization_matches_keras_in_a_training_step(l1, l2):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(8, 5)).astype("float32")
    y = rng.normal(size=(8, 3)).astype("float32")
    kernel = rng.normal(size=(5, 3)).astype("float32")
    bias = rng.normal(size=(3,)).astype("float32")

    k_model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3), keras.layers.ActivityRegularization(l1, l2)])
    k_model.layers[0].set_weights([kernel, bias])
    k_model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    k_loss = float(k_model.train_on_batch(x, y))

    r_model = (rk.keras_model_sequential(input_shape=(5,)) | rk.layer_dense(units=3)
               | rk.layer_activity_regularization(l1=l1, l2=l2))
    r_model.layers[0].set_weights([kernel, bias])
    r_model | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.1), loss="mse")
    r_loss = r_model.train_on_batch(x, y)["loss"]

    assert abs(r_loss - k_loss) <= 1e-5 * abs(k_loss)
    for rw, kw in zip(r_model.layers[0].get_weights(), k_model.layers[0].get_weights()):
        assert rel(rw, kw) <= 1e-5
    # the penalty is also in the test loss (as in Keras), and direct calls see the identity
    z = x @ r_model.layers[0].get_weights()[0] + r_model.layers[0].get_weights()[1]
    mse = float(np.mean((z.astype(np.float64) - y) ** 2))
    penalty = (l1 * np.abs(z).sum(dtype=np.float64) + l2 * np.square(z, dtype=np.float64).sum()) / 8
    assert abs(r_model.test_on_batch(x, y)["loss"] - (mse + penalty)) <= 1e-5 * (mse + penalty)
    np.testing.assert_array_equal(r_model.layers[1](z), z)


def test_activity_regularization_gradient_against_finite_differences():
    from layer_harness import assert_close_grad, numeric_grad

    from rkeras.core import activity_losses
    layer = ActivityRegularization(l1=0.3, l2=0.7)
    x = np.random.default_rng(2).normal(size=(4, 3))
    up = np.random.default_rng(3).normal(size=(4, 3))

    def total():
        with activity_losses.collect() as losses:
            out, _ = layer.forward(x, training=True)
        return float(np.sum(out * up)) + sum(losses)

    with activity_losses.collect():
        _, cache = layer.forward(x, training=True)
    dx, _ = layer.backward(cache, up)
    assert_close_grad(dx, numeric_grad(total, x), 1e-7)


def test_bad_arguments_raise_before_any_state():
    with pytest.raises(ValueError, match="rate"):
        rk.layer_gaussian_dropout(rate=1.5)
    with pytest.raises(ValueError, match="stddev"):
        rk.layer_gaussian_noise(stddev=-1)
    with pytest.raises(ValueError, match="stddev"):
        rk.layer_gaussian_noise()
    with pytest.raises(ValueError, match="data_format"):
        rk.layer_spatial_dropout_2d(rate=0.1, data_format="nhwc")
    with pytest.raises(ValueError, match="rank 3"):
        rk.layer_spatial_dropout_1d(rate=0.1)(np.ones((2, 3)), training=True)
    with pytest.raises(ValueError, match="l1"):
        rk.layer_activity_regularization(l1=-1)
    with pytest.raises(TypeError, match="seed"):
        rk.layer_alpha_dropout(rate=0.1, seed="x")
