"""Parity of the recurrent layers with Keras 3 (on JAX): outputs, states and the gradients of the
inputs and of every weight, float32 relative error <= 1e-5, with masks, go_backwards,
return_sequences, return_state, bidirectional wrappers and stateful layers across batches."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest
from numerics import rel_err

import rkeras as rk
from rkeras.kernels import blas_threads
from rkeras.layers.rnn import gru_cell, lstm_cell

TOL = 1e-5


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _keras_vjp(layer, x, ups, mask=None):
    """Keras forward (inference mode) and gradients of sum(out_i * up_i) w.r.t. x and the weights."""
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def f(tv, x):
        kwargs = {} if mask is None else {"mask": mask}
        out, new_ntv = layer.stateless_call(tv, ntv, x, training=False, **kwargs)
        outs = _as_list(out)
        return sum((o * u).sum() for o, u in zip(outs, ups)), (outs, new_ntv)

    with jax.disable_jit():  # op by op: compiling the scan of every configuration would cost far more
        (_, (outs, new_ntv)), (dtv, dx) = jax.value_and_grad(f, argnums=(0, 1), has_aux=True)(tv, x)
    for var, value in zip(layer.non_trainable_variables, new_ntv):
        var.assign(value)
    return [np.asarray(o) for o in outs], np.asarray(dx), [np.asarray(d) for d in dtv]


def _compare(k_layer, r_layer, x, mask=None, seed=1):
    rng = np.random.default_rng(seed)
    k_layer.build(x.shape)
    r_layer.build(x.shape)
    assert [tuple(w.shape) for w in k_layer.weights] == [w.shape for w in r_layer.weights]
    # random weights (the bias too) so that every gate is exercised
    values = [rng.normal(scale=0.4, size=w.shape).astype("float32") for w in r_layer.weights]
    r_layer.set_weights(values)
    k_layer.set_weights(values)
    r_out = _as_list(r_layer(x, mask=mask))
    ups = [rng.normal(size=o.shape).astype("float32") for o in r_out]
    k_out, k_dx, k_dw = _keras_vjp(k_layer, x, ups, mask)
    _r_out2, r_dx, r_dw = rk.vjp(r_layer, x, ups if len(ups) > 1 else ups[0], training=False, mask=mask)
    errors = {}
    for i, (ro, ko) in enumerate(zip(r_out, k_out)):
        errors[f"out{i}"] = rel_err(ro, ko, floor=1.0)
    errors["dx"] = rel_err(r_dx, k_dx, floor=1.0)
    r_vars = r_layer.trainable_weights
    assert len(r_vars) == len(k_dw)
    for kv, rv, dw in zip(k_layer.trainable_variables, r_vars, k_dw):  # both in creation order
        assert kv.path.split("/")[-1] == rv.path.split("/")[-1] and tuple(kv.shape) == rv.shape
        errors[rv.path] = rel_err(r_dw[rv.path], dw, floor=1.0)
    bad = {k: v for k, v in errors.items() if not v <= TOL}
    assert not bad, f"relative errors above {TOL}: {bad}"
    return errors


def _pair(kind, **kw):
    k_cls = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    r_fn = {"simple": rk.layer_simple_rnn, "lstm": rk.layer_lstm, "gru": rk.layer_gru}[kind]
    return k_cls(**kw), r_fn(**kw)


def _padded_mask(rng, batch, steps):
    lengths = rng.integers(1, steps + 1, size=batch)
    lengths[0] = steps
    mask = np.arange(steps)[None, :] < lengths[:, None]
    mask[1, 0] = False  # a masked step before unmasked ones, too
    return mask


CASES = [  # (layer options, masked)
    ({}, True),
    ({"return_sequences": True, "return_state": True, "go_backwards": True}, True),
    ({"return_state": True}, False),
]


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_recurrent_layers_match_keras(kind, case):
    rng = np.random.default_rng(case)
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    options, masked = CASES[case]
    mask = _padded_mask(rng, 4, 6) if masked else None
    k_layer, r_layer = _pair(kind, units=5, **options)
    _compare(k_layer, r_layer, x, mask)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("path", ["compiled loop, batch split over 2 threads", "python step loop"])
@pytest.mark.parametrize("options", [{"return_sequences": True, "return_state": True}, {"go_backwards": True}])
def test_both_time_loops_match_keras_on_a_larger_masked_batch(kind, path, options, monkeypatch):
    """The LSTM's and GRU's compiled time loops (BLAS products inside, the batch split over threads:
    forced to two here, whatever the machine's CPU count) and their Python step loops (the fallback
    without numpy's OpenBLAS, and the recurrent-dropout path) all equal Keras, masked steps included."""
    module = lstm_cell if kind == "lstm" else gru_cell
    if path.startswith("compiled"):
        monkeypatch.setattr(blas_threads, "_cpu_budget", lambda: 2)
        assert len(blas_threads.batch_ranges(40)) == 2
        assert module.blas.available()
    else:
        monkeypatch.setattr(module.blas, "available", lambda: False)
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 6, 3)).astype("float32")
    _compare(*_pair(kind, units=5, **options), x, _padded_mask(rng, 40, 6))


@pytest.mark.parametrize("options", [
    {"reset_after": False, "go_backwards": True, "return_sequences": True},
    {"use_bias": False, "activation": "relu", "recurrent_activation": "hard_sigmoid"},
])
def test_gru_variants_match_keras(options):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    k_layer, r_layer = _pair("gru", units=4, **options)
    _compare(k_layer, r_layer, x, _padded_mask(rng, 3, 5))


@pytest.mark.parametrize("kind,options", [
    ("lstm", {"use_bias": False, "return_sequences": True}),
    ("lstm", {"activation": "relu", "unit_forget_bias": False}),
    ("simple", {"activation": "sigmoid", "use_bias": False}),
])
def test_activation_and_bias_options_match_keras(kind, options):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    k_layer, r_layer = _pair(kind, units=4, **options)
    _compare(k_layer, r_layer, x)


@pytest.mark.parametrize("merge_mode,return_sequences", [("concat", True), ("sum", False), ("mul", True), ("ave", False),
                                                          (None, True)])
def test_bidirectional_matches_keras(merge_mode, return_sequences):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    mask = _padded_mask(rng, 4, 6)
    k_layer = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=return_sequences),
                                         merge_mode=merge_mode)
    r_layer = rk.layer_bidirectional(layer=rk.layer_lstm(units=4, return_sequences=return_sequences),
                                     merge_mode=merge_mode)
    _compare(k_layer, r_layer, x, mask)


def test_bidirectional_return_state_and_backward_layer_match_keras():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    k_layer = keras.layers.Bidirectional(keras.layers.GRU(3, return_state=True, return_sequences=True),
                                         backward_layer=keras.layers.GRU(3, return_state=True, return_sequences=True,
                                                                         go_backwards=True, reset_after=False))
    r_layer = rk.layer_bidirectional(
        layer=rk.layer_gru(units=3, return_state=True, return_sequences=True),
        backward_layer=rk.layer_gru(units=3, return_state=True, return_sequences=True, go_backwards=True,
                                    reset_after=False))
    _compare(k_layer, r_layer, x, _padded_mask(rng, 3, 5))


@pytest.mark.parametrize("cells", ["lstm+gru+simple"])
def test_stacked_cells_match_keras(cells):
    rng = np.random.default_rng(13)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    make = {"lstm": (keras.layers.LSTMCell, rk.rnn_cell_lstm), "gru": (keras.layers.GRUCell, rk.rnn_cell_gru),
            "simple": (keras.layers.SimpleRNNCell, rk.rnn_cell_simple)}
    kinds = cells.split("+")
    k_layer = keras.layers.RNN([make[k][0](3 + i) for i, k in enumerate(kinds)], return_sequences=True)
    r_layer = rk.layer_rnn(cell=[make[k][1](units=3 + i) for i, k in enumerate(kinds)], return_sequences=True)
    _compare(k_layer, r_layer, x, _padded_mask(rng, 3, 5))


def test_time_distributed_dense_matches_keras():
    rng = np.random.default_rng(14)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    k_layer = keras.layers.TimeDistributed(keras.layers.Dense(2, activation="tanh"))
    r_layer = rk.layer_time_distributed(layer=rk.layer_dense(units=2, activation="tanh"))
    _compare(k_layer, r_layer, x)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_stateful_layer_carries_states_across_batches_as_keras(kind):
    rng = np.random.default_rng(15)
    k_layer, r_layer = _pair(kind, units=3, stateful=True, return_sequences=True)
    k_layer.build((2, 4, 3))
    r_layer.build((2, 4, 3))
    values = [rng.normal(scale=0.4, size=w.shape).astype("float32") for w in r_layer.weights]
    r_layer.set_weights(values)
    k_layer.set_weights(values)
    batches = [rng.normal(size=(2, 4, 3)).astype("float32") for _ in range(3)]
    outs_r = [r_layer(b) for b in batches[:2]]
    outs_k = [np.asarray(k_layer(b)) for b in batches[:2]]
    for r, k in zip(outs_r, outs_k):
        assert rel_err(r, k, floor=1.0) <= TOL
    # the second batch starts from the first batch's states: different from a fresh start
    fresh = _pair(kind, units=3, return_sequences=True)[1]
    fresh.build((2, 4, 3))
    fresh.set_weights(values)
    assert rel_err(fresh(batches[1]), outs_r[1], floor=1.0) > 1e-3
    r_layer.reset_state()
    k_layer.reset_state()
    assert rel_err(r_layer(batches[2]), np.asarray(k_layer(batches[2])), floor=1.0) <= TOL
    assert rel_err(r_layer(batches[2]), fresh(batches[2]), floor=1.0) > 1e-3  # state carried again
    with pytest.raises(ValueError, match="batch size"):
        r_layer(batches[0][:1])


def test_embedding_mask_zero_through_sequential_model_matches_keras():
    rng = np.random.default_rng(16)
    tokens = rng.integers(1, 20, size=(4, 7))
    tokens[1, 4:] = 0
    tokens[2, 2:] = 0
    tokens[3, 0] = 0
    k_model = keras.Sequential([keras.Input((7,), dtype="int32"), keras.layers.Embedding(20, 5, mask_zero=True),
                                keras.layers.LSTM(4, return_sequences=True), keras.layers.GRU(3)])
    r_model = (rk.keras_model_sequential(input_shape=(7,), input_dtype="int32")
               | rk.layer_embedding(input_dim=20, output_dim=5, mask_zero=True)
               | rk.layer_lstm(units=4, return_sequences=True) | rk.layer_gru(units=3))
    r_model.set_weights([np.asarray(w) for w in k_model.get_weights()])
    assert rel_err(r_model(tokens), np.asarray(k_model(tokens)), floor=1.0) <= TOL
    x = rng.normal(size=(4, 7, 5)).astype("float32")
    x[1, 4:] = 0
    k2 = keras.Sequential([keras.Input((7, 5)), keras.layers.Masking(), keras.layers.SimpleRNN(3)])
    r2 = rk.keras_model_sequential(input_shape=(7, 5)) | rk.layer_masking() | rk.layer_simple_rnn(units=3)
    r2.set_weights([np.asarray(w) for w in k2.get_weights()])
    assert rel_err(r2(x), np.asarray(k2(x)), floor=1.0) <= TOL
