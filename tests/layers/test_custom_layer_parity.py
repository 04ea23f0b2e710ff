"""Custom layers written with ops train in fit() exactly as the same layers written for Keras 3.

The same three layers (a `Linear` from add_weight + matmul, a gated mixer using several ops, and a
layer with an `add_loss` penalty) are written once with `keras.ops` and once with rkeras' `op_*`;
both models start from the same weights and take 12 SGD steps in `fit()`; weights and losses must
agree to float32 precision (relative error <= 1e-5).
"""

import keras  # conftest.py selects the JAX backend
import numpy as np
from keras import ops as K
from numerics import rel_err

import rkeras as rk

assert keras.backend.backend() == "jax"


# --- Keras 3 versions --------------------------------------------------------------------------------------
class KLinear(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return K.matmul(inputs, self.w) + self.b


class KMixer(keras.layers.Layer):
    def build(self, input_shape):
        d = input_shape[-1]
        self.w1 = self.add_weight(shape=(d, d), initializer="random_normal")
        self.w2 = self.add_weight(shape=(d, d), initializer="random_normal")
        self.b1 = self.add_weight(shape=(d,), initializer="random_normal")

    def call(self, inputs):
        h = K.tanh(K.matmul(inputs, self.w1) + self.b1)
        g = K.sigmoid(K.matmul(inputs, self.w2))
        out = K.concatenate([h * g, K.softmax(h, axis=-1), K.exp(-K.square(h))], axis=-1)
        out = out - K.mean(out, axis=-1, keepdims=True)
        return K.reshape(K.transpose(K.reshape(out, (-1, 3, h.shape[-1])), (0, 2, 1)), (-1, 3 * h.shape[-1]))


class KPenalty(keras.layers.Layer):
    def call(self, inputs):
        self.add_loss(0.01 * K.mean(K.square(inputs)))
        return K.relu(inputs) + K.log1p(K.abs(inputs))


# --- rkeras versions: the same code with rk.op_* and 1-based axes where R has them --------------------------
class RLinear(rk.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return rk.op_matmul(inputs, self.w) + self.b


class RMixer(rk.Layer):
    def build(self, input_shape):
        d = input_shape[-1]
        self.w1 = self.add_weight(shape=(d, d), initializer="random_normal")
        self.w2 = self.add_weight(shape=(d, d), initializer="random_normal")
        self.b1 = self.add_weight(shape=(d,), initializer="random_normal")

    def call(self, inputs):
        h = rk.op_tanh(rk.op_matmul(inputs, self.w1) + self.b1)
        g = rk.op_sigmoid(rk.op_matmul(inputs, self.w2))
        out = rk.op_concatenate([h * g, rk.op_softmax(h, axis=-1), rk.op_exp(-rk.op_square(h))], axis=-1)
        out = out - rk.op_mean(out, axis=-1, keepdims=True)
        d = rk.op_shape(h)[-1]
        return rk.op_reshape(rk.op_transpose(rk.op_reshape(out, (-1, 3, d)), (1, 3, 2)), (-1, 3 * d))


class RPenalty(rk.Layer):
    def call(self, inputs):
        self.add_loss(0.01 * rk.op_mean(rk.op_square(inputs)))
        return rk.op_relu(inputs) + rk.op_log1p(rk.op_abs(inputs))


def test_custom_layers_train_like_keras():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    k_model = keras.Sequential([keras.Input((5,)), KLinear(4), KMixer(), KPenalty(), KLinear(2)])
    r_model = rk.keras_model_sequential(input_shape=(5,)) | RLinear(4) | RMixer() | RPenalty() | RLinear(2)
    weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in k_model.get_weights()]
    k_model.set_weights(weights)
    r_model.set_weights(weights)
    np.testing.assert_allclose(r_model.predict(x), k_model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    k_model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    r_model | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.1), loss="mse")
    kh = k_model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    rh = r_model | rk.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(rh.history["loss"], kh.history["loss"], rtol=1e-5)
    for kw, rw in zip(k_model.get_weights(), r_model.get_weights()):
        assert rel_err(rw, kw) <= 1e-5
    assert rh.history["loss"][-1] < rh.history["loss"][0]
