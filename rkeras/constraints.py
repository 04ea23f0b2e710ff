"""Weight constraints, as R keras3's `constraint_*()` functions (Keras 3 formulas).

A constraint maps a weight `w` to a new array of the same shape and dtype (a projection); the
trainer applies it after each optimizer update. Norms are computed in float64.

`axis` is R style, over the WEIGHT's dimensions (a weight has no batch dimension): `axis = k > 0` is
the k-th dimension counted from 1, a negative axis counts from the end, 0 is an error, and a list of
axes takes the norm over all of them. The default `axis = 1` is Keras' `axis=0`: for a dense kernel
of shape `(input_dim, units)` each unit's incoming weight vector is constrained; for a convolution
kernel `(rows, cols, in_channels, filters)` use `axis = c(1, 2, 3)` (`[1, 2, 3]`) to constrain each
filter.
"""

from numbers import Integral

import numpy as np

from .configurable import Configurable, name_key, resolve_identifier, serialize_object
from .conventions import as_real

__all__ = [
    "constraint_maxnorm", "constraint_minmaxnorm", "constraint_nonneg", "constraint_unitnorm",
]

_EPSILON = 1e-7  # Keras' backend.epsilon(), added to the norms before dividing


def _validate_axis(axis, arg_name: str = "axis"):
    """An R axis (an integer or a list of integers, never 0, no duplicates), as an int or a list."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes:
        raise ValueError(f"`{arg_name}` must be an integer or a non-empty list of integers; "
                         f"received {axis!r}.")
    out = []
    for a in axes:
        if isinstance(a, (float, np.floating)) and float(a).is_integer():
            a = int(a)  # R's `axis = 1` is a double
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (Integral, np.integer)):
            raise TypeError(f"`{arg_name}` must be an integer or a list of integers (R style: 1-based over "
                            f"the weight's dimensions, or negative from the end); received {axis!r}.")
        if a == 0:
            raise ValueError(f"`{arg_name}` = 0 is not a valid R axis: axes count from 1 (the first "
                             f"dimension of the weight) or from -1 (the last); received {axis!r}.")
        out.append(int(a))
    if len(set(out)) != len(out):
        raise ValueError(f"`{arg_name}` has duplicate axes; received {axis!r}.")
    return out if isinstance(axis, (list, tuple)) else out[0]


def _numpy_axes(axis, shape: tuple) -> tuple:
    """R axes over a weight of `shape` -> 0-based numpy axes."""
    rank = len(shape)
    axes = axis if isinstance(axis, list) else [axis]
    out = []
    for a in axes:
        zero_based = a - 1 if a > 0 else rank + a
        if not 0 <= zero_based < rank:
            accepted = f"1..{rank} or -{rank}..-1" if rank else "none (the weight is a scalar)"
            raise ValueError(f"`axis` = {axis!r} is out of range for a weight of shape {shape} "
                             f"(rank {rank}): accepted values are {accepted} (R style, 1-based over the "
                             f"weight's dimensions).")
        out.append(zero_based)
    if len(set(out)) != len(out):
        raise ValueError(f"`axis` = {axis!r} names the same dimension twice for a weight of shape {shape}.")
    return tuple(out)


def _norms(w64: np.ndarray, axis) -> np.ndarray:
    return np.sqrt(np.sum(np.square(w64), axis=_numpy_axes(axis, w64.shape), keepdims=True))


def _output_dtype(w: np.ndarray) -> np.dtype:
    return w.dtype if np.issubdtype(w.dtype, np.floating) else np.dtype(np.float64)


class Constraint(Configurable):
    """Base class of the constraints: `__call__(w)` returns the projected weight as a new array.

    The base constraint is the identity (a copy). `get_config()` returns the constructor arguments and
    `from_config()` rebuilds the constraint. Two constraints are equal when they have the same class
    and configuration.
    """

    def __call__(self, w) -> np.ndarray:
        return np.array(w, copy=True)


class NonNeg(Constraint):
    """Negative weights become 0 (`max(w, 0)`; NaN stays NaN)."""

    def __call__(self, w) -> np.ndarray:
        w = np.asarray(w)
        return np.maximum(w, 0).astype(w.dtype, copy=False)


class MaxNorm(Constraint):
    """Rescale each slice along `axis` whose L2 norm exceeds `max_value` down to `max_value`."""

    def __init__(self, max_value=2, axis=1):
        self.max_value = as_real(max_value, "max_value", minimum=0.0)
        self.axis = _validate_axis(axis)

    def __call__(self, w) -> np.ndarray:
        w = np.asarray(w)
        w64 = w.astype(np.float64)
        norms = _norms(w64, self.axis)
        desired = np.clip(norms, 0.0, self.max_value)
        return (w64 * (desired / (_EPSILON + norms))).astype(_output_dtype(w))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each slice's L2 norm towards `[min_value, max_value]` at `rate` (1 = exactly inside)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=1):
        self.min_value = as_real(min_value, "min_value", minimum=0.0)
        self.max_value = as_real(max_value, "max_value", minimum=0.0)
        if self.max_value < self.min_value:
            raise ValueError(f"`max_value` must be >= `min_value`; received min_value={self.min_value!r}, "
                             f"max_value={self.max_value!r}.")
        self.rate = as_real(rate, "rate", minimum=0.0)
        if self.rate > 1.0:
            raise ValueError(f"`rate` must be in [0, 1]; received {self.rate!r}.")
        self.axis = _validate_axis(axis)

    def __call__(self, w) -> np.ndarray:
        w = np.asarray(w)
        w64 = w.astype(np.float64)
        norms = _norms(w64, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1.0 - self.rate) * norms
        return (w64 * (desired / (_EPSILON + norms))).astype(_output_dtype(w))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class UnitNorm(Constraint):
    """Divide each slice along `axis` by its L2 norm."""

    def __init__(self, axis=1):
        self.axis = _validate_axis(axis)

    def __call__(self, w) -> np.ndarray:
        w = np.asarray(w)
        w64 = w.astype(np.float64)
        return (w64 / (_EPSILON + _norms(w64, self.axis))).astype(_output_dtype(w))

    def get_config(self) -> dict:
        return {"axis": self.axis}


_CLASSES = (NonNeg, MaxNorm, MinMaxNorm, UnitNorm)
_CLASS_BY_KEY = {name_key(c.__name__): c for c in _CLASSES}  # nonneg, maxnorm, minmaxnorm, unitnorm
_ACCEPTED = ("non_neg", "max_norm", "min_max_norm", "unit_norm")
_OBJECT_HINT = "a constraint object or a callable f(w) returning the constrained weight"


def constraint_nonneg() -> NonNeg:
    """Constrains the weights to be non-negative (negative values become 0).

    Returns
    -------
    Constraint
        A callable `f(w)` returning the constrained weight as a new array.
    """
    return NonNeg()


def constraint_maxnorm(max_value=2, axis=1) -> MaxNorm:
    """MaxNorm weight constraint: the weights incident to each hidden unit get a norm <= `max_value`.

    Computes `norms = sqrt(sum(w^2))` over `axis` and returns
    `w * clip(norms, 0, max_value) / (1e-7 + norms)`.

    Parameters
    ----------
    max_value : float
        The maximum norm for the incoming weights (>= 0).
    axis : int or list of int
        Axis or axes along which to compute the weight norms, R style, over the weight's dimensions:
        `k > 0` is the k-th dimension counted from 1, negative values count from the end, 0 is an
        error. The default 1 constrains each unit's incoming weight vector of a dense kernel
        `(input_dim, units)` (Keras' `axis=0`); for a convolution kernel
        `(rows, cols, in_channels, filters)` use `[1, 2, 3]` to constrain each filter.

    Returns
    -------
    Constraint
    """
    return MaxNorm(max_value, axis)


def constraint_minmaxnorm(min_value=0.0, max_value=1.0, rate=1.0, axis=1) -> MinMaxNorm:
    """MinMaxNorm weight constraint: the weights incident to each hidden unit get a norm between a lower
    and an upper bound.

    Computes `norms = sqrt(sum(w^2))` over `axis`, `desired = rate * clip(norms, min_value, max_value)
    + (1 - rate) * norms`, and returns `w * desired / (1e-7 + norms)`.

    Parameters
    ----------
    min_value : float
        The minimum norm for the incoming weights (>= 0).
    max_value : float
        The maximum norm for the incoming weights (>= `min_value`).
    rate : float
        Rate for enforcing the constraint, in [0, 1]: 1 rescales the norms strictly into the interval;
        a smaller rate moves them towards it a little at each step.
    axis : int or list of int
        Axis or axes along which to compute the weight norms, R style, over the weight's dimensions:
        `k > 0` is the k-th dimension counted from 1, negative values count from the end, 0 is an
        error. The default 1 constrains each unit's incoming weight vector of a dense kernel
        `(input_dim, units)` (Keras' `axis=0`); for a convolution kernel
        `(rows, cols, in_channels, filters)` use `[1, 2, 3]` to constrain each filter.

    Returns
    -------
    Constraint
    """
    return MinMaxNorm(min_value, max_value, rate, axis)


def constraint_unitnorm(axis=1) -> UnitNorm:
    """Constrains the weights incident to each hidden unit to have unit norm: `w / (1e-7 + norms)`.

    Parameters
    ----------
    axis : int or list of int
        Axis or axes along which to compute the weight norms, R style, over the weight's dimensions:
        `k > 0` is the k-th dimension counted from 1, negative values count from the end, 0 is an
        error. The default 1 normalizes each unit's incoming weight vector of a dense kernel
        `(input_dim, units)` (Keras' `axis=0`); for a convolution kernel
        `(rows, cols, in_channels, filters)` use `[1, 2, 3]` to normalize each filter.

    Returns
    -------
    Constraint
    """
    return UnitNorm(axis)


def get(identifier, arg_name: str = "constraint"):
    """Resolve a layer's constraint argument into a constraint.

    Accepts None (returns None); the names "non_neg", "max_norm", "min_max_norm", "unit_norm"
    (case-insensitive; also "nonneg", "maxnorm", "minmaxnorm", "unitnorm" and CamelCase "NonNeg"...)
    with their default arguments; a `Constraint` instance (returned as is) or class (instantiated); a
    config dict `{"class_name": ..., "config": {...}}` as produced by `serialize()`; any other callable
    `f(w)` returning the constrained weight, returned as is.

    Parameters
    ----------
    identifier : None, str, Constraint, dict or callable
        What the user passed.
    arg_name : str
        The argument's name, used in error messages (e.g. "gamma_constraint").

    Returns
    -------
    Constraint, callable or None

    Raises
    ------
    ValueError
        Unknown name, or invalid config.
    TypeError
        Any other kind of value.
    """
    return resolve_identifier(identifier, arg_name, base=Constraint, names=_CLASS_BY_KEY,
                               classes=_CLASS_BY_KEY, accepted=_ACCEPTED, object_hint=_OBJECT_HINT)


def serialize(constraint):
    """The config value of a constraint, for a layer's `get_config()`; `get()` accepts it back.

    Constraint objects give `{"class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 1}}`-style
    dicts (a subclass is found again by its class name); a plain callable is returned as is; None gives
    None.

    Parameters
    ----------
    constraint : None, Constraint or callable
        What `get()` returned.

    Returns
    -------
    dict, callable or None
    """
    return serialize_object(constraint, Constraint, "a constraint")
