"""MultiHeadAttention, Attention, AdditiveAttention: finite differences in float64 on inputs and every weight
(masks, causal masks, attention masks, returned scores, dropout with frozen draws, attention over several axes),
the shared harness (self-attention), functional models with propagated masks, and parity with Keras 3 (outputs,
input and weight gradients, float32 rel <= 1e-5)."""

import keras
import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import FrozenRandomness, assert_close_grad, numeric_grad, run_layer_test

import rkeras as rk
from rkeras.layers.attention.additive_attention import AdditiveAttention
from rkeras.layers.attention.attention import Attention
from rkeras.layers.attention.multi_head_attention import MultiHeadAttention


def check_gradients(make, xs, training=False, mask=None, tol=1e-6, **call_kwargs):
    """Input and weight gradients of `sum(outputs * upstream)` against central finite differences (float64)."""
    rng = np.random.default_rng(0)
    layer = make(dtype="float64")
    xs = [x.astype(np.float64) for x in xs]
    arg = xs if len(xs) > 1 else xs[0]
    layer.call(arg, mask=mask, **call_kwargs)
    for v in layer.trainable_weights:
        v.assign(v.value + rng.normal(scale=0.3, size=v.shape))
    frozen = FrozenRandomness(layer)
    frozen.restore()
    out, cache = layer.forward(arg, training=training, mask=mask, **call_kwargs)
    outs = out if isinstance(out, list) else [out]
    ups = [rng.normal(size=o.shape) for o in outs]
    g_in, g_w = layer.backward(cache, ups if isinstance(out, list) else ups[0])
    g_in = g_in if isinstance(g_in, list) else [g_in]

    def loss():
        frozen.restore()
        y, _ = layer.forward(arg, training=training, mask=mask, **call_kwargs)
        return sum(float(np.sum(a * u)) for a, u in zip(y if isinstance(y, list) else [y], ups))

    for x, g in zip(xs, g_in):
        assert_close_grad(g, numeric_grad(loss, x), tol, "input gradient")
    for v in layer.trainable_weights:
        assert_close_grad(g_w[v], numeric_grad(loss, v.value), tol, f"gradient of {v.path}")
    return layer


def _data(*shapes, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype("float32") for s in shapes]


# --------------------------------------------------------------------------------------------- finite differences
def test_multi_head_attention_self_attention_through_the_harness():
    mask = np.random.default_rng(0).random((2, 4)) < 0.7
    mask[:, 0] = True
    run_layer_test(MultiHeadAttention, (2, 4, 6), init_kwargs={"num_heads": 2, "key_dim": 3},
                   expected_num_trainable_weights=8, supports_masking=True, mask=mask, check_float16=False)
    run_layer_test(MultiHeadAttention, (2, 4, 6), init_kwargs={"num_heads": 2, "key_dim": 2, "dropout": 0.3,
                                                               "seed": 1},
                   forward_only_deterministic=True, check_float16=False)


@pytest.mark.parametrize("kwargs,call", [
    ({"num_heads": 2, "key_dim": 3}, {}),
    ({"num_heads": 2, "key_dim": 2, "value_dim": 3, "output_shape": (2, 3), "use_bias": False}, {}),
    ({"num_heads": 1, "key_dim": 3}, {"use_causal_mask": True, "return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 2, "sliding_window": 2}, {"use_causal_mask": True}),
])
def test_multi_head_attention_gradients(kwargs, call):
    q, v, k = _data((2, 3, 4), (2, 3, 5), (2, 3, 3))
    check_gradients(lambda **kw: MultiHeadAttention(**kwargs, **kw), [q, v, k], **call)
    check_gradients(lambda **kw: MultiHeadAttention(**kwargs, **kw), [q, v], **call)


def test_multi_head_attention_gradients_with_masks_dropout_and_several_axes():
    q, v = _data((2, 3, 4), (2, 4, 4))
    rng = np.random.default_rng(3)
    q_mask, v_mask = rng.random((2, 3)) < 0.7, rng.random((2, 4)) < 0.7
    q_mask[0, 1] = False
    v_mask[:, 0] = True
    att = rng.random((2, 3, 4)) < 0.8
    make = lambda **kw: MultiHeadAttention(num_heads=2, key_dim=2, dropout=0.3, seed=2, **kw)
    check_gradients(make, [q, v], training=True, mask=[q_mask, v_mask], attention_mask=att,
                    return_attention_scores=True)
    x4 = _data((2, 3, 2, 4))[0]
    check_gradients(lambda **kw: MultiHeadAttention(num_heads=2, key_dim=2, **kw), [x4, x4])
    check_gradients(lambda **kw: MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=2, **kw), [x4, x4],
                    return_attention_scores=True)


@pytest.mark.parametrize("cls,kwargs", [
    (Attention, {}), (Attention, {"use_scale": True}), (Attention, {"score_mode": "concat"}),
    (Attention, {"score_mode": "concat", "use_scale": True}), (AdditiveAttention, {}),
    (AdditiveAttention, {"use_scale": False}), (Attention, {"dropout": 0.4, "seed": 3}),
    (AdditiveAttention, {"dropout": 0.4, "seed": 3}),
])
def test_attention_and_additive_attention_gradients(cls, kwargs):
    q, v, k = _data((2, 3, 4), (2, 5, 4), (2, 5, 4))
    rng = np.random.default_rng(4)
    q_mask, v_mask = rng.random((2, 3)) < 0.7, rng.random((2, 5)) < 0.6
    v_mask[:, 0] = True
    make = lambda **kw: cls(**kwargs, **kw)
    check_gradients(make, [q, v, k], training=True, mask=[q_mask, v_mask], return_attention_scores=True)
    check_gradients(make, [q, v], training=True, use_causal_mask=True)


# --------------------------------------------------------------------------------------------- Keras parity
def _copy_weights(k_layer, r_layer):
    r_layer.set_weights([np.asarray(v.value) for v in k_layer.weights])


def _parity(k_layer, r_layer, xs, args=None, r_mask=None, r_call=None, tol=1e-5, **k_call):
    """Build both (Keras without an eager call: each eager op costs a JAX compilation), give both the same
    random weights, compare outputs and the gradients of the inputs and of every weight."""
    rng = np.random.default_rng(7)
    r_call = dict(k_call if r_call is None else r_call)
    r_out = r_layer(xs, mask=r_mask, **r_call)
    shapes = [x.shape for x in xs]
    k_layer.build(*shapes) if args is not None else k_layer.build(shapes)
    weights = [rng.normal(scale=0.5, size=v.shape).astype("float32") for v in r_layer.weights]
    for var, w in zip(k_layer.weights, weights):
        var.assign(w)
    r_layer.set_weights(weights)
    assert [v.path.split("/", 1)[1] for v in r_layer.weights] == [v.path.split("/", 1)[1] for v in k_layer.weights]
    outs = r_out if isinstance(r_out, list) else [r_out]
    ups = [rng.normal(size=o.shape).astype("float32") for o in outs]
    up = ups if len(ups) > 1 else ups[0]
    ky, kdx, kdw = keras_vjp(k_layer, xs, up, args=args, **k_call)
    if r_call:
        ry, rdx, rdw = _rk_vjp(r_layer, xs, ups, r_mask, r_call)
    else:
        ry, rdx, rdw = rk.vjp(r_layer, xs, up, training=False, mask=r_mask)
    errors = [rel(a, b) for a, b in zip(ry if isinstance(ry, list) else [ry], ky if isinstance(ky, list) else [ky])]
    errors += [rel(a, b) for a, b in zip(rdx, kdx)]
    for var, b in zip(r_layer.trainable_weights, kdw):
        errors.append(rel(rdw[var.path], b, floor=_floor(var)))
    assert max(errors) <= tol, errors
    return max(errors)


def _floor(var):
    """The key bias adds the same amount to every score of a query, so its gradient is 0 up to rounding;
    a scalar weight's gradient (attention `scale`, `concat_score_weight`) is one sum of many terms that can
    cancel (float32 Keras and rkeras both differ from float64 by up to ~4e-5 relative there): both are
    compared in absolute terms, as O(1) weights."""
    return 1.0 if var.path.endswith("key/bias") or var.shape == () else 1e-3


def _rk_vjp(layer, xs, ups, mask, call):
    out, cache = layer.forward(xs, training=False, mask=mask, **call)
    g_in, g_w = layer.backward(cache, ups if isinstance(out, list) else ups[0])
    return out, g_in, {v.path: g for v, g in g_w.items()}


_K0 = {"kernel_initializer": "zeros"}


def _mha_args(xs):
    return tuple(xs)


@pytest.mark.parametrize("kwargs,shapes,call", [
    ({"num_heads": 2, "key_dim": 4}, [(3, 5, 6), (3, 7, 6)], {}),
    # Keras' fused path needs value_dim == key_dim: returning the scores takes its einsum path
    ({"num_heads": 3, "key_dim": 2, "value_dim": 5, "output_shape": 4}, [(2, 4, 6), (2, 5, 3), (2, 5, 7)],
     {"return_attention_scores": True}),
    ({"num_heads": 2, "key_dim": 3, "use_bias": False, "output_shape": (2, 3)}, [(2, 4, 6), (2, 5, 6)], {}),
])
def test_multi_head_attention_matches_keras(kwargs, shapes, call):
    _parity(keras.layers.MultiHeadAttention(**kwargs, **_K0), rk.layer_multi_head_attention(**kwargs),
            _data(*shapes), args=_mha_args, **call)


def test_multi_head_attention_masks_and_scores_match_keras():
    q, v = _data((3, 5, 6), (3, 6, 6))
    rng = np.random.default_rng(8)
    v_mask = rng.random((3, 6)) < 0.6
    v_mask[:, 0] = True
    att = rng.random((3, 5, 6)) < 0.7
    att[0, 2] = False  # a fully masked query row: 0 with the scores returned, the mean of the values without
    kw = {"num_heads": 2, "key_dim": 3}
    _parity(keras.layers.MultiHeadAttention(**kw, **_K0), rk.layer_multi_head_attention(**kw), [q, v], args=_mha_args,
            value_mask=v_mask, attention_mask=att, return_attention_scores=True)
    _parity(keras.layers.MultiHeadAttention(**kw, **_K0), rk.layer_multi_head_attention(**kw), [q, v, v],
            args=_mha_args, key_mask=v_mask, attention_mask=att, use_causal_mask=True)


def test_multi_head_attention_over_several_axes_matches_keras():
    x = _data((2, 3, 4, 5))[0]
    for axes, call in ((None, {}), ((2,), {"return_attention_scores": True})):
        kw = {"num_heads": 2, "key_dim": 3, "attention_axes": axes}
        _parity(keras.layers.MultiHeadAttention(**kw, **_K0), rk.layer_multi_head_attention(**kw), [x, x],
                args=_mha_args, **call)


def test_multi_head_attention_query_mask_from_masking_matches_keras_functional_model():
    """Self-attention after `Masking`: the query and value masks come from the tensor, as in Keras."""
    x = _data((3, 6, 4))[0]
    x[0, 4:] = 0.0
    x[1, 0] = 0.0
    k_in = keras.Input((6, 4))
    k_masked = keras.layers.Masking()(k_in)
    k_mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, **_K0)
    k_model = keras.Model(k_in, k_mha(k_masked, k_masked))
    r_in = rk.keras_input(shape=(6, 4))
    r_mha = rk.layer_multi_head_attention(num_heads=2, key_dim=3)
    r_model = rk.keras_model(r_in, r_mha(rk.layer_masking(r_in)))
    r_model(x)
    rng = np.random.default_rng(3)
    for var in k_mha.weights:
        var.assign(rng.normal(scale=0.5, size=var.shape).astype("float32"))
    _copy_weights(k_mha, r_mha)
    g = np.random.default_rng(2).normal(size=(3, 6, 4)).astype("float32")
    ky, (kdx,), kdw = keras_vjp(k_model, x, g)
    ry, rdx, rdw = rk.vjp(r_model, x, g, training=False)
    assert rel(ry, ky) <= 1e-5 and rel(rdx, kdx) <= 1e-5
    for var, b in zip(r_mha.trainable_weights, kdw):
        assert rel(rdw[var.path], b, floor=_floor(var)) <= 1e-5
    assert np.array_equal(r_mha.compute_mask(x, np.any(x != 0, axis=-1)), np.any(x != 0, axis=-1))


@pytest.mark.parametrize("k_make,r_make", [
    (lambda: keras.layers.Attention(), lambda: rk.layer_attention()),
    (lambda: keras.layers.Attention(use_scale=True), lambda: rk.layer_attention(use_scale=True)),
    (lambda: keras.layers.Attention(score_mode="concat", use_scale=True),
     lambda: rk.layer_attention(score_mode="concat", use_scale=True)),
    (lambda: keras.layers.AdditiveAttention(), lambda: rk.layer_additive_attention()),
    (lambda: keras.layers.AdditiveAttention(use_scale=False), lambda: rk.layer_additive_attention(use_scale=False)),
])
def test_attention_layers_match_keras(k_make, r_make):
    q, v, k = _data((3, 4, 5), (3, 6, 5), (3, 6, 5))
    rng = np.random.default_rng(9)
    mask = [rng.random((3, 4)) < 0.7, rng.random((3, 6)) < 0.6]
    mask[1][:, 0] = True
    _parity(k_make(), r_make(), [q, v, k], mask=mask, r_mask=mask, r_call={"return_attention_scores": True},
            return_attention_scores=True)
    _parity(k_make(), r_make(), [q, q], use_causal_mask=True)


def test_symbolic_calls_functional_models_and_fit():
    q_in, v_in = rk.keras_input(shape=(4, 6)), rk.keras_input(shape=(5, 6))
    mha = rk.layer_multi_head_attention(num_heads=2, key_dim=3)
    out, scores = mha([q_in, v_in], return_attention_scores=True, use_causal_mask=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 2, 4, 5)
    model = rk.keras_model([q_in, v_in], [out, scores])
    q, v = _data((2, 4, 6), (2, 5, 6))
    y, s = model([q, v])
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(s[..., 0, 1:] == 0, True)  # causal
    np.testing.assert_allclose(y, mha([q, v], use_causal_mask=True), rtol=1e-6)
    assert (rk.layer_attention([q_in, v_in])).shape == (None, 4, 6)
    seq = rk.keras_model_sequential(input_shape=(4, 6)) | rk.layer_multi_head_attention(num_heads=1, key_dim=2) \
        | rk.layer_flatten() | rk.layer_dense(units=1)
    seq | rk.compile(optimizer="adam", loss="mse")
    history = seq | rk.fit(np.random.default_rng(0).normal(size=(16, 4, 6)), np.zeros((16, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    clone = MultiHeadAttention.from_config(mha.get_config())
    assert clone.get_config() == mha.get_config()
    assert set(keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, **_K0).get_config()) - {"dtype"} <= \
        set(mha.get_config())
    assert set(keras.layers.Attention().get_config()) - {"dtype"} <= set(Attention().get_config())
    assert set(keras.layers.AdditiveAttention().get_config()) - {"dtype"} <= set(AdditiveAttention().get_config())


def test_bad_arguments_raise_before_any_state():
    with pytest.raises(ValueError, match="num_heads"):
        rk.layer_multi_head_attention(key_dim=2)
    with pytest.raises(ValueError, match="key_dim"):
        rk.layer_multi_head_attention(num_heads=2, key_dim=0)
    with pytest.raises(ValueError, match="score_mode"):
        rk.layer_attention(score_mode="cos")
    with pytest.raises(ValueError, match="use_gate"):
        MultiHeadAttention(num_heads=1, key_dim=1, use_gate=True)
    with pytest.raises(ValueError, match="list of 2 or 3"):
        rk.layer_attention(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="value"):
        rk.layer_multi_head_attention([np.ones((2, 3, 4)), np.ones((2, 5, 4)), np.ones((2, 4, 4))], num_heads=1,
                                      key_dim=2)
    with pytest.raises(TypeError, match="Unknown call argument"):
        rk.layer_attention()([np.ones((2, 3, 4))] * 2, attention_mask=np.ones((2, 3, 3)))
