"""Plain float64 numpy twins of the recurrent step kernels (tests only), written from the formulas.

Same layouts as `rkeras.kernels.rnn`: gate blocks along the last axis (LSTM i, f, c, o; GRU z, r, h),
`keep` (batch,) with 0 for a masked sample (state carried over, no gradient to the gates). Each
backward twin returns the gradients the kernel writes, given the total gradient `dh` reaching h_t.
"""

import numpy as np

__all__ = ["ACTIVATIONS_REF", "gru_backward_ref", "gru_forward_ref", "lstm_backward_ref", "lstm_forward_ref",
           "simple_backward_ref", "simple_forward_ref"]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


#: code -> (f(x), f'(x)) in float64, the codes of `rkeras.kernels.rnn.ACTIVATION_CODES`
ACTIVATIONS_REF = {
    0: (lambda x: x, lambda x: np.ones_like(x)),
    1: (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    2: (_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    3: (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(np.float64)),
    4: (lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0, lambda x: ((x > -3) & (x < 3)) / 6.0),
}


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _blocks(a, n):
    return np.split(a, n, axis=-1)


def simple_forward_ref(xz, rz, h_prev, keep, act):
    xz, rz, h_prev = _f64(xz, rz, h_prev)
    h = ACTIVATIONS_REF[act][0](xz + rz)
    return np.where(np.asarray(keep, bool)[:, None], h, h_prev)


def simple_backward_ref(dh, xz, rz, keep, act):
    """(gradient of the pre-activation, pass-through to h_{t-1})."""
    dh, xz, rz = _f64(dh, xz, rz)
    k = np.asarray(keep, bool)[:, None]
    dpre = dh * ACTIVATIONS_REF[act][1](xz + rz)
    return np.where(k, dpre, 0.0), np.where(k, 0.0, dh)


def lstm_forward_ref(xz, rz, h_prev, c_prev, keep, act, ract):
    """(h, c) of one step."""
    xz, rz, h_prev, c_prev = _f64(xz, rz, h_prev, c_prev)
    f_act, f_ract = ACTIVATIONS_REF[act][0], ACTIVATIONS_REF[ract][0]
    zi, zf, zc, zo = _blocks(xz + rz, 4)
    c = f_ract(zf) * c_prev + f_ract(zi) * f_act(zc)
    h = f_ract(zo) * f_act(c)
    k = np.asarray(keep, bool)[:, None]
    return np.where(k, h, h_prev), np.where(k, c, c_prev)


def lstm_backward_ref(dh, dc, xz, rz, c_prev, keep, act, ract):
    """(dz (B, 4U), pass-through to h_{t-1}, gradient reaching c_{t-1}) from the pre-activations."""
    dh, dc, xz, rz, c_prev = _f64(dh, dc, xz, rz, c_prev)
    (f_act, d_act), (f_ract, d_ract) = ACTIVATIONS_REF[act], ACTIVATIONS_REF[ract]
    zi, zf, zc, zo = _blocks(xz + rz, 4)
    i, f, g, o = f_ract(zi), f_ract(zf), f_act(zc), f_ract(zo)
    c = f * c_prev + i * g
    dct = dc + dh * o * d_act(c)
    dz = np.concatenate([dct * g * d_ract(zi), dct * c_prev * d_ract(zf), dct * i * d_act(zc),
                         dh * f_act(c) * d_ract(zo)], axis=-1)
    k = np.asarray(keep, bool)[:, None]
    return np.where(k, dz, 0.0), np.where(k, 0.0, dh), np.where(k, dct * f, dc)


def gru_forward_ref(xz, rz, h_prev, keep, reset_after, act, ract):
    """h of one step; without reset_after, `rz[:, 2U:]` is (r * h_prev) @ recurrent_kernel_h."""
    xz, rz, h_prev = _f64(xz, rz, h_prev)
    f_act, f_ract = ACTIVATIONS_REF[act][0], ACTIVATIONS_REF[ract][0]
    xz_z, xz_r, xz_h = _blocks(xz, 3)
    rz_z, rz_r, rz_h = _blocks(rz, 3)
    z, r = f_ract(xz_z + rz_z), f_ract(xz_r + rz_r)
    hh = f_act(xz_h + (r * rz_h if reset_after else rz_h))
    h = z * h_prev + (1.0 - z) * hh
    return np.where(np.asarray(keep, bool)[:, None], h, h_prev)


def gru_backward_ref(dh, xz, rz, h_prev, keep, reset_after, act, ract):
    """(dxz, drz, gradient reaching h_{t-1} other than through the recurrent products); without
    reset_after the reset-gate blocks are left at 0 (they need a matrix product, as in the kernel)."""
    dh, xz, rz, h_prev = _f64(dh, xz, rz, h_prev)
    (f_act, d_act), (f_ract, d_ract) = ACTIVATIONS_REF[act], ACTIVATIONS_REF[ract]
    xz_z, xz_r, xz_h = _blocks(xz, 3)
    rz_z, rz_r, rz_h = _blocks(rz, 3)
    z, r = f_ract(xz_z + rz_z), f_ract(xz_r + rz_r)
    pre_h = xz_h + (r * rz_h if reset_after else rz_h)
    hh = f_act(pre_h)
    dzp = dh * (h_prev - hh) * d_ract(xz_z + rz_z)
    dhp = dh * (1.0 - z) * d_act(pre_h)
    if reset_after:
        drp = dhp * rz_h * d_ract(xz_r + rz_r)
        dxz = np.concatenate([dzp, drp, dhp], axis=-1)
        drz = np.concatenate([dzp, drp, dhp * r], axis=-1)
    else:
        zero = np.zeros_like(dzp)
        dxz = np.concatenate([dzp, zero, dhp], axis=-1)
        drz = np.concatenate([dzp, zero, dhp], axis=-1)
    k = np.asarray(keep, bool)[:, None]
    return np.where(k, dxz, 0.0), np.where(k, drz, 0.0), np.where(k, dh * z, dh)
