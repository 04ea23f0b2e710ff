"""The recurrent layers through the shared harness (build, shapes, symbolic and model calls, config
round trip, float16, gradients against finite differences in float64), masks, return_state,
dropout, stateful layers and bad arguments."""

import numpy as np
import pytest
from layer_harness import assert_close_grad, numeric_grad, run_layer_test

import rkeras as rk
from rkeras.layers.rnn.bidirectional import Bidirectional
from rkeras.layers.rnn.gru import GRU
from rkeras.layers.rnn.lstm import LSTM
from rkeras.layers.rnn.rnn import RNN
from rkeras.layers.rnn.simple_rnn import SimpleRNN
from rkeras.layers.rnn.time_distributed import TimeDistributed

LAYERS = {"simple": SimpleRNN, "lstm": LSTM, "gru": GRU}


def _mask(batch=2, steps=4):
    mask = np.ones((batch, steps), dtype=bool)
    mask[0, 3:] = False
    mask[1, 0] = False
    return mask


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_layers_through_the_harness_with_masks(kind):
    run_layer_test(LAYERS[kind], (2, 4, 3), init_kwargs={"units": 3, "return_sequences": True},
                   expected_output_shape=(2, 4, 3), supports_masking=True, mask=_mask(),
                   expected_num_trainable_weights=3, expected_num_non_trainable_weights=0)


@pytest.mark.parametrize("kind,options", [
    ("lstm", {"go_backwards": True}),
    ("gru", {"reset_after": False, "return_sequences": True, "go_backwards": True}),
    ("simple", {"activation": "relu", "use_bias": False}),
    ("lstm", {"recurrent_activation": "hard_sigmoid", "unit_forget_bias": False}),
])
def test_layer_options_through_the_harness(kind, options):
    run_layer_test(LAYERS[kind], (2, 4, 3), init_kwargs={"units": 3, **options})


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_dropout_gradients_with_the_drawn_masks(kind):
    # random in training: the harness restores the generators, so every evaluation draws the same masks
    run_layer_test(LAYERS[kind], (2, 4, 3), init_kwargs={"units": 3, "dropout": 0.3, "recurrent_dropout": 0.4,
                                                         "seed": 1, "return_sequences": True},
                   forward_only_deterministic=True, check_float16=False)


def test_gru_reset_before_with_recurrent_dropout():
    run_layer_test(GRU, (2, 4, 3), init_kwargs={"units": 3, "reset_after": False, "recurrent_dropout": 0.4,
                                                "seed": 2, "return_sequences": True},
                   forward_only_deterministic=True, check_float16=False, mask=_mask(), supports_masking=True)


def test_dropout_only_in_training():
    x = np.random.default_rng(0).normal(size=(8, 5, 4)).astype("float32")
    layer = rk.layer_lstm(units=3, dropout=0.5, recurrent_dropout=0.5, seed=3)
    y = layer(x)
    np.testing.assert_array_equal(layer(x), y)
    assert np.abs(layer(x, training=True) - y).max() > 1e-3


def test_stacked_cells_through_the_harness():
    def make(dtype=None, **kw):  # the cells hold the weights: they take the layer's dtype
        return RNN(cell=[rk.rnn_cell_lstm(units=3, dtype=dtype), rk.rnn_cell_gru(units=2, dtype=dtype)], dtype=dtype,
                   **kw)

    run_layer_test(make,
                   (2, 4, 3), init_kwargs={"return_sequences": True}, mask=_mask(), supports_masking=True,
                   expected_output_shape=(2, 4, 2), expected_num_trainable_weights=6)


@pytest.mark.parametrize("merge_mode", ["concat", "mul"])
def test_bidirectional_through_the_harness(merge_mode):  # merge_mode None: see test_bidirectional_list_outputs
    run_layer_test(lambda **kw: Bidirectional(layer=GRU(units=2, return_sequences=True), merge_mode=merge_mode, **kw),
                   (2, 4, 3), mask=_mask(), supports_masking=True, expected_num_trainable_weights=6)


def test_time_distributed_through_the_harness():
    run_layer_test(lambda **kw: TimeDistributed(layer=rk.layer_dense(units=2, activation="tanh"), **kw),
                   (2, 4, 3), expected_output_shape=(2, 4, 2), mask=_mask(), supports_masking=True)


def test_time_distributed_of_a_convolution():
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 5, 1)).astype("float32")
    y = rk.layer_time_distributed(x, layer=rk.layer_conv_2d(filters=2, kernel_size=3))
    assert y.shape == (2, 3, 3, 3, 2)


# --------------------------------------------------------------------------------------------- list outputs
def _fd_check(layer, x, mask=None, seed=0):
    """vjp() against finite differences in float64 for a layer with one or several outputs."""
    rng = np.random.default_rng(seed)
    layer(x)
    for v in layer.trainable_weights:
        v.assign(v.value + rng.normal(scale=0.5, size=v.shape))
    outs = layer(x, mask=mask)
    ups = [rng.normal(size=o.shape) for o in (outs if isinstance(outs, list) else [outs])]

    def loss():
        o = layer.forward(x, mask=mask)[0]
        return sum(np.sum(a * u) for a, u in zip(o if isinstance(o, list) else [o], ups))

    _, dx, dw = rk.vjp(layer, x, ups if len(ups) > 1 else ups[0], training=False, mask=mask)
    assert_close_grad(dx, numeric_grad(loss, x), 1e-6, "input gradient")
    for v in layer.trainable_weights:
        assert_close_grad(dw[v.path], numeric_grad(loss, v.value), 1e-6, v.path)


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_return_state_gradients_with_mask(kind, return_sequences):
    x = np.random.default_rng(1).normal(size=(2, 4, 3))
    layer = LAYERS[kind](units=3, return_state=True, return_sequences=return_sequences, dtype="float64")
    out = layer(x, mask=_mask())
    assert isinstance(out, list) and len(out) == 1 + len(layer.state_size)
    _fd_check(layer, x, _mask())


def test_bidirectional_list_outputs_gradients():
    x = np.random.default_rng(2).normal(size=(2, 4, 3))
    layer = Bidirectional(layer=LSTM(units=2, return_sequences=True, return_state=True, dtype="float64"),
                          merge_mode=None, dtype="float64")
    out = layer(x, mask=_mask())
    assert [o.shape for o in out] == [(2, 4, 2), (2, 4, 2)] + [(2, 2)] * 4
    _fd_check(layer, x, _mask())


def test_masked_steps_keep_the_state_and_repeat_the_output():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0, 1], [1, 1, 1, 1, 1]], dtype=bool)
    layer = rk.layer_lstm(units=4, return_sequences=True, return_state=True)
    seq, h, c = layer(x, mask=mask)
    np.testing.assert_array_equal(seq[0, 2], seq[0, 1])
    np.testing.assert_array_equal(seq[0, 3], seq[0, 1])
    # skipping the masked steps is the same as removing them
    _seq2, h2, c2 = layer(x[:1, [0, 1, 4]])
    np.testing.assert_allclose(h[0], h2[0], rtol=1e-6)
    np.testing.assert_allclose(c[0], c2[0], rtol=1e-6)
    zeroed = rk.layer_rnn(cell=rk.rnn_cell_lstm(units=4), return_sequences=True, zero_output_for_mask=True)
    zeroed(x)
    zeroed.set_weights(layer.get_weights())
    z = zeroed(x, mask=mask)
    assert np.all(z[0, 2:4] == 0)
    np.testing.assert_allclose(z[0, 4], seq[0, 4], rtol=1e-6)


def test_stateful_states_carry_and_reset():
    rng = np.random.default_rng(4)
    x1, x2 = rng.normal(size=(2, 2, 3, 2)).astype("float32")
    layer = rk.layer_gru(units=3, stateful=True)
    y1 = layer(x1)
    y_cont = layer(np.concatenate([x1, x2], axis=1)[:, 3:])  # second half, from the first half's state
    fresh = rk.layer_gru(units=3)
    fresh(x1)
    fresh.set_weights(layer.get_weights())
    np.testing.assert_allclose(y_cont, fresh(np.concatenate([x1, x2], axis=1)), rtol=1e-5, atol=1e-6)
    layer.reset_state()
    np.testing.assert_allclose(layer(x1), y1, rtol=1e-6)


def test_weights_as_keras():
    rk.clear_session()
    layer = rk.layer_gru(units=4, reset_after=False)
    layer(np.zeros((1, 2, 3), dtype="float32"))
    assert [(w.path, w.shape) for w in layer.weights] == [
        ("gru/gru_cell/kernel", (3, 12)), ("gru/gru_cell/recurrent_kernel", (4, 12)), ("gru/gru_cell/bias", (12,))]
    lstm = rk.layer_lstm(units=2)
    lstm(np.zeros((1, 2, 3), dtype="float32"))
    np.testing.assert_array_equal(lstm.weights[2].numpy(), [0, 0, 1, 1, 0, 0, 0, 0])  # unit_forget_bias
    r = lstm.weights[1].numpy()
    np.testing.assert_allclose(r @ r.T, np.eye(2), atol=1e-6)  # orthogonal recurrent kernel


def test_symbolic_return_state_and_functional_model():
    inp = rk.keras_input(shape=(None, 3))
    out, h, c = rk.layer_lstm(inp, units=4, return_state=True)
    assert out.shape == (None, 4) and h.shape == (None, 4) and c.shape == (None, 4)
    model = rk.keras_model(inp, [out, c])
    x = np.random.default_rng(5).normal(size=(2, 6, 3)).astype("float32")
    o, cc = model(x)
    assert o.shape == (2, 4) and cc.shape == (2, 4)


def test_sequential_training_reduces_the_loss():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(64, 8, 2)).astype("float32")
    y = x[:, :, 0].sum(axis=1, keepdims=True)
    model = (rk.keras_model_sequential(input_shape=(8, 2)) | rk.layer_gru(units=8) | rk.layer_dense(units=1))
    model | rk.compile(optimizer=rk.optimizer_adam(learning_rate=0.02), loss="mse")
    history = model | rk.fit(x, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("call,match", [
    (lambda: rk.layer_lstm(units=0), "units"),
    (lambda: rk.layer_lstm(units=3, dropout=1.5), "dropout"),
    (lambda: rk.layer_gru(units=3, activation="gelu"), "activation"),
    (lambda: rk.layer_gru(units=3, use_cudnn=True), "use_cudnn"),
    (lambda: rk.layer_simple_rnn(units=3, activity_regularizer="l2"), "activity_regularizer"),
    (lambda: rk.layer_rnn(cell=rk.layer_dense(units=3)), "cell"),
    (lambda: rk.layer_bidirectional(layer=rk.layer_dense(units=3)), "layer"),
    (lambda: rk.layer_bidirectional(layer=rk.layer_lstm(units=3), merge_mode="max"), "merge_mode"),
    (lambda: rk.layer_bidirectional(layer=rk.layer_lstm(units=3), backward_layer=rk.layer_lstm(units=3)),
     "go_backwards"),
    (lambda: rk.layer_time_distributed(layer="dense"), "layer"),
    (lambda: rk.layer_lstm(units=3, foo=1), "foo"),
    (lambda: rk.layer_lstm(np.zeros((2, 3)), units=3), "rank 3"),
    (lambda: rk.layer_lstm(3), "units=3"),
])
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_bad_mask_shape():
    with pytest.raises(ValueError, match="mask"):
        rk.layer_lstm(units=2)(np.zeros((2, 4, 3), dtype="float32"), mask=np.ones((2, 3), dtype=bool))
