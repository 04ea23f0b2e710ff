"""The statistics pass of batch normalization: per-channel sums over the counted positions of (O, C, I).

`sums_chunk` takes, over one contiguous range of the (O, I) grid, the per-channel sums of u and u * d,
d = x - shift, with u = d for the moments (shift: the range's first counted value of the channel) and
u = g for the gradient sums (shift: the mean rounded to x's dtype). Values are accumulated in x's dtype
over short blocks folded into float64; per-chunk partials are combined in float64, the moments with
Chan's formula. This stays one read pass and keeps float32 variances accurate even when |mean| / std is
1e6. Only the contiguous-row reductions get `reassoc` (it lets LLVM vectorize them); NaN and Inf reach
the sums.

Layout: with I == 1 (dense, channels-last) a chunk walks tiles of rows against per-channel shifts
repeated to the tile's length (four tiles per step in cache), or, with WIDE channels or more, whole rows
against per-channel accumulators (four rows per step); with I > 1 (channels-first) it streams its (o, c)
rows in memory order, never channel by channel. Passes over chunks larger than the caches ask for their
data _AHEAD_BYTES ahead (`prefetch.py`).
"""

import numpy as np
from numba import njit, prange

from ..moments import combine_moments
from ..prefetch import prefetch_ahead
from .layout import FM_ELEMENTWISE, FM_REDUCE, PARALLEL, TILE, WIDE, bound, tile

__all__ = ["gradient_sums", "moments"]

_BLOCK_TILES = 16  # I == 1: tiles (or rows) per float32 accumulator before folding it into float64
_BLOCK_INNER = 256  # I > 1: contiguous elements per float32 block
_GROUP = 4  # rows (or tiles) per step of the sums: one accumulator update per four values
_GROUP_MAX = 1 << 21  # elements: chunks up to this size are in cache (four per step, no prefetch)
_AHEAD_BYTES = 8192  # beyond the caches the sums prefetch this far ahead: the hardware prefetcher lags
_NO_MASK = np.zeros(0, np.bool_)  # the mask argument of the gradient sums, which count every position


# --------------------------------------------------------------------------------------------- kernels
@njit(cache=True, fastmath=FM_REDUCE)
def row_sums(gr, xr, sx, mr, has_mask, moments, zero):
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



@njit(cache=True)
def fold_block(blk_s, blk_q, acc_s, acc_q):
    """Adds the float32 block accumulators into the float64 ones and clears the block."""
    for j in range(blk_s.shape[0]):
        acc_s[j] += blk_s[j]
        acc_q[j] += blk_q[j]
        blk_s[j] = 0
        blk_q[j] = 0


@njit(cache=True, fastmath=FM_ELEMENTWISE)
def sums_wide_rows(g, x, mask, has_mask, moments, C, p0, p1, shift, acc_s, acc_q, group, ahead):
    """The sums of `sums_chunk` for I == 1 and C >= WIDE over rows [p0, p1), each channel's float32 block
    accumulator folded into acc_s, acc_q (float64) every _BLOCK_TILES rows. Returns the count.

    With `group` = _GROUP (the moments; the backward sums in chunks up to _GROUP_MAX elements), each
    accumulator takes the step's rows at once (masked rows of the moments as exact zeros, by a select);
    otherwise (group = 1: the backward sums of larger chunks) one row per step, as do the last rows. With
    `ahead` (chunks larger than _GROUP_MAX elements: beyond the caches) the steps prefetch their rows
    _AHEAD_BYTES ahead (benchmarks/NOTES.md, WIDE)."""
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
            fold_block(bs, bq, acc_s, acc_q)
            in_block = 0
    return n


@njit(cache=True, fastmath=FM_ELEMENTWISE)
def sums_chunk(g, x, mask, has_mask, moments, C, I, p0, p1, shift, out_s, out_q):
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
    if I == 1 and C >= WIDE:
        ahead = (p1 - p) * C > _GROUP_MAX
        group = _GROUP if moments or not ahead else 1
        n = sums_wide_rows(g, x, mask, has_mask, moments, C, p, p1, shift, acc_s, acc_q, group, ahead)
    elif I == 1:
        R = max(1, min(TILE // C, p1 - p))
        L = R * C
        sxt = tile(shift, R)
        blk_s = np.zeros(L, x.dtype)
        blk_q = np.zeros(L, x.dtype)
        tile_s = np.zeros(L)
        tile_q = np.zeros(L)
        in_block = 0
        ahead = (p1 - p) * C > _GROUP_MAX
        start = p
        # In cache: four tiles per step (benchmarks/NOTES.md, TILE); the loops repeat sums_wide_rows' steps
        # on purpose (a shared inlined helper was slower).
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
                    fold_block(blk_s, blk_q, tile_s, tile_q)
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
                fold_block(blk_s, blk_q, tile_s, tile_q)
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
                if moments and has_mask:  # unmasked rows stream without help (NOTES.md, _AHEAD_BYTES)
                    prefetch_ahead(x, row + i0, i1 - i0, _AHEAD_BYTES)
                s, q = row_sums(g[row + i0:row + i1], x[row + i0:row + i1], shift[c], mr, has_mask,
                                 moments, zero)
                acc_s[c] += s
                acc_q[c] += q
    for c in range(C):
        out_s[c] = acc_s[c]
        out_q[c] = acc_q[c]
    return n


@njit(cache=True, parallel=PARALLEL)
def sums_parallel(g, x, mask, has_mask, moments, C, I, total, shifts, sums, prods, counts):
    nchunks = counts.shape[0]
    for k in prange(nchunks):
        counts[k] = sums_chunk(g, x, mask, has_mask, moments, C, I, bound(total, nchunks, k),
                                bound(total, nchunks, k + 1), shifts[k], sums[k], prods[k])



@njit(cache=True)
def combine_sums(shift, mean, invstd, sums, prods, out_sum_g, out_sum_gxhat):
    """Totals over chunks; sum g (x - mean) = sum g (x - shift) + (shift - mean) sum g, in float64."""
    for c in range(out_sum_g.shape[0]):
        sg = 0.0
        sgx = 0.0
        for k in range(sums.shape[0]):
            sg += sums[k, c]
            sgx += prods[k, c]
        out_sum_g[c] = sg
        out_sum_gxhat[c] = (sgx + (shift[c] - mean[c]) * sg) * invstd[c]



# --------------------------------------------------------------------------------------------- passes
def moments(x, mask, has_mask, C, I, nchunks, mean, var):
    """Per-channel mean and biased variance (float64, filled) of the counted positions of the flat (O, C, I)
    array x, in up to nchunks chunks (1: no parallel region). Returns the count (0: mean and var are 0)."""
    total = x.shape[0] // C
    k = max(1, min(nchunks, total))  # an empty batch (a rank's empty share) still gives one chunk
    shifts = np.zeros((k, C), x.dtype)
    sums = np.zeros((k, C))
    squares = np.zeros((k, C))
    counts = np.zeros(k, np.int64)
    if k == 1:
        counts[0] = sums_chunk(x, x, mask, has_mask, True, C, I, 0, total, shifts[0], sums[0], squares[0])
    else:
        sums_parallel(x, x, mask, has_mask, True, C, I, total, shifts, sums, squares, counts)
    return combine_moments(shifts, sums, squares, counts, mean, var)


def gradient_sums(g, x, C, I, nchunks, mean, invstd, sum_g, sum_gxhat):
    """Per-channel sum of g and of g (x - mean) invstd (float64, filled) over every position of the flat
    (O, C, I) arrays g and x, in up to nchunks chunks."""
    total = x.shape[0] // C
    k = max(1, min(nchunks, total))
    shifts = np.empty((k, C), x.dtype)
    shifts[:, :] = mean  # the same shift in every chunk: the sums need no Chan combine
    sums = np.zeros((k, C))
    prods = np.zeros((k, C))
    if k == 1:
        sums_chunk(g, x, _NO_MASK, False, False, C, I, 0, total, shifts[0], sums[0], prods[0])
    else:
        sums_parallel(g, x, _NO_MASK, False, False, C, I, total, shifts, sums, prods, np.zeros(k, np.int64))
    combine_sums(shifts[0], mean, invstd, sums, prods, sum_g, sum_gxhat)
