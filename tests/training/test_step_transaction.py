"""A failed or interrupted training step changes nothing (issue 18, the step-level part).

The state of a model is its weights (moving statistics included), the optimizer's slots and its
iteration counter; after any failed or interrupted step it must equal, byte for byte, the state of
the last completed step.
"""

import os
import signal
import threading
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rkeras as rk
from rkeras.core.state_transaction import sigint_deferred, state_transaction
from rkeras.core.variable import Variable


# --------------------------------------------------------------------------------------------- helpers
def _conv_bn_dense(optimizer="adam", loss="sparse_categorical_crossentropy", seed=3):
    rk.set_random_seed(seed)
    model = (rk.keras_model_sequential(input_shape=(6, 6, 2))
             | rk.layer_conv_2d(filters=3, kernel_size=3)
             | rk.layer_batch_normalization()
             | rk.layer_flatten()
             | rk.layer_dense(units=4, activation="softmax"))
    model | rk.compile(optimizer=optimizer, loss=loss)
    return model


def _dense_bn(seed=4, constraint=None, loss="sparse_categorical_crossentropy"):
    rk.set_random_seed(seed)
    model = (rk.keras_model_sequential(input_shape=(5,))
             | rk.layer_dense(units=3, kernel_constraint=constraint)
             | rk.layer_batch_normalization()
             | rk.layer_dense(units=4, activation="softmax"))
    model | rk.compile(optimizer="adam", loss=loss)
    return model


def _state(model):
    """Bytes of every weight, every optimizer slot, and the iteration counter."""
    opt = model._compiled.optimizer
    return ([w.value.tobytes() for w in model.weights], [a.tobytes() for a in opt.variables], opt.iterations)


def _restore(model, state):
    """Put the model back into a recorded state (arrays written in place, as the transaction does)."""
    weights, slots, iterations = state
    for w, b in zip(model.weights, weights):
        w.value[...] = np.frombuffer(b, w.dtype).reshape(w.shape)
    for a, b in zip(model._compiled.optimizer.variables, slots):
        a[...] = np.frombuffer(b, a.dtype).reshape(a.shape)
    model._compiled.optimizer.iterations = iterations


def _data(seed=0, n=16):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6, 6, 2)).astype("float32"), rng.integers(0, 4, n)


# --------------------------------------------------------------------------------------------- interrupts
def test_sigint_at_random_moments_leaves_a_completed_step():
    """200 seeded trials: a real SIGINT (os.kill from a timer thread) lands at a random moment during
    a few training steps; every time it surfaces as KeyboardInterrupt (never as a Numba SystemError)
    and the state equals, byte for byte, that of a completed step (the reference run's snapshot at the
    same iteration count). On the code before issue 18: 159 of 300 trials left a half-updated state."""
    x, y = _data()
    model, reference = _conv_bn_dense(), _conv_bn_dense()
    model.train_on_batch(x, y)  # builds, creates the slots (and compiles)
    reference.set_weights(model.get_weights())
    reference._compiled.optimizer = model._compiled.optimizer.__class__.from_config(
        model._compiled.optimizer.get_config())
    _restore(model, ([w.value.tobytes() for w in model.weights], [], 0))
    model._compiled.optimizer._slots.clear()
    trials, steps_per_trial = 200, 4
    snapshots = {}
    for _ in range(trials * steps_per_trial + 2):
        reference.train_on_batch(x, y)
        snapshots[reference._compiled.optimizer.iterations] = _state(reference)
    start = time.perf_counter()
    for _ in range(10):
        reference.train_on_batch(x, y)
    step = (time.perf_counter() - start) / 10
    model.train_on_batch(x, y)
    rng = np.random.default_rng(18)
    interrupted = 0
    for trial in range(trials):
        timer = threading.Timer(rng.uniform(0.0, steps_per_trial * step), os.kill, (os.getpid(), signal.SIGINT))
        try:
            timer.start()
            for _ in range(steps_per_trial):
                model.train_on_batch(x, y)
            timer.join()
            time.sleep(0.005)  # the signal, if it comes after the steps, lands here
        except KeyboardInterrupt:
            interrupted += 1
        timer.join()
        state = _state(model)
        assert state == snapshots[state[2]], f"trial {trial}: the state matches no completed step"
    assert interrupted == trials


def test_sigint_during_fit_leaves_a_completed_step():
    """The same through fit() (the verb a user interrupts): 20 trials, SIGINT during an epoch."""
    x, y = _data(n=64)
    model = _conv_bn_dense(optimizer="sgd")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    rng = np.random.default_rng(5)
    for _ in range(20):
        before = _state(model)
        timer = threading.Timer(rng.uniform(0.0, 0.004), os.kill, (os.getpid(), signal.SIGINT))
        try:
            timer.start()
            model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
            timer.join()
            time.sleep(0.005)
        except KeyboardInterrupt:
            pass
        timer.join()
        done = _state(model)[2] - before[2]  # completed steps: replay them on a copy from `before`
        replay = _conv_bn_dense(optimizer="sgd")
        replay.train_on_batch(x[:8], y[:8])
        _restore(replay, before)
        for k in range(done):
            replay.train_on_batch(x[8 * k:8 * k + 8], y[8 * k:8 * k + 8])
        assert _state(model) == _state(replay)


def test_sigint_deferred_raises_after_the_block():
    order = []
    with pytest.raises(KeyboardInterrupt), sigint_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)  # the handler runs here, but only records the signal
        order.append("block finished")
    assert order == ["block finished"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# --------------------------------------------------------------------------------------------- bad inputs
_X = np.random.default_rng(1).normal(size=(8, 5)).astype("float32")


def _malformed_targets():
    n = len(_X)
    return st.one_of(
        st.lists(st.integers(4, 50) | st.integers(-50, -1), min_size=1, max_size=3).map(  # labels out of range
            lambda bad: np.concatenate([np.zeros(n - len(bad), np.int64), bad])),
        st.floats(0.05, 2.95).filter(lambda v: v != round(v)).map(  # not whole numbers
            lambda v: np.array([0, 1, 2, 3, v, 0, 1, 2])),
        st.sampled_from([np.nan, np.inf, -np.inf]).map(lambda v: np.array([0.0, 1, v, 3, 0, 1, 2, 3])),
        st.integers(2, 5).map(lambda k: np.zeros((n, k), np.int64)),  # wrong shape
        st.sampled_from([n - 1, n + 1]).map(lambda m: np.zeros(m, np.int64)),  # wrong number of samples
        st.sampled_from(["U1", "S1", "O"]).map(lambda dt: np.array(list("abcdefgh"), dtype=dt)),  # wrong types
        st.just(np.array([0, 1, None, 3, 0, 1, 2, 3], dtype=object)),
        st.just(np.arange(8) % 4 + 0j),  # complex
        st.just(np.zeros((n, 2, 2))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(y=_malformed_targets(), verb=st.sampled_from(["fit", "train_on_batch"]))
def test_malformed_targets_are_refused_and_change_nothing(y, verb):
    """Malformed labels, shapes and dtypes: a ValueError/TypeError naming `y`/`y_true`, and the weights,
    moving statistics, optimizer slots and iterations byte-identical afterwards."""
    model = _MODEL
    before = _state(model)
    with pytest.raises((ValueError, TypeError), match=r"`(y|y_true)`"):
        if verb == "fit":
            model.fit(_X, y, batch_size=8, epochs=1, verbose=0)
        else:
            model.train_on_batch(_X, y)
    assert _state(model) == before


_MODEL = _dense_bn()
_MODEL.train_on_batch(_X, np.arange(8) % 4)  # slots exist, so their bytes are compared too


def test_bad_labels_at_the_first_step_change_nothing():
    """Before any step the output shapes are not known for sure (a custom layer's compute_output_shape
    may be wrong), so the loss refuses the labels after the forward pass: still nothing changes."""
    model = _dense_bn(seed=6)
    weights = [w.numpy() for w in model.weights]
    with pytest.raises(ValueError, match="`y_true` holds the class index 9"):
        model.train_on_batch(_X, np.full(8, 9))
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(weights, model.weights))
    assert model._compiled.optimizer.iterations == 0 and model._compiled.optimizer.variables == []


@pytest.mark.parametrize("x, error, match", [
    (np.zeros((0, 5), "float32"), ValueError, "at least one sample"),
    (np.array([["a"] * 5] * 8), TypeError, "`inputs`"),
    (np.zeros((8, 6), "float32"), ValueError, r"\(8, 6\)"),
])
def test_malformed_inputs_are_refused_and_change_nothing(x, error, match):
    model = _dense_bn(seed=7)
    model.train_on_batch(_X, np.arange(8) % 4)
    before = _state(model)
    with pytest.raises(error, match=match):
        model.train_on_batch(x, np.zeros(len(x), np.int64))
    assert _state(model) == before


def test_empty_batch_does_not_shrink_moving_variance():
    model = _dense_bn(seed=8)
    model.train_on_batch(_X, np.arange(8) % 4)
    bn = model.layers[1]
    variance = bn.moving_variance.numpy()
    with pytest.raises(ValueError, match="at least one sample"):
        model.train_on_batch(np.zeros((0, 5), "float32"), np.zeros(0, np.int64))
    with pytest.raises(ValueError, match="at least one sample"):
        rk.vjp(model, np.zeros((0, 5), "float32"), np.zeros((0, 4), "float32"))
    with pytest.raises(ValueError, match="at least one sample"):
        bn(np.zeros((0, 3), "float32"), training=True)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), variance)


# --------------------------------------------------------------------------------------------- failures mid-step
def test_a_loss_that_raises_changes_nothing():
    failing = []

    def flaky(y_true, y_pred):
        if failing:
            raise ArithmeticError("the loss failed")
        return np.mean((y_true[:, None] - y_pred) ** 2, axis=-1)

    model = _dense_bn(seed=9, loss=flaky)
    model.train_on_batch(_X[:2], np.arange(2))
    failing.append(True)
    before = _state(model)
    with pytest.raises(ArithmeticError, match="the loss failed"):
        model.train_on_batch(_X, np.arange(8) % 4)
    assert _state(model) == before


def test_a_constraint_that_raises_changes_nothing():
    """The kernel must not be left updated but unconstrained, nor BN's statistics updated."""
    state = {"calls": 0}

    def constraint(w):
        state["calls"] += 1
        if state["calls"] > 1:
            raise FloatingPointError("the constraint failed")
        return np.clip(w, -0.5, 0.5)

    model = _dense_bn(seed=10, constraint=constraint)
    model.train_on_batch(_X, np.arange(8) % 4)
    before = _state(model)
    with pytest.raises(FloatingPointError, match="the constraint failed"):
        model.train_on_batch(_X, np.arange(8) % 4)
    assert _state(model) == before


@pytest.mark.parametrize("upstream, error", [
    (lambda out: np.full(out.shape, "g"), TypeError),
    (lambda out: np.ones((3, 3)), ValueError),
    (lambda out: 1 / 0, ZeroDivisionError),
])
def test_vjp_with_a_bad_upstream_keeps_the_moving_statistics(upstream, error):
    bn = rk.layer_batch_normalization()
    x = np.random.default_rng(2).normal(size=(6, 3)).astype("float32")
    bn(x)
    before = [w.numpy() for w in bn.weights]
    with pytest.raises(error):
        rk.vjp(bn, x, upstream)
    with pytest.raises(TypeError, match="numeric"):
        rk.vjp(bn, x, np.full(x.shape, "g"))
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, bn.weights))
    rk.vjp(bn, x, np.ones_like(x))  # and a good one updates them
    assert not np.array_equal(before[2], bn.moving_mean.numpy())


def test_optimizer_apply_is_one_transaction():
    """A custom loop's optimizer.apply inside an outer transaction commits with it, or not at all."""
    v = Variable(np.ones(3, "float32"), name="w")
    opt = rk.optimizer_adam(learning_rate=0.1)
    with pytest.raises(RuntimeError), state_transaction():
        opt.apply([np.ones(3, "float32")], [v])
        assert opt.iterations == 0 and np.array_equal(v._value, np.ones(3))  # staged only
        np.testing.assert_allclose(v.value, 0.9, rtol=1e-5)  # ... and visible inside the step
        raise RuntimeError
    assert opt.iterations == 0 and opt.variables == [] and np.array_equal(v.numpy(), np.ones(3))
    opt.apply([np.ones(3, "float32")], [v])
    assert opt.iterations == 1
    np.testing.assert_allclose(v.numpy(), 0.9, rtol=1e-5)
    # two updates in one transaction are two steps (t = 2, then 3), as two transactions would be
    a, b = Variable(np.ones(3, "float32"), name="a"), Variable(np.ones(3, "float32"), name="b")
    opt_a, opt_b = rk.optimizer_adam(learning_rate=0.1), rk.optimizer_adam(learning_rate=0.1)
    with state_transaction():
        opt_a.apply([np.full(3, 0.5, "float32")], [a])
        opt_a.apply([np.full(3, 2.0, "float32")], [a])
    opt_b.apply([np.full(3, 0.5, "float32")], [b])
    opt_b.apply([np.full(3, 2.0, "float32")], [b])
    assert opt_a.iterations == opt_b.iterations == 2
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert all(np.array_equal(x, y) for x, y in zip(opt_a.variables, opt_b.variables))


# --------------------------------------------------------------------------------------------- set_weights
@pytest.mark.parametrize("bad, error, match", [
    (lambda ws: ws[:-1] + [np.array(["x"] * ws[-1].size).reshape(ws[-1].shape)], TypeError, r"`weights\[7\]`"),
    (lambda ws: ws[:-1] + [None], TypeError, r"`weights\[7\]`.*None"),
    (lambda ws: ws[:2] + [np.ones(7)] + ws[3:], ValueError, r"`weights\[2\]`.*shape"),
    (lambda ws: ws[:-1], ValueError, "list of 8"),
    (lambda ws: None, TypeError, "list of 8"),
])
def test_set_weights_validates_every_array_before_writing_any(bad, error, match):
    model = _dense_bn(seed=11)
    model.train_on_batch(_X, np.arange(8) % 4)
    before = model.get_weights()
    new = [w + 1 for w in before]
    with pytest.raises(error, match=match):
        model.set_weights(bad(new))
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.set_weights(new)
    assert all(np.array_equal(a, b) for a, b in zip(new, model.get_weights()))


def test_asarray_of_a_variable_is_not_the_live_writable_buffer():
    model = _dense_bn(seed=12)
    model.train_on_batch(_X, np.arange(8) % 4)
    kernel = model.layers[0].kernel
    view = np.asarray(kernel)
    assert not view.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 5.0
    copy = np.array(kernel)
    copy[0, 0] = 5.0
    assert kernel.numpy()[0, 0] != 5.0
    assert kernel.value.flags.writeable  # the kernels' own array stays writable (and typed as such by numba)
