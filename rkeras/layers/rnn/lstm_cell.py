"""The LSTM cell, as Keras 3's `LSTMCell` (Hochreiter 1997), run a whole sequence at a time.

Per step, with gate blocks i, f, c, o of `kernel` (input_dim, 4*units), `recurrent_kernel`
(units, 4*units) and `bias` (4*units,):
    z = x @ kernel + h_prev @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  c = f * c_prev + i * activation(z_c)
    h = o * activation(c);  states [h, c], output h.
With `unit_forget_bias`, the bias starts at `bias_initializer` with the forget block set to ones.
"""

import numpy as np

from ... import conventions, initializers
from ...kernels import blas
from ...kernels import rnn as kernels
from ...kernels.blas_threads import batch_ranges, one_blas_thread, run_split
from .base_cell import RecurrentCell


class LSTMCell(RecurrentCell):
    """Cell class for the LSTM layer; see `rnn_cell_lstm()`."""

    gate_count = 4
    has_recurrent_activation = True

    def __init__(self, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        self.unit_forget_bias = conventions.as_bool(unit_forget_bias, "unit_forget_bias")
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed, where="rnn_cell_lstm()", **kwargs)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, u = self.bias_initializer, self.units

        def with_forget_ones(shape, dtype):
            return np.concatenate([np.asarray(base((u,), dtype)), initializers.get("ones")((u,), dtype),
                                   np.asarray(base((2 * u,), dtype))]).astype(dtype)
        return with_forget_ones

    # ----------------------------------------------------------------------------- sequences
    def sequence_forward(self, x, states, keep, training):
        t_, b_, _ = x.shape
        u, work = self.units, x.dtype
        kernel, recurrent, bias = self._weights(work)
        in_masks, rec_masks = self.dropout_masks(b_, training, work)
        compiled_loop = blas.available() and rec_masks is None
        h = np.empty((t_ + 1, b_, u), dtype=work)
        c = np.empty((t_ + 1, b_, u), dtype=work)
        h[0], c[0] = states
        tc = np.empty((t_, b_, u), dtype=work)
        approx = bool(work == np.float32)  # the rational tanh in float32 (kernels/rnn.py)
        if compiled_loop:
            # the whole time loop compiled, the batch split over threads (blas_threads.run_split)
            if in_masks is None:  # the input projection by row ranges on the same threads (no OpenBLAS pool)
                gates = np.empty((t_, b_, 4 * u), dtype=work)
                x2, g2 = x.reshape(t_ * b_, -1), gates.reshape(t_ * b_, 4 * u)
                run_split(lambda r0, r1: np.matmul(x2[r0:r1], kernel, out=g2[r0:r1]), batch_ranges(t_ * b_))
            else:
                gates = self.input_projection(x, kernel, in_masks, None)
            bias_row = bias if bias is not None else np.zeros(4 * u, dtype=work)
            recurrent = np.ascontiguousarray(recurrent)
            keep = np.ascontiguousarray(keep)

            def run(b0, b1):
                kernels.lstm_forward_sequence(b0, b1, gates, bias_row, recurrent, h, c, tc, keep,
                                              self.act_code, self.ract_code, approx)
            run_split(run, batch_ranges(b_))
        else:
            xz = self.input_projection(x, kernel, in_masks, bias)
            gates = np.empty((t_, b_, 4 * u), dtype=work)
            rz = np.empty((b_, 4 * u), dtype=work)
            with one_blas_thread():  # the per-step products are small (see blas_threads.py)
                for t in range(t_):
                    self.recurrent_product(h[t], recurrent, rec_masks, rz)
                    kernels.lstm_forward_step(xz[t], rz, h[t], c[t], keep[t], self.act_code, self.ract_code,
                                              approx, gates[t], h[t + 1], c[t + 1], tc[t])
        cache = (x, h, c, gates, tc, keep, in_masks, rec_masks)
        return h[1:], [h[t_], c[t_]], cache

    def sequence_backward(self, cache, d_outputs, out_weight, d_final_states):
        x, h, c, gates, tc, keep, in_masks, rec_masks = cache
        t_, b_, u = tc.shape
        work = x.dtype
        kernel, recurrent, _ = self._weights(work)
        compiled_loop = blas.available() and rec_masks is None
        recurrent_t = np.ascontiguousarray(recurrent.T)
        dxz = np.empty((t_, b_, 4 * u), dtype=work)
        dh_mm = np.zeros((b_, u), dtype=work)
        dh_pass = np.zeros((b_, u), dtype=work) if d_final_states[0] is None else d_final_states[0].astype(work)
        dc = np.zeros((b_, u), dtype=work) if d_final_states[1] is None else d_final_states[1].astype(work)
        if compiled_loop:
            ranges = batch_ranges(b_)
            db = np.zeros((len(ranges), 4 * u), dtype=np.float64)
            d_out = np.zeros((t_, b_, u), dtype=work) if d_outputs is None else np.ascontiguousarray(d_outputs, work)
            out_weight = np.ascontiguousarray(out_weight, work)

            def run(b0, b1):
                kernels.lstm_backward_sequence(b0, b1, d_out, out_weight, gates, c, tc, keep, recurrent_t,
                                               self.act_code, self.ract_code, dxz, dh_mm, dh_pass, dc,
                                               db[ranges.index((b0, b1))])
            run_split(run, ranges)
            db = db.sum(axis=0)
        else:
            dh_pass_next = np.empty((b_, u), dtype=work)
            dc_prev = np.empty((b_, u), dtype=work)
            zeros = np.zeros((b_, u), dtype=work)
            with one_blas_thread():  # the per-step products are small (see blas_threads.py)
                for t in range(t_ - 1, -1, -1):
                    dout = zeros if d_outputs is None else d_outputs[t]
                    kernels.lstm_backward_step(dout, dh_mm, dh_pass, out_weight[t], dc, gates[t], c[t], tc[t],
                                               keep[t], self.act_code, self.ract_code, dxz[t], dh_pass_next, dc_prev)
                    self.recurrent_product_backward(dxz[t], recurrent_t, rec_masks, dh_mm)
                    dh_pass, dh_pass_next = dh_pass_next, dh_pass
                    dc, dc_prev = dc_prev, dc
            db = dxz.sum(axis=(0, 1), dtype=np.float64) if self.use_bias else None
        dx, dkernel = self.input_backward(x, dxz, kernel, in_masks)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = dkernel.astype(self.kernel.dtype, copy=False)
        if self.recurrent_kernel.trainable:
            grads[self.recurrent_kernel] = self.recurrent_kernel_grad(h[:-1], dxz, rec_masks).astype(
                self.recurrent_kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = db.astype(self.bias.dtype)
        return dx, [dh_mm + dh_pass, dc], grads

    def get_config(self):
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config
