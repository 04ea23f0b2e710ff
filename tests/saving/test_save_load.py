"""Saving and loading within rkeras: `.keras` round trips, resume training, weights, configs, cloning."""

import json
import os
import zipfile

import numpy as np
import pytest

import rkeras as rk
from rkeras.saving import keras_file


def _bn_sequential_channels_first():
    return rk.keras_model_sequential(input_shape=(3, 5, 5)) \
        | rk.layer_conv_2d(filters=4, kernel_size=3, data_format="channels_first") \
        | rk.layer_batch_normalization(axis=2) | rk.layer_flatten() | rk.layer_dense(units=2)


def _bn_functional_masked():
    inp = rk.keras_input((6,), dtype="int32")
    x = rk.layer_embedding(inp, input_dim=10, output_dim=3, mask_zero=True)
    x = rk.layer_batch_normalization(x)
    x = rk.layer_global_average_pooling_1d(x)
    return rk.keras_model(inp, rk.layer_dense(x, units=2))


def _data(model, n=16, seed=0):
    rng = np.random.default_rng(seed)
    if model.layers[0].__class__.__name__ == "InputLayer" or isinstance(model, rk.Functional):
        x = rng.integers(0, 10, size=(n, 6)).astype("int32")
        x[:, -2:] = 0  # masked steps
    else:
        x = rng.normal(size=(n, 3, 5, 5)).astype("float32")
    return x, rng.normal(size=(n, 2)).astype("float32")


@pytest.mark.parametrize("build", [_bn_sequential_channels_first, _bn_functional_masked])
def test_round_trip_predictions_and_moving_statistics(build, tmp_path):
    rk.set_random_seed(3)
    model = build()
    x, y = _data(model)
    model | rk.compile(optimizer="adam", loss="mse")
    model | rk.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = str(tmp_path / "m.keras")
    model | rk.save_model(path)
    loaded = rk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    bn = next(l for l in model.layers if type(l).__name__ == "BatchNormalization")
    bn2 = next(l for l in loaded.layers if type(l).__name__ == "BatchNormalization")
    assert not np.allclose(bn.weights[2].numpy(), 0.0)  # training moved the statistics
    for a, b in zip(bn.weights, bn2.weights):
        assert a.name == b.name
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert bn2.get_config() == {**bn.get_config(), "dtype": "float32"}
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(z.read("config.json"))
    assert config["compile_config"]["loss"] == "mse"
    bn_conf = next(e for e in config["config"]["layers"] if e["class_name"] == "BatchNormalization")["config"]
    assert bn_conf["axis"] == (1 if build is _bn_sequential_channels_first else -1)  # Keras' 0-based axis


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_fit_two_save_load_fit_one_equals_fit_three(optimizer, tmp_path):
    def make():
        rk.set_random_seed(7)
        rk.clear_session()
        m = _bn_sequential_channels_first()
        opt = rk.optimizer_sgd(learning_rate=0.05, momentum=0.9) if optimizer == "sgd" else optimizer
        return m | rk.compile(optimizer=opt, loss="mse", metrics=["mae"])

    x, y = _data(_bn_sequential_channels_first(), n=24)
    straight = make()
    straight.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=False)
    first = make()
    first.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    path = str(tmp_path / "two.keras")
    first.save(path)
    resumed = rk.load_model(path)
    assert resumed._compiled.optimizer.iterations == 6
    resumed.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)  # bit-equal


def test_weights_file_round_trip_and_skip_mismatch(tmp_path):
    rk.set_random_seed(1)
    m = _bn_sequential_channels_first()
    path = str(tmp_path / "w.weights.h5")
    rk.save_model_weights(m, path)
    other = _bn_sequential_channels_first()
    assert not np.array_equal(other.get_weights()[0], m.get_weights()[0])
    other | rk.load_model_weights(path)
    for a, b in zip(m.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    wrong = rk.keras_model_sequential(input_shape=(3, 5, 5)) \
        | rk.layer_conv_2d(filters=4, kernel_size=3, data_format="channels_first") \
        | rk.layer_batch_normalization(axis=2) | rk.layer_flatten() | rk.layer_dense(units=3)
    before = wrong.get_weights()
    with pytest.raises(ValueError, match="shape"):
        rk.load_model_weights(wrong, path)
    for a, b in zip(before, wrong.get_weights()):  # nothing changed
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="Skipped"):
        rk.load_model_weights(wrong, path, skip_mismatch=True)
    np.testing.assert_array_equal(wrong.layers[0].weights[0].numpy(), m.layers[0].weights[0].numpy())
    np.testing.assert_array_equal(wrong.layers[-1].weights[0].numpy(), before[-2])  # the mismatched one kept
    with pytest.raises(FileExistsError, match="overwrite"):
        m.save_weights(path)
    m.save_weights(path, overwrite=True)


def test_config_json_clone_and_from_config(tmp_path):
    rk.set_random_seed(2)
    m = _bn_functional_masked()
    text = rk.save_model_config(m)
    again = rk.load_model_config(text)
    assert [type(l).__name__ for l in again.layers] == [type(l).__name__ for l in m.layers]
    path = str(tmp_path / "c.json")
    rk.save_model_config(m, path)
    with open(path) as f:
        assert json.load(f)["class_name"] == "Functional"
    assert rk.load_model_config(path).count_params() == m.count_params()
    same = rk.Functional.from_config(m.get_config())
    assert same.get_config() == m.get_config()
    clone = rk.clone_model(m)
    x, _ = _data(m)
    assert clone.get_config() == m.get_config()
    clone.set_weights(m.get_weights())
    np.testing.assert_array_equal(clone.predict(x), m.predict(x))
    seq = _bn_sequential_channels_first()
    seq2 = rk.Sequential.from_config(seq.get_config())
    assert seq2.get_config() == seq.get_config()
    assert seq2.count_params() == seq.count_params()


def test_objects_config_round_trip():
    objects = [rk.optimizer_adam(learning_rate=0.01, amsgrad=True), rk.optimizer_sgd(momentum=0.5),
               rk.optimizer_rmsprop(centered=True), rk.loss_binary_crossentropy(from_logits=True),
               rk.initializer_he_normal(seed=3), rk.regularizer_l1_l2(0.1, 0.2),
               rk.constraint_maxnorm(2.0), rk.layer_dense(units=3, kernel_regularizer=rk.regularizer_l2(0.1))]
    for obj in objects:
        d = rk.serialize_keras_object(obj)
        assert d["module"].startswith("keras.") and d["class_name"] == type(obj).__name__
        back = rk.deserialize_keras_object(json.loads(json.dumps(d)))
        assert type(back) is type(obj)
        assert rk.serialize_keras_object(back)["config"] == d["config"]
    # built-in metrics are written as Keras' metric classes and rebuilt by their R-style constructors
    for metric, keras_name in ((rk.metric_binary_accuracy(threshold=0.3), "BinaryAccuracy"),
                               (rk.metric_categorical_crossentropy(from_logits=True), "CategoricalCrossentropy"),
                               (rk.metric_mean_absolute_error(name="m"), "MeanAbsoluteError"), (rk.metric_mean(), "Mean")):
        d = rk.serialize_keras_object(metric)
        assert (d["module"], d["class_name"]) == ("keras.metrics", keras_name)
        back = rk.deserialize_keras_object(json.loads(json.dumps(d)))
        assert rk.serialize_keras_object(back) == d
        if keras_name != "Mean":
            yt, yp = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.2, 0.9], [0.4, 0.1]])
            assert back(yt, yp) == metric(yt, yp)
    # R-style axes become Keras' 0-based ones in files, and back
    from rkeras.saving.keras_config import from_keras, to_keras
    keras_form = to_keras(rk.serialize_keras_object(rk.constraint_maxnorm(2.0, axis=1)))
    assert keras_form["config"]["axis"] == 0
    assert rk.deserialize_keras_object(from_keras(keras_form)) == rk.constraint_maxnorm(2.0, axis=1)
    bn = to_keras(rk.serialize_keras_object(rk.layer_batch_normalization(axis=-1)))
    assert bn["config"]["axis"] == -1 and bn["config"]["dtype"]["class_name"] == "DTypePolicy"


def test_custom_layer_needs_registration(tmp_path):
    class Scale(rk.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def forward(self, inputs, training=False, mask=None):
            return inputs * self.factor, None

        def backward(self, cache, grad_outputs):
            return grad_outputs * self.factor, {}

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    m = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=2) | Scale(factor=3.0)
    x = np.ones((2, 3), "float32")
    path = str(tmp_path / "s.keras")
    m.save(path)  # saved as Keras saves a user's class: loading it needs registration or custom_objects
    with pytest.raises(ValueError, match="Class 'Scale' of module 'test_save_load' is refused"):
        rk.load_model(path)
    np.testing.assert_array_equal(rk.load_model(path, custom_objects={"Scale": Scale}).predict(x), m.predict(x))
    rk.register_keras_serializable(Scale, package="MyPkg")
    m.save(path, overwrite=True)
    assert rk.serialize_keras_object(m.layers[-1])["registered_name"] == "MyPkg>Scale"
    np.testing.assert_array_equal(rk.load_model(path).predict(x), m.predict(x))
    del rk.saving.registry._CUSTOM["MyPkg>Scale"]
    with pytest.raises(ValueError, match="Class 'Scale' of module 'test_save_load' is refused"):
        rk.load_model(path)
    assert type(rk.load_model(path, custom_objects={"MyPkg>Scale": Scale}).layers[-1]) is Scale
    with pytest.raises(TypeError, match="register_keras_serializable"):
        rk.serialize_keras_object(lambda x: x)  # code is never written to a file


def test_overwrite_and_atomic_save(tmp_path, monkeypatch):
    m = rk.keras_model_sequential(input_shape=(3,)) | rk.layer_dense(units=2)
    path = str(tmp_path / "a.keras")
    m.save(path)
    with open(path, "rb") as f:
        original = f.read()
    with pytest.raises(FileExistsError, match="overwrite = TRUE"):
        rk.save_model(m, path)
    with pytest.raises(ValueError, match=r"\.keras"):
        rk.save_model(m, str(tmp_path / "a.h5"))

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("crash mid-save")

    monkeypatch.setattr(keras_file.json, "dumps", crash)
    with pytest.raises(KeyboardInterrupt):
        rk.save_model(m, path, overwrite=True)
    with open(path, "rb") as f:
        assert f.read() == original  # the previous file is intact
    assert os.listdir(tmp_path) == ["a.keras"]  # and no temporary file is left behind


def test_model_checkpoint_best_only(tmp_path):
    rk.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    m = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=1)
    m | rk.compile(optimizer=rk.optimizer_sgd(learning_rate=0.05), loss="mse")
    pattern = str(tmp_path / "ep{epoch:02d}.keras")
    best = str(tmp_path / "best.weights.h5")
    cbs = [rk.callback_model_checkpoint(pattern, save_best_only=False),
           rk.callback_model_checkpoint(best, monitor="loss", save_best_only=True, save_weights_only=True)]
    m.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=cbs)
    assert sorted(os.listdir(tmp_path)) == ["best.weights.h5", "ep01.keras", "ep02.keras", "ep03.keras"]
    np.testing.assert_array_equal(rk.load_model(pattern.format(epoch=3)).get_weights()[0], m.get_weights()[0])
    with pytest.raises(ValueError, match="weights.h5"):
        rk.callback_model_checkpoint(str(tmp_path / "x.keras"), save_weights_only=True)


def test_model_checkpoint_every_n_batches_and_threshold(tmp_path):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    m = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=1)
    m | rk.compile(optimizer="sgd", loss="mse")
    every = rk.callback_model_checkpoint(str(tmp_path / "b{epoch}-{batch}.weights.h5"), save_weights_only=True,
                                         save_freq=3)
    never = rk.callback_model_checkpoint(str(tmp_path / "never.keras"), monitor="loss", save_best_only=True,
                                         initial_value_threshold=0.0)
    m.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[every, never])
    # 8 batches: saves after the 3rd (epoch 1, batch 3) and the 6th (epoch 2, batch 2)
    assert sorted(os.listdir(tmp_path)) == ["b1-3.weights.h5", "b2-2.weights.h5"]
    with pytest.raises(ValueError, match="save_freq"):
        rk.callback_model_checkpoint(str(tmp_path / "x.keras"), save_freq=0)


def test_backup_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")

    def make():
        rk.set_random_seed(5)
        return rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=1) | rk.compile(
            optimizer="adam", loss="mse")

    backup = tmp_path / "bk"
    m = make()
    m.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False, callbacks=[
        rk.callback_backup_and_restore(str(backup), double_checkpoint=True, delete_checkpoint=False)])
    assert sorted(os.listdir(backup)) == ["latest.backup", "previous.backup"]
    (backup / "latest.backup").write_bytes(b"truncated by a crash")
    resumed = make()
    seen = []
    resumed.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False, callbacks=[
        rk.callback_backup_and_restore(str(backup), double_checkpoint=True),
        rk.callback_lambda(on_epoch_end=lambda epoch, logs: seen.append(epoch))])
    assert len(seen) == 1  # the previous backup (one epoch done) was restored: one epoch left to run
    for a, b in zip(m.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not backup.exists()
    with pytest.raises(ValueError, match="save_freq"):
        rk.callback_backup_and_restore(str(backup), save_freq=10)


def test_user_metric_function_saved_by_name(tmp_path):
    def worst_error(y_true, y_pred):
        return np.max(np.abs(np.asarray(y_true) - np.asarray(y_pred)), axis=-1)

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    m = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=1)
    m | rk.compile(optimizer="sgd", loss="mse", metrics=[worst_error, "mae"])
    path = str(tmp_path / "u.keras")
    m.save(path)
    with pytest.raises(ValueError, match="Unknown function 'worst_error'"):
        rk.load_model(path)
    assert rk.load_model(path, compile=False).count_params() == 5
    loaded = rk.load_model(path, custom_objects={"worst_error": worst_error})
    assert loaded.evaluate(x, y, verbose=0) == m.evaluate(x, y, verbose=0)
    m | rk.compile(optimizer="sgd", loss="mse", metrics=[lambda a, b: a - b])
    with pytest.raises(TypeError, match="lambda"):
        m.save(path, overwrite=True)
