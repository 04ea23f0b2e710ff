"""What every op module shares: running an op (and recording it), broadcasting, R axes, doc pages."""

import inspect
import textwrap

import numpy as np

from .. import conventions
from ..core import tape as _tape
from ..core.tape import plain

__all__ = ["apply", "float_dtype", "op_doc", "plain", "r_axes", "r_axis", "sum64", "unbroadcast"]


def apply(fwd, vjp, *args):
    """Run `fwd` on the plain values of `args`; while a tape records, register `vjp` for the result.

    `vjp(g, out, *vals)` returns one gradient per argument (None where there is none).
    """
    vals = tuple([plain(a) for a in args])
    out = fwd(*vals)
    tape = _tape._active
    if tape is None:
        return out
    return tape.record(out, args, vals, vjp)


def unbroadcast(g, shape):
    """Sum the gradient `g` of a broadcast result down to an argument of `shape` (float64 sums)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, s in enumerate(shape) if s == 1 and g.shape[i + extra] != 1)
    out = g.sum(axis=axes, dtype=np.float64) if axes else g
    return np.asarray(out, dtype=g.dtype).reshape(shape)


def sum64(x, axis=None, keepdims=False):
    """A sum accumulated in float64, returned in the input's float dtype (float64 for non-floats)."""
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    return np.asarray(np.sum(x, axis=axis, dtype=np.float64, keepdims=keepdims), dtype=dtype)


def float_dtype(x):
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)


def r_axis(axis, rank, arg_name="axis"):
    """One R axis (1-based including the batch dimension, or negative from the end) -> 0-based."""
    if not conventions.is_int(axis):
        raise TypeError(f"`{arg_name}` must be an integer (R style: 1-based, or negative from the end); "
                        f"received {axis!r}.")
    axis = int(axis)
    if axis == 0:
        raise ValueError(f"`{arg_name}` = 0 is not a valid R axis: axes count from 1 (the first dimension) "
                         f"or from -1 (the last dimension).")
    zero = axis - 1 if axis > 0 else rank + axis
    if not 0 <= zero < max(rank, 1):
        raise ValueError(f"`{arg_name}` = {axis} is out of range for an array of rank {rank}: accepted values "
                         f"are 1..{rank} or -{rank}..-1.")
    return zero


def r_axes(axis, rank, arg_name="axis"):
    """None (all axes), an R axis or a list of R axes -> None or a tuple of 0-based axes."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        out = tuple(r_axis(a, rank, arg_name) for a in axis)
        if len(set(out)) != len(out):
            raise ValueError(f"`{arg_name}` = {axis!r} names the same dimension twice.")
        return out
    return (r_axis(axis, rank, arg_name),)


# ------------------------------------------------------------------------------------ documentation
_PARAMS = {
    "x": ("array", "Input array (numpy array, array-like, Variable, or the result of another op)."),
    "x1": ("array", "First input array (broadcast against `x2`)."),
    "x2": ("array", "Second input array (broadcast against `x1`)."),
    "axis": ("int or None", ("Axis, R style: 1-based counting the batch dimension (`1` is the first "
                            "dimension), or negative from the end (`-1` is the last); None means all axes.")),
    "keepdims": ("bool", "If True, the reduced axes are kept with size 1."),
    "dtype": ("str or None", ("dtype of the result (e.g. \"float32\", \"int32\"); None keeps the default "
                             "(`config_floatx()` for new float arrays).")),
    "shape": ("tuple of int", "Shape of the result, e.g. `c(2, 3)` -> `(2, 3)`."),
    "seed": ("int, random_seed_generator() or None", ("Seed for reproducible draws; None draws from the "
                                                     "global generator (see `set_random_seed()`).")),
    "zero_indexed": ("bool", "If False (R's default), indices are 1-based; if True, 0-based."),
    "xs": ("list of arrays", "The arrays to combine."),
}


def op_doc(title, returns="array", details=None, **params):
    """Build an op's numpy-style docstring from its signature: every parameter is described, either
    here (`params`) or by the shared table of common parameters; a missing one fails at import."""
    def decorate(fn):
        lines = [title, ""]
        if details:
            lines += [textwrap.dedent(details).strip(), ""]
        lines += ["Parameters", "----------"]
        for name, p in inspect.signature(fn).parameters.items():
            label = ("*" + name) if p.kind is p.VAR_POSITIONAL else ("**" + name) if p.kind is p.VAR_KEYWORD else name
            if name in params:
                entry = params[name]
                typ, desc = entry if isinstance(entry, tuple) else ("", entry)
            elif name in _PARAMS:
                typ, desc = _PARAMS[name]
            else:
                raise RuntimeError(f"{fn.__name__}: parameter `{name}` is not documented")
            lines.append(f"{label} : {typ}" if typ and not label.startswith("*") else label)
            lines.append("    " + desc)
        lines += ["", "Returns", "-------", returns if "\n" in returns else f"{returns}"]
        fn.__doc__ = "\n".join(lines)
        return fn
    return decorate
