"""`layer_lambda()` and a layer defined by `call()` through the shared layer harness (build, shapes,
symbolic and model calls, config round trip, float16, tape gradients against finite differences)."""

import numpy as np
from layer_harness import run_layer_test

import rkeras as rk
from rkeras.layers.core.lambda_layer import Lambda


class Linear(rk.Layer):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return rk.op_tanh(rk.op_matmul(inputs, self.w) + self.b)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_call_defined_layer_through_the_harness():
    run_layer_test(Linear, (4, 5), init_kwargs={"units": 3}, expected_output_shape=(None, 3),
                   expected_num_trainable_weights=2, expected_num_non_trainable_weights=0, supports_masking=False)


def _smooth(v):
    return rk.op_square(v) * 0.5 + rk.op_sin(v) - rk.op_mean(v, axis=-1, keepdims=True)


def test_lambda_through_the_harness():
    run_layer_test(lambda **kw: Lambda(_smooth, **kw), (4, 5), expected_output_shape=(None, 5),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0, supports_masking=False)


def test_layer_lambda_wrapper_and_errors():
    y = rk.layer_lambda(np.ones((2, 3), "float32"), f=lambda v, k: v * k, arguments={"k": 2.0})
    np.testing.assert_array_equal(y, np.full((2, 3), 2.0))
    assert rk.layer_lambda(rk.keras_input((6,)), f=lambda v: rk.op_reshape(v, (-1, 2, 3))).shape == (None, 2, 3)
    for bad, match in (({"f": 3}, "`f`"), ({"f": abs, "arguments": 1}, "arguments")):
        try:
            rk.layer_lambda(**bad)
        except TypeError as e:
            assert match in str(e)
        else:
            raise AssertionError(f"no error for {bad}")
