"""compile / fit / evaluate / predict and the trainable rules of batch normalization (issue 3)."""

import warnings

import numpy as np
import pytest

import rkeras as rk


def _small_model(dtype="float64", seed=0):
    rk.set_random_seed(seed)
    return (rk.keras_model_sequential(input_shape=(4,))
            | rk.layer_dense(units=5, dtype=dtype)
            | rk.layer_batch_normalization(dtype=dtype)
            | rk.layer_dense(units=3, dtype=dtype))


def _reference_step(x, y, W1, b1, gamma, beta, W2, b2, eps=1e-3):
    """Loss and gradients of Dense -> BN (training) -> Dense -> MSE, from the textbook formulas."""
    n = len(x)
    h1 = x @ W1 + b1
    mean, var = h1.mean(0), h1.var(0)
    invstd = 1 / np.sqrt(var + eps)
    xhat = (h1 - mean) * invstd
    h2 = gamma * xhat + beta
    out = h2 @ W2 + b2
    loss = np.mean((out - y) ** 2)
    dout = 2 * (out - y) / out.size
    dW2, db2 = h2.T @ dout, dout.sum(0)
    dh2 = dout @ W2.T
    dgamma, dbeta = (dh2 * xhat).sum(0), dh2.sum(0)
    dxhat = dh2 * gamma
    dh1 = invstd / n * (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))
    dW1, db1 = x.T @ dh1, dh1.sum(0)
    return loss, [dW1, db1, dgamma, dbeta, dW2, db2], mean, var


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_one_step_equals_float64_numpy(opt):
    model = _small_model()
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
    d1, bn, d2 = model.layers
    W1, b1, gamma, beta, W2, b2 = (v.numpy() for v in (d1.kernel, d1.bias, bn.gamma, bn.beta, d2.kernel, d2.bias))
    loss, grads, mean, var = _reference_step(x, y, W1, b1, gamma, beta, W2, b2)
    lr = 0.1
    optimizer = rk.optimizer_sgd(learning_rate=lr) if opt == "sgd" else rk.optimizer_adam(learning_rate=lr)
    model | rk.compile(optimizer=optimizer, loss="mse")
    logs = model | rk.train_on_batch(x, y)
    assert logs["loss"] == pytest.approx(loss, rel=1e-12)
    params = [W1, b1, gamma, beta, W2, b2]
    for p, g, v in zip(params, grads, (d1.kernel, d1.bias, bn.gamma, bn.beta, d2.kernel, d2.bias)):
        if opt == "sgd":
            expected = p - lr * g
        else:  # Keras Adam, first step
            m, s = 0.1 * g, 0.001 * g * g
            expected = p - lr * np.sqrt(1 - 0.999) / (1 - 0.9) * m / (np.sqrt(s) + 1e-7)
        # the first dense bias has an exactly-zero gradient (batch normalization removes the mean):
        # its float64 round-off is all Adam sees, hence the absolute tolerance
        np.testing.assert_allclose(v.numpy(), expected, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * mean, rtol=1e-10)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-10)


def test_layer_frozen_before_compile_changes_nothing_and_uses_moving_statistics():
    model = _small_model()
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 3))
    bn = model.layers[1]
    bn.moving_mean.assign(rng.normal(size=5))
    bn.moving_variance.assign(rng.uniform(0.5, 2, 5))
    bn.trainable = False
    model | rk.compile(optimizer="sgd", loss="mse")
    before = [w.numpy() for w in bn.weights]
    other_before = model.layers[0].kernel.numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no stale-compile warning here
        model | rk.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for w, b in zip(bn.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)
    assert not np.allclose(model.layers[0].kernel.numpy(), other_before)  # the rest trains
    # inference-mode normalization inside training: vjp through the frozen layer uses moving stats
    h = model.layers[0](x)
    y_bn, _, _ = rk.vjp(bn, h, np.ones_like(h), training=True)
    expected = before[0] * (h - before[2]) / np.sqrt(before[3] + 1e-3) + before[1]
    np.testing.assert_allclose(y_bn, expected, rtol=1e-10)


def test_layer_frozen_after_compile_trains_until_next_compile_with_warning():
    model = _small_model()
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(16, 4)), rng.normal(size=(16, 3))
    bn = model.layers[1]
    model | rk.compile(optimizer="sgd", loss="mse")
    bn.trainable = False
    before = [w.numpy() for w in bn.weights]
    with pytest.warns(UserWarning, match="compile"):
        model | rk.train_on_batch(x, y)
    after = [w.numpy() for w in bn.weights]
    assert all(not np.array_equal(a, b) for a, b in zip(after, before))  # still training, batch stats
    model | rk.compile(optimizer="sgd", loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model | rk.train_on_batch(x, y)
    for w, b in zip(bn.weights, after):
        np.testing.assert_array_equal(w.numpy(), b)


def test_unfreezing_after_compile_waits_for_compile_too():
    model = _small_model()
    bn = model.layers[1]
    bn.trainable = False
    model | rk.compile(optimizer="sgd", loss="mse")
    bn.trainable = True
    before = [w.numpy() for w in bn.weights]
    x, y = np.ones((4, 4)), np.ones((4, 3))
    with pytest.warns(UserWarning):
        model | rk.train_on_batch(x, y)
    for w, b in zip(bn.weights, before):
        np.testing.assert_array_equal(w.numpy(), b)


def _digits():
    data = rk.dataset_digits()
    (xt, yt), (xs, ys) = data["train"], data["test"]
    return xt.reshape(-1, 64).astype("float32") / 16, yt, xs.reshape(-1, 64).astype("float32") / 16, ys


@pytest.mark.parametrize("with_bn,threshold", [(True, 0.95), (False, 0.93)])
def test_mlp_on_digits(with_bn, threshold):
    x, y, xs, ys = _digits()
    rk.set_random_seed(0)
    model = rk.keras_model_sequential(input_shape=(64,)) | rk.layer_dense(units=64)
    if with_bn:
        model = model | rk.layer_batch_normalization()
    model = model | rk.layer_activation(activation="relu") | rk.layer_dense(units=10, activation="softmax")
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=3e-3), loss="sparse_categorical_crossentropy",
                       metrics="accuracy")
    history = model | rk.fit(x, y, epochs=5, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    result = model | rk.evaluate(xs, ys, verbose=0)
    assert result["accuracy"] >= threshold


def test_validation_split_takes_the_last_samples():
    model = _small_model()
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 3))
    model | rk.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model | rk.fit(x, y, epochs=1, batch_size=5, validation_split=0.25, verbose=0, shuffle=False)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert history.params["samples"] == 15 and history.params["steps"] == 3
    val = model | rk.evaluate(x[15:], y[15:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(val["loss"], rel=1e-10)
    assert history.history["val_mae"][0] == pytest.approx(val["mae"], rel=1e-10)


def test_evaluate_and_predict_handle_the_last_partial_batch():
    model = _small_model()
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 3))
    model | rk.compile(optimizer="sgd", loss="mse")
    p4, p10 = model.predict(x, batch_size=4), model.predict(x, batch_size=10)
    assert p4.shape == (10, 3)
    np.testing.assert_allclose(p4, p10, rtol=1e-12)
    e3, e10 = model.evaluate(x, y, batch_size=3, verbose=0), model.evaluate(x, y, batch_size=10, verbose=0)
    assert e3["loss"] == pytest.approx(e10["loss"], rel=1e-10)
    assert e10["loss"] == pytest.approx(np.mean((p10 - y) ** 2), rel=1e-10)


def test_summary_counts_by_hand():
    rk.clear_session()  # default names dense, batch_normalization, dense_1
    model = _small_model()
    text = format(model)
    # dense 4*5+5 = 25, batch norm 4*5 = 20 (10 trainable), dense 5*3+3 = 18
    assert "Total params: 63" in text and "Trainable params: 53" in text and "Non-trainable params: 10" in text
    for name, count in (("dense", "25"), ("batch_normalization", "20"), ("dense_1", "18")):
        assert any(line.split("│")[1].strip().startswith(name) and line.split("│")[3].strip() == count
                   for line in text.splitlines() if line.startswith("│"))


def test_freeze_weights_ranges_are_inclusive():
    rk.clear_session()
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=3) | rk.layer_dense(units=3)
             | rk.layer_dense(units=3) | rk.layer_dense(units=3))
    rk.freeze_weights(model, from_=2, to=3)
    assert [l.trainable for l in model.layers] == [True, False, False, True]
    model | rk.unfreeze_weights()
    model | rk.freeze_weights(from_="dense_1")
    assert [l.trainable for l in model.layers] == [True, False, False, False]
    rk.unfreeze_weights(model, to=-2)
    assert [l.trainable for l in model.layers] == [True, True, True, False]
    rk.freeze_weights(model)
    assert not model.trainable and model.trainable_weights == []
    with pytest.raises(ValueError, match="from_"):
        rk.freeze_weights(model, from_="nope")
    with pytest.raises(ValueError, match="to"):
        rk.freeze_weights(model, to=9)


def test_every_pipe_form():
    model = _small_model()
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 3))
    assert (model | rk.compile(optimizer="sgd", loss="mse")) is model
    history = model | rk.fit(x, y, epochs=2, verbose=0)
    assert isinstance(history, rk.training.history.History) if hasattr(rk, "training") else history.history
    assert len(history.history["loss"]) == 2
    result = model | rk.evaluate(x, y, verbose=0)
    assert set(result) == {"loss"}
    assert (model | rk.predict(x)).shape == (12, 3)
    assert rk.fit(model, x, y, epochs=1, verbose=0).history["loss"]
    assert model.fit(x, y, epochs=1, verbose=0).history["loss"]


def test_set_random_seed_makes_runs_repeat():
    x, y, _, _ = _digits()
    x, y = x[:200], y[:200]

    def run():
        rk.set_random_seed(123)
        model = (rk.keras_model_sequential(input_shape=(64,)) | rk.layer_dense(units=16)
                 | rk.layer_dropout(rate=0.3) | rk.layer_dense(units=10, activation="softmax"))
        model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model | rk.fit(x, y, epochs=2, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_progress_output(capsys):
    model = _small_model()
    x, y = np.ones((10, 4)), np.ones((10, 3))
    model | rk.compile(optimizer="sgd", loss="mse")
    model | rk.fit(x, y, epochs=2, batch_size=4, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "3/3" in out and "━" in out and "loss:" in out
    model | rk.fit(x, y, epochs=2, batch_size=4, verbose=2, validation_data=(x, y))
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith("3/3")]
    assert len(lines) == 2 and all("val_loss" in l for l in lines)
    model | rk.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_callbacks_early_stopping_and_lambda():
    model = _small_model()
    x, y = np.ones((8, 4)), np.zeros((8, 3))
    model | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=1e-30), loss="mse")
    seen = []
    cb = rk.callback_lambda(on_epoch_end=lambda epoch, logs: seen.append((epoch, round(logs["loss"], 6))))
    stop = rk.callback_early_stopping(monitor="loss", patience=1)
    history = model | rk.fit(x, y, epochs=10, verbose=0, callbacks=[cb, stop])
    assert len(history.history["loss"]) == 2 and [e for e, _ in seen] == [1, 2]  # 1-based, as R keras3


def test_compile_and_fit_errors():
    model = _small_model()
    with pytest.raises(ValueError, match="compiled"):
        model.fit(np.ones((2, 4)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="optimizer"):
        model | rk.compile(optimizer="adamm", loss="mse")
    model | rk.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.ones((3, 4)), np.ones((2, 3)), verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(np.ones((3, 4)), np.ones((3, 3)), validation_split=1.5, verbose=0)
