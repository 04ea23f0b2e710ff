"""The optimizers added for R keras3 (adagrad, adadelta, adamax, nadam, ftrl, lion, lamb, adam_w) against
Keras 3's own, step by step, and their R constructors."""

import inspect

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk
from rkeras.core.variable import Variable

CASES = [
    ("optimizer_adagrad", keras.optimizers.Adagrad, {"learning_rate": 0.1, "initial_accumulator_value": 0.2}),
    ("optimizer_adadelta", keras.optimizers.Adadelta, {"learning_rate": 1.0, "rho": 0.9}),
    ("optimizer_adamax", keras.optimizers.Adamax, {"learning_rate": 0.05}),
    ("optimizer_nadam", keras.optimizers.Nadam, {"learning_rate": 0.05}),
    ("optimizer_ftrl", keras.optimizers.Ftrl, {"learning_rate": 0.1, "l1_regularization_strength": 0.01,
                                               "l2_regularization_strength": 0.02, "beta": 0.1,
                                               "l2_shrinkage_regularization_strength": 0.01}),
    ("optimizer_lion", keras.optimizers.Lion, {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("optimizer_lamb", keras.optimizers.Lamb, {"learning_rate": 0.01}),
    ("optimizer_adam_w", keras.optimizers.AdamW, {"learning_rate": 0.01, "weight_decay": 0.05}),
]


@pytest.mark.parametrize("r_name,k_cls,kwargs", CASES, ids=[c[0] for c in CASES])
def test_matches_keras_step_by_step(r_name, k_cls, kwargs):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(3, 4)).astype("float32")
    k_var = keras.Variable(w0)
    k_opt = k_cls(**kwargs)
    r_var = Variable(w0.copy(), name="w")
    r_opt = getattr(rk, r_name)(**kwargs)
    for _ in range(6):
        g = rng.normal(size=w0.shape).astype("float32")
        k_opt.apply([g], [k_var])
        r_opt.apply([g], [r_var])
        k = np.asarray(k_var.value)
        err = np.max(np.abs(r_var.value - k)) / np.max(np.abs(k))
        assert err <= 1e-5, (r_name, err)
    assert r_opt.iterations == 6


def test_constructors_mirror_keras_defaults_and_names():
    for r_name, k_cls, _ in CASES:
        fn = getattr(rk, r_name)
        k_defaults = {p.name: p.default for p in inspect.signature(k_cls.__init__).parameters.values()}
        for p in inspect.signature(fn).parameters.values():
            assert p.name in k_defaults, (r_name, p.name)
            if p.name != "name":  # R keras3 spells the default name out
                assert p.default == k_defaults[p.name], (r_name, p.name, p.default)
        opt = fn()
        assert type(opt).from_config(opt.get_config()).get_config() == opt.get_config()
    for name in ("adagrad", "adadelta", "adamax", "nadam", "ftrl", "lion", "lamb"):
        m = rk.keras_model_sequential(input_shape=(2,)) | rk.layer_dense(units=1)
        m | rk.compile(optimizer=name, loss="mse")
        assert m._compiled.optimizer.name == name
    with pytest.raises(ValueError, match="beta_1"):
        rk.optimizer_lion(beta_1=0.0)
