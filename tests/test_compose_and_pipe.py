"""SPEC §2 (composition by `object`) and §3 (the pipe)."""

import numpy as np
import pytest

import rkeras as rk
from rkeras.core.symbolic import KerasTensor
from rkeras.layers.normalization.batch_normalization import BatchNormalization


def test_none_returns_layer():
    layer = rk.layer_batch_normalization()
    assert isinstance(layer, BatchNormalization) and not layer.built


def test_sequential_model_is_modified_in_place_and_returned():
    model = rk.keras_model_sequential(input_shape=(6,))
    out = rk.layer_batch_normalization(model)
    assert out is model and len(model.layers) == 1 and model.layers[0].built
    out2 = model | rk.layer_batch_normalization(axis=-1)
    assert out2 is model and len(model.layers) == 2


def test_symbolic_tensor_gives_symbolic_output_and_functional_model_predicts():
    inputs = rk.keras_input(shape=(3, 5))
    assert isinstance(inputs, KerasTensor) and inputs.shape == (None, 3, 5)
    outputs = rk.layer_batch_normalization(inputs, axis=2)
    assert isinstance(outputs, KerasTensor) and outputs.shape == (None, 3, 5)
    model = rk.keras_model(inputs, outputs)
    x = np.random.default_rng(0).normal(size=(4, 3, 5)).astype("float32")
    y = model.predict(x)
    bn = model.layers[-1]
    np.testing.assert_allclose(y, (x - 0) / np.sqrt(1 + bn.epsilon), rtol=1e-6)


def test_array_object_calls_in_inference_by_default():
    x = np.random.default_rng(1).normal(3, 2, size=(5, 4)).astype("float32")
    y = rk.layer_batch_normalization(x)
    assert isinstance(y, np.ndarray)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-6)
    y_list = rk.layer_batch_normalization(x.tolist())  # anything numpy.asarray takes
    np.testing.assert_allclose(y_list, y, rtol=1e-6)


def test_pipe_forms():
    x = np.random.default_rng(2).normal(size=(5, 4)).astype("float32")
    layer = rk.layer_batch_normalization()
    np.testing.assert_allclose(x | layer, layer(x))             # numpy array on the left
    inputs = rk.keras_input(shape=(4,))
    assert isinstance(inputs | rk.layer_batch_normalization(), KerasTensor)
    model = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_batch_normalization()
    assert isinstance(model, rk.Sequential)
    np.testing.assert_allclose(x | model, model.predict(x), rtol=1e-6)   # array | model
    outer = rk.keras_model_sequential(input_shape=(4,)) | model          # model | inner model
    assert outer.layers == [model]
    np.testing.assert_allclose(outer.predict(x), model.predict(x), rtol=1e-6)
    assert (x | rk.pipe(np.add, 1.0) == x + 1.0).all()
    assert (3 | rk.pipe(lambda a, b, c=0: a * b + c, 2, c=1)) == 7


def test_model_verbs_are_deferred_without_model():
    model = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_batch_normalization()
    deferred = rk.predict(np.zeros((2, 4)))
    assert not isinstance(deferred, np.ndarray)
    out = model | deferred
    assert out.shape == (2, 4)
    text = format(model)
    assert "batch_normalization" in text


def test_list_of_symbolic_tensors_reaches_layer_as_list():
    a, b = rk.keras_input(shape=(3,)), rk.keras_input(shape=(3,))

    class Pair(rk.Layer):
        def compute_output_shape(self, input_shape):
            return input_shape[0]

        def forward(self, inputs, training=False, mask=None):
            return inputs[0] + inputs[1], None

        def backward(self, cache, g):
            return [g, g], {}

    out = Pair()([a, b])
    model = rk.keras_model([a, b], out)
    np.testing.assert_allclose(model.predict([np.ones((2, 3)), np.ones((2, 3))]), 2 * np.ones((2, 3)))


def test_unknown_call_kwarg():
    with pytest.raises(TypeError, match="trainig"):
        rk.layer_batch_normalization()(np.zeros((2, 3)), trainig=True)


def test_layers_created_left_to_right_get_ordered_names():
    rk.clear_session()
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_batch_normalization()
             | rk.layer_batch_normalization())
    assert [l.name for l in model.layers] == ["batch_normalization", "batch_normalization_1"]


def test_trainable_recurses_into_models():
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_batch_normalization()
             | rk.layer_batch_normalization())
    model.trainable = False
    assert all(not l.trainable for l in model.layers)
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 8
    model.trainable = True
    assert len(model.trainable_weights) == 4
