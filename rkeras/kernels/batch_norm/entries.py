"""The batch-normalization kernel API: training forward, inference forward and backward on (O, C, I) views.

Each entry checks its arguments (a wrong shape would make a kernel read or write out of bounds), then
runs the statistics pass (`sums.py`), one small njit for the per-channel coefficients (`coefficients.py`)
and the element-wise pass (`affine.py`), cutting each pass into `threads_for(x.size)` chunks.

Plain Python on purpose: it calls the cached kernels as their own dispatchers, so the three entries
share their compiled code instead of each compiling it inline again (benchmarks/NOTES.md, "entries.py").
"""

import numpy as np

from ..threads import threads_for
from .affine import affine
from .coefficients import backward_coefficients, forward_coefficients
from .sums import gradient_sums, moments

__all__ = ["backward", "inference", "train"]

_NO_MASK = np.zeros(0, np.bool_)  # the flat mask argument of passes without a mask
_F32, _F64, _BOOL = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.bool_)
_FLOATS = (_F32, _F64)


# --------------------------------------------------------------------------------------------- checks
# Each entry first asks one cheap question (`_*_fits`: shapes, dtypes, contiguity, as one expression,
# benchmarks/NOTES.md); only when the answer is no do the detailed checks run, to name the wrong argument.
def _forward_fits(x, mask, gamma, beta, moving_mean, moving_variance, out, mean, invstd):
    try:
        xs = x.shape
        vec, dt, xd = (xs[1],), moving_mean.dtype, x.dtype
        return ((xd is _F32 or xd is _F64) and (dt is _F32 or dt is _F64) and len(xs) == 3
                and x.flags.c_contiguous and out.flags.c_contiguous
                and (out.shape, out.dtype, moving_mean.shape, moving_variance.shape, moving_variance.dtype,
                     mean.shape, mean.dtype, invstd.shape, invstd.dtype)
                == (xs, xd, vec, vec, dt, vec, _F64, vec, _F64)
                and (gamma is None or (gamma.shape == vec and gamma.dtype is dt))
                and (beta is None or (beta.shape == vec and beta.dtype is dt))
                and (mask is None or (mask.shape == (xs[0], xs[2]) and mask.dtype is _BOOL
                                      and mask.flags.c_contiguous)))
    except (AttributeError, IndexError, TypeError):  # not arrays: the detailed checks say which
        return False


def _backward_fits(g, x, mask, mean, invstd, gamma, out, sum_g, sum_gxhat):
    try:
        xs = x.shape
        vec, xd = (xs[1],), x.dtype
        return ((xd is _F32 or xd is _F64) and len(xs) == 3
                and x.flags.c_contiguous and g.flags.c_contiguous and out.flags.c_contiguous
                and (g.shape, g.dtype, out.shape, out.dtype, mean.shape, mean.dtype, invstd.shape, invstd.dtype,
                     sum_g.shape, sum_g.dtype, sum_gxhat.shape, sum_gxhat.dtype)
                == (xs, xd, xs, xd, vec, _F64, vec, _F64, vec, _F64, vec, _F64)
                and (gamma is None or (gamma.shape == vec and (gamma.dtype is _F32 or gamma.dtype is _F64)))
                and (mask is None or (mask.shape == (xs[0], xs[2]) and mask.dtype is _BOOL
                                      and mask.flags.c_contiguous)))
    except (AttributeError, IndexError, TypeError):
        return False


def _fail(name, what, arr):
    raise ValueError(f"`{name}` must be {what}; received {type(arr).__name__} of shape "
                     f"{getattr(arr, 'shape', None)}, dtype {getattr(arr, 'dtype', None)}.")


def _check_x(x):
    if type(x) is not np.ndarray or x.ndim != 3 or x.dtype not in _FLOATS or not x.flags.c_contiguous:
        _fail("x", "a C-contiguous float32 or float64 array of shape (O, C, I)", x)


def _check_like(name, arr, x):
    if type(arr) is not np.ndarray or arr.shape != x.shape or arr.dtype != x.dtype or not arr.flags.c_contiguous:
        _fail(name, f"a C-contiguous {x.dtype} array of shape {x.shape}", arr)


def _check_mask(mask, x):
    if mask is not None and (type(mask) is not np.ndarray or mask.shape != (x.shape[0], x.shape[2])
                             or mask.dtype != np.bool_ or not mask.flags.c_contiguous):
        _fail("mask", f"None or a C-contiguous bool array of shape {(x.shape[0], x.shape[2])}", mask)


def _check_vectors(C, dtypes, **vectors):
    for name, v in vectors.items():
        if type(v) is not np.ndarray or v.shape != (C,) or v.dtype not in dtypes:
            what = "float64" if dtypes == (_F64,) else "float32 or float64"
            _fail(name, f"a {what} array of shape ({C},)", v)


def _check_forward(x, mask, gamma, beta, moving_mean, moving_variance, out, mean, invstd):
    """Raises a ValueError naming the first argument of `train` / `inference` that does not fit."""
    _check_x(x)
    C = x.shape[1]
    _check_like("out", out, x)
    _check_mask(mask, x)
    _check_vectors(C, _FLOATS, moving_mean=moving_mean)
    dtype = (moving_mean.dtype,)  # the layer's variables share one dtype
    _check_vectors(C, dtype, moving_variance=moving_variance)
    if gamma is not None:
        _check_vectors(C, dtype, gamma=gamma)
    if beta is not None:
        _check_vectors(C, dtype, beta=beta)
    _check_vectors(C, (_F64,), mean=mean, invstd=invstd)


def _check_backward(g, x, mask, mean, invstd, gamma, out, sum_g, sum_gxhat):
    """Raises a ValueError naming the first argument of `backward` that does not fit."""
    _check_x(x)
    C = x.shape[1]
    _check_like("g", g, x)
    _check_like("out", out, x)
    _check_mask(mask, x)
    _check_vectors(C, (_F64,), mean=mean, invstd=invstd, sum_g=sum_g, sum_gxhat=sum_gxhat)
    if gamma is not None:
        _check_vectors(C, _FLOATS, gamma=gamma)


# --------------------------------------------------------------------------------------------- entries
def train(x, mask, gamma, beta, moving_mean, moving_variance, momentum, epsilon, out, mean, invstd,
          reduce_moments=None):
    """Training forward: out = gamma (x - mean) invstd + beta with the batch statistics, and
    moving = moving * momentum + batch statistic * (1 - momentum). Returns the count (float).

    x: C-contiguous float32 or float64 (O, C, I); mask: None or bool (O, I), True where a position counts
    in the statistics; gamma, beta: None (absent) or (C,) of the moving statistics' dtype; moving_mean,
    moving_variance: (C,) float32 or float64, updated in place; out: x's shape and dtype; mean, invstd:
    float64 (C,), filled (the backward needs them). With no counted position, mean and var are 0.

    `reduce_moments(count, mean, var) -> count`, if given, replaces the batch statistics (float64, in
    place) by the global ones before they are used (synchronized batch normalization)."""
    if not _forward_fits(x, mask, gamma, beta, moving_mean, moving_variance, out, mean, invstd):
        _check_forward(x, mask, gamma, beta, moving_mean, moving_variance, out, mean, invstd)
    C = x.shape[1]
    has_gamma, has_beta, has_mask = gamma is not None, beta is not None, mask is not None
    gamma = moving_mean if gamma is None else gamma  # stands in, not read
    beta = moving_mean if beta is None else beta
    mask = _NO_MASK if mask is None else mask.reshape(-1)
    return _train(x.reshape(-1), mask, has_mask, C, x.shape[2], gamma, has_gamma, beta, has_beta, moving_mean,
                  moving_variance, momentum, epsilon, out.reshape(-1), mean, invstd, threads_for(x.size),
                  reduce_moments)


def inference(x, gamma, beta, moving_mean, moving_variance, epsilon, out, mean, invstd):
    """Inference forward with the moving statistics: out = gamma (x - moving_mean) / sqrt(moving_variance +
    epsilon) + beta; mean and invstd (float64 (C,)) are filled from them. Arguments as `train`."""
    if not _forward_fits(x, None, gamma, beta, moving_mean, moving_variance, out, mean, invstd):
        _check_forward(x, None, gamma, beta, moving_mean, moving_variance, out, mean, invstd)
    C = x.shape[1]
    has_gamma, has_beta = gamma is not None, beta is not None
    gamma = moving_mean if gamma is None else gamma
    beta = moving_mean if beta is None else beta
    _infer(x.reshape(-1), C, x.shape[2], gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
           epsilon, out.reshape(-1), mean, invstd, threads_for(x.size))


def backward(g, x, mask, mean, invstd, gamma, count, out, sum_g, sum_gxhat, reduce_sums=None):
    """Backward of `train` (count > 0) or of constant statistics (count 0: inference, or nothing counted).

    Fills sum_g = sum of g and sum_gxhat = sum of g (x - mean) invstd (float64 (C,), over every position:
    the gradients of beta and gamma) and out = dx: with count > 0, gamma invstd (g - w (sum_g + xhat
    sum_gxhat) / count), w = mask (1 without), else gamma invstd g. g, out: x's shape and dtype; mean,
    invstd: the forward's; gamma: None or (C,) float32 or float64.

    `reduce_sums(sum_g, sum_gxhat)`, if given, replaces the sums in place by the global ones before dx is
    computed (synchronized batch normalization)."""
    if not _backward_fits(g, x, mask, mean, invstd, gamma, out, sum_g, sum_gxhat):
        _check_backward(g, x, mask, mean, invstd, gamma, out, sum_g, sum_gxhat)
    C = x.shape[1]
    has_mask = mask is not None
    mask = _NO_MASK if mask is None else mask.reshape(-1)
    _backward(g.reshape(-1), x.reshape(-1), mask, has_mask, C, x.shape[2], mean, invstd,
              mean if gamma is None else gamma, gamma is not None, float(count), out.reshape(-1), sum_g, sum_gxhat,
              threads_for(x.size), reduce_sums)


# --------------------------------------------------------------------------------------------- passes
def _train(x, mask, has_mask, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance, momentum,
           epsilon, out, mean, invstd, nchunks, reduce_moments=None):
    """`train` on flat arrays with up to nchunks chunks (threads) per pass (1: no parallel region)."""
    var = np.empty(C)
    n = moments(x, mask, has_mask, C, I, nchunks, mean, var)
    if reduce_moments is not None:
        n = reduce_moments(n, mean, var)
    k_x, k_0, center = np.empty(C, x.dtype), np.empty(C, x.dtype), np.empty(C, x.dtype)
    forward_coefficients(x, mean, var, True, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
                         momentum, epsilon, invstd, k_x, k_0, center)
    affine(x, x, mask, False, False, k_x, k_x, k_0, center, out, C, I, nchunks)
    return n * 1.0


def _infer(x, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance, epsilon, out, mean, invstd,
           nchunks):
    """`inference` on flat arrays with up to nchunks chunks."""
    var = np.empty(C)
    k_x, k_0, center = np.empty(C, x.dtype), np.empty(C, x.dtype), np.empty(C, x.dtype)
    forward_coefficients(x, mean, var, False, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
                         0.0, epsilon, invstd, k_x, k_0, center)
    affine(x, x, _NO_MASK, False, False, k_x, k_x, k_0, center, out, C, I, nchunks)


def _backward(g, x, mask, has_mask, C, I, mean, invstd, gamma, has_gamma, count, out, sum_g, sum_gxhat, nchunks,
              reduce_sums=None):
    """`backward` on flat arrays with up to nchunks chunks."""
    gradient_sums(g, x, C, I, nchunks, mean, invstd, sum_g, sum_gxhat)
    if reduce_sums is not None:
        reduce_sums(sum_g, sum_gxhat)
    full = count > 0
    k_g, k_x, k_0, center = (np.empty(C, np.float64) for _ in range(4))
    backward_coefficients(x, mean, invstd, gamma, has_gamma, count, full, sum_g, sum_gxhat, k_g, k_x, k_0, center)
    if full:
        affine(g, x, mask, has_mask, True, k_g, k_x, k_0, center, out, C, I, nchunks)
    else:
        affine(g, g, mask, False, False, k_x, k_x, k_0, center, out, C, I, nchunks)
