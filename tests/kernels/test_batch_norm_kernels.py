"""The batch-normalization kernel API (rkeras.kernels.batch_norm: train, inference, backward) against its
float64 numpy twin (rkeras.kernels.batch_norm_reference).

Small arrays only; the two dtypes (float32, float64) are the only compiled specializations, so after the
first run everything loads from numba's cache. With momentum 0 and float64 moving statistics, `train`
writes the batch mean and variance exactly into the moving statistics: that is how the statistics pass is
checked on its own.
"""

import os
import subprocess
import sys

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_harness import numeric_grad

from rkeras.kernels import batch_norm as bn
from rkeras.kernels import batch_norm_reference as ref
from rkeras.kernels import threads

TOL = {np.float32: 1e-5, np.float64: 1e-12}
DTYPES = [np.float32, np.float64]
EPS = 1e-3
# (O, C, I): channels-last / dense (I == 1) and channels-first (I > 1), O == 1, odd sizes; big enough
# that every thread gets a range and ranges are cut inside rows (O == 1) or inside tiles.
SHAPES = [(257, 7, 1), (1, 5, 1), (1, 300, 1), (5, 3, 333), (1, 4, 1001), (3, 5, 2), (2, 1, 3), (9, 130, 1),
          (203, 64, 1)]  # wide rows (C >= 64): four-row steps (moments), a remainder, masks
MASKS = ["none", "random", "false_row", "all_false"]
# data locations: |mean| / std 0.25 (the mean folded into the offset) and 15 (the pass keeps x - mean)
LOCS = [0.5, 30.0]


@pytest.fixture(autouse=True)
def parallel_for_small_arrays(monkeypatch):
    """Small arrays normally run serially (one chunk); the tests cut them into one chunk per thread, so
    ranges split inside rows, tiles and blocks get exercised. test_thread_counts_and_serial_path covers
    the serial path."""
    monkeypatch.setattr(threads, "_SERIAL_BELOW", 0)
    monkeypatch.setattr(threads, "_SERIAL_BELOW_WORKQUEUE", 0)


def rel_err(got, want, scale=0.0):
    """max |got - want| / max(max |want|, scale) (NaN must sit at the same places in both)."""
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    finite = ~np.isnan(want)
    if not finite.any():
        return 0.0
    scale = max(np.abs(want[finite]).max(), scale, 1e-300)
    return np.abs(got[finite] - want[finite]).max() / scale


def dx_scale(g, gamma, invstd):
    """Largest term k_g g = gamma invstd g of dx: float32 keeps ~1e-7 of this scale, which is much more
    than |dx| when few positions count (one counted value: var 0, invstd = 1/sqrt(eps), dx ~ 0). The
    other terms, k_x (x - center) and k_0, are of the same size (centered) or evaluated in float64 with
    float64 coefficients (folded), so dx is rounded once."""
    k_g = (1.0 if gamma is None else gamma) * invstd
    return np.abs(np.asarray(g, np.float64) * np.reshape(k_g, (1, -1, 1))).max()


def sums_scale(g, x, mean, invstd):
    """Largest per-channel sum of |g (x - mean) invstd| over all positions: d gamma is a sum of such terms,
    so float32 keeps ~1e-7 of this scale, which is far more than |d gamma| when the terms cancel (found
    by the property test: d gamma = 0.0127 from terms summing to 20.7 in absolute value, C = 1)."""
    xhat = (np.asarray(x, np.float64) - mean[None, :, None]) * invstd[None, :, None]
    return np.abs(np.asarray(g, np.float64) * xhat).sum(axis=(0, 2)).max()


def make_mask(kind, O, I, rng):
    if kind == "none":
        return None
    mask = rng.random((O, I)) < 0.7
    if kind == "false_row":
        if O > 1:
            mask[O // 2, :] = False
            mask[0, :] = True  # keep counted positions
        else:
            mask[0, :I // 2] = False
            mask[0, I // 2:] = True
    elif kind == "all_false":
        mask[:] = False
    return mask


def data(shape, dtype, rng, loc=0.5, scale=2.0):
    return rng.normal(loc, scale, shape).astype(dtype)


def moments(x, mask=None):
    """(mean, var, count) of the statistics pass, read back from `train` with momentum 0 (float64 moving
    statistics: moving = 0 * moving + 1 * statistic, exactly)."""
    C = x.shape[1]
    mm, mv = np.zeros(C), np.zeros(C)
    mean, invstd = np.empty(C), np.empty(C)
    count = bn.train(x, mask, None, None, mm, mv, 0.0, EPS, np.empty_like(x), mean, invstd)
    np.testing.assert_array_equal(mean, mm)
    return mm, mv, count


def gradient_sums(g, x, mean, invstd):
    """(sum g, sum g xhat) of `backward` with given statistics (count 0: constant statistics)."""
    C = x.shape[1]
    sum_g, sum_gxhat = np.empty(C), np.empty(C)
    bn.backward(g, x, None, mean, invstd, None, 0.0, np.empty_like(x), sum_g, sum_gxhat)
    return sum_g, sum_gxhat


# ----------------------------------------------------------------------------- compositions (as the layer)
def train_forward(x, gamma, beta, eps, mask=None, moving_mean=None, moving_var=None, momentum=0.9):
    """`train` with float64 weights: (y, mean, invstd, count, new moving mean, new moving variance)."""
    C = x.shape[1]
    mm = np.zeros(C) if moving_mean is None else np.array(moving_mean, np.float64)
    mv = np.ones(C) if moving_var is None else np.array(moving_var, np.float64)
    y, mean, invstd = np.empty_like(x), np.empty(C), np.empty(C)
    g64 = None if gamma is None else np.asarray(gamma, np.float64)
    b64 = None if beta is None else np.asarray(beta, np.float64)
    count = bn.train(x, mask, g64, b64, mm, mv, momentum, eps, y, mean, invstd)
    return y, mean, invstd, count, mm, mv


def train_backward(g, x, gamma, mean, invstd, count, mask=None):
    """`backward`: (dx, dgamma, dbeta)."""
    C = x.shape[1]
    sum_g, sum_gxhat = np.empty(C), np.empty(C)
    dx = np.empty_like(x)
    bn.backward(g, x, mask, mean, invstd, None if gamma is None else np.asarray(gamma, np.float64), count, dx,
                sum_g, sum_gxhat)
    return dx, sum_gxhat, sum_g


def inference(x, gamma, beta, mm, mv, eps=EPS):
    """`inference` with float64 weights: (y, mean, invstd)."""
    C = x.shape[1]
    y, mean, invstd = np.empty_like(x), np.empty(C), np.empty(C)
    bn.inference(x, np.asarray(gamma, np.float64), np.asarray(beta, np.float64), np.asarray(mm, np.float64),
                 np.asarray(mv, np.float64), eps, y, mean, invstd)
    return y, mean, invstd


# ----------------------------------------------------------------------------- kernels vs twins
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mask_kind", MASKS)
def test_moments_match_twin(dtype, shape, mask_kind):
    rng = np.random.default_rng(1)
    x = data(shape, dtype, rng)
    mask = make_mask(mask_kind, shape[0], shape[2], rng)
    mean, var, count = moments(x, mask)
    want_mean, want_var, want_count = ref.moments_ref(x, (1,), mask)
    assert isinstance(count, float) and count == want_count
    if mask_kind == "all_false":
        assert count == 0 and not mean.any() and not var.any()
    else:
        assert rel_err(mean, want_mean) <= TOL[dtype]
        assert rel_err(var, want_var) <= TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("loc", LOCS)
def test_inference_matches_twin(dtype, shape, loc):
    """Random weights and moving statistics; the moving means at `loc`, so that the channels are folded
    (0.5) or centered (30: |mean| / std ~ 20)."""
    rng = np.random.default_rng(2)
    C = shape[1]
    x = data(shape, dtype, rng, loc)
    gamma, beta = rng.normal(size=(2, C))
    mm, mv = loc + rng.normal(size=C), rng.uniform(0.5, 4.0, C)
    y, mean, invstd = inference(x, gamma, beta, mm, mv)
    want = ref.batch_norm_ref(x, (1,), gamma, beta, mm, mv, epsilon=EPS, training=False)[0]
    assert rel_err(y, want) <= TOL[dtype]
    np.testing.assert_array_equal(mean, mm)
    np.testing.assert_allclose(invstd, 1 / np.sqrt(mv + EPS), rtol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_gradient_sums_match_twin(dtype, shape):
    rng = np.random.default_rng(3)
    x, g = data(shape, dtype, rng), data(shape, dtype, rng, 0.0, 1.0)
    mean = rng.normal(0.5, 0.1, shape[1])
    invstd = rng.uniform(0.3, 2.0, shape[1])
    sum_g, sum_gxhat = gradient_sums(g, x, mean, invstd)
    want_g, want_gxhat = ref.backward_sums_ref(g, x, mean, invstd)
    assert rel_err(sum_g, want_g) <= TOL[dtype]
    assert rel_err(sum_gxhat, want_gxhat) <= TOL[dtype]


@pytest.mark.parametrize("masked", [False, True])
def test_moments_of_chunks_over_the_group_limit_match_twin(masked):
    """Moments of wide rows in chunks of more than _GROUP_MAX elements (four rows per step, prefetching
    ahead; the largest arrays of the suite: 4.2M float32 elements, two chunks), at |mean| / std = 1e3."""
    C = 128
    rows = 2 * (bn.sums._GROUP_MAX // C + 8) + 3
    rng = np.random.default_rng(12)
    x = rng.normal(1e3, 1.0, (rows, C, 1)).astype(np.float32)
    mask = rng.random((rows, 1)) < 0.7 if masked else None
    mean, var, count = moments(x, mask)
    want_mean, want_var, want_count = ref.moments_ref(x, (1,), mask)
    assert count == want_count
    assert np.max(np.abs(var - want_var) / want_var) <= 1e-6
    assert np.max(np.abs(mean - want_mean) / np.sqrt(want_var)) <= 1e-6


@pytest.mark.parametrize("loc", [0.5, 1e3])
@pytest.mark.parametrize("C, rows", [(64, 20003), (128, 2 * (bn.sums._GROUP_MAX // 128 + 8) + 3)])
def test_gradient_sums_of_long_wide_chunks_match_twin(loc, C, rows):
    """Wide rows over long chunks: many float32 blocks folded into float64, at a moderate and at a large
    |mean| / std; four rows per step, and (chunks of more than _GROUP_MAX elements) one row per step,
    prefetching ahead."""
    rng = np.random.default_rng(11)
    x = rng.normal(loc, 1.0, (rows, C, 1)).astype(np.float32)
    g = rng.normal(size=(rows, C, 1)).astype(np.float32)
    mean = x.mean(axis=(0, 2), dtype=np.float64)
    invstd = 1.0 / x.std(axis=(0, 2), dtype=np.float64)
    sum_g, sum_gxhat = gradient_sums(g, x, mean, invstd)
    want_g, want_gxhat = ref.backward_sums_ref(g, x, mean, invstd)
    n = rows ** 0.5  # the sums are O(sqrt(rows)): compare with that scale, as the accuracy test does
    assert np.max(np.abs(sum_g - want_g)) <= 1e-6 * n
    assert np.max(np.abs(sum_gxhat - want_gxhat)) <= 1e-6 * n


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mask_kind", MASKS)
@pytest.mark.parametrize("loc", LOCS)
def test_training_backward_matches_twin(dtype, shape, mask_kind, loc):
    """dx of a training step with random gamma and masks; masked positions get exactly gamma invstd g
    (rounded once from float64)."""
    rng = np.random.default_rng(4)
    x, g = data(shape, dtype, rng, loc), data(shape, dtype, rng, 0.0, 1.0)
    mask = make_mask(mask_kind, shape[0], shape[2], rng)
    gamma = rng.normal(size=shape[1])
    _, mean, invstd, count, _, _ = train_forward(x, gamma, None, EPS, mask)
    dx, dgamma, dbeta = train_backward(g, x, gamma, mean, invstd, count, mask)
    want_dx, want_dgamma, want_dbeta = ref.batch_norm_ref(x, (1,), gamma, epsilon=EPS, mask=mask, upstream=g)[3:]
    assert rel_err(dx, want_dx, dx_scale(g, gamma, invstd)) <= TOL[dtype]
    assert rel_err(dgamma, want_dgamma, sums_scale(g, x, mean, invstd)) <= TOL[dtype]
    assert rel_err(dbeta, want_dbeta) <= TOL[dtype]
    if mask is not None:  # masked positions get exactly k_g * g
        masked = ~np.broadcast_to(mask[:, None, :], shape)
        k_g = (gamma * invstd)[None, :, None]
        np.testing.assert_array_equal(dx[masked], (k_g * g.astype(np.float64)).astype(dtype)[masked])


@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("serial_below", [0, 1 << 40])
def test_thread_counts_and_serial_path(n_threads, serial_below, monkeypatch):
    """Same results on the serial path (small arrays), with one chunk and with one chunk per thread."""
    monkeypatch.setattr(threads, "_SERIAL_BELOW", serial_below)
    monkeypatch.setattr(threads, "_SERIAL_BELOW_WORKQUEUE", serial_below)
    rng = np.random.default_rng(5)
    old = numba.get_num_threads()
    numba.set_num_threads(min(n_threads, numba.config.NUMBA_NUM_THREADS))
    try:
        for shape in [(301, 6, 1), (3, 4, 77), (1, 2, 99)]:
            x, g = data(shape, np.float32, rng), data(shape, np.float32, rng)
            mask = make_mask("random", shape[0], shape[2], rng)
            mean, var, _ = moments(x, mask)
            want_mean, want_var, _ = ref.moments_ref(x, (1,), mask)
            assert rel_err(mean, want_mean) <= 1e-5 and rel_err(var, want_var) <= 1e-5
            gamma = rng.normal(size=shape[1])
            _, mean, invstd, count, _, _ = train_forward(x, gamma, None, EPS, mask)
            dx, _, _ = train_backward(g, x, gamma, mean, invstd, count, mask)
            want_dx = ref.batch_norm_ref(x, (1,), gamma, epsilon=EPS, mask=mask, upstream=g)[3]
            assert rel_err(dx, want_dx, dx_scale(g, gamma, invstd)) <= 1e-5
    finally:
        numba.set_num_threads(old)


# ----------------------------------------------------------------------------- composed layer math
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(257, 7, 1), (5, 3, 333), (1, 4, 1001)])
@pytest.mark.parametrize("mask_kind", ["none", "random", "false_row"])
@pytest.mark.parametrize("loc", LOCS)
def test_training_forward_backward_vs_reference(dtype, shape, mask_kind, loc):
    rng = np.random.default_rng(6)
    x, g = data(shape, dtype, rng, loc), data(shape, dtype, rng, 0.0, 1.0)
    mask = make_mask(mask_kind, shape[0], shape[2], rng)
    gamma = rng.uniform(0.5, 1.5, shape[1])
    beta = rng.normal(size=shape[1])
    mm, mv = rng.normal(size=shape[1]), rng.uniform(0.5, 2.0, shape[1])
    y, mean, invstd, count, new_mm, new_mv = train_forward(x, gamma, beta, EPS, mask, mm, mv, momentum=0.9)
    want_y, want_mm, want_mv = ref.batch_norm_ref(x, (1,), gamma, beta, mm, mv, 0.9, EPS, True, mask)
    assert rel_err(y, want_y) <= TOL[dtype]
    assert rel_err(new_mm, want_mm) <= TOL[dtype]
    assert rel_err(new_mv, want_mv) <= TOL[dtype]
    dx, dgamma, dbeta = train_backward(g, x, gamma, mean, invstd, count, mask)
    want_dx, want_dgamma, want_dbeta = ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=EPS, mask=mask,
                                                          upstream=g)[3:]
    assert rel_err(dx, want_dx, dx_scale(g, gamma, invstd)) <= TOL[dtype]
    assert rel_err(dgamma, want_dgamma) <= TOL[dtype]
    assert rel_err(dbeta, want_dbeta) <= TOL[dtype]


def test_one_counted_value_float32():
    """One counted position: var 0, invstd = 1/sqrt(eps) = 31.6 and large coefficients (k_x ~ 8e4 here);
    the mean is 70 std away, so dx is computed centered and keeps float32 accuracy relative to itself."""
    x = np.array([2.222393, 5.569491], np.float32).reshape(2, 1, 1)
    g = np.array([0.44246134, -0.7746529], np.float32).reshape(2, 1, 1)
    mask = np.array([[True], [False]])
    gamma = np.ones(1)
    _, mean, invstd, count, _, mv = train_forward(x, gamma, np.zeros(1), EPS, mask, momentum=0.0)
    dx, _, _ = train_backward(g, x, gamma, mean, invstd, count, mask)
    want_dx = ref.batch_norm_ref(x, (1,), gamma, epsilon=EPS, mask=mask, upstream=g)[3]
    assert count == 1 and mv[0] == 0
    assert rel_err(dx, want_dx) <= 1e-6


@pytest.mark.parametrize("dtype", DTYPES)
def test_inference_forward_backward_vs_reference(dtype):
    rng = np.random.default_rng(7)
    shape = (4, 3, 50)
    x, g = data(shape, dtype, rng), data(shape, dtype, rng, 0.0, 1.0)
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.normal(size=3)
    mm, mv = rng.normal(size=3), rng.uniform(0.5, 2.0, 3)
    y, mean, invstd = inference(x, gamma, beta, mm, mv)
    dx, dgamma, dbeta = train_backward(g, x, gamma, mean, invstd, 0.0)
    want_y, same_mm, same_mv, want_dx, want_dgamma, want_dbeta = ref.batch_norm_ref(
        x, (1,), gamma, beta, mm, mv, epsilon=EPS, training=False, upstream=g)
    assert rel_err(y, want_y) <= TOL[dtype] and rel_err(dx, want_dx) <= TOL[dtype]
    assert rel_err(dgamma, want_dgamma) <= TOL[dtype] and rel_err(dbeta, want_dbeta) <= TOL[dtype]
    np.testing.assert_array_equal(same_mm, mm)
    np.testing.assert_array_equal(same_mv, mv)


def test_count_zero_backward_uses_constant_statistics():
    rng = np.random.default_rng(8)
    x, g = data((3, 2, 4), np.float64, rng), data((3, 2, 4), np.float64, rng)
    mask = np.zeros((3, 4), bool)
    gamma, beta = np.array([1.5, 0.5]), np.array([0.1, -0.2])
    y, mean, invstd, count, _, _ = train_forward(x, gamma, beta, EPS, mask)
    assert count == 0 and not mean.any()
    want_y = ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=EPS, mask=mask)[0]
    assert rel_err(y, want_y) <= 1e-12
    dx, dgamma, dbeta = train_backward(g, x, gamma, mean, invstd, count, mask)
    want = ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=EPS, mask=mask, upstream=g)[3:]
    for got, w in zip((dx, dgamma, dbeta), want):
        assert rel_err(got, w) <= 1e-12


# ----------------------------------------------------------------------------- finite differences
@pytest.mark.parametrize("shape", [(3, 2, 4), (7, 3, 1)])
@pytest.mark.parametrize("masked", [False, True])
def test_backward_matches_finite_differences(shape, masked):
    rng = np.random.default_rng(9)
    x = rng.normal(0.3, 1.5, shape)
    upstream = rng.normal(size=shape)
    gamma, beta = rng.uniform(0.5, 1.5, shape[1]), rng.normal(size=shape[1])
    mask = None
    if masked:
        mask = rng.random((shape[0], shape[2])) < 0.6
        mask[0, 0] = mask[-1, -1] = True
        mask[1, 0] = False

    def loss(x_, gamma_, beta_):
        return float((train_forward(x_, gamma_, beta_, EPS, mask)[0] * upstream).sum())

    _, mean, invstd, count, _, _ = train_forward(x, gamma, beta, EPS, mask)
    dx, dgamma, dbeta = train_backward(upstream, x, gamma, mean, invstd, count, mask)

    np.testing.assert_allclose(dx, numeric_grad(lambda: loss(x, gamma, beta), x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dgamma, numeric_grad(lambda: loss(x, gamma, beta), gamma), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(dbeta, numeric_grad(lambda: loss(x, gamma, beta), beta), rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------- accuracy at large means
@pytest.mark.parametrize("shape", [(20000, 8, 1), (16, 4, 2500)])
@pytest.mark.parametrize("loc, scale, tol", [(1e3, 1.0, 1e-6), (1e4, 1e-2, 1e-5), (-1e3, 1.0, 1e-6)])
def test_float32_variance_accuracy_at_large_mean(shape, loc, scale, tol):
    """|mean|/std = 1e3 -> 1e-6 and 1e6 -> 1e-5 relative error of the variance, vs float64 on the same
    float32 data (no cancellation in the one-pass statistics); gradient sums stay accurate too."""
    rng = np.random.default_rng(10)
    x = rng.normal(loc, scale, shape).astype(np.float32)
    mask = rng.random((shape[0], shape[2])) < 0.7
    for m in (None, mask):
        mean, var, _ = moments(x, m)
        want_mean, want_var, _ = ref.moments_ref(x, (1,), m)
        assert np.max(np.abs(var - want_var) / want_var) <= tol
        assert np.max(np.abs(mean - want_mean) / np.sqrt(want_var)) <= tol
    g = rng.normal(size=shape).astype(np.float32)
    invstd = 1.0 / np.sqrt(want_var)
    sum_g, sum_gxhat = gradient_sums(g, x, want_mean, invstd)
    want_g, want_gxhat = ref.backward_sums_ref(g, x, want_mean, invstd)
    n = shape[0] * shape[2]
    assert np.max(np.abs(sum_gxhat - want_gxhat)) <= tol * n ** 0.5
    assert np.max(np.abs(sum_g - want_g)) <= 1e-6 * n ** 0.5
    # the training forward and backward keep the outputs accurate too (eps far below the variance)
    eps = 1e-3 * scale ** 2
    gamma, beta = np.full(shape[1], 1.5), np.full(shape[1], 0.25)
    y, mean, invstd, count, _, _ = train_forward(x, gamma, beta, eps, mask)
    assert rel_err(y, ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=eps, mask=mask)[0]) <= tol
    dx, dgamma, _ = train_backward(g, x, gamma, mean, invstd, count, mask)
    want_dx, want_dgamma = ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=eps, mask=mask, upstream=g)[3:5]
    assert rel_err(dx, want_dx) <= tol and rel_err(dgamma, want_dgamma) <= tol


# ----------------------------------------------------------------------------- NaN / Inf
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(101, 4, 1), (3, 4, 50), (101, 64, 1), (2051, 4, 1)])
@pytest.mark.parametrize("at_end", [True, False])
def test_nan_propagates_to_its_channel_only(dtype, shape, at_end):
    """One NaN in channel 2: at its end (the last, single rows) or inside the first thread's chunk (in a
    four-row or four-tile step where there are any; not a chunk's first element, which becomes its shift)."""
    rng = np.random.default_rng(11)
    x, g = data(shape, dtype, rng), data(shape, dtype, rng)
    if at_end:
        x[shape[0] - 1, 2, shape[2] - 1] = np.nan
    else:
        x[shape[0] // 4 + 1, 2, shape[2] // 4] = np.nan
    C = shape[1]
    gamma, beta = np.ones(C), np.zeros(C)
    y, mean, invstd, count, _, _ = train_forward(x, gamma, beta, EPS)
    assert np.isnan(mean[2]) and np.isnan(invstd[2]) and np.isnan(y[:, 2]).all()
    others = [c for c in range(C) if c != 2]
    assert np.isfinite(mean[others]).all() and np.isfinite(invstd[others]).all()
    assert np.isfinite(y[:, others]).all()
    dx, dgamma, dbeta = train_backward(g, x, gamma, mean, invstd, count)
    assert np.isnan(dx[:, 2]).all() and np.isnan(dgamma[2])
    assert np.isfinite(dx[:, others]).all() and np.isfinite(dgamma[others]).all()
    assert np.isfinite(dbeta).all()  # sum of g does not see x


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(101, 4, 1), (3, 4, 50), (101, 64, 1)])
def test_nan_at_masked_position_is_not_counted(dtype, shape):
    rng = np.random.default_rng(12)
    x = data(shape, dtype, rng)
    mask = np.ones((shape[0], shape[2]), bool)
    mask[1, 0] = False
    x[1, :, 0] = np.nan
    mean, var, _ = moments(x, mask)
    want_mean, want_var, _ = ref.moments_ref(x, (1,), mask)
    assert np.isfinite(mean).all() and np.isfinite(var).all()
    assert rel_err(mean, want_mean) <= TOL[dtype] and rel_err(var, want_var) <= TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(101, 4, 1), (3, 4, 50)])
@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_inf_does_not_crash(dtype, shape, value):
    rng = np.random.default_rng(13)
    x, g = data(shape, dtype, rng), data(shape, dtype, rng)
    x[0, 1, 0] = value
    mask = np.ones((shape[0], shape[2]), bool)
    y, mean, invstd, count, _, mv = train_forward(x, np.ones(4), np.zeros(4), EPS, mask, momentum=0.0)
    assert count == shape[0] * shape[2]
    assert not np.isfinite(mean[1]) and not np.isfinite(mv[1])
    assert np.isfinite(mean[[0, 2, 3]]).all() and np.isfinite(y[:, [0, 2, 3]]).all()
    dx, _, _ = train_backward(g, x, np.ones(4), mean, invstd, count, mask)
    assert np.isfinite(dx[:, [0, 2, 3]]).all()
    y2, _, _ = inference(x, np.full(4, 2.0), np.ones(4), np.zeros(4), np.ones(4))  # inference keeps the Inf
    assert y2[0, 1, 0] == value


# ----------------------------------------------------------------------------- property test
@settings(max_examples=25, deadline=None)
@given(O=st.integers(1, 40), C=st.integers(1, 9), I=st.sampled_from([1, 1, 2, 3, 17, 64]),
       dtype=st.sampled_from(DTYPES), mask_rate=st.sampled_from([None, 0.0, 0.3, 0.9]),
       loc=st.sampled_from([0.5, 0.5, 30.0, -1e3]), seed=st.integers(0, 2 ** 31 - 1))
def test_property_random_shapes_and_masks(O, C, I, dtype, mask_rate, loc, seed):
    rng = np.random.default_rng(seed)
    x, g = data((O, C, I), dtype, rng, loc), data((O, C, I), dtype, rng, 0.0, 1.0)
    mask = None if mask_rate is None else rng.random((O, I)) < mask_rate
    mean, var, count = moments(x, mask)
    want_mean, want_var, want_count = ref.moments_ref(x, (1,), mask)
    assert count == want_count
    assert rel_err(mean, want_mean) <= TOL[dtype] and rel_err(var, want_var) <= TOL[dtype]
    gamma, beta = rng.uniform(0.5, 1.5, C), rng.normal(size=C)
    y, mean, invstd, count, _, _ = train_forward(x, gamma, beta, EPS, mask)
    assert rel_err(y, ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=EPS, mask=mask)[0]) <= TOL[dtype]
    dx, dgamma, dbeta = train_backward(g, x, gamma, mean, invstd, count, mask)
    want_dx, want_dgamma, want_dbeta = ref.batch_norm_ref(x, (1,), gamma, beta, epsilon=EPS, mask=mask,
                                                          upstream=g)[3:]
    assert rel_err(dx, want_dx, dx_scale(g, gamma, invstd)) <= TOL[dtype]
    assert rel_err(dgamma, want_dgamma, sums_scale(g, x, mean, invstd)) <= TOL[dtype]
    assert rel_err(dbeta, want_dbeta, np.abs(np.asarray(g, np.float64)).sum(axis=(0, 2)).max()) <= TOL[dtype]
    # inference with moving statistics near and far (in std) from the data
    mm, mv = loc + rng.normal(size=C), rng.uniform(0.5, 2.0, C)
    y, _, _ = inference(x, gamma, beta, mm, mv)
    want = ref.batch_norm_ref(x, (1,), gamma, beta, mm, mv, epsilon=EPS, training=False)[0]
    terms = np.abs(gamma[None, :, None] * (x - mm[None, :, None]) / np.sqrt(mv + EPS)[None, :, None]).max() \
        + np.abs(beta).max()
    assert rel_err(y, want, terms) <= TOL[dtype]


# ----------------------------------------------------------------------------- interface
def test_bad_arguments_raise_before_running():
    x = np.zeros((4, 3, 2), np.float32)
    mean, invstd = np.empty(3), np.empty(3)
    mm, mv = np.zeros(3, np.float32), np.ones(3, np.float32)
    before = mm.copy(), mv.copy()

    def train(x=x, mask=None, gamma=None, out=None, mean=mean, mv=mv):
        out = np.empty_like(x) if out is None else out
        bn.train(x, mask, gamma, None, mm, mv, 0.5, EPS, out, mean, invstd)

    with pytest.raises(ValueError, match="mask"):
        train(mask=np.ones((4, 3), bool))
    with pytest.raises(ValueError, match="mask"):
        train(mask=np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="`mean`"):
        train(mean=np.empty(2))
    with pytest.raises(ValueError, match="`x`"):
        train(x=x.transpose(2, 1, 0))
    with pytest.raises(ValueError, match="`gamma`"):
        train(gamma=np.ones(4, np.float32))
    with pytest.raises(ValueError, match="`gamma`"):
        train(gamma=np.ones(3))  # not the moving statistics' dtype
    with pytest.raises(ValueError, match="`moving_variance`"):
        train(mv=np.ones(3))
    with pytest.raises(ValueError, match="`out`"):
        train(out=np.empty((4, 3, 2)))
    np.testing.assert_array_equal(mm, before[0])
    np.testing.assert_array_equal(mv, before[1])
    with pytest.raises(ValueError, match="`g`"):
        bn.backward(x[:2], x, None, mean, invstd, None, 1.0, np.empty_like(x), np.empty(3), np.empty(3))
    with pytest.raises(ValueError, match="`sum_gxhat`"):
        bn.backward(x, x, None, mean, invstd, None, 1.0, np.empty_like(x), np.empty(3), np.empty(3, np.float32))
    with pytest.raises(ValueError, match="`out`"):
        bn.inference(x, None, None, mm, mv, EPS, np.empty((4, 3, 2)), mean, invstd)


def test_empty_arrays():
    mean, invstd = np.empty(3), np.empty(3)
    mm, mv = np.zeros(3), np.ones(3)
    x = np.zeros((0, 3, 1), np.float32)
    assert bn.train(x, None, None, None, mm, mv, 0.0, EPS, np.empty_like(x), mean, invstd) == 0.0
    assert not mean.any() and not mm.any() and not mv.any()
    x = np.zeros((0, 3, 5), np.float32)
    bn.inference(x, None, None, mm, mv, EPS, np.empty_like(x), mean, invstd)


def test_second_process_loads_kernels_from_cache():
    """cache=True: once this process has compiled the float32 kernels, a fresh process loads them (the
    parallel launchers and the serial chunks) without compiling."""
    code = (
        "import numpy as np\n"
        "from rkeras.kernels import batch_norm as bn, threads\n"
        "from rkeras.kernels.batch_norm import affine, sums\n"
        "x = np.ones((8, 3, 1), np.float32)\n"
        "v = lambda: np.ones(3, np.float32)\n"
        "for serial_below in (0, 1 << 40):\n"
        "    threads._SERIAL_BELOW = threads._SERIAL_BELOW_WORKQUEUE = serial_below\n"
        "    bn.train(x, None, v(), v(), v(), v(), 0.5, 1e-3, np.empty_like(x), np.empty(3), np.empty(3))\n"
        "    bn.inference(x, v(), v(), v(), v(), 1e-3, np.empty_like(x), np.empty(3), np.empty(3))\n"
        "kernels = (sums.sums_parallel, sums.sums_chunk, affine.affine_parallel, affine.affine_chunk)\n"
        "print(sum(len(f.stats.cache_misses) for f in kernels), sum(len(f.stats.cache_hits) for f in kernels))\n"
    )
    x = np.ones((8, 3, 1), np.float32)
    for serial_below in (0, 1 << 40):  # this process compiles (or loads) them first
        threads._SERIAL_BELOW = threads._SERIAL_BELOW_WORKQUEUE = serial_below  # restored by the fixture
        v = [np.ones(3, np.float32) for _ in range(4)]
        bn.train(x, None, *v, 0.5, 1e-3, np.empty_like(x), np.empty(3), np.empty(3))
        bn.inference(x, *v, 1e-3, np.empty_like(x), np.empty(3), np.empty(3))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "4"]
