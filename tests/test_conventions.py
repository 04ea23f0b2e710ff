"""rkeras/conventions.py: the converters and checks every module uses (exception types and messages)."""

import math

import numpy as np
import pytest

from rkeras import conventions as cv


def test_integers_and_logicals():
    assert cv.is_int(3) and cv.is_int(np.int64(3)) and not cv.is_int(True) and not cv.is_int(3.0)
    assert cv.as_integer(32.0, "units") == 32 and type(cv.as_integer(np.int32(4), "units")) is int
    with pytest.raises(TypeError, match="`units` must be an integer"):
        cv.as_integer(1.5, "units")
    with pytest.raises(ValueError, match="`units` must be an integer >= 1"):
        cv.as_integer(0, "units", minimum=1)
    assert cv.as_bool(np.bool_(True), "center") is True
    with pytest.raises(TypeError, match="`center` must be TRUE/FALSE"):
        cv.as_bool(1, "center")


def test_seeds():
    assert cv.as_seed(42.0) == 42 and cv.as_seed(np.uint8(7), "s") == 7
    for bad in (True, "1", 1.5, math.inf, None):
        with pytest.raises(TypeError, match="`seed` must be a non-negative integer"):
            cv.as_seed(bad)
    with pytest.raises(ValueError, match="`seed` must be a non-negative integer; received -1"):
        cv.as_seed(-1)


def test_real_numbers():
    assert cv.is_number(np.float32(1)) and not cv.is_number(np.bool_(True)) and not cv.is_number("1")
    assert cv.as_real(2, "gain") == 2.0
    with pytest.raises(ValueError, match="finite"):
        cv.as_real(math.inf, "gain")
    with pytest.raises(ValueError, match="`stddev` must be >= 0"):
        cv.as_real(-1, "stddev", minimum=0.0)
    assert cv.check_real(math.inf, "x") == math.inf
    with pytest.raises(ValueError, match="not NaN"):
        cv.check_real(math.nan, "x")
    with pytest.raises(TypeError, match="`x` must be a number; received True"):
        cv.check_real(True, "x")
    assert cv.check_range(0.0, "beta", 0.0, 1.0, high_open=True) == 0.0
    with pytest.raises(ValueError) as e:
        cv.check_range(1.0, "beta", 0.0, 1.0, high_open=True)
    assert str(e.value) == "`beta` must be a number in [0, 1); received 1.0."
    with pytest.raises(ValueError) as e:
        cv.check_range(0, "rate", low=0.0, low_open=True)
    assert str(e.value) == "`rate` must be a number > 0; received 0."


def test_check_float_names_what_is_accepted():
    positive = (lambda v: v > 0, "a number > 0")
    assert cv.check_float(np.int64(2), "epsilon", *positive) == 2.0
    with pytest.raises(TypeError) as e:
        cv.check_float("1e-3", "epsilon", *positive)
    assert str(e.value) == "`epsilon` must be a number > 0; received '1e-3'."
    for bad in (0.0, -1, math.nan):
        with pytest.raises(ValueError, match=r"`epsilon` must be a number > 0"):
            cv.check_float(bad, "epsilon", *positive)
    with pytest.raises(TypeError, match="`fill_value` must be a number; received None"):
        cv.check_float(None, "fill_value")


def test_choices_presence_and_noise_shapes():
    assert cv.check_choice("nearest", ("nearest", "bilinear"), "interpolation") == "nearest"
    with pytest.raises(ValueError, match="`interpolation` must be one of 'nearest', 'bilinear'; received 'cubic'"):
        cv.check_choice("cubic", ("nearest", "bilinear"), "interpolation")
    with pytest.raises(ValueError, match="`rate` must be given: a number in"):
        cv.require(None, "rate", "a number in [0, 1)")
    assert cv.require(0.0, "rate", "") == 0.0
    assert cv.as_noise_shape(None) is None and cv.as_noise_shape([None, 1.0, 3]) == (None, 1, 3)
    with pytest.raises(TypeError, match="`noise_shape` must be None or a tuple"):
        cv.as_noise_shape(3)
    with pytest.raises(ValueError, match="`noise_shape` must be an integer >= 1"):
        cv.as_noise_shape((None, 0))


def test_check_kwargs_messages():
    cv.check_kwargs({"name": "bn", "dtype": "float32"})
    with pytest.raises(TypeError) as e:
        cv.check_kwargs({"momentun": 0.9}, where="layer_batch_normalization()")
    assert str(e.value).startswith("Unknown keyword argument(s) for layer_batch_normalization(): 'momentun'. "
                                   "Accepted: name, dtype, trainable")
    with pytest.raises(TypeError) as e:
        cv.check_kwargs({"x": 1, "y": 2}, (), "save_model()", what="argument(s)")
    assert str(e.value) == "Unknown argument(s) for save_model(): 'x', 'y'."
    with pytest.raises(TypeError) as e:
        cv.check_kwargs({"z": 1}, (), "adapt()", accepted="object, data")
    assert str(e.value) == "Unknown keyword argument(s) for adapt(): 'z'. Accepted: object, data."
