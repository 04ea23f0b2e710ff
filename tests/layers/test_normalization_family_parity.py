"""Parity with Keras 3 (JAX backend) of layer, RMS, unit and group normalization, preprocessing
normalization and spectral normalization: outputs, input and weight gradients, state; float32 relative
error <= 1e-5, for each axis form (last axis, 1-based channels-first, lists)."""

import re

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from numerics import rel_err

import rkeras as rk

TOL = 1e-5


def keras_vjp(layer, x, g, training=True):
    """Keras outputs and gradients of sum(y * g) w.r.t. x and the trainable variables, plus the new
    non-trainable variables (a stateless call, as a Keras training step makes)."""
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    kwargs = {"training": training} if "training" in layer._call_signature.parameters else {}

    def f(tv, x):
        y, new_ntv = layer.stateless_call(tv, ntv, x, **kwargs)
        return (y * g).sum(), (y, new_ntv)

    (_, (y, new_ntv)), (dtv, dx) = jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(tv, x)
    return np.asarray(y), np.asarray(dx), [np.asarray(d) for d in dtv], [np.asarray(v) for v in new_ntv]


def check_parity(k_layer, r_layer, x, seed=0, training=True, floor=1.0, perm=None):
    """Copy Keras' (randomized) weights into rkeras, compare outputs and gradients. With `perm`, Keras
    gets the input transposed by `perm` (its outputs and input gradient are transposed back)."""
    rng = np.random.default_rng(seed)
    k_layer.build(x.shape if perm is None else tuple(x.shape[a] for a in perm))
    r_layer.build(x.shape)
    assert [v.path.split("/")[-1] for v in r_layer.weights] == [v.name for v in k_layer.weights]
    for kv in k_layer.trainable_variables:
        kv.assign(np.asarray(kv.value) + rng.normal(scale=0.5, size=kv.shape).astype("float32"))
    r_layer.set_weights([np.asarray(v.value) for v in k_layer.weights])
    g = rng.normal(size=x.shape).astype("float32")
    if perm is None:
        ky, kdx, kdw, _ = keras_vjp(k_layer, x, g, training)
    else:
        inv = np.argsort(perm)
        ky, kdx, kdw, _ = keras_vjp(k_layer, x.transpose(perm), g.transpose(perm), training)
        ky, kdx = ky.transpose(inv), kdx.transpose(inv)
    ry, rdx, rdw = rk.vjp(r_layer, x, g, training=training)
    assert ry.dtype == np.float32
    errs = {"y": rel_err(ry, ky, floor=floor), "dx": rel_err(rdx, kdx)}
    for v, kd in zip(r_layer.trainable_weights, kdw):
        errs[v.name] = rel_err(rdw[v.path], kd)
    assert max(errs.values()) <= TOL, errs
    return errs


# (shape, R axis, Keras axis)
AXES = [
    ((16, 32), -1, -1),
    ((4, 6, 24), -1, -1),
    ((4, 12, 7), 2, 1),                  # channels-first: R's axis = 2 is Keras' 1
    ((3, 5, 6, 4), [2, 3], [1, 2]),      # a contiguous list
    ((3, 5, 6, 4), [2, -1], [1, 3]),     # a non-contiguous list
]


@pytest.mark.parametrize("shape,r_axis,k_axis", AXES)
def test_layer_normalization_matches_keras(shape, r_axis, k_axis):
    x = np.random.default_rng(1).normal(3.0, 2.0, shape).astype("float32")
    check_parity(keras.layers.LayerNormalization(axis=k_axis), rk.layer_layer_normalization(axis=r_axis), x)


def test_layer_normalization_without_center_and_scale_matches_keras():
    x = np.random.default_rng(2).normal(size=(6, 10)).astype("float32")
    check_parity(keras.layers.LayerNormalization(center=False), rk.layer_layer_normalization(center=False), x)
    check_parity(keras.layers.LayerNormalization(scale=False, epsilon=0.1),
                 rk.layer_layer_normalization(scale=False, epsilon=0.1), x)


@pytest.mark.parametrize("shape,r_axis,k_axis", AXES)
def test_rms_normalization_matches_keras(shape, r_axis, k_axis):
    x = np.random.default_rng(3).normal(1.0, 2.0, shape).astype("float32")
    k_axes = sorted(a % len(shape) for a in np.atleast_1d(k_axis))
    if k_axes != list(range(len(shape) - len(k_axes), len(shape))):
        # Keras 3.15's RMSNormalization cannot broadcast its scale unless the axes are the last ones:
        # compare with Keras on the input whose normalized axes are moved last
        perm = [a for a in range(len(shape)) if a not in k_axes] + k_axes
        k_layer = keras.layers.RMSNormalization(axis=list(range(len(shape) - len(k_axes), len(shape))))
        check_parity(k_layer, rk.layer_rms_normalization(axis=r_axis), x, perm=perm)
    else:
        check_parity(keras.layers.RMSNormalization(axis=k_axis), rk.layer_rms_normalization(axis=r_axis), x)


@pytest.mark.parametrize("shape,r_axis,k_axis", AXES)
def test_unit_normalization_matches_keras(shape, r_axis, k_axis):
    x = np.random.default_rng(4).normal(1.0, 2.0, shape).astype("float32")
    check_parity(keras.layers.UnitNormalization(axis=k_axis), rk.layer_unit_normalization(axis=r_axis), x)


@pytest.mark.parametrize("shape,groups,r_axis,k_axis", [
    ((4, 6, 6, 16), 4, -1, -1),
    ((4, 16, 5, 5), 8, 2, 1),            # channels-first
    ((3, 7, 12), -1, -1, -1),            # instance normalization
    ((5, 10), 1, -1, -1),
])
def test_group_normalization_matches_keras(shape, groups, r_axis, k_axis):
    x = np.random.default_rng(6).normal(-1.0, 2.0, shape).astype("float32")
    check_parity(keras.layers.GroupNormalization(groups=groups, axis=k_axis),
                 rk.layer_group_normalization(groups=groups, axis=r_axis), x)


def test_float16_inputs_match_keras():
    x = np.random.default_rng(5).normal(size=(4, 16)).astype("float16")
    for k_layer, r_layer in ((keras.layers.LayerNormalization(), rk.layer_layer_normalization()),
                             (keras.layers.RMSNormalization(), rk.layer_rms_normalization())):
        ky = np.asarray(k_layer(x))  # computed in float32, returned in the float32 policy's dtype
        ry = r_layer(x)
        assert ry.dtype == np.float16  # SPEC §1: float16 in, float16 out
        assert rel_err(ry, ky) <= 2 ** -11  # Keras' float32 result rounded to float16


def test_configs_have_keras_keys():
    pairs = [(keras.layers.LayerNormalization(), rk.layer_layer_normalization()),
             (keras.layers.RMSNormalization(), rk.layer_rms_normalization()),
             (keras.layers.UnitNormalization(), rk.layer_unit_normalization()),
             (keras.layers.GroupNormalization(), rk.layer_group_normalization())]
    for k_layer, r_layer in pairs:
        assert set(k_layer.get_config()) <= set(r_layer.get_config()) | {"dtype"}, type(r_layer).__name__
        assert r_layer.name.rstrip("_0123456789") == k_layer.name.rstrip("_0123456789")


@pytest.mark.parametrize("make", [
    lambda m: m.layers.Dense(5),
    lambda m: m.layers.Conv2D(4, 3),
])
def test_spectral_normalization_matches_keras(make):
    shape = (3, 8) if isinstance(make(keras), keras.layers.Dense) else (2, 6, 6, 3)
    rng = np.random.default_rng(7)
    k_layer = keras.layers.SpectralNormalization(make(keras), power_iterations=2)
    r_inner = rk.layer_dense(units=5) if len(shape) == 2 else rk.layer_conv_2d(filters=4, kernel_size=3)
    r_layer = rk.layer_spectral_normalization(layer=r_inner, power_iterations=2)
    k_layer.build(shape)
    r_layer.build(shape)
    paths = [[re.sub(r"_\d+", "", v.path) for v in layer.weights] for layer in (r_layer, k_layer)]
    assert paths[0] == paths[1]  # spectral_normalization/dense/kernel, .../vector_u, .../dense/bias
    r_layer.set_weights([np.asarray(v.value) for v in k_layer.weights])
    for step in range(2):  # each training call normalizes the (already normalized) kernel again
        x = rng.normal(size=shape).astype("float32")
        g = rng.normal(size=np.asarray(k_layer(x)).shape).astype("float32")
        ky, kdx, kdw, k_state = keras_vjp(k_layer, x, g, training=True)
        ry, rdx, rdw = rk.vjp(r_layer, x, g, training=True)
        assert rel_err(ry, ky) <= TOL
        assert rel_err(rdx, kdx) <= TOL
        for v, kd in zip(r_layer.trainable_weights, kdw):
            assert rel_err(rdw[v.path], kd) <= TOL, v.path
        assert rel_err(r_layer.vector_u.numpy(), k_state[0]) <= TOL
        # the state a Keras eager training call leaves: the kernel normalized, vector_u updated
        k_layer(x, training=True)
        assert rel_err(r_layer.layer.kernel.numpy(), np.asarray(k_layer.layer.kernel.value)) <= TOL
        assert rel_err(r_layer.vector_u.numpy(), np.asarray(k_layer.vector_u.value)) <= TOL
    x = rng.normal(size=shape).astype("float32")
    assert rel_err(r_layer(x), np.asarray(k_layer(x))) <= TOL  # inference: the stored kernel
    assert set(k_layer.get_config()) <= set(r_layer.get_config())
