"""Flatten and Reshape: against numpy twins, symbolic shapes with unknown sizes, gradients, errors."""

import numpy as np
import pytest
from layer_harness import run_layer_test

from rkeras.api.layers_core import layer_flatten, layer_reshape
from rkeras.core.symbolic import keras_input
from rkeras.layers.core.flatten import Flatten
from rkeras.layers.core.reshape import Reshape
from rkeras.models.functional import keras_model


# --------------------------------------------------------------------------------------------- Flatten
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize("data_format", [None, "channels_last", "channels_first"])
def test_flatten_harness(shape, data_format):
    run_layer_test(Flatten, shape, init_kwargs={"data_format": data_format},
                   expected_output_shape=(shape[0], int(np.prod(shape[1:]))),
                   expected_num_trainable_weights=0, supports_masking=False)


def test_flatten_matches_twin():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(Flatten()(x), x.reshape(2, -1))
    np.testing.assert_array_equal(Flatten(data_format="channels_first")(x),
                                  np.moveaxis(x, 1, -1).reshape(2, -1))
    # channels_first data flattens in the same order as the same data stored channels_last
    np.testing.assert_array_equal(Flatten(data_format="channels_first")(np.moveaxis(x, -1, 1)), Flatten()(x))
    np.testing.assert_array_equal(Flatten()(np.arange(3.0)), [[0.0], [1.0], [2.0]])  # (batch,) -> (batch, 1)


def test_flatten_symbolic_shapes():
    assert layer_flatten(keras_input(shape=(10, 64))).shape == (None, 640)
    assert layer_flatten(keras_input(shape=(None, 64))).shape == (None, None)
    inp = keras_input(shape=(None, 2))
    model = keras_model(inp, layer_flatten(inp))
    assert model(np.ones((3, 5, 2))).shape == (3, 10)


def test_flatten_int_input_and_config():
    assert Flatten()(np.ones((2, 2, 2), dtype=np.int32)).dtype == np.float32
    assert Flatten().get_config()["data_format"] == "channels_last"
    config = Flatten(data_format="channels_first").get_config()
    assert Flatten.from_config(config).data_format == "channels_first"


def test_flatten_errors():
    with pytest.raises(ValueError, match=r"`data_format`.*'channels_middle'"):
        layer_flatten(data_format="channels_middle")
    with pytest.raises(TypeError, match="layer_flatten"):
        layer_flatten(foo=1)
    with pytest.raises(ValueError, match="batch dimension"):
        Flatten()._call_eager(np.float64(3.0))


# --------------------------------------------------------------------------------------------- Reshape
@pytest.mark.parametrize("shape,target,expected", [
    ((2, 12), (3, 4), (2, 3, 4)),
    ((2, 12), (-1, 2), (2, 6, 2)),
    ((2, 3, 4), (12,), (2, 12)),
    ((2, 3, 4), (2, -1, 3), (2, 2, 2, 3)),
    ((2, 6), [1, 6], (2, 1, 6)),
])
def test_reshape_harness_and_twin(shape, target, expected):
    result = run_layer_test(Reshape, shape, init_kwargs={"target_shape": target},
                            expected_output_shape=expected, expected_num_trainable_weights=0,
                            supports_masking=False)
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    np.testing.assert_array_equal(result["layer"](x), x.reshape(expected))


def test_reshape_symbolic_shapes_with_unknown_sizes():
    assert layer_reshape(keras_input(shape=(12,)), target_shape=(3, 4)).shape == (None, 3, 4)
    assert layer_reshape(keras_input(shape=(12,)), target_shape=(-1, 2, 2)).shape == (None, 3, 2, 2)
    assert layer_reshape(keras_input(shape=(None, 4)), target_shape=(-1, 2)).shape == (None, None, 2)
    inp = keras_input(shape=(None, 4))
    model = keras_model(inp, layer_reshape(inp, target_shape=(-1, 2)))
    assert model(np.ones((3, 5, 4))).shape == (3, 10, 2)


def test_reshape_r_style_values_and_config():
    assert Reshape(target_shape=(3.0, -1.0)).target_shape == (3, -1)  # R doubles
    assert Reshape(target_shape=6).target_shape == (6,)
    config = Reshape(target_shape=[2, 3]).get_config()
    assert config["target_shape"] == (2, 3)
    assert Reshape.from_config(config).target_shape == (2, 3)
    assert layer_reshape(np.zeros((0, 6)), target_shape=(-1, 3)).shape == (0, 2, 3)  # empty batch


@pytest.mark.parametrize("target,exc,words", [
    (None, ValueError, ["target_shape", "None"]),
    ((-1, -1), ValueError, ["target_shape", "several -1"]),
    ((0, 3), ValueError, ["target_shape", "(0, 3)"]),
    ((-2, 3), ValueError, ["target_shape", "-2"]),
    (("a", 3), TypeError, ["target_shape", "'a'"]),
    ((2.5, 3), TypeError, ["target_shape", "2.5"]),
    ("abc", TypeError, ["target_shape"]),
])
def test_reshape_constructor_errors(target, exc, words):
    with pytest.raises(exc) as info:
        layer_reshape(target_shape=target)
    for w in words:
        assert w in str(info.value)


def test_reshape_size_mismatch():
    with pytest.raises(ValueError, match=r"target_shape.*\(3, 5\).*\(2, 12\)"):
        layer_reshape(np.ones((2, 12)), target_shape=(3, 5))
    with pytest.raises(ValueError, match=r"target_shape.*\(-1, 5\)"):
        layer_reshape(np.ones((2, 12)), target_shape=(-1, 5))
    with pytest.raises(ValueError, match="target_shape"):
        layer_reshape(keras_input(shape=(12,)), target_shape=(5,))
    with pytest.raises(TypeError, match="layer_reshape"):
        layer_reshape(target_shape=(2,), foo=1)
