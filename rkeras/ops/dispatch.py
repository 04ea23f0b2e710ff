"""numpy ufuncs and functions applied to recorded arrays (`TapeArray`) -> the op with the gradient rule.

Returns NotImplemented for anything without a rule; `TapeArray` then computes on plain arrays and
refuses float results that would lose a gradient.
"""

import numpy as np

from . import linalg, math, reductions, shape

_UFUNCS = {
    np.add: math.op_add, np.subtract: math.op_subtract, np.multiply: math.op_multiply,
    np.true_divide: math.op_divide, np.power: math.op_power, np.float_power: math.op_power,
    np.negative: math.op_negative, np.positive: math.op_copy, np.matmul: linalg.op_matmul,
    np.maximum: math.op_maximum, np.minimum: math.op_minimum, np.fmax: math.op_maximum, np.fmin: math.op_minimum,
    np.exp: math.op_exp, np.exp2: math.op_exp2, np.expm1: math.op_expm1, np.log: math.op_log,
    np.log2: math.op_log2, np.log10: math.op_log10, np.log1p: math.op_log1p, np.sqrt: math.op_sqrt,
    np.square: math.op_square, np.reciprocal: math.op_reciprocal, np.absolute: math.op_abs,
    np.sin: math.op_sin, np.cos: math.op_cos, np.tan: math.op_tan, np.sinh: math.op_sinh,
    np.cosh: math.op_cosh, np.tanh: math.op_tanh, np.arcsin: math.op_arcsin, np.arccos: math.op_arccos,
    np.arctan: math.op_arctan, np.arcsinh: math.op_arcsinh, np.arccosh: math.op_arccosh,
    np.arctanh: math.op_arctanh, np.arctan2: math.op_arctan2, np.logaddexp: math.op_logaddexp,
    np.sign: math.op_sign, np.floor: math.op_floor, np.ceil: math.op_ceil, np.trunc: math.op_trunc,
    np.rint: math.op_round, np.cbrt: math.op_cbrt, np.deg2rad: math.op_deg2rad, np.radians: math.op_deg2rad,
    np.mod: math.op_mod, np.remainder: math.op_mod, np.floor_divide: math.op_floor_divide,
}
_REDUCE = {np.add: reductions.sum0, np.maximum: reductions.max0, np.minimum: reductions.min0}


def ufunc(uf, method, inputs, kwargs):
    if method == "__call__" and not kwargs and uf in _UFUNCS:
        return _UFUNCS[uf](*inputs)
    if method == "reduce" and uf in _REDUCE and len(inputs) == 1:
        extra = {k: v for k, v in kwargs.items() if k not in ("axis", "keepdims") and not _is_default(k, v)}
        if not extra:
            return _REDUCE[uf](inputs[0], kwargs.get("axis", 0), bool(kwargs.get("keepdims", False)))
    return NotImplemented


def _is_default(key, value):
    # numpy's methods (x.sum(), x.max()) pass their defaults explicitly
    return value is None or (key == "where" and value is True) or (key == "out" and value == (None,)) or \
        type(value).__name__ == "_NoValueType"


def _axis0_to_r(axis):
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return [a + 1 if a >= 0 else a for a in axis]
    return axis + 1 if axis >= 0 else axis


def _concat(arrays, axis=0):
    return shape.op_concatenate(list(arrays), axis=_axis0_to_r(axis))


def _stack(arrays, axis=0):
    return shape.op_stack(list(arrays), axis=_axis0_to_r(axis))


_FUNCTIONS = {
    np.sum: lambda a, axis=None, keepdims=False: reductions.sum0(a, axis, keepdims),
    np.mean: lambda a, axis=None, keepdims=False: reductions.mean0(a, axis, keepdims),
    np.max: lambda a, axis=None, keepdims=False: reductions.max0(a, axis, keepdims),
    np.min: lambda a, axis=None, keepdims=False: reductions.min0(a, axis, keepdims),
    np.amax: lambda a, axis=None, keepdims=False: reductions.max0(a, axis, keepdims),
    np.amin: lambda a, axis=None, keepdims=False: reductions.min0(a, axis, keepdims),
    np.var: lambda a, axis=None, keepdims=False: reductions.op_var(a, _axis0_to_r(axis), keepdims),
    np.std: lambda a, axis=None, keepdims=False: reductions.op_std(a, _axis0_to_r(axis), keepdims),
    np.reshape: lambda a, shape_=None, newshape=None, shape=None: _reshape(a, shape_ if shape_ is not None else (
        shape if shape is not None else newshape)),
    np.transpose: lambda a, axes=None: shape.transpose0(a, None if axes is None else tuple(axes)),
    np.concatenate: _concat, np.stack: _stack,
    np.expand_dims: lambda a, axis: shape.op_expand_dims(a, _axis0_to_r(axis)),
    np.squeeze: lambda a, axis=None: shape.op_squeeze(a, _axis0_to_r(axis)),
    np.where: lambda c, x=None, y=None: math.op_where(c, x, y),
    np.clip: lambda a, a_min=None, a_max=None: math.op_clip(a, -np.inf if a_min is None else a_min,
                                                           np.inf if a_max is None else a_max),
    np.dot: linalg.op_dot, np.matmul: linalg.op_matmul, np.einsum: lambda s, *ops: linalg.op_einsum(s, *ops),
    np.tensordot: lambda a, b, axes=2: linalg.op_tensordot(a, b, axes),
    np.outer: linalg.op_outer, np.inner: linalg.op_inner,
    np.abs: math.op_abs, np.exp: math.op_exp, np.log: math.op_log, np.sqrt: math.op_sqrt,
    np.square: math.op_square, np.tanh: math.op_tanh, np.maximum: math.op_maximum, np.minimum: math.op_minimum,
    np.ravel: shape.op_ravel, np.copy: math.op_copy,
    np.broadcast_to: lambda a, shape_: shape.op_broadcast_to(a, shape_),
}


def _reshape(a, newshape):
    return shape.op_reshape(a, newshape)


def function(func, args, kwargs):
    op = _FUNCTIONS.get(func)
    if op is None:
        return NotImplemented
    try:
        return op(*args, **kwargs)
    except TypeError:
        return NotImplemented


__all__ = ["function", "ufunc"]
