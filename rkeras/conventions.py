"""R -> Python argument converters and argument checks (one home for every module).

R users write 1-based axes that count the batch dimension (`axis = 2` is the channels of a
channels-first batch); negative axes count from the end. These helpers turn such values into
0-based numpy axes and raise clear errors for anything else.

Each check names the argument, the value received and what is accepted, and raises before the caller
has changed any state: a TypeError for a value of the wrong kind (a string, a logical where a number is
wanted), a ValueError for a value of the right kind out of its range (and for a missing value or an
unknown choice).

- axes and shapes: `validate_r_axis`, `resolve_axes`, `normalize_shape`, `as_noise_shape`;
- integers and logicals: `is_int`, `as_integer`, `as_bool`, `as_seed`;
- real numbers: `is_number`, `as_real` (finite), `check_real` (not NaN), `check_range` (bounds),
  `check_float` (any predicate, with the accepted values in words);
- choices and presence: `check_choice`, `require`;
- the `...` of a function: `check_kwargs` (unknown keyword arguments).
"""

import math
from numbers import Integral, Real

import numpy as np

BASE_LAYER_KWARGS = ("name", "dtype", "trainable", "input_shape", "batch_size", "input_dim")


def is_int(value) -> bool:
    """True for a Python or numpy integer (a logical is not one)."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_integer(value, arg_name: str, minimum=None):
    """An R integer (`32`, `32L`, a whole float like `32.0`) as a Python int."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if not is_int(value):
        raise TypeError(f"`{arg_name}` must be an integer; received {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{arg_name}` must be an integer >= {minimum}; received {value}.")
    return value


def as_bool(value, arg_name: str) -> bool:
    """An R logical (`TRUE`, `FALSE`: Python or numpy booleans) as a Python bool; anything else (0, 1,
    "yes", None) is a TypeError rather than a silent truth value."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{arg_name}` must be TRUE/FALSE (True or False); received {value!r}.")
    return bool(value)


def validate_r_axis(axis, arg_name: str = "axis"):
    """Check an R axis value (an integer or a list of integers, never 0) without knowing the rank."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if not axes:
        raise ValueError(f"`{arg_name}` must be a non-empty integer or list of integers; received {axis!r}.")
    for a in axes:
        if not is_int(a):
            raise TypeError(f"`{arg_name}` must be an integer or a list of integers (R style, 1-based "
                            f"including the batch dimension, or negative from the end); received {axis!r}.")
        if a == 0:
            raise ValueError(f"`{arg_name}` = 0 is not a valid R axis: axes count from 1 (the batch "
                             f"dimension) or from -1 (the last dimension); received {axis!r}.")
    if len({int(a) for a in axes}) != len(axes):
        raise ValueError(f"`{arg_name}` has duplicate axes; received {axis!r}.")
    return axis if isinstance(axis, (list, tuple)) else int(axis)


def resolve_axes(axis, rank: int, arg_name: str = "axis") -> tuple:
    """R axes -> sorted tuple of 0-based axes for an array of `rank` (batch dimension included)."""
    validate_r_axis(axis, arg_name)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = []
    for a in axes:
        a = int(a)
        zero_based = a - 1 if a > 0 else rank + a
        if not 0 <= zero_based < rank:
            raise ValueError(f"`{arg_name}` = {axis!r} is out of range for an input of rank {rank}: "
                             f"accepted values are 1..{rank} or -{rank}..-1.")
        out.append(zero_based)
    if len(set(out)) != len(out):
        raise ValueError(f"`{arg_name}` = {axis!r} names the same dimension twice for an input of rank {rank}.")
    return tuple(sorted(out))


def normalize_shape(shape, arg_name: str = "shape") -> tuple:
    """`c(28, 28, 1)`, `(28, 28, 1)`, `[None, 3]` or `28` -> a tuple of ints or None (no batch dim)."""
    if shape is None:
        raise ValueError(f"`{arg_name}` must be given (a tuple of dimension sizes without the batch dimension).")
    if is_int(shape) or (isinstance(shape, (float, np.floating))):
        shape = (shape,)
    try:
        dims = list(shape)
    except TypeError:
        raise TypeError(f"`{arg_name}` must be a tuple or list of integers or None; received {shape!r}.")
    return tuple(None if d is None else as_integer(d, arg_name, minimum=0) for d in dims)


def check_kwargs(kwargs: dict, allowed=BASE_LAYER_KWARGS, where: str = "layer", what: str = "keyword argument(s)",
                 accepted=None) -> None:
    """Reject unknown `...` arguments with a TypeError naming them (R would silently ignore them).

    The message reads "Unknown {what} for {where}: 'x', 'y'. Accepted: {accepted}."; `accepted` defaults
    to the `allowed` names, and the sentence is left out when there is nothing to list (a function whose
    `...` takes no argument: `allowed = ()`).
    """
    unknown = [k for k in kwargs if k not in allowed]
    if unknown:
        shown = ", ".join(allowed) if accepted is None else accepted
        raise TypeError(f"Unknown {what} for {where}: {', '.join(repr(k) for k in unknown)}."
                        + (f" Accepted: {shown}." if shown else ""))


def as_real(value, name: str, *, minimum=None, positive=False) -> float:
    """Check a numeric constructor argument (finite real) and return it as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.integer, np.floating)):
        raise TypeError(f"`{name}` must be a number; received {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite number; received {value!r}.")
    if positive and value <= 0:
        raise ValueError(f"`{name}` must be > 0; received {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; received {value!r}.")
    return value


def check_real(value, arg: str) -> float:
    """A real number (not a logical, not NaN; infinities pass) as a float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.integer, np.floating)):
        raise TypeError(f"`{arg}` must be a number; received {value!r}.")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"`{arg}` must be a number, not NaN; received {value!r}.")
    return value


def check_range(value, arg: str, low=None, high=None, low_open=False, high_open=False) -> float:
    """A real number within `low`/`high` (each bound closed unless `*_open`, None for no bound) as a float."""
    v = check_real(value, arg)
    bad_low = low is not None and (v <= low if low_open else v < low)
    bad_high = high is not None and (v >= high if high_open else v > high)
    if bad_low or bad_high:
        if high is None:
            accepted = f"{'>' if low_open else '>='} {low:g}"
        else:
            accepted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"`{arg}` must be a number {accepted}; received {value!r}.")
    return v


def is_number(value) -> bool:
    """True for a Python or numpy int or float (an R number); False for a logical and anything else."""
    return isinstance(value, (int, float, np.integer, np.floating)) and \
        not isinstance(value, (bool, np.bool_))


def check_float(value, arg_name: str, ok=None, accepted: str = "a number") -> float:
    """A number (not a logical) as a float; TypeError otherwise, ValueError when `ok(value)` is false
    (both messages say `accepted`, e.g. "a number in [0, 1]")."""
    if not is_number(value):
        raise TypeError(f"`{arg_name}` must be {accepted}; received {value!r}.")
    value = float(value)
    if ok is not None and not ok(value):
        raise ValueError(f"`{arg_name}` must be {accepted}; received {value!r}.")
    return value


def check_choice(value, accepted, arg_name: str):
    """One of the strings `accepted`, unchanged; ValueError listing them otherwise."""
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(f"`{arg_name}` must be one of {', '.join(map(repr, accepted))}; received {value!r}.")
    return value


def require(value, arg_name: str, accepted: str):
    """`value`, which must be given (an argument without a default in Keras): ValueError for None."""
    if value is None:
        raise ValueError(f"`{arg_name}` must be given: {accepted}; received None.")
    return value


def as_seed(seed, arg_name: str = "seed") -> int:
    """A random seed (a non-negative integer; R's `42` is a double, so whole floats pass) as an int."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (Real, np.integer, np.floating)):
        raise TypeError(f"`{arg_name}` must be a non-negative integer; received {seed!r}.")
    if not isinstance(seed, (Integral, np.integer)) and not (np.isfinite(seed) and float(seed).is_integer()):
        raise TypeError(f"`{arg_name}` must be a non-negative integer; received {seed!r}.")
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"`{arg_name}` must be a non-negative integer; received {seed}.")
    return seed


def as_noise_shape(noise_shape):
    """A dropout `noise_shape` (batch dimension included; None for a dimension "as the input's") as a tuple,
    or None."""
    if noise_shape is None:
        return None
    try:
        dims = list(noise_shape)
    except TypeError:
        raise TypeError(f"`noise_shape` must be None or a tuple/list of integers (None for 'same as the "
                        f"input'), batch dimension included; received {noise_shape!r}.") from None
    return tuple(None if d is None else as_integer(d, "noise_shape", minimum=1) for d in dims)
