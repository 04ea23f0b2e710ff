"""The convolutional LSTM layers (`layer_conv_lstm_1d/2d/3d`).

Keras 3 (JAX) parity on outputs, final states, input and weight gradients (float32, relative error
<= 1e-5) over the layers' options; the shared harness (float64 finite differences of every backward,
with a mask and with dropout); masks (Keras 3's ConvLSTM cannot take one on JAX: its mask broadcast
fails, so masked runs are checked against the same layer on the sequence without the masked steps);
`stateful` states across batches, `go_backwards`, dropout, config and weight names.
"""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from keras_grads import keras_vjp, rel
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

import rkeras as rk
from rkeras.layers.rnn.conv_lstm1d import ConvLSTM1D
from rkeras.layers.rnn.conv_lstm2d import ConvLSTM2D
from rkeras.layers.rnn.conv_lstm3d import ConvLSTM3D
from rkeras.training.vjp import vjp

assert keras.backend.backend() == "jax", "the parity tests drive Keras through its JAX backend"

KERAS = {1: keras.layers.ConvLSTM1D, 2: keras.layers.ConvLSTM2D, 3: keras.layers.ConvLSTM3D}
RKERAS = {1: ConvLSTM1D, 2: ConvLSTM2D, 3: ConvLSTM3D}


def _upstream(shape, rng):
    if isinstance(shape, list):
        return [rng.normal(size=s).astype("float32") for s in shape]
    return rng.normal(size=shape).astype("float32")


PARITY = [  # (rank, input shape, options): few cases, each Keras graph takes seconds to compile
    (2, (2, 3, 5, 4, 2), {"filters": 3, "kernel_size": (3, 2), "return_sequences": True, "return_state": True}),
    (2, (2, 3, 2, 5, 4), {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                          "data_format": "channels_first", "go_backwards": True}),
    (1, (2, 4, 3, 7), {"filters": 3, "kernel_size": 3, "dilation_rate": 2, "padding": "same", "activation": "relu",
                       "recurrent_activation": "hard_sigmoid", "use_bias": False, "unit_forget_bias": False,
                       "data_format": "channels_first", "return_state": True}),
    (3, (2, 3, 4, 4, 3, 2), {"filters": 2, "kernel_size": 2, "padding": "same", "return_sequences": True}),
]


@pytest.mark.parametrize("rank,shape,kw", PARITY)
def test_conv_lstm_keras_parity(rank, shape, kw):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype("float32")
    k_layer, r_layer = KERAS[rank](**kw), RKERAS[rank](**kw)
    k_layer.build(shape)
    r_layer.build(shape)
    assert [v.path for v in k_layer.weights] == [v.path for v in r_layer.weights]
    weights = [0.4 * rng.normal(size=v.shape).astype("float32") for v in k_layer.weights]
    k_layer.set_weights(weights)
    r_layer.set_weights(weights)
    k_config, r_config = k_layer.get_config(), r_layer.get_config()
    assert set(k_config) == set(r_config), set(k_config) ^ set(r_config)
    out_shape = k_layer.compute_output_shape(shape)
    out_shape = [tuple(s) for s in out_shape] if kw.get("return_state") else tuple(out_shape)
    assert r_layer.compute_output_shape(shape) == out_shape
    g = _upstream(out_shape, rng)
    ky, (kdx,), kdw = keras_vjp(k_layer, x, g)
    ry, rdx, rdw = vjp(r_layer, x, g)
    ky, ry = (ky, ry) if isinstance(ry, list) else ([ky], [ry])
    errors = [rel(a, b) for a, b in zip(ry, ky)] + [rel(rdx, kdx)]
    errors += [rel(rdw[v.path], d) for v, d in zip(r_layer.trainable_weights, kdw)]
    assert max(errors) <= 1e-5, errors


@pytest.mark.parametrize("rank,shape,kw", [
    (1, (2, 3, 5, 2), {"filters": 2, "kernel_size": 2, "return_sequences": True}),
    (2, (2, 3, 3, 4, 2), {"filters": 2, "kernel_size": 2, "padding": "same", "go_backwards": True,
                          "return_sequences": True}),
    (3, (2, 3, 2, 3, 2, 1), {"filters": 1, "kernel_size": (1, 2, 2), "return_sequences": True}),
    (2, (2, 3, 3, 4, 2), {"filters": 2, "kernel_size": 2, "strides": (1, 2)}),
])
def test_conv_lstm_harness_with_mask(rank, shape, kw):
    # the harness expects the mask passed on: only with return_sequences (else the output has no steps)
    mask = np.array([[True, True, True], [True, False, True]])
    run_layer_test(RKERAS[rank], shape, init_kwargs=kw, expected_num_trainable_weights=3, supports_masking=True,
                   mask=mask if kw.get("return_sequences") else None)


def test_conv_lstm_harness_with_dropout_in_training():
    run_layer_test(ConvLSTM2D, (2, 3, 4, 3, 2),
                   init_kwargs={"filters": 2, "kernel_size": 2, "dropout": 0.3, "recurrent_dropout": 0.4,
                                "seed": 3, "return_sequences": True, "data_format": "channels_first"},
                   training=True, forward_only_deterministic=True)


def test_conv_lstm_return_state_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 5, 2))
    layer = ConvLSTM1D(filters=2, kernel_size=3, padding="same", return_sequences=True, return_state=True,
                       dtype="float64")
    outs = layer(x, mask=np.array([[1, 0, 1], [1, 1, 1]], bool))
    ups = [rng.normal(size=o.shape) for o in outs]
    mask = np.array([[1, 0, 1], [1, 1, 1]], bool)

    def loss():
        return sum(np.sum(o * u) for o, u in zip(layer(x, mask=mask), ups))

    _, dx, dw = vjp(layer, x, ups, mask=mask)
    assert_close_grad(dx, numeric_grad(loss, x), 1e-7, "input gradient")
    for v in layer.trainable_weights:
        assert_close_grad(dw[v.path], numeric_grad(loss, v.value), 1e-7, v.path)


def test_masked_steps_are_skipped():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 4, 4, 2)).astype("float32")
    mask = np.ones((2, 5), bool)
    mask[0, [1, 3]] = False
    layer = ConvLSTM2D(filters=3, kernel_size=3, padding="same", return_sequences=True)
    y = layer(x, mask=mask)
    alone = layer(x[:1, [0, 2, 4]])
    np.testing.assert_allclose(y[0, [0, 2, 4]], alone[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(y[0, 1], y[0, 0])  # a masked step repeats the previous output
    np.testing.assert_allclose(y[1], layer(x[1:])[0], rtol=1e-5, atol=1e-6)
    last = ConvLSTM2D(filters=3, kernel_size=3, padding="same")
    last.build(x.shape)
    last.set_weights(layer.get_weights())
    np.testing.assert_allclose(last(x, mask=mask)[0], alone[0, -1], rtol=1e-5, atol=1e-6)
    # through a functional model: layer_masking() gives the mask
    inp = rk.keras_input(shape=(5, 4, 4, 2))
    masked = rk.layer_masking(inp, mask_value=0.0)
    model = rk.keras_model(inp, rk.layer_conv_lstm_2d(masked, filters=3, kernel_size=3, padding="same"))
    model.layers[-1].set_weights(layer.get_weights())
    xz = x.copy()
    xz[0, [1, 3]] = 0.0
    np.testing.assert_allclose(model.predict(xz, verbose=0)[0], alone[0, -1], rtol=1e-5, atol=1e-6)


def test_stateful_carries_states_across_batches_and_go_backwards_reverses():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 5, 2)).astype("float32")
    full = ConvLSTM1D(filters=2, kernel_size=3, padding="same", return_sequences=True)
    y = full(x)
    stateful = ConvLSTM1D(filters=2, kernel_size=3, padding="same", return_sequences=True, stateful=True)
    stateful.build(x.shape)
    stateful.set_weights(full.get_weights())
    np.testing.assert_allclose(np.concatenate([stateful(x[:, :3]), stateful(x[:, 3:])], axis=1), y, rtol=1e-5,
                               atol=1e-6)
    stateful.reset_state()
    np.testing.assert_allclose(stateful(x[:, :3]), y[:, :3], rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="stateful"):
        stateful(x[:1, :3])
    backwards = ConvLSTM1D(filters=2, kernel_size=3, padding="same", return_sequences=True, go_backwards=True)
    backwards.build(x.shape)
    backwards.set_weights(full.get_weights())
    np.testing.assert_allclose(backwards(x[:, ::-1]), y, rtol=1e-6, atol=1e-7)


def test_dropout_only_in_training_and_seeded():
    x = np.random.default_rng(4).normal(size=(2, 3, 4, 4, 2)).astype("float32")
    kw = {"filters": 2, "kernel_size": 2, "dropout": 0.5, "recurrent_dropout": 0.5, "seed": 7}
    a, b, plain = ConvLSTM2D(**kw), ConvLSTM2D(**kw), ConvLSTM2D(filters=2, kernel_size=2)
    for layer in (a, b, plain):
        layer.build(x.shape)
    b.set_weights(a.get_weights())
    plain.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(x), plain(x))
    ya = a(x, training=True)
    np.testing.assert_array_equal(ya, b(x, training=True))
    assert not np.allclose(ya, plain(x))


def test_weights_config_and_keras_round_trip():
    layer = rk.layer_conv_lstm_2d(filters=4, kernel_size=(3, 2), name="clstm")
    x = rk.keras_input(shape=(None, 6, 5, 3))
    assert layer(x).shape == (None, 4, 4, 4)
    assert [v.path for v in layer.weights] == ["clstm/conv_lstm_cell/kernel", "clstm/conv_lstm_cell/recurrent_kernel",
                                               "clstm/conv_lstm_cell/bias"]
    assert layer.cell.kernel.shape == (3, 2, 3, 16) and layer.cell.recurrent_kernel.shape == (3, 2, 4, 16)
    np.testing.assert_array_equal(layer.cell.bias.numpy(), np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    assert layer.filters == 4 and layer.kernel_size == (3, 2) and layer.padding == "valid"
    config = layer.get_config()
    again = ConvLSTM2D.from_config(config)
    assert again.get_config() == config
    k_layer = keras.layers.ConvLSTM2D.from_config(config)
    assert k_layer.get_config()["kernel_size"] == (3, 2) and k_layer.filters == 4
    assert rk.layer_conv_lstm_3d(rk.keras_input(shape=(2, 4, 4, 4, 1)), filters=2, kernel_size=3,
                                 return_sequences=True, return_state=True)[0].shape == (None, 2, 2, 2, 2, 2)
    assert rk.layer_conv_lstm_1d(rk.keras_input(shape=(2, 3, 8)), filters=2, kernel_size=3,
                                 data_format="channels_first").shape == (None, 2, 6)


def test_conv_lstm_errors():
    with pytest.raises(ValueError, match="`filters` must be given"):
        rk.layer_conv_lstm_2d(kernel_size=3)
    with pytest.raises(ValueError, match="`kernel_size` must be given"):
        rk.layer_conv_lstm_2d(filters=2)
    with pytest.raises(ValueError, match="`kernel_size` must be an integer or a list of 3"):
        rk.layer_conv_lstm_3d(filters=2, kernel_size=(3, 3))
    with pytest.raises(ValueError, match="not compatible with `dilation_rate`"):
        rk.layer_conv_lstm_1d(filters=2, kernel_size=3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="`recurrent_activation`"):
        rk.layer_conv_lstm_2d(filters=2, kernel_size=3, recurrent_activation="softmax")
    with pytest.raises(ValueError, match="`dropout` must be a number in \\[0, 1\\]"):
        rk.layer_conv_lstm_2d(filters=2, kernel_size=3, dropout=1.5)
    with pytest.raises(ValueError, match="`activity_regularizer` is not supported"):
        rk.layer_conv_lstm_2d(filters=2, kernel_size=3, activity_regularizer="l2")
    with pytest.raises(TypeError, match="layer_conv_lstm_2d"):
        rk.layer_conv_lstm_2d(filters=2, kernel_size=3, units=3)
    with pytest.raises(ValueError, match="rank 5"):
        rk.layer_conv_lstm_2d(np.ones((1, 2, 4, 4)), filters=2, kernel_size=3)
    with pytest.raises(ValueError, match="static spatial shapes"):
        rk.layer_conv_lstm_2d(rk.keras_input(shape=(3, None, 4, 1)), filters=2, kernel_size=3)
    layer = rk.layer_conv_lstm_1d(filters=2, kernel_size=3)
    layer(np.ones((1, 2, 5, 1), "float32"))
    with pytest.raises(ValueError, match="was built for steps"):
        layer(np.ones((1, 2, 6, 1), "float32"))
    with pytest.raises(ValueError, match="too small"):
        rk.layer_conv_lstm_1d(np.ones((1, 2, 2, 1)), filters=2, kernel_size=3)
