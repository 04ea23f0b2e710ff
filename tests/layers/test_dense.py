"""Dense: forward against an independent float64 twin, gradients by finite differences, errors."""

import math

import numpy as np
import pytest
from layer_harness import run_layer_test

from rkeras import constraints, initializers, regularizers
from rkeras.api.layers_core import layer_dense
from rkeras.core.symbolic import KerasTensor, keras_input
from rkeras.layers.core.dense import Dense
from rkeras.models.sequential import Sequential, keras_model_sequential
from rkeras.random import set_random_seed

_erf = np.vectorize(math.erf)

TWINS = {  # independent float64 activations
    None: lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0))),
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
}


def dense_twin(x, kernel, bias, activation):
    z = np.asarray(x, np.float64) @ np.asarray(kernel, np.float64)
    if bias is not None:
        z = z + np.asarray(bias, np.float64)
    return TWINS[activation](z)


def _random_dense(shape_in, units, dtype="float64", **kwargs):
    layer = Dense(units, dtype=dtype, **kwargs)
    layer.build(shape_in)
    rng = np.random.default_rng(7)
    for v in layer.weights:
        v.assign(rng.normal(size=v.shape))
    return layer


@pytest.mark.parametrize("activation", list(TWINS))
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (2, 2, 3, 4)])
def test_forward_matches_twin(activation, shape):
    rng = np.random.default_rng(0)
    for dtype, tol in (("float64", 1e-12), ("float32", 2e-6)):
        layer = _random_dense(shape, 3, dtype=dtype, activation=activation)
        x = rng.normal(size=shape).astype(dtype)
        y = layer(x)
        ref = dense_twin(x, layer.kernel.numpy(), layer.bias.numpy(), activation)
        assert y.shape == shape[:-1] + (3,) and y.dtype == np.dtype(dtype)
        np.testing.assert_allclose(y, ref, rtol=tol, atol=tol)


@pytest.mark.parametrize("activation", list(TWINS))
def test_harness_with_activations(activation):
    run_layer_test(Dense, (4, 3), init_kwargs={"units": 2, "activation": activation},
                   expected_output_shape=(4, 2), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=0, supports_masking=True)


def test_harness_rank3_with_mask_and_no_bias():
    mask = np.array([[True, True, False], [True, False, False]])
    run_layer_test(Dense, (2, 3, 4), init_kwargs={"units": 5, "use_bias": False, "activation": "tanh"},
                   expected_output_shape=(None, 3, 5), expected_num_trainable_weights=1, mask=mask)


def test_weights_shapes_names_and_initializers():
    layer = Dense(units=4, kernel_initializer="ones", bias_initializer=initializers.get("zeros"), name="d")
    y = layer(np.ones((2, 3)))
    assert [v.path for v in layer.weights] == ["d/kernel", "d/bias"]
    assert layer.kernel.shape == (3, 4) and layer.bias.shape == (4,)
    np.testing.assert_array_equal(y, np.full((2, 4), 3.0))
    assert layer.count_params() == 16


def test_glorot_uniform_default_bound_and_seed_repeatability():
    set_random_seed(11)
    a = Dense(units=50)
    a.build((None, 30))
    set_random_seed(11)
    b = Dense(units=50)
    b.build((None, 30))
    limit = math.sqrt(6.0 / (30 + 50))
    assert np.all(np.abs(a.kernel.numpy()) <= limit)
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())
    assert np.all(a.bias.numpy() == 0)


def test_integer_and_float16_inputs():
    layer = Dense(units=2, kernel_initializer="ones")
    y = layer(np.array([[1, 2, 3]], dtype=np.int32))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [[6.0, 6.0]])
    y16 = layer(np.array([[1, 2, 3]], dtype=np.float16))
    assert y16.dtype == np.float16


def test_regularizers_and_constraints_are_attached():
    layer = Dense(units=2, kernel_regularizer="l2", bias_regularizer=regularizers.get("l1"),
                  kernel_constraint="non_neg", bias_constraint=constraints.get("non_neg"),
                  kernel_initializer="ones")
    layer.build((None, 3))
    assert len(layer.losses) == 2
    assert layer.losses[0] == pytest.approx(0.01 * 6.0)
    layer.kernel.assign(-np.ones((3, 2)))
    layer.bias.assign(-np.ones(2))
    layer.apply_constraints()
    assert np.all(layer.kernel.numpy() == 0) and np.all(layer.bias.numpy() == 0)


def test_config_is_r_style_and_complete():
    layer = Dense(units=3, activation="relu", use_bias=False, kernel_regularizer="l2")
    config = layer.get_config()
    assert config["units"] == 3 and config["activation"] == "relu" and config["use_bias"] is False
    assert config["activity_regularizer"] is None
    clone = Dense.from_config(config)
    assert clone.units == 3 and clone.activation == layer.activation
    assert clone.kernel_regularizer == layer.kernel_regularizer


def test_plain_callable_activation_trains_with_finite_difference_derivative():
    run_layer_test(Dense, (3, 2), init_kwargs={"units": 2, "activation": np.sin}, check_symbolic=False,
                   check_float16=False, check_config=False, grad_tol=1e-5)


def test_compose_kinds():
    assert isinstance(layer_dense(units=2), Dense)
    out = layer_dense(keras_input(shape=(5, 7)), units=3)
    assert isinstance(out, KerasTensor) and out.shape == (None, 5, 3)
    model = keras_model_sequential(input_shape=(4,))
    assert layer_dense(model, units=3) is model and isinstance(model, Sequential)
    assert layer_dense(np.ones((2, 4)), units=3).shape == (2, 3)
    with pytest.raises(TypeError, match=r"units=32"):
        layer_dense(32)


@pytest.mark.parametrize("kwargs,exc,words", [
    ({}, ValueError, ["units", "None"]),
    ({"units": 0}, ValueError, ["units", "0"]),
    ({"units": "a"}, TypeError, ["units", "'a'"]),
    ({"units": 2.5}, TypeError, ["units", "2.5"]),
    ({"units": 2, "activation": "relux"}, ValueError, ["activation", "relux", "relu"]),
    ({"units": 2, "activation": 3}, TypeError, ["activation", "3"]),
    ({"units": 2, "use_bias": "yes"}, TypeError, ["use_bias", "yes"]),
    ({"units": 2, "activity_regularizer": "l2"}, ValueError, ["activity_regularizer", "not supported"]),
    ({"units": 2, "kernel_initializer": "nope"}, ValueError, ["kernel_initializer", "nope"]),
    ({"units": 2, "bias_regularizer": "nope"}, ValueError, ["bias_regularizer", "nope"]),
    ({"units": 2, "kernel_constraint": "nope"}, ValueError, ["kernel_constraint", "nope"]),
    ({"units": 2, "foo": 1}, TypeError, ["layer_dense()", "foo"]),
])
def test_constructor_errors_name_the_argument(kwargs, exc, words):
    with pytest.raises(exc) as info:
        layer_dense(**kwargs)
    for w in words:
        assert w in str(info.value)


def test_whole_float_units_accepted_as_in_r():
    assert Dense(units=4.0).units == 4


def test_input_errors():
    layer = Dense(units=2)
    with pytest.raises(ValueError, match="rank >= 2"):
        layer(np.ones(3))
    layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match="last dimension 3"):
        layer(np.ones((1, 4)))
    with pytest.raises(TypeError, match="numeric"):
        layer._call_eager(np.array([["a", "b", "c"]]))
    with pytest.raises(ValueError, match="must be known"):
        Dense(units=2).build((None, None))


def test_nan_propagates():
    layer = Dense(units=2, kernel_initializer="ones", activation="relu")
    y = layer(np.array([[np.nan, 1.0], [1.0, 1.0]]))
    assert np.all(np.isnan(y[0])) and np.all(y[1] == 2.0)


class _BrokenBiasGradient(Dense):
    def backward(self, cache, grad_outputs):
        dx, grads = super().backward(cache, grad_outputs)
        grads[self.bias] = grads[self.bias] * 1.01
        return dx, grads


class _BrokenConfig(Dense):
    def get_config(self):
        config = super().get_config()
        del config["use_bias"]
        return config


@pytest.mark.parametrize("cls,message", [(_BrokenBiasGradient, "bias"), (_BrokenConfig, "use_bias")])
def test_the_harness_catches_broken_layers(cls, message):
    with pytest.raises(AssertionError, match=message):
        run_layer_test(cls, (3, 2), init_kwargs={"units": 2})
