"""Gradient reductions accumulate accurately (issue 17).

A bias that feeds batch normalization has a zero gradient in exact arithmetic: what it receives is
round-off, and Adam divides by its running RMS, so round-off becomes learning-rate-sized steps. These
tests measure that round-off against fixed bounds and against a float64 reference.
"""

import numpy as np
import pytest

import rkeras as rk
from rkeras.kernels.reductions import column_sums, column_sums_f64
from rkeras.training import losses
from rkeras.training.vjp import vjp


# --------------------------------------------------------------------------------------------- the kernel
@pytest.mark.parametrize("shape", [(0, 3), (1, 5), (7, 3), (300, 17), (70_000, 8)])  # the last one: parallel
def test_column_sums_equal_the_float64_sum(shape):
    rng = np.random.default_rng(1)
    a = rng.normal(3.0, 10.0, shape).astype(np.float32)
    twin = a.astype(np.float64).sum(axis=0)
    got = column_sums_f64(a)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, twin, rtol=1e-13, atol=1e-9)
    assert column_sums(a).dtype == np.float32


def test_column_sums_are_more_accurate_than_numpys_float32_sum():
    a = np.random.default_rng(2).normal(0.5, 1.0, (200_000, 4)).astype(np.float32)
    exact = a.astype(np.float64).sum(axis=0)
    err_ours = np.abs(column_sums(a).astype(np.float64) - exact).max()
    err_numpy = np.abs(a.sum(axis=0).astype(np.float64) - exact).max()
    assert err_ours <= np.abs(exact).max() * 6e-8  # one rounding
    assert err_numpy > 10 * err_ours  # the naive strided float32 sum the layers used before


def test_column_sums_propagate_nan_and_inf():
    a = np.ones((600_000, 3), np.float32)
    a[5, 0], a[400_000, 1] = np.nan, np.inf
    got = column_sums_f64(a)
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == 600_000


# --------------------------------------------------------------------------------------------- batch normalization's dx
def _bn_dx_reference(x, g, gamma, eps=1e-3):
    x, g = x.astype(np.float64), g.astype(np.float64)
    s = 1.0 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) * s
    return gamma * s * (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0))


@pytest.mark.parametrize("n,c,x_mean,g_mean", [(6272, 32, 2.0, 0.3), (25088, 16, 5.0, 1.0), (256, 64, 0.5, 0.1)])
def test_batch_norm_dx_sums_to_zero_per_channel_as_closely_as_float32_allows(n, c, x_mean, g_mean):
    """The per-channel sum of dx (0 in exact arithmetic) stays near the float32 floor: ~sqrt(n) roundings
    of one ulp of dx, not n times a rounded coefficient (17-230x that floor before float64 coefficients)."""
    rng = np.random.default_rng(0)
    x = rng.normal(x_mean, 3.0, (n, c)).astype(np.float32)
    g = rng.normal(g_mean, 1.0, (n, c)).astype(np.float32)
    layer = rk.layer_batch_normalization()
    layer.build((None, c))
    gamma = rng.uniform(0.5, 1.5, c).astype(np.float32)
    layer.gamma.assign(gamma)
    _, dx, _ = vjp(layer, x, g)
    floor = np.abs(_bn_dx_reference(x, g, gamma.astype(np.float64))).mean(axis=0) * np.sqrt(n) * 6e-8
    ratio = np.abs(dx.astype(np.float64).sum(axis=0)) / floor
    assert np.median(ratio) <= 5 and ratio.max() <= 15, ratio


# --------------------------------------------------------------------------------------------- whole models
def _digits(flat):
    (x, y), _ = rk.dataset_digits()["train"], None
    x = (x / 16.0).astype("float32")
    return (x.reshape(-1, 64) if flat else x.reshape(-1, 8, 8, 1)), y


def _digits_cnn():
    return (rk.keras_model_sequential(input_shape=(8, 8, 1))
            | rk.layer_conv_2d(filters=32, kernel_size=3, padding="same")
            | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_conv_2d(filters=64, kernel_size=3, padding="same")
            | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_global_average_pooling_2d() | rk.layer_dense(units=10, activation="softmax"))


def _digits_mlp():
    return (rk.keras_model_sequential(input_shape=(64,))
            | rk.layer_dense(units=64) | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_dense(units=10, activation="softmax"))


@pytest.mark.parametrize("build,flat", [(_digits_cnn, False), (_digits_mlp, True)], ids=["conv_bias", "dense_bias"])
def test_bias_feeding_batch_norm_gets_round_off_below_5e_8(build, flat):
    """The gradient of a bias feeding batch normalization (the step SGD(lr = 1) would take) over Adam
    training of the digits models: <= 5e-8 (numpy's float32 column sum gave up to 1.1e-6 on the CNN)."""
    rk.set_random_seed(3)
    x, y = _digits(flat)
    model = build()
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy")
    loss = losses.get("sparse_categorical_crossentropy")
    biases = [layer.bias.path for layer, nxt in zip(model.layers, model.layers[1:])
              if type(nxt).__name__ == "BatchNormalization"]
    assert biases
    worst = []
    for step in range(24):
        xb, yb = x[32 * step:32 * step + 32], y[32 * step:32 * step + 32]
        if step % 4 == 3:
            _, _, grads = vjp(model, xb, lambda out, yb=yb: loss.value_and_grad(yb, out)[1])
            worst.append(max(float(np.abs(grads[p]).max()) for p in biases))
        model.train_on_batch(xb, yb)
    assert max(worst) <= 5e-8, worst
