"""Regularizers: penalties and gradients against hand formulas and finite differences."""

import numpy as np
import pytest

import rkeras as rk
from rkeras import regularizers

W = np.array([[1.0, -2.0, 0.0], [0.5, -0.25, 3.0]])


def numeric_gradient(f, w, h=1e-6):
    """Central differences, written independently of the package's helper."""
    w = np.asarray(w, dtype=np.float64)
    g = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        e = np.zeros_like(w)
        e[idx] = h
        g[idx] = (f(w + e) - f(w - e)) / (2 * h)
    return g


def test_l1_l2_l1l2_values_and_gradients():
    l1 = rk.regularizer_l1(0.3)
    assert l1(W) == pytest.approx(0.3 * 6.75, rel=1e-15)
    np.testing.assert_array_equal(l1.gradient(W), 0.3 * np.array([[1, -1, 0], [1, -1, 1]]))
    l2 = rk.regularizer_l2(0.1)
    assert l2(W) == pytest.approx(0.1 * (1 + 4 + 0.25 + 0.0625 + 9), rel=1e-15)
    np.testing.assert_allclose(l2.gradient(W), 0.2 * W, rtol=1e-15)
    both = rk.regularizer_l1_l2(l1=0.3, l2=0.1)
    assert both(W) == pytest.approx(l1(W) + l2(W), rel=1e-15)
    np.testing.assert_allclose(both.gradient(W), l1.gradient(W) + l2.gradient(W), rtol=1e-15)
    w = W + 0.01  # away from the kink of |w| at 0
    for reg in (l1, l2, both):
        np.testing.assert_allclose(reg.gradient(w), numeric_gradient(reg, w), rtol=1e-6, atol=1e-9)
    assert isinstance(l2(W), float)


def test_defaults_match_keras():
    assert rk.regularizer_l1().get_config() == {"l1": 0.01}
    assert rk.regularizer_l2().get_config() == {"l2": 0.01}
    assert rk.regularizer_l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert rk.regularizer_l1_l2()(W) == 0.0
    assert rk.regularizer_l1(None).l1 == 0.01 and rk.regularizer_l1_l2(None, None).get_config()["l2"] == 0.0


def test_float32_weights_penalty_in_float64_gradient_in_weight_dtype():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(50, 40)).astype(np.float32)
    reg = rk.regularizer_l1_l2(l1=1e-3, l2=1e-2)
    w64 = w.astype(np.float64)
    assert reg(w) == pytest.approx(1e-3 * np.abs(w64).sum() + 1e-2 * (w64**2).sum(), rel=1e-14)
    g = reg.gradient(w)
    assert g.dtype == np.float32 and g.shape == w.shape
    assert reg.gradient(w.astype(np.float16)).dtype == np.float16


def test_strings_use_keras_default_factors():
    assert regularizers.get("l1") == rk.regularizer_l1(0.01)
    assert regularizers.get("L2") == rk.regularizer_l2(0.01)
    assert regularizers.get("l1_l2") == rk.regularizer_l1_l2(0.01, 0.01)
    assert regularizers.get("L1L2") == rk.regularizer_l1_l2(0.01, 0.01)
    assert regularizers.get(None) is None
    reg = rk.regularizer_l2(1e-4)
    assert regularizers.get(reg) is reg
    assert regularizers.get(regularizers.L1) == rk.regularizer_l1()


@pytest.mark.parametrize("reg", [rk.regularizer_l1(0.2), rk.regularizer_l2(1e-4),
                                 rk.regularizer_l1_l2(0.1, 0.2)])
def test_config_round_trip(reg):
    config = regularizers.serialize(reg)
    assert config["class_name"] == type(reg).__name__ and config["config"] == reg.get_config()
    back = regularizers.get(config)
    assert back == reg and back is not reg
    assert type(reg).from_config(reg.get_config()) == reg


def test_plain_callable_is_wrapped_with_finite_difference_gradient():
    def quartic(w):
        return 0.5 * np.sum(np.asarray(w) ** 4)

    reg = regularizers.get(quartic, arg_name="gamma_regularizer")
    assert isinstance(reg, regularizers.CallableRegularizer)
    assert reg(W) == pytest.approx(quartic(W))
    np.testing.assert_allclose(reg.gradient(W), 2 * W**3, rtol=1e-7, atol=1e-8)
    g32 = reg.gradient(W.astype(np.float32))
    assert g32.dtype == np.float32
    big = np.array([1e4, -3e5])  # the step grows with |w|
    np.testing.assert_allclose(reg.gradient(big), 2 * big**3, rtol=1e-6)
    assert regularizers.serialize(reg) is quartic
    assert regularizers.get(regularizers.serialize(reg))(W) == reg(W)


def test_callable_returning_a_non_scalar_is_an_error_naming_the_argument():
    reg = regularizers.get(lambda w: np.abs(w), arg_name="beta_regularizer")
    with pytest.raises(TypeError, match="`beta_regularizer`.*scalar"):
        reg(W)


def test_subclass_without_gradient_gets_finite_differences():
    class Cubic(regularizers.Regularizer):
        def __call__(self, w):
            return float(np.sum(np.asarray(w, dtype=np.float64) ** 3))

    np.testing.assert_allclose(Cubic().gradient(W), 3 * W**2, rtol=1e-7, atol=1e-8)
    assert regularizers.get({"class_name": "Cubic", "config": {}}) == Cubic()


def test_errors_name_the_argument_and_list_accepted_values():
    with pytest.raises(ValueError) as info:
        regularizers.get("l3", arg_name="beta_regularizer")
    for word in ["`beta_regularizer`", "'l3'", "'l1'", "'l2'", "'l1_l2'", "callable f(w)"]:
        assert word in str(info.value)
    with pytest.raises(TypeError, match="`gamma_regularizer`.*'l1_l2'"):
        regularizers.get(3, arg_name="gamma_regularizer")
    with pytest.raises(ValueError, match="`gamma_regularizer`.*`l2`"):
        regularizers.get({"class_name": "L2", "config": {"l2": -1.0}}, arg_name="gamma_regularizer")


@pytest.mark.parametrize("call,exc,word", [
    (lambda: rk.regularizer_l2(-1e-3), ValueError, "`l2`"),
    (lambda: rk.regularizer_l1(-1), ValueError, "`l1`"),
    (lambda: rk.regularizer_l1_l2(l1=0.1, l2=float("inf")), ValueError, "`l2`"),
    (lambda: rk.regularizer_l1(float("nan")), ValueError, "`l1`"),
    (lambda: rk.regularizer_l2("0.1"), TypeError, "`l2`"),
    (lambda: rk.regularizer_l1(True), TypeError, "`l1`"),
])
def test_factor_validation(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
