"""EinsumDense: weight shapes as Keras derives them, forward against a float64 twin, the shared harness (finite
differences included), Keras 3 parity of outputs and gradients, clear errors."""

import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.layers.core.einsum_dense import EinsumDense

keras = pytest.importorskip("keras")

# (equation, output_shape, bias_axes, input shape, kernel shape, bias shape, output shape)
CASES = [
    ("ab,bc->ac", 4, "c", (3, 5), (5, 4), (4,), (3, 4)),
    ("abc,cd->abd", (None, 6), "d", (2, 3, 5), (5, 6), (6,), (2, 3, 6)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 4, 5), (5, 2, 3), (2, 3), (2, 4, 2, 3)),
    ("abc,cd->abd", (3, 6), "b", (2, 3, 5), (5, 6), (3, 1), (2, 3, 6)),
    ("abc,cd->ad", 6, None, (2, 3, 5), (5, 6), None, (2, 6)),           # b summed away
    ("abc,bcd->ad", 4, "d", (2, 3, 5), (3, 5, 4), (4,), (2, 4)),
    ("...b,bc->...c", 4, "c", (2, 3, 2, 5), (5, 4), (4,), (2, 3, 2, 4)),
    ("ab...,bc->ac...", 4, "c", (2, 5, 3), (5, 4), (4, 1), (2, 4, 3)),
    ("abcd,cde->abe", (None, 3), "e", (2, 3, 4, 2), (4, 2, 3), (3,), (2, 3, 3)),
]
IDS = [c[0] + (f"|{c[2]}" if c[2] else "") for c in CASES]


def _twin(equation, x, kernel, bias):
    y = np.einsum(equation, np.asarray(x, np.float64), np.asarray(kernel, np.float64))
    return y if bias is None else y + np.asarray(bias, np.float64)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shapes_and_forward_match_twin(case):
    equation, out_shape, bias_axes, in_shape, k_shape, b_shape, y_shape = case
    layer = EinsumDense(equation, out_shape, bias_axes=bias_axes, bias_initializer="random_normal", dtype="float64")
    x = np.random.default_rng(0).normal(size=in_shape)
    y = layer(x)
    assert layer.kernel.shape == k_shape and y.shape == y_shape
    assert (layer.bias.shape if layer.bias is not None else None) == b_shape
    assert [v.name for v in layer.weights] == ["kernel", "bias"][:1 + (b_shape is not None)]
    assert layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + y_shape[1:]
    ref = _twin(equation, x, layer.kernel.numpy(), None if layer.bias is None else layer.bias.numpy())
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_harness_and_finite_differences(case):
    equation, out_shape, bias_axes, in_shape, _, b_shape, y_shape = case
    run_layer_test(EinsumDense, in_shape, init_kwargs={"equation": equation, "output_shape": out_shape,
                                                      "bias_axes": bias_axes, "activation": "tanh"},
                   expected_output_shape=y_shape, expected_num_trainable_weights=1 + (b_shape is not None),
                   expected_num_non_trainable_weights=0, supports_masking=False)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_keras(case):
    equation, out_shape, bias_axes, in_shape, *_ = case
    rng = np.random.default_rng(3)
    x = rng.normal(size=in_shape).astype("float32")
    k_layer = keras.layers.EinsumDense(equation, out_shape, bias_axes=bias_axes, activation="gelu")
    r_layer = rk.layer_einsum_dense(equation=equation, output_shape=out_shape, bias_axes=bias_axes,
                                    activation="gelu")
    y = r_layer(x)
    k_layer.build(x.shape)
    assert [tuple(v.shape) for v in k_layer.weights] == [v.shape for v in r_layer.weights]
    assert [v.path.split("/", 1)[1] for v in k_layer.weights] == [v.path.split("/", 1)[1] for v in r_layer.weights]
    weights = [rng.normal(scale=0.5, size=v.shape).astype("float32") for v in r_layer.weights]
    for var, w in zip(k_layer.weights, weights):
        var.assign(w)
    r_layer.set_weights(weights)
    up = rng.normal(size=y.shape).astype("float32")
    ky, kdx, kdw = keras_vjp(k_layer, x, up)
    ry, rdx, rdw = rk.vjp(r_layer, x, up)
    errors = [rel(ry, ky), rel(rdx, kdx[0])] + [rel(rdw[v.path], g) for v, g in zip(r_layer.trainable_weights, kdw)]
    assert max(errors) <= 1e-5, errors
    # against the shape of Keras' output: its compute_output_shape() leaves a None of `output_shape` unknown
    # even when the input gives it, and lists left-elided axes in reverse order
    assert r_layer.compute_output_shape((None,) + in_shape[1:]) == (None,) + ky.shape[1:]


def test_config_round_trip_matches_keras_keys():
    layer = rk.layer_einsum_dense(equation="abc,cd->abd", output_shape=(None, 6), bias_axes="d",
                                  kernel_regularizer="l2")
    config = layer.get_config()
    k_config = keras.layers.EinsumDense("abc,cd->abd", (None, 6), bias_axes="d").get_config()
    # Keras writes lora_rank/lora_alpha only when LoRA is on; None is what its constructor takes
    assert set(config) - {"input_shape", "batch_size", "lora_rank", "lora_alpha"} <= set(k_config)
    again = EinsumDense.from_config(config)
    assert again.get_config() == config


def test_wrapper_composes_and_trains_in_a_model():
    inp = rk.keras_input((3, 5))
    out = rk.layer_einsum_dense(inp, equation="abc,cde->abde", output_shape=(None, 2, 4), bias_axes="de")
    assert out.shape == (None, 3, 2, 4)
    model = rk.keras_model(inp, rk.layer_flatten(out) | rk.layer_dense(units=1))
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 3, 5)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    before = model.evaluate(x, y, verbose=0)["loss"]
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0)["loss"] < 0.9 * before


@pytest.mark.parametrize("kwargs,match", [
    ({"equation": "ab,bc", "output_shape": 4}, "Invalid einsum equation"),
    ({"equation": "aab,bc->ac", "output_shape": 4}, "names an axis twice"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "x"}, "bias_axes"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": 3}, "bias_axes"),
    ({"equation": "ab,bc->ac"}, "output_shape"),
    ({"output_shape": 4}, "equation"),
    ({"equation": "ab,bc->ac", "output_shape": 0}, "output_shape"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "lora_rank": 2}, "lora_rank"),
    ({"equation": "ab,bc->ac", "output_shape": 4, "activation": "nope"}, "activation"),
])
def test_bad_arguments_are_refused_early(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_einsum_dense(**kwargs)


def test_bad_inputs_name_the_problem():
    with pytest.raises(ValueError, match="rank"):
        rk.layer_einsum_dense(np.ones((2, 3, 4)), equation="ab,bc->ac", output_shape=4)
    with pytest.raises(ValueError, match="do not match"):
        rk.layer_einsum_dense(np.ones((2, 3, 4)), equation="abc,cd->abd", output_shape=(5, 6))
    layer = rk.layer_einsum_dense(equation="ab,bc->ac", output_shape=4)
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match="size"):
        layer(np.ones((2, 5)))
