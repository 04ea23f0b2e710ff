"""Numba batch-normalization kernels on a C-contiguous (outer, channels, inner) view.

Every kernel takes `x` of shape (O, C, I): C is the product of the normalized axes, O of the axes before
them, I of the axes after (dense (N, F) -> (N, F, 1); channels-last images -> (N*H*W, C, 1);
channels-first -> (N, C, H*W)). `mask` is a C-contiguous bool array of shape (O, I), read only when
`has_mask` is true (pass an empty bool array otherwise). Outputs are allocated by the caller.

The public functions are thin Python wrappers that check shapes (a wrong shape would otherwise write out
of bounds) and choose the number of chunks; the work runs in `@njit(cache=True)` functions that compile
once per dtype (float32, float64).

Parallel layout: the (O, I) grid of positions is cut into one contiguous range per thread. With I == 1
(channels-last, dense) each thread walks rows and keeps its own per-channel partial sums; with I > 1
(channels-first) each thread streams its rows in memory order (o, then c, then i), never channel by
channel. Ranges are cut inside rows when O is small, so O == 1 still uses every thread.

Accuracy of the statistics: sums are taken of `x - shift`, where the shift is the thread's first counted
element of the channel, accumulated in x's dtype over short blocks (16 rows, or <= 256 contiguous
elements) that are folded into float64; per-thread partials are combined with Chan's formula. This is one
read pass and keeps float32 variances accurate even when |mean|/std is 1e6.
"""

import numba
import numpy as np
from numba import njit, prange

__all__ = ["moments", "normalize", "backward_sums", "backward_input", "threads_for"]

# `reassoc` lets LLVM vectorize the contiguous-row reductions, `contract` gives FMAs. No `nnan`/`ninf`:
# NaN and Inf must flow through to the outputs.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}
_BLOCK_ROWS = 16      # channels-last: rows per float32 block before folding into float64
_BLOCK_INNER = 256    # channels-first: contiguous elements per float32 block
_SERIAL_BELOW = 65536  # elements; only used when the threading layer is the slow `workqueue`
# Only explicit prange loops run in parallel: numba's automatic conversion of np.zeros, sums, ... to
# parallel regions would add compile time and a thread launch per small array.
_PARALLEL = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
             "setitem": False, "numpy": False, "stencil": False, "fusion": False}


# --------------------------------------------------------------------------------------------- threads
_small_serial = None


def threads_for(size):
    """Number of chunks (threads) a kernel should use for an array of `size` elements.

    All of numba's threads, except for small arrays under the `workqueue` threading layer, whose
    parallel regions cost ~100 us: those run serially (no parallel region is entered for one chunk).
    """
    global _small_serial
    threads = numba.get_num_threads()  # also starts the threading layer, so the next line can ask it
    if _small_serial is None:
        _small_serial = numba.threading_layer() == "workqueue"
    if _small_serial and size < _SERIAL_BELOW:
        return 1
    return threads


def _check(name, arr, shape, dtype):
    if not isinstance(arr, np.ndarray) or arr.shape != shape or arr.dtype != dtype \
            or not arr.flags.c_contiguous:
        got = (f"{type(arr).__name__} of shape {getattr(arr, 'shape', None)}, "
               f"dtype {getattr(arr, 'dtype', None)}")
        raise ValueError(f"`{name}` must be a C-contiguous {np.dtype(dtype)} array of shape {shape}; "
                         f"received {got}.")


def _check_x(name, x):
    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.dtype not in (np.float32, np.float64) \
            or not x.flags.c_contiguous:
        raise ValueError(f"`{name}` must be a C-contiguous float32 or float64 array of shape (O, C, I); "
                         f"received {type(x).__name__} of shape {getattr(x, 'shape', None)}, "
                         f"dtype {getattr(x, 'dtype', None)}.")


def _check_mask(x, mask, has_mask):
    if has_mask:
        _check("mask", mask, (x.shape[0], x.shape[2]), np.bool_)
    elif not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.ndim != 2 \
            or not mask.flags.c_contiguous:
        raise ValueError("`mask` must be a C-contiguous 2-D bool array (empty when has_mask is False); "
                         f"received {type(mask).__name__} of dtype {getattr(mask, 'dtype', None)}.")


# --------------------------------------------------------------------------------------------- helpers
@njit(cache=True, inline="always")
def _bound(total, nchunks, k):
    """Start of chunk k when [0, total) is cut into nchunks near-equal contiguous ranges."""
    return total * k // nchunks


# --------------------------------------------------------------------------------------------- moments
@njit(cache=True, fastmath=_FASTMATH)
def _moments_chunk(x, mask, has_mask, p0, p1, shift, out_s, out_q):
    """Sums of (x - shift) and (x - shift)**2 over positions [p0, p1) of the flattened (O, I) grid.

    Sets shift[c] to the first counted element of channel c in the range; returns the count.
    """
    O, C, I = x.shape
    p = p0
    if has_mask:
        while p < p1 and not mask[p // I, p % I]:
            p += 1
    if p == p1:
        return 0
    for c in range(C):
        shift[c] = x[p // I, c, p % I]
    acc_s = np.zeros(C)
    acc_q = np.zeros(C)
    n = 0
    if I == 1:
        x2 = x.reshape(O, C)
        blk_s = np.zeros(C, x.dtype)
        blk_q = np.zeros(C, x.dtype)
        in_block = 0
        for r in range(p, p1):
            if has_mask and not mask[r, 0]:
                continue
            row = x2[r]
            for c in range(C):
                d = row[c] - shift[c]
                blk_s[c] += d
                blk_q[c] += d * d
            n += 1
            in_block += 1
            if in_block == _BLOCK_ROWS:
                for c in range(C):
                    acc_s[c] += blk_s[c]
                    acc_q[c] += blk_q[c]
                    blk_s[c] = 0
                    blk_q[c] = 0
                in_block = 0
        if in_block:
            for c in range(C):
                acc_s[c] += blk_s[c]
                acc_q[c] += blk_q[c]
    else:
        zero = np.zeros(1, x.dtype)[0]
        for o in range(p // I, (p1 - 1) // I + 1):
            i0 = max(p - o * I, 0)
            i1 = min(p1 - o * I, I)
            if has_mask:
                mrow = mask[o]
                cnt = 0
                for i in range(i0, i1):
                    cnt += mrow[i]
                if cnt == 0:
                    continue
                n += cnt
                for c in range(C):
                    xr = x[o, c]
                    sh = shift[c]
                    s64 = 0.0
                    q64 = 0.0
                    for b0 in range(i0, i1, _BLOCK_INNER):
                        s = zero
                        q = zero
                        for i in range(b0, min(b0 + _BLOCK_INNER, i1)):
                            d = xr[i] - sh if mrow[i] else zero
                            s += d
                            q += d * d
                        s64 += s
                        q64 += q
                    acc_s[c] += s64
                    acc_q[c] += q64
            else:
                n += i1 - i0
                for c in range(C):
                    xr = x[o, c]
                    sh = shift[c]
                    s64 = 0.0
                    q64 = 0.0
                    for b0 in range(i0, i1, _BLOCK_INNER):
                        s = zero
                        q = zero
                        for i in range(b0, min(b0 + _BLOCK_INNER, i1)):
                            d = xr[i] - sh
                            s += d
                            q += d * d
                        s64 += s
                        q64 += q
                    acc_s[c] += s64
                    acc_q[c] += q64
    out_s[:] = acc_s
    out_q[:] = acc_q
    return n


@njit(cache=True, parallel=_PARALLEL)
def _moments(x, mask, has_mask, out_mean, out_var, nchunks):
    O, C, I = x.shape
    total = O * I
    nchunks = max(1, min(nchunks, total))
    shifts = np.zeros((nchunks, C), x.dtype)
    sums = np.zeros((nchunks, C))
    squares = np.zeros((nchunks, C))
    counts = np.zeros(nchunks, np.int64)
    if nchunks == 1:
        counts[0] = _moments_chunk(x, mask, has_mask, _bound(total, 1, 0), total, shifts[0], sums[0], squares[0])
    else:
        for k in prange(nchunks):
            counts[k] = _moments_chunk(x, mask, has_mask, _bound(total, nchunks, k),
                                       _bound(total, nchunks, k + 1), shifts[k], sums[k], squares[k])
    n = counts.sum()
    for c in range(C):
        if n == 0:
            out_mean[c] = 0.0
            out_var[c] = 0.0
            continue
        # Chan et al.: mean = sum n_k m_k / n;  M2 = sum M2_k + n_k (m_k - mean)^2.
        mean = 0.0
        for k in range(nchunks):
            if counts[k]:
                mean += counts[k] * (np.float64(shifts[k, c]) + sums[k, c] / counts[k])
        mean /= n
        m2 = 0.0
        for k in range(nchunks):
            nk = counts[k]
            if nk:
                delta = np.float64(shifts[k, c]) + sums[k, c] / nk - mean
                m2 += squares[k, c] - sums[k, c] * sums[k, c] / nk + nk * delta * delta
        var = m2 / n
        if var < 0.0:  # rounding only; NaN compares false and stays NaN
            var = 0.0
        out_mean[c] = mean
        out_var[c] = var
    return float(n)


def moments(x, mask, has_mask, out_mean, out_var):
    """Per-channel mean and biased variance of the counted positions of `x` (O, C, I).

    mask: bool (O, I), True = counted (read only if `has_mask`). out_mean, out_var: float64 (C,), filled.
    Returns the number of counted positions per channel (float); with none, mean and var are 0.
    """
    _check_x("x", x)
    _check_mask(x, mask, has_mask)
    _check("out_mean", out_mean, (x.shape[1],), np.float64)
    _check("out_var", out_var, (x.shape[1],), np.float64)
    return _moments(x, mask, bool(has_mask), out_mean, out_var, threads_for(x.size))


# --------------------------------------------------------------------------------------------- normalize
@njit(cache=True, fastmath=_FASTMATH)
def _normalize_chunk(x, a, b, out, p0, p1):
    """out = x * a[c] + b[c] over flat ranges: rows [p0, p1) if I == 1, else elements [p0, p1)."""
    O, C, I = x.shape
    if I == 1:
        x2 = x.reshape(O, C)
        o2 = out.reshape(O, C)
        for r in range(p0, p1):
            xr = x2[r]
            yr = o2[r]
            for c in range(C):
                yr[c] = xr[c] * a[c] + b[c]
    else:
        x2 = x.reshape(O * C, I)
        o2 = out.reshape(O * C, I)
        for q in range(p0 // I, (p1 - 1) // I + 1):
            c = q % C
            ac = a[c]
            bc = b[c]
            xr = x2[q]
            yr = o2[q]
            for i in range(max(p0 - q * I, 0), min(p1 - q * I, I)):
                yr[i] = xr[i] * ac + bc


@njit(cache=True, parallel=_PARALLEL)
def _normalize(x, a, b, out, nchunks):
    O, C, I = x.shape
    total = O if I == 1 else O * C * I
    if total == 0 or C == 0:
        return
    nchunks = max(1, min(nchunks, total))
    if nchunks == 1:
        _normalize_chunk(x, a, b, out, _bound(total, 1, 0), total)
    else:
        for k in prange(nchunks):
            _normalize_chunk(x, a, b, out, _bound(total, nchunks, k), _bound(total, nchunks, k + 1))


def normalize(x, a, b, out):
    """out[o, c, i] = x[o, c, i] * a[c] + b[c]; a, b and out have x's dtype."""
    _check_x("x", x)
    _check("a", a, (x.shape[1],), x.dtype)
    _check("b", b, (x.shape[1],), x.dtype)
    _check("out", out, x.shape, x.dtype)
    _normalize(x, a, b, out, threads_for(x.size))


# --------------------------------------------------------------------------------------------- backward
@njit(cache=True, fastmath=_FASTMATH)
def _backward_sums_chunk(g, x, shift, p0, p1, out_g, out_gx):
    """Sums of g and g * (x - shift[c]) over positions [p0, p1) of the flattened (O, I) grid."""
    O, C, I = x.shape
    acc_g = np.zeros(C)
    acc_gx = np.zeros(C)
    if I == 1:
        x2 = x.reshape(O, C)
        g2 = g.reshape(O, C)
        blk_g = np.zeros(C, x.dtype)
        blk_gx = np.zeros(C, x.dtype)
        for r0 in range(p0, p1, _BLOCK_ROWS):
            for r in range(r0, min(r0 + _BLOCK_ROWS, p1)):
                xr = x2[r]
                gr = g2[r]
                for c in range(C):
                    gv = gr[c]
                    blk_g[c] += gv
                    blk_gx[c] += gv * (xr[c] - shift[c])
            for c in range(C):
                acc_g[c] += blk_g[c]
                acc_gx[c] += blk_gx[c]
                blk_g[c] = 0
                blk_gx[c] = 0
    else:
        zero = np.zeros(1, x.dtype)[0]
        for o in range(p0 // I, (p1 - 1) // I + 1):
            i0 = max(p0 - o * I, 0)
            i1 = min(p1 - o * I, I)
            for c in range(C):
                xr = x[o, c]
                gr = g[o, c]
                sh = shift[c]
                s64 = 0.0
                q64 = 0.0
                for b0 in range(i0, i1, _BLOCK_INNER):
                    s = zero
                    q = zero
                    for i in range(b0, min(b0 + _BLOCK_INNER, i1)):
                        gv = gr[i]
                        s += gv
                        q += gv * (xr[i] - sh)
                    s64 += s
                    q64 += q
                acc_g[c] += s64
                acc_gx[c] += q64
    out_g[:] = acc_g
    out_gx[:] = acc_gx


@njit(cache=True, parallel=_PARALLEL)
def _backward_sums(g, x, mean, invstd, out_sum_g, out_sum_gxhat, nchunks):
    O, C, I = x.shape
    total = O * I
    nchunks = max(1, min(nchunks, total))
    # The products use the mean rounded to x's dtype (exact differences for nearby x); the rounding
    # is corrected exactly in float64 below: sum g (x - mean) = sum g (x - m) + (m - mean) sum g.
    shift = np.empty(C, x.dtype)
    for c in range(C):
        shift[c] = mean[c]
    sums_g = np.zeros((nchunks, C))
    sums_gx = np.zeros((nchunks, C))
    if total > 0:
        if nchunks == 1:
            _backward_sums_chunk(g, x, shift, _bound(total, 1, 0), total, sums_g[0], sums_gx[0])
        else:
            for k in prange(nchunks):
                _backward_sums_chunk(g, x, shift, _bound(total, nchunks, k), _bound(total, nchunks, k + 1),
                                     sums_g[k], sums_gx[k])
    for c in range(C):
        sg = 0.0
        sgx = 0.0
        for k in range(nchunks):
            sg += sums_g[k, c]
            sgx += sums_gx[k, c]
        out_sum_g[c] = sg
        out_sum_gxhat[c] = (sgx + (np.float64(shift[c]) - mean[c]) * sg) * invstd[c]


def backward_sums(g, x, mean, invstd, out_sum_g, out_sum_gxhat):
    """Per-channel sum of g and of g * (x - mean) * invstd over all positions (masked ones included).

    g has x's shape and dtype; mean, invstd and the outputs are float64 (C,).
    """
    _check_x("x", x)
    C = x.shape[1]
    _check("g", g, x.shape, x.dtype)
    for name, arr in (("mean", mean), ("invstd", invstd), ("out_sum_g", out_sum_g),
                      ("out_sum_gxhat", out_sum_gxhat)):
        _check(name, arr, (C,), np.float64)
    _backward_sums(g, x, mean, invstd, out_sum_g, out_sum_gxhat, threads_for(2 * x.size))


@njit(cache=True, fastmath=_FASTMATH)
def _backward_input_chunk(g, x, mask, has_mask, k_g, k_x, k_0, out, p0, p1):
    """out = k_g[c] g + w (k_x[c] x + k_0[c]) over rows [p0, p1) if I == 1, else elements [p0, p1)."""
    O, C, I = x.shape
    if I == 1:
        x2 = x.reshape(O, C)
        g2 = g.reshape(O, C)
        o2 = out.reshape(O, C)
        for r in range(p0, p1):
            xr = x2[r]
            gr = g2[r]
            yr = o2[r]
            if has_mask and not mask[r, 0]:
                for c in range(C):
                    yr[c] = k_g[c] * gr[c]
            else:
                for c in range(C):
                    yr[c] = k_g[c] * gr[c] + (k_x[c] * xr[c] + k_0[c])
    else:
        x2 = x.reshape(O * C, I)
        g2 = g.reshape(O * C, I)
        o2 = out.reshape(O * C, I)
        zero = np.zeros(1, x.dtype)[0]
        for q in range(p0 // I, (p1 - 1) // I + 1):
            o = q // C
            c = q % C
            kg = k_g[c]
            kx = k_x[c]
            k0 = k_0[c]
            xr = x2[q]
            gr = g2[q]
            yr = o2[q]
            i0 = max(p0 - q * I, 0)
            i1 = min(p1 - q * I, I)
            if has_mask:
                mrow = mask[o]
                for i in range(i0, i1):
                    yr[i] = kg * gr[i] + ((kx * xr[i] + k0) if mrow[i] else zero)
            else:
                for i in range(i0, i1):
                    yr[i] = kg * gr[i] + (kx * xr[i] + k0)


@njit(cache=True, parallel=_PARALLEL)
def _backward_input(g, x, mask, has_mask, k_g, k_x, k_0, out, nchunks):
    O, C, I = x.shape
    total = O if I == 1 else O * C * I
    if total == 0 or C == 0:
        return
    nchunks = max(1, min(nchunks, total))
    if nchunks == 1:
        _backward_input_chunk(g, x, mask, has_mask, k_g, k_x, k_0, out, _bound(total, 1, 0), total)
    else:
        for k in prange(nchunks):
            _backward_input_chunk(g, x, mask, has_mask, k_g, k_x, k_0, out,
                                  _bound(total, nchunks, k), _bound(total, nchunks, k + 1))


def backward_input(g, x, mask, has_mask, k_g, k_x, k_0, out):
    """out = k_g[c] * g + w * (k_x[c] * x + k_0[c]), w = mask[o, i] if has_mask else 1.

    Masked positions (w = 0) get exactly k_g * g (their x is not read). k_* and out have x's dtype.
    """
    _check_x("x", x)
    C = x.shape[1]
    _check("g", g, x.shape, x.dtype)
    _check_mask(x, mask, has_mask)
    for name, arr in (("k_g", k_g), ("k_x", k_x), ("k_0", k_0)):
        _check(name, arr, (C,), x.dtype)
    _check("out", out, x.shape, x.dtype)
    _backward_input(g, x, mask, bool(has_mask), k_g, k_x, k_0, out, threads_for(2 * x.size))
