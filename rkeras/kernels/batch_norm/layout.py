"""How the batch-normalization passes cut the (O, C, I) grid: near-equal contiguous chunks (one per thread),
tiles of whole rows when I == 1, and the compile options every pass shares.

Why each constant has its value: benchmarks/NOTES.md, under the constant's name.

Numba's on-disk cache checks only each kernel's own source file: the kernels of `sums.py` and `affine.py`
compiled these constants and functions in, so after changing this file touch those two as well (or their
cached kernels keep the old values).
"""

import numpy as np
from numba import njit

__all__ = ["FM_ELEMENTWISE", "FM_REDUCE", "PARALLEL", "TILE", "WIDE", "bound", "tile"]

FM_ELEMENTWISE = {"contract"}  # FMAs; element-wise loops vectorize without reassociation
FM_REDUCE = {"reassoc", "contract", "nsz", "arcp"}  # lets LLVM vectorize a loop-carried sum
# Only explicit prange loops run in parallel: numba's automatic conversion of np.zeros, sums, ... into
# parallel regions would add compile time and thread launches.
PARALLEL = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
            "setitem": False, "numpy": False, "stencil": False, "fusion": False}
TILE = 512  # I == 1: elements per tile (whole rows); small tiles stay in L1
WIDE = 64  # I == 1: rows of at least this many channels are walked row by row, not in tiles


@njit(cache=True)
def bound(total, nchunks, k):
    """Start of chunk k when [0, total) is cut into nchunks near-equal contiguous ranges."""
    return total * np.int64(k) // nchunks


@njit(cache=True)
def tile(v, rows):
    """v repeated `rows` times: the per-channel pattern of `rows` consecutive rows when I == 1."""
    n = v.shape[0]
    out = np.empty(rows * n, v.dtype)
    for r in range(rows):
        seg = out[r * n:(r + 1) * n]
        for c in range(n):
            seg[c] = v[c]
    return out

