"""Numba kernels of the recurrent cells: one time step's gates, fused, forward and backward.

The recurrent layers (`rkeras.layers.rnn`) run the sequence loop: the input projection of all steps
is one BLAS matrix product before the loop, the recurrent product `h @ recurrent_kernel` is one BLAS
product per step (between kernel calls), and these kernels fuse everything elementwise of a step:
activations, the cell update, the mask (a masked sample keeps its state) and, backward, the gate
derivatives. The weight gradients are then one matrix product over all steps.

The LSTM and the GRU (reset_after) also have whole-sequence kernels (`*_forward_sequence`,
`*_backward_sequence`): the time
loop itself compiled, the per-step product through numpy's BLAS called from numba (`blas.py`), the
bias added in the fused pass and its gradient summed there in float64. They run on a range of the
batch without the GIL, so the layer splits the batch over threads (`blas_threads.run_split`): one
fork/join per call instead of per step. Measured in benchmarks/NOTES.md ("Recurrent kernels").

Layouts (batch rows B, units U), gate blocks in Keras' order along the last axis:
- LSTM: pre-activations (B, 4U) in blocks i, f, c, o; `gates` stores the activations i, f, g, o.
- GRU: pre-activations (B, 3U) in blocks z, r, h; `gates` stores z, r and the candidate hh.
- SimpleRNN: pre-activation (B, U); the output is the state.

`keep[b]` is 1 for a sample whose step counts, 0 for a masked one (its state is carried over and no
gradient reaches the gates). Activations are given by code (`ACTIVATION_CODES`) as runtime arguments,
and their derivatives are computed from their outputs. Each kernel compiles once per float dtype.

The kernels are serial on purpose (parallelism comes from the batch split, by plain threads): they
alternate with multithreaded OpenBLAS products, and a numba parallel region leaves its OpenMP workers
spinning when BLAS wants the cores (see `conv.py`).
"""

import math

import numpy as np
from numba import njit

from .blas import NO_TRANS, gemm_rows

__all__ = ["ACTIVATION_CODES", "activation_code", "gru_backward_sequence", "gru_backward_step", "gru_candidate_step",
           "gru_forward_sequence", "gru_gates_step",
           "lstm_backward_sequence", "lstm_backward_step", "lstm_forward_sequence", "lstm_forward_step",
           "simple_backward_step", "simple_forward_step"]

#: the activations the fused kernels implement (derivatives from outputs)
ACTIVATION_CODES = {"linear": 0, "tanh": 1, "sigmoid": 2, "relu": 3, "hard_sigmoid": 4}

# `contract` gives FMAs; no `nnan`/`ninf`: NaN and Inf must flow through to the outputs. `error_model="numpy"`:
# without it every division is guarded by a zero check (Python's ZeroDivisionError), which keeps LLVM from
# vectorizing the activation loops (measured: 10x slower).
_FASTMATH = {"contract", "nsz", "arcp"}


def activation_code(name: str) -> int:
    return ACTIVATION_CODES[name]


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _dact(code, y):
    """Derivative of activation `code` at the point where it output `y`."""
    if code == 1:
        return 1.0 - y * y
    if code == 2:
        return y * (1.0 - y)
    if code == 3:
        return 1.0 if y > 0 else 0.0
    if code == 4:
        return 1.0 / 6.0 if 0.0 < y < 1.0 else 0.0
    return 1.0


# Rational approximation of tanh (Eigen's float `generic_fast_tanh_float`: odd degree-13 numerator over
# even degree-6 denominator, clamped at +-7.905): relative error <= 4e-7 in float32, against 6e-8 for libm,
# but without branches or libm calls, so LLVM vectorizes the loops (numba has no vector math library here,
# and the scalar tanh/exp calls took two thirds of an LSTM's forward+backward). Used for float32 only.
_A1, _A3, _A5, _A7 = 4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05, 5.12229709037114e-08
_A9, _A11, _A13 = -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16
_B0, _B2, _B4, _B6 = 4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06
_CLAMP = 7.90531110763549805


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _tanh_rational(x):
    x = min(max(x, -_CLAMP), _CLAMP)
    x2 = x * x
    p = x2 * _A13 + _A11
    p = x2 * p + _A9
    p = x2 * p + _A7
    p = x2 * p + _A5
    p = x2 * p + _A3
    p = x2 * p + _A1
    q = x2 * _B6 + _B4
    q = x2 * q + _B2
    q = x2 * q + _B0
    return x * p / q


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def _act_inplace(v, code, approx):
    """v[:] = activation(v), one branch-free loop per activation (so that it vectorizes)."""
    n = v.shape[0]
    if code == 1:
        if approx:
            for j in range(n):
                v[j] = _tanh_rational(v[j])
        else:
            for j in range(n):
                v[j] = math.tanh(v[j])
    elif code == 2:  # sigmoid(x) = (1 + tanh(x / 2)) / 2, exact, and one transcendental instead of exp + divide
        if approx:
            for j in range(n):
                v[j] = 0.5 + 0.5 * _tanh_rational(0.5 * v[j])
        else:
            for j in range(n):
                v[j] = 0.5 + 0.5 * math.tanh(0.5 * v[j])
    elif code == 3:
        for j in range(n):
            v[j] = max(v[j], 0.0) if v[j] == v[j] else v[j]
    elif code == 4:
        for j in range(n):
            v[j] = min(max(v[j] + 3.0, 0.0), 6.0) / 6.0


# --------------------------------------------------------------------------------------------- SimpleRNN
@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def simple_forward_step(xz, rz, h_prev, keep, act, approx, h_out):
    """h_out = act(xz + rz) where keep, else h_prev (`approx`: the rational tanh, float32)."""
    b_, u_ = h_out.shape
    for b in range(b_):
        row = h_out[b]
        if keep[b]:
            for j in range(u_):
                row[j] = xz[b, j] + rz[b, j]
            _act_inplace(row, act, approx)
        else:
            for j in range(u_):
                row[j] = h_prev[b, j]


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def simple_backward_step(dout, dh_mm, dh_pass, out_weight, h, keep, act, dpre, dh_pass_out):
    """The gradient reaching h_t is `dout * out_weight[b] + dh_mm + dh_pass` (the output's share, the
    recurrent product's and the pass-through of a masked later step). Writes the pre-activation
    gradient `dpre` (0 where masked) and the pass-through to h_{t-1} (`dh_pass_out`, 0 where kept)."""
    b_, u_ = h.shape
    for b in range(b_):
        w = out_weight[b]
        if keep[b]:
            for j in range(u_):
                dh = dout[b, j] * w + dh_mm[b, j] + dh_pass[b, j]
                dpre[b, j] = dh * _dact(act, h[b, j])
                dh_pass_out[b, j] = 0.0
        else:
            for j in range(u_):
                dpre[b, j] = 0.0
                dh_pass_out[b, j] = dout[b, j] * w + dh_mm[b, j] + dh_pass[b, j]


# --------------------------------------------------------------------------------------------- LSTM
@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _lstm_cell_row(g_row, c_prev, h_prev, keep, act, ract, approx, h_out, c_out, tc_out):
    """One sample's LSTM step from its pre-activations `g_row` (4U), which become the gate activations."""
    u_ = h_out.shape[0]
    if keep:
        _act_inplace(g_row[:2 * u_], ract, approx)
        _act_inplace(g_row[2 * u_:3 * u_], act, approx)
        _act_inplace(g_row[3 * u_:], ract, approx)
        for j in range(u_):
            c = g_row[u_ + j] * c_prev[j] + g_row[j] * g_row[2 * u_ + j]
            c_out[j] = c
            tc_out[j] = c
        _act_inplace(tc_out, act, approx)
        for j in range(u_):
            h_out[j] = g_row[3 * u_ + j] * tc_out[j]
    else:
        for j in range(u_):
            c_out[j] = c_prev[j]
            h_out[j] = h_prev[j]
            tc_out[j] = 0.0
        for j in range(4 * u_):
            g_row[j] = 0.0


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def lstm_forward_step(xz, rz, h_prev, c_prev, keep, act, ract, approx, gates, h_out, c_out, tc_out):
    """One LSTM step: z = xz + rz in blocks i, f, c, o; c = f*c_prev + i*act(z_c); h = o*act(c).
    `approx`: the rational tanh (float32)."""
    b_, u_ = h_out.shape
    for b in range(b_):
        g_row = gates[b]
        if keep[b]:
            for j in range(4 * u_):
                g_row[j] = xz[b, j] + rz[b, j]
        _lstm_cell_row(g_row, c_prev[b], h_prev[b], keep[b], act, ract, approx, h_out[b], c_out[b], tc_out[b])


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", nogil=True)
def lstm_forward_sequence(b0, b1, z, bias, recurrent, h, c, tc, keep, act, ract, approx):
    """The whole LSTM time loop for the samples b0:b1, the recurrent product by BLAS (`blas.gemm_rows`).

    z (T, B, 4U): the input projections x_t @ kernel (no bias), overwritten by the gate activations;
    h, c (T+1, B, U) with the initial states in [0], filled with the states after each step; tc (T, B, U)
    receives act(c_t). Runs without the GIL, so that threads can take disjoint batch ranges."""
    t_ = z.shape[0]
    u_ = h.shape[2]
    for t in range(t_):
        gemm_rows(NO_TRANS, 1.0, h[t, b0:b1], recurrent, 1.0, z[t, b0:b1])
        for b in range(b0, b1):
            g_row = z[t, b]
            if keep[t, b]:
                for j in range(4 * u_):
                    g_row[j] += bias[j]
            _lstm_cell_row(g_row, c[t, b], h[t, b], keep[t, b], act, ract, approx, h[t + 1, b], c[t + 1, b],
                           tc[t, b])


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _dact_poly(code):
    """(c0, c1, c2) with act'(x) = c0 + y*(c1 + c2*y) at y = act(x), for linear, tanh and sigmoid (codes
    0-2; a branch-free loop vectorizes); None-like (0, 0, 0) and False for the others."""
    if code == 0:
        return 1.0, 0.0, 0.0, True
    if code == 1:
        return 1.0, 0.0, -1.0, True
    if code == 2:
        return 0.0, 1.0, -1.0, True
    return 0.0, 0.0, 0.0, False


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _lstm_backward_row(dout, w, dh_mm, dh_pass, dc, gates, c_prev, tc, keep, act, ract, dz, dh_pass_out, dc_prev,
                       dh, dct):
    """One sample's LSTM step backward. `dh`, `dct` (U) are scratch rows; the `*_out`/`dc_prev` rows may be
    the input rows. One array written per loop, so that LLVM's alias checks stay few and the loops vectorize."""
    u_ = dh_mm.shape[0]
    for j in range(u_):
        dh[j] = dout[j] * w + dh_mm[j] + dh_pass[j]
    if not keep:
        for j in range(4 * u_):
            dz[j] = 0.0
        for j in range(u_):
            dh_pass_out[j] = dh[j]
        for j in range(u_):
            dc_prev[j] = dc[j]
        return
    a0, a1, a2, a_poly = _dact_poly(act)
    r0, r1, r2, r_poly = _dact_poly(ract)
    if a_poly and r_poly:
        for j in range(u_):
            t = tc[j]
            dct[j] = dc[j] + dh[j] * gates[3 * u_ + j] * (a0 + t * (a1 + a2 * t))
        for j in range(u_):
            i = gates[j]
            dz[j] = dct[j] * gates[2 * u_ + j] * (r0 + i * (r1 + r2 * i))
        for j in range(u_):
            f = gates[u_ + j]
            dz[u_ + j] = dct[j] * c_prev[j] * (r0 + f * (r1 + r2 * f))
        for j in range(u_):
            g = gates[2 * u_ + j]
            dz[2 * u_ + j] = dct[j] * gates[j] * (a0 + g * (a1 + a2 * g))
        for j in range(u_):
            o = gates[3 * u_ + j]
            dz[3 * u_ + j] = dh[j] * tc[j] * (r0 + o * (r1 + r2 * o))
    else:
        for j in range(u_):
            dct[j] = dc[j] + dh[j] * gates[3 * u_ + j] * _dact(act, tc[j])
        for j in range(u_):
            dz[j] = dct[j] * gates[2 * u_ + j] * _dact(ract, gates[j])
            dz[u_ + j] = dct[j] * c_prev[j] * _dact(ract, gates[u_ + j])
            dz[2 * u_ + j] = dct[j] * gates[j] * _dact(act, gates[2 * u_ + j])
            dz[3 * u_ + j] = dh[j] * tc[j] * _dact(ract, gates[3 * u_ + j])
    for j in range(u_):
        dc_prev[j] = dct[j] * gates[u_ + j]
    for j in range(u_):
        dh_pass_out[j] = 0.0


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def lstm_backward_step(dout, dh_mm, dh_pass, out_weight, dc, gates, c_prev, tc, keep, act, ract, dz,
                       dh_pass_out, dc_prev):
    """Backward of one LSTM step. The gradient reaching h_t is `dout * out_weight[b] + dh_mm + dh_pass`,
    the one reaching c_t is `dc`. Writes dz (B, 4U) (the gradient of the pre-activations, 0 where
    masked), the pass-through to h_{t-1} (0 where kept) and the gradient reaching c_{t-1}."""
    u_ = dh_mm.shape[1]
    dh = np.empty(u_, dtype=dz.dtype)
    dct = np.empty(u_, dtype=dz.dtype)
    for b in range(dh_mm.shape[0]):
        _lstm_backward_row(dout[b], out_weight[b], dh_mm[b], dh_pass[b], dc[b], gates[b], c_prev[b], tc[b],
                           keep[b], act, ract, dz[b], dh_pass_out[b], dc_prev[b], dh, dct)


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", nogil=True)
def lstm_backward_sequence(b0, b1, d_out, out_weight, gates, c, tc, keep, recurrent_t, act,
                           ract, dz, dh_mm, dh_pass, dc, db):
    """The whole LSTM backward time loop for the samples b0:b1, the recurrent product by BLAS.

    d_out (T, B, U): the gradients of the outputs (scaled by out_weight (T, B)); gates, tc (T, B, ...) and
    c (T+1, B, U) from `lstm_forward_sequence`; recurrent_t: the recurrent kernel transposed (4U, U) and
    contiguous (BLAS runs this product faster so than with its transpose flag). State rows b0:b1 of (B, U)
    buffers, updated in place: dh_mm (zeros on entry), dh_pass and dc (the final states' gradients on
    entry); on return the initial states' gradients are dh_mm + dh_pass and dc. Writes dz (T, B, 4U), the
    pre-activation gradients, and adds their sum over steps and samples to db (4U,) (float64)."""
    t_ = gates.shape[0]
    u_ = c.shape[2]
    dh = np.empty(u_, dtype=dz.dtype)
    dct = np.empty(u_, dtype=dz.dtype)
    for t in range(t_ - 1, -1, -1):
        for b in range(b0, b1):
            dz_row = dz[t, b]
            _lstm_backward_row(d_out[t, b], out_weight[t, b], dh_mm[b], dh_pass[b], dc[b], gates[t, b], c[t, b],
                               tc[t, b], keep[t, b], act, ract, dz_row, dh_pass[b], dc[b], dh, dct)
            for j in range(4 * u_):
                db[j] += dz_row[j]
        gemm_rows(NO_TRANS, 1.0, dz[t, b0:b1], recurrent_t, 0.0, dh_mm[b0:b1])


# --------------------------------------------------------------------------------------------- GRU
@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _gru_gates_row(xz, rz, ract, approx, g_row):
    u_ = g_row.shape[0] // 3
    for j in range(2 * u_):
        g_row[j] = xz[j] + rz[j]
    _act_inplace(g_row[:2 * u_], ract, approx)


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _gru_candidate_row(xz, rz, h_prev, keep, reset_after, act, approx, g_row, h_out):
    u_ = h_out.shape[0]
    if keep:
        if reset_after:
            for j in range(u_):
                g_row[2 * u_ + j] = xz[2 * u_ + j] + g_row[u_ + j] * rz[2 * u_ + j]
        else:
            for j in range(u_):
                g_row[2 * u_ + j] = xz[2 * u_ + j] + rz[2 * u_ + j]
        _act_inplace(g_row[2 * u_:], act, approx)
        for j in range(u_):
            z = g_row[j]
            h_out[j] = z * h_prev[j] + (1.0 - z) * g_row[2 * u_ + j]
    else:
        for j in range(u_):
            g_row[2 * u_ + j] = 0.0
            h_out[j] = h_prev[j]


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def gru_gates_step(xz, rz, ract, approx, gates):
    """The update and reset gates: z = ract(xz_z + rz_z), r = ract(xz_r + rz_r) into gates[:, :2U]."""
    for b in range(xz.shape[0]):
        _gru_gates_row(xz[b], rz[b], ract, approx, gates[b])


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def gru_candidate_step(xz, rz, h_prev, keep, reset_after, act, approx, gates, h_out):
    """The candidate hh = act(xz_h + (r * rz_h if reset_after else rz_h)) into gates[:, 2U:], and
    h = z * h_prev + (1 - z) * hh where keep, else h_prev. (Without reset_after, the caller has put
    (r * h_prev) @ recurrent_kernel_h into rz[:, 2U:].)"""
    for b in range(h_out.shape[0]):
        _gru_candidate_row(xz[b], rz[b], h_prev[b], keep[b], reset_after, act, approx, gates[b], h_out[b])


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", nogil=True)
def gru_forward_sequence(b0, b1, xz, rec_bias, recurrent, h, gates, rz, keep, act, ract, approx):
    """The whole GRU time loop (reset_after) for the samples b0:b1, the recurrent product by BLAS.

    xz (T, B, 3U): the input projections with the input bias; rz (T, B, 3U) receives h_{t-1} @ recurrent
    + rec_bias, gates (T, B, 3U) z, r and the candidate, h (T+1, B, U) the states (initial one in [0])."""
    t_ = xz.shape[0]
    k_ = xz.shape[2]
    for t in range(t_):
        gemm_rows(NO_TRANS, 1.0, h[t, b0:b1], recurrent, 0.0, rz[t, b0:b1])
        for b in range(b0, b1):
            rz_row = rz[t, b]
            for j in range(k_):
                rz_row[j] += rec_bias[j]
            _gru_gates_row(xz[t, b], rz_row, ract, approx, gates[t, b])
            _gru_candidate_row(xz[t, b], rz_row, h[t, b], keep[t, b], True, act, approx, gates[t, b], h[t + 1, b])


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", inline="always")
def _gru_backward_row(dout, w, dh_mm, dh_pass, gates, rz, h_prev, keep, reset_after, act, ract, dxz, drz,
                      dh_direct):
    """One sample's GRU step backward (`dh_direct` may be the `dh_pass` row: each element is read before
    it is written)."""
    u_ = dh_mm.shape[0]
    if keep:
        for j in range(u_):
            dh = dout[j] * w + dh_mm[j] + dh_pass[j]
            z = gates[j]
            r = gates[u_ + j]
            hh = gates[2 * u_ + j]
            dzp = dh * (h_prev[j] - hh) * _dact(ract, z)
            dhp = dh * (1.0 - z) * _dact(act, hh)
            dxz[j] = dzp
            dxz[2 * u_ + j] = dhp
            drz[j] = dzp
            if reset_after:
                drp = dhp * rz[2 * u_ + j] * _dact(ract, r)
                dxz[u_ + j] = drp
                drz[u_ + j] = drp
                drz[2 * u_ + j] = dhp * r
            else:
                dxz[u_ + j] = 0.0
                drz[u_ + j] = 0.0
                drz[2 * u_ + j] = dhp
            dh_direct[j] = dh * z
    else:
        for j in range(u_):
            for k in range(3):
                dxz[k * u_ + j] = 0.0
                drz[k * u_ + j] = 0.0
            dh_direct[j] = dout[j] * w + dh_mm[j] + dh_pass[j]


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy")
def gru_backward_step(dout, dh_mm, dh_pass, out_weight, gates, rz, h_prev, keep, reset_after, act, ract, dxz,
                      drz, dh_direct):
    """Backward of one GRU step. The gradient reaching h_t is `dout * out_weight[b] + dh_mm + dh_pass`.

    Writes dxz (B, 3U), the gradient of the input pre-activations; drz (B, 3U), that of the recurrent
    product (with reset_after: of `h @ recurrent_kernel + recurrent_bias`; without: blocks z, r of
    `h @ recurrent_kernel[:, :2U]` and, in block h, of `(r * h) @ recurrent_kernel[:, 2U:]`); and
    `dh_direct`, the gradient reaching h_{t-1} other than through the recurrent products (z * dh where
    kept, all of dh where masked). Without reset_after the reset-gate gradient needs a matrix product
    first: dxz and drz are left at 0 in block r, and the caller finishes them.
    """
    for b in range(dh_mm.shape[0]):
        _gru_backward_row(dout[b], out_weight[b], dh_mm[b], dh_pass[b], gates[b], rz[b], h_prev[b], keep[b],
                          reset_after, act, ract, dxz[b], drz[b], dh_direct[b])


@njit(cache=True, fastmath=_FASTMATH, error_model="numpy", nogil=True)
def gru_backward_sequence(b0, b1, d_out, out_weight, gates, rz, h, keep, recurrent_t, act, ract,
                          dxz, drz, dh_mm, dh_pass, db_in, db_rec):
    """The whole GRU backward time loop (reset_after) for the samples b0:b1, the recurrent product by BLAS.

    Arrays from `gru_forward_sequence`; recurrent_t (3U, U) contiguous. State rows b0:b1 of (B, U) buffers,
    updated in place: dh_mm (zeros on entry), dh_pass (the final state's gradient on entry); on return the
    initial state's gradient is dh_mm + dh_pass. Writes dxz, drz (T, B, 3U) and adds their sums over steps
    and samples to db_in, db_rec (3U,) (float64)."""
    t_ = gates.shape[0]
    k_ = gates.shape[2]
    for t in range(t_ - 1, -1, -1):
        for b in range(b0, b1):
            dxz_row, drz_row = dxz[t, b], drz[t, b]
            _gru_backward_row(d_out[t, b], out_weight[t, b], dh_mm[b], dh_pass[b], gates[t, b], rz[t, b], h[t, b],
                              keep[t, b], True, act, ract, dxz_row, drz_row, dh_pass[b])
            for j in range(k_):
                db_in[j] += dxz_row[j]
            for j in range(k_):
                db_rec[j] += drz_row[j]
        gemm_rows(NO_TRANS, 1.0, drz[t, b0:b1], recurrent_t, 0.0, dh_mm[b0:b1])
