"""`.keras` interop with Keras 3 (JAX backend), both ways, for every layer rkeras has.

rkeras -> Keras: a model built in rkeras, with random weights (moving statistics included), is saved
by rkeras and loaded by `keras.saving.load_model`; predictions must agree. Keras -> rkeras: that
Keras model gets new random weights, is saved by Keras itself and loaded by rkeras. A model built
natively in Keras is loaded too. float32; tolerance relative 1e-5 of the output scale.
"""

import numpy as np
import pytest

import rkeras as rk

keras = pytest.importorskip("keras")


def _randomize(weights, rng):
    # positive values for variances, any for the rest: moving statistics count too
    return [rng.uniform(0.5, 1.5, w.shape).astype(w.dtype) if "variance" in name
            else rng.normal(0, 0.5, w.shape).astype(w.dtype) for name, w in weights]


def _h5_layout(path):
    import io
    import zipfile

    import h5py
    with zipfile.ZipFile(path) as z, h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h5:
        items = []
        h5.visititems(lambda name, obj: items.append((name, getattr(obj, "shape", None), dict(obj.attrs).get("name"))
                                                     if not name.startswith("optimizer") else None))
    return sorted(i for i in items if i is not None)


def _max_rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-12))


def mlp():
    m = rk.keras_model_sequential(input_shape=(6,)) | rk.layer_dense(units=8, activation="relu") \
        | rk.layer_dropout(rate=0.3) | rk.layer_dense(units=3, activation="softmax")
    return m, np.random.default_rng(0).normal(size=(5, 6)).astype("float32")


def conv2d_bn():
    m = rk.keras_model_sequential(input_shape=(8, 8, 2)) | rk.layer_zero_padding_2d(padding=1) \
        | rk.layer_conv_2d(filters=4, kernel_size=3, activation="relu") | rk.layer_batch_normalization() \
        | rk.layer_max_pooling_2d() | rk.layer_average_pooling_2d(pool_size=2) | rk.layer_flatten() \
        | rk.layer_dense(units=2)
    return m, np.random.default_rng(1).normal(size=(3, 8, 8, 2)).astype("float32")


def conv2d_channels_first():
    m = rk.keras_model_sequential(input_shape=(3, 6, 6)) \
        | rk.layer_conv_2d(filters=4, kernel_size=3, data_format="channels_first") \
        | rk.layer_batch_normalization(axis=2) | rk.layer_global_max_pooling_2d(data_format="channels_first") \
        | rk.layer_activation(activation="tanh")
    return m, np.random.default_rng(2).normal(size=(3, 3, 6, 6)).astype("float32")


def conv1d_global():
    m = rk.keras_model_sequential(input_shape=(10, 3)) | rk.layer_conv_1d(filters=4, kernel_size=3, padding="same") \
        | rk.layer_global_average_pooling_1d() | rk.layer_dense(units=2)
    return m, np.random.default_rng(3).normal(size=(4, 10, 3)).astype("float32")


def embedding_masked_bn():
    inp = rk.keras_input((7,), dtype="int32")
    x = rk.layer_embedding(inp, input_dim=12, output_dim=4, mask_zero=True)
    x = rk.layer_batch_normalization(x)
    x = rk.layer_global_average_pooling_1d(x)
    out = rk.layer_dense(x, units=2)
    ids = np.random.default_rng(4).integers(0, 12, size=(5, 7)).astype("int32")
    ids[:, -2:] = 0
    return rk.keras_model(inp, out), ids


def masking_reshape():
    m = rk.keras_model_sequential(input_shape=(4, 3)) | rk.layer_masking(mask_value=0.0) \
        | rk.layer_dense(units=3) | rk.layer_reshape(target_shape=(12,)) | rk.layer_dense(units=2)
    x = np.random.default_rng(5).normal(size=(3, 4, 3)).astype("float32")
    x[:, 1] = 0.0
    return m, x


def merge_functional():
    a, b = rk.keras_input((5,), name="a"), rk.keras_input((5,), name="b")
    d1 = rk.layer_dense(a, units=4)
    d2 = rk.layer_dense(b, units=4)
    s = rk.layer_add([d1, d2])
    p = rk.layer_multiply([d1, s])
    c = rk.layer_concatenate([s, p], axis=2)
    out = rk.layer_dense(c, units=1)
    rng = np.random.default_rng(6)
    return rk.keras_model([a, b], out), [rng.normal(size=(4, 5)).astype("float32") for _ in range(2)]


def nested_sequential():
    inner = rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=3) | rk.layer_batch_normalization()
    inp = rk.keras_input((4,))
    return rk.keras_model(inp, rk.layer_dense(inner(inp), units=2)), \
        np.random.default_rng(7).normal(size=(5, 4)).astype("float32")


def conv_lstm2d():
    m = rk.keras_model_sequential(input_shape=(3, 6, 5, 2)) \
        | rk.layer_conv_lstm_2d(filters=3, kernel_size=3, padding="same", return_sequences=True) \
        | rk.layer_conv_lstm_2d(filters=2, kernel_size=(2, 3), data_format="channels_last") \
        | rk.layer_global_max_pooling_2d()
    return m, np.random.default_rng(8).normal(size=(2, 3, 6, 5, 2)).astype("float32")


def conv3d_transpose():
    m = rk.keras_model_sequential(input_shape=(3, 4, 3, 2)) \
        | rk.layer_conv_3d_transpose(filters=3, kernel_size=2, strides=2, padding="same", activation="relu") \
        | rk.layer_max_pooling_3d(pool_size=2) | rk.layer_zero_padding_3d(padding=1) \
        | rk.layer_conv_3d(filters=2, kernel_size=3) | rk.layer_global_average_pooling_3d()
    return m, np.random.default_rng(9).normal(size=(2, 3, 4, 3, 2)).astype("float32")


MODELS = [mlp, conv2d_bn, conv2d_channels_first, conv1d_global, embedding_masked_bn, masking_reshape,
          merge_functional, nested_sequential, conv_lstm2d, conv3d_transpose]


@pytest.mark.parametrize("build", MODELS, ids=[f.__name__ for f in MODELS])
def test_rkeras_to_keras_and_back(build, tmp_path):
    rk.clear_session()
    model, x = build()
    rng = np.random.default_rng(10)
    model.set_weights(_randomize([(w.name, w.numpy()) for w in model.weights], rng))
    expected = model.predict(x)
    path = str(tmp_path / "rk.keras")
    rk.save_model(model, path)
    kmodel = keras.saving.load_model(path)
    got = np.asarray(kmodel.predict(x, verbose=0))
    assert _max_rel(expected, got) <= 1e-5, ("rkeras -> Keras", build.__name__, _max_rel(expected, got))
    assert [layer.name for layer in kmodel.layers if not isinstance(layer, keras.layers.InputLayer)] == \
        [layer.name for layer in model.layers if not isinstance(layer, rk.core.symbolic.InputLayer)] \
        or build in (merge_functional, nested_sequential)

    # the weights file is laid out as Keras lays it out: same groups, datasets and shapes
    kmodel.save(str(tmp_path / "again.keras"))
    assert _h5_layout(str(tmp_path / "again.keras")) == _h5_layout(path)

    # Keras -> rkeras: new weights set in Keras, file written by Keras itself
    kmodel.set_weights(_randomize([(w.path, np.asarray(w)) for w in kmodel.weights], rng))
    kexpected = np.asarray(kmodel.predict(x, verbose=0))
    kpath = str(tmp_path / "k.keras")
    kmodel.save(kpath)
    back = rk.load_model(kpath)
    got = back.predict(x)
    assert _max_rel(kexpected, got) <= 1e-5, ("Keras -> rkeras", build.__name__, _max_rel(kexpected, got))


def test_native_keras_functional_model_loads(tmp_path):
    inp = keras.Input((4, 4, 2), name="x")
    a = keras.layers.Conv2D(3, 2)(inp)
    b = keras.layers.BatchNormalization()(a)
    c = keras.layers.Flatten()(b)
    d, e = keras.layers.Dense(2)(c), keras.layers.Dense(2)(c)
    k = keras.Model(inp, keras.layers.Add()([d, e]))
    k.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.MeanSquaredError(),
              metrics=["mae", keras.metrics.BinaryAccuracy(threshold=0.4)])
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 4, 4, 2)).astype("float32"), rng.random((8, 2)).astype("float32")
    k.fit(x, y, epochs=2, verbose=0, batch_size=4, shuffle=False)
    k.save(str(tmp_path / "k.keras"))
    m = rk.load_model(str(tmp_path / "k.keras"))
    assert _max_rel(np.asarray(k.predict(x, verbose=0)), m.predict(x)) <= 1e-5
    keras_logs = k.evaluate(x, y, verbose=0, return_dict=True)
    logs = m.evaluate(x, y, verbose=0)
    assert sorted(logs) == sorted(keras_logs) == ["binary_accuracy", "loss", "mae"]
    for key in logs:
        assert abs(logs[key] - keras_logs[key]) <= 1e-5 * max(1.0, abs(keras_logs[key])), key
    # the optimizer state came along, slot by slot in Keras' order (exactly: nothing is recomputed)
    from rkeras.saving.weights_h5 import optimizer_variables
    state = m._compiled.optimizer.get_state(optimizer_variables(m))
    assert len(state) == len(k.optimizer.variables) == 2 + 2 * 8
    assert int(state[0]) == 4
    for mine, theirs in zip(state[1:], k.optimizer.variables[1:]):
        np.testing.assert_array_equal(mine, np.asarray(theirs))


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "sgd_momentum", "rmsprop_centered", "adam_amsgrad"])
def test_keras_optimizer_state_resumes_in_rkeras(optimizer, tmp_path):
    opt = {"adam": lambda: keras.optimizers.Adam(), "rmsprop": lambda: keras.optimizers.RMSprop(),
           "sgd_momentum": lambda: keras.optimizers.SGD(0.1, momentum=0.9),
           "rmsprop_centered": lambda: keras.optimizers.RMSprop(momentum=0.5, centered=True),
           "adam_amsgrad": lambda: keras.optimizers.Adam(amsgrad=True)}[optimizer]()
    rng = np.random.default_rng(1)
    x, y = rng.random((8, 4)).astype("float32"), rng.random((8, 2)).astype("float32")
    k = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)])
    k.compile(optimizer=opt, loss="mse")
    for _ in range(3):
        k.train_on_batch(x, y)
    k.save(str(tmp_path / "k.keras"))
    m = rk.load_model(str(tmp_path / "k.keras"))
    k.train_on_batch(x, y)
    m.train_on_batch(x, y)
    for kw, w in zip(k.get_weights(), m.get_weights()):
        np.testing.assert_allclose(w, np.asarray(kw), rtol=1e-5, atol=1e-7)
    # and back: rkeras' optimizer state loads in Keras
    m.save(str(tmp_path / "m.keras"))
    k2 = keras.saving.load_model(str(tmp_path / "m.keras"))
    assert int(k2.optimizer.iterations) == 4
    for kv, v in zip(k2.optimizer.variables[2:], k.optimizer.variables[2:]):
        np.testing.assert_allclose(np.asarray(kv), np.asarray(v), rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------------------------- attention
def _weight_datasets(path):
    """The weights file's datasets (Keras also writes empty groups for MHA's dropout and softmax sub-layers)."""
    return [item for item in _h5_layout(path) if item[1] is not None]


def mha_cross():
    q, v = rk.keras_input((4, 6)), rk.keras_input((5, 3))
    o = rk.layer_multi_head_attention([q, v], num_heads=2, key_dim=3)  # Keras fails on value_dim != key_dim
    rng = np.random.default_rng(8)
    return rk.keras_model([q, v], rk.layer_dense(o, units=2)), [rng.normal(size=(3, 4, 6)).astype("float32"),
                                                              rng.normal(size=(3, 5, 3)).astype("float32")]


def mha_self_causal_three_inputs():
    q, v, k = rk.keras_input((5, 4)), rk.keras_input((6, 4)), rk.keras_input((6, 3))
    a = rk.layer_multi_head_attention([q, v, k], num_heads=3, key_dim=2, output_shape=(2, 3), use_bias=False)
    x = rk.layer_reshape(a, target_shape=(5, 6))
    s = rk.layer_multi_head_attention(num_heads=2, key_dim=3)(x, use_causal_mask=True)
    rng = np.random.default_rng(9)
    return rk.keras_model([q, v, k], s), [rng.normal(size=(2, 5, 4)).astype("float32"),
                                          rng.normal(size=(2, 6, 4)).astype("float32"),
                                          rng.normal(size=(2, 6, 3)).astype("float32")]


@pytest.mark.parametrize("build", [mha_cross, mha_self_causal_three_inputs], ids=lambda f: f.__name__)
def test_multi_head_attention_round_trips_with_keras(build, tmp_path):
    """MHA's weights live in Keras' EinsumDense sub-layers (`query_dense`, ..., `output_dense`): files written
    by either side load in the other with equal predictions, and the weights sit where Keras puts them."""
    rk.clear_session()
    model, x = build()
    rng = np.random.default_rng(10)
    model.set_weights(_randomize([(w.name, w.numpy()) for w in model.weights], rng))
    expected = model.predict(x)
    path = str(tmp_path / "rk.keras")
    rk.save_model(model, path)
    kmodel = keras.saving.load_model(path)
    got = np.asarray(kmodel.predict(x, verbose=0))
    assert _max_rel(expected, got) <= 1e-5, ("rkeras -> Keras", _max_rel(expected, got))
    kmodel.save(str(tmp_path / "again.keras"))
    layout = _weight_datasets(path)
    assert layout == _weight_datasets(str(tmp_path / "again.keras"))
    assert any(name.endswith("multi_head_attention/query_dense/vars/0") for name, _, _ in layout)

    kmodel.set_weights(_randomize([(w.path, np.asarray(w)) for w in kmodel.weights], rng))
    kexpected = np.asarray(kmodel.predict(x, verbose=0))
    kpath = str(tmp_path / "k.keras")
    kmodel.save(kpath)
    back = rk.load_model(kpath)
    assert _max_rel(kexpected, back.predict(x)) <= 1e-5, ("Keras -> rkeras", _max_rel(kexpected, back.predict(x)))
    # and rkeras writes it again as it read it
    rk.save_model(back, str(tmp_path / "rk2.keras"))
    assert _weight_datasets(str(tmp_path / "rk2.keras")) == layout


def test_native_keras_multi_head_attention_model_loads(tmp_path):
    kq, kv = keras.Input((4, 6)), keras.Input((5, 6))
    out = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=4)(kq, kv, use_causal_mask=True)
    kmodel = keras.Model([kq, kv], keras.layers.Dense(3)(out))
    rng = np.random.default_rng(11)
    kmodel.set_weights(_randomize([(w.path, np.asarray(w)) for w in kmodel.weights], rng))
    x = [rng.normal(size=(3, 4, 6)).astype("float32"), rng.normal(size=(3, 5, 6)).astype("float32")]
    kpath = str(tmp_path / "native.keras")
    kmodel.save(kpath)
    model = rk.load_model(kpath)
    assert _max_rel(np.asarray(kmodel.predict(x, verbose=0)), model.predict(x)) <= 1e-5


def test_multi_head_attention_optimizer_state_resumes_in_rkeras(tmp_path):
    """The optimizer's slots follow Keras' variable order (query, key, value, output), not the file's sorted
    sub-layer paths: a Keras-trained MHA model continues training in rkeras with the same steps. (Momentum,
    not Adam: the key bias's gradient is 0 up to rounding, which Adam's normalization would amplify.)"""
    q, v = keras.Input((4, 6)), keras.Input((5, 6))
    k = keras.Model([q, v], keras.layers.Dense(2)(keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)(q, v)))
    k.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    rng = np.random.default_rng(12)
    x = [rng.normal(size=(8, 4, 6)).astype("float32"), rng.normal(size=(8, 5, 6)).astype("float32")]
    y = rng.normal(size=(8, 4, 2)).astype("float32")
    for _ in range(3):
        k.train_on_batch(x, y)
    k.save(str(tmp_path / "k.keras"))
    m = rk.load_model(str(tmp_path / "k.keras"))
    k.train_on_batch(x, y)
    m.train_on_batch(x, y)
    for kw, w in zip(k.get_weights(), m.get_weights()):
        np.testing.assert_allclose(w, np.asarray(kw), rtol=1e-4, atol=1e-6)
