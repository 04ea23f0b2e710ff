"""ReLU, LeakyReLU, ELU, Softmax (masks, several axes), PReLU (shared axes): the shared harness (finite
differences in float64, config round trip, masks) and parity with Keras 3 (outputs and input/weight gradients,
float32 rel <= 1e-5)."""

import keras
import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.layers.activations.elu import ELU
from rkeras.layers.activations.leaky_relu import LeakyReLU
from rkeras.layers.activations.prelu import PReLU
from rkeras.layers.activations.relu import ReLU
from rkeras.layers.activations.softmax import Softmax
from rkeras.training.vjp import vjp


def _away_from_kinks(shape, points=(0.0,), seed=3):
    """Random values at least 0.05 from every kink (finite differences must not straddle one)."""
    x = np.random.default_rng(seed).normal(size=shape)
    for p in points:
        near = np.abs(x - p) < 0.05
        x[near] += 0.1 * np.sign(x[near] - p + 1e-12)
    return x


@pytest.mark.parametrize("cls,kwargs,kinks", [
    (ReLU, {}, (0.0,)),
    (ReLU, {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.5}, (0.5, 1.0)),
    (LeakyReLU, {}, (0.0,)),
    (ELU, {"alpha": 0.7}, (0.0,)),
])
def test_elementwise_activation_layers_through_the_harness(cls, kwargs, kinks):
    x = _away_from_kinks((3, 4, 5), kinks)
    mask = np.random.default_rng(1).random((3, 4)) < 0.7
    run_layer_test(cls, init_kwargs=kwargs, input_data=x, expected_output_shape=(3, 4, 5), supports_masking=True,
                   mask=mask, expected_num_trainable_weights=0, grad_input_data=x)


def test_softmax_through_the_harness_with_masks_and_several_axes():
    mask = np.random.default_rng(2).random((3, 4, 5)) < 0.7
    mask[0, 0] = False  # a fully masked slice: zeros, no gradient
    run_layer_test(Softmax, (3, 4, 5), expected_output_shape=(3, 4, 5), supports_masking=True, mask=mask)
    run_layer_test(Softmax, (3, 4, 5), init_kwargs={"axis": [2, 3]})
    run_layer_test(Softmax, (3, 4, 5), init_kwargs={"axis": 2}, mask=np.ones((4, 1), bool))
    y = Softmax()(np.zeros((2, 3)), mask=mask[:2, 0, :3])
    np.testing.assert_array_equal(y == 0, ~mask[:2, 0, :3])
    np.testing.assert_allclose(Softmax(axis=[2, 3])(np.zeros((2, 3, 4))), np.full((2, 3, 4), 1 / 12))


@pytest.mark.parametrize("shared_axes,shape", [(None, (3, 4, 5)), ([1, 2], (2, 3, 4, 5)), (2, (3, 4, 5))])
def test_prelu_through_the_harness(shared_axes, shape):
    out = run_layer_test(PReLU, init_kwargs={"shared_axes": shared_axes, "alpha_initializer": "random_normal"},
                         input_data=_away_from_kinks(shape), expected_num_trainable_weights=1,
                         supports_masking=True)
    alpha = out["layer"].alpha
    expected = list(shape[1:])
    for a in ([shared_axes] if isinstance(shared_axes, int) else shared_axes or []):
        expected[a - 1] = 1
    assert alpha.shape == tuple(expected) and alpha.path.endswith("/alpha")


# --------------------------------------------------------------------------------------------- Keras parity
def _parity(k_layer, r_layer, x, mask=None, weights=None):
    k_layer.build(x.shape)
    if not r_layer.built:
        r_layer.build(x.shape)
    if weights is not None:
        for kv, w in zip(k_layer.trainable_variables, weights):
            kv.assign(w)
        r_layer.set_weights(weights)
    g = np.random.default_rng(9).normal(size=x.shape).astype("float32")
    kw = {} if mask is None else {"mask": mask}
    ky, (kdx,), kdw = keras_vjp(k_layer, x, g, **kw)
    ry, rdx, rdw = vjp(r_layer, x, g, mask=mask)
    assert rel(ry, ky) <= 1e-5
    assert rel(rdx, kdx) <= 1e-5
    for v, kd in zip(r_layer.trainable_weights, kdw):
        assert rel(rdw[v.path], kd) <= 1e-5


@pytest.mark.parametrize("make_k,make_r", [
    (lambda: keras.layers.ReLU(), lambda: rk.layer_activation_relu()),
    (lambda: keras.layers.ReLU(max_value=1.2, negative_slope=0.2, threshold=0.3),
     lambda: rk.layer_activation_relu(max_value=1.2, negative_slope=0.2, threshold=0.3)),
    (lambda: keras.layers.LeakyReLU(), lambda: rk.layer_activation_leaky_relu()),
    (lambda: keras.layers.LeakyReLU(negative_slope=0.05), lambda: rk.layer_activation_leaky_relu(negative_slope=0.05)),
    (lambda: keras.layers.ELU(alpha=0.5), lambda: rk.layer_activation_elu(alpha=0.5)),
    (lambda: keras.layers.Softmax(), lambda: rk.layer_activation_softmax()),
    (lambda: keras.layers.Softmax(axis=1), lambda: rk.layer_activation_softmax(axis=2)),
    (lambda: keras.layers.Softmax(axis=(1, 2)), lambda: rk.layer_activation_softmax(axis=[2, 3])),
])
def test_activation_layers_match_keras(make_k, make_r):
    x = _away_from_kinks((4, 5, 6), (0.0, 0.3, 1.2)).astype("float32")
    _parity(make_k(), make_r(), x)


def test_softmax_mask_matches_keras():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4, 5)).astype("float32")
    mask = rng.random((3, 4, 5)) < 0.6
    mask[1, 2] = False
    _parity(keras.layers.Softmax(), rk.layer_activation_softmax(), x, mask=mask)
    _parity(keras.layers.Softmax(), rk.layer_activation_softmax(), x, mask=mask[0, :, :1].copy())


@pytest.mark.parametrize("shared_axes,shape", [(None, (4, 3, 5)), ([1], (4, 3, 5)), ([1, 2], (2, 3, 4, 5))])
def test_prelu_matches_keras(shared_axes, shape):
    rng = np.random.default_rng(5)
    x = _away_from_kinks(shape).astype("float32")
    r_layer = rk.layer_activation_parametric_relu(shared_axes=shared_axes)
    r_layer.build(x.shape)
    alpha = rng.uniform(0.05, 0.5, r_layer.alpha.shape).astype("float32")
    _parity(keras.layers.PReLU(shared_axes=shared_axes), r_layer, x, weights=[alpha])


def test_config_keys_match_keras_and_defaults():
    pairs = [(keras.layers.ReLU(), ReLU()), (keras.layers.LeakyReLU(), LeakyReLU()),
             (keras.layers.Softmax(), Softmax()), (keras.layers.PReLU(), PReLU())]
    for k, r in pairs:
        assert set(k.get_config()) - {"dtype"} <= set(r.get_config()), type(r).__name__
    assert LeakyReLU().negative_slope == 0.3 == keras.layers.LeakyReLU().negative_slope
    assert ReLU().name.startswith("re_lu") and PReLU().name.startswith("p_re_lu")
    assert PReLU().get_config()["alpha_initializer"] is not None


def test_bad_arguments_raise_before_any_state():
    with pytest.raises(ValueError, match="negative_slope"):
        rk.layer_activation_relu(negative_slope=-1)
    with pytest.raises(ValueError, match="max_value"):
        rk.layer_activation_relu(max_value=-1)
    with pytest.raises(TypeError, match="alpha"):
        rk.layer_activation_elu(alpha="big")
    with pytest.raises(ValueError, match="axis"):
        rk.layer_activation_softmax(axis=0)
    with pytest.raises(ValueError, match="shared_axes"):
        rk.layer_activation_parametric_relu(shared_axes=[3])(np.ones((2, 3)))
    with pytest.raises(ValueError, match="mask"):
        Softmax()(np.ones((2, 3, 4)), mask=np.ones((2, 3), bool))
    with pytest.raises(TypeError, match="by name"):
        rk.layer_activation_leaky_relu(0.2)
