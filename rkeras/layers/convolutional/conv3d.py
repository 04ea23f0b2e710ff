"""3-D convolution, as Keras 3's `Conv3D`: `activation(conv3d(inputs, kernel) + bias)`.

Options, weights and shapes are `BaseConv`'s (kernel `(kd, kh, kw, channels // groups, filters)`);
the patch matrix `(N*OD*OH*OW, KD*KH*KW*C)` is gathered by `patches.gather` (the 2-D im2col
kernels of `rkeras.kernels.conv`, depth tap by depth tap), then one matrix product per group gives
the output, and the backward scatters the patch gradients back (`patches.scatter`). Channels-first
batches are transposed to channels-last once.
"""

import numpy as np

from ...core.config import compute_dtype
from ...core.layer import as_numeric_array, float_input
from . import patches
from .base_conv import BaseConv
from .conv_utils import window_geometry


class Conv3D(BaseConv):
    """3D convolution layer (e.g. spatial convolution over volumes); see `layer_conv_3d()`.

    Inputs `(batch, depth, rows, cols, channels)` (channels-last) or `(batch, channels, depth, rows,
    cols)` (channels-first).
    """

    rank = 3

    def __init__(self, filters=None, kernel_size=None, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)

    def _check_input_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 5:
            layout = ("(batch, depth, rows, cols, channels)" if self.data_format == "channels_last"
                      else "(batch, channels, depth, rows, cols)")
            raise ValueError(f"Layer '{self.name}' expects inputs of rank 5, {layout} for "
                             f"data_format='{self.data_format}'; received an input of shape {input_shape}.")
        return super()._check_input_shape(input_shape)

    def _geometry3(self, x5_shape):
        """((OD, pd), (OH, pt), (OW, pl)) of a channels-last 5-D batch."""
        return [window_geometry(n, k, s, d, self.padding)
                for n, k, s, d in zip(x5_shape[1:4], self.kernel_size, self.strides, self.dilation_rate)]

    def _group_split(self, mat, c):
        """Columns (taps, c) of a patch matrix, split by input-channel group."""
        if self.groups == 1:
            return [mat]
        m = mat.shape[0]
        cg = c // self.groups
        m3 = mat.reshape(m, -1, self.groups, cg)
        return [np.ascontiguousarray(m3[:, :, g, :]).reshape(m, -1) for g in range(self.groups)]

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)  # checks the input before any work
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x5 = np.ascontiguousarray(np.moveaxis(x, 1, -1) if cf else x, dtype=work)
        n, c = x5.shape[0], x5.shape[-1]
        (od_, pd), (oh_, pt), (ow_, pl) = self._geometry3(x5.shape)
        cols = patches.gather(x5, self.kernel_size, self.strides, self.dilation_rate, (pd, pt, pl), (od_, oh_, ow_))
        m = n * od_ * oh_ * ow_
        a_mats = self._group_split(cols.reshape(m, -1), c)
        k = self.kernel.value.astype(work, copy=False)
        f, fg = self.filters, self.filters // self.groups
        z2 = np.empty((m, f), dtype=work)
        for g, a_mat in enumerate(a_mats):
            np.matmul(a_mat, k[..., g * fg:(g + 1) * fg].reshape(-1, fg), out=z2[:, g * fg:(g + 1) * fg])
        if self.use_bias:
            z2 += self.bias.value.astype(work, copy=False)
        z = z2.reshape(n, od_, oh_, ow_, f)
        z = np.ascontiguousarray(np.moveaxis(z, -1, 1)) if cf else z
        act = self.activation
        y = act.forward(z)
        cache = (a_mats, x5.shape, z if act.needs_input else None, y if act.needs_output else None,
                 x.dtype, work)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        a_mats, x5_shape, z, y, in_dtype, work = cache
        cf = self.data_format == "channels_first"
        n, c = x5_shape[0], x5_shape[-1]
        (od_, pd), (oh_, pt), (ow_, pl) = self._geometry3(x5_shape)
        kd, kh, kw = self.kernel_size
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        f, fg, cg = self.filters, self.filters // self.groups, c // self.groups
        g2 = np.ascontiguousarray(np.moveaxis(gz, 1, -1) if cf else gz, dtype=work).reshape(-1, f)
        k = self.kernel.value.astype(work, copy=False)
        grads = {}
        dk = np.empty(k.shape, dtype=work)
        dcols = np.empty((g2.shape[0], kd * kh * kw, self.groups, cg), dtype=work)
        for gi, a_mat in enumerate(a_mats):
            gs = g2[:, gi * fg:(gi + 1) * fg]
            dk[..., gi * fg:(gi + 1) * fg] = (a_mat.T @ gs).reshape(kd, kh, kw, cg, fg)
            dcols[:, :, gi, :] = (gs @ k[..., gi * fg:(gi + 1) * fg].reshape(-1, fg).T).reshape(-1, kd * kh * kw, cg)
        if self.kernel.trainable:
            grads[self.kernel] = dk.astype(self.kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = g2.sum(axis=0, dtype=np.float64).astype(self.bias.dtype)
        dcols = dcols.reshape(n, od_, oh_, ow_, kd, kh, kw, c)
        dx5 = patches.scatter(dcols, x5_shape, self.strides, self.dilation_rate, (pd, pt, pl))
        dx = np.moveaxis(dx5, -1, 1) if cf else dx5
        return np.ascontiguousarray(dx, dtype=in_dtype), grads
