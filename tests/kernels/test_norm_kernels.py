"""The row-norm and group-norm kernels against their float64 numpy twins (rkeras.kernels.norm_reference),
serial and parallel, both views (I == 1 and I > 1), float32 and float64."""

import numba
import numpy as np
import pytest

from rkeras.kernels import group_norm, row_norm
from rkeras.kernels.norm_reference import (
    group_norm_backward_ref,
    group_norm_forward_ref,
    row_norm_backward_ref,
    row_norm_forward_ref,
)


def _err(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - b)) / max(1.0, np.max(np.abs(b))))


def _run_row(x, g, mode, eps, gamma, beta):
    O, _, I = x.shape
    out, dx = np.empty_like(x), np.empty_like(x)
    center, inv, k3 = np.empty(O * I), np.empty(O * I), np.empty(O * I)
    row_norm.row_norm_forward(x, mode, eps, gamma, beta, out, center, inv, k3)
    sg, sgx = row_norm.row_norm_backward(g, x, mode, center, inv, k3, gamma, dx)
    return out, dx, sgx, sg


@pytest.mark.parametrize("shape", [(9, 37, 1), (4, 5, 11), (600, 520, 1), (3, 100, 900)])  # the last two: parallel
@pytest.mark.parametrize("mode", [row_norm.MODE_LAYER, row_norm.MODE_RMS, row_norm.MODE_UNIT])
def test_row_norm_matches_twin(shape, mode):
    rng = np.random.default_rng(0)
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 2e-6)):
        x = rng.normal(2.0, 3.0, shape).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        gamma = rng.normal(size=shape[1]).astype(dtype) if mode != row_norm.MODE_UNIT else None
        beta = rng.normal(size=shape[1]).astype(dtype) if mode == row_norm.MODE_LAYER else None
        eps = 1e-12 if mode == row_norm.MODE_UNIT else 1e-3
        y, dx, dgamma, dbeta = _run_row(x, g, mode, eps, gamma, beta)
        rdx, rdg, rdb = row_norm_backward_ref(g, x, mode, eps, gamma)
        assert _err(y, row_norm_forward_ref(x, mode, eps, gamma, beta)) <= tol
        assert _err(dx, rdx) <= tol
        assert _err(dgamma, rdg) <= 1e-10 * max(1, np.sqrt(x.size))  # float64 sums of float32 products
        assert _err(dbeta, rdb) <= 1e-12


def test_row_norm_rejects_bad_arrays():
    x = np.ones((2, 3, 1), np.float32)
    c = np.empty(2)
    with pytest.raises(ValueError, match="out"):
        row_norm.row_norm_forward(x, 0, 1e-3, None, None, np.empty((2, 3, 1)), c, c, c)
    with pytest.raises(ValueError, match="gamma"):
        row_norm.row_norm_forward(x, 0, 1e-3, np.ones(4, np.float32), None, np.empty_like(x), c, c.copy(), c.copy())
    with pytest.raises(ValueError, match="mode"):
        row_norm.row_norm_forward(x, 7, 1e-3, None, None, np.empty_like(x), c, c.copy(), c.copy())
    assert numba.get_num_threads() >= 1


@pytest.mark.parametrize("shape,groups", [((3, 5, 12, 1), 4), ((2, 1, 6, 7), 3), ((2, 3, 4, 5), 1),
                                          ((4, 256, 64, 1), 8), ((4, 1, 16, 4096), 4)])  # the last two: parallel
def test_group_norm_matches_twin(shape, groups):
    rng = np.random.default_rng(1)
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 2e-6)):
        x = rng.normal(-2.0, 3.0, shape).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        gamma = rng.normal(size=shape[2]).astype(dtype)
        beta = rng.normal(size=shape[2]).astype(dtype)
        out, dx = np.empty_like(x), np.empty_like(x)
        mean, inv = np.empty((shape[0], groups)), np.empty((shape[0], groups))
        group_norm.group_norm_forward(x, groups, 1e-3, gamma, beta, out, mean, inv)
        dgamma, dbeta = group_norm.group_norm_backward(g, x, groups, mean, inv, gamma, dx)
        rdx, rdg, rdb = group_norm_backward_ref(g, x, groups, 1e-3, gamma)
        assert _err(out, group_norm_forward_ref(x, groups, 1e-3, gamma, beta)) <= tol
        assert _err(dx, rdx) <= tol
        assert _err(dgamma, rdg) <= 1e-10 * max(1, np.sqrt(x.size))
        assert _err(dbeta, rdb) <= 1e-12
    out = np.empty_like(x)
    group_norm.group_norm_forward(x, groups, 1e-3, None, None, out, mean, inv)
    assert _err(out, group_norm_forward_ref(x, groups, 1e-3)) <= 2e-6


def test_group_norm_rejects_bad_groups():
    x = np.ones((2, 1, 6, 1), np.float32)
    with pytest.raises(ValueError, match="groups"):
        group_norm.group_norm_forward(x, 4, 1e-3, None, None, np.empty_like(x), np.empty((2, 4)), np.empty((2, 4)))
