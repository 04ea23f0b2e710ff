"""Activation functions: values against independent float64 twins and known points, derivatives by
finite differences, resolution by `get()`, and the `Activation` layer through the shared harness."""

import math

import numpy as np
import pytest
from layer_harness import numeric_grad, run_layer_test

from rkeras.api.layers_core import layer_activation
from rkeras.layers.core import activations
from rkeras.layers.core.activation import Activation

_erf = np.vectorize(math.erf)
_SELU_A, _SELU_S = 1.6732632423543772, 1.0507009873554805


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


TWINS = {  # written independently of the package, float64
    "linear": lambda x: x,
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "relu6": lambda x: np.minimum(np.where(x > 0, x, 0.0), 6.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "sigmoid": _sig,
    "hard_sigmoid": lambda x: np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0,
    "hard_silu": lambda x: x * np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0,
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),
    "silu": lambda x: x * _sig(x),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1.0),
    "selu": lambda x: _SELU_S * np.where(x > 0, x, _SELU_A * (np.exp(x) - 1.0)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "exponential": np.exp,
}

KNOWN = [  # (name, x, f(x)) from the definitions
    ("relu", [-1.0, 0.0, 2.0], [0.0, 0.0, 2.0]),
    ("relu6", [-1.0, 3.0, 7.0], [0.0, 3.0, 6.0]),
    ("leaky_relu", [-1.0, 2.0], [-0.2, 2.0]),
    ("sigmoid", [0.0], [0.5]),
    ("hard_sigmoid", [-4.0, 0.0, 4.0], [0.0, 0.5, 1.0]),
    ("tanh", [0.0], [0.0]),
    ("gelu", [1.0, -1.0, 0.0], [0.8413447460685429, -0.15865525393145707, 0.0]),
    ("silu", [1.0], [0.7310585786300049]),
    ("elu", [-1.0, 2.0], [math.exp(-1) - 1, 2.0]),
    ("selu", [1.0], [1.0507009873554805]),
    ("softplus", [0.0], [math.log(2.0)]),
    ("softsign", [1.0, -3.0], [0.5, -0.75]),
    ("exponential", [1.0], [math.e]),
    ("softmax", [1.0, 1.0], [0.5, 0.5]),
    ("linear", [-7.5], [-7.5]),
]


def _smooth_points(name, rng, shape=(3, 5)):
    """Random points away from each function's kinks (finite differences need smoothness)."""
    x = rng.uniform(-4, 4, size=shape)
    kinks = {"relu": [0], "relu6": [0, 6], "leaky_relu": [0], "hard_sigmoid": [-3, 3], "hard_silu": [-3, 3],
             "elu": [0], "selu": [0]}.get(name, [])
    for k in kinks:
        x = np.where(np.abs(x - k) < 1e-3, x + 0.01, x)
    return x


@pytest.mark.parametrize("name,x,expected", KNOWN)
def test_known_values(name, x, expected):
    np.testing.assert_allclose(activations.get(name)(np.array(x)), expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", sorted(TWINS))
def test_forward_matches_twin_and_backward_matches_finite_differences(name):
    rng = np.random.default_rng(0)
    f = activations.get(name)
    x = _smooth_points(name, rng)
    ref = TWINS[name](x)
    y = f.forward(x)
    np.testing.assert_allclose(y, ref, rtol=1e-13, atol=1e-14)
    y32 = f.forward(x.astype(np.float32))
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, ref, rtol=2e-6, atol=2e-6)

    g = rng.normal(size=x.shape)
    xv = x.copy()
    num = numeric_grad(lambda: np.sum(f.forward(xv) * g), xv)
    dx = f.backward(x if f.needs_input else None, y if f.needs_output else None, g)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-8)
    dx32 = f.backward(x.astype(np.float32) if f.needs_input else None,
                      y.astype(np.float32) if f.needs_output else None, g.astype(np.float32))
    assert dx32.dtype == np.float32
    np.testing.assert_allclose(dx32, num, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(TWINS))
def test_nan_propagates_and_call_keeps_dtypes(name):
    f = activations.get(name)
    y = f(np.array([np.nan, 0.5]))
    assert np.isnan(y[0]) or name in ("softmax", "log_softmax")
    if name in ("softmax", "log_softmax"):
        assert np.all(np.isnan(y))
    assert f(np.array([1, 2])).dtype == np.float32  # integers take config_floatx()
    assert f(np.array([0.5, 1.0], dtype=np.float16)).dtype == np.float16


def test_extreme_inputs_are_stable():
    x = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0])
    s = activations.sigmoid.forward(x)
    assert np.all(np.isfinite(s)) and s[-1] == 1.0 and s[0] == 0.0
    assert s[1] == pytest.approx(math.exp(-100), rel=1e-12)
    np.testing.assert_allclose(activations.softplus.forward(x),
                               [0.0, math.exp(-100), math.log(2), 100.0, 1000.0], rtol=1e-12)
    np.testing.assert_allclose(activations.silu.forward(x)[[0, -1]], [0.0, 1000.0])
    sm = activations.softmax.forward(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(sm, [[0.5, 0.5, 0.0]])
    assert np.all(np.isfinite(activations.elu.forward(x)))
    assert np.all(np.isfinite(activations.mish.forward(x)))


def test_softmax_axis_and_rank3():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 4))
    np.testing.assert_allclose(activations.softmax.forward(x), _softmax(x, -1), rtol=1e-13)
    s1 = activations.Softmax(axis=1)
    np.testing.assert_allclose(s1.forward(x), _softmax(x, 1), rtol=1e-13)
    g = rng.normal(size=x.shape)
    xv = x.copy()
    num = numeric_grad(lambda: np.sum(s1.forward(xv) * g), xv)
    np.testing.assert_allclose(s1.backward(None, s1.forward(x), g), num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kwargs", [{"max_value": 2.5}, {"threshold": 0.5}, {"negative_slope": 0.1},
                                    {"negative_slope": 0.1, "max_value": 3.0, "threshold": -0.5},
                                    {"negative_slope": 0.3, "threshold": 1.0}])
def test_parameterized_relu(kwargs):
    slope, mx, thr = kwargs.get("negative_slope", 0.0), kwargs.get("max_value"), kwargs.get("threshold", 0.0)
    x = np.array([-3.0, -0.7, -0.3, 0.2, 0.7, 1.4, 2.0, 2.7, 4.0])

    def twin(v):  # Keras 3's definition
        y = np.where(v > thr, v, 0.0)
        if mx is not None:
            y = np.clip(y, 0.0, mx)
        return y - slope * np.maximum(thr - v, 0.0)

    f = activations.Relu(**kwargs)
    np.testing.assert_allclose(f.forward(x), twin(x), rtol=1e-15)
    g = np.linspace(0.5, 1.5, x.size)
    xv = x.copy()
    num = numeric_grad(lambda: np.sum(f.forward(xv) * g), xv)
    np.testing.assert_allclose(f.backward(x, f.forward(x), g), num, atol=1e-8)


def test_gelu_approximate_and_other_parameters():
    x = np.linspace(-3, 3, 13)
    f = activations.Gelu(approximate=True)
    twin = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(f.forward(x), twin, rtol=1e-14, atol=1e-15)
    g = np.ones_like(x)
    xv = x.copy()
    num = numeric_grad(lambda: np.sum(f.forward(xv)), xv)
    np.testing.assert_allclose(f.backward(x, None, g), num, atol=1e-8)
    e = activations.Elu(alpha=0.5)
    np.testing.assert_allclose(e.forward(np.array([-1.0])), [0.5 * (math.exp(-1) - 1)])
    np.testing.assert_allclose(activations.LeakyRelu(0.1).forward(np.array([-2.0])), [-0.2])


def test_get_resolves_names_aliases_objects_dicts_and_callables():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    custom = activations.Relu(max_value=6.0)
    assert activations.get(custom) is custom
    assert activations.get({"class_name": "elu", "config": {"alpha": 0.5}}) == activations.Elu(0.5)

    def tagged(x):
        return np.maximum(x, 0)
    tagged.__rkeras_activation__ = "relu"
    assert activations.get(tagged) is activations.relu
    wrapped = activations.get(np.sin)
    assert isinstance(wrapped, activations.CallableActivation)


def test_serialize_round_trips():
    for f in [activations.relu, activations.Gelu(approximate=True), activations.Relu(negative_slope=0.1),
              activations.get(np.cos), activations.Softmax(axis=1)]:
        assert activations.get(activations.serialize(f)) == f
    assert activations.serialize(activations.relu) == "relu"
    assert activations.serialize(activations.get(None)) == "linear"


def test_callable_derivative_by_finite_differences():
    f = activations.get(np.sin)
    x = np.linspace(-5, 5, 21)
    g = np.full_like(x, 2.0)
    np.testing.assert_allclose(f.forward(x), np.sin(x))
    np.testing.assert_allclose(f.backward(x, None, g), 2.0 * np.cos(x), rtol=1e-9, atol=1e-9)
    x32 = x.astype(np.float32)
    assert f.backward(x32, None, g.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="elementwise"):
        activations.get(lambda v: v.sum()).forward(x)


@pytest.mark.parametrize("identifier,exc,words", [
    ("relux", ValueError, ["activation", "relux", "relu", "gelu"]),
    (3, TypeError, ["activation", "3"]),
    ({"class_name": "nope"}, ValueError, ["activation", "nope"]),
])
def test_get_errors(identifier, exc, words):
    with pytest.raises(exc) as info:
        activations.get(identifier)
    for w in words:
        assert w in str(info.value)


def test_parameter_errors():
    with pytest.raises(ValueError, match="negative_slope"):
        activations.LeakyRelu(-1)
    with pytest.raises(TypeError, match="approximate"):
        activations.Gelu(approximate="yes")
    with pytest.raises(TypeError, match="axis"):
        activations.Softmax(axis=1.5)


# --------------------------------------------------------------------------------------------- the layer
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "gelu", "silu", "elu", "leaky_relu",
                                  "softplus", "softsign", "selu", "exponential", "linear"])
def test_activation_layer_harness(name):
    rng = np.random.default_rng(3)
    data = _smooth_points(name, rng, shape=(3, 4)) / 2
    run_layer_test(Activation, init_kwargs={"activation": name}, input_data=data,
                   expected_output_shape=(3, 4), expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0, supports_masking=True,
                   mask=np.array([True, False, True]))


def test_activation_layer_matches_functions_and_wrapper():
    x = np.array([[-2.0, -0.5, 0.0, 1.5]])
    np.testing.assert_allclose(layer_activation(x, activation="relu"), [[0.0, 0.0, 0.0, 1.5]])
    np.testing.assert_allclose(layer_activation(x, activation="softmax"), _softmax(x))
    rank3 = np.arange(24.0).reshape(2, 3, 4) / 10
    np.testing.assert_allclose(Activation("softmax")(rank3), _softmax(rank3), rtol=1e-6)
    assert Activation("relu").get_config()["activation"] == "relu"
    assert isinstance(layer_activation(activation="tanh"), Activation)


def test_activation_layer_errors():
    with pytest.raises(ValueError, match="`activation` must be given"):
        layer_activation()
    with pytest.raises(ValueError, match="relux"):
        layer_activation(activation="relux")
    with pytest.raises(TypeError, match="layer_activation"):
        layer_activation(activation="relu", foo=1)
    with pytest.raises(TypeError, match="activation='relu'"):
        layer_activation("relu")
