"""The BLAS product callable from numba kernels (`rkeras.kernels.blas`) against numpy's matmul: both
float types, the transpose flag, row-strided views and the accumulation into the output (beta)."""

import numpy as np
import pytest
from numba import njit

from rkeras.kernels.blas import NO_TRANS, TRANS, gemm, gemm_function

BLAS = gemm_function()
pytestmark = pytest.mark.skipif(BLAS is None, reason="numpy's OpenBLAS CBLAS symbols not found")


@njit(cache=True)
def _gemm(fn, bits, trans_b, alpha, a, b, beta, c):
    gemm(fn, bits, trans_b, alpha, a, b, beta, c)


def _call(trans_b, alpha, a, b, beta, c):
    _gemm(BLAS.address(c.dtype), BLAS.int_bits, trans_b, alpha, a, b, beta, c)


def test_found_on_this_machine():
    # numpy >= 2's wheels ship an ILP64 OpenBLAS with the scipy_ prefix: the fast recurrent path must be on
    assert BLAS is not None and BLAS.int_bits in (32, 64) and BLAS.sgemm and BLAS.dgemm


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_b", [NO_TRANS, TRANS])
def test_gemm_matches_numpy(dtype, trans_b):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(9, 7)).astype(dtype)
    b = rng.normal(size=(7, 5) if trans_b == NO_TRANS else (5, 7)).astype(dtype)
    c = rng.normal(size=(9, 5)).astype(dtype)
    expected = 1.5 * (a.astype(np.float64) @ (b if trans_b == NO_TRANS else b.T)) + 0.5 * c
    _call(trans_b, 1.5, a, b, 0.5, c)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(c, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_on_row_strided_views_touches_only_the_view(dtype):
    rng = np.random.default_rng(1)
    big_a = rng.normal(size=(12, 10)).astype(dtype)
    b = rng.normal(size=(6, 4)).astype(dtype)
    big_c = rng.normal(size=(14, 9)).astype(dtype)
    before = big_c.copy()
    a, c = big_a[2:10, 3:9], big_c[4:12, 2:6]
    expected = a.astype(np.float64) @ b
    _call(NO_TRANS, 1.0, a, b, 0.0, c)
    np.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-5)
    outside = np.ones(big_c.shape, bool)
    outside[4:12, 2:6] = False
    np.testing.assert_array_equal(big_c[outside], before[outside])


def test_gemm_refuses_mismatched_shapes():
    a, b, c = np.ones((3, 4)), np.ones((5, 2)), np.ones((3, 2))
    with pytest.raises(ValueError, match="incompatible shapes"):
        _call(NO_TRANS, 1.0, a, b, 0.0, c)
