"""Numba kernels of 1-D/2-D convolution as implicit GEMM: one cache-sized tile of patches, one BLAS product.

Same conventions as `conv.py`: 4-D batches, channels-last (N, H, W, C) or channels-first (N, C, H, W),
a 1-D convolution as a 2-D one of height 1; the output position (oh, ow) reads input rows
`oh*sh - pt + i*dh` and columns `ow*sw - pl + j*dw`, zeros outside. The kernel comes as one matrix per
group, `kmat[g]` of shape (KH*KW*Cg, Fg), rows ordered (i, j, c) as Keras' (KH, KW, Cg, F) kernel.

The work is cut into tiles of a few output rows of one sample. A worker thread gathers a tile's patches
into its own buffer (small enough to stay in its core's cache) and multiplies it with the kernel matrix
by single-threaded BLAS (`blas.gemm`), straight into the output in either layout. So there is no patch
matrix of the whole batch (the im2col path writes and reads one of N*OH*OW*KH*KW*C values, beyond the
caches), and the two cores never wait on each other's BLAS.

- `forward`: out = conv(x, kernel) (+ bias).
- `grad_kernel`: the kernel gradient (each tile's patches, gathered again from the input, times its
  output gradient, one product per tile) and the bias gradient, summed in float64 per thread.
- the input gradient of a stride-1 convolution is itself a `forward` pass, over the output gradient with
  the flipped, transposed kernel (`flipped_kernel_matrices`): a gather, no scatter-add.
- `grad_input_strided`: with strides > 1, each sample's patch gradients (one product per tile) are added
  back into a private channels-last copy of that sample's input gradient: the scatter stays in cache and
  samples belong to one thread each.

Callers must check `blas.available()` first; geometry, flags and the thread count (`numba.get_num_threads()`,
which a cached function cannot call) are runtime arguments: no recompiles.
"""

import numpy as np
from numba import njit, prange

from .blas import gemm, get_threads, set_local_threads
from .runs import copy_run, zero_run

__all__ = ["flipped_kernel_matrices", "forward", "grad_input_strided", "grad_kernel", "kernel_matrices",
           "tile_rows"]

_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}

#: Values of a tile's patch buffer: 16 Ki float32 = 64 KiB, about an L1 and a bit (see benchmarks/NOTES.md)
TILE_VALUES = 16384
#: ... of the kernel gradient's tiles: there each product's inner dimension is the tile's length, and each
#: product (KH*KW*Cg x Fg) is added to a float64 sum, so long tiles pay (see benchmarks/NOTES.md)
KERNEL_GRAD_TILE_VALUES = 65536


def tile_rows(out_rows: int, out_cols: int, patch_length: int, values: int = 0) -> int:
    """Output rows per tile: as many as fit `values` (default `TILE_VALUES`) patch values, at least one."""
    return max(1, min(out_rows, (values or TILE_VALUES) // max(1, out_cols * patch_length)))


def kernel_matrices(kernel4, groups):
    """(groups, KH*KW*Cg, Fg) C-contiguous: each group's kernel as a matrix, rows ordered (i, j, c)."""
    kh, kw, cg, f = kernel4.shape
    fg = f // groups
    return np.ascontiguousarray(kernel4.reshape(kh * kw * cg, groups, fg).transpose(1, 0, 2))


def flipped_kernel_matrices(kernel4, groups):
    """(groups, KH*KW*Fg, Cg): the kernel of the stride-1 input gradient, flipped in space, in/out swapped."""
    kh, kw, cg, f = kernel4.shape
    fg = f // groups
    flipped = kernel4[::-1, ::-1].reshape(kh, kw, cg, groups, fg).transpose(3, 0, 1, 4, 2)
    return np.ascontiguousarray(flipped).reshape(groups, kh * kw * fg, cg)


def kernel_from_matrices(kmat, kh, kw):
    """The inverse of `kernel_matrices`: (KH, KW, Cg, F)."""
    groups, kk, fg = kmat.shape
    cg = kk // (kh * kw)
    return np.ascontiguousarray(kmat.transpose(1, 0, 2)).reshape(kh, kw, cg, groups * fg)


@njit(cache=True)
def _to_channels_last(x, n, xs):
    """xs[h, w, c] = x[n, c, h, w]: one channels-first sample, transposed row by row (writes stay in L1)."""
    c_, h_, w_ = x.shape[1], x.shape[2], x.shape[3]
    for h in range(h_):
        for c in range(c_):
            for w in range(w_):
                xs[h, w, c] = x[n, c, h, w]


@njit(cache=True)
def _gather(src, oh0, oh1, ow_, sh, sw, dh, dw, pt, pl, kh, kw, c0, cg, cols):
    """cols[r, (i, j, c)] = src[oh*sh - pt + i*dh, ow*sw - pl + j*dw, c0 + c], r = (oh - oh0)*ow_ + ow; 0 outside.

    Values are moved as runs (`runs.copy_run`): a window row inside the sample with contiguous taps
    (dw == 1, all channels) is one run of KW*C values, otherwise each tap is a run of Cg values."""
    h_, w_, c_ = src.shape
    kk = kh * kw * cg
    run = kw * cg
    contiguous = dw == 1 and cg == c_
    r = 0
    for oh in range(oh0, oh1):
        for ow in range(ow_):
            w0 = ow * sw - pl
            inside = w0 >= 0 and w0 + (kw - 1) * dw < w_
            for i in range(kh):
                h = oh * sh - pt + i * dh
                q = r * kk + i * run
                if h < 0 or h >= h_:
                    zero_run(cols, q, run)
                elif contiguous and inside:
                    copy_run(cols, q, src, (h * w_ + w0) * c_, run)
                else:
                    for j in range(kw):
                        w = w0 + j * dw
                        if w < 0 or w >= w_:
                            zero_run(cols, q, cg)
                        else:
                            copy_run(cols, q, src, (h * w_ + w) * c_ + c0, cg)
                        q += cg
            r += 1


@njit(cache=True)
def _scatter(dcols, oh0, oh1, ow_, sh, sw, dh, dw, pt, pl, kh, kw, c0, cg, acc):
    """acc[h, w, c0 + c] += dcols[r, (i, j, c)] for every tap inside the sample (the adjoint of `_gather`)."""
    h_, w_ = acc.shape[0], acc.shape[1]
    r = 0
    for oh in range(oh0, oh1):
        for ow in range(ow_):
            q = 0
            for i in range(kh):
                h = oh * sh - pt + i * dh
                for j in range(kw):
                    w = ow * sw - pl + j * dw
                    if h >= 0 and h < h_ and w >= 0 and w < w_:
                        for c in range(cg):
                            acc[h, w, c0 + c] += dcols[r, q + c]
                    q += cg
            r += 1


@njit(cache=True)
def _tile_rows(tile, per_sample, rows, oh_):
    """(sample, first output row, end row) of tile number `tile` (`per_sample` tiles of `rows` rows a sample)."""
    oh0 = (tile % per_sample) * rows
    return tile // per_sample, oh0, min(oh0 + rows, oh_)


@njit(cache=True)
def _sample(x, x_cf, n, xs, current):
    """(sample n channels-last, the sample now in `xs`): a channels-first sample is transposed into `xs`
    once, when the thread's tiles reach it (`current` is the sample `xs` holds)."""
    if not x_cf:
        return x[n], current
    if n != current:
        _to_channels_last(x, n, xs)
    return xs, n


@njit(cache=True)
def _shape(a, channels_first):
    """(channels, rows, cols) of a 4-D batch."""
    if channels_first:
        return a.shape[1], a.shape[2], a.shape[3]
    return a.shape[3], a.shape[1], a.shape[2]


@njit(parallel=True, cache=True)
def forward(x, x_cf, kmat, sh, sw, dh, dw, pt, pl, kh, kw, bias, use_bias, out, out_cf, rows, threads):
    """out = conv(x, kernel) + bias (when `use_bias`), `out` in its own layout (`out_cf`), `rows` rows per tile."""
    n_ = x.shape[0]
    c_, h_, w_ = _shape(x, x_cf)
    groups, kk, fg = kmat.shape
    cg = c_ // groups
    f_, oh_, ow_ = _shape(out, out_cf)
    per_sample = (oh_ + rows - 1) // rows
    tiles = n_ * per_sample
    threads = max(1, min(threads, tiles))
    plane = oh_ * ow_
    saved = get_threads()  # the caller's count, put back after the join (see blas.py)
    for t in prange(threads):
        set_local_threads(1)  # this thread's products on one BLAS thread
        cols = np.empty((rows * ow_, kk), dtype=x.dtype)
        xs = np.empty((h_, w_, c_) if x_cf else (0, 0, 0), dtype=x.dtype)
        current = -1
        for tile in range(t * tiles // threads, (t + 1) * tiles // threads):
            n, oh0, oh1 = _tile_rows(tile, per_sample, rows, oh_)
            m = (oh1 - oh0) * ow_
            src, current = _sample(x, x_cf, n, xs, current)
            for g in range(groups):
                _gather(src, oh0, oh1, ow_, sh, sw, dh, dw, pt, pl, kh, kw, g * cg, cg, cols)
                if out_cf:  # out[n, g*fg:(g+1)*fg, rows] = kmat[g].T @ cols.T
                    gemm(True, True, fg, m, kk, 1.0, kmat, g * kk * fg, fg, cols, 0, kk, 0.0, out,
                         (n * f_ + g * fg) * plane + oh0 * ow_, plane)
                else:
                    gemm(False, False, m, fg, kk, 1.0, cols, 0, kk, kmat, g * kk * fg, fg, 0.0, out,
                         (n * plane + oh0 * ow_) * f_ + g * fg, f_)
            if use_bias:
                if out_cf:
                    for f in range(f_):
                        b = bias[f]
                        for oh in range(oh0, oh1):
                            for ow in range(ow_):
                                out[n, f, oh, ow] += b
                else:
                    for oh in range(oh0, oh1):
                        for ow in range(ow_):
                            for f in range(f_):
                                out[n, oh, ow, f] += bias[f]
    set_local_threads(saved)


@njit(parallel=True, cache=True)
def grad_kernel(x, x_cf, dy, dy_cf, sh, sw, dh, dw, pt, pl, kh, kw, dkmat, want_kernel, dbias, want_bias, rows,
                threads):
    """dkmat (groups, KK, Fg) = the kernel gradient, dbias (F,) float64 = the bias gradient (each when wanted).

    Each thread sums its tiles' products in float64 (a tile's product is one float32 sgemm), then the
    threads' sums are added."""
    n_ = x.shape[0]
    c_, h_, w_ = _shape(x, x_cf)
    groups, kk, fg = dkmat.shape
    cg = c_ // groups
    f_, oh_, ow_ = _shape(dy, dy_cf)
    per_sample = (oh_ + rows - 1) // rows
    tiles = n_ * per_sample
    threads = max(1, min(threads, tiles))
    plane = oh_ * ow_
    dk_parts = np.zeros((threads, groups, kk, fg), dtype=np.float64)
    db_parts = np.zeros((threads, f_), dtype=np.float64)
    saved = get_threads()  # the caller's count, put back after the join (see blas.py)
    for t in prange(threads):
        set_local_threads(1)  # this thread's products on one BLAS thread
        cols = np.empty((rows * ow_, kk), dtype=x.dtype)
        product = np.empty((kk, fg), dtype=x.dtype)
        xs = np.empty((h_, w_, c_) if x_cf else (0, 0, 0), dtype=x.dtype)
        current = -1
        for tile in range(t * tiles // threads, (t + 1) * tiles // threads):
            n, oh0, oh1 = _tile_rows(tile, per_sample, rows, oh_)
            m = (oh1 - oh0) * ow_
            if want_kernel:
                src, current = _sample(x, x_cf, n, xs, current)
                for g in range(groups):
                    _gather(src, oh0, oh1, ow_, sh, sw, dh, dw, pt, pl, kh, kw, g * cg, cg, cols)
                    if dy_cf:  # product = cols.T @ dy[n, group channels, rows].T
                        gemm(True, True, kk, fg, m, 1.0, cols, 0, kk, dy, (n * f_ + g * fg) * plane + oh0 * ow_,
                             plane, 0.0, product, 0, fg)
                    else:
                        gemm(True, False, kk, fg, m, 1.0, cols, 0, kk, dy, (n * plane + oh0 * ow_) * f_ + g * fg,
                             f_, 0.0, product, 0, fg)
                    part = dk_parts[t, g]
                    for q in range(kk):
                        for f in range(fg):
                            part[q, f] += product[q, f]
            if want_bias:
                if dy_cf:
                    for f in range(f_):
                        s = 0.0
                        for oh in range(oh0, oh1):
                            for ow in range(ow_):
                                s += dy[n, f, oh, ow]
                        db_parts[t, f] += s
                else:
                    for oh in range(oh0, oh1):
                        for ow in range(ow_):
                            for f in range(f_):
                                db_parts[t, f] += dy[n, oh, ow, f]
    set_local_threads(saved)
    if want_kernel:
        for g in range(groups):
            for q in range(kk):
                for f in range(fg):
                    s = 0.0
                    for t in range(threads):
                        s += dk_parts[t, g, q, f]
                    dkmat[g, q, f] = s
    if want_bias:
        for f in range(f_):
            s = 0.0
            for t in range(threads):
                s += db_parts[t, f]
            dbias[f] = s


@njit(parallel=True, cache=True)
def grad_input_strided(dy, dy_cf, kmat, sh, sw, dh, dw, pt, pl, kh, kw, dx, dx_cf, rows, threads):
    """dx = the input gradient of a convolution of any strides (samples in parallel, scatter in cache)."""
    n_ = dy.shape[0]
    c_, h_, w_ = _shape(dx, dx_cf)
    groups, kk, fg = kmat.shape
    cg = c_ // groups
    f_, oh_, ow_ = _shape(dy, dy_cf)
    plane = oh_ * ow_
    threads = max(1, min(threads, n_))
    saved = get_threads()  # the caller's count, put back after the join (see blas.py)
    for t in prange(threads):
        set_local_threads(1)  # this thread's products on one BLAS thread
        dcols = np.empty((rows * ow_, kk), dtype=dy.dtype)
        acc = np.empty((h_, w_, c_), dtype=dy.dtype)
        for n in range(t * n_ // threads, (t + 1) * n_ // threads):
            acc[...] = 0
            for oh0 in range(0, oh_, rows):
                oh1 = min(oh0 + rows, oh_)
                m = (oh1 - oh0) * ow_
                for g in range(groups):
                    if dy_cf:  # dcols = dy[n, group channels, rows].T @ kmat[g].T
                        gemm(True, True, m, kk, fg, 1.0, dy, (n * f_ + g * fg) * plane + oh0 * ow_, plane, kmat,
                             g * kk * fg, fg, 0.0, dcols, 0, kk)
                    else:
                        gemm(False, True, m, kk, fg, 1.0, dy, (n * plane + oh0 * ow_) * f_ + g * fg, f_, kmat,
                             g * kk * fg, fg, 0.0, dcols, 0, kk)
                    _scatter(dcols, oh0, oh1, ow_, sh, sw, dh, dw, pt, pl, kh, kw, g * cg, cg, acc)
            if dx_cf:
                for c in range(c_):
                    for h in range(h_):
                        for w in range(w_):
                            dx[n, c, h, w] = acc[h, w, c]
            else:
                dx[n] = acc
    set_local_threads(saved)
