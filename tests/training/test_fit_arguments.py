"""fit()/evaluate()/predict() arguments against Keras 3 (class and sample weights, steps, validation), the
data forms they take (generators, iterables, lists, dicts) and the checks made before any update."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk


def _rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12))


def _pair(units=3, n_in=4, activation="softmax", loss="sparse_categorical_crossentropy", lr=0.1):
    """The same one-layer model in Keras and in rkeras (same initial weights, SGD)."""
    keras.utils.set_random_seed(1)
    k = keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(units, activation=activation)])
    k.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=loss)
    r = rk.keras_model_sequential(input_shape=(n_in,)) | rk.layer_dense(units=units, activation=activation)
    r | rk.set_weights([np.asarray(w) for w in k.get_weights()])
    r | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=lr), loss=loss)
    return k, r


def _data(n=24, n_in=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)).astype("float32"), rng.integers(0, classes, n)


def test_class_weight_and_sample_weight_change_the_loss_as_keras():
    x, y = _data()
    class_weight = {0: 1.0, 1: 3.0, 2: 0.5}
    k, r = _pair()
    kh = k.fit(x, y, batch_size=8, epochs=2, shuffle=False, class_weight=class_weight, verbose=0)
    rh = r | rk.fit(x, y, batch_size=8, epochs=2, shuffle=False, class_weight={"0": 1, "1": 3, "2": 0.5},
                    verbose=0)
    assert _rel(rh.history["loss"], kh.history["loss"]) <= 1e-5
    for rw, kw in zip(r.get_weights(), k.get_weights()):
        assert _rel(rw, kw) <= 1e-5
    # sample weights, and the evaluation of weighted samples
    sw = np.random.default_rng(3).uniform(0, 2, len(x)).astype("float32")
    k, r = _pair()
    kh = k.fit(x, y, batch_size=8, epochs=1, shuffle=False, sample_weight=sw, verbose=0)
    rh = r | rk.fit(x, y, batch_size=8, epochs=1, shuffle=False, sample_weight=sw, verbose=0)
    assert _rel(rh.history["loss"], kh.history["loss"]) <= 1e-5
    assert _rel(r.get_weights()[0], k.get_weights()[0]) <= 1e-5
    k_eval = k.evaluate(x, y, sample_weight=sw, batch_size=5, verbose=0)
    r_eval = r | rk.evaluate(x, y, sample_weight=sw, batch_size=5, verbose=0)
    assert _rel(r_eval["loss"], k_eval) <= 1e-5
    # class weights from one-hot targets (argmax), as Keras
    onehot = np.eye(3, dtype="float32")[y]
    k, r = _pair(loss="categorical_crossentropy")
    kh = k.fit(x, onehot, batch_size=8, epochs=1, shuffle=False, class_weight=class_weight, verbose=0)
    rh = r | rk.fit(x, onehot, batch_size=8, epochs=1, shuffle=False, class_weight=class_weight, verbose=0)
    assert _rel(rh.history["loss"], kh.history["loss"]) <= 1e-5
    # class weights apply to the batches of an iterable as well
    _, r2 = _pair(loss="categorical_crossentropy")
    batches = [(x[i:i + 8], onehot[i:i + 8]) for i in range(0, len(x), 8)]
    rh2 = r2 | rk.fit(batches, epochs=1, class_weight=class_weight, verbose=0)
    assert _rel(rh2.history["loss"], kh.history["loss"]) <= 1e-5 and rh2.metrics is rh2.history


def test_steps_per_epoch_validation_freq_and_batch_size_as_keras():
    x, y = _data(n=20)
    vx, vy = _data(n=7, seed=5)
    k, r = _pair()
    with pytest.warns(UserWarning, match="ran out of data"):  # 5 batches: epoch 2 stops after 2 (Keras too)
        kh = k.fit(x, y, batch_size=4, epochs=4, shuffle=False, steps_per_epoch=3, validation_data=(vx, vy),
                   validation_freq=2, validation_batch_size=3, verbose=0)
    with pytest.warns(UserWarning, match="ran out of data") as caught:
        rh = r | rk.fit(x, y, batch_size=4, epochs=4, shuffle=False, steps_per_epoch=3,
                        validation_data=(vx, vy), validation_freq=2, validation_batch_size=3, verbose=0)
    assert all(w.filename == __file__ for w in caught)  # located at the user's line
    assert _rel(rh.history["loss"], kh.history["loss"]) <= 1e-5  # epochs continue where the last stopped
    assert _rel(rh.history["val_loss"], kh.history["val_loss"]) <= 1e-5
    assert len(rh.history["val_loss"]) == 2 and rh.epoch == [1, 2, 3, 4]
    assert _rel(r.get_weights()[0], k.get_weights()[0]) <= 1e-5


def test_generators_and_iterables_of_batches():
    x, y = _data(n=12)
    sw = np.linspace(0.5, 1.5, 12)
    ref = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=3, activation="softmax")
    weights = ref.get_weights()
    ref | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    h_ref = ref | rk.fit(x, y, batch_size=4, epochs=2, shuffle=False, sample_weight=sw, verbose=0)

    batches = [(x[i:i + 4], y[i:i + 4], sw[i:i + 4]) for i in range(0, 12, 4)]
    model = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=3, activation="softmax")
    model | rk.set_weights(weights)
    model | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    h = model | rk.fit(batches, epochs=2, verbose=0)  # a list of batches: re-iterated each epoch
    assert np.allclose(h.history["loss"], h_ref.history["loss"], rtol=1e-6)
    assert np.allclose(model.get_weights()[0], ref.get_weights()[0], rtol=1e-6)

    def gen():
        while True:
            for xb, yb, _ in batches:
                yield xb, yb
    with pytest.warns(UserWarning, match="no validation"):
        h = model | rk.fit(gen(), epochs=2, steps_per_epoch=3, verbose=0, validation_data=iter(batches[:1]))
    assert len(h.history["loss"]) == 2 and len(h.history["val_loss"]) == 1  # a one-shot iterator: once

    with pytest.warns(UserWarning, match="ran out of data"):
        h = model | rk.fit((b[:2] for b in batches), epochs=3, verbose=0)
    assert h.epoch == [1]  # a generator without steps_per_epoch is used up in the first epoch
    out = model | rk.predict(b[0] for b in batches)
    assert out.shape == (12, 3) and np.allclose(out, model | rk.predict(x))
    ev = model | rk.evaluate(iter(batches), verbose=0)
    assert np.isclose(ev["loss"], (model | rk.evaluate(x, y, sample_weight=sw, batch_size=4, verbose=0))["loss"])
    with pytest.raises(ValueError, match="tuple"):
        model | rk.fit(iter([x[:4]]), verbose=0)
    with pytest.raises(ValueError, match="`y` and `sample_weight` must be None"):
        model | rk.fit(iter(batches), y, verbose=0)


def test_python_lists_dicts_and_zero_samples():
    model = rk.keras_model_sequential(input_shape=(2,)) | rk.layer_dense(units=1)
    model | rk.compile(optimizer="sgd", loss="mse")
    h = model | rk.fit([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [1.0, 2.0, 3.0], verbose=0)
    assert len(h.history["loss"]) == 1 and np.isfinite(h.history["loss"][0])
    with pytest.raises(TypeError, match="`x` must hold numbers"):
        model | rk.fit([[1.0, "a"], [3.0, 4.0]], [1.0, 2.0], verbose=0)
    with pytest.raises(TypeError, match="ragged"):
        model | rk.fit([[1.0, 2.0], [3.0]], [1.0, 2.0], verbose=0)
    before = model.get_weights()
    for verb in (rk.fit, rk.evaluate):
        with pytest.raises(ValueError, match="0 samples"):
            model | verb(np.zeros((0, 2)), np.zeros((0, 1)), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    with pytest.raises(ValueError, match="same number of samples"):
        model | rk.fit(np.zeros((3, 2)), np.zeros((2, 1)), verbose=0)


def test_checks_before_the_first_update():
    model = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=3, activation="softmax")
    with pytest.raises(ValueError, match="bogus"):
        model | rk.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics="bogus")
    model | rk.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics="accuracy")
    x, y = _data(n=8)
    before = model.get_weights()
    bad_validation = [((x[:, :3], y), "validation_data"), ((x, y[:5]), "same number of samples"),
                      ((x, y + 10), "validation_data"), ((x,), "pair"), ((x, np.array(["a"] * 8)), "numbers")]
    for val, match in bad_validation:
        with pytest.raises((ValueError, TypeError, IndexError), match=match):
            model | rk.fit(x, y, epochs=1, validation_data=val, verbose=0)
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())), val
    for kwargs, match in [({"class_weight": [1, 2]}, "class_weight"), ({"class_weight": {"a": 1}}, "key"),
                          ({"sample_weight": np.ones(3)}, "one weight per sample"),
                          ({"steps_per_epoch": 0}, "steps_per_epoch"), ({"validation_freq": 1.5}, "validation_freq"),
                          ({"initial_epoch": 0}, "1-based"), ({"callbacks": "x"}, "callbacks"),
                          ({"class_weight": {0: 1}, "sample_weight": np.ones(8)}, "together")]:
        with pytest.raises((ValueError, TypeError), match=match):
            model | rk.fit(x, y, epochs=1, verbose=0, **kwargs)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_multi_output_named_outputs_none_loss_and_loss_weights_as_keras():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 5)).astype("float32")
    ya, yb = rng.normal(size=(16, 2)).astype("float32"), rng.integers(0, 3, 16)
    keras.utils.set_random_seed(4)
    ki = keras.Input((5,))
    kh = keras.layers.Dense(4, activation="tanh", name="hidden")(ki)
    k = keras.Model(ki, [keras.layers.Dense(2, name="reg")(kh),
                         keras.layers.Dense(3, activation="softmax", name="cls")(kh)])
    ri = rk.keras_input(shape=(5,))
    rh = ri | rk.layer_dense(units=4, activation="tanh", name="hidden")
    r = rk.keras_model(ri, [rh | rk.layer_dense(units=2, name="reg"),
                            rh | rk.layer_dense(units=3, activation="softmax", name="cls")])
    r | rk.set_weights([np.asarray(w) for w in k.get_weights()])
    k.compile(optimizer=keras.optimizers.SGD(0.1), loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
              loss_weights={"reg": 0.5, "cls": 2.0})
    r | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.1),
                   loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"}, loss_weights={"reg": 0.5, "cls": 2.0})
    k_hist = k.fit(x, {"reg": ya, "cls": yb}, batch_size=8, shuffle=False, epochs=2, verbose=0)
    r_hist = r | rk.fit(x, {"cls": yb, "reg": ya}, batch_size=8, shuffle=False, epochs=2, verbose=0)
    for key in ("loss", "reg_loss", "cls_loss"):
        assert _rel(r_hist.history[key], k_hist.history[key]) <= 1e-5, key
    for rw, kw in zip(r.get_weights(), k.get_weights()):
        assert _rel(rw, kw) <= 1e-5
    # an output without loss (R: list(NULL, "mse")) needs no target and trains nothing through it
    r | rk.compile(optimizer="sgd", loss=[None, "sparse_categorical_crossentropy"], metrics=[[], ["accuracy"]])
    head = r.get_layer("reg").get_weights()
    h = r | rk.fit(x, [None, yb], epochs=1, verbose=0)
    assert set(h.history) == {"loss", "cls_loss", "cls_accuracy"}
    assert all(np.array_equal(a, b) for a, b in zip(head, r.get_layer("reg").get_weights()))
    with pytest.raises(ValueError, match="at least one output"):
        r | rk.compile(optimizer="sgd", loss=[None, None])
