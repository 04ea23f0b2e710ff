"""The convolutional LSTM cell, as Keras 3's `ConvLSTMCell` (Shi et al. 2015), run a whole sequence at
a time for `ConvLSTM1D/2D/3D`.

Per step, with gate blocks i, f, c, o of `kernel` (*kernel_size, channels, 4*filters), `recurrent_kernel`
(*kernel_size, filters, 4*filters) and `bias` (4*filters,):
    z = conv(x, kernel; strides, padding, dilation_rate) + conv(h_prev, recurrent_kernel; "same") + bias
    i, f, o = recurrent_activation(z_i, z_f, z_o);  c = f * c_prev + i * activation(z_c)
    h = o * activation(c);  states [h, c], output h.

At every spatial position of the output, this is an LSTM step on the `4*filters` pre-activations,
so the gate math runs in the fused LSTM step kernels of `rkeras.kernels.rnn` on rows `(batch *
positions, 4*filters)`; the convolutions are patch gathers (`convolutional.patches`, numba) and
matrix products: the input convolution for all steps at once before the loop, the recurrent one per
step, and in the backward pass the recurrent kernel's gradient in one product over all steps.

The cell works channels-last; channels-first sequences `(steps, batch, channels, *spatial)` are
transposed once on the way in and out. Dropout: in training, one input mask and one recurrent mask
per gate block (4 each), of a step's input shape and state shape, drawn per call and used at every
step (Keras' `ConvLSTMCell` multiplies by rows of one batch mask instead, which ties samples together).
"""

import numpy as np

from ... import constraints, conventions, initializers, regularizers
from ... import random as rk_random
from ...core.layer import Layer
from ...kernels import rnn as kernels
from ...kernels.blas_threads import one_blas_thread
from ...kernels.rnn import ACTIVATION_CODES
from ..convolutional import patches
from ..convolutional.conv_utils import (
    output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
    window_geometry,
)
from ..core import activations
from .base_cell import RecurrentCell, check_rate, fused_activation


class ConvLSTMCell(RecurrentCell):
    """Cell class of the ConvLSTM layers (`rank` 1, 2 or 3)."""

    gate_count = 4
    has_recurrent_activation = True

    def __init__(self, rank=2, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        where = f"layer_conv_lstm_{rank}d()"
        conventions.check_kwargs(kwargs, where=where)
        if rank not in (1, 2, 3):
            raise ValueError(f"`rank` of a ConvLSTM cell must be 1, 2 or 3; received {rank!r}.")
        self.rank = rank
        if filters is None:
            raise ValueError(f"`filters` must be given to {where}: the number of output filters, a positive "
                             f"integer; received None.")
        self.filters = conventions.as_integer(filters, "filters", minimum=1)
        if kernel_size is None:
            raise ValueError(f"`kernel_size` must be given to {where}: an integer or a list of {rank} integers; "
                             f"received None.")
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides` > 1 is not compatible with `dilation_rate` > 1 (as in Keras); received "
                             f"strides={strides!r} and dilation_rate={dilation_rate!r}.")
        self.activation = fused_activation(activation, "activation")
        self.act_code = ACTIVATION_CODES[self.activation.name]
        self.recurrent_activation = fused_activation(recurrent_activation, "recurrent_activation")
        self.ract_code = ACTIVATION_CODES[self.recurrent_activation.name]
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer, arg_name="kernel_initializer")
        self.recurrent_initializer = initializers.get(recurrent_initializer, arg_name="recurrent_initializer")
        self.bias_initializer = initializers.get(bias_initializer, arg_name="bias_initializer")
        self.unit_forget_bias = conventions.as_bool(unit_forget_bias, "unit_forget_bias")
        self.kernel_regularizer = regularizers.get(kernel_regularizer, arg_name="kernel_regularizer")
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer, arg_name="recurrent_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, arg_name="bias_regularizer")
        self.kernel_constraint = constraints.get(kernel_constraint, arg_name="kernel_constraint")
        self.recurrent_constraint = constraints.get(recurrent_constraint, arg_name="recurrent_constraint")
        self.bias_constraint = constraints.get(bias_constraint, arg_name="bias_constraint")
        self.dropout = check_rate(dropout, "dropout")
        self.recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout")
        self.seed = None if seed is None else conventions.as_integer(seed, "seed", minimum=0)
        Layer.__init__(self, **kwargs)
        self._generator = rk_random.make_generator(self.seed)
        self.kernel = self.recurrent_kernel = self.bias = None
        self.input_dim = None
        self.spatial_dims = None

    # ----------------------------------------------------------------------------- shapes, weights
    @property
    def units(self):
        return self.filters

    @property
    def state_size(self):
        return [self.filters, self.filters]

    @property
    def output_size(self):
        return self.filters

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, u = self.bias_initializer, self.filters

        def with_forget_ones(shape, dtype):
            return np.concatenate([np.asarray(base((u,), dtype)), initializers.get("ones")((u,), dtype),
                                   np.asarray(base((2 * u,), dtype))]).astype(dtype)
        return with_forget_ones

    def output_spatial(self, spatial, layer_name, input_shape):
        """The spatial sizes of the states for inputs of spatial sizes `spatial`."""
        return tuple(output_length(n, k, s, d, self.padding, layer_name, input_shape)
                     for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def state_shape(self, batch, spatial_out):
        """One state's shape in the layer's layout."""
        if self.data_format == "channels_last":
            return (batch,) + tuple(spatial_out) + (self.filters,)
        return (batch, self.filters) + tuple(spatial_out)

    def build(self, input_shape):
        """`input_shape` is one step's: (batch, *spatial, channels) or (batch, channels, *spatial)."""
        input_shape = tuple(input_shape)
        cl = self.data_format == "channels_last"
        channels = input_shape[-1] if cl else input_shape[1]
        spatial = input_shape[1:-1] if cl else input_shape[2:]
        if channels is None or None in spatial:
            raise ValueError(f"Cell '{self.name}': the channels and spatial sizes of the input (step shape "
                             f"{input_shape}) must be known; ConvLSTM layers only support static spatial shapes.")
        self.input_dim = int(channels)
        self.spatial_dims = tuple(int(s) for s in spatial)
        f4 = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.input_dim, f4), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", self.kernel_size + (self.filters, f4),
                                                self.recurrent_initializer, regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (f4,), self._bias_initializer(), regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    # ----------------------------------------------------------------------------- geometry
    def _input_geometry(self):
        """(output spatial sizes, padding before) of the input convolution."""
        dims = [window_geometry(n, k, s, d, self.padding)
                for n, k, s, d in zip(self.spatial_dims, self.kernel_size, self.strides, self.dilation_rate)]
        return tuple(o for o, _ in dims), tuple(p for _, p in dims)

    def _recurrent_pads(self):
        return tuple((k - 1) // 2 for k in self.kernel_size)  # "same", stride 1, no dilation

    def _to_channels_last(self, a, lead):
        """`a` with its channel axis (at index `lead`, channels-first) moved last."""
        return a if self.data_format == "channels_last" else np.moveaxis(a, lead, -1)

    def _from_channels_last(self, a, lead):
        return a if self.data_format == "channels_last" else np.moveaxis(a, -1, lead)

    # ----------------------------------------------------------------------------- convolutions
    def _conv_cols(self, x, kernel_size, strides, dilation, pads, out_spatial):
        """The patch matrix (rows, taps*channels) of a channels-last batch."""
        cols = patches.gather(np.ascontiguousarray(x), kernel_size, strides, dilation, pads, out_spatial)
        return cols.reshape(-1, int(np.prod(kernel_size)) * x.shape[-1])

    def _blocks(self, masks):
        """(gate block slice, mask or None) for the 4 gate blocks (or all of them at once)."""
        f = self.filters
        if masks is None:
            return [(slice(0, 4 * f), None)]
        return [(slice(g * f, (g + 1) * f), masks[g]) for g in range(4)]

    def _recurrent_product(self, h, rmat, rec_masks, out_spatial, out):
        """out (rows, 4F) = conv(h, recurrent_kernel) for h (rows, F)."""
        b_ = h.shape[0] // int(np.prod(out_spatial))
        hb = h.reshape((b_,) + tuple(out_spatial) + (self.filters,))
        pads, ones = self._recurrent_pads(), (1,) * self.rank
        for cols, m in self._blocks(rec_masks):
            hc = self._conv_cols(hb if m is None else hb * m, self.kernel_size, ones, ones, pads, out_spatial)
            np.matmul(hc, rmat[:, cols], out=out[:, cols])

    def _recurrent_backward(self, dz, rmat, rec_masks, out_spatial, out):
        """out (rows, F) = the gradient reaching h through `_recurrent_product`."""
        f = self.filters
        b_ = dz.shape[0] // int(np.prod(out_spatial))
        shape = (b_,) + tuple(out_spatial) + (f,)
        pads, ones = self._recurrent_pads(), (1,) * self.rank
        out[...] = 0
        for cols, m in self._blocks(rec_masks):
            dcols = (dz[:, cols] @ rmat[:, cols].T).reshape((b_,) + tuple(out_spatial) + self.kernel_size + (f,))
            dh = patches.scatter(dcols, shape, ones, ones, pads)
            out += (dh if m is None else dh * m).reshape(-1, f)

    def _masks(self, batch, in_shape, out_spatial, training, work):
        in_masks = rec_masks = None
        if training and 0.0 < self.dropout < 1.0:
            in_masks = self._draw(self.dropout, (4, batch) + tuple(in_shape), work)
        if training and 0.0 < self.recurrent_dropout < 1.0:
            rec_masks = self._draw(self.recurrent_dropout, (4, batch) + tuple(out_spatial) + (self.filters,), work)
        return in_masks, rec_masks

    # ----------------------------------------------------------------------------- sequences
    def sequence_forward(self, x, states, keep, training):
        """x (T, B, *step shape) in the layer's layout; states [h, c] (B, *state shape)."""
        work = x.dtype
        t_, b_ = x.shape[:2]
        xs = np.ascontiguousarray(self._to_channels_last(x, 2))
        out_spatial, pads = self._input_geometry()
        p_ = int(np.prod(out_spatial))
        rows, f = b_ * p_, self.filters
        kmat = self.kernel.value.astype(work, copy=False).reshape(-1, 4 * f)
        rmat = self.recurrent_kernel.value.astype(work, copy=False).reshape(-1, 4 * f)
        in_masks, rec_masks = self._masks(b_, xs.shape[2:], out_spatial, training, work)
        xz = np.empty((t_ * rows, 4 * f), dtype=work)
        x_cols = []
        flat = xs.reshape((t_ * b_,) + xs.shape[2:])
        for cols, m in self._blocks(in_masks):
            xin = flat if m is None else (xs * m).reshape(flat.shape)
            xc = self._conv_cols(xin, self.kernel_size, self.strides, self.dilation_rate, pads, out_spatial)
            np.matmul(xc, kmat[:, cols], out=xz[:, cols])
            x_cols.append(xc)
        if self.use_bias:
            xz += self.bias.value.astype(work, copy=False)
        xz = xz.reshape(t_, rows, 4 * f)
        keep_rows = np.ascontiguousarray(np.repeat(keep, p_, axis=1))
        h = np.empty((t_ + 1, rows, f), dtype=work)
        c = np.empty((t_ + 1, rows, f), dtype=work)
        h[0] = np.ascontiguousarray(self._to_channels_last(states[0], 1), dtype=work).reshape(rows, f)
        c[0] = np.ascontiguousarray(self._to_channels_last(states[1], 1), dtype=work).reshape(rows, f)
        gates = np.empty((t_, rows, 4 * f), dtype=work)
        tc = np.empty((t_, rows, f), dtype=work)
        rz = np.empty((rows, 4 * f), dtype=work)
        approx = bool(work == np.float32)  # the rational tanh in float32 (kernels/rnn.py)
        with one_blas_thread():
            for t in range(t_):
                self._recurrent_product(h[t], rmat, rec_masks, out_spatial, rz)
                kernels.lstm_forward_step(xz[t], rz, h[t], c[t], keep_rows[t], self.act_code, self.ract_code, approx,
                                          gates[t], h[t + 1], c[t + 1], tc[t])
        state_cl = (b_,) + tuple(out_spatial) + (f,)
        outs = self._from_channels_last(h[1:].reshape((t_,) + state_cl), 2)
        finals = [self._from_channels_last(s.reshape(state_cl), 1) for s in (h[t_], c[t_])]
        cache = (xs.shape, x_cols, h, c, gates, tc, keep_rows, in_masks, rec_masks, out_spatial, pads)
        return outs, finals, cache

    def sequence_backward(self, cache, d_outputs, out_weight, d_final_states):
        xs_shape, x_cols, h, c, gates, tc, keep_rows, in_masks, rec_masks, out_spatial, pads = cache
        t_, rows, f = tc.shape
        b_ = xs_shape[1]
        p_ = rows // b_
        work = h.dtype
        kmat = self.kernel.value.astype(work, copy=False).reshape(-1, 4 * f)
        rmat = self.recurrent_kernel.value.astype(work, copy=False).reshape(-1, 4 * f)
        state_cl = (b_,) + tuple(out_spatial) + (f,)

        def rows_of(g, lead):  # a copy: the state gradients become the loop's work buffers
            return np.array(self._to_channels_last(g, lead), dtype=work, order="C").reshape(-1, f)

        dfin = [None if g is None else rows_of(g, 1) for g in d_final_states]
        dout_rows = None if d_outputs is None else rows_of(d_outputs, 2).reshape(t_, rows, f)
        w_rows = np.ascontiguousarray(np.repeat(out_weight, p_, axis=1), dtype=work)
        dxz = np.empty((t_, rows, 4 * f), dtype=work)
        dh_mm = np.zeros((rows, f), dtype=work)
        dh_pass = np.zeros((rows, f), dtype=work) if dfin[0] is None else dfin[0]
        dh_pass_next = np.empty((rows, f), dtype=work)
        dc = np.zeros((rows, f), dtype=work) if dfin[1] is None else dfin[1]
        dc_prev = np.empty((rows, f), dtype=work)
        zeros = np.zeros((rows, f), dtype=work)
        with one_blas_thread():
            for t in range(t_ - 1, -1, -1):
                dout = zeros if dout_rows is None else dout_rows[t]
                kernels.lstm_backward_step(dout, dh_mm, dh_pass, w_rows[t], dc, gates[t], c[t], tc[t], keep_rows[t],
                                           self.act_code, self.ract_code, dxz[t], dh_pass_next, dc_prev)
                self._recurrent_backward(dxz[t], rmat, rec_masks, out_spatial, dh_mm)
                dh_pass, dh_pass_next = dh_pass_next, dh_pass
                dc, dc_prev = dc_prev, dc
        dz2 = dxz.reshape(t_ * rows, 4 * f)
        grads = {}
        # input convolution: kernel gradient from the stored patches, input gradient by a scatter
        dkernel = np.empty(kmat.shape, dtype=work)
        dxs = np.zeros((t_ * b_,) + tuple(xs_shape[2:]), dtype=work)
        for (cols, m), xc in zip(self._blocks(in_masks), x_cols):
            dkernel[:, cols] = xc.T @ dz2[:, cols]
            dcols = (dz2[:, cols] @ kmat[:, cols].T).reshape((t_ * b_,) + tuple(out_spatial) + self.kernel_size
                                                             + (xs_shape[-1],))
            dpart = patches.scatter(dcols, dxs.shape, self.strides, self.dilation_rate, pads)
            dxs += dpart if m is None else (dpart.reshape(xs_shape) * m).reshape(dxs.shape)
        if self.kernel.trainable:
            grads[self.kernel] = dkernel.reshape(self.kernel.shape).astype(self.kernel.dtype, copy=False)
        if self.recurrent_kernel.trainable:
            drec = np.empty(rmat.shape, dtype=work)
            h_prev = h[:-1].reshape((t_ * b_,) + tuple(out_spatial) + (f,))
            ones, rpads = (1,) * self.rank, self._recurrent_pads()
            for cols, m in self._blocks(rec_masks):
                hin = h_prev if m is None else (h_prev.reshape((t_,) + state_cl) * m).reshape(h_prev.shape)
                hc = self._conv_cols(hin, self.kernel_size, ones, ones, rpads, out_spatial)
                drec[:, cols] = hc.T @ dz2[:, cols]
            grads[self.recurrent_kernel] = drec.reshape(self.recurrent_kernel.shape).astype(
                self.recurrent_kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = dz2.sum(axis=0, dtype=np.float64).astype(self.bias.dtype)
        dx = self._from_channels_last(dxs.reshape(xs_shape), 2)
        d_initial = [self._from_channels_last((dh_mm + dh_pass).reshape(state_cl), 1),
                     self._from_channels_last(dc.reshape(state_cl), 1)]
        return dx, d_initial, grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = Layer.get_config(self)
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config
