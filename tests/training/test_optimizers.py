"""Optimizers against independent float64 loops written from the Keras 3 formulas."""

import numpy as np
import pytest

from rkeras.core.variable import Variable
from rkeras.training import optimizers as opt
from rkeras.training.optimizers import (
    SGD,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    optimizer_adam,
    optimizer_adamw,
    optimizer_rmsprop,
    optimizer_sgd,
)

SHAPES = [(3, 4), (5,), (2, 1, 3)]
STEPS = 6


def _grads(seed=0):
    rng = np.random.default_rng(seed)
    return [[rng.normal(0, 1.5, s) for s in SHAPES] for _ in range(STEPS)]


def _init(seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1, s) for s in SHAPES]


def _run(optimizer, dtype="float64", seed=0):
    vs = [Variable(w, name=f"w{i}", dtype=dtype) for i, w in enumerate(_init())]
    arrays = [v.value for v in vs]
    for gs in _grads(seed):
        optimizer.apply([g.astype(dtype) for g in gs], vs)
    assert all(v.value is a for v, a in zip(vs, arrays))  # updated in place
    assert all(v.dtype == np.dtype(dtype) for v in vs)
    assert optimizer.iterations == STEPS
    return [v.numpy() for v in vs]


# --- independent references: one float64 loop per formula ----------------------------------------


def _clip(gs, clipnorm=None, clipvalue=None, global_clipnorm=None):
    if clipnorm:
        return [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in gs]
    if global_clipnorm:
        n = np.sqrt(sum(np.sum(g**2) for g in gs))
        return [g * global_clipnorm / max(n, global_clipnorm) for g in gs]
    if clipvalue:
        return [np.minimum(np.maximum(g, -clipvalue), clipvalue) for g in gs]
    return gs


def ref_sgd(lr=0.01, momentum=0.0, nesterov=False, wd=None, **clip):
    ws, ms = _init(), [np.zeros(s) for s in SHAPES]
    for gs in _grads():
        gs = _clip(gs, **clip)
        for i, g in enumerate(gs):
            if wd:
                ws[i] = ws[i] - ws[i] * wd * lr
            if momentum == 0:
                ws[i] = ws[i] - lr * g
            else:
                ms[i] = momentum * ms[i] - lr * g
                ws[i] = ws[i] + (momentum * ms[i] - lr * g if nesterov else ms[i])
    return ws


def ref_adam(lr=0.001, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None, **clip):
    ws = _init()
    m, v, vhat = ([np.zeros(s) for s in SHAPES] for _ in range(3))
    for step, gs in enumerate(_grads(), start=1):
        gs = _clip(gs, **clip)
        lr_t = lr * np.sqrt(1 - b2**step) / (1 - b1**step)
        for i, g in enumerate(gs):
            if wd:
                ws[i] = ws[i] - ws[i] * wd * lr
            m[i] = m[i] + (g - m[i]) * (1 - b1)
            v[i] = v[i] + (g * g - v[i]) * (1 - b2)
            vhat[i] = np.maximum(vhat[i], v[i])
            denom = np.sqrt(vhat[i] if amsgrad else v[i]) + eps
            ws[i] = ws[i] - lr_t * m[i] / denom
    return ws


def ref_rmsprop(lr=0.001, rho=0.9, momentum=0.0, eps=1e-7, centered=False, wd=None):
    ws = _init()
    v, mg, mom = ([np.zeros(s) for s in SHAPES] for _ in range(3))
    for gs in _grads():
        for i, g in enumerate(gs):
            if wd:
                ws[i] = ws[i] - ws[i] * wd * lr
            v[i] = rho * v[i] + (1 - rho) * g * g
            denom = v[i]
            if centered:
                mg[i] = rho * mg[i] + (1 - rho) * g
                denom = v[i] - mg[i] ** 2
            inc = lr * g / np.sqrt(denom + eps)
            if momentum:
                mom[i] = momentum * mom[i] + inc
                ws[i] = ws[i] - mom[i]
            else:
                ws[i] = ws[i] - inc
    return ws


CASES = [
    (lambda: optimizer_sgd(), lambda: ref_sgd()),
    (lambda: optimizer_sgd(0.05, momentum=0.9), lambda: ref_sgd(0.05, 0.9)),
    (lambda: optimizer_sgd(0.05, momentum=0.8, nesterov=True), lambda: ref_sgd(0.05, 0.8, True)),
    (lambda: optimizer_sgd(0.1, weight_decay=0.01), lambda: ref_sgd(0.1, wd=0.01)),
    (lambda: optimizer_sgd(0.1, clipnorm=0.5), lambda: ref_sgd(0.1, clipnorm=0.5)),
    (lambda: optimizer_sgd(0.1, clipvalue=0.3), lambda: ref_sgd(0.1, clipvalue=0.3)),
    (lambda: optimizer_sgd(0.1, global_clipnorm=1.0), lambda: ref_sgd(0.1, global_clipnorm=1.0)),
    (lambda: optimizer_adam(), lambda: ref_adam()),
    (
        lambda: optimizer_adam(0.01, beta_1=0.5, beta_2=0.9, epsilon=1e-3),
        lambda: ref_adam(0.01, 0.5, 0.9, 1e-3),
    ),
    (lambda: optimizer_adam(0.01, amsgrad=True), lambda: ref_adam(0.01, amsgrad=True)),
    (
        lambda: optimizer_adam(0.01, weight_decay=0.1, clipnorm=1.0),
        lambda: ref_adam(0.01, wd=0.1, clipnorm=1.0),
    ),
    (lambda: optimizer_adamw(), lambda: ref_adam(wd=0.004)),
    (
        lambda: optimizer_adamw(0.01, weight_decay=0.1, amsgrad=True),
        lambda: ref_adam(0.01, wd=0.1, amsgrad=True),
    ),
    (lambda: optimizer_rmsprop(), lambda: ref_rmsprop()),
    (lambda: optimizer_rmsprop(0.01, rho=0.8, momentum=0.5), lambda: ref_rmsprop(0.01, 0.8, 0.5)),
    (lambda: optimizer_rmsprop(0.01, centered=True), lambda: ref_rmsprop(0.01, centered=True)),
    (
        lambda: optimizer_rmsprop(0.01, momentum=0.3, centered=True, weight_decay=0.05),
        lambda: ref_rmsprop(0.01, momentum=0.3, centered=True, wd=0.05),
    ),
]


@pytest.mark.parametrize("make,ref", CASES)
def test_float64_steps_match_reference(make, ref):
    for got, want in zip(_run(make(), "float64"), ref()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("make,ref", CASES)
def test_float32_steps_close_to_reference(make, ref):
    for got, want in zip(_run(make(), "float32"), ref()):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_float16_variable_stays_float16():
    v = Variable(np.ones(4), name="h", dtype="float16")
    optimizer_adam(0.1).apply([np.ones(4, np.float16)], [v])
    assert v.dtype == np.float16
    np.testing.assert_allclose(v.numpy(), 0.9, rtol=1e-3)


def test_slots_lazy_per_variable_and_none_gradients_skipped():
    a, b = Variable(np.zeros(2), name="a"), Variable(np.zeros(3), name="b")
    o = optimizer_adam(0.1)
    assert o.variables == []
    o.apply([np.ones(2), None], [a, b])
    assert len(o.variables) == 2 and o.iterations == 1
    np.testing.assert_array_equal(b.numpy(), 0.0)
    o.apply([np.ones(2), np.ones(3)], [a, b])
    assert len(o.variables) == 4 and o.iterations == 2
    # b's first step is a first Adam step: bias correction makes it -lr * g / (|g| + eps) at t=2
    assert np.all(b.numpy() < 0)
    assert len(optimizer_sgd().variables) == 0
    s = optimizer_sgd()
    s.apply([np.ones(2)], [a])
    assert s.variables == []  # plain SGD keeps no state


def test_learning_rate_property_and_schedule():
    o = optimizer_sgd(0.5)
    assert o.learning_rate == 0.5
    o.learning_rate = 0.25
    v = Variable(np.zeros(1), name="v")
    o.apply([np.ones(1)], [v])
    np.testing.assert_allclose(v.numpy(), [-0.25])
    with pytest.raises(ValueError, match="learning_rate"):
        o.learning_rate = -1
    sched = optimizer_sgd(lambda it: 1.0 / (it + 1))
    w = Variable(np.zeros(1), name="w")
    for _ in range(3):
        sched.apply([np.ones(1)], [w])
    np.testing.assert_allclose(w.numpy(), [-(1 + 1 / 2 + 1 / 3)])
    assert sched.learning_rate == 0.25


def test_exclude_from_weight_decay():
    a, b = Variable(np.ones(2), name="kernel"), Variable(np.ones(2), name="bias")
    o = optimizer_sgd(0.1, weight_decay=0.5)
    o.exclude_from_weight_decay(var_names=["bias"])
    o.apply([np.zeros(2), np.zeros(2)], [a, b])
    np.testing.assert_allclose(a.numpy(), 0.95)
    np.testing.assert_allclose(b.numpy(), 1.0)


def test_get():
    for name, cls in [
        ("sgd", SGD),
        ("SGD", SGD),
        ("adam", Adam),
        ("Adam", Adam),
        ("adamw", AdamW),
        ("AdamW", AdamW),
        ("rmsprop", RMSprop),
        ("RMSprop", RMSprop),
    ]:
        o = opt.get(name)
        assert type(o) is cls and o.iterations == 0
    o = optimizer_adam(0.3)
    assert opt.get(o) is o
    assert isinstance(opt.get(optimizer_rmsprop), RMSprop)
    assert opt.get("sgd") is not opt.get("sgd")
    with pytest.raises(ValueError) as e:
        opt.get("x")
    assert str(e.value) == (
        "Unknown `optimizer`: 'x'. Accepted: 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', "
        "'adamax', 'nadam', 'ftrl', 'lion', 'lamb' or an Optimizer object."
    )
    with pytest.raises(ValueError, match="optimizer"):
        opt.get(3)


def test_keras_defaults_and_config_round_trip():
    assert optimizer_sgd().get_config() == {
        "name": "SGD",
        "learning_rate": 0.01,
        "weight_decay": None,
        "clipnorm": None,
        "global_clipnorm": None,
        "clipvalue": None,
        "momentum": 0.0,
        "nesterov": False,
    }
    c = optimizer_adam().get_config()
    assert (c["learning_rate"], c["beta_1"], c["beta_2"], c["epsilon"], c["amsgrad"], c["name"]) == (
        0.001,
        0.9,
        0.999,
        1e-7,
        False,
        "adam",
    )
    c = optimizer_adamw().get_config()
    assert (c["learning_rate"], c["weight_decay"], c["name"]) == (0.001, 0.004, "adamw")
    c = optimizer_rmsprop().get_config()
    assert (c["learning_rate"], c["rho"], c["momentum"], c["epsilon"], c["centered"], c["name"]) == (
        0.001,
        0.9,
        0.0,
        1e-7,
        False,
        "rmsprop",
    )
    for o in [
        optimizer_sgd(0.2, 0.5, True, clipvalue=1.0),
        optimizer_adam(amsgrad=True, global_clipnorm=2.0),
        optimizer_adamw(weight_decay=0.1),
        optimizer_rmsprop(centered=True, momentum=0.2),
    ]:
        again = type(o).from_config(o.get_config())
        assert type(again) is type(o) and again.get_config() == o.get_config()
        assert isinstance(again, Optimizer)


@pytest.mark.parametrize(
    "call,arg,exc",
    [
        (lambda: optimizer_sgd(learning_rate=0), "learning_rate", ValueError),
        (lambda: optimizer_adam(learning_rate=-0.1), "learning_rate", ValueError),
        (lambda: optimizer_adam(learning_rate="fast"), "learning_rate", TypeError),
        (lambda: optimizer_sgd(momentum=-0.1), "momentum", ValueError),
        (lambda: optimizer_sgd(momentum=1.5), "momentum", ValueError),
        (lambda: optimizer_rmsprop(momentum=-1), "momentum", ValueError),
        (lambda: optimizer_adam(beta_1=1.0), "beta_1", ValueError),
        (lambda: optimizer_adamw(beta_2=-0.5), "beta_2", ValueError),
        (lambda: optimizer_adam(epsilon=-1e-7), "epsilon", ValueError),
        (lambda: optimizer_rmsprop(epsilon=-1), "epsilon", ValueError),
        (lambda: optimizer_rmsprop(rho=1.0), "rho", ValueError),
        (lambda: optimizer_adam(amsgrad="yes"), "amsgrad", TypeError),
        (lambda: optimizer_sgd(nesterov=1), "nesterov", TypeError),
        (lambda: optimizer_rmsprop(centered=None), "centered", TypeError),
        (lambda: optimizer_sgd(weight_decay=-1), "weight_decay", ValueError),
        (lambda: optimizer_adamw(weight_decay=None), "weight_decay", ValueError),
        (lambda: optimizer_sgd(clipnorm=0), "clipnorm", ValueError),
        (lambda: optimizer_sgd(clipvalue=-1), "clipvalue", ValueError),
        (lambda: optimizer_sgd(clipnorm=1, global_clipnorm=1), "global_clipnorm", ValueError),
    ],
)
def test_argument_errors_name_the_argument(call, arg, exc):
    with pytest.raises(exc) as e:
        call()
    assert f"`{arg}`" in str(e.value)


def test_range_error_message_gives_value_and_range():
    with pytest.raises(ValueError) as e:
        optimizer_adam(beta_1=1.2)
    assert str(e.value) == "`beta_1` must be a number in [0, 1); received 1.2."
    with pytest.raises(ValueError) as e:
        optimizer_sgd(learning_rate=0)
    assert str(e.value) == "`learning_rate` must be a number > 0; received 0."


def test_apply_errors():
    v = Variable(np.zeros(3), name="v", path="dense/kernel")
    o = optimizer_sgd()
    with pytest.raises(ValueError, match="same length"):
        o.apply([np.ones(3)], [v, v])
    with pytest.raises(ValueError, match="dense/kernel"):
        o.apply([np.ones(4)], [v])
    assert o.iterations == 0 and np.all(v.numpy() == 0)
