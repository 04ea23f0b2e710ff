"""Parity with Keras 3's own BatchNormalization (Keras 3 on JAX comes with the `test` extra, so CI runs it).

The project's contract is float32 relative error <= 1e-5 against Keras 3 on outputs, moving
statistics and gradients.
"""


import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

assert keras.backend.backend() == "jax", "the parity tests drive Keras through its JAX backend"

from numerics import rel_err

import rkeras as rk


def _keras_step(layer, x, g, mask):
    """Keras forward in training mode and gradients of sum(y * g) w.r.t. x, gamma, beta."""
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def f(tv, x):
        y, new_ntv = layer.stateless_call(tv, ntv, x, training=True, mask=mask)
        return (y * g).sum(), (y, new_ntv)

    (_, (y, new_ntv)), (dtv, dx) = jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(tv, x)
    for var, value in zip(layer.non_trainable_variables, new_ntv):
        var.assign(value)
    return np.asarray(y), np.asarray(dx), [np.asarray(d) for d in dtv]


@pytest.mark.parametrize("shape,keras_axis,r_axis,mask_shape", [
    ((16, 6, 6, 8), -1, -1, None),
    ((16, 8, 6, 6), 1, 2, None),          # channels-first: Keras axis 1 is R's axis = 2
    ((8, 12, 5), -1, -1, (8, 12)),        # masked sequences
    ((64, 32), -1, -1, None),
])
def test_matches_keras_batch_normalization(shape, keras_axis, r_axis, mask_shape):
    rng = np.random.default_rng(0)
    k_layer = keras.layers.BatchNormalization(axis=keras_axis, momentum=0.9)
    k_layer.build(shape)
    r_layer = rk.layer_batch_normalization(axis=r_axis, momentum=0.9)
    r_layer.build(shape)
    gamma, beta = rng.uniform(0.5, 1.5, shape[keras_axis]), rng.normal(size=shape[keras_axis])
    for layer_vars in ((k_layer.gamma, k_layer.beta),):
        layer_vars[0].assign(gamma.astype("float32"))
        layer_vars[1].assign(beta.astype("float32"))
    r_layer.gamma.assign(gamma)
    r_layer.beta.assign(beta)
    for step in range(3):
        x = rng.normal(2.0, 3.0, shape).astype("float32")
        g = rng.normal(size=shape).astype("float32")
        mask = None if mask_shape is None else rng.random(mask_shape) < 0.7
        ky, kdx, (kdg, kdb) = _keras_step(k_layer, x, g, mask)
        ry, rdx, rw = rk.vjp(r_layer, x, g, training=True, mask=mask)
        assert rel_err(ry, ky, floor=1.0) <= 1e-5
        assert rel_err(rdx, kdx) <= 1e-5
        assert rel_err(rw[r_layer.gamma.path], kdg) <= 1e-5
        assert rel_err(rw[r_layer.beta.path], kdb) <= 1e-5
        assert rel_err(r_layer.moving_mean.numpy(), np.asarray(k_layer.moving_mean.value)) <= 1e-5
        assert rel_err(r_layer.moving_variance.numpy(), np.asarray(k_layer.moving_variance.value)) <= 1e-5
    x = rng.normal(2.0, 3.0, shape).astype("float32")
    assert rel_err(r_layer(x), np.asarray(k_layer(x, training=False)), floor=1.0) <= 1e-5
    k_layer.trainable = False
    r_layer.trainable = False
    assert rel_err(r_layer(x, training=True), np.asarray(k_layer(x, training=True)), floor=1.0) <= 1e-5
