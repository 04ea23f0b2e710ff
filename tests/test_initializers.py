"""Initializers and the package-wide random state: values against independent formulas."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rkeras as rk
from rkeras import initializers
from rkeras import random as rk_random

TRUNC = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def test_truncation_constant_is_the_std_of_a_truncated_standard_normal():
    # Var of N(0,1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1).
    a = 2.0
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(a / math.sqrt(2))
    assert math.sqrt(1 - 2 * a * phi / mass) == pytest.approx(TRUNC, rel=1e-12)


@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((3, 4), (3, 4)), ((3, 3, 8, 16), (72, 144)), ((5, 2, 6), (10, 30)),
])
def test_compute_fans(shape, fans):
    assert initializers.compute_fans(shape) == fans


def test_constant_initializers():
    z = rk.initializer_zeros()((2, 3), "float64")
    assert z.dtype == np.float64 and z.shape == (2, 3) and not z.any()
    o = rk.initializer_ones()(4, "float16")
    assert o.dtype == np.float16 and o.shape == (4,) and (o == 1).all()
    c = rk.initializer_constant(0.5)((3,))
    assert c.dtype == np.dtype(rk.config_floatx()) and (c == 0.5).all()
    np.testing.assert_array_equal(rk.initializer_constant([1.0, 2.0])((2, 2), "float32"), [[1, 2], [1, 2]])
    with pytest.raises(ValueError, match="`value`"):
        rk.initializer_constant([1.0, 2.0, 3.0])((2, 2))
    with pytest.raises(TypeError, match="`value`"):
        rk.initializer_constant("a")
    np.testing.assert_array_equal(rk.initializer_identity(2.0)((2, 3), "float64"), 2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="2D"):
        rk.initializer_identity()((2, 2, 2))


def test_default_dtype_follows_floatx():
    try:
        rk.config_set_floatx("float64")
        assert rk.initializer_glorot_uniform(seed=1)((2, 2)).dtype == np.float64
        assert rk.initializer_zeros()((2,)).dtype == np.float64
    finally:
        rk.config_set_floatx("float32")
    assert rk.initializer_he_normal(seed=1)((2, 2)).dtype == np.float32


def _check_uniform(values, limit):
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.99 * limit  # the bound is actually reached, not a smaller one
    assert abs(values.mean()) < 0.02 * limit
    assert values.var() == pytest.approx(limit**2 / 3, rel=0.03)


def _check_truncated(values, target_std):
    stddev = target_std / TRUNC  # before truncation
    assert np.abs(values).max() <= 2 * stddev
    assert np.abs(values).max() > 1.95 * stddev
    assert values.std() == pytest.approx(target_std, rel=0.03)


def test_glorot_uniform_bounds_and_variance():
    w = rk.initializer_glorot_uniform(seed=3)((200, 300), "float64")
    _check_uniform(w, math.sqrt(6 / (200 + 300)))


def test_glorot_normal_is_truncated_with_keras_correction():
    w = rk.initializer_glorot_normal(seed=4)((200, 300), "float64")
    _check_truncated(w, math.sqrt(2 / (200 + 300)))


def test_he_and_lecun_on_a_conv_kernel():
    shape = (3, 3, 16, 64)  # fan_in = 144, fan_out = 576
    _check_uniform(rk.initializer_he_uniform(seed=5)(shape, "float64"), math.sqrt(6 / 144))
    _check_uniform(rk.initializer_lecun_uniform(seed=6)(shape, "float64"), math.sqrt(3 / 144))
    _check_truncated(rk.initializer_he_normal(seed=7)(shape, "float64"), math.sqrt(2 / 144))
    _check_truncated(rk.initializer_lecun_normal(seed=8)(shape, "float64"), math.sqrt(1 / 144))


def test_variance_scaling_modes_and_distributions():
    vs = rk.initializer_variance_scaling
    _check_uniform(vs(2.0, "fan_out", "uniform", seed=1)((300, 200), "float64"), math.sqrt(3 * 2 / 200))
    w = vs(0.5, "fan_avg", "untruncated_normal", seed=2)((200, 300), "float64")
    assert w.std() == pytest.approx(math.sqrt(0.5 / 250), rel=0.03)
    assert np.abs(w).max() > 3 * math.sqrt(0.5 / 250)  # not truncated
    _check_truncated(vs(3.0, "fan_in", "normal", seed=3)((200, 300), "float64"), math.sqrt(3 / 200))
    assert vs(distribution="normal").distribution == "truncated_normal"


def test_random_normal_uniform_truncated():
    w = rk.initializer_random_normal(mean=1.0, stddev=0.5, seed=1)((200, 300), "float64")
    assert w.mean() == pytest.approx(1.0, abs=0.01) and w.std() == pytest.approx(0.5, rel=0.02)
    w = rk.initializer_random_uniform(minval=2.0, maxval=3.0, seed=1)((200, 300), "float64")
    assert w.min() >= 2.0 and w.max() < 3.0 and w.mean() == pytest.approx(2.5, abs=0.01)
    assert w.var() == pytest.approx(1 / 12, rel=0.03)
    w = rk.initializer_truncated_normal(mean=-1.0, stddev=0.1, seed=1)((200, 300), "float64")
    assert np.abs(w + 1.0).max() <= 0.2 and np.abs(w + 1.0).max() > 0.195
    assert w.mean() == pytest.approx(-1.0, abs=0.002) and w.std() == pytest.approx(0.1 * TRUNC, rel=0.02)


def test_defaults_match_keras():
    assert rk.initializer_random_normal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert rk.initializer_random_uniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert rk.initializer_truncated_normal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert rk.initializer_constant().get_config() == {"value": 0}
    assert rk.initializer_variance_scaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None}


def test_orthogonal():
    q = rk.initializer_orthogonal(seed=1)((6, 4), "float64")
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-12)
    q = rk.initializer_orthogonal(gain=2.0, seed=1)((4, 6), "float64")
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(4), atol=1e-12)
    k = rk.initializer_orthogonal(seed=2)((3, 3, 4, 8), "float64").reshape(36, 8)
    np.testing.assert_allclose(k.T @ k, np.eye(8), atol=1e-12)
    with pytest.raises(ValueError, match="rank >= 2"):
        rk.initializer_orthogonal()((5,))


@pytest.mark.parametrize("make", [rk.initializer_random_normal, rk.initializer_random_uniform,
                                  rk.initializer_truncated_normal, rk.initializer_glorot_uniform,
                                  rk.initializer_glorot_normal, rk.initializer_he_normal,
                                  rk.initializer_he_uniform, rk.initializer_lecun_normal,
                                  rk.initializer_lecun_uniform, rk.initializer_orthogonal,
                                  rk.initializer_variance_scaling])
def test_seeded_initializers_repeat_and_cast_from_float64(make):
    init = make(seed=11)
    a, b = init((5, 4), "float32"), init((5, 4), "float32")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, make(seed=12)((5, 4), "float32"))
    np.testing.assert_array_equal(make(seed=11.0)((5, 4), "float32"), a)  # R's 11 is a double
    w64 = init((5, 4), "float64")
    np.testing.assert_array_equal(init((5, 4), "float16"), w64.astype(np.float16))
    np.testing.assert_array_equal(a, w64.astype(np.float32))
    with pytest.raises(TypeError, match="`dtype`"):
        init((2, 2), "int32")


def test_set_random_seed_repeats_unseeded_draws():
    def run():
        init = rk.initializer_glorot_uniform()
        return init((3, 4)), init((3, 4)), rk.initializer_random_normal()((5,)), \
            rk_random.make_generator().permutation(10)

    rk.set_random_seed(123)
    first = run()
    rk.set_random_seed(123)
    second = run()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # unseeded: fresh values on each call
    rk.set_random_seed(124)
    assert not np.array_equal(run()[0], first[0])


def test_random_module():
    rk.set_random_seed(7)
    legacy = np.random.rand(3)
    rk.set_random_seed(7.0)
    np.testing.assert_array_equal(np.random.rand(3), legacy)  # numpy's global state is seeded too
    assert rk_random.global_generator() is rk_random.global_generator()
    np.testing.assert_array_equal(rk_random.make_generator(5).normal(size=3),
                                  np.random.default_rng(5).normal(size=3))
    with pytest.raises(ValueError, match="`seed`"):
        rk.set_random_seed(-1)
    with pytest.raises(TypeError, match="`seed`"):
        rk.set_random_seed(1.5)
    with pytest.raises(TypeError, match="`seed`"):
        rk.set_random_seed("1")


ALL_NAMES = ["zeros", "ones", "constant", "identity", "random_normal", "random_uniform", "truncated_normal",
             "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
             "lecun_uniform", "orthogonal"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_get_by_name_and_config_round_trip(name):
    init = initializers.get(name)
    assert isinstance(init, initializers.Initializer)
    camel = "".join(part.capitalize() for part in name.split("_"))
    assert initializers.get(camel) == init and initializers.get(name.upper()) == init
    config = initializers.serialize(init)
    assert set(config) == {"class_name", "config"} and config["class_name"] == type(init).__name__
    assert initializers.get(config) == init
    assert initializers.get(config) is not init
    out = init((3, 3), "float32")
    assert out.shape == (3, 3) and out.dtype == np.float32


def test_get_other_identifiers():
    assert initializers.get(None) is None
    init = rk.initializer_constant(0.5)
    assert initializers.get(init) is init
    assert initializers.get(initializers.GlorotNormal) == initializers.GlorotNormal()
    assert initializers.get("uniform") == initializers.RandomUniform()
    assert initializers.get("normal") == initializers.RandomNormal()
    assert initializers.get("OrthogonalInitializer") == initializers.Orthogonal()

    def fn(shape, dtype):
        return np.full(shape, 3.0, dtype)

    assert initializers.get(fn) is fn
    assert initializers.serialize(fn) is fn
    assert initializers.serialize(None) is None
    seeded = initializers.get({"class_name": "RandomNormal", "config": {"stddev": 2.0, "seed": 3}})
    np.testing.assert_array_equal(seeded((4,), "float64"), 2.0 * np.random.default_rng(3).standard_normal(4))
    keras_style = {"module": "keras.initializers", "class_name": "Ones", "config": {},
                   "registered_name": None}
    assert initializers.get(keras_style) == initializers.Ones()


def test_user_subclass_round_trip():
    class Halves(initializers.Initializer):
        def __init__(self, factor=0.5):
            self.factor = factor

        def __call__(self, shape, dtype=None):
            return np.full(shape, self.factor, dtype or "float32")

        def get_config(self):
            return {"factor": self.factor}

    config = initializers.serialize(Halves(0.25))
    assert config == {"class_name": "Halves", "config": {"factor": 0.25}}
    assert initializers.get(config) == Halves(0.25)


def test_errors_name_the_argument_and_list_accepted_values():
    with pytest.raises(ValueError) as info:
        initializers.get("zeross", arg_name="gamma_initializer")
    message = str(info.value)
    for word in ["`gamma_initializer`", "'zeross'", "callable f(shape, dtype)", "Did you mean 'zeros'"] + \
            [repr(n) for n in ALL_NAMES]:
        assert word in message
    with pytest.raises(TypeError) as info:
        initializers.get(3, arg_name="beta_initializer")
    assert "`beta_initializer`" in str(info.value) and "3" in str(info.value) and "'ones'" in str(info.value)
    with pytest.raises(ValueError, match="`kernel_initializer`.*'Nope'"):
        initializers.get({"class_name": "Nope", "config": {}}, arg_name="kernel_initializer")
    with pytest.raises(ValueError, match="class_name"):
        initializers.get({"config": {}}, arg_name="kernel_initializer")
    with pytest.raises(TypeError, match="`kernel_initializer`.*'Constant'"):
        initializers.get({"class_name": "Constant", "config": {"valu": 1}}, arg_name="kernel_initializer")
    with pytest.raises(ValueError, match="`kernel_initializer`.*`stddev`"):
        initializers.get({"class_name": "RandomNormal", "config": {"stddev": -1}},
                         arg_name="kernel_initializer")
    with pytest.raises(TypeError, match="`gamma_initializer`"):
        initializers.get(dict, arg_name="gamma_initializer")


@pytest.mark.parametrize("call,exc,word", [
    (lambda: rk.initializer_random_normal(stddev=-0.1), ValueError, "`stddev`"),
    (lambda: rk.initializer_random_normal(mean="a"), TypeError, "`mean`"),
    (lambda: rk.initializer_random_uniform(minval=1.0, maxval=0.0), ValueError, "`maxval`"),
    (lambda: rk.initializer_truncated_normal(stddev=float("nan")), ValueError, "`stddev`"),
    (lambda: rk.initializer_variance_scaling(scale=0), ValueError, "`scale`"),
    (lambda: rk.initializer_variance_scaling(mode="fan"), ValueError, "`mode`"),
    (lambda: rk.initializer_variance_scaling(distribution="cauchy"), ValueError, "`distribution`"),
    (lambda: rk.initializer_glorot_uniform(seed=-1), ValueError, "`seed`"),
    (lambda: rk.initializer_he_normal(seed=0.5), TypeError, "`seed`"),
    (lambda: rk.initializer_zeros()((2, None)), TypeError, "`shape`"),
])
def test_constructor_and_call_errors(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=4), seed=st.integers(0, 2**32))
def test_uniform_families_stay_within_their_limits(shape, seed):
    fan_in, fan_out = initializers.compute_fans(shape)
    for init, limit in [(rk.initializer_glorot_uniform(seed), math.sqrt(6 / (fan_in + fan_out))),
                        (rk.initializer_he_uniform(seed), math.sqrt(6 / fan_in)),
                        (rk.initializer_lecun_uniform(seed), math.sqrt(3 / fan_in)),
                        (rk.initializer_he_normal(seed), 2 * math.sqrt(2 / fan_in) / TRUNC)]:
        w = init(tuple(shape), "float64")
        assert w.shape == tuple(shape) and np.abs(w).max() <= limit
