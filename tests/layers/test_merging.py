"""Add, Multiply, Concatenate: against numpy, finite differences, broadcasting, R axes, masks
(Keras 3 rules), functional models with several inputs, errors."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad

from rkeras.api.layers_core import layer_dense
from rkeras.api.layers_embedding import layer_embedding
from rkeras.api.layers_merging import layer_add, layer_concatenate, layer_multiply
from rkeras.api.layers_normalization import layer_batch_normalization
from rkeras.core.symbolic import KerasTensor, keras_input
from rkeras.layers.merging.add import Add
from rkeras.layers.merging.concatenate import Concatenate
from rkeras.layers.merging.multiply import Multiply
from rkeras.models.functional import keras_model
from rkeras.models.sequential import keras_model_sequential
from rkeras.training.vjp import vjp


def _check_gradients(layer, xs, mask=None, tol=1e-7):
    rng = np.random.default_rng(0)
    y = layer(xs, mask=mask)
    up = rng.normal(size=y.shape)
    _, dxs, _ = vjp(layer, xs, up, mask=mask)
    assert isinstance(dxs, list) and len(dxs) == len(xs)
    for x, dx in zip(xs, dxs):
        assert dx.shape == x.shape and dx.dtype == x.dtype
        assert_close_grad(dx, numeric_grad(lambda: np.sum(layer(xs, mask=mask) * up), x), tol)


@pytest.mark.parametrize("shapes", [[(2, 3, 4)] * 2, [(2, 3, 4)] * 3, [(2, 3, 4), (2, 1, 4)], [(2, 3, 4), (2, 4)],
                                    [(2, 1, 4), (2, 3, 1)]])
def test_add_and_multiply_match_numpy_with_broadcasting(shapes):
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=s) for s in shapes]
    rank = max(len(s) for s in shapes)
    expanded = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]
    for layer, ref in ((Add(), sum(expanded)), (Multiply(), np.prod(np.broadcast_arrays(*expanded), axis=0))):
        y = layer(xs)
        np.testing.assert_allclose(y, ref, rtol=1e-12)
        assert y.shape == layer.compute_output_shape(shapes)
        _check_gradients(type(layer)(), xs)


def test_multiply_gradient_with_zeros_and_dtypes():
    xs = [np.array([[0.0, 2.0, 3.0]]), np.array([[4.0, 0.0, 5.0]]), np.array([[0.0, 1.0, 2.0]])]
    _check_gradients(Multiply(), xs)
    a, b = np.ones((2, 3), np.float32), np.ones((2, 3), np.float64)
    assert Add()([a, b]).dtype == np.float64
    assert Add()([a, a]).dtype == np.float32
    h = np.ones((2, 3), np.float16)
    y, dxs, _ = vjp(Multiply(), [h, h], np.ones((2, 3), np.float16))
    assert y.dtype == np.float16 and all(d.dtype == np.float16 for d in dxs)
    assert Add()([np.ones((2, 2), np.int32), np.ones((2, 2), np.int32)]).dtype == np.float32
    x = np.ones((2, 2))
    assert Add()([x]) is not x  # one input: a copy, never the input itself


@pytest.mark.parametrize("axis,numpy_axis", [(-1, 2), (3, 2), (2, 1), (-2, 1)])
def test_concatenate_r_axes_and_gradients(axis, numpy_axis):
    rng = np.random.default_rng(2)
    shapes = [(2, 3, 4), (2, 3, 4)]
    shapes[1] = tuple(d + 2 if a == numpy_axis else d for a, d in enumerate(shapes[1]))
    xs = [rng.normal(size=s) for s in shapes]
    layer = Concatenate(axis=axis)
    y = layer(xs)
    np.testing.assert_array_equal(y, np.concatenate(xs, axis=numpy_axis))
    assert y.shape == layer.compute_output_shape(shapes)
    _check_gradients(Concatenate(axis=axis), xs)
    assert Concatenate.from_config(layer.get_config()).axis == axis


def test_symbolic_calls_and_functional_model():
    a, b = keras_input(shape=(3,)), keras_input(shape=(3,))
    for out in (layer_add(a, b), layer_add([a, b]), layer_multiply([a, b])):
        assert isinstance(out, KerasTensor) and out.shape == (None, 3)
    assert layer_concatenate(a, b).shape == (None, 6)
    assert layer_concatenate([keras_input(shape=(None, 2)), keras_input(shape=(5, 2))], axis=2).shape == (None, None, 2)
    assert layer_concatenate(keras_input(shape=(4, 2)), keras_input(shape=(4, 3))).shape == (None, 4, 5)
    dense_a, dense_b = layer_dense(units=2, dtype="float64"), layer_dense(units=2, dtype="float64")
    h1, h2 = dense_a(a), dense_b(b)
    model = keras_model([a, b], layer_concatenate([layer_add(h1, h2), layer_multiply(h1, h2)]))
    rng = np.random.default_rng(3)
    xa, xb = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    y = model([xa, xb])
    ya, yb = dense_a(xa), dense_b(xb)
    np.testing.assert_allclose(y, np.concatenate([ya + yb, ya * yb], axis=-1), rtol=1e-12)
    up = rng.normal(size=y.shape)
    _, (dxa, dxb), _ = vjp(model, [xa, xb], up)
    assert_close_grad(dxa, numeric_grad(lambda: np.sum(model([xa, xb]) * up), xa), 1e-7)
    assert_close_grad(dxb, numeric_grad(lambda: np.sum(model([xa, xb]) * up), xb), 1e-7)


def test_wrappers_return_layers_and_arrays():
    assert isinstance(layer_add(), Add) and isinstance(layer_multiply(name="m"), Multiply)
    assert isinstance(layer_concatenate(axis=2), Concatenate)
    np.testing.assert_array_equal(layer_multiply(np.full((2, 3), 2.0), np.arange(6.0).reshape(2, 3)),
                                  [[0, 2, 4], [6, 8, 10]])
    np.testing.assert_array_equal(layer_concatenate([np.ones((2, 1)), np.zeros((2, 2))]), [[1, 0, 0]] * 2)
    assert layer_concatenate(np.ones((2, 2, 5)), np.ones((2, 2, 5)), axis=2).shape == (2, 4, 5)
    model = keras_model_sequential(input_shape=(3,))
    with pytest.raises(TypeError, match="functional API"):  # a merge layer needs several inputs
        layer_add(model)
    assert model.layers == []


# --------------------------------------------------------------------------------------------- masks
M1 = np.array([[True, True, False], [True, False, False]])
M2 = np.array([[True, False, False], [True, True, False]])


def test_elementwise_masks_are_or_ed_when_every_input_has_one():
    xs = [np.ones((2, 3, 4)), np.ones((2, 3, 4))]
    np.testing.assert_array_equal(Add().compute_mask(xs, [M1, M2]), M1 | M2)
    assert Add().compute_mask(xs, [M1, None]) is None
    assert Add().compute_mask(xs, None) is None
    np.testing.assert_array_equal(Multiply().compute_mask(xs, [M1, M2]), M1 | M2)


def test_multiply_with_masks_follows_keras():
    rng = np.random.default_rng(4)
    xs = [rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))]
    y = Multiply()(xs, mask=[M1, M2])
    f1 = np.where(M1[..., None], xs[0], 1.0)
    f2 = np.where(M2[..., None], xs[1], 1.0)
    np.testing.assert_allclose(y, np.where((M1 | M2)[..., None], f1 * f2, 0.0), rtol=1e-12)
    y_one = Multiply()(xs, mask=[M1, None])  # not every input masked: masked steps count as 1, no zeroing
    np.testing.assert_allclose(y_one, f1 * xs[1], rtol=1e-12)
    _check_gradients(Multiply(), xs, mask=[M1, M2])
    _check_gradients(Multiply(), xs, mask=[M1, None])
    np.testing.assert_allclose(Add()(xs, mask=[M1, M2]), xs[0] + xs[1])  # Add ignores masks in its math


def test_concatenate_masks():
    xs = [np.ones((2, 3, 4)), np.ones((2, 3, 2))]
    layer = Concatenate()
    np.testing.assert_array_equal(layer.compute_mask(xs, [M1, None]), np.ones((2, 3), bool))
    np.testing.assert_array_equal(layer.compute_mask(xs, [M1, M2]), M1 | M2)
    time_axis = Concatenate(axis=2)
    np.testing.assert_array_equal(time_axis.compute_mask([np.ones((2, 3, 4))] * 2, [M1, None]),
                                  np.concatenate([M1, np.ones((2, 3), bool)], axis=1))
    assert layer.compute_mask(xs, [None, None]) is None and layer.compute_mask(xs, None) is None


def test_masks_flow_through_a_functional_model():
    ids_a, ids_b = keras_input(shape=(3,), dtype="int32"), keras_input(shape=(3,), dtype="int32")
    emb_a = layer_embedding(input_dim=5, output_dim=2, mask_zero=True, dtype="float64")
    emb_b = layer_embedding(input_dim=5, output_dim=2, mask_zero=True, dtype="float64")
    ea, eb = emb_a(ids_a), emb_b(ids_b)
    bn = layer_batch_normalization(momentum=0.0, dtype="float64")
    model = keras_model([ids_a, ids_b], bn(layer_add(ea, eb)))
    a = np.array([[1, 2, 0], [3, 0, 0]], np.int32)
    b = np.array([[1, 0, 0], [4, 4, 0]], np.int32)
    vjp(model, [a, b], np.ones((2, 3, 2)), training=True)
    np.testing.assert_array_equal(model.output_masks()[0], (a != 0) | (b != 0))
    summed = np.asarray(layer_add(emb_a(a), emb_b(b)))
    keep = (a != 0) | (b != 0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), summed[keep].mean(axis=0), rtol=1e-10)


# --------------------------------------------------------------------------------------------- errors
def test_merge_errors():
    with pytest.raises(ValueError, match="list of at least one tensor"):
        Add()(np.ones((2, 3)))
    with pytest.raises(ValueError, match="cannot be merged elementwise"):
        Add()([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="different batch sizes"):
        Multiply()([np.ones((2, 3)), np.ones((3, 3))])
    with pytest.raises(ValueError, match="match except along the concatenation axis"):
        Concatenate()([np.ones((2, 3, 4)), np.ones((2, 2, 4))])
    with pytest.raises(ValueError, match="batch dimension"):
        Concatenate(axis=1)([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="`axis` = 0"):
        layer_concatenate(axis=0)
    with pytest.raises(ValueError, match="out of range"):
        Concatenate(axis=4)([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(TypeError, match="`axis`"):
        layer_concatenate(axis=[1, 2])
    with pytest.raises(TypeError, match="layer_add"):
        layer_add(foo=1)
    with pytest.raises(ValueError, match="one entry per input"):
        Add()([np.ones((2, 3, 1))] * 2, mask=[M1])
    with pytest.raises(ValueError, match="mask"):
        Multiply()([np.ones((2, 3, 1))] * 2, mask=[M1, np.ones((2, 2), bool)])
    with pytest.raises(TypeError, match="layer_add"):
        layer_add(3)
