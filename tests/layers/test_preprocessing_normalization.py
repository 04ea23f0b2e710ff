"""`layer_normalization()` and `adapt()`: the harness, streaming equals all-at-once, Keras 3 parity, errors."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from layer_harness import run_layer_test
from numerics import rel_err

import rkeras as rk
from rkeras.layers.preprocessing.normalization import Normalization


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * rng.uniform(0.5, 3.0, shape[1:]) + rng.normal(5.0, 50.0, shape[1:]))


@pytest.mark.parametrize("shape,kwargs", [((4, 3), {}), ((3, 4, 2), {"axis": [2, 3]}),
                                          ((3, 4, 2), {"axis": None, "invert": True}),
                                          ((2, 5), {"mean": [1.0, 2.0, 3.0, 4.0, 5.0], "variance": [4.0, 1.0, 2.0, 0.5, 3.0]})])
def test_harness(shape, kwargs):
    run_layer_test(Normalization, shape, init_kwargs=kwargs, expected_output_shape=shape,
                   expected_num_trainable_weights=0,
                   expected_num_non_trainable_weights=0 if "mean" in kwargs else 3, supports_masking=True)


@pytest.mark.parametrize("axis,k_axis", [(-1, -1), (2, 1), ([2, 4], [1, 3]), (None, None)])
def test_streamed_adapt_equals_adapt_on_all_data_and_keras(axis, k_axis):
    x = _data((300, 4, 3, 5))
    whole = rk.layer_normalization(axis=axis) | rk.adapt(x)
    streamed = rk.layer_normalization(axis=axis)
    rk.adapt(streamed, x, batch_size=7)
    gen = rk.layer_normalization(axis=axis) | rk.adapt(x[i:i + 64] for i in range(0, 300, 64))
    ref_mean = x.mean(axis=tuple(a for a in range(4) if a not in _keep(axis)))
    for layer in (whole, streamed, gen):
        assert rel_err(layer.adapt_mean.numpy(), np.asarray(ref_mean, np.float32)) <= 1e-7
    for layer in (streamed, gen):  # float64 combination: equal to float32 rounding
        np.testing.assert_array_equal(layer.adapt_mean.numpy(), whole.adapt_mean.numpy())
        assert rel_err(layer.adapt_variance.numpy(), whole.adapt_variance.numpy()) <= 2 ** -24
        assert int(layer.count.numpy()) == int(whole.count.numpy())
    k_layer = keras.layers.Normalization(axis=k_axis)
    k_layer.adapt(x.astype("float32"))
    assert rel_err(whole.adapt_mean.numpy(), np.asarray(k_layer.adapt_mean.value)) <= 1e-5
    assert rel_err(whole.adapt_variance.numpy(), np.asarray(k_layer.adapt_variance.value)) <= 1e-5
    xt = x[:16].astype("float32")
    assert rel_err(whole(xt), np.asarray(k_layer(xt)), floor=1.0) <= 1e-5


def _keep(axis):
    if axis is None:
        return ()
    axes = axis if isinstance(axis, list) else [axis]
    return tuple(a - 1 if a > 0 else 4 + a for a in axes)


def test_adapt_steps_invert_and_given_statistics_match_keras():
    x = _data((50, 3)).astype("float32")
    layer = rk.layer_normalization() | rk.adapt(x, batch_size=10, steps=2)
    np.testing.assert_allclose(layer.adapt_mean.numpy(), x[:20].mean(axis=0), rtol=1e-6)
    assert int(layer.count.numpy()) == 20
    for kwargs in ({"mean": [1.0, -2.0, 3.0], "variance": [4.0, 0.25, 9.0]}, {"mean": 2.0, "variance": 3.0}):
        for invert in (False, True):
            r = rk.layer_normalization(invert=invert, **kwargs)
            k = keras.layers.Normalization(invert=invert, **kwargs)
            assert rel_err(r(x), np.asarray(k(x))) <= 1e-6
            assert set(k.get_config()) <= set(r.get_config())
    # invert undoes the normalization
    inv = rk.layer_normalization(invert=True)
    inv.build((None, 3))
    inv.set_weights(layer.get_weights())
    np.testing.assert_allclose(inv(layer(x)), x, rtol=1e-5, atol=1e-3)


def test_gradient_is_the_inverse_standard_deviation():
    layer = rk.layer_normalization(mean=[0.0, 1.0], variance=[4.0, 0.0])
    _, dx, grads = rk.vjp(layer, np.ones((3, 2)), np.ones((3, 2)))
    np.testing.assert_allclose(dx, np.tile([0.5, 1e7], (3, 1)))
    assert grads == {}


def test_errors():
    with pytest.raises(ValueError, match="together"):
        rk.layer_normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        rk.layer_normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(TypeError, match="invert"):
        rk.layer_normalization(invert="yes")
    layer = rk.layer_normalization() | rk.adapt(np.ones((4, 3)))
    before = layer.get_weights()
    with pytest.raises(ValueError, match="shape"):
        layer | rk.adapt(iter([np.ones((4, 3)), np.ones((4, 2))]))
    for a, b in zip(before, layer.get_weights()):  # a failed adapt changes nothing
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="given"):
        rk.adapt(rk.layer_normalization(mean=0.0, variance=1.0), np.ones((2, 2)))
    with pytest.raises(TypeError, match="adapt"):
        rk.adapt(rk.layer_dense(units=2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="no batch"):
        rk.adapt(rk.layer_normalization(), [])
    with pytest.raises(TypeError, match="foo"):
        rk.adapt(rk.layer_normalization(), np.ones((2, 2)), foo=1)
