"""The recurrent step kernels (`rkeras.kernels.rnn`) against their float64 numpy twins
(`rkeras.kernels.rnn_reference`), for every activation code, with masked rows, in float64 and float32."""

import numpy as np
import pytest

from rkeras.kernels import blas, blas_threads
from rkeras.kernels import rnn as k
from rkeras.kernels import rnn_reference as ref

B, U = 5, 4
KEEP = np.array([1, 0, 1, 1, 0], dtype=np.uint8)
TOL = {np.float64: 1e-12, np.float32: 2e-6}  # float32 uses the rational tanh (relative error <= 4e-7)


def _data(dtype, seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=1.5, size=s).astype(dtype) for s in shapes]


def _close(actual, expected, dtype, what):
    scale = max(1.0, float(np.max(np.abs(expected))))
    err = float(np.max(np.abs(np.asarray(actual, np.float64) - expected)))
    assert err <= TOL[dtype] * scale, f"{what}: {err:.3g}"


def _split_dh(dh, dtype, seed):
    """The kernels take the gradient reaching h_t as dout * out_weight + dh_mm + dh_pass."""
    rng = np.random.default_rng(seed)
    w = np.array([1, 1, 0, 1, 1], dtype=dtype)
    dout = rng.normal(size=dh.shape).astype(dtype)
    dh_pass = rng.normal(size=dh.shape).astype(dtype)
    dh_mm = (dh - dout * w[:, None] - dh_pass).astype(dtype)
    return dout, dh_mm, dh_pass, w, (dout * w[:, None] + dh_mm + dh_pass).astype(np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("act", [0, 1, 2, 3, 4])
def test_simple_kernels(dtype, act):
    xz, rz, h_prev, dh = _data(dtype, act, (B, U), (B, U), (B, U), (B, U))
    h = np.empty((B, U), dtype)
    k.simple_forward_step(xz, rz, h_prev, KEEP, act, dtype == np.float32, h)
    _close(h, ref.simple_forward_ref(xz, rz, h_prev, KEEP, act), dtype, "h")
    dout, dh_mm, dh_pass, w, dh_total = _split_dh(dh, dtype, 1)
    dpre, dpass = np.empty((B, U), dtype), np.empty((B, U), dtype)
    k.simple_backward_step(dout, dh_mm, dh_pass, w, h, KEEP, act, dpre, dpass)
    e_dpre, e_pass = ref.simple_backward_ref(dh_total, xz, rz, KEEP, act)
    _close(dpre, e_dpre, dtype, "dpre")
    _close(dpass, e_pass, dtype, "pass-through")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("act,ract", [(1, 2), (3, 4), (0, 2)])
def test_lstm_kernels(dtype, act, ract):
    xz, rz, h_prev, c_prev, dh, dc = _data(dtype, act + 7 * ract, (B, 4 * U), (B, 4 * U), (B, U), (B, U), (B, U),
                                           (B, U))
    gates, h, c, tc = (np.empty((B, 4 * U), dtype), np.empty((B, U), dtype), np.empty((B, U), dtype),
                       np.empty((B, U), dtype))
    k.lstm_forward_step(xz, rz, h_prev, c_prev, KEEP, act, ract, dtype == np.float32, gates, h, c, tc)
    e_h, e_c = ref.lstm_forward_ref(xz, rz, h_prev, c_prev, KEEP, act, ract)
    _close(h, e_h, dtype, "h")
    _close(c, e_c, dtype, "c")
    dout, dh_mm, dh_pass, w, dh_total = _split_dh(dh, dtype, 2)
    dz, dpass, dc_prev = np.empty((B, 4 * U), dtype), np.empty((B, U), dtype), np.empty((B, U), dtype)
    k.lstm_backward_step(dout, dh_mm, dh_pass, w, dc, gates, c_prev, tc, KEEP, act, ract, dz, dpass, dc_prev)
    e_dz, e_pass, e_dc = ref.lstm_backward_ref(dh_total, dc, xz, rz, c_prev, KEEP, act, ract)
    _close(dz, e_dz, dtype, "dz")
    _close(dpass, e_pass, dtype, "pass-through")
    _close(dc_prev, e_dc, dtype, "dc_prev")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("act,ract", [(1, 2), (3, 4)])
def test_gru_kernels(dtype, reset_after, act, ract):
    xz, rz, h_prev, dh = _data(dtype, 3 + act, (B, 3 * U), (B, 3 * U), (B, U), (B, U))
    gates, h = np.empty((B, 3 * U), dtype), np.empty((B, U), dtype)
    k.gru_gates_step(xz, rz, ract, dtype == np.float32, gates)
    k.gru_candidate_step(xz, rz, h_prev, KEEP, reset_after, act, dtype == np.float32, gates, h)
    _close(h, ref.gru_forward_ref(xz, rz, h_prev, KEEP, reset_after, act, ract), dtype, "h")
    dout, dh_mm, dh_pass, w, dh_total = _split_dh(dh, dtype, 3)
    dxz, drz, direct = np.empty((B, 3 * U), dtype), np.empty((B, 3 * U), dtype), np.empty((B, U), dtype)
    k.gru_backward_step(dout, dh_mm, dh_pass, w, gates, rz, h_prev, KEEP, reset_after, act, ract, dxz, drz, direct)
    e_dxz, e_drz, e_direct = ref.gru_backward_ref(dh_total, xz, rz, h_prev, KEEP, reset_after, act, ract)
    _close(dxz, e_dxz, dtype, "dxz")
    _close(drz, e_drz, dtype, "drz")
    _close(direct, e_direct, dtype, "dh direct")


def test_nan_propagates():
    xz = np.full((1, 4 * U), np.nan, np.float32)
    rz = np.zeros((1, 4 * U), np.float32)
    h0 = np.zeros((1, U), np.float32)
    gates, h, c, tc = (np.empty((1, 4 * U), np.float32), np.empty((1, U), np.float32),
                       np.empty((1, U), np.float32), np.empty((1, U), np.float32))
    k.lstm_forward_step(xz, rz, h0, h0, np.ones(1, np.uint8), 1, 2, True, gates, h, c, tc)
    assert np.isnan(h).all()


# ------------------------------------------------------------------------------------ whole-sequence LSTM
def _lstm_sequence_ref(xz, bias, rec, h0, c0, keep, act, ract, d_out, w, dh_t, dc_t):
    """float64: the step twins chained over time, the recurrent products by numpy."""
    xz, bias, rec = _f64(xz, bias, rec)
    t_ = xz.shape[0]
    h, c, pre_rz = [np.asarray(h0, np.float64)], [np.asarray(c0, np.float64)], []
    for t in range(t_):
        pre_rz.append(h[t] @ rec)
        h_t, c_t = ref.lstm_forward_ref(xz[t] + bias, pre_rz[t], h[t], c[t], keep[t], act, ract)
        h.append(h_t)
        c.append(c_t)
    dz = np.empty(xz.shape)
    dh_mm, dh_pass, dc = np.zeros_like(h[0]), np.asarray(dh_t, np.float64), np.asarray(dc_t, np.float64)
    for t in range(t_ - 1, -1, -1):
        dh_total = d_out[t] * w[t][:, None] + dh_mm + dh_pass
        dz[t], dh_pass, dc = ref.lstm_backward_ref(dh_total, dc, xz[t] + bias, pre_rz[t], c[t], keep[t], act, ract)
        dh_mm = dz[t] @ rec.T
    return np.stack(h), np.stack(c), dz, dh_mm + dh_pass, dc, dz.sum(axis=(0, 1))


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


@pytest.mark.skipif(not blas.available(), reason="numpy's OpenBLAS CBLAS symbols not found")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("act,ract", [(1, 2), (3, 4)])
@pytest.mark.parametrize("ranges", [[(0, 7)], [(0, 3), (3, 7)], "threads"])
def test_lstm_sequence_kernels(dtype, act, ract, ranges):
    """The compiled time loop (forward and backward, BLAS products inside, over batch ranges run one after
    the other or on threads) equals the step twins chained in float64, masked steps included."""
    t_, b_, u_, seed = 6, 7, 4, act + 3 * ract
    rng = np.random.default_rng(seed)
    xz, rec, h0, c0, d_out, dh_t, dc_t = _data(dtype, seed, (t_, b_, 4 * u_), (u_, 4 * u_), (b_, u_), (b_, u_),
                                               (t_, b_, u_), (b_, u_), (b_, u_))
    rec *= 0.4
    bias = rng.normal(size=4 * u_).astype(dtype)
    keep = (rng.random((t_, b_)) > 0.3).astype(np.uint8)
    w = (rng.random((t_, b_)) > 0.2).astype(dtype)
    e_h, e_c, e_dz, e_dh0, e_dc0, e_db = _lstm_sequence_ref(xz, bias, rec, h0, c0, keep, act, ract, d_out, w, dh_t,
                                                            dc_t)
    gates = xz.copy()
    h, c = np.empty((t_ + 1, b_, u_), dtype), np.empty((t_ + 1, b_, u_), dtype)
    h[0], c[0] = h0, c0
    tc = np.empty((t_, b_, u_), dtype)
    split = [(0, 3), (3, 5), (5, 7)] if ranges == "threads" else ranges

    def run_forward(b0, b1):
        k.lstm_forward_sequence(b0, b1, gates, bias, rec, h, c, tc, keep, act, ract,
                                dtype == np.float32)

    dz = np.empty((t_, b_, 4 * u_), dtype)
    dh_mm, dh_pass, dc = np.zeros((b_, u_), dtype), dh_t.copy(), dc_t.copy()
    db = np.zeros((len(split), 4 * u_))
    rec_t = np.ascontiguousarray(rec.T)

    def run_backward(b0, b1):
        k.lstm_backward_sequence(b0, b1, d_out, w, gates, c, tc, keep, rec_t, act, ract, dz, dh_mm,
                                 dh_pass, dc, db[split.index((b0, b1))])

    if ranges == "threads":
        blas_threads.run_split(run_forward, split)
        blas_threads.run_split(run_backward, split)
    else:
        for r in split:
            run_forward(*r)
        for r in split:
            run_backward(*r)
    tol = {np.float64: 1e-12, np.float32: 2e-5}[dtype]  # float32: errors add up over the steps
    for name, actual, expected in [("h", h, e_h), ("c", c, e_c), ("dz", dz, e_dz), ("dh0", dh_mm + dh_pass, e_dh0),
                                   ("dc0", dc, e_dc0), ("db", db.sum(axis=0), e_db)]:
        scale = max(1.0, float(np.max(np.abs(expected))))
        err = float(np.max(np.abs(np.asarray(actual, np.float64) - expected)))
        assert err <= tol * scale, f"{name}: {err:.3g}"


def test_batch_ranges_cover_the_batch_in_order(monkeypatch):
    monkeypatch.setattr(blas_threads, "_cpu_budget", lambda: 3)
    assert blas_threads.batch_ranges(64) == [(0, 21), (21, 42), (42, 64)]
    assert blas_threads.batch_ranges(40) == [(0, 20), (20, 40)]  # at least MIN_ROWS_PER_THREAD rows each
    assert blas_threads.batch_ranges(5) == [(0, 5)]


def test_run_split_raises_a_worker_error():
    def boom(b0, b1):
        if b0 > 0:
            raise RuntimeError(f"range {b0}:{b1}")

    with pytest.raises(RuntimeError, match="range 4:8"):
        blas_threads.run_split(boom, [(0, 4), (4, 8)])


# ------------------------------------------------------------------------------------ whole-sequence GRU
def _gru_sequence_ref(xz, rec_bias, rec, h0, keep, act, ract, d_out, w, dh_t):
    """float64, reset_after: the step twins chained over time, the recurrent products by numpy."""
    xz, rec_bias, rec = _f64(xz, rec_bias, rec)
    t_ = xz.shape[0]
    h, rz = [np.asarray(h0, np.float64)], []
    for t in range(t_):
        rz.append(h[t] @ rec + rec_bias)
        h.append(ref.gru_forward_ref(xz[t], rz[t], h[t], keep[t], True, act, ract))
    dxz, drz = np.empty(xz.shape), np.empty(xz.shape)
    dh_mm, dh_pass = np.zeros_like(h[0]), np.asarray(dh_t, np.float64)
    for t in range(t_ - 1, -1, -1):
        dh_total = d_out[t] * w[t][:, None] + dh_mm + dh_pass
        dxz[t], drz[t], dh_pass = ref.gru_backward_ref(dh_total, xz[t], rz[t], h[t], keep[t], True, act, ract)
        dh_mm = drz[t] @ rec.T
    return np.stack(h), dxz, drz, dh_mm + dh_pass


@pytest.mark.skipif(not blas.available(), reason="numpy's OpenBLAS CBLAS symbols not found")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("act,ract", [(1, 2), (3, 4)])
@pytest.mark.parametrize("ranges", [[(0, 7)], "threads"])
def test_gru_sequence_kernels(dtype, act, ract, ranges):
    """The compiled GRU time loop (reset_after) equals the step twins chained in float64, masks included."""
    t_, b_, u_, seed = 6, 7, 4, 11 + act + 3 * ract
    rng = np.random.default_rng(seed)
    xz, rec, h0, d_out, dh_t = _data(dtype, seed, (t_, b_, 3 * u_), (u_, 3 * u_), (b_, u_), (t_, b_, u_), (b_, u_))
    rec *= 0.4
    rec_bias = rng.normal(size=3 * u_).astype(dtype)
    keep = (rng.random((t_, b_)) > 0.3).astype(np.uint8)
    w = (rng.random((t_, b_)) > 0.2).astype(dtype)
    e_h, e_dxz, e_drz, e_dh0 = _gru_sequence_ref(xz, rec_bias, rec, h0, keep, act, ract, d_out, w, dh_t)
    h = np.empty((t_ + 1, b_, u_), dtype)
    h[0] = h0
    gates, rz = np.empty((t_, b_, 3 * u_), dtype), np.empty((t_, b_, 3 * u_), dtype)
    split = [(0, 3), (3, 7)] if ranges == "threads" else ranges
    dxz, drz = np.empty((t_, b_, 3 * u_), dtype), np.empty((t_, b_, 3 * u_), dtype)
    dh_mm, dh_pass = np.zeros((b_, u_), dtype), dh_t.copy()
    db = np.zeros((2, len(split), 3 * u_))
    rec_t = np.ascontiguousarray(rec.T)

    def run_forward(b0, b1):
        k.gru_forward_sequence(b0, b1, xz, rec_bias, rec, h, gates, rz, keep, act, ract,
                               dtype == np.float32)

    def run_backward(b0, b1):
        i = split.index((b0, b1))
        k.gru_backward_sequence(b0, b1, d_out, w, gates, rz, h, keep, rec_t, act, ract, dxz, drz,
                                dh_mm, dh_pass, db[0, i], db[1, i])

    blas_threads.run_split(run_forward, split)
    blas_threads.run_split(run_backward, split)
    tol = {np.float64: 1e-12, np.float32: 2e-5}[dtype]
    for name, actual, expected in [("h", h, e_h), ("dxz", dxz, e_dxz), ("drz", drz, e_drz),
                                   ("dh0", dh_mm + dh_pass, e_dh0), ("db_in", db[0].sum(axis=0), e_dxz.sum(axis=(0, 1))),
                                   ("db_rec", db[1].sum(axis=0), e_drz.sum(axis=(0, 1)))]:
        scale = max(1.0, float(np.max(np.abs(expected))))
        err = float(np.max(np.abs(np.asarray(actual, np.float64) - expected)))
        assert err <= tol * scale, f"{name}: {err:.3g}"
