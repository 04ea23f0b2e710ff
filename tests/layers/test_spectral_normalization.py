"""`layer_spectral_normalization()`: the harness (in inference, where the kernel is used as stored),
finite differences of the training-mode gradient through W / sigma(W), state updates only in training,
errors and config round trip."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

import rkeras as rk
from rkeras.layers.core.dense import Dense
from rkeras.layers.normalization.spectral_normalization import SpectralNormalization


def test_harness_inference():
    # a training call assigns the normalized kernel: its outputs do not repeat call after call
    run_layer_test(lambda **kw: SpectralNormalization(Dense(3, name="inner", dtype=kw.get("dtype")), **kw), (4, 5),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=1, training=False, forward_only_deterministic=True)


@pytest.mark.parametrize("power_iterations", [1, 3])
def test_training_gradient_by_finite_differences(power_iterations):
    rng = np.random.default_rng(0)
    layer = rk.layer_spectral_normalization(layer=rk.layer_dense(units=3, dtype="float64"),
                                            power_iterations=power_iterations, dtype="float64")
    x = rng.normal(size=(4, 5))
    layer.build(x.shape)
    kernel, bias, u = layer.layer.kernel, layer.layer.bias, layer.vector_u
    bias.assign(rng.normal(size=3))
    # Keras holds u and v constant in the gradient; the full derivative of W / sigma(W) equals that one
    # where u is the top singular vector (sigma is stationary in u and v there): start from it
    w0 = kernel.numpy()
    u.assign(np.linalg.svd(w0)[2][:1])
    u0 = u.numpy()
    g = rng.normal(size=(4, 3))

    def loss():
        w_now = kernel.value.copy()
        y, _ = layer.forward(x, training=True)
        kernel.assign(w_now)  # the forward assigns W / sigma: restore the point being differentiated
        u.assign(u0)
        return np.sum(y * g)

    _, dx, grads = rk.vjp(layer, x, g, training=True)
    kernel.assign(w0)
    u.assign(u0)
    assert_close_grad(dx, numeric_grad(loss, x), 1e-6, "input gradient")
    assert_close_grad(grads[kernel.path], numeric_grad(loss, kernel.value), 1e-6, "kernel gradient")
    assert_close_grad(grads[bias.path], numeric_grad(loss, bias.value), 1e-6, "bias gradient")


def test_state_changes_only_in_training():
    inner = rk.layer_dense(units=4, kernel_initializer=rk.initializer_glorot_uniform(seed=1), dtype="float64")
    layer = rk.layer_spectral_normalization(layer=inner, power_iterations=5, dtype="float64")
    x = np.random.default_rng(1).normal(size=(3, 6))
    layer(x)
    w, u = layer.layer.kernel.numpy(), layer.vector_u.numpy()
    layer(x)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), w)
    np.testing.assert_array_equal(layer.vector_u.numpy(), u)
    for _ in range(40):
        layer(x, training=True)
    # the kernel converges to spectral norm 1, and u to its top right singular vector
    s = np.linalg.svd(layer.layer.kernel.numpy(), compute_uv=False)
    assert abs(s[0] - 1.0) < 1e-6
    zero = rk.layer_spectral_normalization(layer=rk.layer_dense(units=2, kernel_initializer="zeros"))
    zero(x, training=True)
    assert np.all(zero.layer.kernel.numpy() == 0)  # an all-zero kernel is left alone


def test_errors_and_config():
    with pytest.raises(TypeError, match="layer"):
        rk.layer_spectral_normalization(layer="dense")
    with pytest.raises(ValueError, match="power_iterations"):
        rk.layer_spectral_normalization(layer=rk.layer_dense(units=2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        rk.layer_spectral_normalization(layer=rk.layer_flatten())(np.ones((2, 3)))
    layer = rk.layer_spectral_normalization(layer=rk.layer_dense(units=2), power_iterations=2)
    config = layer.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["power_iterations"] == 2
    clone = SpectralNormalization.from_config(config)
    assert clone.get_config() == config
    with pytest.raises(ValueError, match="unknown layer class"):
        SpectralNormalization(layer={"class_name": "os.system", "config": {}})


def test_in_a_model_fit():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    model = (rk.keras_model_sequential(input_shape=(4,))
             | rk.layer_spectral_normalization(layer=rk.layer_dense(units=8, activation="relu"))
             | rk.layer_dense(units=1))
    model | rk.compile(optimizer="sgd", loss="mse")
    history = model | rk.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
