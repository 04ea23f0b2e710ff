"""Conversions and gradient control: cast, convert, stop_gradient, shape helpers."""

import numpy as np

from .. import conventions
from ..core import tape as _tape
from ..core.config import config_floatx
from ._base import apply, op_doc, plain

__all__ = [
    "array_reshape", "op_array", "op_cast", "op_cond", "op_convert_to_array", "op_convert_to_numpy",
    "op_convert_to_tensor", "op_custom_gradient", "op_dtype", "op_fori_loop", "op_is_tensor", "op_map",
    "op_saturate_cast", "op_scan", "op_stop_gradient", "op_vectorized_map", "op_while_loop", "shape",
]


@op_doc("Cast `x` to `dtype` (the gradient is cast back; none flows to integer results).",
        dtype=("str", "The target dtype, e.g. \"float32\", \"int32\", \"bool\"."))
def op_cast(x, dtype):
    dt = np.dtype(dtype)
    return apply(lambda v: np.asarray(v).astype(dt), lambda g, o, v: (g.astype(v.dtype) if v.dtype.kind == "f" else None,), x)


@op_doc("Cast with clipping to the range of `dtype` (no overflow wrap-around).",
        dtype=("str", "The target dtype."))
def op_saturate_cast(x, dtype):
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        from .math import op_clip
        x = op_clip(x, info.min, info.max)
    return op_cast(x, dt)


@op_doc("`x` as an array (numpy: the \"tensor\" of rkeras), optionally cast.",
        dtype=("str or None", "dtype of the result (None: that of `x`; Python floats give floatx)."),
        sparse=("bool or None", "Only None/FALSE (dense) is supported."),
        ragged=("bool or None", "Only None/FALSE is supported."))
def op_convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    if sparse or ragged:
        raise ValueError("`sparse` and `ragged` tensors are not supported by rkeras (dense numpy arrays only).")
    if _tape._active is not None and _tape._active.knows(x):
        return x if dtype is None else op_cast(x, dtype)
    v = plain(x)
    arr = np.asarray(v)
    if dtype is None and arr.dtype == np.float64 and not isinstance(v, np.ndarray):
        dtype = config_floatx()
    return arr.astype(dtype) if dtype is not None else np.array(arr)


@op_doc("`x` as an array, optionally cast (alias of `op_convert_to_tensor()`).")
def op_array(x, dtype=None):
    return op_convert_to_tensor(x, dtype)


@op_doc("`x` as a plain numpy array (a copy; detached from any gradient).")
def op_convert_to_numpy(x):
    return np.array(plain(x))


@op_doc("`x` as a plain numpy array (alias of `op_convert_to_numpy()`).")
def op_convert_to_array(x):
    return np.array(plain(x))


@op_doc("`variable`'s value with no gradient flowing back through it.",
        variable=("array or Variable", "The value to detach."))
def op_stop_gradient(variable):
    return np.array(plain(variable))


@op_doc("The dtype name of `x`.", returns="str")
def op_dtype(x):
    return np.asarray(plain(x)).dtype.name


@op_doc("Whether `x` is an array (an rkeras \"tensor\").", returns="bool")
def op_is_tensor(x):
    return isinstance(x, np.ndarray)


@op_doc("`true_fn()` if `pred` else `false_fn()`.", returns="what the chosen function returns",
        pred=("bool", "The condition (a scalar)."), true_fn=("function", "Called when `pred` is true."),
        false_fn=("function", "Called when `pred` is false."))
def op_cond(pred, true_fn, false_fn):
    return true_fn() if bool(np.asarray(plain(pred))) else false_fn()


@op_doc("A function that returns `f(x)` and a custom gradient (a `(value, grad_fn)` pair returned by `f`).",
        returns="function",
        f=("function", ("`f(*args)` returns `(value, grad_fn)`, with `grad_fn(upstream)` returning the gradient "
                       "of each argument (one array per argument).")))
def op_custom_gradient(f):
    def wrapped(*args):
        holder = {}

        def fwd(*vals):
            value, grad_fn = f(*vals)
            holder["grad_fn"] = grad_fn
            return np.asarray(plain(value))

        def vjp(g, o, *vals):
            grads = holder["grad_fn"](g)
            grads = grads if isinstance(grads, (list, tuple)) else (grads,)
            return tuple(None if gr is None else np.asarray(plain(gr)) for gr in grads)
        return apply(fwd, vjp, *args)
    return wrapped


def shape(*args):
    """A shape (tuple of dimension sizes), as R keras3's `shape()`; None marks an unknown size.

    `shape(28, 28, 1)` is `(28, 28, 1)`; `shape()` is `()` (a scalar); an array argument gives its shape;
    tuples and lists are spliced in.

    Parameters
    ----------
    *args
        Integers (or whole floats), None, tuples or lists of them, or an array whose shape is taken.

    Returns
    -------
    tuple
    """
    out = []
    for a in args:
        if a is None:
            out.append(None)
        elif isinstance(a, (list, tuple)):
            out.extend(shape(*a))
        elif hasattr(a, "shape") and not np.isscalar(a):
            out.extend(np.shape(plain(a)))
        else:
            out.append(conventions.as_integer(a, "shape", minimum=0))
    return tuple(out)


def array_reshape(x, dim, order="C"):
    """Reshape an array, as R keras3's `array_reshape()` (row-major "C" order by default).

    Parameters
    ----------
    x : array
        The array.
    dim : tuple of int
        The new shape; one size may be -1 (inferred).
    order : str
        "C" (row-major, Keras' order, the default) or "F" (column-major, R's native order).

    Returns
    -------
    array
    """
    if order not in ("C", "F"):
        raise ValueError(f"`order` must be 'C' or 'F'; received {order!r}.")
    dims = shape(dim)
    return np.reshape(np.asarray(plain(x)), dims, order=order)


@op_doc("`f` applied to each element of `xs` along its first axis, results stacked.",
        xs=("array or list", "The elements (an array is split along its first axis)."),
        f=("function", "Applied to each element."))
def op_map(xs, f):
    from .shape import op_stack, op_unstack
    items = op_unstack(xs) if isinstance(xs, np.ndarray) or hasattr(xs, "value") else list(xs)
    return op_stack([f(x) for x in items])


@op_doc("`f` applied to each element of `elements` along the first axis, results stacked.",
        elements=("array", "The elements."), f=("function", "Applied to each element."))
def op_vectorized_map(elements, f):
    return op_map(elements, f)


@op_doc("A for loop: `val = body_fun(i, val)` for `i` from `lower` to `upper - 1`, as Keras.",
        returns="the final value", lower=("int", "First value of `i`."), upper=("int", "Loop ends before it."),
        body_fun=("function", "`body_fun(i, val)` returns the new value."), init_val=("any", "Initial value."))
def op_fori_loop(lower, upper, body_fun, init_val):
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


@op_doc("A while loop: `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`.", returns="the final loop_vars",
        cond=("function", "The condition."), body=("function", "Returns the new loop variables."),
        loop_vars=("list or tuple", "Initial loop variables."),
        maximum_iterations=("int or None", "An upper bound on the number of iterations."))
def op_while_loop(cond, body, loop_vars, maximum_iterations=None):
    single = not isinstance(loop_vars, (list, tuple))
    vars_ = [loop_vars] if single else list(loop_vars)
    n = 0
    while bool(np.asarray(plain(cond(*vars_)))) and (maximum_iterations is None or n < int(maximum_iterations)):
        out = body(*vars_)
        vars_ = [out] if single else list(out)
        n += 1
    return vars_[0] if single else type(loop_vars)(vars_)


@op_doc("Scan `f` over the first axis of `xs`: `carry, y = f(carry, x)`; returns the last carry and the "
        "stacked `y`.", returns="list (carry, ys)",
        f=("function", "`f(carry, x)` returns `(carry, y)`."), init=("any", "The initial carry."),
        xs=("array or None", "The values scanned (None: `length` steps with x = None)."),
        length=("int or None", "Number of steps when `xs` is None."),
        reverse=("bool", "Scan from the end."), unroll=("int", "Accepted for Keras compatibility; no effect."))
def op_scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    from .shape import op_stack, op_unstack
    items = [None] * int(length) if xs is None else op_unstack(xs)
    if reverse:
        items = items[::-1]
    carry, ys = init, []
    for x in items:
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys = ys[::-1]
    return [carry, op_stack(ys) if ys and ys[0] is not None else None]
