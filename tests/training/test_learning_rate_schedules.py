"""Learning-rate schedules give Keras 3's learning rates step by step, also inside an optimizer."""

import keras  # conftest.py selects the JAX backend
import numpy as np
import pytest

import rkeras as rk
from rkeras.core.variable import Variable

S = keras.optimizers.schedules
CASES = [
    ("exponential_decay", S.ExponentialDecay, {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5}),
    ("exponential_decay", S.ExponentialDecay, {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5,
                                                   "staircase": True}),
    ("inverse_time_decay", S.InverseTimeDecay, {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.3,
                                                    "staircase": True}),
    ("piecewise_constant_decay", S.PiecewiseConstantDecay, {"boundaries": [3, 7], "values": [1.0, 0.5, 0.1]}),
    ("polynomial_decay", S.PolynomialDecay, {"initial_learning_rate": 0.1, "decay_steps": 5, "power": 2.0}),
    ("polynomial_decay", S.PolynomialDecay, {"initial_learning_rate": 0.1, "decay_steps": 4, "cycle": True}),
    ("cosine_decay", S.CosineDecay, {"initial_learning_rate": 0.1, "decay_steps": 8, "alpha": 0.1}),
    ("cosine_decay", S.CosineDecay, {"initial_learning_rate": 0.0, "decay_steps": 8, "warmup_target": 0.2,
                                         "warmup_steps": 4}),
    ("cosine_decay_restarts", S.CosineDecayRestarts, {"initial_learning_rate": 0.1, "first_decay_steps": 3,
                                                          "t_mul": 2.0, "m_mul": 0.5, "alpha": 0.05}),
    ("cosine_decay_restarts", S.CosineDecayRestarts, {"initial_learning_rate": 0.1, "first_decay_steps": 3,
                                                          "t_mul": 1.0}),
]


@pytest.mark.parametrize("name,k_cls,kwargs", CASES)
def test_learning_rates_equal_keras(name, k_cls, kwargs):
    r = getattr(rk, f"learning_rate_schedule_{name}")(**kwargs)
    k = k_cls(**kwargs)
    steps = (0, 1, 2, 3, 4, 5, 7, 9, 12, 16, 20, 24)  # across warmups, boundaries, restarts and the end
    expected = np.array([float(k(s)) for s in steps])
    got = np.array([r(s) for s in steps])
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-7), (got, expected)
    assert type(r).from_config(r.get_config()).get_config() == r.get_config()


def test_a_schedule_drives_the_optimizer_as_keras():
    kwargs = {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}
    k_var, r_var = keras.Variable(np.ones(3, "float32")), Variable(np.ones(3, "float32"), name="w")
    k_opt = keras.optimizers.SGD(learning_rate=S.ExponentialDecay(**kwargs))
    r_opt = rk.optimizer_sgd(learning_rate=rk.learning_rate_schedule_exponential_decay(**kwargs))
    for step in range(5):
        g = np.full(3, step + 1.0, "float32")
        k_opt.apply([g], [k_var])
        r_opt.apply([g], [r_var])
        assert np.allclose(r_var.value, np.asarray(k_var.value), rtol=1e-6)
    with pytest.raises(ValueError, match="one more"):
        rk.learning_rate_schedule_piecewise_constant_decay(boundaries=[1, 2], values=[1.0])
