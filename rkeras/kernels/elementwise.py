"""Numba kernels of elementwise activations on large batches: one pass, both cores.

numpy's `np.maximum(x, 0)` runs on one core, and the relu gradient `grad * (y > 0)` takes three passes
(a mask, its cast, the product); between two convolutions that ran on every core, these serial passes
were a tenth of a CNN's step. Each kernel here reads its inputs once and writes its output once, in
parallel over chunks of the flattened arrays, each chunk through local views (a loop over a slice
indexed from 0 vectorizes; indexing the whole array from a chunk offset kept numba's negative-index
check per element and ran 9x slower). NaN and infinities give numpy's numbers exactly.
The activations call them above `PARALLEL_SIZE` values and keep numpy below it (a parallel region's
start costs microseconds).
"""

from numba import njit, prange

__all__ = ["PARALLEL_SIZE", "relu_backward", "relu_forward"]

#: Values from which the kernels beat numpy's single-core passes (see benchmarks/NOTES.md)
PARALLEL_SIZE = 1 << 16
_CHUNK = 1 << 14


@njit(parallel=True, cache=True)
def relu_forward(x, out):
    """out = max(x, 0), NaN kept (flat C-contiguous arrays)."""
    n = x.size
    for b in prange((n + _CHUNK - 1) // _CHUNK):
        lo, hi = b * _CHUNK, min(n, (b + 1) * _CHUNK)
        xs, os = x[lo:hi], out[lo:hi]  # local views: the loop vectorizes (indices from 0)
        for i in range(xs.size):
            v = xs[i]
            os[i] = 0 if v < 0 else v  # noqa: FURB136 (keeps NaN, whatever max() does with it)


@njit(parallel=True, cache=True)
def relu_backward(y, grad, out):
    """out = grad * (y > 0) (flat C-contiguous arrays; y is the forward output)."""
    n = y.size
    for b in prange((n + _CHUNK - 1) // _CHUNK):
        lo, hi = b * _CHUNK, min(n, (b + 1) * _CHUNK)
        ys, gs, os = y[lo:hi], grad[lo:hi], out[lo:hi]
        for i in range(ys.size):
            os[i] = gs[i] if ys[i] > 0 else gs[i] * 0  # * 0: an infinite gradient gives NaN, as numpy
