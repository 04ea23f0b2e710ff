"""Argument checks shared by the noise layers (rate, stddev, seed), raising before any state exists."""

import numpy as np

from ... import conventions


def number(value, arg_name, low=None, high=None, accepted=""):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"`{arg_name}` must be {accepted or 'a number'}; received {value!r}.")
    value = float(value)
    if (low is not None and not value >= low) or (high is not None and not value <= high):
        raise ValueError(f"`{arg_name}` must be {accepted}; received {value!r}.")
    return value


def required(value, arg_name, accepted):
    if value is None:
        raise ValueError(f"`{arg_name}` must be given: {accepted}; received None.")
    return value


def seed(value):
    return None if value is None else conventions.as_integer(value, "seed", minimum=0)
