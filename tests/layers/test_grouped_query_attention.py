"""GroupedQueryAttention: finite differences in float64 on the inputs and every weight (masks, causal mask,
attention mask, returned scores, dropout with frozen draws, sliding window), parity with Keras 3 (outputs, input
and weight gradients, float32 rel <= 1e-5), weight layout and `.keras` interop, masks in functional models,
errors."""

import keras
import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import FrozenRandomness, assert_close_grad, numeric_grad

import rkeras as rk
from rkeras.layers.attention.grouped_query_attention import GroupedQueryAttention


def _data(*shapes, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s) for s in shapes]


def check_gradients(make, xs, training=False, mask=None, tol=1e-6, **call_kwargs):
    rng = np.random.default_rng(0)
    layer = make(dtype="float64")
    layer.call(xs, mask=mask, **call_kwargs)
    for v in layer.trainable_weights:
        v.assign(v.value + rng.normal(scale=0.3, size=v.shape))
    frozen = FrozenRandomness(layer)
    frozen.restore()
    out, cache = layer.forward(xs, training=training, mask=mask, **call_kwargs)
    outs = out if isinstance(out, list) else [out]
    ups = [rng.normal(size=o.shape) for o in outs]
    g_in, g_w = layer.backward(cache, ups if isinstance(out, list) else ups[0])

    def loss():
        frozen.restore()
        y, _ = layer.forward(xs, training=training, mask=mask, **call_kwargs)
        return sum(float(np.sum(a * u)) for a, u in zip(y if isinstance(y, list) else [y], ups))

    for x, g in zip(xs, g_in):
        assert_close_grad(g, numeric_grad(loss, x), tol, "input gradient")
    for v in layer.trainable_weights:
        assert_close_grad(g_w[v], numeric_grad(loss, v.value), tol, f"gradient of {v.path}")


KW = {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2}


@pytest.mark.parametrize("kwargs,call", [
    (KW, {}),
    ({**KW, "num_key_value_heads": 1, "use_bias": False}, {"use_causal_mask": True}),
    ({**KW, "num_key_value_heads": 4}, {"return_attention_scores": True}),
    ({**KW, "sliding_window": 2}, {"use_causal_mask": True}),
])
def test_gradients(kwargs, call):
    q, v, k = _data((2, 3, 4), (2, 5, 4), (2, 5, 3))
    make = lambda **kw: GroupedQueryAttention(**kwargs, **kw)
    check_gradients(make, [q, v, k], **call)
    check_gradients(make, [q, v], **call)


def test_gradients_with_masks_attention_mask_and_dropout():
    q, v = _data((2, 3, 4), (2, 5, 4))
    rng = np.random.default_rng(3)
    q_mask, v_mask = rng.random((2, 3)) < 0.7, rng.random((2, 5)) < 0.6
    v_mask[:, 0] = True
    att = rng.random((2, 3, 5)) < 0.8
    make = lambda **kw: GroupedQueryAttention(**KW, dropout=0.3, seed=2, **kw)
    check_gradients(make, [q, v], training=True, mask=[q_mask, v_mask], return_attention_scores=True)
    check_gradients(make, [q, v], training=True, attention_mask=att)
    check_gradients(lambda **kw: GroupedQueryAttention(**KW, **kw), [q, v], mask=[q_mask, v_mask])


def test_dropout_only_in_training_and_seeded():
    q, v = (x.astype("float32") for x in _data((2, 3, 4), (2, 5, 4)))
    a = GroupedQueryAttention(**KW, dropout=0.5, seed=4)
    b = GroupedQueryAttention(**KW, dropout=0.5, seed=4)
    a([q, v]); b([q, v])
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a([q, v]), a([q, v]))
    ya, yb = a([q, v], training=True), b([q, v], training=True)
    np.testing.assert_array_equal(ya, yb)
    assert not np.allclose(ya, a([q, v]))


# --------------------------------------------------------------------------------------------- Keras parity
def _parity(kwargs, xs, r_mask=None, **call):
    rng = np.random.default_rng(7)
    k_layer = keras.layers.GroupQueryAttention(**kwargs)
    r_layer = rk.layer_group_query_attention(**kwargs)
    r_out = r_layer(xs, mask=r_mask, **call)
    k_layer.build(*[x.shape for x in xs])
    assert [v.path.split("/", 1)[1] for v in r_layer.weights] == [v.path.split("/", 1)[1] for v in k_layer.weights]
    assert [v.shape for v in r_layer.weights] == [tuple(v.shape) for v in k_layer.weights]
    weights = [rng.normal(scale=0.5, size=v.shape).astype("float32") for v in r_layer.weights]
    for var, w in zip(k_layer.weights, weights):
        var.assign(w)
    r_layer.set_weights(weights)
    outs = r_out if isinstance(r_out, list) else [r_out]
    ups = [rng.normal(size=o.shape).astype("float32") for o in outs]
    k_call = dict(call)
    if r_mask is not None:
        k_call.update(query_mask=r_mask[0], value_mask=r_mask[1])
    ky, kdx, kdw = keras_vjp(k_layer, xs, ups if len(ups) > 1 else ups[0], args=lambda a: tuple(a), **k_call)
    ry, cache = r_layer.forward(xs, training=False, mask=r_mask, **call)
    rdx, rdw = r_layer.backward(cache, ups if len(ups) > 1 else ups[0])
    ry, ky = (ry, ky) if isinstance(ry, list) else ([ry], [ky])
    errors = [rel(a, b) for a, b in zip(ry, ky)] + [rel(a, b) for a, b in zip(rdx, kdx)]
    for var, g in zip(r_layer.trainable_weights, kdw):
        # the key bias adds one constant to a query's scores: its gradient is 0 up to rounding
        errors.append(rel(rdw[var], g, floor=1.0 if var.path.endswith("key/bias") else 1e-3))
    assert max(errors) <= 1e-5, errors


@pytest.mark.parametrize("kwargs,shapes,call", [
    (KW, [(2, 4, 6), (2, 5, 6)], {}),
    ({**KW, "num_key_value_heads": 1}, [(2, 4, 6), (2, 5, 6), (2, 5, 3)], {"use_causal_mask": True}),
    ({"head_dim": 3, "num_query_heads": 6, "num_key_value_heads": 3, "use_bias": False}, [(3, 5, 4), (3, 5, 4)],
     {"return_attention_scores": True}),
])
def test_matches_keras(kwargs, shapes, call):
    xs = [np.random.default_rng(i).normal(size=s).astype("float32") for i, s in enumerate(shapes)]
    _parity(kwargs, xs, **call)


def test_masks_match_keras():
    xs = [np.random.default_rng(i).normal(size=s).astype("float32") for i, s in enumerate([(2, 4, 6), (2, 5, 6)])]
    q_mask = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    v_mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0]], bool)
    _parity(KW, xs, r_mask=[q_mask, v_mask])
    _parity(KW, xs, r_mask=[q_mask, v_mask], return_attention_scores=True)
    att = np.random.default_rng(5).random((2, 4, 5)) < 0.7
    _parity(KW, xs, attention_mask=att)


def test_functional_model_shapes_masks_and_training():
    q_ids = rk.keras_input((6,), dtype="int32")
    x = rk.layer_embedding(q_ids, input_dim=10, output_dim=8, mask_zero=True)
    out = rk.layer_group_query_attention([x, x], head_dim=4, num_query_heads=4, num_key_value_heads=2)
    assert out.shape == (None, 6, 8)
    model = rk.keras_model(q_ids, rk.layer_global_average_pooling_1d(out) | rk.layer_dense(units=1))
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 10, size=(16, 6)).astype("int32")
    ids[:, -2:] = 0
    y = rng.normal(size=(16, 1)).astype("float32")
    before = model.evaluate(ids, y, verbose=0)["loss"]
    model.fit(ids, y, epochs=15, verbose=0)
    assert model.evaluate(ids, y, verbose=0)["loss"] < before


def test_keras_file_round_trip(tmp_path):
    rk.clear_session()
    q, v = rk.keras_input((4, 6)), rk.keras_input((5, 6))
    out = rk.layer_group_query_attention([q, v], **KW)
    model = rk.keras_model([q, v], out)
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    x = [rng.normal(size=(3, 4, 6)).astype("float32"), rng.normal(size=(3, 5, 6)).astype("float32")]
    path = str(tmp_path / "gqa.keras")
    rk.save_model(model, path)
    kmodel = keras.saving.load_model(path)
    assert rel(kmodel.predict(x, verbose=0), model.predict(x)) <= 1e-5
    kmodel.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in kmodel.get_weights()])
    kpath = str(tmp_path / "k.keras")
    kmodel.save(kpath)
    back = rk.load_model(kpath)
    assert rel(back.predict(x), kmodel.predict(x, verbose=0)) <= 1e-5


@pytest.mark.parametrize("kwargs,match", [
    ({"num_query_heads": 4, "num_key_value_heads": 2}, "head_dim"),
    ({**KW, "num_key_value_heads": 3}, "divisible"),
    ({**KW, "dropout": 1.5}, "dropout"),
    ({**KW, "use_gate": True}, "use_gate"),
    ({**KW, "activity_regularizer": "l2"}, "activity_regularizer"),
    ({**KW, "head_dim": 0}, "head_dim"),
    ({**KW, "flash_attention": "yes"}, "flash_attention"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rk.layer_group_query_attention(**kwargs)


def test_bad_inputs():
    layer = rk.layer_group_query_attention(**KW)
    with pytest.raises((ValueError, TypeError), match="query, value"):
        layer(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="rank 3"):
        layer([np.ones((2, 3, 4, 1)), np.ones((2, 3, 4, 1))])
    with pytest.raises(ValueError, match="mask"):
        rk.layer_group_query_attention(**KW)([np.ones((2, 3, 4)), np.ones((2, 5, 4))], mask=[np.ones((2, 4)), None])
