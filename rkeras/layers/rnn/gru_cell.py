"""The GRU cell, as Keras 3's `GRUCell` (Cho et al. 2014), run a whole sequence at a time.

Gate blocks z (update), r (reset), h (candidate) of `kernel` (input_dim, 3*units) and
`recurrent_kernel` (units, 3*units). Per step:
    z = recurrent_activation(x W_z + b_z + h_prev U_z + rb_z),  r likewise,
    reset_after (default, cuDNN-compatible):  hh = activation(x W_h + b_h + r * (h_prev U_h + rb_h))
    reset_after = FALSE:                       hh = activation(x W_h + b_h + (r * h_prev) U_h)
    h = z * h_prev + (1 - z) * hh.
With `reset_after` the bias is (2, 3*units): row 1 for the input product, row 2 for the recurrent one;
without it, (3*units,) and no recurrent bias.
"""

import numpy as np

from ... import conventions
from ...kernels import blas
from ...kernels import rnn as kernels
from ...kernels.blas_threads import batch_ranges, one_blas_thread, run_split
from .base_cell import RecurrentCell


def _dact_from_output(code, y):
    """numpy derivative of a fused activation at its output `y` (same formulas as the kernels)."""
    if code == 1:
        return 1 - y * y
    if code == 2:
        return y * (1 - y)
    if code == 3:
        return (y > 0).astype(y.dtype)
    if code == 4:
        return ((y > 0) & (y < 1)).astype(y.dtype) / y.dtype.type(6)
    return np.ones_like(y)


class GRUCell(RecurrentCell):
    """Cell class for the GRU layer; see `rnn_cell_gru()`."""

    gate_count = 3
    has_recurrent_activation = True

    def __init__(self, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, seed=None, **kwargs):
        self.reset_after = conventions.as_bool(reset_after, "reset_after")
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, where="rnn_cell_gru()", **kwargs)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    # ----------------------------------------------------------------------------- sequences
    def sequence_forward(self, x, states, keep, training):
        t_, b_, _ = x.shape
        u, work = self.units, x.dtype
        kernel, recurrent, bias = self._weights(work)
        in_bias = rec_bias = None
        if self.use_bias:
            in_bias, rec_bias = (bias[0], bias[1]) if self.reset_after else (bias, None)
        in_masks, rec_masks = self.dropout_masks(b_, training, work)
        xz = self.input_projection(x, kernel, in_masks, in_bias)
        h = np.empty((t_ + 1, b_, u), dtype=work)
        h[0] = states[0]
        gates = np.empty((t_, b_, 3 * u), dtype=work)
        rz = np.empty((t_, b_, 3 * u), dtype=work)
        rh = None if self.reset_after else np.empty((t_, b_, u), dtype=work)
        rec_zr, rec_h = recurrent[:, :2 * u], recurrent[:, 2 * u:]
        approx = bool(work == np.float32)  # the rational tanh in float32 (kernels/rnn.py)
        compiled_loop = blas.available() and self.reset_after and rec_masks is None
        if compiled_loop:
            # the whole time loop compiled, the batch split over threads (blas_threads.run_split)
            rec_bias_row = rec_bias if rec_bias is not None else np.zeros(3 * u, dtype=work)
            recurrent = np.ascontiguousarray(recurrent)
            keep = np.ascontiguousarray(keep)

            def run(b0, b1):
                kernels.gru_forward_sequence(b0, b1, xz, rec_bias_row, recurrent, h, gates, rz, keep,
                                             self.act_code, self.ract_code, approx)
            run_split(run, batch_ranges(b_))
            cache = (x, h, gates, rz, rh, keep, in_masks, rec_masks)
            return h[1:], [h[t_]], cache
        with one_blas_thread():  # the per-step products are small (see blas_threads.py)
            for t in range(t_):
                if self.reset_after:
                    self.recurrent_product(h[t], recurrent, rec_masks, rz[t])
                    if rec_bias is not None:
                        rz[t] += rec_bias
                else:
                    self.recurrent_product(h[t], rec_zr, rec_masks, rz[t, :, :2 * u])
                kernels.gru_gates_step(xz[t], rz[t], self.ract_code, approx, gates[t])
                if not self.reset_after:
                    hin = h[t] if rec_masks is None else h[t] * rec_masks[2]
                    np.multiply(gates[t, :, u:2 * u], hin, out=rh[t])
                    np.matmul(rh[t], rec_h, out=rz[t, :, 2 * u:])
                kernels.gru_candidate_step(xz[t], rz[t], h[t], keep[t], self.reset_after, self.act_code, approx,
                                           gates[t], h[t + 1])
        cache = (x, h, gates, rz, rh, keep, in_masks, rec_masks)
        return h[1:], [h[t_]], cache

    def sequence_backward(self, cache, d_outputs, out_weight, d_final_states):
        x, h, gates, rz, rh, keep, in_masks, rec_masks = cache
        t_, b_, u = h.shape[0] - 1, h.shape[1], h.shape[2]
        work = x.dtype
        kernel, recurrent, _ = self._weights(work)
        recurrent_t = np.ascontiguousarray(recurrent.T)
        rec_zr_t, rec_h_t = recurrent_t[:2 * u], recurrent_t[2 * u:]
        dxz = np.empty((t_, b_, 3 * u), dtype=work)
        drz = np.empty((t_, b_, 3 * u), dtype=work)
        dh_mm = np.zeros((b_, u), dtype=work)
        dh_pass = np.zeros((b_, u), dtype=work) if d_final_states[0] is None else d_final_states[0].astype(work)
        dh_direct = np.empty((b_, u), dtype=work)
        compiled_loop = blas.available() and self.reset_after and rec_masks is None
        db = None
        if compiled_loop:
            ranges = batch_ranges(b_)
            db = np.zeros((2, len(ranges), 3 * u), dtype=np.float64)
            d_out = np.zeros((t_, b_, u), dtype=work) if d_outputs is None else np.ascontiguousarray(d_outputs, work)
            out_weight = np.ascontiguousarray(out_weight, work)

            def run(b0, b1):
                i = ranges.index((b0, b1))
                kernels.gru_backward_sequence(b0, b1, d_out, out_weight, gates, rz, h, keep, recurrent_t,
                                              self.act_code, self.ract_code, dxz, drz, dh_mm, dh_pass, db[0, i],
                                              db[1, i])
            run_split(run, ranges)
            db = db.sum(axis=1)
        else:
            zeros = np.zeros((b_, u), dtype=work)
            with one_blas_thread():  # the per-step products are small (see blas_threads.py)
                for t in range(t_ - 1, -1, -1):
                    dout = zeros if d_outputs is None else d_outputs[t]
                    kernels.gru_backward_step(dout, dh_mm, dh_pass, out_weight[t], gates[t], rz[t], h[t],
                                              keep[t], self.reset_after, self.act_code, self.ract_code, dxz[t],
                                              drz[t], dh_direct)
                    if self.reset_after:
                        self.recurrent_product_backward(drz[t], recurrent_t, rec_masks, dh_mm)
                    else:
                        # the reset gate acts before the candidate's product: its gradient needs that product first
                        d_rh = drz[t, :, 2 * u:] @ rec_h_t
                        r = gates[t, :, u:2 * u]
                        hin = h[t] if rec_masks is None else h[t] * rec_masks[2]
                        dr = d_rh * hin * _dact_from_output(self.ract_code, r)
                        dxz[t, :, u:2 * u] = dr
                        drz[t, :, u:2 * u] = dr
                        d_hin = d_rh * r
                        dh_direct += d_hin if rec_masks is None else d_hin * rec_masks[2]
                        self.recurrent_product_backward(np.ascontiguousarray(drz[t, :, :2 * u]), rec_zr_t, rec_masks,
                                                        dh_mm)
                    dh_pass, dh_direct = dh_direct, dh_pass
        dx, dkernel = self.input_backward(x, dxz, kernel, in_masks)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = dkernel.astype(self.kernel.dtype, copy=False)
        if self.recurrent_kernel.trainable:
            if self.reset_after:
                drec = self.recurrent_kernel_grad(h[:-1], drz, rec_masks)
            else:
                drec = np.empty((u, 3 * u), dtype=work)
                drec[:, :2 * u] = self.recurrent_kernel_grad(h[:-1], drz, rec_masks, n_blocks=2)
                drec[:, 2 * u:] = rh.reshape(t_ * b_, u).T @ drz[:, :, 2 * u:].reshape(t_ * b_, u)
            grads[self.recurrent_kernel] = drec.astype(self.recurrent_kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            if db is None:
                db = dxz.sum(axis=(0, 1), dtype=np.float64)
                if self.reset_after:
                    db = np.stack([db, drz.sum(axis=(0, 1), dtype=np.float64)])
            grads[self.bias] = db.astype(self.bias.dtype)
        return dx, [dh_mm + dh_pass], grads

    def get_config(self):
        config = super().get_config()
        seed = config.pop("seed")
        config["reset_after"] = self.reset_after
        config["seed"] = seed
        return config
