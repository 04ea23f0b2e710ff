"""Functional models: several inputs and outputs, shared layers, nested models, gradients."""

import numpy as np
import pytest
from layer_harness import numeric_grad

import rkeras as rk


def _two_in_two_out():
    rk.set_random_seed(3)
    a = rk.keras_input(shape=(3,), name="a")
    b = rk.keras_input(shape=(3,), name="b")
    shared = rk.layer_dense(units=4, dtype="float64", name="shared")
    ha, hb = shared(a), shared(b)                       # one layer, two calls: shared weights
    out1 = ha | rk.layer_batch_normalization(dtype="float64", name="bn") | rk.layer_dense(units=2, dtype="float64",
                                                                                          name="head1")
    out2 = rk.layer_dense(hb, units=1, dtype="float64", name="head2")
    return rk.keras_model([a, b], [out1, out2], name="two_by_two"), shared


def test_shared_layer_weights_and_layers_list():
    model, shared = _two_in_two_out()
    names = [l.name for l in model.layers]
    assert names.count("shared") == 1 and names[:2] == ["a", "b"]
    assert len(model.trainable_weights) == 2 + 2 + 2 + 2  # shared, bn, head1, head2
    assert model.get_layer("shared") is shared
    assert model.get_layer(index=3) is shared


def test_gradients_through_the_graph_agree_with_finite_differences():
    model, shared = _two_in_two_out()
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    g1, g2 = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    bn = model.get_layer("bn")
    stats = [bn.moving_mean.numpy(), bn.moving_variance.numpy()]

    def loss():
        bn.moving_mean.assign(stats[0])
        bn.moving_variance.assign(stats[1])
        o1, o2 = model.forward([xa, xb], training=True)[0]
        return float(np.sum(o1 * g1) + np.sum(o2 * g2))

    _outs, in_grads, w_grads = rk.vjp(model, [xa, xb], [g1, g2], training=True)
    np.testing.assert_allclose(in_grads[0], numeric_grad(loss, xa), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(in_grads[1], numeric_grad(loss, xb), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(w_grads["shared/kernel"], numeric_grad(loss, shared.kernel.value),
                               rtol=1e-6, atol=1e-8)
    assert set(w_grads) == {v.path for v in model.trainable_weights}


def test_multi_output_fit_and_evaluate():
    model, _ = _two_in_two_out()
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(16, 3)), rng.normal(size=(16, 3))
    y1, y2 = rng.normal(size=(16, 2)), rng.normal(size=(16, 1))
    model | rk.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5])
    history = model | rk.fit([xa, xb], [y1, y2], epochs=2, batch_size=8, verbose=0)
    assert {"loss", "head1_loss", "head2_loss"} <= set(history.history)
    result = model | rk.evaluate([xa, xb], [y1, y2], verbose=0)
    p1, p2 = model.predict([xa, xb])
    mse, mae = np.mean((p1 - y1) ** 2), np.mean(np.abs(p2 - y2))
    assert result["head1_loss"] == pytest.approx(mse, rel=1e-9)
    assert result["loss"] == pytest.approx(mse + 0.5 * mae, rel=1e-9)


def test_nested_model_as_layer_and_training_false_node():
    rk.set_random_seed(4)
    base = (rk.keras_model_sequential(input_shape=(3,), name="base") | rk.layer_dense(units=4)
            | rk.layer_batch_normalization())
    inputs = rk.keras_input(shape=(3,))
    outputs = base(inputs, training=False) | rk.layer_dense(units=1)
    model = rk.keras_model(inputs, outputs)
    model | rk.compile(optimizer="sgd", loss="mse")
    bn = base.layers[1]
    before, kernel_before = bn.moving_mean.numpy(), base.layers[0].kernel.numpy()
    x = np.random.default_rng(2).normal(size=(8, 3)).astype("float32")
    model | rk.train_on_batch(x, np.ones((8, 1)))
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)   # training=False fixed at the call
    assert not np.array_equal(base.layers[0].kernel.numpy(), kernel_before)  # base weights still train


def test_history_plot_writes_a_file(tmp_path):
    pytest.importorskip("matplotlib")
    model = (rk.keras_model_sequential(input_shape=(2,)) | rk.layer_dense(units=1))
    model | rk.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model | rk.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=3, verbose=0, validation_split=0.25)
    path = tmp_path / "history.png"
    history.plot(filename=str(path))
    assert path.stat().st_size > 1000


def test_weight_order_does_not_depend_on_trainable():
    base = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=3) | rk.layer_batch_normalization()
            | rk.layer_dense(units=3) | rk.layer_batch_normalization())
    paths = [w.path for w in base.weights]
    saved = base.get_weights()
    base.trainable = False
    assert [w.path for w in base.weights] == paths
    base.set_weights(saved)


def test_vjp_with_a_callable_upstream_runs_one_forward():
    rk.set_random_seed(5)
    model = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=2) | rk.layer_batch_normalization()
    x, y = np.random.default_rng(0).normal(size=(6, 3)).astype("float32"), np.zeros((6, 2), "float32")
    bn = model.layers[1]
    seen = {}

    def upstream(outputs):
        seen["outputs"] = outputs
        return 2 * (outputs - y) / outputs.size

    outs, _, grads = rk.vjp(model, x, upstream)
    assert seen["outputs"] is outs
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * (x @ model.layers[0].kernel.numpy()).mean(0), rtol=1e-5)
    assert set(grads) == {w.path for w in model.trainable_weights}
