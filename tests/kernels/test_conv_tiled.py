"""The tiled implicit-GEMM convolution kernels (`rkeras.kernels.conv_tiled`) against the numpy twins.

Over strides, dilations, groups, paddings, odd sizes, both layouts (input and output layouts chosen
apart), float32 and float64, several tile lengths and thread counts: the output, the kernel and bias
gradients, and the input gradient both ways (the stride-1 flipped-kernel forward pass and the strided
scatter). The twins (`conv_reference.py`) pad explicitly and slice tap by tap, per group, in float64.
"""

import numpy as np
import pytest

from rkeras.kernels import blas
from rkeras.kernels import conv_reference as twins
from rkeras.kernels import conv_tiled as tiled

pytestmark = pytest.mark.skipif(not blas.available(), reason="numpy's OpenBLAS symbols are not reachable")


def _length_and_pad(n, k, s, d, padding):
    span = (k - 1) * d + 1
    if padding == "valid":
        return (n - span) // s + 1, 0
    out = -(-n // s)
    return out, max((out - 1) * s + span - n, 0) // 2


def _twin(x, k, b, gy, groups, geometry):
    """(y, dk, dx) in float64 channels-last, group by group."""
    n = x.shape[0]
    cg, f = k.shape[2], k.shape[3]
    oh, ow = gy.shape[1], gy.shape[2]
    fg = f // groups
    y, dk, dx = np.zeros((n, oh, ow, f)), np.zeros(k.shape), np.zeros(x.shape)
    for g in range(groups):
        xs = np.ascontiguousarray(x[..., g * cg:(g + 1) * cg], dtype=np.float64)
        ks = np.ascontiguousarray(k[..., g * fg:(g + 1) * fg], dtype=np.float64)
        gs = np.ascontiguousarray(gy[..., g * fg:(g + 1) * fg], dtype=np.float64)
        out = np.zeros((n, oh, ow, fg))
        twins.direct_forward(xs, False, ks, *geometry, out)
        y[..., g * fg:(g + 1) * fg] = out
        part = np.zeros(ks.shape)
        twins.direct_grad_kernel(xs, False, gs, *geometry, part)
        dk[..., g * fg:(g + 1) * fg] = part
        part = np.zeros(xs.shape)
        twins.direct_grad_input(gs, False, ks, *geometry, part)
        dx[..., g * cg:(g + 1) * cg] = part
    return y + b, dk, dx


def _layout(a, channels_first):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2)) if channels_first else a


def _channels_last(a, channels_first):
    return a.transpose(0, 2, 3, 1) if channels_first else a


CASES = [  # (n, h, w, cg, fg, groups, kh, kw, strides, dilation, padding)
    (2, 5, 7, 3, 4, 1, 3, 3, 1, 1, "valid"),
    (2, 5, 7, 3, 4, 1, 3, 3, 1, 1, "same"),
    (1, 6, 7, 2, 3, 1, 2, 4, 2, 1, "same"),
    (3, 7, 6, 2, 2, 1, 3, 3, 1, 2, "valid"),
    (2, 7, 5, 1, 2, 3, 3, 2, 1, 2, "same"),
    (2, 9, 8, 2, 3, 2, 3, 3, 2, 1, "same"),
    (2, 5, 5, 4, 1, 2, 1, 1, 3, 1, "valid"),
    (1, 1, 9, 3, 5, 1, 1, 3, 1, 1, "same"),   # a 1-D convolution as height 1
    (2, 1, 11, 2, 2, 2, 1, 4, 3, 1, "valid"),
    (3, 8, 8, 5, 6, 1, 3, 3, 1, 1, "same"),
]


@pytest.mark.parametrize("dtype,tol", [(np.float32, 3e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("layouts", [(False, False), (True, True), (True, False), (False, True)])
@pytest.mark.parametrize("case", CASES)
def test_tiled_kernels_match_twins(case, layouts, dtype, tol):
    n, h, w, cg, fg, groups, kh, kw, s, d, padding = case
    x_cf, out_cf = layouts
    c, f = cg * groups, fg * groups
    oh, pt = _length_and_pad(h, kh, 1 if h == 1 else s, d, "valid" if h == 1 else padding)
    ow, pl = _length_and_pad(w, kw, s, d, padding)
    sh = 1 if h == 1 else s
    geometry = (sh, s, d, d, pt, pl)
    rng = np.random.default_rng(abs(hash(case)) % 2**32)
    x = rng.normal(size=(n, h, w, c)).astype(dtype)
    k = rng.normal(size=(kh, kw, cg, f)).astype(dtype)
    b = rng.normal(size=f).astype(dtype)
    gy = rng.normal(size=(n, oh, ow, f)).astype(dtype)
    y_ref, dk_ref, dx_ref = _twin(x, k, b, gy, groups, geometry)
    xin, gin = _layout(x, x_cf), _layout(gy, out_cf)
    kmat = tiled.kernel_matrices(k, groups)
    for rows, threads in ((1, 1), (2, 2), (oh, 2), (max(1, oh // 2), 3)):
        out = np.empty((n, f, oh, ow) if out_cf else (n, oh, ow, f), dtype)
        tiled.forward(xin, x_cf, kmat, *geometry, kh, kw, b, True, out, out_cf, rows, threads)
        np.testing.assert_allclose(_channels_last(out, out_cf), y_ref, rtol=tol, atol=tol * 10)

        dkmat, db = np.empty_like(kmat), np.empty(f)
        tiled.grad_kernel(xin, x_cf, gin, out_cf, *geometry, kh, kw, dkmat, True, db, True, rows, threads)
        np.testing.assert_allclose(tiled.kernel_from_matrices(dkmat, kh, kw), dk_ref, rtol=tol, atol=tol * 30)
        np.testing.assert_allclose(db, gy.astype(np.float64).sum(axis=(0, 1, 2)), rtol=1e-12, atol=1e-9)

        dx = np.empty_like(xin)
        tiled.grad_input_strided(gin, out_cf, kmat, *geometry, kh, kw, dx, x_cf, rows, threads)
        np.testing.assert_allclose(_channels_last(dx, x_cf), dx_ref, rtol=tol, atol=tol * 30)
        if sh == 1 and s == 1:
            dx = np.empty_like(xin)
            tiled.forward(gin, out_cf, tiled.flipped_kernel_matrices(k, groups), 1, 1, d, d, (kh - 1) * d - pt,
                          (kw - 1) * d - pl, kh, kw, b, False, dx, x_cf, max(1, rows // 2), threads)
            np.testing.assert_allclose(_channels_last(dx, x_cf), dx_ref, rtol=tol, atol=tol * 30)


def test_only_the_wanted_gradients_are_written():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 5, 2)).astype(np.float32)
    gy = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    dkmat, db = np.full((1, 18, 3), 7.0, np.float32), np.full(3, 7.0)
    tiled.grad_kernel(x, False, gy, False, 1, 1, 1, 1, 1, 1, 3, 3, dkmat, False, db, True, 2, 2)
    assert (dkmat == 7.0).all() and np.allclose(db, gy.astype(np.float64).sum(axis=(0, 1, 2)))
    tiled.grad_kernel(x, False, gy, False, 1, 1, 1, 1, 1, 1, 3, 3, dkmat, True, db, False, 2, 2)
    assert not (dkmat == 7.0).any()


def test_nan_and_inf_propagate():
    x = np.ones((1, 4, 4, 1), np.float32)
    x[0, 0, 0, 0] = np.nan
    x[0, 3, 3, 0] = np.inf
    out = np.empty((1, 3, 3, 1), np.float32)
    tiled.forward(x, False, np.ones((1, 4, 1), np.float32), 1, 1, 1, 1, 0, 0, 2, 2, np.zeros(1, np.float32), False,
                  out, False, 1, 2)
    assert np.isnan(out[0, 0, 0, 0]) and np.isinf(out[0, 2, 2, 0]) and np.isfinite(out[0, 1, 1, 0])


def test_tile_rows_fits_the_budget():
    assert tiled.tile_rows(32, 32, 288, 16384) == 1
    assert tiled.tile_rows(16, 16, 27, 16384) == 16  # never more rows than the output has
    assert tiled.tile_rows(4, 1000, 10000, 16384) == 1  # at least one row
    assert tiled.tile_rows(100, 10, 10) == min(100, tiled.TILE_VALUES // 100)
