"""The recurrent step kernels (`rkeras.kernels.rnn`) against their float64 numpy twins
(`rkeras.kernels.rnn_reference`), for every activation code, with masked rows, in float64 and float32."""

import numpy as np
import pytest

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
