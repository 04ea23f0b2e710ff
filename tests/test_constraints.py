"""Constraints: outputs against hand-computed numpy, R-style axes over the weight's dimensions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rkeras as rk
from rkeras import constraints

EPS = 1e-7
# Column norms: sqrt(9 + 16) = 5, sqrt(0.01 + 0.04) ~ 0.2236, sqrt(1 + 4) ~ 2.236.
W = np.array([[3.0, 0.1, -1.0], [-4.0, 0.2, 2.0]])


def test_nonneg():
    out = rk.constraint_nonneg()(np.array([-1.5, 0.0, 2.0, -0.0], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [0.0, 0.0, 2.0, 0.0])
    assert np.isnan(rk.constraint_nonneg()(np.array([np.nan]))).all()


def test_maxnorm_default_axis_is_each_column_of_a_dense_kernel():
    out = rk.constraint_maxnorm(max_value=2.0)(W)  # R axis = 1 -> numpy axis 0
    col = np.sqrt((W**2).sum(axis=0))
    expected = W * (np.minimum(col, 2.0) / (EPS + col))
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    np.testing.assert_allclose(out[:, 0], [1.2, -1.6], rtol=1e-6)  # norm 5 -> 2
    np.testing.assert_allclose(out[:, 1], W[:, 1], rtol=1e-5)  # already below: (almost) unchanged


def test_maxnorm_axis_2_and_minus_1_are_rows():
    rows = np.sqrt((W**2).sum(axis=1, keepdims=True))
    expected = W * (np.minimum(rows, 1.0) / (EPS + rows))
    np.testing.assert_allclose(rk.constraint_maxnorm(1.0, axis=2)(W), expected, rtol=1e-15)
    np.testing.assert_allclose(rk.constraint_maxnorm(1.0, axis=-1)(W), expected, rtol=1e-15)


def test_list_of_axes_constrains_each_conv_filter():
    k = np.random.default_rng(0).normal(size=(3, 3, 4, 5))
    out = rk.constraint_maxnorm(1.0, axis=[1, 2, 3])(k)
    norms = np.sqrt((out**2).reshape(-1, 5).sum(axis=0))
    np.testing.assert_allclose(norms, 1.0, rtol=1e-6)
    out2 = rk.constraint_unitnorm(axis=[-4, -3, -2])(k)
    np.testing.assert_allclose(out2, out, rtol=1e-12)


def test_minmaxnorm_with_rate():
    out = rk.constraint_minmaxnorm(min_value=0.5, max_value=1.0, rate=0.5)(W)
    col = np.sqrt((W**2).sum(axis=0))
    desired = 0.5 * np.clip(col, 0.5, 1.0) + 0.5 * col
    np.testing.assert_allclose(out, W * desired / (EPS + col), rtol=1e-15)
    strict = rk.constraint_minmaxnorm(min_value=0.5, max_value=1.0)(W)
    np.testing.assert_allclose(np.sqrt((strict**2).sum(axis=0)), [1.0, 0.5, 1.0], rtol=1e-5)


def test_unitnorm():
    out = rk.constraint_unitnorm()(W)
    np.testing.assert_allclose(out, W / (EPS + np.sqrt((W**2).sum(axis=0))), rtol=1e-15)
    gamma = np.array([0.5, -1.5, 2.0], dtype=np.float32)  # a batch-norm weight: rank 1
    out = rk.constraint_unitnorm()(gamma)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, gamma / np.linalg.norm(gamma.astype(np.float64)), rtol=1e-6)


@pytest.mark.parametrize("constraint", [rk.constraint_nonneg(), rk.constraint_maxnorm(1.0),
                                        rk.constraint_minmaxnorm(), rk.constraint_unitnorm()])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_new_array_same_dtype_input_untouched(constraint, dtype):
    w = W.astype(dtype)
    before = w.copy()
    out = constraint(w)
    assert out.dtype == np.dtype(dtype) and out.shape == w.shape and out is not w
    np.testing.assert_array_equal(w, before)


def test_axis_errors():
    with pytest.raises(ValueError, match="`axis` = 0"):
        rk.constraint_maxnorm(axis=0)
    with pytest.raises(ValueError, match="`axis`.*duplicate"):
        rk.constraint_unitnorm(axis=[1, 1])
    with pytest.raises(TypeError, match="`axis`"):
        rk.constraint_minmaxnorm(axis=1.5)
    with pytest.raises(ValueError, match="`axis`"):
        rk.constraint_maxnorm(axis=[])
    with pytest.raises(ValueError, match=r"`axis` = 3 .*shape \(2, 3\).*1\.\.2 or -2\.\.-1"):
        rk.constraint_maxnorm(axis=3)(W)
    with pytest.raises(ValueError, match="`axis`"):
        rk.constraint_unitnorm(axis=-3)(W)
    with pytest.raises(ValueError, match="same dimension"):
        rk.constraint_unitnorm(axis=[1, -2])(W)
    assert rk.constraint_maxnorm(axis=2.0).axis == 2  # R's 2 is a double


@pytest.mark.parametrize("call,exc,word", [
    (lambda: rk.constraint_maxnorm(max_value=-1), ValueError, "`max_value`"),
    (lambda: rk.constraint_maxnorm(max_value="2"), TypeError, "`max_value`"),
    (lambda: rk.constraint_minmaxnorm(min_value=2.0, max_value=1.0), ValueError, "`max_value`"),
    (lambda: rk.constraint_minmaxnorm(rate=1.5), ValueError, "`rate`"),
    (lambda: rk.constraint_minmaxnorm(min_value=-0.1), ValueError, "`min_value`"),
])
def test_value_validation(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


@pytest.mark.parametrize("name,cls", [
    ("non_neg", constraints.NonNeg), ("nonneg", constraints.NonNeg), ("NonNeg", constraints.NonNeg),
    ("max_norm", constraints.MaxNorm), ("maxnorm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
    ("min_max_norm", constraints.MinMaxNorm), ("MinMaxNorm", constraints.MinMaxNorm),
    ("unit_norm", constraints.UnitNorm), ("unitnorm", constraints.UnitNorm),
    ("UNIT_NORM", constraints.UnitNorm),
])
def test_get_by_name(name, cls):
    assert constraints.get(name) == cls()


@pytest.mark.parametrize("constraint", [rk.constraint_nonneg(), rk.constraint_maxnorm(3, axis=[1, 2]),
                                        rk.constraint_minmaxnorm(0.1, 2.0, 0.5, axis=-1),
                                        rk.constraint_unitnorm(2)])
def test_config_round_trip(constraint):
    config = constraints.serialize(constraint)
    assert config == {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    back = constraints.get(config)
    assert back == constraint and back is not constraint
    np.testing.assert_array_equal(back(W), constraint(W))


def test_get_other_identifiers():
    assert constraints.get(None) is None
    c = rk.constraint_maxnorm(1.0)
    assert constraints.get(c) is c
    assert constraints.get(constraints.UnitNorm) == rk.constraint_unitnorm()

    def clip(w):
        return np.clip(w, -1, 1)

    assert constraints.get(clip) is clip and constraints.serialize(clip) is clip
    assert constraints.serialize(None) is None
    assert rk.constraint_maxnorm(1, axis=[1, 2]).get_config() == {"max_value": 1.0, "axis": [1, 2]}


def test_errors_name_the_argument_and_list_accepted_values():
    with pytest.raises(ValueError) as info:
        constraints.get("positive", arg_name="gamma_constraint")
    for word in ["`gamma_constraint`", "'positive'", "'non_neg'", "'max_norm'", "'min_max_norm'",
                 "'unit_norm'", "callable f(w)"]:
        assert word in str(info.value)
    with pytest.raises(TypeError, match="`beta_constraint`.*'non_neg'"):
        constraints.get(2.0, arg_name="beta_constraint")
    with pytest.raises(ValueError, match="`beta_constraint`.*`axis`"):
        constraints.get({"class_name": "MaxNorm", "config": {"axis": 0}}, arg_name="beta_constraint")


@settings(max_examples=30, deadline=None)
@given(w=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-1e3, 1e3)),
       max_value=st.floats(0.1, 10.0))
def test_maxnorm_never_exceeds_max_value_and_keeps_directions(w, max_value):
    out = rk.constraint_maxnorm(max_value, axis=1)(w)
    norms = np.sqrt((out**2).sum(axis=0))
    assert (norms <= max_value * (1 + 1e-12)).all()
    assert (np.sign(out) * np.sign(w) >= 0).all()
