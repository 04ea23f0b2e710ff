"""The BLAS products callable from numba kernels (`rkeras.kernels.blas`) against numpy's matmul: both
float types, the transpose flags, element offsets and leading dimensions, row-strided views and the
accumulation into the output (beta), and the thread-local BLAS thread count."""

import numpy as np
import pytest
from numba import njit

from rkeras.kernels import blas
from rkeras.kernels.blas import NO_TRANS, TRANS, gemm, gemm_rows, set_local_threads

pytestmark = pytest.mark.skipif(not blas.available(), reason="numpy's OpenBLAS CBLAS symbols not found")


@njit(cache=True)
def _gemm_rows(trans_b, alpha, a, b, beta, c):
    gemm_rows(trans_b, alpha, a, b, beta, c)


def _call(trans_b, alpha, a, b, beta, c):
    _gemm_rows(trans_b, alpha, a, b, beta, c)


@njit(cache=True)
def _gemm(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc):
    gemm(ta, tb, m, n, k, alpha, a, ao, lda, b, bo, ldb, beta, c, co, ldc)


@njit(cache=True)
def _set_and_restore(count):
    previous = set_local_threads(count)
    now = set_local_threads(previous)
    return previous, now


def test_found_on_this_machine():
    # numpy >= 2's wheels ship an ILP64 OpenBLAS with the scipy_ prefix: the fast paths must be on
    assert blas.available()


def test_set_local_threads_returns_the_previous_count():
    previous, now = _set_and_restore(1)
    assert now == 1 and previous >= 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
def test_gemm_with_offsets_and_leading_dimensions(dtype, trans_a, trans_b):
    """Blocks of larger buffers, addressed by element offset and leading dimension, as the conv tiles are."""
    rng = np.random.default_rng(2)
    m, n, k = 5, 4, 3
    big_a, big_b, big_c = (rng.normal(size=s).astype(dtype) for s in ((9, 8), (7, 6), (10, 9)))
    a = big_a[2:2 + k, 1:1 + m] if trans_a else big_a[2:2 + m, 1:1 + k]
    b = big_b[1:1 + n, 2:2 + k] if trans_b else big_b[1:1 + k, 2:2 + n]
    before = big_c.copy()
    expected = 2.0 * (a.T if trans_a else a).astype(np.float64) @ (b.T if trans_b else b) + 0.5 * big_c[3:8, 4:8]
    _gemm(trans_a, trans_b, m, n, k, 2.0, big_a, 2 * 8 + 1, 8, big_b, 1 * 6 + 2, 6, 0.5, big_c, 3 * 9 + 4, 9)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(big_c[3:8, 4:8], expected, rtol=tol, atol=tol)
    outside = np.ones(big_c.shape, bool)
    outside[3:8, 4:8] = False
    np.testing.assert_array_equal(big_c[outside], before[outside])


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


def test_kernels_put_the_callers_blas_thread_count_back():
    """The convolution kernels' threads and the recurrent batch split set OpenBLAS to one thread while they
    run; numpy's products afterwards get the count they had (in numpy's OpenBLAS that setting is seen by
    every thread, so a missing restore would leave the whole process on one BLAS thread)."""
    import rkeras as rk
    from rkeras.kernels import blas_threads
    from rkeras.training.vjp import vjp

    getter = blas.library().scipy_openblas_get_num_threads64_
    before = getter()
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 12, 12, 4)).astype(np.float32)
    conv = rk.layer_conv_2d(filters=8, kernel_size=3, padding="same")
    vjp(conv, x, np.ones((8, 12, 12, 8), np.float32))
    assert getter() == before
    blas_threads.run_split(lambda b0, b1: np.ones((4, 4)) @ np.ones((4, 4)), [(0, 1), (1, 2)])
    assert getter() == before
    with blas_threads.one_blas_thread():
        assert getter() == 1
    assert getter() == before
