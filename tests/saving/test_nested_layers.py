"""Layers that hold their weights in inner layers (an LSTM's `cell`, a bidirectional wrapper's
`forward_layer` / `backward_layer`) save and load under Keras' attribute paths: rkeras -> rkeras and
rkeras -> Keras 3 give the same predictions (the walk once skipped them, and loading silently kept the
new model's random weights)."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk


def _lstm_gru():
    return (rk.keras_model_sequential(input_shape=(6, 4)) | rk.layer_lstm(units=5, return_sequences=True)
            | rk.layer_gru(units=3))


def _bidirectional():
    return rk.keras_model_sequential(input_shape=(6, 4)) | rk.layer_bidirectional(layer=rk.layer_lstm(units=3))


def _transposed_and_normalized():
    return (rk.keras_model_sequential(input_shape=(8, 8, 3))
            | rk.layer_conv_2d_transpose(filters=4, kernel_size=3, strides=2)
            | rk.layer_layer_normalization() | rk.layer_group_normalization(groups=2))


@pytest.mark.parametrize("build,shape", [(_lstm_gru, (2, 6, 4)), (_bidirectional, (2, 6, 4)),
                                         (_transposed_and_normalized, (2, 8, 8, 3))],
                         ids=["lstm_gru", "bidirectional", "conv_transpose_layer_group_norm"])
def test_nested_weights_round_trip_and_load_in_keras(build, shape, tmp_path):
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    model = build()
    path = str(tmp_path / "m.keras")
    rk.save_model(model, path)
    expected = model.predict(x)
    np.testing.assert_array_equal(rk.load_model(path).predict(x), expected)
    theirs = np.asarray(keras.saving.load_model(path).predict(x, verbose=0))
    np.testing.assert_allclose(theirs, expected, rtol=1e-5, atol=1e-6)
