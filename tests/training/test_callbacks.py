"""Callbacks: call order and (1-based) indices against Keras 3, ReduceLROnPlateau and the learning-rate
scheduler against Keras' learning rates, CSV logging, TerminateOnNaN and stop_training after a batch."""

import csv

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk
from rkeras.training.callbacks import Callback

HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end")


def _recorder(base, calls, one_based):
    shift = 0 if one_based else 1  # Keras passes 0-based numbers; rkeras 1-based, as R keras3

    def hook(name):
        def f(self, *args, logs=None):
            calls.append((name,) + tuple(a + shift for a in args if isinstance(a, int)))
        return f
    return type("Recorder", (base,), {h: hook(h) for h in HOOKS})()


def _models():
    keras.utils.set_random_seed(0)
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    k.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    r = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=2)
    r | rk.set_weights([np.asarray(w) for w in k.get_weights()])
    r | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.05), loss="mse")
    return k, r


def test_call_order_and_indices_as_keras():
    x, y = np.random.default_rng(0).normal(size=(10, 3)), np.random.default_rng(1).normal(size=(10, 2))
    k, r = _models()
    k_calls, r_calls = [], []
    kcb, rcb = _recorder(keras.callbacks.Callback, k_calls, False), _recorder(Callback, r_calls, True)
    k.fit(x, y, batch_size=4, epochs=2, validation_data=(x[:5], y[:5]), callbacks=[kcb], verbose=0)
    r | rk.fit(x, y, batch_size=4, epochs=2, validation_data=(x[:5], y[:5]), callbacks=rcb, verbose=0)
    assert r_calls == k_calls and ("on_epoch_end", 2) in r_calls and ("on_train_batch_end", 3) in r_calls
    for verb in ("evaluate", "predict"):
        k_calls.clear(), r_calls.clear()
        args = (x, y) if verb == "evaluate" else (x,)
        getattr(k, verb)(*args, batch_size=4, callbacks=[kcb], verbose=0)
        getattr(r, verb)(*args, batch_size=4, callbacks=[rcb], verbose=0)
        assert r_calls == k_calls, verb


def test_reduce_lr_on_plateau_and_scheduler_give_keras_learning_rates():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))
    k, r = _models()
    kh = k.fit(x, y, batch_size=12, epochs=8, verbose=0, callbacks=[keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=10.0, cooldown=1, min_lr=0.01)])
    rh = r | rk.fit(x, y, batch_size=12, epochs=8, verbose=0, callbacks=[rk.callback_reduce_lr_on_plateau(
        monitor="loss", factor=0.5, patience=1, min_delta=10.0, cooldown=1, min_lr=0.01)])
    assert np.allclose(rh.history["learning_rate"], kh.history["learning_rate"], rtol=1e-6)
    assert len(set(rh.history["learning_rate"])) > 2
    assert np.allclose(rh.history["loss"], kh.history["loss"], rtol=1e-5)

    k, r = _models()
    kh = k.fit(x, y, batch_size=6, epochs=4, verbose=0, shuffle=False, callbacks=[keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: 0.1 / (epoch + 1))])
    seen = []
    rh = r | rk.fit(x, y, batch_size=6, epochs=4, verbose=0, shuffle=False, callbacks=[rk.callback_learning_rate_scheduler(
        lambda epoch, lr: seen.append(epoch) or 0.1 / epoch)])  # R: epoch is 1-based
    assert seen == [1, 2, 3, 4]
    assert np.allclose(rh.history["learning_rate"], kh.history["learning_rate"], rtol=1e-6)
    assert np.allclose(rh.history["loss"], kh.history["loss"], rtol=1e-5)
    with pytest.raises(ValueError, match="factor"):
        rk.callback_reduce_lr_on_plateau(factor=1.5)


def test_lambda_callback_takes_the_other_hooks():
    x, y = np.ones((5, 3)), np.zeros((5, 2))
    _, r = _models()
    seen = []
    cb = rk.callback_lambda(on_test_batch_end=lambda b, logs: seen.append(("test", b)),
                            on_predict_end=lambda logs: seen.append("predict_end"))
    r | rk.evaluate(x, y, batch_size=2, verbose=0, callbacks=cb)
    r | rk.predict(x, callbacks=cb)
    assert seen == [("test", 1), ("test", 2), ("test", 3), "predict_end"]
    with pytest.raises(TypeError, match="on_tset_end"):
        rk.callback_lambda(on_tset_end=print)


def test_csv_logger(tmp_path):
    x, y = np.ones((4, 3)), np.zeros((4, 2))
    _, r = _models()
    path = tmp_path / "log.csv"
    h = r | rk.fit(x, y, epochs=2, verbose=0, callbacks=rk.callback_csv_logger(str(path)))
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [row["epoch"] for row in rows] == ["1", "2"] and list(rows[0]) == ["epoch", "loss", "val_loss"]
    assert np.allclose([float(row["loss"]) for row in rows], h.history["loss"]) and rows[0]["val_loss"] == "NA"
    r | rk.fit(x, y, epochs=1, verbose=0, callbacks=rk.callback_csv_logger(str(path), separator=";", append=True))
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("1;")


def test_terminate_on_nan_and_stop_training_after_the_batch(capsys):
    x, y = np.ones((8, 3)), np.zeros((8, 2))
    y[5] = np.nan  # the second batch of 4 has a NaN loss
    _, r = _models()
    batches = []
    count = rk.callback_lambda(on_train_batch_end=lambda batch, logs: batches.append(batch))
    h = r | rk.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0,
                   callbacks=[rk.callback_terminate_on_nan(), count])
    assert batches == [1, 2] and len(h.history["loss"]) == 1
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out

    _, r = _models()
    y = np.zeros((8, 2))
    batches.clear()

    class StopAfterFirst(Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            self.model.stop_training = True
    weights = []
    h = r | rk.fit(x, y, batch_size=2, epochs=3, verbose=0, validation_data=(x, y), callbacks=[
        StopAfterFirst(), rk.callback_lambda(on_epoch_end=lambda e, logs: weights.append(e))])
    assert batches == [1] and weights == [1] and set(h.history) == {"loss", "val_loss"}
