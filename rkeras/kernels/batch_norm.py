"""Numba batch-normalization kernels on a C-contiguous (outer, channels, inner) view.

Every kernel takes `x` of shape (O, C, I): C is the product of the normalized axes, O of the axes before
them, I of the axes after (dense (N, F) -> (N, F, 1); channels-last images -> (N*H*W, C, 1);
channels-first -> (N, C, H*W)). `mask` is a C-contiguous bool array of shape (O, I), True where a
position counts in the statistics, read only when `has_mask` is true (pass an empty bool array
otherwise). Per-channel arrays have x's dtype unless said otherwise; the caller allocates the outputs.

The public functions are thin Python wrappers: they check shapes and dtypes (a wrong shape would make a
kernel read or write out of bounds), pass flat views and pick the number of chunks (1 for small arrays:
no parallel region). The passes over the data run in two `@njit(cache=True)` kernel families, each
compiled once per dtype, with every flag a runtime argument; small njit functions combine the
per-chunk partial sums in float64:
  * `_sums_*`   per-channel sums of u and u * d, d = x - shift, u = d for the moments (shift: a
                first value), u = g for the backward sums (shift: the mean);
  * `_affine_*` out = k_g * g + w * (k_x * (x - center) + k_0) (normalize: no g term, w = 1).

Parallel layout: the (O, I) grid of positions is cut into one contiguous range per thread (inside rows
when O is small, so O == 1 still uses every thread). With I == 1 (channels-last, dense) a thread walks its
rows in tiles of ~512 elements against per-channel coefficients or accumulators repeated to the tile's
length, so inner loops are long and vectorized (the unmasked sums take four tiles per step in cache),
and each thread owns its partial sums; the sums of rows of 64 channels or more walk whole rows instead
(four per step; the backward sums of chunks larger than the caches one), and so does the masked
element-wise pass. With I > 1 (channels-first) a thread streams its (o, c) rows in memory order, never
channel by channel. With I == 1 the moments and the wide backward sums of chunks larger than the
caches, and the masked channels-first moments, prefetch their data a few KiB ahead (`prefetch.py`, see
_AHEAD_BYTES); the other passes stream without help.

Accuracy of the statistics: sums are taken of x - shift, where the shift is the thread's first counted
element of the channel (moments) or the mean rounded to x's dtype (backward, corrected exactly in
float64), accumulated in x's dtype over short blocks (16 values per accumulator, or <= 256 contiguous
elements) that are folded into float64; per-thread partials are combined with Chan's formula. This stays
one read pass and keeps float32 variances accurate even when |mean|/std is 1e6. Only the contiguous-row
reductions get `reassoc` (it lets LLVM vectorize them); no kernel uses `nnan`/`ninf`, so NaN and Inf
reach the outputs.
"""

import numba
import numpy as np
from numba import njit, prange

from .moments import combine_moments
from .prefetch import prefetch_ahead

__all__ = ["backward_input", "backward_sums", "moments", "normalize", "threads_for"]

_FM_ELEMENTWISE = {"contract"}  # FMAs; element-wise loops vectorize without reassociation
_FM_REDUCE = {"reassoc", "contract", "nsz", "arcp"}  # lets LLVM vectorize a loop-carried sum
# Only explicit prange loops run in parallel: numba's automatic conversion of np.zeros, sums, ... into
# parallel regions would add compile time and thread launches.
_PARALLEL = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
             "setitem": False, "numpy": False, "stencil": False, "fusion": False}
_TILE = 512            # I == 1: elements per tile (whole rows); small tiles stay in L1
# Unmasked sums over tiles take four tiles per step in cache-sized chunks (up to _GROUP_MAX elements), as
# the wide rows do (see _WIDE), and one beyond. 32 channels, same process, alternating, two runs each,
# one tile against four, ÷ a plain read: moments 2.47 and 2.57 -> 1.52 and 1.47 (0.5 MiB), 3.07 and
# 2.44 -> 1.53 and 1.37 (2 MiB), 2.79 and 3.14 -> 1.44 and 1.47 (8 MiB); backward sums ÷ two reads 1.70
# and 1.32 -> 1.32 and 1.10 (2 MiB), 1.73 and 1.96 -> 1.24 and 1.23 (8 MiB). On 32 MiB the moments
# measured 1.11-1.38 against 1.07-1.22 (six runs), so larger chunks keep one tile per step.
_BLOCK_TILES = 16      # I == 1: tiles, i.e. values per float32 accumulator, before folding into float64
# Sums with I == 1 and at least this many channels walk rows against per-channel accumulators; narrower
# rows use the tiles above, so that inner loops stay long. The moments take four rows per step (one
# accumulator update per four elements; eight measured the same) at every size; the backward sums do in
# chunks of up to _GROUP_MAX elements, and take one row per step beyond:
#  * one row per step is bound by its accumulator updates (each row loads and stores them again): a
#    serial pass over 0.5 MiB in L2 took 3.5-5.9x a plain read, four rows 1.45-1.8x. On 32 MiB that was hidden
#    while memory ran at its usual speed and showed when it ran ~30 % faster: moments ÷ read, caches
#    flushed, same process, one row against four (read 0.62-0.65 ms): 1.22-1.24 -> 1.00-1.04, training
#    forward ÷ (read + copy) 1.08-1.17 -> 1.02-1.04; at the usual speed 1.10-1.12 -> 0.99-1.06;
#  * backward sums: on a 32 MiB channels-last batch four rows per step measured 0.98-1.29x two reads
#    (prefetching x and g ahead), one row 0.89-1.10x (same runs), so large chunks keep one row; on
#    cache-resident batches, layer backward with four rows against one, same process, alternating, two
#    runs: 8 MiB masked 411 and 348 -> 297 and 283 us, 2 MiB dense 96 and 89 -> 87 and 82 us.
# These sums prefetch only in chunks of more than _GROUP_MAX elements (beyond the caches; see
# _AHEAD_BYTES): in cache the requests only compete with the loads. Moments ÷ read without against with
# them, same process, alternating, two runs: 2 MiB dense 1.36 and 1.47 against 1.60 and 1.74, 8 MiB
# channels-last 1.71 and 1.73 against 1.95 and 1.96 (backward sums, four rows, with the earlier, costlier
# prefetch call: 306 and 294 us against 297 and 283, 8 MiB masked).
_WIDE = 64
_GROUP = 4             # rows per step of the wide sums (backward: in chunks of at most _GROUP_MAX elements)
_GROUP_MAX = 1 << 21
# The sums' passes over data larger than the caches ask for it this many bytes ahead
# (`prefetch.py`): with a few operations per element they keep fewer loads in flight than a plain read,
# and the hardware prefetcher falls behind. Layer training forward on a 32 MiB channels-last batch,
# same process, x last touched by another op: 2.27 -> 1.92 ms (floor: read + copy, 1.59 ms); caches
# flushed: 2.58 -> 2.30 ms (floor 1.88). 4 and 16 KiB ahead did no better. The element-wise passes
# stream at the floor without it (prefetching slowed them by 5-25 %), and so do the channels-first
# sums: backward 1.25 -> 1.53 ms with it, unmasked moments (caches flushed) 0.87 -> 1.13 ms; masked
# channels-first moments gain (flushed: 2.18 -> 1.17 ms), and the 32-channel tiles 0.81 -> 0.67 ms
# (in cache they lose: the tiles' moments of 2 and 8 MiB batches, same process, alternating, took 6-17 %
# less time without, so they too prefetch only in chunks of more than _GROUP_MAX elements).
# Checked again once `prefetch_ahead` became cheap: on 32 MiB the channels-first sums still gain
# nothing (moments 1.09-1.15x a read without, 1.15-1.19x with), and the channels-last normalize 0-4 %
# (not kept: it lost up to 18 % on cache-resident batches).
_AHEAD_BYTES = 8192
_BLOCK_INNER = 256     # I > 1: contiguous elements per float32 block
# The layer's element-wise passes evaluate k_x (x - mean) + k_0 as k_x x + (k_0 - k_x mean), the mean
# folded into k_0 in float64, for the channels whose |mean| is at most this many standard deviations;
# channels further off keep the center. Folded, the float32 rounding is ~(2 * 8 + 2) ulps of the output
# scale at worst instead of ~3 (measured: 1.2e-7 relative at 7.9 std, against the 1e-5 asked for), and
# when every channel folds the no-mask tiles skip loading the center: layer inference 11-17 % faster,
# training forward 6-13 % (8 MiB batches, same process, interleaved).
_FOLD_BELOW = 8.0
# Arrays smaller than this (elements; 1 MiB of float32) run serially, without entering a parallel
# region. Alone, two threads win from ~32K elements; inside training, where batch normalization follows
# a matrix product whose BLAS threads are still spinning, they do not: a digits CNN epoch (batch 32,
# activations of 64K elements) took 135 ms with parallel kernels from 32K elements and 119 ms from 256K
# (an MLP at batch 256: 4.3 vs 3.5 ms), and no training measured here got faster from parallel kernels
# below 1 MiB. The backward passes, which read two such arrays, follow the same rule (the size of one):
# counting both made a 32 x 8 x 8 x 64 backward parallel, and the digits CNN epoch took 110 and 128 ms
# against 102 and 123 ms with it serial (same process, alternating, 14 epochs each, two runs).
# The `workqueue` layer's regions cost ~100 us, about a serial pass over 1M elements.
_SERIAL_BELOW = 262144
_SERIAL_BELOW_WORKQUEUE = 1 << 20
_NO_MASK = np.ones(0, np.bool_)
_NO_DATA = {"f": np.zeros(0, np.float32), "d": np.zeros(0, np.float64)}  # the unused g of moments


_NO_MASK_1D = np.zeros(0, np.bool_)  # the mask argument of passes that take none


# --------------------------------------------------------------------------------------------- threads
_workqueue = None


def threads_for(size):
    """Number of chunks (threads) a kernel uses for arrays of `size` elements.

    All of numba's threads (`numba.set_num_threads` is honoured), or 1 (serial, no parallel region) for
    small arrays: below 256K elements, or 1M under the `workqueue` threading layer.
    """
    global _workqueue
    threads = numba.get_num_threads()  # starts the threading layer, so it can be asked for below
    if _workqueue is None:
        _workqueue = numba.threading_layer() == "workqueue"
    if size < (_SERIAL_BELOW_WORKQUEUE if _workqueue else _SERIAL_BELOW):
        return 1
    return threads


def _chunks(size):
    """threads_for(size) without asking numba for its thread count on the serial path (small arrays)."""
    if _workqueue is None:
        return threads_for(size)
    if size < (_SERIAL_BELOW_WORKQUEUE if _workqueue else _SERIAL_BELOW):
        return 1
    return numba.get_num_threads()


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
@njit(cache=True)
def _bound(total, nchunks, k):
    """Start of chunk k when [0, total) is cut into nchunks near-equal contiguous ranges."""
    return total * np.int64(k) // nchunks


@njit(cache=True)
def _tile(v, rows):
    """v repeated `rows` times: the per-channel pattern of `rows` consecutive rows when I == 1."""
    n = v.shape[0]
    out = np.empty(rows * n, v.dtype)
    for r in range(rows):
        seg = out[r * n:(r + 1) * n]
        for c in range(n):
            seg[c] = v[c]
    return out


@njit(cache=True, fastmath=_FM_REDUCE)
def _row_sums(gr, xr, sx, mr, has_mask, moments, zero):
    """(sum u, sum u * d), d = xr - sx, u = d if moments else gr, over one contiguous row (counted
    elements only), in float32 blocks folded into float64."""
    s64 = 0.0
    q64 = 0.0
    for b0 in range(0, xr.shape[0], _BLOCK_INNER):
        xb = xr[b0:b0 + _BLOCK_INNER]
        s = zero
        q = zero
        if not moments:
            gb = gr[b0:b0 + _BLOCK_INNER]
            for j in range(xb.shape[0]):
                s += gb[j]
                q += gb[j] * (xb[j] - sx)
        elif has_mask:
            mb = mr[b0:b0 + _BLOCK_INNER]
            for j in range(xb.shape[0]):
                d = xb[j] - sx if mb[j] else zero  # a select: a masked NaN never enters
                s += d
                q += d * d
        else:
            for j in range(xb.shape[0]):
                d = xb[j] - sx
                s += d
                q += d * d
        s64 += s
        q64 += q
    return s64, q64


# --------------------------------------------------------------------------------------------- sums
@njit(cache=True)
def _fold_block(blk_s, blk_q, acc_s, acc_q):
    """Adds the float32 block accumulators into the float64 ones and clears the block."""
    for j in range(blk_s.shape[0]):
        acc_s[j] += blk_s[j]
        acc_q[j] += blk_q[j]
        blk_s[j] = 0
        blk_q[j] = 0


@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _sums_wide_rows(g, x, mask, has_mask, moments, C, p0, p1, shift, acc_s, acc_q, group, ahead):
    """The sums of `_sums_chunk` for I == 1 and C >= _WIDE over rows [p0, p1), each channel's float32 block
    accumulator folded into acc_s, acc_q (float64) every _BLOCK_TILES rows. Returns the count.

    With `group` = _GROUP (the moments; the backward sums in chunks up to _GROUP_MAX elements), each
    accumulator takes the step's rows at once (masked rows of the moments as exact zeros, by a select);
    otherwise (group = 1: the backward sums of larger chunks) one row per step, as do the last rows. With
    `ahead` (chunks larger than _GROUP_MAX elements: beyond the caches) the steps prefetch their rows
    _AHEAD_BYTES ahead (see _WIDE)."""
    zero = np.zeros(1, x.dtype)[0]
    bs = np.zeros(C, x.dtype)
    bq = np.zeros(C, x.dtype)
    n = 0
    in_block = 0
    r = p0
    while r < p1:
        step = min(group, p1 - r)
        if step == _GROUP:
            w0 = w1 = w2 = w3 = True
            if has_mask:
                w0, w1, w2, w3 = mask[r], mask[r + 1], mask[r + 2], mask[r + 3]
            a = r * C
            if ahead:
                prefetch_ahead(x, a, _GROUP * C, _AHEAD_BYTES)
            x0, x1, x2, x3 = x[a:a + C], x[a + C:a + 2 * C], x[a + 2 * C:a + 3 * C], x[a + 3 * C:a + 4 * C]
            if not moments:  # the backward sums (never masked)
                g0, g1, g2, g3 = g[a:a + C], g[a + C:a + 2 * C], g[a + 2 * C:a + 3 * C], g[a + 3 * C:a + 4 * C]
                for j in range(C):
                    sj = shift[j]
                    bs[j] += (g0[j] + g1[j]) + (g2[j] + g3[j])
                    bq[j] += (g0[j] * (x0[j] - sj) + g1[j] * (x1[j] - sj)) + \
                        (g2[j] * (x2[j] - sj) + g3[j] * (x3[j] - sj))
                n += _GROUP
            elif not has_mask:
                for j in range(C):
                    sj = shift[j]
                    d0 = x0[j] - sj
                    d1 = x1[j] - sj
                    d2 = x2[j] - sj
                    d3 = x3[j] - sj
                    bs[j] += (d0 + d1) + (d2 + d3)
                    bq[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3)
                n += _GROUP
            elif w0 or w1 or w2 or w3:
                for j in range(C):
                    sj = shift[j]
                    d0 = x0[j] - sj if w0 else zero  # a select: a masked NaN never enters
                    d1 = x1[j] - sj if w1 else zero
                    d2 = x2[j] - sj if w2 else zero
                    d3 = x3[j] - sj if w3 else zero
                    bs[j] += (d0 + d1) + (d2 + d3)
                    bq[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3)
                n += np.int64(w0) + np.int64(w1) + np.int64(w2) + np.int64(w3)
        else:
            for k in range(step):
                if has_mask and not mask[r + k]:
                    continue
                if ahead:
                    prefetch_ahead(x, (r + k) * C, C, _AHEAD_BYTES)
                    if not moments:
                        prefetch_ahead(g, (r + k) * C, C, _AHEAD_BYTES)
                xr = x[(r + k) * C:(r + k + 1) * C]
                if moments:
                    for j in range(C):
                        d = xr[j] - shift[j]
                        bs[j] += d
                        bq[j] += d * d
                else:
                    gr = g[(r + k) * C:(r + k + 1) * C]
                    for j in range(C):
                        bs[j] += gr[j]
                        bq[j] += gr[j] * (xr[j] - shift[j])
                n += 1
        r += step
        in_block += step
        if in_block >= _BLOCK_TILES or r == p1:
            _fold_block(bs, bq, acc_s, acc_q)
            in_block = 0
    return n


@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _sums_chunk(g, x, mask, has_mask, moments, C, I, p0, p1, shift, out_s, out_q):
    """Per channel, over the counted positions in [p0, p1) of the flattened (O, I) grid (flat arrays):
    out_s = sum u, out_q = sum u * d, d = x - shift[c], u = d if moments else g. Returns the count.

    For moments, shift is first set to the range's first counted element of each channel (0 if that is
    not finite; g unused).
    """
    p = p0
    if has_mask:
        while p < p1 and not mask[p]:
            p += 1
    if p == p1:
        return 0
    if moments:
        first = x[(p // I) * C * I + p % I:]
        for c in range(C):
            v = first[c * I]
            # a non-finite shift would turn inf - inf into NaN in this chunk's sum: the mean of a channel
            # holding +inf is inf (numpy, Keras) whichever chunk the inf starts, serial or parallel
            shift[c] = v if np.isfinite(v) else 0
    acc_s = np.zeros(C)
    acc_q = np.zeros(C)
    n = 0
    if I == 1 and C >= _WIDE:
        ahead = (p1 - p) * C > _GROUP_MAX
        group = _GROUP if moments or not ahead else 1
        n = _sums_wide_rows(g, x, mask, has_mask, moments, C, p, p1, shift, acc_s, acc_q, group, ahead)
    elif I == 1:
        R = max(1, min(_TILE // C, p1 - p))
        L = R * C
        sxt = _tile(shift, R)
        blk_s = np.zeros(L, x.dtype)
        blk_q = np.zeros(L, x.dtype)
        tile_s = np.zeros(L)
        tile_q = np.zeros(L)
        in_block = 0
        ahead = (p1 - p) * C > _GROUP_MAX
        start = p
        # In cache: four tiles per step (see _TILE). The loops repeat _sums_wide_rows' four-row steps on
        # purpose: one shared helper (numba's inline="always") measured 15-25 % slower on 8 MiB batches.
        if not has_mask and not ahead:
            while start + _GROUP * R <= p1:
                a = start * C
                x0, x1, x2, x3 = x[a:a + L], x[a + L:a + 2 * L], x[a + 2 * L:a + 3 * L], x[a + 3 * L:a + 4 * L]
                if moments:
                    for j in range(L):
                        sj = sxt[j]
                        d0 = x0[j] - sj
                        d1 = x1[j] - sj
                        d2 = x2[j] - sj
                        d3 = x3[j] - sj
                        blk_s[j] += (d0 + d1) + (d2 + d3)
                        blk_q[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3)
                else:
                    g0, g1, g2, g3 = g[a:a + L], g[a + L:a + 2 * L], g[a + 2 * L:a + 3 * L], g[a + 3 * L:a + 4 * L]
                    for j in range(L):
                        sj = sxt[j]
                        blk_s[j] += (g0[j] + g1[j]) + (g2[j] + g3[j])
                        blk_q[j] += (g0[j] * (x0[j] - sj) + g1[j] * (x1[j] - sj)) + \
                            (g2[j] * (x2[j] - sj) + g3[j] * (x3[j] - sj))
                n += _GROUP * R
                start += _GROUP * R
                in_block += _GROUP
                if in_block == _BLOCK_TILES or start == p1:
                    _fold_block(blk_s, blk_q, tile_s, tile_q)
                    in_block = 0
        for r0 in range(start, p1, R):
            r1 = min(r0 + R, p1)
            if moments and ahead:
                prefetch_ahead(x, r0 * C, (r1 - r0) * C, _AHEAD_BYTES)
            ra = r0
            while ra < r1:  # runs of counted rows (one run without a mask)
                rb = r1
                if has_mask:
                    while ra < r1 and not mask[ra]:
                        ra += 1
                    rb = ra
                    while rb < r1 and mask[rb]:
                        rb += 1
                j0 = (ra - r0) * C
                j1 = (rb - r0) * C
                xs = x[ra * C:rb * C]
                sx = sxt[j0:j1]
                bs = blk_s[j0:j1]
                bq = blk_q[j0:j1]
                if moments:
                    for j in range(xs.shape[0]):
                        d = xs[j] - sx[j]
                        bs[j] += d
                        bq[j] += d * d
                else:
                    gs = g[ra * C:rb * C]
                    for j in range(xs.shape[0]):
                        bs[j] += gs[j]
                        bq[j] += gs[j] * (xs[j] - sx[j])
                n += rb - ra
                ra = rb
            in_block += 1
            if in_block == _BLOCK_TILES or r1 == p1:
                _fold_block(blk_s, blk_q, tile_s, tile_q)
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
                if moments and has_mask:  # unmasked rows stream without help (see _AHEAD_BYTES)
                    prefetch_ahead(x, row + i0, i1 - i0, _AHEAD_BYTES)
                s, q = _row_sums(g[row + i0:row + i1], x[row + i0:row + i1], shift[c], mr, has_mask,
                                 moments, zero)
                acc_s[c] += s
                acc_q[c] += q
    for c in range(C):
        out_s[c] = acc_s[c]
        out_q[c] = acc_q[c]
    return n


@njit(cache=True, parallel=_PARALLEL)
def _sums_parallel(g, x, mask, has_mask, moments, C, I, total, shifts, sums, prods, counts):
    nchunks = counts.shape[0]
    for k in prange(nchunks):
        counts[k] = _sums_chunk(g, x, mask, has_mask, moments, C, I, _bound(total, nchunks, k),
                                _bound(total, nchunks, k + 1), shifts[k], sums[k], prods[k])


def _run_sums(g, x, mask, has_mask, moments, C, I, total, shifts):
    """Per-chunk (sums, prods, counts) of _sums_chunk; one chunk per thread (shifts has a row each)."""
    nchunks = shifts.shape[0]
    sums = np.zeros((nchunks, C))
    prods = np.zeros((nchunks, C))
    counts = np.zeros(nchunks, np.int64)
    if nchunks == 1:  # no parallel region at all
        counts[0] = _sums_chunk(g, x, mask, has_mask, moments, C, I, 0, total, shifts[0], sums[0], prods[0])
    else:
        _sums_parallel(g, x, mask, has_mask, moments, C, I, total, shifts, sums, prods, counts)
    return sums, prods, counts


# Chan's combine of the chunks' (shift, sums, squares, count) lives in `kernels/moments.py` (one home: the
# data-parallel reduction of synchronized batch normalization uses it too)
_combine_moments = combine_moments


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
    if x.size == 0:
        out_mean[:] = 0.0
        out_var[:] = 0.0
        return float(np.count_nonzero(mask) if has_mask else total)
    nchunks = min(threads_for(x.size), total)
    shifts = np.zeros((nchunks, C), x.dtype)
    sums, squares, counts = _run_sums(_NO_DATA[x.dtype.char], x.reshape(-1), flat_mask, bool(has_mask),
                                      True, C, I, total, shifts)
    return float(_combine_moments(shifts, sums, squares, counts, out_mean, out_var))


@njit(cache=True)
def _combine_sums(shift, mean, invstd, sums, prods, out_sum_g, out_sum_gxhat):
    """Totals over chunks; sum g (x - mean) = sum g (x - shift) + (shift - mean) sum g, in float64."""
    for c in range(out_sum_g.shape[0]):
        sg = 0.0
        sgx = 0.0
        for k in range(sums.shape[0]):
            sg += sums[k, c]
            sgx += prods[k, c]
        out_sum_g[c] = sg
        out_sum_gxhat[c] = (sgx + (shift[c] - mean[c]) * sg) * invstd[c]


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
    if x.size == 0:
        out_sum_g[:] = 0.0
        out_sum_gxhat[:] = 0.0
        return
    nchunks = min(threads_for(x.size), total)
    # The products use the mean rounded to x's dtype (its differences with nearby x are exact); the
    # rounding is corrected exactly in float64: sum g (x - mean) = sum g (x - m) + (m - mean) sum g.
    shifts = np.empty((nchunks, C), x.dtype)
    shifts[:] = mean
    sums, prods, _ = _run_sums(g.reshape(-1), x.reshape(-1), _NO_MASK, False, False, C, I, total, shifts)
    _combine_sums(shifts[0], mean, invstd, sums, prods, out_sum_g, out_sum_gxhat)


# --------------------------------------------------------------------------------------------- affine
@njit(cache=True, fastmath=_FM_ELEMENTWISE)
def _affine_chunk(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, p0, p1):
    """out = (k_g g if use_g else 0) + w (k_x (x - center) + k_0) on flat arrays, over rows [p0, p1) if
    I == 1, else over elements [p0, p1); w = mask (row-wise when I == 1) if has_mask else 1."""
    zero = np.zeros(1, x.dtype)[0]
    if I == 1 and has_mask and C >= _WIDE:  # masked wide rows: row by row, against the coefficients
        for r in range(p0, p1):
            xs = x[r * C:(r + 1) * C]
            gs = g[r * C:(r + 1) * C]
            ys = out[r * C:(r + 1) * C]
            if mask[r] and use_g:
                for j in range(C):
                    ys[j] = k_g[j] * gs[j] + (k_x[j] * (xs[j] - center[j]) + k_0[j])
            elif mask[r]:
                for j in range(C):
                    ys[j] = k_x[j] * (xs[j] - center[j]) + k_0[j]
            elif use_g:
                for j in range(C):
                    ys[j] = k_g[j] * gs[j]
            else:
                for j in range(C):
                    ys[j] = zero
    elif I == 1:
        R = max(1, min(_TILE // C, p1 - p0))
        kgt = _tile(k_g, R)
        kxt = _tile(k_x, R)
        k0t = _tile(k_0, R)
        ct = _tile(center, R)
        if not has_mask:  # whole tiles: three slices per tile instead of eight, and no runs of rows
            centered = False  # every center 0: the loops skip loading it (x - 0 is x, bit for bit)
            for c in range(C):
                centered = centered or center[c] != 0
            for r0 in range(p0, p1, R):
                r1 = min(r0 + R, p1)
                xs = x[r0 * C:r1 * C]
                ys = out[r0 * C:r1 * C]
                if use_g:
                    gs = g[r0 * C:r1 * C]
                    if centered:
                        for j in range(xs.shape[0]):
                            ys[j] = kgt[j] * gs[j] + (kxt[j] * (xs[j] - ct[j]) + k0t[j])
                    else:
                        for j in range(xs.shape[0]):
                            ys[j] = kgt[j] * gs[j] + (kxt[j] * xs[j] + k0t[j])
                elif centered:
                    for j in range(xs.shape[0]):
                        ys[j] = kxt[j] * (xs[j] - ct[j]) + k0t[j]
                else:
                    for j in range(xs.shape[0]):
                        ys[j] = kxt[j] * xs[j] + k0t[j]
            return
        for r0 in range(p0, p1, R):  # masked: runs of rows with the same mask value
            r1 = min(r0 + R, p1)
            ra = r0
            while ra < r1:
                counted = mask[ra]
                rb = ra + 1
                while rb < r1 and mask[rb] == counted:
                    rb += 1
                j0 = (ra - r0) * C
                j1 = (rb - r0) * C
                xs = x[ra * C:rb * C]
                gs = g[ra * C:rb * C]
                ys = out[ra * C:rb * C]
                kg = kgt[j0:j1]
                kx = kxt[j0:j1]
                k0 = k0t[j0:j1]
                cs = ct[j0:j1]
                if counted and not use_g:  # the forward passes: no g term to load
                    for j in range(xs.shape[0]):
                        ys[j] = kx[j] * (xs[j] - cs[j]) + k0[j]
                elif counted:
                    for j in range(xs.shape[0]):
                        ys[j] = kg[j] * gs[j] + (kx[j] * (xs[j] - cs[j]) + k0[j])
                else:
                    for j in range(xs.shape[0]):
                        t = kg[j] * gs[j]
                        ys[j] = t if use_g else zero
                ra = rb
    else:
        for q in range(p0 // I, (p1 - 1) // I + 1):
            o = q // C
            c = q - o * C
            kg = k_g[c]
            kx = k_x[c]
            k0 = k_0[c]
            cc = center[c]
            j0 = max(p0, q * I)
            j1 = min(p1, q * I + I)
            xs = x[j0:j1]
            gs = g[j0:j1]
            ys = out[j0:j1]
            if has_mask:
                m0 = o * I + (j0 - q * I)
                mr = mask[m0:m0 + (j1 - j0)]
                for j in range(xs.shape[0]):
                    t = kg * gs[j]
                    ys[j] = (t if use_g else zero) + ((kx * (xs[j] - cc) + k0) if mr[j] else zero)
            else:
                for j in range(xs.shape[0]):
                    t = kg * gs[j]
                    ys[j] = (t if use_g else zero) + (kx * (xs[j] - cc) + k0)


@njit(cache=True, parallel=_PARALLEL)
def _affine_parallel(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, total, nchunks):
    for k in prange(nchunks):
        _affine_chunk(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I,
                      _bound(total, nchunks, k), _bound(total, nchunks, k + 1))


def _coefficients(x, k_g, k_x, k_0, center, names=("k_g", "k_x", "k_0")):
    """Per-channel coefficients in x's dtype, and the center rounded to it.

    k_* may be float32 or float64. With `center` (float64), k_x (x - center) + k_0 is evaluated as
    k_x (x - c) + (k_0 + k_x (c - center)), c = center rounded to x's dtype, the bracket in float64:
    nothing large cancels in x's dtype, so float32 outputs keep float32 accuracy relative to themselves
    even when |mean| / std is large or only a few positions count.
    """
    C = x.shape[1]
    for name, arr in zip(names, (k_g, k_x, k_0)):
        if not isinstance(arr, np.ndarray) or arr.shape != (C,) or arr.dtype not in (np.float32, np.float64):
            _fail(name, f"a float32 or float64 array of shape {(C,)}", arr)
    if center is None:
        c = np.zeros(C, x.dtype)
    else:
        if not isinstance(center, np.ndarray) or center.shape != (C,) or center.dtype.kind != "f":
            _fail("center", f"a float array of shape {(C,)}", center)
        c = center.astype(x.dtype)
        with np.errstate(all="ignore"):
            k_0 = k_0.astype(np.float64) + k_x.astype(np.float64) * (c.astype(np.float64) - center)
    return (np.ascontiguousarray(k_g, x.dtype), np.ascontiguousarray(k_x, x.dtype),
            np.ascontiguousarray(k_0, x.dtype), c)


def _run_affine(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, size):
    O, C, I = x.shape
    if x.size == 0:
        return
    total = O if I == 1 else x.size  # rows when I == 1, else elements
    nchunks = min(threads_for(size), total)
    args = (g.reshape(-1), x.reshape(-1), mask, has_mask, use_g, k_g, k_x, k_0, center, out.reshape(-1),
            C, I)
    if nchunks == 1:  # no parallel region at all
        _affine_chunk(*args, 0, total)
    else:
        _affine_parallel(*args, total, nchunks)


def normalize(x, a, b, out, center=None):
    """out[o, c, i] = x[o, c, i] * a[c] + b[c], or a[c] * (x - center[c]) + b[c] with `center`.

    a, b: float32 or float64 (C,), rounded to x's dtype (after the float64 centering); out has x's
    dtype. Training output: a = gamma * invstd and either b = beta - mean * a, or b = beta with
    center = mean (accurate in float32 whatever |mean| / std); inference the same with moving stats.
    """
    _check_x("x", x)
    _check("out", out, x.shape, x.dtype)
    a, _, b, c = _coefficients(x, a, a, b, center, names=("a", "a", "b"))
    _run_affine(x, x, _NO_MASK, False, False, a, a, b, c, out, x.size)


def backward_input(g, x, mask, has_mask, k_g, k_x, k_0, out, center=None):
    """out = k_g[c] * g + w * (k_x[c] * (x - center[c]) + k_0[c]), w = mask[o, i] if has_mask else 1,
    center = 0 when not given.

    Masked positions (w = 0) get exactly k_g * g. k_* are float32 or float64 (C,), g and out have x's
    dtype. With s = invstd, n = count, dbeta = sum_g, dgamma = sum_gxhat: k_g = gamma s,
    k_x = -gamma s^2 dgamma / n and either k_0 = -gamma s (dbeta - mean s dgamma) / n, or, accurate
    in float32 when few positions count or |mean| / std is large, k_0 = -gamma s dbeta / n with
    center = mean (pass the k_* in float64 then).
    """
    _check_x("x", x)
    _check("g", g, x.shape, x.dtype)
    _check("out", out, x.shape, x.dtype)
    flat_mask = _flat_mask(x, mask, has_mask)
    k_g, k_x, k_0, c = _coefficients(x, k_g, k_x, k_0, center)
    _run_affine(g, x, flat_mask, bool(has_mask), True, k_g, k_x, k_0, c, out, x.size)


# --------------------------------------------------------------------------------------------- layer entries
# Unchecked entry points for the batch-normalization layer, which guarantees the shapes and dtypes: x, g,
# out flat C-contiguous views of (O, C, I) arrays (float32 or float64), mask flat bool (O * I, or empty with
# has_mask False), per-channel statistics float64 (C,), the layer's variables (C,) float32 or float64 (all of
# one dtype; pass moving_mean in place of a missing gamma or beta) read on every call, as optimizers write
# them in place. Each entry runs the statistics pass, one small njit for the per-channel coefficients (the
# same float64 arithmetic and centring as `normalize` / `backward_input`, and the moving-statistics update)
# and the elementwise pass, with a number of chunks per pass (1: the chunk kernels alone, no parallel region).
@njit(cache=True, error_model="numpy")
def _forward_coefficients(x, mean, var, training, gamma, has_gamma, beta, has_beta, moving_mean,
                          moving_variance, momentum, epsilon, invstd, k_x, k_0, center):
    """Fills per-channel k_x, k_0, center (x's dtype) for out = k_x (x - center) + k_0 = gamma invstd
    (x - mean) + beta, centred as in `_coefficients` (center = mean, or 0 where |mean| invstd <= _FOLD_BELOW);
    training: updates the moving statistics with (mean, var), inference: mean and var are filled from
    them. invstd (float64) is filled.

    Returns nothing on purpose: boxing a returned array calls back into Python (numba unpickles its
    dtype), and a KeyboardInterrupt raised there escaped as `SystemError ... with an exception set`."""
    C = mean.shape[0]
    for c in range(C):
        if training:
            mu = mean[c]
            v = var[c]
            moving_mean[c] = moving_mean[c] * momentum + mu * (1.0 - momentum)
            moving_variance[c] = moving_variance[c] * momentum + v * (1.0 - momentum)
        else:
            mu = np.float64(moving_mean[c])
            v = np.float64(moving_variance[c])
            mean[c] = mu
            var[c] = v
        s = 1.0 / np.sqrt(v + epsilon)
        invstd[c] = s
        a = np.float64(gamma[c]) * s if has_gamma else s
        b = np.float64(beta[c]) if has_beta else 0.0
        center[c] = mu if abs(mu) * s > _FOLD_BELOW else 0.0
        k_x[c] = a
        k_0[c] = b + a * (np.float64(center[c]) - mu)


@njit(cache=True, error_model="numpy")
def _backward_coefficients(x, mean, invstd, gamma, has_gamma, count, full, sum_g, sum_gxhat, k_g, k_x, k_0,
                           center):
    """Fills k_g, k_x, k_0, center (float64) for dx = k_g g + w (k_x (x - center) + k_0), as the layer's
    backward: full (training with count > 0) as `backward_input(..., center=mean)` (center 0 where
    |mean| invstd <= _FOLD_BELOW), else dx = gamma invstd g (given as k_x with k_0 = center = 0, for the
    pass without a g term). Returns nothing, as `_forward_coefficients` (a jitted function that returns
    arrays calls back into Python, where a Ctrl-C would surface as a SystemError).

    Float64, so that the affine pass evaluates each dx in float64 and rounds it once: coefficients rounded
    to float32 would add the same error at every position of a channel, a per-channel offset in the sum
    of dx, which is the whole gradient of a bias feeding batch normalization (exactly 0 in exact
    arithmetic); Adam turns that offset into learning-rate-sized steps of the bias."""
    C = mean.shape[0]
    for c in range(C):
        kg = (np.float64(gamma[c]) if has_gamma else 1.0) * invstd[c]
        k_g[c] = kg
        if full:
            kx = -kg * invstd[c] * sum_gxhat[c] / count
            center[c] = mean[c] if abs(mean[c]) * invstd[c] > _FOLD_BELOW else 0.0
            k_x[c] = kx
            k_0[c] = -kg * sum_g[c] / count + kx * (center[c] - mean[c])
        else:
            center[c] = 0.0
            k_x[c] = kg
            k_0[c] = 0.0


def _train(x, mask, has_mask, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
           momentum, epsilon, out, mean, invstd, nchunks, reduce_moments=None):
    """Training forward: moments, moving-statistics update, normalize, with up to nchunks chunks (threads)
    per pass (1: no parallel region). Returns the count.

    `reduce_moments(count, mean, var) -> count`, if given, replaces the batch statistics by the global ones
    before they are used (batch normalization with `synchronized = TRUE` under a data-parallel distribution).

    Plain Python on purpose: it calls the cached kernels (`_sums_parallel`, `_affine_parallel`, the chunk
    kernels) as their own dispatchers, so the train, inference and backward entries share their compiled
    code instead of each compiling it inline again (cold compile of a first training step: 19.5 s with
    fused njit entries, measured; a few dispatches cost ~1 us each).
    """
    total = x.shape[0] // C
    k_s = max(1, min(nchunks, total))  # an empty batch (a rank's empty share) still gives one chunk
    shifts = np.zeros((k_s, C), x.dtype)
    sums = np.zeros((k_s, C))
    squares = np.zeros((k_s, C))
    counts = np.zeros(k_s, np.int64)
    if k_s == 1:
        counts[0] = _sums_chunk(x, x, mask, has_mask, True, C, I, 0, total, shifts[0], sums[0], squares[0])
    else:
        _sums_parallel(x, x, mask, has_mask, True, C, I, total, shifts, sums, squares, counts)
    var = np.empty(C)
    n = _combine_moments(shifts, sums, squares, counts, mean, var)
    if reduce_moments is not None:
        n = reduce_moments(n, mean, var)
    k_x, k_0, center = np.empty(C, x.dtype), np.empty(C, x.dtype), np.empty(C, x.dtype)
    _forward_coefficients(x, mean, var, True, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
                          momentum, epsilon, invstd, k_x, k_0, center)
    total_a = total if I == 1 else x.shape[0]
    k_a = max(1, min(nchunks, total_a))
    if k_a == 1:
        _affine_chunk(x, x, mask, False, False, k_x, k_x, k_0, center, out, C, I, 0, total_a)
    else:
        _affine_parallel(x, x, mask, False, False, k_x, k_x, k_0, center, out, C, I, total_a, k_a)
    return n * 1.0


def _infer(x, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance, epsilon, out, mean, invstd,
           nchunks):
    """Inference forward with the moving statistics (mean and invstd are filled), up to nchunks chunks."""
    var = np.empty(C)
    k_x, k_0, center = np.empty(C, x.dtype), np.empty(C, x.dtype), np.empty(C, x.dtype)
    _forward_coefficients(x, mean, var, False, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
                          0.0, epsilon, invstd, k_x, k_0, center)
    total_a = x.shape[0] // C if I == 1 else x.shape[0]
    k_a = max(1, min(nchunks, total_a))
    if k_a == 1:
        _affine_chunk(x, x, _NO_MASK_1D, False, False, k_x, k_x, k_0, center, out, C, I, 0, total_a)
    else:
        _affine_parallel(x, x, _NO_MASK_1D, False, False, k_x, k_x, k_0, center, out, C, I, total_a, k_a)


def _backward(g, x, mask, has_mask, C, I, mean, invstd, gamma, has_gamma, count, full, out, sum_g, sum_gxhat,
              nchunks, reduce_sums=None):
    """Layer backward: sum_g, sum_gxhat (as `backward_sums`), then dx into out (full: as
    `backward_input(..., center=mean)` with the layer's coefficients; else gamma invstd g), with up to
    nchunks chunks (threads) per pass (1: no parallel region).

    `reduce_sums(sum_g, sum_gxhat)`, if given, replaces the sums in place by the global ones before dx is
    computed (synchronized batch normalization)."""
    total = x.shape[0] // C
    k_s = max(1, min(nchunks, total))
    shifts = np.empty((k_s, C), x.dtype)
    shifts[:, :] = mean  # the same shift in every chunk: the sums need no Chan combine
    sums = np.zeros((k_s, C))
    prods = np.zeros((k_s, C))
    if k_s == 1:
        _sums_chunk(g, x, mask, False, False, C, I, 0, total, shifts[0], sums[0], prods[0])
    else:
        _sums_parallel(g, x, mask, False, False, C, I, total, shifts, sums, prods, np.zeros(k_s, np.int64))
    _combine_sums(shifts[0], mean, invstd, sums, prods, sum_g, sum_gxhat)
    if reduce_sums is not None:
        reduce_sums(sum_g, sum_gxhat)
    k_g, k_x, k_0, center = (np.empty(C, np.float64) for _ in range(4))
    _backward_coefficients(x, mean, invstd, gamma, has_gamma, count, full, sum_g, sum_gxhat, k_g, k_x, k_0, center)
    total_a = total if I == 1 else x.shape[0]
    k_a = max(1, min(nchunks, total_a))
    if full:
        if k_a == 1:
            _affine_chunk(g, x, mask, has_mask, True, k_g, k_x, k_0, center, out, C, I, 0, total_a)
        else:
            _affine_parallel(g, x, mask, has_mask, True, k_g, k_x, k_0, center, out, C, I, total_a, k_a)
    elif k_a == 1:
        _affine_chunk(g, g, mask, False, False, k_x, k_x, k_0, center, out, C, I, 0, total_a)
    else:
        _affine_parallel(g, g, mask, False, False, k_x, k_x, k_0, center, out, C, I, total_a, k_a)


def layer_train(x, mask, has_mask, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance,
                momentum, epsilon, out, mean, invstd, reduce_moments=None):
    """Training forward for the layer (unchecked, see above); returns the count (float)."""
    return _train(x, mask, has_mask, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance, momentum,
                  epsilon, out, mean, invstd, _chunks(x.shape[0]), reduce_moments)


def layer_inference(x, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance, epsilon, out, mean,
                    invstd):
    """Inference forward for the layer (unchecked); fills mean and invstd from the moving statistics."""
    _infer(x, C, I, gamma, has_gamma, beta, has_beta, moving_mean, moving_variance, epsilon, out, mean, invstd,
           _chunks(x.shape[0]))


def layer_backward(g, x, mask, has_mask, C, I, mean, invstd, gamma, has_gamma, count, full, out, sum_g,
                   sum_gxhat, reduce_sums=None):
    """Backward for the layer (unchecked): fills sum_g, sum_gxhat and dx (out)."""
    _backward(g, x, mask, has_mask, C, I, mean, invstd, gamma, has_gamma, count, full, out, sum_g, sum_gxhat,
              _chunks(x.shape[0]), reduce_sums)
