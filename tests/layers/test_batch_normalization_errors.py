"""SPEC §5: clear errors, raised before any state changes."""

import numpy as np
import pytest

import rkeras as rk
from rkeras.layers.normalization.batch_normalization import BatchNormalization


@pytest.mark.parametrize("kwargs,exc,words", [
    ({"axis": 0}, ValueError, ["axis", "0"]),
    ({"axis": [2, 2]}, ValueError, ["axis", "duplicate"]),
    ({"axis": 1.5}, TypeError, ["axis"]),
    ({"momentum": 1.5}, ValueError, ["momentum", "1.5", "[0, 1]"]),
    ({"momentum": -0.1}, ValueError, ["momentum"]),
    ({"epsilon": 0}, ValueError, ["epsilon", "> 0"]),
    ({"epsilon": -1e-3}, ValueError, ["epsilon"]),
    ({"center": "yes"}, TypeError, ["center"]),
    ({"gamma_initializer": "onez"}, ValueError, ["gamma_initializer", "onez", "ones"]),
    ({"beta_regularizer": "l3"}, ValueError, ["beta_regularizer", "l3"]),
    ({"gamma_constraint": "positive"}, ValueError, ["gamma_constraint", "positive"]),
    ({"nonsense": 1}, TypeError, ["nonsense"]),
])
def test_constructor_errors_name_the_argument(kwargs, exc, words):
    with pytest.raises(exc) as info:
        rk.layer_batch_normalization(**kwargs)
    for w in words:
        assert w in str(info.value)


def _built_layer():
    layer = BatchNormalization(momentum=0.5)
    layer(np.random.default_rng(0).normal(size=(8, 4)).astype("float32"), training=True)
    return layer, [w.numpy() for w in layer.weights]


def _unchanged(layer, before):
    for w, b in zip(layer.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)


@pytest.mark.parametrize("call,exc,words", [
    (lambda l: l(np.zeros((8, 5), "float32"), training=True), ValueError, ["axis", "(5,)", "(4,)"]),
    (lambda l: l(np.zeros((2, 8, 4), "float32"), training=True), ValueError, ["rank"]),
    (lambda l: l(np.array([["a"] * 4] * 8)), TypeError, ["numeric"]),
    (lambda l: l(np.zeros((8, 4), "float32"), training=True, mask=np.ones(7, bool)), ValueError, ["mask", "(7,)"]),
    (lambda l: l(np.zeros((8, 4), "float32"), training=True, mask=np.full(8, 2.0)), ValueError, ["mask"]),
    (lambda l: rk.vjp(l, np.zeros((8, 4), "float32"), np.zeros((8, 3))), ValueError, ["upstream"]),
])
def test_call_errors_leave_state_unchanged(call, exc, words):
    layer, before = _built_layer()
    with pytest.raises(exc) as info:
        call(layer)
    for w in words:
        assert w in str(info.value)
    _unchanged(layer, before)


def test_axis_out_of_range_at_build():
    with pytest.raises(ValueError, match="out of range"):
        rk.layer_batch_normalization(axis=4)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="out of range"):
        rk.layer_batch_normalization(axis=-3)(np.zeros((2, 3)))


def test_scalar_object_suggests_keyword():
    with pytest.raises(TypeError, match=r"object.*axis=|keyword|by name"):
        rk.layer_batch_normalization(32)


def test_unsupported_object_kind():
    with pytest.raises(TypeError, match="object"):
        rk.layer_batch_normalization({"a": 1})


def test_set_weights_checks_all_shapes_first():
    layer, before = _built_layer()
    with pytest.raises(ValueError, match="shape"):
        layer.set_weights([np.ones(4), np.ones(4), np.ones(4), np.ones(3)])
    _unchanged(layer, before)
