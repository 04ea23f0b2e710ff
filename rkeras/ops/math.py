"""Element-wise math: unary functions, arithmetic, comparisons, `op_where`, `op_clip` (with gradients)."""

import math

import numpy as np
from scipy import special

from ._base import apply, op_doc, plain, unbroadcast

__all__ = [
    "op_abs", "op_add", "op_angle", "op_arccos", "op_arccosh", "op_arcsin", "op_arcsinh", "op_arctan",
    "op_arctan2", "op_arctanh", "op_bitwise_and", "op_bitwise_invert", "op_bitwise_left_shift",
    "op_bitwise_not", "op_bitwise_or", "op_bitwise_right_shift", "op_bitwise_xor", "op_cbrt", "op_ceil",
    "op_clip", "op_conj", "op_copy", "op_cos", "op_cosh", "op_deg2rad", "op_divide", "op_divide_no_nan",
    "op_equal", "op_erf", "op_erfinv", "op_exp", "op_exp2", "op_expm1", "op_floor", "op_floor_divide",
    "op_greater", "op_greater_equal", "op_heaviside", "op_imag", "op_isclose", "op_isfinite", "op_isinf",
    "op_isnan", "op_left_shift", "op_less", "op_less_equal", "op_log", "op_log1p", "op_log2", "op_log10",
    "op_logaddexp", "op_logical_and", "op_logical_not", "op_logical_or", "op_logical_xor", "op_maximum",
    "op_minimum", "op_mod", "op_multiply", "op_nan_to_num", "op_negative", "op_not_equal", "op_pmax",
    "op_pmin", "op_power", "op_real", "op_reciprocal", "op_right_shift", "op_round", "op_rsqrt", "op_select",
    "op_sign", "op_signbit", "op_sin", "op_sinh", "op_sqrt", "op_square", "op_subtract", "op_tan", "op_tanh",
    "op_trunc", "op_where",
]

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _zero(g, out, x):
    return (np.zeros_like(g),)


def _unary(name, title, fwd, vjp):
    def op(x):
        return apply(fwd, vjp, x)
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    return op_doc(title)(op)


# --------------------------------------------------------------------------------------------- unary
op_abs = _unary("op_abs", "Absolute value, element-wise.", np.abs, lambda g, o, x: (g * np.sign(x),))
op_negative = _unary("op_negative", "Numerical negative, element-wise.", np.negative, lambda g, o, x: (-g,))
op_exp = _unary("op_exp", "Exponential, element-wise.", np.exp, lambda g, o, x: (g * o,))
op_exp2 = _unary("op_exp2", "2 to the power `x`, element-wise.", np.exp2, lambda g, o, x: (g * o * _LN2,))
op_expm1 = _unary("op_expm1", "`exp(x) - 1`, element-wise (accurate near 0).", np.expm1,
                  lambda g, o, x: (g * (o + 1),))
op_log = _unary("op_log", "Natural logarithm, element-wise.", np.log, lambda g, o, x: (g / x,))
op_log2 = _unary("op_log2", "Base-2 logarithm, element-wise.", np.log2, lambda g, o, x: (g / (x * _LN2),))
op_log10 = _unary("op_log10", "Base-10 logarithm, element-wise.", np.log10, lambda g, o, x: (g / (x * _LN10),))
op_log1p = _unary("op_log1p", "`log(1 + x)`, element-wise (accurate near 0).", np.log1p,
                  lambda g, o, x: (g / (1 + x),))
op_sqrt = _unary("op_sqrt", "Square root, element-wise.", np.sqrt, lambda g, o, x: (g * 0.5 / o,))
op_rsqrt = _unary("op_rsqrt", "Reciprocal of the square root, element-wise.", lambda x: 1 / np.sqrt(x),
                  lambda g, o, x: (g * -0.5 * o ** 3,))
op_square = _unary("op_square", "Square, element-wise.", np.square, lambda g, o, x: (g * 2 * x,))
op_reciprocal = _unary("op_reciprocal", "Reciprocal `1 / x`, element-wise.", np.reciprocal,
                       lambda g, o, x: (-g * o * o,))
op_sin = _unary("op_sin", "Sine, element-wise.", np.sin, lambda g, o, x: (g * np.cos(x),))
op_cos = _unary("op_cos", "Cosine, element-wise.", np.cos, lambda g, o, x: (-g * np.sin(x),))
op_tan = _unary("op_tan", "Tangent, element-wise.", np.tan, lambda g, o, x: (g * (1 + o * o),))
op_sinh = _unary("op_sinh", "Hyperbolic sine, element-wise.", np.sinh, lambda g, o, x: (g * np.cosh(x),))
op_cosh = _unary("op_cosh", "Hyperbolic cosine, element-wise.", np.cosh, lambda g, o, x: (g * np.sinh(x),))
op_tanh = _unary("op_tanh", "Hyperbolic tangent, element-wise.", np.tanh, lambda g, o, x: (g * (1 - o * o),))
op_arcsin = _unary("op_arcsin", "Inverse sine, element-wise.", np.arcsin,
                   lambda g, o, x: (g / np.sqrt(1 - x * x),))
op_arccos = _unary("op_arccos", "Inverse cosine, element-wise.", np.arccos,
                   lambda g, o, x: (-g / np.sqrt(1 - x * x),))
op_arctan = _unary("op_arctan", "Inverse tangent, element-wise.", np.arctan, lambda g, o, x: (g / (1 + x * x),))
op_arcsinh = _unary("op_arcsinh", "Inverse hyperbolic sine, element-wise.", np.arcsinh,
                    lambda g, o, x: (g / np.sqrt(x * x + 1),))
op_arccosh = _unary("op_arccosh", "Inverse hyperbolic cosine, element-wise.", np.arccosh,
                    lambda g, o, x: (g / np.sqrt(x * x - 1),))
op_arctanh = _unary("op_arctanh", "Inverse hyperbolic tangent, element-wise.", np.arctanh,
                    lambda g, o, x: (g / (1 - x * x),))
op_erf = _unary("op_erf", "The Gauss error function, element-wise.", special.erf,
                lambda g, o, x: (g * (2 / math.sqrt(math.pi)) * np.exp(-x * x),))
op_erfinv = _unary("op_erfinv", "The inverse error function, element-wise.", special.erfinv,
                   lambda g, o, x: (g * (math.sqrt(math.pi) / 2) * np.exp(o * o),))
op_cbrt = _unary("op_cbrt", "Cube root, element-wise.", np.cbrt, lambda g, o, x: (g / (3 * o * o),))
op_deg2rad = _unary("op_deg2rad", "Degrees to radians, element-wise.", np.deg2rad,
                    lambda g, o, x: (g * (math.pi / 180),))
op_sign = _unary("op_sign", "Sign (-1, 0 or 1), element-wise; its gradient is zero.", np.sign, _zero)
op_floor = _unary("op_floor", "Floor, element-wise; its gradient is zero.", np.floor, _zero)
op_ceil = _unary("op_ceil", "Ceiling, element-wise; its gradient is zero.", np.ceil, _zero)
op_trunc = _unary("op_trunc", "Truncation toward zero, element-wise; its gradient is zero.", np.trunc, _zero)
op_copy = _unary("op_copy", "A copy of `x`.", np.copy, lambda g, o, x: (g,))


@op_doc("Round to the given number of decimals, element-wise; its gradient is zero.",
        decimals=("int", "Number of decimal places."))
def op_round(x, decimals=0):
    return apply(lambda v: np.round(v, int(decimals)), _zero, x)


# --------------------------------------------------------------------------------------------- binary
def _binary(name, title, fwd, vjp):
    def op(x1, x2):
        return apply(fwd, lambda g, o, a, b: _unb(vjp(g, o, a, b), a, b), x1, x2)
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    return op_doc(title)(op)


def _unb(grads, a, b):
    ga, gb = grads
    return (None if ga is None else unbroadcast(np.asarray(ga), np.shape(a)),
            None if gb is None else unbroadcast(np.asarray(gb), np.shape(b)))


def _tie_split(a, b):
    # ties share the gradient equally, as JAX (Keras' reference backend) does
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


def _pow_grad_b(g, o, a):
    return g * o * np.log(np.where(a > 0, a, 1))


op_add = _binary("op_add", "Add arguments element-wise.", np.add, lambda g, o, a, b: (g, g))
op_subtract = _binary("op_subtract", "Subtract arguments element-wise.", np.subtract, lambda g, o, a, b: (g, -g))
op_multiply = _binary("op_multiply", "Multiply arguments element-wise.", np.multiply,
                      lambda g, o, a, b: (g * b, g * a))
op_divide = _binary("op_divide", "Divide arguments element-wise.", np.true_divide,
                    lambda g, o, a, b: (g / b, -g * o / b))
op_power = _binary("op_power", "First argument raised to the power of the second, element-wise.", np.power,
                   lambda g, o, a, b: (g * b * np.power(a, b - 1), _pow_grad_b(g, o, a)))
op_maximum = _binary("op_maximum", "Element-wise maximum (ties share the gradient).", np.maximum,
                     lambda g, o, a, b: (g * _tie_split(a, b).astype(g.dtype),
                                         g * _tie_split(b, a).astype(g.dtype)))
op_pmax = _binary("op_pmax", "Element-wise (parallel) maximum, alias of `op_maximum()`.", np.maximum,
                  lambda g, o, a, b: (g * _tie_split(a, b).astype(g.dtype), g * _tie_split(b, a).astype(g.dtype)))
op_minimum = _binary("op_minimum", "Element-wise minimum (ties share the gradient).", np.minimum,
                     lambda g, o, a, b: (g * _tie_split(b, a).astype(g.dtype),
                                         g * _tie_split(a, b).astype(g.dtype)))
op_pmin = _binary("op_pmin", "Element-wise (parallel) minimum, alias of `op_minimum()`.", np.minimum,
                  lambda g, o, a, b: (g * _tie_split(b, a).astype(g.dtype), g * _tie_split(a, b).astype(g.dtype)))
op_mod = _binary("op_mod", "Remainder of division (the sign of the divisor), element-wise.", np.mod,
                 lambda g, o, a, b: (g, -g * np.floor_divide(a, b)))
op_floor_divide = _binary("op_floor_divide", "Largest integer not above the division, element-wise; zero "
                          "gradient.", np.floor_divide, lambda g, o, a, b: (np.zeros_like(g), np.zeros_like(g)))
op_arctan2 = _binary("op_arctan2", "Element-wise arc tangent of `x1 / x2`, choosing the quadrant.", np.arctan2,
                     lambda g, o, a, b: (g * b / (a * a + b * b), -g * a / (a * a + b * b)))
op_logaddexp = _binary("op_logaddexp", "`log(exp(x1) + exp(x2))`, element-wise and stable.", np.logaddexp,
                       lambda g, o, a, b: (g * np.exp(a - o), g * np.exp(b - o)))
op_heaviside = _binary("op_heaviside", "Heaviside step function (`x2` where `x1` is 0); zero gradient.",
                       np.heaviside, lambda g, o, a, b: (np.zeros_like(g), np.zeros_like(g)))


def _divide_no_nan(a, b):
    safe = np.where(b == 0, 1, b)
    return np.where(b == 0, 0, a / safe)


op_divide_no_nan = _binary("op_divide_no_nan", "Safe division: 0 where the denominator is 0.", _divide_no_nan,
                           lambda g, o, a, b: (np.where(b == 0, 0, g / np.where(b == 0, 1, b)),
                                               np.where(b == 0, 0, -g * o / np.where(b == 0, 1, b))))


# ------------------------------------------------------------------------------ comparisons, logic
def _predicate(name, title, fn, arity):
    if arity == 1:
        def op(x):
            return fn(plain(x))
    else:
        def op(x1, x2):
            return fn(plain(x1), plain(x2))
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    return op_doc(title, returns="bool array")(op)


op_equal = _predicate("op_equal", "`x1 == x2`, element-wise.", np.equal, 2)
op_not_equal = _predicate("op_not_equal", "`x1 != x2`, element-wise.", np.not_equal, 2)
op_greater = _predicate("op_greater", "`x1 > x2`, element-wise.", np.greater, 2)
op_greater_equal = _predicate("op_greater_equal", "`x1 >= x2`, element-wise.", np.greater_equal, 2)
op_less = _predicate("op_less", "`x1 < x2`, element-wise.", np.less, 2)
op_less_equal = _predicate("op_less_equal", "`x1 <= x2`, element-wise.", np.less_equal, 2)
op_logical_and = _predicate("op_logical_and", "Logical AND, element-wise.", np.logical_and, 2)
op_logical_or = _predicate("op_logical_or", "Logical OR, element-wise.", np.logical_or, 2)
op_logical_xor = _predicate("op_logical_xor", "Logical XOR, element-wise.", np.logical_xor, 2)
op_logical_not = _predicate("op_logical_not", "Logical NOT, element-wise.", np.logical_not, 1)
op_isnan = _predicate("op_isnan", "Test for NaN, element-wise.", np.isnan, 1)
op_isinf = _predicate("op_isinf", "Test for positive or negative infinity, element-wise.", np.isinf, 1)
op_isfinite = _predicate("op_isfinite", "Test for finiteness (not NaN, not infinite), element-wise.",
                         np.isfinite, 1)
op_signbit = _predicate("op_signbit", "True where the sign bit is set (negative values), element-wise.",
                        np.signbit, 1)


@op_doc("Whether two arrays are element-wise equal within a tolerance.", returns="bool array",
        rtol=("float", "Relative tolerance."), atol=("float", "Absolute tolerance."),
        equal_nan=("bool", "Whether NaNs compare equal."))
def op_isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    return np.isclose(plain(x1), plain(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


# ------------------------------------------------------------------------------ where, clip, nan
@op_doc("Elements of `x1` where `condition` is true, else of `x2` (broadcast together).",
        details="With `x1` and `x2` both None, the indices where `condition` is true (a list of 0-based "
                "index arrays, one per dimension, as Keras' `where(condition)`).",
        condition=("bool array", "Where to take `x1`."),
        x1=("array or None", "Values where `condition` is true."),
        x2=("array or None", "Values where `condition` is false."))
def op_where(condition, x1=None, x2=None):
    c = plain(condition).astype(bool)
    if x1 is None and x2 is None:
        return list(np.nonzero(c))
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` must both be given, or both be None (then the indices of the true "
                         "elements of `condition` are returned).")

    def vjp(g, o, a, b):
        zero = np.zeros((), g.dtype)
        return unbroadcast(np.where(c, g, zero), np.shape(a)), unbroadcast(np.where(c, zero, g), np.shape(b))
    return apply(lambda a, b: np.where(c, a, b), vjp, x1, x2)


@op_doc("Clip (limit) the values of `x` to `[x_min, x_max]`; the gradient passes where `x` is inside.",
        x_min=("number", "Lower bound."), x_max=("number", "Upper bound."))
def op_clip(x, x_min, x_max):
    lo, hi = plain(x_min), plain(x_max)
    return apply(lambda v: np.clip(v, lo, hi),
                 lambda g, o, v: (g * ((v >= lo) & (v <= hi)).astype(g.dtype),), x)


@op_doc("Replace NaN with `nan` and infinities with large finite numbers (or `posinf`, `neginf`).",
        nan=("number", "Value for NaN."), posinf=("number or None", ("Value for +Inf (None: the largest "
                                                                       "finite value).")),
        neginf=("number or None", "Value for -Inf (None: the lowest finite value)."))
def op_nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    return apply(lambda v: np.nan_to_num(v, nan=nan, posinf=posinf, neginf=neginf),
                 lambda g, o, v: (g * np.isfinite(v).astype(g.dtype),), x)


# ------------------------------------------------------------------------------ bitwise, complex parts
def _integer_op(name, title, fn, arity):
    if arity == 1:
        def op(x):
            return fn(plain(x))
    else:
        def op(x, y):
            return fn(plain(x), plain(y))
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    params = {"x": ("integer array", "Input."), "y": ("integer array", "Second input (broadcast against `x`).")}
    return op_doc(title, returns="integer array", **{k: v for k, v in params.items() if arity == 2 or k == "x"})(op)


op_bitwise_and = _integer_op("op_bitwise_and", "Bit-wise AND of two integer arrays, element-wise.", np.bitwise_and, 2)
op_bitwise_or = _integer_op("op_bitwise_or", "Bit-wise OR of two integer arrays, element-wise.", np.bitwise_or, 2)
op_bitwise_xor = _integer_op("op_bitwise_xor", "Bit-wise XOR of two integer arrays, element-wise.", np.bitwise_xor, 2)
op_bitwise_invert = _integer_op("op_bitwise_invert", "Bit-wise inversion (NOT), element-wise.", np.invert, 1)
op_bitwise_not = _integer_op("op_bitwise_not", "Bit-wise inversion (NOT), element-wise.", np.invert, 1)
op_bitwise_left_shift = _integer_op("op_bitwise_left_shift", "Shift the bits of `x` left by `y`.", np.left_shift, 2)
op_bitwise_right_shift = _integer_op("op_bitwise_right_shift", "Shift the bits of `x` right by `y`.",
                                     np.right_shift, 2)
op_left_shift = _integer_op("op_left_shift", "Shift the bits of `x` left by `y`.", np.left_shift, 2)
op_right_shift = _integer_op("op_right_shift", "Shift the bits of `x` right by `y`.", np.right_shift, 2)


def _complex_part(name, title, fn):
    def op(x):
        return fn(plain(x))
    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    return op_doc(title + " (no gradient: rkeras differentiates real arrays only).")(op)


op_real = _complex_part("op_real", "The real part of `x`, element-wise", np.real)
op_imag = _complex_part("op_imag", "The imaginary part of `x`, element-wise", np.imag)
op_conj = _complex_part("op_conj", "The complex conjugate of `x`, element-wise", np.conj)
op_angle = _complex_part("op_angle", "The argument (angle) of the complex `x`, element-wise", np.angle)


@op_doc("Choose among `choicelist` by the first true condition of `condlist` (else `default`).",
        condlist=("list of bool arrays", "The conditions, in order of priority."),
        choicelist=("list of arrays", "The value for each condition."),
        default=("number or array", "The value where no condition holds."))
def op_select(condlist, choicelist, default=0):
    out = default
    for cond, choice in zip(reversed(list(condlist)), reversed(list(choicelist))):
        c = np.asarray(plain(cond), dtype=bool)
        out = op_where(c, choice, out)
    return out
