"""Reductions with R axes (`axis = 1` is the first dimension): sums, means, extrema, moments, arg*."""

import numpy as np
from scipy import special

from ._base import apply, float_dtype, op_doc, plain, r_axes, r_axis, sum64

__all__ = [
    "op_all", "op_any", "op_argmax", "op_argmin", "op_average", "op_count_nonzero", "op_cumprod",
    "op_cumsum", "op_logsumexp", "op_max", "op_mean", "op_median", "op_min", "op_moments", "op_prod",
    "op_quantile", "op_std", "op_sum", "op_var",
]


def _expand(g, shape, axes, keepdims):
    """Bring a reduced gradient back to a broadcastable shape of the input."""
    if axes is None:
        return np.reshape(g, (1,) * len(shape))
    if keepdims:
        return g
    return np.expand_dims(g, axes)


def _broadcast_grad(g, x, axes, keepdims, scale=None):
    out = np.broadcast_to(_expand(g, x.shape, axes, keepdims), x.shape)
    if scale is not None:
        out = out * scale
    return np.array(out, dtype=float_dtype(x))


def _count(shape, axes):
    return int(np.prod([shape[a] for a in (axes if axes is not None else range(len(shape)))], dtype=np.int64))


@op_doc("Sum of the elements over `axis` (accumulated in float64).")
def op_sum(x, axis=None, keepdims=False):
    v = plain(x)
    axes = r_axes(axis, np.ndim(v))
    return apply(lambda a: sum64(a, axes, keepdims), lambda g, o, a: (_broadcast_grad(g, a, axes, keepdims),), x)


def sum0(x, axis=None, keepdims=False):
    """`op_sum` with 0-based numpy axes (for the numpy dispatch of TapeArray)."""
    axes = None if axis is None else tuple(np.atleast_1d(axis) % max(np.ndim(plain(x)), 1))
    return apply(lambda a: sum64(a, axes, keepdims), lambda g, o, a: (_broadcast_grad(g, a, axes, keepdims),), x)


@op_doc("Mean of the elements over `axis` (accumulated in float64).")
def op_mean(x, axis=None, keepdims=False):
    axes = r_axes(axis, np.ndim(plain(x)))
    return mean0(x, axes, keepdims)


def mean0(x, axis=None, keepdims=False):
    v = plain(x)
    axes = None if axis is None else tuple(np.atleast_1d(axis) % max(v.ndim, 1))
    n = _count(v.shape, axes)
    return apply(lambda a: np.asarray(sum64(a, axes, keepdims) / n, dtype=float_dtype(a)),
                 lambda g, o, a: (_broadcast_grad(g, a, axes, keepdims, 1.0 / n),), x)


def _extremum(fn, x, axes, keepdims):
    def vjp(g, o, a):
        hit = (a == _expand(o, a.shape, axes, keepdims)).astype(float_dtype(a))
        hit /= np.sum(hit, axis=axes, keepdims=True)  # ties share the gradient
        return (_broadcast_grad(g, a, axes, keepdims) * hit,)
    return apply(lambda a: fn(a, axis=axes, keepdims=keepdims), vjp, x)


@op_doc("Maximum over `axis` (ties share the gradient).",
        initial=("number or None", "A value the maximum is at least (None: none)."))
def op_max(x, axis=None, keepdims=False, initial=None):
    out = _extremum(np.max, x, r_axes(axis, np.ndim(plain(x))), keepdims)
    return out if initial is None else _maximum_initial(out, initial)


@op_doc("Minimum over `axis` (ties share the gradient).",
        initial=("number or None", "A value the minimum is at most (None: none)."))
def op_min(x, axis=None, keepdims=False, initial=None):
    out = _extremum(np.min, x, r_axes(axis, np.ndim(plain(x))), keepdims)
    if initial is None:
        return out
    from .math import op_minimum
    return op_minimum(out, initial)


def _maximum_initial(out, initial):
    from .math import op_maximum
    return op_maximum(out, initial)


def max0(x, axis=None, keepdims=False):
    axes = None if axis is None else tuple(np.atleast_1d(axis) % max(np.ndim(plain(x)), 1))
    return _extremum(np.max, x, axes, keepdims)


def min0(x, axis=None, keepdims=False):
    axes = None if axis is None else tuple(np.atleast_1d(axis) % max(np.ndim(plain(x)), 1))
    return _extremum(np.min, x, axes, keepdims)


@op_doc("Product of the elements over `axis`.",
        dtype=("str or None", "dtype of the result (None: that of `x`)."))
def op_prod(x, axis=None, keepdims=False, dtype=None):
    axes = r_axes(axis, np.ndim(plain(x)))

    def vjp(g, o, a):
        # product of the others: exact when no element is zero, by explicit products otherwise
        if np.all(a != 0):
            return (_broadcast_grad(g, a, axes, keepdims) * (_expand(o, a.shape, axes, keepdims) / a),)
        moved_axes = tuple(range(a.ndim)) if axes is None else axes
        rest = [i for i in range(a.ndim) if i not in moved_axes]
        t = np.transpose(a, rest + list(moved_axes))
        flat = t.reshape(t.shape[:len(rest)] + (-1,))
        n = flat.shape[-1]
        others = np.empty_like(flat)
        for i in range(n):
            others[..., i] = np.prod(np.delete(flat, i, axis=-1), axis=-1)
        others = others.reshape(t.shape)
        inv = np.argsort(rest + list(moved_axes))
        return (_broadcast_grad(g, a, axes, keepdims) * np.transpose(others, inv),)
    out = apply(lambda a: np.prod(a, axis=axes, keepdims=keepdims), vjp, x)
    if dtype is not None:
        from .core import op_cast
        return op_cast(out, dtype)
    return out


@op_doc("Variance over `axis` (biased, divided by the count).")
def op_var(x, axis=None, keepdims=False):
    axes = r_axes(axis, np.ndim(plain(x)))

    def fwd(a):
        m = sum64(a, axes, True).astype(np.float64) / _count(a.shape, axes)
        d = a.astype(np.float64) - m
        return np.asarray(np.sum(d * d, axis=axes, keepdims=keepdims) / _count(a.shape, axes), dtype=float_dtype(a))

    def vjp(g, o, a):
        n = _count(a.shape, axes)
        m = sum64(a, axes, True) / n
        return (_broadcast_grad(g, a, axes, keepdims) * (2.0 / n) * (a - m),)
    return apply(fwd, vjp, x)


@op_doc("Standard deviation over `axis` (biased).")
def op_std(x, axis=None, keepdims=False):
    from .math import op_sqrt
    return op_sqrt(op_var(x, axis=axis, keepdims=keepdims))


@op_doc("`log(sum(exp(x)))` over `axis`, computed stably.")
def op_logsumexp(x, axis=None, keepdims=False):
    axes = r_axes(axis, np.ndim(plain(x)))
    return apply(lambda a: np.asarray(special.logsumexp(a, axis=axes, keepdims=keepdims), dtype=float_dtype(a)),
                 lambda g, o, a: (_broadcast_grad(g, a, axes, keepdims)
                                  * np.exp(a - _expand(o, a.shape, axes, keepdims)),), x)


@op_doc("Whether all elements over `axis` are true (non-zero).", returns="bool array")
def op_all(x, axis=None, keepdims=False):
    v = plain(x)
    return np.all(v, axis=r_axes(axis, v.ndim), keepdims=keepdims)


@op_doc("Whether any element over `axis` is true (non-zero).", returns="bool array")
def op_any(x, axis=None, keepdims=False):
    v = plain(x)
    return np.any(v, axis=r_axes(axis, v.ndim), keepdims=keepdims)


@op_doc("Number of non-zero elements over `axis`.", returns="integer array")
def op_count_nonzero(x, axis=None):
    v = plain(x)
    return np.count_nonzero(v, axis=r_axes(axis, v.ndim))


def _arg(fn, x, axis, keepdims, zero_indexed):
    v = plain(x)
    if axis is None:
        out = fn(v.reshape(-1))
        out = np.reshape(out, (1,) * v.ndim) if keepdims else out
    else:
        ax = r_axis(axis, v.ndim)
        out = fn(v, axis=ax, keepdims=keepdims)
    out = np.asarray(out, dtype=np.int32)
    return out if zero_indexed else out + 1


@op_doc("Indices of the maximum values over `axis` (1-based unless `zero_indexed`).", returns="int32 array")
def op_argmax(x, axis=None, keepdims=False, zero_indexed=False):
    return _arg(np.argmax, x, axis, keepdims, zero_indexed)


@op_doc("Indices of the minimum values over `axis` (1-based unless `zero_indexed`).", returns="int32 array")
def op_argmin(x, axis=None, keepdims=False, zero_indexed=False):
    return _arg(np.argmin, x, axis, keepdims, zero_indexed)


@op_doc("Cumulative sum over `axis` (None: over the flattened array).",
        dtype=("str or None", "dtype of the result (None: that of `x`)."))
def op_cumsum(x, axis=None, dtype=None):
    v = plain(x)
    ax = None if axis is None else r_axis(axis, v.ndim)

    def vjp(g, o, a):
        gg = g if ax is not None else g.reshape(-1)
        axx = ax if ax is not None else 0
        r = np.flip(np.cumsum(np.flip(gg, axx), axis=axx), axx)
        return (r.reshape(a.shape),)
    out = apply(lambda a: np.cumsum(a, axis=ax), vjp, x)
    if dtype is not None:
        from .core import op_cast
        return op_cast(out, dtype)
    return out


@op_doc("Cumulative product over `axis` (None: over the flattened array).",
        dtype=("str or None", "dtype of the result (None: that of `x`)."))
def op_cumprod(x, axis=None, dtype=None):
    v = plain(x)
    ax = None if axis is None else r_axis(axis, v.ndim)

    def vjp(g, o, a):
        aa = a if ax is not None else a.reshape(-1)
        gg = g if ax is not None else g.reshape(-1)
        axx = ax if ax is not None else 0
        oo = np.cumprod(aa, axis=axx)
        # d out_j / d a_i = out_j / a_i for j >= i (no zeros in a: the common case)
        r = np.flip(np.cumsum(np.flip(gg * oo, axx), axis=axx), axx) / aa
        return (r.reshape(a.shape),)
    out = apply(lambda a: np.cumprod(a, axis=ax), vjp, x)
    if dtype is not None:
        from .core import op_cast
        return op_cast(out, dtype)
    return out


@op_doc("Weighted average over `axis`.",
        weights=("array or None", ("Weights, of the shape of `x` or of its `axis` dimension (None: plain "
                                  "mean).")))
def op_average(x, axis=None, weights=None):
    from .math import op_divide, op_multiply
    from .shape import op_broadcast_to, op_reshape
    if weights is None:
        return op_mean(x, axis=axis)
    v = plain(x)
    if axis is not None and np.ndim(plain(weights)) == 1 and v.ndim > 1:
        shape = [1] * v.ndim
        shape[r_axis(axis, v.ndim)] = -1
        weights = op_reshape(weights, tuple(shape))
    wb = op_broadcast_to(weights, v.shape)
    return op_divide(op_sum(op_multiply(x, wb), axis=axis), op_sum(wb, axis=axis))


@op_doc("Median over `axis` (the gradient goes to the middle element, or half to each of the two).")
def op_median(x, axis=None, keepdims=False):
    from .shape import op_sort
    v = plain(x)
    if axis is None:
        from .shape import op_reshape
        flat = op_sort(op_reshape(x, (-1,)), axis=-1)
        n = v.size
        mid = _mid(flat, n, 0)
        return op_reshape(mid, (1,) * v.ndim) if keepdims else mid
    ax = r_axis(axis, v.ndim)
    srt = op_sort(x, axis=ax + 1)
    mid = _mid(srt, v.shape[ax], ax)
    if keepdims:
        from .shape import op_expand_dims
        return op_expand_dims(mid, ax + 1)
    return mid


def _mid(sorted_x, n, ax):
    from .math import op_add, op_multiply
    from .shape import op_take
    if n % 2:
        return op_take(sorted_x, n // 2, axis=ax + 1, zero_indexed=True)
    lo = op_take(sorted_x, n // 2 - 1, axis=ax + 1, zero_indexed=True)
    hi = op_take(sorted_x, n // 2, axis=ax + 1, zero_indexed=True)
    return op_multiply(op_add(lo, hi), 0.5)


@op_doc("Mean and variance over `axes` (a pair).", returns="list of two arrays",
        axes=("int or list of int", "The axes to reduce, R style (1-based, or negative from the end)."),
        synchronized=("bool", "Accepted for R keras3 compatibility; without a distribution it has no effect."))
def op_moments(x, axes, keepdims=False, synchronized=False):
    return [op_mean(x, axis=axes, keepdims=keepdims), op_var(x, axis=axes, keepdims=keepdims)]


@op_doc("The `q`-th quantile(s) over `axis` (linear interpolation between sorted values).",
        q=("number or 1-d array", "Quantile(s) in [0, 1]; several give a leading dimension."),
        method=("str", "Only \"linear\" (numpy's default) is supported."))
def op_quantile(x, q, axis=None, method="linear", keepdims=False):
    if method != "linear":
        raise ValueError(f"`method` must be \"linear\"; received {method!r}.")
    from .math import op_add, op_multiply
    from .shape import op_expand_dims, op_reshape, op_sort, op_stack, op_take
    v = plain(x)
    if axis is None:
        x, ax = op_reshape(x, (-1,)), 0
    else:
        ax = r_axis(axis, v.ndim)
    srt = op_sort(x, axis=ax + 1)
    n = np.shape(plain(srt))[ax]
    qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"`q` must be in [0, 1]; received {q!r}.")
    outs = []
    for qq in qs:
        pos = qq * (n - 1)
        lo, frac = int(np.floor(pos)), pos - np.floor(pos)
        hi = min(lo + 1, n - 1)
        val = op_add(op_multiply(op_take(srt, lo, axis=ax + 1, zero_indexed=True), 1.0 - frac),
                     op_multiply(op_take(srt, hi, axis=ax + 1, zero_indexed=True), frac))
        if keepdims:
            val = op_expand_dims(val, ax + 1) if axis is not None else op_reshape(val, (1,) * v.ndim)
        outs.append(val)
    return outs[0] if np.ndim(q) == 0 else op_stack(outs, axis=1)
