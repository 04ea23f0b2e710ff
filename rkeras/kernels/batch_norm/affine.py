"""The element-wise pass of batch normalization on flat (O, C, I) arrays:
out = (k_g g if use_g else 0) + w (k_x (x - center) + k_0), w = mask (per position) if has_mask else 1.

The training and inference outputs are this with use_g false; the input gradient with use_g true. With
I == 1 a chunk walks its rows in tiles against per-channel coefficients repeated to the tile's length (so
inner loops are long and vectorized), masked WIDE rows row by row; with I > 1 it streams its (o, c) rows
in memory order. When every center is 0 the loops skip loading it (x - 0 is x, bit for bit).
"""

import numpy as np
from numba import njit, prange

from .layout import FM_ELEMENTWISE, PARALLEL, TILE, WIDE, bound, tile

__all__ = ["affine"]


@njit(cache=True, fastmath=FM_ELEMENTWISE)
def affine_chunk(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, p0, p1):
    """out = (k_g g if use_g else 0) + w (k_x (x - center) + k_0) on flat arrays, over rows [p0, p1) if
    I == 1, else over elements [p0, p1); w = mask (row-wise when I == 1) if has_mask else 1."""
    zero = np.zeros(1, x.dtype)[0]
    if I == 1 and has_mask and C >= WIDE:  # masked wide rows: row by row, against the coefficients
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
        R = max(1, min(TILE // C, p1 - p0))
        kgt = tile(k_g, R)
        kxt = tile(k_x, R)
        k0t = tile(k_0, R)
        ct = tile(center, R)
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


@njit(cache=True, parallel=PARALLEL)
def affine_parallel(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, total, nchunks):
    for k in prange(nchunks):
        affine_chunk(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I,
                      bound(total, nchunks, k), bound(total, nchunks, k + 1))



def affine(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, nchunks):
    """The pass over the flat arrays (rows when I == 1, else elements), in up to nchunks chunks (1: no
    parallel region). The coefficients and center are per-channel vectors (C,)."""
    total = x.shape[0] // C if I == 1 else x.shape[0]
    k = max(1, min(nchunks, total))
    if k == 1:
        affine_chunk(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, 0, total)
    else:
        affine_parallel(g, x, mask, has_mask, use_g, k_g, k_x, k_0, center, out, C, I, total, k)
