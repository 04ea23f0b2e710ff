"""Numba batch-normalization kernels on a C-contiguous (outer, channels, inner) view.

Every kernel takes `x` of shape (O, C, I): C is the product of the normalized axes, O of the axes before
them, I of the axes after (dense (N, F) -> (N, F, 1); channels-last images -> (N*H*W, C, 1);
channels-first -> (N, C, H*W)). `mask` is a C-contiguous bool array of shape (O, I), read only when
`has_mask` is true (pass an empty bool array otherwise). Per-channel arrays have x's dtype unless said
otherwise; outputs are allocated by the caller.

The public functions are thin Python wrappers: they check shapes and dtypes (a wrong shape would make a
kernel read or write out of bounds), pass flat views and pick the number of chunks. The work runs in
`@njit(cache=True)` functions compiled once per dtype (float32, float64); flags are runtime arguments.

Parallel layout: the (O, I) grid of positions is cut into one contiguous range per thread (inside rows
when O is small, so O == 1 still uses every thread). With I == 1 (channels-last, dense) a thread walks
its rows in tiles of ~1024 elements against per-channel coefficients (or accumulators) repeated to the
tile's length, so the inner loops are long and vectorized; each thread keeps its own partial sums. With
I > 1 (channels-first) a thread streams its (o, c) rows in memory order, never channel by channel.

Accuracy of the statistics: sums are taken of `x - shift`, where the shift is the thread's first counted
element of the channel, accumulated in x's dtype over short blocks (16 rows, or <= 256 contiguous
elements) that are folded into float64; per-thread partials are combined with Chan's formula. This stays
one read pass and keeps float32 variances accurate even when |mean|/std is 1e6. `reassoc` is only given
to the contiguous-row reductions (it lets LLVM vectorize them); no kernel uses `nnan`/`ninf`, so NaN and
Inf flow through to the outputs.
"""

import numba
import numpy as np
from numba import njit, prange

__all__ = ["moments", "normalize", "backward_sums", "backward_input", "threads_for"]

_FM_ELEMENTWISE = {"contract"}  # FMAs; element-wise loops vectorize without reassociation
_FM_REDUCE = {"reassoc", "contract", "nsz", "arcp"}  # lets LLVM vectorize a loop-carried sum
# Only explicit prange loops run in parallel: numba's automatic conversion of np.zeros, sums, ... into
# parallel regions would add compile time and thread launches for tiny arrays.
_PARALLEL = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
             "setitem": False, "numpy": False, "stencil": False, "fusion": False}
_TILE = 1024          # I == 1: elements per tile (whole rows)
_BLOCK_TILES = 16     # I == 1: tiles (so values per accumulator) per float32 block before float64 folding
_BLOCK_INNER = 256    # I > 1: contiguous elements per float32 block
_SERIAL_BELOW = 65536  # elements; serial under the slow `workqueue` threading layer only


# --------------------------------------------------------------------------------------------- threads
_workqueue = None


def threads_for(size):
    """Number of chunks (threads) a kernel uses for arrays of `size` elements.

    All of numba's threads (`numba.set_num_threads` is honoured), except for small arrays under the
    `workqueue` threading layer, whose parallel regions cost ~100 us: those run serially.
    """
    global _workqueue
    threads = numba.get_num_threads()  # starts the threading layer, so it can be asked for below
    if _workqueue is None:
        _workqueue = numba.threading_layer() == "workqueue"
    if _workqueue and size < _SERIAL_BELOW:
        return 1
    return threads


# --------------------------------------------------------------------------------------------- checks
def _fail(name, what, arr):
    raise ValueError(f"`{name}` must be {what}; received {type(arr).__name__} of shape "
                     f"{getattr(arr, 'shape', None)}, dtype {getattr(arr, 'dtype', None)}.")


def _check_x(name, x):
    if not isinstance(x, np.ndarray) or x.ndim != 3 or x.dtype not in (np.float32, np.float64) \
            or not x.flags.c_contiguous:
        _fail(name, "a C-contiguous float32 or float64 array of shape (O, C, I)", x)


def _check(name, arr, shape, dtype):
    if not isinstance(arr, np.ndarray) or arr.shape != shape or arr.dtype != dtype \
            or not arr.flags.c_contiguous:
        _fail(name, f"a C-contiguous {np.dtype(dtype)} array of shape {shape}", arr)


def _flat_mask(x, mask, has_mask):
    if has_mask:
        _check("mask", mask, (x.shape[0], x.shape[2]), np.bool_)
    elif not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or not mask.flags.c_contiguous:
        _fail("mask", "a C-contiguous bool array (empty when has_mask is False)", mask)
    return mask.reshape(-1)


# --------------------------------------------------------------------------------------------- helpers
@njit(cache=True, inline="always")
def _bound(total, nchunks, k):
    """Start of chunk k when [0, total) is cut into nchunks near-equal contiguous ranges."""
    return total * np.int64(k) // nchunks


@njit(cache=True, inline="always")
def _tile(v, reps):
    """v repeated reps times (the per-channel pattern of `reps` consecutive rows when I == 1)."""
    n = v.shape[0]
    out = np.empty(reps * n, v.dtype)
    for r in range(reps):
        seg = out[r * n:(r + 1) * n]
        for c in range(n):
            seg[c] = v[c]
    return out


@njit(cache=True, inline="always")
def _rows_per_tile(C, rows):
    return max(1, min(_TILE // C, rows))


@njit(cache=True, fastmath=_FM_REDUCE, inline="always")
def _row_moments(xr, sh, mr, has_mask, zero):
    """(sum of d, sum of d*d), d = xr - sh over the counted elements, float32 blocks folded in float64."""
    s64 = 0.0
    q64 = 0.0
    for b0 in range(0, xr.shape[0], _BLOCK_INNER):
        xb = xr[b0:b0 + _BLOCK_INNER]
        s = zero
        q = zero
        if has_mask:
            mb = mr[b0:b0 + _BLOCK_INNER]
            for j in range(xb.shape[0]):
                d = xb[j] - sh if mb[j] else zero
                s += d
                q += d * d
        else:
            for j in range(xb.shape[0]):
                d = xb[j] - sh
                s += d
                q += d * d
        s64 += s
        q64 += q
    return s64, q64


@njit(cache=True, fastmath=_FM_REDUCE, inline="always")
def _row_gsums(gr, xr, sh, zero):
    """(sum of g, sum of g * (x - sh)) over a contiguous row, float32 blocks folded in float64."""
    s64 = 0.0
    q64 = 0.0
    for b0 in range(0, xr.shape[0], _BLOCK_INNER):
        xb = xr[b0:b0 + _BLOCK_INNER]
        gb = gr[b0:b0 + _BLOCK_INNER]
        s = zero
        q = zero
        for j in range(xb.shape[0]):
            s += gb[j]
            q += gb[j] * (xb[j] - sh)
        s64 += s
        q64 += q
    return s64, q64


# --------------------------------------------------------------------------------------------- moments
@njit(cache=True, fastmath=_FM_ELEMENTWISE, inline="always")
def _moments_chunk(x, mask, has_mask, C, I, p0, p1, shift, out_s, out_q):
    """Sums of (x - shift) and (x - shift)**2 over positions [p0, p1) of the flattened (O, I) grid.

    x and mask are flat. Sets shift[c] to the first counted element of channel c; returns the count.
    """
    p = p0
    if has_mask:
        while p < p1 and not mask[p]:
            p += 1
    if p == p1:
        return 0
    first = x[(p // I) * C * I + p % I:]
    for c in range(C):
        shift[c] = first[c * I]
    acc_s = np.zeros(C)
    acc_q = np.zeros(C)
    n = 0
    if I == 1:
        R = _rows_per_tile(C, p1 - p)
        L = R * C
        sht = _tile(shift, R)
        blk_s = np.zeros(L, x.dtype)
        blk_q = np.zeros(L, x.dtype)
        tile_s = np.zeros(L)
        tile_q = np.zeros(L)
        in_block = 0
        for r0 in range(p, p1, R):
            r1 = min(r0 + R, p1)
            xs = x[r0 * C:r1 * C]
            if has_mask:
                for r in range(r0, r1):
                    if mask[r]:
                        j = (r - r0) * C
                        xr = xs[j:j + C]
                        bs = blk_s[j:j + C]
                        bq = blk_q[j:j + C]
                        for c in range(C):
                            d = xr[c] - shift[c]
                            bs[c] += d
                            bq[c] += d * d
                        n += 1
            else:
                for j in range(xs.shape[0]):
                    d = xs[j] - sht[j]
                    blk_s[j] += d
                    blk_q[j] += d * d
                n += r1 - r0
            in_block += 1
            if in_block == _BLOCK_TILES or r1 == p1:
                for j in range(L):
                    tile_s[j] += blk_s[j]
                    tile_q[j] += blk_q[j]
                    blk_s[j] = 0
                    blk_q[j] = 0
                in_block = 0
        for r in range(R):
            for c in range(C):
                acc_s[c] += tile_s[r * C + c]
                acc_q[c] += tile_q[r * C + c]
    else:
        zero = np.zeros(1, x.dtype)[0]
        mr = mask[0:0]
        for o in range(p // I, (p1 - 1) // I + 1):
            i0 = max(p - o * I, 0)
            i1 = min(p1 - o * I, I)
            if has_mask:
                mr = mask[o * I + i0:o * I + i1]
                cnt = 0
                for j in range(mr.shape[0]):
                    cnt += mr[j]
                if cnt == 0:
                    continue
                n += cnt
            else:
                n += i1 - i0
            for c in range(C):
                row = (o * C + c) * I
                s, q = _row_moments(x[row + i0:row + i1], shift[c], mr, has_mask, zero)
                acc_s[c] += s
                acc_q[c] += q
    for c in range(C):
        out_s[c] = acc_s[c]
        out_q[c] = acc_q[c]
    return n


@njit(cache=True, parallel=_PARALLEL)
def _moments_parallel(x, mask, has_mask, C, I, total, shifts, sums, squares, counts):
    nchunks = counts.shape[0]
    for k in prange(nchunks):
        counts[k] = _moments_chunk(x, mask, has_mask, C, I, _bound(total, nchunks, k),
                                   _bound(total, nchunks, k + 1), shifts[k], sums[k], squares[k])


def _combine_moments(shifts, sums, squares, counts, out_mean, out_var):
    """Chan et al.: chunk k has mean m_k = shift_k + S_k / n_k and M2_k = Q_k - S_k^2 / n_k;
    mean = sum n_k m_k / n and M2 = sum M2_k + n_k (m_k - mean)^2, all in float64."""
    used = counts > 0
    n = int(counts.sum())
    if n == 0:
        out_mean[:] = 0.0
        out_var[:] = 0.0
        return 0.0
    nk = counts[used].astype(np.float64)[:, None]
    s = sums[used]
    chunk_mean = shifts[used].astype(np.float64) + s / nk
    mean = (nk * chunk_mean).sum(axis=0) / n
    m2 = (squares[used] - s * s / nk + nk * (chunk_mean - mean) ** 2).sum(axis=0)
    out_mean[:] = mean
    # max() would turn NaN into 0; a rounding-only negative variance is clamped without touching NaN
    out_var[:] = np.where(m2 < 0.0, 0.0, m2 / n)
    return float(n)


def moments(x, mask, has_mask, out_mean, out_var):
    """Per-channel mean and biased variance of the counted positions of `x` (O, C, I).

    mask: bool (O, I), True = counted, read only if `has_mask`. out_mean, out_var: float64 (C,), filled.
    Returns the number of counted positions per channel (float); if it is 0, mean and var are 0.
    """
    _check_x("x", x)
    flat_mask = _flat_mask(x, mask, has_mask)
    O, C, I = x.shape
    _check("out_mean", out_mean, (C,), np.float64)
    _check("out_var", out_var, (C,), np.float64)
    total = O * I
    nchunks = max(1, min(threads_for(x.size), total))
    shifts = np.zeros((nchunks, C), x.dtype)
    sums = np.zeros((nchunks, C))
    squares = np.zeros((nchunks, C))
    counts = np.zeros(nchunks, np.int64)
    args = (x.reshape(-1), flat_mask, bool(has_mask), C, I)
    if nchunks > 1:
        _moments_parallel(*args, total, shifts, sums, squares, counts)
    elif total:
        counts[0] = _moments_chunk(*args, 0, total, shifts[0], sums[0], squares[0])
    return _combine_moments(shifts, sums, squares, counts, out_mean, out_var)


# --------------------------------------------------------------------------------------------- normalize
@njit(cache=True, fastmath=_FM_ELEMENTWISE, inline="always")
def _normalize_chunk(x, a, b, out, C, I, p0, p1):
    """out = x * a[c] + b[c] on flat arrays, over rows [p0, p1) if I == 1, else elements [p0, p1)."""
    if I == 1:
        R = _rows_per_tile(C, p1 - p0)
        at = _tile(a, R)
        bt = _tile(b, R)
        for r0 in range(p0, p1, R):
            r1 = min(r0 + R, p1)
            xs = x[r0 * C:r1 * C]
            ys = out[r0 * C:r1 * C]
            for j in range(xs.shape[0]):
                ys[j] = xs[j] * at[j] + bt[j]
    else:
        for q in range(p0 // I, (p1 - 1) // I + 1):
            ac = a[q % C]
            bc = b[q % C]
            j0 = max(p0, q * I)
            j1 = min(p1, q * I + I)
            xs = x[j0:j1]
            ys = out[j0:j1]
            for j in range(xs.shape[0]):
                ys[j] = xs[j] * ac + bc


@njit(cache=True, parallel=_PARALLEL)
def _normalize_parallel(x, a, b, out, C, I, total, nchunks):
    for k in prange(nchunks):
        _normalize_chunk(x, a, b, out, C, I, _bound(total, nchunks, k), _bound(total, nchunks, k + 1))


def normalize(x, a, b, out):
    """out[o, c, i] = x[o, c, i] * a[c] + b[c]; a, b and out have x's dtype."""
    _check_x("x", x)
    O, C, I = x.shape
    _check("a", a, (C,), x.dtype)
    _check("b", b, (C,), x.dtype)
    _check("out", out, x.shape, x.dtype)
    total = O if I == 1 else x.size
    nchunks = min(threads_for(x.size), total)
    if nchunks > 1:
        _normalize_parallel(x.reshape(-1), a, b, out.reshape(-1), C, I, total, nchunks)
    elif x.size:
        _normalize_chunk(x.reshape(-1), a, b, out.reshape(-1), C, I, 0, total)


# --------------------------------------------------------------------------------------------- backward
@njit(cache=True, fastmath=_FM_ELEMENTWISE, inline="always")
def _backward_sums_chunk(g, x, shift, C, I, p0, p1, out_g, out_gx):
    """Sums of g and g * (x - shift[c]) over positions [p0, p1) of the flattened (O, I) grid."""
    acc_g = np.zeros(C)
    acc_gx = np.zeros(C)
    if I == 1:
        R = _rows_per_tile(C, p1 - p0)
        L = R * C
        sht = _tile(shift, R)
        blk_g = np.zeros(L, x.dtype)
        blk_gx = np.zeros(L, x.dtype)
        tile_g = np.zeros(L)
        tile_gx = np.zeros(L)
        in_block = 0
        for r0 in range(p0, p1, R):
            r1 = min(r0 + R, p1)
            xs = x[r0 * C:r1 * C]
            gs = g[r0 * C:r1 * C]
            for j in range(xs.shape[0]):
                blk_g[j] += gs[j]
                blk_gx[j] += gs[j] * (xs[j] - sht[j])
            in_block += 1
            if in_block == _BLOCK_TILES or r1 == p1:
                for j in range(L):
                    tile_g[j] += blk_g[j]
                    tile_gx[j] += blk_gx[j]
                    blk_g[j] = 0
                    blk_gx[j] = 0
                in_block = 0
        for r in range(R):
            for c in range(C):
                acc_g[c] += tile_g[r * C + c]
                acc_gx[c] += tile_gx[r * C + c]
    else:
        zero = np.zeros(1, x.dtype)[0]
        for o in range(p0 // I, (p1 - 1) // I + 1):
            i0 = max(p0 - o * I, 0)
            i1 = min(p1 - o * I, I)
            for c in range(C):
                row = (o * C + c) * I
                s, q = _row_gsums(g[row + i0:row + i1], x[row + i0:row + i1], shift[c], zero)
                acc_g[c] += s
                acc_gx[c] += q
    for c in range(C):
        out_g[c] = acc_g[c]
        out_gx[c] = acc_gx[c]


@njit(cache=True, parallel=_PARALLEL)
def _backward_sums_parallel(g, x, shift, C, I, total, sums_g, sums_gx):
    nchunks = sums_g.shape[0]
    for k in prange(nchunks):
        _backward_sums_chunk(g, x, shift, C, I, _bound(total, nchunks, k), _bound(total, nchunks, k + 1),
                             sums_g[k], sums_gx[k])


def backward_sums(g, x, mean, invstd, out_sum_g, out_sum_gxhat):
    """Per-channel sum of g and of g * (x - mean) * invstd over all positions (masked ones included).

    g has x's shape and dtype; mean, invstd and the outputs are float64 (C,).
    """
    _check_x("x", x)
    O, C, I = x.shape
    _check("g", g, x.shape, x.dtype)
    for name, arr in (("mean", mean), ("invstd", invstd), ("out_sum_g", out_sum_g),
                      ("out_sum_gxhat", out_sum_gxhat)):
        _check(name, arr, (C,), np.float64)
    total = O * I
    nchunks = max(1, min(threads_for(2 * x.size), total))
    # The products use the mean rounded to x's dtype (differences with nearby x are then exact); the
    # rounding is corrected exactly in float64: sum g (x - mean) = sum g (x - m) + (m - mean) sum g.
    shift = mean.astype(x.dtype)
    sums_g = np.zeros((nchunks, C))
    sums_gx = np.zeros((nchunks, C))
    args = (g.reshape(-1), x.reshape(-1), shift, C, I)
    if nchunks > 1:
        _backward_sums_parallel(*args, total, sums_g, sums_gx)
    elif total:
        _backward_sums_chunk(*args, 0, total, sums_g[0], sums_gx[0])
    sum_g = sums_g.sum(axis=0)
    out_sum_g[:] = sum_g
    out_sum_gxhat[:] = (sums_gx.sum(axis=0) + (shift - mean) * sum_g) * invstd


@njit(cache=True, fastmath=_FM_ELEMENTWISE, inline="always")
def _backward_input_chunk(g, x, mask, has_mask, k_g, k_x, k_0, out, C, I, p0, p1):
    """out = k_g g + w (k_x x + k_0) on flat arrays, over rows [p0, p1) if I == 1, else elements."""
    if I == 1:
        R = _rows_per_tile(C, p1 - p0)
        kgt = _tile(k_g, R)
        kxt = _tile(k_x, R)
        k0t = _tile(k_0, R)
        for r0 in range(p0, p1, R):
            r1 = min(r0 + R, p1)
            xs = x[r0 * C:r1 * C]
            gs = g[r0 * C:r1 * C]
            ys = out[r0 * C:r1 * C]
            if has_mask:
                for r in range(r0, r1):
                    j = (r - r0) * C
                    xr = xs[j:j + C]
                    gr = gs[j:j + C]
                    yr = ys[j:j + C]
                    if mask[r]:
                        for c in range(C):
                            yr[c] = k_g[c] * gr[c] + (k_x[c] * xr[c] + k_0[c])
                    else:
                        for c in range(C):
                            yr[c] = k_g[c] * gr[c]
            else:
                for j in range(xs.shape[0]):
                    ys[j] = kgt[j] * gs[j] + (kxt[j] * xs[j] + k0t[j])
    else:
        zero = np.zeros(1, x.dtype)[0]
        for q in range(p0 // I, (p1 - 1) // I + 1):
            o = q // C
            c = q - o * C
            kg = k_g[c]
            kx = k_x[c]
            k0 = k_0[c]
            j0 = max(p0, q * I)
            j1 = min(p1, q * I + I)
            xs = x[j0:j1]
            gs = g[j0:j1]
            ys = out[j0:j1]
            if has_mask:
                m0 = o * I + (j0 - q * I)
                mr = mask[m0:m0 + (j1 - j0)]
                for j in range(xs.shape[0]):
                    ys[j] = kg * gs[j] + ((kx * xs[j] + k0) if mr[j] else zero)
            else:
                for j in range(xs.shape[0]):
                    ys[j] = kg * gs[j] + (kx * xs[j] + k0)


@njit(cache=True, parallel=_PARALLEL)
def _backward_input_parallel(g, x, mask, has_mask, k_g, k_x, k_0, out, C, I, total, nchunks):
    for k in prange(nchunks):
        _backward_input_chunk(g, x, mask, has_mask, k_g, k_x, k_0, out, C, I, _bound(total, nchunks, k),
                              _bound(total, nchunks, k + 1))


def backward_input(g, x, mask, has_mask, k_g, k_x, k_0, out):
    """out = k_g[c] * g + w * (k_x[c] * x + k_0[c]), w = mask[o, i] if has_mask else 1.

    Masked positions (w = 0) get exactly k_g * g. k_*, g and out have x's dtype.
    """
    _check_x("x", x)
    O, C, I = x.shape
    _check("g", g, x.shape, x.dtype)
    flat_mask = _flat_mask(x, mask, has_mask)
    for name, arr in (("k_g", k_g), ("k_x", k_x), ("k_0", k_0)):
        _check(name, arr, (C,), x.dtype)
    _check("out", out, x.shape, x.dtype)
    total = O if I == 1 else x.size
    nchunks = min(threads_for(2 * x.size), total)
    args = (g.reshape(-1), x.reshape(-1), flat_mask, bool(has_mask), k_g, k_x, k_0, out.reshape(-1), C, I)
    if nchunks > 1:
        _backward_input_parallel(*args, total, nchunks)
    elif x.size:
        _backward_input_chunk(*args, 0, total)
