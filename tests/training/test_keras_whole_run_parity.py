"""Whole training runs equal Keras 3's (issue 17): the digits CNN with conv biases feeding batch
normalization, trained from the same initial weights with `shuffle = FALSE` in rkeras and in Keras 3 (JAX).

Both frameworks' conv biases receive only round-off (their exact gradient is 0) and Adam turns it into
steps; what must match is how far that takes them. With numpy's float32 strided column sum the rkeras
biases drifted 4-6x farther than Keras' in 60 steps and the moving statistics could not follow.
"""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk
from rkeras.layers.convolutional import base_conv

EPOCHS, SAMPLES, BATCH, LR = 3, 640, 32, 1e-3


def _data():
    (x, y), (x_test, _y_test) = rk.dataset_digits()["train"], rk.dataset_digits()["test"]
    prep = lambda a: (a.reshape(-1, 8, 8, 1) / 16.0).astype("float32")
    return prep(x)[:SAMPLES], y[:SAMPLES], prep(x_test)


def _rkeras_cnn():
    return (rk.keras_model_sequential(input_shape=(8, 8, 1))
            | rk.layer_conv_2d(filters=32, kernel_size=3, padding="same")
            | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_conv_2d(filters=64, kernel_size=3, padding="same")
            | rk.layer_batch_normalization() | rk.layer_activation(activation="relu")
            | rk.layer_global_average_pooling_2d() | rk.layer_dense(units=10, activation="softmax"))


def _keras_cnn():
    layers = keras.layers
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(32, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu"),
        layers.Conv2D(64, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu"),
        layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")])


@pytest.fixture(scope="module")
def keras_run():
    x, y, x_test = _data()
    rk.set_random_seed(0)
    initial = _rkeras_cnn().get_weights()
    model = _keras_cnn()
    model.set_weights(initial)
    model.compile(optimizer=keras.optimizers.Adam(LR), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=False, verbose=0)
    return initial, model.get_weights(), model.predict(x_test, verbose=0)


def _rkeras_run(initial):
    x, y, x_test = _data()
    model = _rkeras_cnn()
    model.set_weights(initial)
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=LR), loss="sparse_categorical_crossentropy")
    model | rk.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=False, verbose=0)
    return model, model.predict(x_test)


def _bias_drift_matches(model, keras_weights):
    """Each conv bias (initially 0) drifted no farther than twice Keras' bias, plus 1e-5."""
    names = [v.path for v in model.weights]
    for i, name in enumerate(names):
        if name.startswith("conv2d") and name.endswith("/bias"):
            ours, theirs = np.abs(model.weights[i].numpy()).max(), np.abs(keras_weights[i]).max()
            if ours > 2.0 * theirs + 1e-5:
                return False
    return True


def test_whole_run_equals_keras(keras_run):
    initial, keras_weights, keras_pred = keras_run
    model, pred = _rkeras_run(initial)
    assert _bias_drift_matches(model, keras_weights)
    for var, theirs in zip(model.weights, keras_weights):
        if var.path.endswith("/bias") and var.path.startswith("conv2d"):
            continue  # round-off driven on both sides: compared by drift above
        # a few Adam steps of lr apart at most: round-off flips the sign of some tiny gradients
        assert np.abs(var.numpy() - theirs).max() <= 5 * LR, var.path
    assert np.abs(pred - keras_pred).max() <= 5e-3


def test_whole_run_parity_fails_with_a_float32_strided_bias_sum(keras_run, monkeypatch):
    """The check above is not vacuous: the bias gradient as numpy's float32 column sum breaks it (on the im2col
    path, whose bias gradient is that column sum; the tiled path sums it inside its kernel in float64)."""
    monkeypatch.setattr(base_conv.BaseConv, "conv_path", "im2col")
    monkeypatch.setattr(base_conv, "column_sums", lambda a, dtype: a.sum(axis=0).astype(dtype))
    initial, keras_weights, _ = keras_run
    model, _ = _rkeras_run(initial)
    assert not _bias_drift_matches(model, keras_weights)
