"""R -> Python argument converters (one home): axes, shapes, integers, logicals, kwargs.

R users write 1-based axes that count the batch dimension (`axis = 2` is the channels of a
channels-first batch); negative axes count from the end. These helpers turn such values into
0-based numpy axes and raise clear errors for anything else.
"""

from numbers import Integral

import numpy as np

BASE_LAYER_KWARGS = ("name", "dtype", "trainable", "input_shape", "batch_size", "input_dim")


def _is_int(value) -> bool:
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_integer(value, arg_name: str, minimum=None):
    """An R integer (`32`, `32L`, a whole float like `32.0`) as a Python int."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if not _is_int(value):
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
        if not _is_int(a):
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
    if _is_int(shape) or (isinstance(shape, (float, np.floating))):
        shape = (shape,)
    try:
        dims = list(shape)
    except TypeError:
        raise TypeError(f"`{arg_name}` must be a tuple or list of integers or None; received {shape!r}.")
    return tuple(None if d is None else as_integer(d, arg_name, minimum=0) for d in dims)


def check_kwargs(kwargs: dict, allowed=BASE_LAYER_KWARGS, where: str = "layer") -> None:
    """Reject unknown `...` arguments with a TypeError naming them (R would silently ignore them)."""
    unknown = [k for k in kwargs if k not in allowed]
    if unknown:
        raise TypeError(f"Unknown keyword argument(s) for {where}: {', '.join(repr(k) for k in unknown)}. "
                        f"Accepted: {', '.join(allowed)}.")
