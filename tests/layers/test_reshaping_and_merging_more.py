"""Permute, RepeatVector, Identity (harness, Keras parity), Average, Maximum, Minimum, Subtract, Dot (finite
differences in float64, masks as Keras, parity with Keras 3 on outputs and input gradients), and the R forms of
the merge wrappers (`layer_add(a, b)`, `a | layer_add(b)`, a list)."""

import keras
import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

import rkeras as rk
from rkeras.core.symbolic import KerasTensor
from rkeras.layers.core.identity import Identity
from rkeras.layers.merging.dot import Dot
from rkeras.layers.merging.maximum import Maximum
from rkeras.layers.merging.minimum import Minimum
from rkeras.layers.reshaping.permute import Permute
from rkeras.layers.reshaping.repeat_vector import RepeatVector
from rkeras.training.vjp import vjp


def test_permute_repeat_vector_identity_through_the_harness():
    x = np.random.default_rng(1).normal(size=(2, 3, 4, 5))
    run_layer_test(Permute, input_data=x, init_kwargs={"dims": (3, 1, 2)}, expected_output=np.transpose(x, (0, 3, 1, 2)))
    v = np.random.default_rng(2).normal(size=(3, 4))
    run_layer_test(RepeatVector, input_data=v, init_kwargs={"n": 3}, expected_output=np.stack([v] * 3, axis=1))
    mask = np.random.default_rng(0).random((2, 3)) < 0.5
    run_layer_test(Identity, (2, 3, 4), supports_masking=True, mask=mask)
    assert rk.layer_identity(np.arange(3)).dtype.kind == "i"


@pytest.mark.parametrize("k_make,r_make,shape", [
    (lambda: keras.layers.Permute((2, 1)), lambda: rk.layer_permute(dims=(2, 1)), (3, 4, 5)),
    (lambda: keras.layers.Permute((3, 1, 2)), lambda: rk.layer_permute(dims=[3, 1, 2]), (2, 3, 4, 5)),
    (lambda: keras.layers.RepeatVector(4), lambda: rk.layer_repeat_vector(n=4), (3, 5)),
    (lambda: keras.layers.Identity(), lambda: rk.layer_identity(), (3, 5)),
])
def test_shape_layers_match_keras(k_make, r_make, shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape).astype("float32")
    k, r = k_make(), r_make()
    ky = np.asarray(k(x))
    g = rng.normal(size=ky.shape).astype("float32")
    ky, (kdx,), _ = keras_vjp(k, x, g)
    ry, rdx, _ = vjp(r, x, g)
    assert rel(ry, ky) == 0 and rel(rdx, kdx) <= 1e-6
    assert set(k.get_config()) - {"dtype"} <= set(r.get_config())


def _check_merge_gradients(layer, xs, mask=None, tol=1e-7):
    rng = np.random.default_rng(0)
    y = layer(xs, mask=mask)
    up = rng.normal(size=y.shape)
    _, dxs, _ = vjp(layer, xs, up, mask=mask)
    for x, dx in zip(xs, dxs):
        assert dx.shape == x.shape and dx.dtype == x.dtype
        assert_close_grad(dx, numeric_grad(lambda: np.sum(layer(xs, mask=mask) * up), x), tol)


@pytest.mark.parametrize("name,ref", [
    ("layer_average", lambda xs: sum(xs) / len(xs)),
    ("layer_maximum", lambda xs: np.maximum.reduce(np.broadcast_arrays(*xs))),
    ("layer_minimum", lambda xs: np.minimum.reduce(np.broadcast_arrays(*xs))),
    ("layer_subtract", lambda xs: xs[0] - xs[1]),
])
@pytest.mark.parametrize("shapes", [[(2, 3, 4)] * 2, [(2, 3, 4), (2, 1, 4)], [(2, 3, 4)] * 3])
def test_elementwise_merges_against_numpy_and_finite_differences(name, ref, shapes):
    if name == "layer_subtract" and len(shapes) != 2:
        with pytest.raises(ValueError, match="exactly 2"):
            getattr(rk, name)([np.ones(s) for s in shapes])
        return
    rng = np.random.default_rng(2)
    xs = [rng.normal(size=s) for s in shapes]
    layer = getattr(rk, name)()
    np.testing.assert_allclose(layer(xs), ref(xs), rtol=1e-12)
    _check_merge_gradients(getattr(rk, name)(), xs)


@pytest.mark.parametrize("k_cls,r_name", [(keras.layers.Average, "layer_average"),
                                           (keras.layers.Maximum, "layer_maximum"),
                                           (keras.layers.Minimum, "layer_minimum"),
                                           (keras.layers.Subtract, "layer_subtract")])
def test_elementwise_merges_match_keras(k_cls, r_name):
    rng = np.random.default_rng(3)
    xs = [rng.normal(size=(3, 4, 5)).astype("float32") for _ in range(2)]
    g = rng.normal(size=(3, 4, 5)).astype("float32")
    ky, kdx, _ = keras_vjp(k_cls(), xs, g)
    ry, rdx, _ = vjp(getattr(rk, r_name)(), xs, g)
    assert rel(ry, ky) <= 1e-6
    for a, b in zip(rdx, kdx):
        assert rel(a, b) <= 1e-6


@pytest.mark.parametrize("k_cls,r_cls", [(keras.layers.Maximum, Maximum), (keras.layers.Minimum, Minimum)])
def test_maximum_minimum_masks_match_keras_functional_models(k_cls, r_cls):
    """Masks come from `Masking` layers (zero rows are masked), as in a Keras functional model."""
    rng = np.random.default_rng(4)
    xs = [rng.normal(size=(4, 5, 3)).astype("float32") for _ in range(3)]
    for i, x in enumerate(xs):
        x[rng.random((4, 5)) < 0.4] = 0.0
    xs[0][0, 0] = xs[1][0, 0] = xs[2][0, 0] = 0.0  # a step masked everywhere
    k_ins = [keras.Input((5, 3)) for _ in xs]
    k_model = keras.Model(k_ins, k_cls()([keras.layers.Masking()(t) for t in k_ins]))
    r_ins = [rk.keras_input(shape=(5, 3)) for _ in xs]
    r_model = rk.keras_model(r_ins, r_cls()([rk.layer_masking(t) for t in r_ins]))
    g = rng.normal(size=(4, 5, 3)).astype("float32")
    ky, kdx, _ = keras_vjp(k_model, xs, g)
    ry, rdx, _ = vjp(r_model, xs, g)
    assert rel(ry, ky) <= 1e-6
    for a, b in zip(rdx, kdx):
        assert rel(a, b) <= 1e-6
    masks = [np.any(x != 0, axis=-1) for x in xs]
    _check_merge_gradients(r_cls(), [x.astype(np.float64) for x in xs], mask=masks)


@pytest.mark.parametrize("shapes,axes,normalize", [
    ([(3, 4), (3, 4)], 1, False),
    ([(3, 4), (3, 4)], -1, True),
    ([(2, 3, 5), (2, 4, 3)], [1, 2], False),
    ([(2, 3, 5), (2, 5, 4)], (2, 1), True),
    ([(2, 3, 4, 5), (2, 5, 6)], [-1, 1], False),
])
def test_dot_against_keras_and_finite_differences(shapes, axes, normalize):
    rng = np.random.default_rng(5)
    xs = [rng.normal(size=s).astype("float32") for s in shapes]
    layer = rk.layer_dot(axes=axes, normalize=normalize)
    y = layer(xs)
    g = rng.normal(size=y.shape).astype("float32")
    ky, kdx, _ = keras_vjp(keras.layers.Dot(axes=axes, normalize=normalize), xs, g)
    ry, rdx, _ = vjp(layer, xs, g)
    assert ry.shape == ky.shape == layer.compute_output_shape(shapes)
    assert rel(ry, ky) <= 1e-5
    for a, b in zip(rdx, kdx):
        assert rel(a, b) <= 1e-5
    _check_merge_gradients(Dot(axes=axes, normalize=normalize), [x.astype(np.float64) for x in xs])
    assert Dot.from_config(layer.get_config()).get_config() == layer.get_config()


def test_merge_wrappers_accept_r_forms():
    a, b, c = (rk.keras_input(shape=(3,)) for _ in range(3))
    for name in ("layer_add", "layer_average", "layer_maximum", "layer_minimum", "layer_subtract", "layer_multiply",
                 "layer_concatenate"):
        f = getattr(rk, name)
        for out in (f(a, b), f([a, b]), a | f(b)):
            assert isinstance(out, KerasTensor) and out.node.input_tensors == [a, b], name
    assert [t for t in ([a, b] | rk.layer_add(c)).node.input_tensors] == [a, b, c]
    assert (a | rk.layer_dot(b, axes=1)).shape == (None, 1)
    x, y = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    np.testing.assert_array_equal(x | rk.layer_subtract(y), x - y)
    np.testing.assert_array_equal(rk.layer_subtract(y)(x), x - y)
    np.testing.assert_array_equal(rk.layer_subtract(x, y), x - y)
    layer = rk.layer_maximum(name="m")
    assert layer.name == "m" and isinstance(layer, Maximum)


def test_bad_arguments_raise_before_any_state():
    with pytest.raises(ValueError, match="permutation"):
        rk.layer_permute(dims=(1, 3))
    with pytest.raises(ValueError, match="rank 3"):
        rk.layer_permute(dims=(2, 1))(np.ones((2, 3)))
    with pytest.raises(ValueError, match="n"):
        rk.layer_repeat_vector()
    with pytest.raises(ValueError, match="axes"):
        rk.layer_dot(axes=None)
    with pytest.raises(ValueError, match="exactly 2"):
        rk.layer_dot([np.ones((2, 3))] * 3, axes=1)
    with pytest.raises(ValueError, match="incompatible"):
        rk.layer_dot(np.ones((2, 3)), np.ones((2, 4)), axes=1)
