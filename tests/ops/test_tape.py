"""The tape: what records, what does not, how layers choose between their own backward and the tape."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad

import rkeras as rk
from rkeras.core import tape
from rkeras.core.layer import Layer, uses_tape
from rkeras.layers.core.dense import Dense
from rkeras.layers.normalization.batch_normalization import BatchNormalization


class Scale(Layer):
    """y = x * w + b, written with ops and operators."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", dtype="float64")
        self.b = self.add_weight(shape=(input_shape[-1],), initializer="random_normal", dtype="float64")

    def call(self, inputs):
        return rk.op_tanh(inputs * self.w + self.b)


class WithDense(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = Dense(3, activation="tanh", dtype="float64")

    def call(self, inputs):
        return rk.op_square(self.dense(rk.op_sin(inputs)))


def test_ops_outside_training_record_nothing_and_return_plain_arrays():
    x = np.ones((2, 3), "float32")
    v = rk.Variable(np.ones((3,), "float32"), name="v")
    for out in (rk.op_exp(x), rk.op_matmul(x, v), x @ v, v + 1.0, rk.op_sum(x, axis=2), rk.op_softmax(x)):
        assert type(out) is np.ndarray
    assert tape.active() is None and tape.losses_wanted() is False


def test_a_call_layer_records_only_when_a_backward_may_follow(monkeypatch):
    records = []
    original = tape.Tape.record
    monkeypatch.setattr(tape.Tape, "record", lambda self, *a, **k: records.append(1) or original(self, *a, **k))
    layer = Scale(dtype="float64")
    x = np.ones((4, 3))
    model = rk.keras_model_sequential(input_shape=(3,)) | layer
    model | rk.compile(optimizer="sgd", loss="mse")
    layer(x)
    layer(x, training=True)
    model.predict(x)
    model.predict_on_batch(x)
    model.evaluate(x, np.zeros((4, 3)), verbose=0)
    model.test_on_batch(x, np.zeros((4, 3)))
    assert records == []  # eager calls, predict and evaluate: no tape
    out, cache = layer.forward(x, training=True)  # the engine's protocol: forward, then backward
    assert len(cache.tape.nodes) == 3  # multiply, add, tanh (the variables are leaves)
    assert type(out) is np.ndarray and tape.active() is None
    records.clear()
    model.train_on_batch(x, np.zeros((4, 3)))
    assert len(records) == 3


def test_after_fit_no_tape_is_left_active():
    model = rk.keras_model_sequential(input_shape=(3,)) | Scale(dtype="float64")
    model | rk.compile(optimizer="sgd", loss="mse")
    model | rk.fit(np.ones((4, 3)), np.zeros((4, 3)), epochs=1, verbose=0)
    assert tape.active() is None and tape.losses_wanted() is False


def test_how_a_layer_chooses_its_backward():
    assert uses_tape(Scale()) and uses_tape(WithDense())
    assert not uses_tape(Dense(2)) and not uses_tape(BatchNormalization())
    assert not uses_tape(rk.keras_model_sequential())


def test_a_fused_layer_inside_call_is_one_node_with_its_own_backward():
    layer = WithDense(dtype="float64")
    x = np.random.default_rng(0).normal(size=(4, 2))
    layer(x)
    with tape.gradient_scope():
        _, cache = layer.forward(x, training=True)
    assert len(cache.tape.nodes) == 3  # sin, the dense layer (one node), square
    up = np.random.default_rng(1).normal(size=(4, 3))
    _out, g_in, g_w = rk.vjp(layer, x, up)
    # against the dense layer's own vjp composed by hand
    s = np.sin(x)
    _d_out, d_gin, d_gw = rk.vjp(layer.dense, s, up * 2 * layer.dense(s))
    assert_close_grad(g_in, d_gin * np.cos(x), tol=1e-12)
    for path, g in d_gw.items():
        assert_close_grad(g_w[path], g, tol=1e-12)


def test_vjp_of_a_call_layer_matches_finite_differences():
    layer = Scale(dtype="float64")
    x = np.random.default_rng(2).normal(size=(3, 4))
    up = np.random.default_rng(3).normal(size=(3, 4))
    layer(x)
    _, g_in, g_w = rk.vjp(layer, x, up)

    def f():
        return np.sum(layer(x) * up)
    assert_close_grad(g_in, numeric_grad(f, x), what="input")
    assert_close_grad(g_w[layer.w.path], numeric_grad(f, layer.w.value), what="w")
    assert_close_grad(g_w[layer.b.path], numeric_grad(f, layer.b.value), what="b")


def test_numpy_functions_on_recorded_arrays():
    class NumpyMath(Layer):
        def call(self, inputs):
            return np.exp(inputs) + np.sum(inputs, axis=1, keepdims=True) * 2 - inputs.T.T.reshape(inputs.shape)

    layer = NumpyMath(dtype="float64")
    x = np.random.default_rng(4).normal(size=(2, 3))
    up = np.ones((2, 3))
    _, g, _ = rk.vjp(layer, x, up)
    assert_close_grad(g, numeric_grad(lambda: np.sum(layer(x) * up), x), what="numpy ufuncs and methods")

    class Unrecorded(Layer):
        def call(self, inputs):
            return np.sinc(inputs)  # a numpy function without a gradient rule

    with pytest.raises(tape.TapeError, match="op_"):
        rk.vjp(Unrecorded(), x, up)


def test_variable_operators_and_identity_equality():
    v = rk.Variable(np.array([1.0, 2.0]), name="v")
    np.testing.assert_array_equal(v * 2 + 1, [3.0, 5.0])
    np.testing.assert_array_equal(1 - v, [0.0, -1.0])
    np.testing.assert_array_equal(v ** 2 / v, [1.0, 2.0])
    np.testing.assert_array_equal(-v, [-1.0, -2.0])
    np.testing.assert_array_equal(v > 1.5, [False, True])
    same = v
    assert v == same and v != rk.Variable(np.array([1.0, 2.0]), name="w")  # identity: variables are dict keys
    assert {v: 1}[v] == 1 and float(rk.Variable(np.array(3.0), name="s")) == 3.0


def test_value_and_grad_on_variables():
    w = rk.Variable(np.array([[1.0], [2.0]]), name="w")
    x = np.array([[1.0, 1.0], [2.0, 0.5]])
    y = np.array([[1.0], [0.0]])
    loss, (g,) = rk.value_and_grad(lambda: rk.op_mean(rk.op_square(x @ w - y)), [w])
    r = x @ w.value - y
    assert np.isclose(loss, np.mean(r ** 2))
    np.testing.assert_allclose(g, 2 * x.T @ r / len(r), rtol=1e-12)
    _, g_single = rk.value_and_grad(lambda: rk.op_sum(w * w), w)
    np.testing.assert_allclose(g_single, 2 * w.value)


def test_add_weight_forms():
    layer = Layer(name="holder")
    a = layer.add_weight("kernel", (2, 3), rk.initializer_zeros())  # internal form, name first
    b = layer.add_weight((4,), "ones", trainable=False)               # R keras3's order
    c = layer.add_weight(shape=(), initializer="zeros", name="count")
    assert (a.path, a.shape, b.path, b.trainable, c.shape) == ("holder/kernel", (2, 3), "holder/variable", False, ())
    with pytest.raises(ValueError, match="shape"):
        layer.add_weight(shape=(None, 2))


def test_ops_without_a_gradient_rule_refuse_to_be_differentiated():
    x = np.random.default_rng(5).normal(size=(3, 3))
    u, s, vh = rk.op_svd(x)
    np.testing.assert_allclose((u * s) @ vh, x, atol=1e-12)
    with pytest.raises(tape.TapeError, match="op_svd"):
        rk.value_and_grad(lambda v: rk.op_sum(rk.op_svd(v)[1]), x, x)
    _, g = rk.value_and_grad(lambda v: rk.op_sum(rk.op_svd(rk.op_stop_gradient(v))[1]) + rk.op_sum(v), x, x)
    np.testing.assert_array_equal(g, np.ones_like(x))
