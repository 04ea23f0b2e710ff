"""Accurate column sums: the bias gradients of dense layers and convolutions, and other gradient reductions.

A bias that feeds batch normalization has a zero gradient in exact arithmetic, so the value it gets is
pure round-off, and Adam turns round-off into learning-rate-sized steps (issue 17). numpy's float32
`a.sum(axis=0)` over rows accumulates each column naively along a strided axis, so its error grows with
the number of rows. These kernels add float32 values in float64 accumulators: the result is the float64
sum of the float32 inputs, rounded once.

Parallel over chunks of rows, each thread with its own row of partial sums (no false sharing), then
a short combine; small arrays take the serial path (a parallel region costs more than the work).
"""

import numpy as np
from numba import njit, prange

from .threads import threads_for

__all__ = ["column_sums", "column_sums_f64"]

_FM_REDUCE = {"reassoc", "contract", "nsz", "arcp"}  # vectorizes the loop-carried sums; keeps NaN/Inf


@njit(cache=True, fastmath=_FM_REDUCE)
def _column_sums_rows(a, r0, r1, acc):
    """acc[j] += sum of a[r0:r1, j], in float64."""
    cols = a.shape[1]
    for i in range(r0, r1):
        for j in range(cols):
            acc[j] += a[i, j]


@njit(cache=True, parallel=True)
def _column_sums_parallel(a, chunks, partial):
    rows = a.shape[0]
    step = (rows + chunks - 1) // chunks
    for c in prange(chunks):
        r0 = c * step
        r1 = min(rows, r0 + step)
        if r0 < r1:
            _column_sums_rows(a, r0, r1, partial[c])


def column_sums_f64(a):
    """Float64 sums of the columns of a 2-D array (each column's values added in float64)."""
    a = np.ascontiguousarray(a)
    if a.ndim != 2:
        raise ValueError(f"column_sums_f64 expects a 2-D array; received shape {a.shape}.")
    if a.dtype.kind != "f":
        return a.sum(axis=0, dtype=np.float64)
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    chunks = threads_for(a.size)
    cols = a.shape[1]
    if chunks == 1 or a.shape[0] < 2 * chunks:
        acc = np.zeros(cols, np.float64)
        _column_sums_rows(a, 0, a.shape[0], acc)
        return acc
    width = cols + (-cols) % 8 + 8  # pad each thread's row of partials past a cache line
    partial = np.zeros((chunks, width), np.float64)
    _column_sums_parallel(a, chunks, partial)
    return partial[:, :cols].sum(axis=0)


def column_sums(a, dtype=None):
    """`a.sum(axis=0)` of a 2-D array, accumulated in float64 and returned in `dtype` (default: a's)."""
    return column_sums_f64(a).astype(dtype or a.dtype, copy=False)
