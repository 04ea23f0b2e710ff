"""Utilities: get_layer (1-based), pop_layer, get_weights of a layer, pad_sequences, to_categorical and
zip_lists against Keras 3, keras_model_sequential(input_name =)."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk


def test_get_layer_pop_layer_and_get_weights():
    model = (rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=4, name="d1")
             | rk.layer_batch_normalization(name="bn") | rk.layer_dense(units=2, name="d2"))
    assert rk.get_layer(model, index=1).name == "d1" and (model | rk.get_layer(name="bn")).name == "bn"
    with pytest.raises(ValueError, match="1-based"):
        rk.get_layer(model, index=0)
    bn = model | rk.get_layer(name="bn")
    assert [w.shape for w in rk.get_weights(bn)] == [(4,)] * 4  # a layer, not a deferred call
    assert len(rk.get_weights(bn, trainable=True)) == 2 and len(rk.get_weights(model, trainable=False)) == 2
    assert np.array_equal(rk.get_weights(bn, trainable=False)[1], np.ones(4))  # moving_variance
    rk.set_weights(bn, [np.full(4, 2.0)] * 4)
    assert np.array_equal(bn.gamma.numpy(), np.full(4, 2.0))
    assert (model | rk.pop_layer()) is model and [l.name for l in model.layers] == ["d1", "bn"]
    model | rk.compile(optimizer="sgd", loss="mse")
    assert (model | rk.predict(np.ones((2, 3)))).shape == (2, 4)
    inp = rk.keras_input(shape=(2,))
    with pytest.raises(TypeError, match="sequential"):
        rk.pop_layer(rk.keras_model(inp, inp | rk.layer_dense(units=1)))


def test_pad_sequences_and_to_categorical_as_keras():
    seqs = [[1, 2, 3, 4], [5], [], [6, 7]]
    for kwargs in ({}, {"maxlen": 3}, {"maxlen": 3, "padding": "post", "truncating": "post", "value": -1},
                   {"maxlen": 2, "truncating": "pre", "padding": "post"}):
        assert np.array_equal(rk.pad_sequences(seqs, **kwargs), keras.utils.pad_sequences(seqs, **kwargs)), kwargs
    assert rk.pad_sequences(seqs, dtype="float32").dtype == np.float32
    with pytest.raises(ValueError, match="padding"):
        rk.pad_sequences(seqs, padding="middle")
    labels = np.array([[0], [2], [1], [2]])
    assert np.array_equal(rk.to_categorical(labels), keras.utils.to_categorical(labels))
    assert np.array_equal(rk.to_categorical([1, 0], num_classes=4), keras.utils.to_categorical([1, 0], 4))
    with pytest.raises(ValueError, match="num_classes"):
        rk.to_categorical([3], num_classes=2)


def test_zip_lists_and_input_name():
    assert rk.zip_lists([1, 2], ["a", "b"]) == [[1, "a"], [2, "b"]]
    assert rk.zip_lists([[1, 2], ["a", "b"]]) == [[1, "a"], [2, "b"]]
    assert rk.zip_lists(lr=[0.1, 0.01], units=[8, 16]) == [{"lr": 0.1, "units": 8}, {"lr": 0.01, "units": 16}]
    with pytest.raises(ValueError, match="same length"):
        rk.zip_lists([1, 2], [3])
    model = rk.keras_model_sequential(input_shape=(2,), input_name="features") | rk.layer_dense(units=1)
    model | rk.compile(optimizer="sgd", loss="mse")
    h = model | rk.fit({"features": np.ones((4, 2))}, np.zeros((4, 1)), verbose=0)
    assert len(h.history["loss"]) == 1
    with pytest.raises(ValueError, match="features"):
        model | rk.fit({"x": np.ones((4, 2))}, np.zeros((4, 1)), verbose=0)
