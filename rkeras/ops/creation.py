"""Array creation: zeros, ones, full, eye, arange, linspace, tri, and their `_like` forms."""

import numpy as np

from .. import conventions
from ..core.config import config_floatx
from ._base import op_doc, plain

__all__ = [
    "op_arange", "op_bartlett", "op_blackman", "op_empty", "op_eye", "op_full", "op_full_like", "op_hamming",
    "op_hanning", "op_identity", "op_kaiser", "op_linspace", "op_logspace", "op_ones", "op_ones_like",
    "op_tri", "op_zeros", "op_zeros_like",
]


def _dtype(dtype, default=None):
    return np.dtype(dtype or default or config_floatx())


def _shape(shape):
    if conventions.is_int(shape):
        return (int(shape),)
    return tuple(int(d) for d in shape)


@op_doc("A new array of zeros.")
def op_zeros(shape, dtype=None):
    return np.zeros(_shape(shape), _dtype(dtype))


@op_doc("A new array of ones.")
def op_ones(shape, dtype=None):
    return np.ones(_shape(shape), _dtype(dtype))


@op_doc("A new uninitialized array (its values are arbitrary).")
def op_empty(shape, dtype=None):
    return np.empty(_shape(shape), _dtype(dtype))


@op_doc("A new array filled with `fill_value`.", fill_value=("number", "The value."))
def op_full(shape, fill_value, dtype=None):
    return np.full(_shape(shape), fill_value, _dtype(dtype))


@op_doc("Zeros of the shape (and dtype, unless given) of `x`.")
def op_zeros_like(x, dtype=None):
    v = plain(x)
    return np.zeros(np.shape(v), dtype or np.asarray(v).dtype)


@op_doc("Ones of the shape (and dtype, unless given) of `x`.")
def op_ones_like(x, dtype=None):
    v = plain(x)
    return np.ones(np.shape(v), dtype or np.asarray(v).dtype)


@op_doc("`fill_value` in the shape (and dtype, unless given) of `x`.", fill_value=("number", "The value."))
def op_full_like(x, fill_value, dtype=None):
    v = plain(x)
    return np.full(np.shape(v), fill_value, dtype or np.asarray(v).dtype)


@op_doc("A 2-d array with ones on the `k`-th diagonal and zeros elsewhere.",
        N=("int", "Number of rows."), M=("int or None", "Number of columns (None: N)."),
        k=("int", "Diagonal offset."))
def op_eye(N, M=None, k=0, dtype=None):
    return np.eye(int(N), None if M is None else int(M), int(k), dtype=_dtype(dtype))


@op_doc("The `n` x `n` identity matrix.", n=("int", "Size."))
def op_identity(n, dtype=None):
    return np.eye(int(n), dtype=_dtype(dtype))


@op_doc("A lower-triangular matrix of ones (at and below the `k`-th diagonal).",
        N=("int", "Number of rows."), M=("int or None", "Number of columns (None: N)."), k=("int", "Diagonal offset."))
def op_tri(N, M=None, k=0, dtype=None):
    return np.tri(int(N), None if M is None else int(M), int(k), dtype=_dtype(dtype))


@op_doc("Evenly spaced values from `start` to `end` (R style: `end` included by default).",
        start=("number", "First value."), end=("number", "Last value (included when `include_end`)."),
        step=("number", "Spacing."),
        dtype=("str or None", "dtype of the result (None: int32 for integer arguments, else floatx)."),
        include_end=("bool", "Whether `end` is included when it falls on the grid (R's `seq()`)."))
def op_arange(start, end, step=1, dtype=None, include_end=True):
    ints = all(conventions.is_int(v) or (isinstance(v, float) and v.is_integer() and dtype is None and False)
               for v in (start, end, step))
    stop = (end + (1 if step > 0 else -1) if include_end else end) if ints else end
    out = np.arange(start, stop, step)
    if not ints and include_end and out.size and abs(out[-1] + step - end) < 1e-9 * max(1.0, abs(end)):
        out = np.append(out, end)
    return out.astype(dtype or ("int32" if ints else config_floatx()))


@op_doc("`num` evenly spaced numbers over `[start, stop]`.", returns="array (and the step if `retstep`)",
        start=("number or array", "First value."), stop=("number or array", "Last value."),
        num=("int", "How many values."), endpoint=("bool", "Whether `stop` is included."),
        retstep=("bool", "Also return the step."), axis=("int", "Axis of the values for array arguments (R style)."))
def op_linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=1):
    nd = np.ndim(plain(start))
    out = np.linspace(plain(start), plain(stop), int(num), endpoint=endpoint, retstep=retstep,
                      dtype=_dtype(dtype), axis=(axis - 1 if axis > 0 else nd + 1 + axis))
    return list(out) if retstep else out


@op_doc("Numbers spaced evenly on a log scale: `base^linspace(start, stop)`.",
        start=("number", "First exponent."), stop=("number", "Last exponent."), num=("int", "How many values."),
        endpoint=("bool", "Whether `stop` is included."), base=("number", "The base."),
        axis=("int", "Axis of the values for array arguments (R style)."))
def op_logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=1):
    nd = np.ndim(plain(start))
    return np.logspace(plain(start), plain(stop), int(num), endpoint=endpoint, base=base, dtype=_dtype(dtype),
                       axis=(axis - 1 if axis > 0 else nd + 1 + axis))


def _window(name, title, fn):
    def op(x):
        return fn(conventions.as_integer(x, "x", minimum=0)).astype(config_floatx())
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    return op_doc(title, x=("int", "Number of points of the window."))(op)


op_hamming = _window("op_hamming", "The Hamming window.", np.hamming)
op_hanning = _window("op_hanning", "The Hann window.", np.hanning)
op_bartlett = _window("op_bartlett", "The Bartlett (triangular) window.", np.bartlett)
op_blackman = _window("op_blackman", "The Blackman window.", np.blackman)


@op_doc("The Kaiser window.", x=("int", "Number of points of the window."), beta=("float", "Shape parameter."))
def op_kaiser(x, beta):
    return np.kaiser(conventions.as_integer(x, "x", minimum=0), float(beta)).astype(config_floatx())
