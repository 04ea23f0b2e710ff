"""The fully-connected RNN cell, as Keras 3's `SimpleRNNCell`, run a whole sequence at a time.

Per step: `h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)`; the output is h, the
single state.
"""

import numpy as np

from ...kernels import rnn as kernels
from ...kernels.blas_threads import one_blas_thread
from .base_cell import RecurrentCell


class SimpleRNNCell(RecurrentCell):
    """Cell class for SimpleRNN; see `rnn_cell_simple()`."""

    gate_count = 1

    def __init__(self, units=None, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, None, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed,
                         where="rnn_cell_simple()", **kwargs)

    def sequence_forward(self, x, states, keep, training):
        t_, b_, _ = x.shape
        u, work = self.units, x.dtype
        kernel, recurrent, bias = self._weights(work)
        in_masks, rec_masks = self.dropout_masks(b_, training, work)
        xz = self.input_projection(x, kernel, in_masks, bias)
        h = np.empty((t_ + 1, b_, u), dtype=work)
        h[0] = states[0]
        rz = np.empty((b_, u), dtype=work)
        approx = bool(work == np.float32)  # the rational tanh in float32 (kernels/rnn.py)
        with one_blas_thread():  # the per-step products are small (see blas_threads.py)
            for t in range(t_):
                self.recurrent_product(h[t], recurrent, rec_masks, rz)
                kernels.simple_forward_step(xz[t], rz, h[t], keep[t], self.act_code, approx, h[t + 1])
        return h[1:], [h[t_]], (x, h, keep, in_masks, rec_masks)

    def sequence_backward(self, cache, d_outputs, out_weight, d_final_states):
        x, h, keep, in_masks, rec_masks = cache
        t_, b_, u = h.shape[0] - 1, h.shape[1], h.shape[2]
        work = x.dtype
        kernel, recurrent, _ = self._weights(work)
        recurrent_t = np.ascontiguousarray(recurrent.T)
        dpre = np.empty((t_, b_, u), dtype=work)
        dh_mm = np.zeros((b_, u), dtype=work)
        dh_pass = np.zeros((b_, u), dtype=work) if d_final_states[0] is None else d_final_states[0].astype(work)
        dh_pass_next = np.empty((b_, u), dtype=work)
        zeros = np.zeros((b_, u), dtype=work)
        with one_blas_thread():  # the per-step products are small (see blas_threads.py)
            for t in range(t_ - 1, -1, -1):
                dout = zeros if d_outputs is None else d_outputs[t]
                kernels.simple_backward_step(dout, dh_mm, dh_pass, out_weight[t], h[t + 1], keep[t], self.act_code,
                                             dpre[t], dh_pass_next)
                self.recurrent_product_backward(dpre[t], recurrent_t, rec_masks, dh_mm)
                dh_pass, dh_pass_next = dh_pass_next, dh_pass
        dx, dkernel = self.input_backward(x, dpre, kernel, in_masks)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = dkernel.astype(self.kernel.dtype, copy=False)
        if self.recurrent_kernel.trainable:
            grads[self.recurrent_kernel] = self.recurrent_kernel_grad(h[:-1], dpre, rec_masks).astype(
                self.recurrent_kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = dpre.sum(axis=(0, 1), dtype=np.float64).astype(self.bias.dtype)
        return dx, [dh_mm + dh_pass], grads
