"""Parity of the recurrent layers with Keras 3 (on JAX): outputs, states and the gradients of the
inputs and of every weight, float32 relative error <= 1e-5, with masks, go_backwards,
return_sequences, return_state, bidirectional wrappers and stateful layers across batches."""

import jax
import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

from bn_reference import rel_err

import rkeras as rk

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
    r_out2, r_dx, r_dw = rk.vjp(r_layer, x, ups if len(ups) > 1 else ups[0], training=False, mask=mask)
    errors = {}
    for i, (ro, ko) in enumerate(zip(r_out, k_out)):
        errors[f"out{i}"] = rel_err(ro, ko, floor=1.0)
    errors["dx"] = rel_err(r_dx, k_dx, floor=1.0)
    for kv, dw in zip(k_layer.trainable_variables, k_dw):
        rv = next(v for v in r_layer.trainable_weights if v.path.endswith(kv.path.split("/", 1)[1])
                  and v.path.split("/")[-2:] == kv.path.split("/")[-2:])
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


CASES = [
    dict(),
    dict(return_sequences=True),
    dict(return_state=True),
    dict(return_sequences=True, return_state=True, go_backwards=True),
    dict(go_backwards=True),
]


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("masked", [False, True])
def test_recurrent_layers_match_keras(kind, case, masked):
    rng = np.random.default_rng(case)
    x = rng.normal(size=(4, 6, 3)).astype("float32")
    mask = _padded_mask(rng, 4, 6) if masked else None
    k_layer, r_layer = _pair(kind, units=5, **CASES[case])
    _compare(k_layer, r_layer, x, mask)


@pytest.mark.parametrize("options", [
    dict(reset_after=False),
    dict(reset_after=False, go_backwards=True, return_sequences=True),
    dict(use_bias=False, activation="relu", recurrent_activation="hard_sigmoid"),
])
def test_gru_variants_match_keras(options):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    k_layer, r_layer = _pair("gru", units=4, **options)
    _compare(k_layer, r_layer, x, _padded_mask(rng, 3, 5))


@pytest.mark.parametrize("kind,options", [
    ("lstm", dict(use_bias=False, return_sequences=True)),
    ("lstm", dict(activation="relu", unit_forget_bias=False)),
    ("simple", dict(activation="sigmoid", use_bias=False)),
])
def test_activation_and_bias_options_match_keras(kind, options):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    k_layer, r_layer = _pair(kind, units=4, **options)
    _compare(k_layer, r_layer, x)
