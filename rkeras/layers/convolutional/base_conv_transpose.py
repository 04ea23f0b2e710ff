"""The base of `Conv1DTranspose` and `Conv2DTranspose`, as Keras 3's `BaseConvTranspose`.

A transposed convolution is the input gradient of a convolution: each input position spreads
`input[m, :] @ kernel[i, j].T` over the output window it maps to. So its forward pass is the
backward pass of `BaseConv` (one matrix product, then the col2im scatter of `rkeras.kernels.conv`),
and its backward pass is a forward convolution (im2col gather, then two matrix products for the
input and the kernel gradients). No new kernel is needed: rank 1 and 2 run on the 4-D im2col /
col2im kernels of `rkeras.kernels.conv` in either layout, rank 3 on `patches.gather` / `scatter`
(channels-first batches transposed to channels-last once).

The kernel has Keras' layout `(*kernel_size, filters, input_channels)`. The geometry follows Keras
on JAX (`jax.lax.conv_transpose` with `transpose_kernel=True` and the padding Keras derives from
`padding` and `output_padding`): along each dimension with effective kernel `K = (k - 1) * d + 1`,
Keras pads the stride-dilated input with `(left, right)` zeros; the output has
`(n - 1) * s + 1 + left + right - K + 1` positions and input position `t` writes output
`t * s - (K - 1 - left) + i * d` for tap `i`, the geometry of the convolution it is the adjoint of.
"""

import numba
import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...kernels import blas
from ...kernels import conv as kernels
from ...kernels import conv_tiled as tiled
from ...kernels.reductions import column_sums
from ..kernel_and_bias import KernelAndBias
from . import patches
from .conv_geometry import ConvGeometry, channels_last_4d
from .conv_utils import standardize_data_format, standardize_padding, standardize_tuple


def transpose_padding(kernel, stride, dilation, padding, output_padding):
    """(left, right) zeros Keras on JAX pads the stride-dilated input with (one dimension)."""
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return span - 1, span - 1 + extra
    if output_padding is None:
        total = stride + span - 2
    else:
        total = span + span % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, span - 1)
    return left, total - left


def transpose_geometry(n, kernel, stride, dilation, padding, output_padding):
    """(output length, padding before of the adjoint convolution) of one dimension (None -> None)."""
    if n is None:
        return None, None
    span = (kernel - 1) * dilation + 1
    left, right = transpose_padding(kernel, stride, dilation, padding, output_padding)
    return (n - 1) * stride + 1 + left + right - span + 1, span - 1 - left


class BaseConvTranspose(ConvGeometry, KernelAndBias, Layer):
    """Abstract transposed convolution of `rank` 1, 2 or 3; see `layer_conv_2d_transpose()`."""

    def __init__(self, filters=None, kernel_size=None, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        rank = self.rank
        where = f"layer_conv_{rank}d_transpose()"
        conventions.check_kwargs(kwargs, where=where)
        if filters is None:
            raise ValueError(f"`filters` must be given: the number of output channels, a positive integer "
                             f"(e.g. `{where[:-2]}(filters=32, kernel_size=3)`); received None.")
        self.filters = conventions.as_integer(filters, "filters", minimum=1)
        if kernel_size is None:
            raise ValueError(f"`kernel_size` must be given: an integer or a list of {rank} integers; "
                             f"received None.")
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.output_padding = (None if output_padding is None
                               else standardize_tuple(output_padding, rank, "output_padding", minimum=0))
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if self.output_padding is not None and any(p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"`output_padding` must be strictly less than `strides` in every dimension; "
                             f"received output_padding={output_padding!r} and strides={strides!r}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides` > 1 is not supported together with `dilation_rate` > 1 (as in Keras); "
                             f"received strides={strides!r} and dilation_rate={dilation_rate!r}.")
        self._set_kernel_and_bias_options(
            activation, use_bias, "glorot_uniform" if kernel_initializer is None else kernel_initializer,
            "zeros" if bias_initializer is None else bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- shapes
    def _dims(self, input_shape):
        """(output length, padding before) of each spatial dimension."""
        ops = self.output_padding or (None,) * self.rank
        return [transpose_geometry(n, k, s, d, self.padding, op)
                for n, k, s, d, op in zip(self._spatial(input_shape), self.kernel_size, self.strides,
                                          self.dilation_rate, ops)]

    def compute_output_shape(self, input_shape):
        input_shape = self._check_rank(input_shape)
        channels = input_shape[self._channel_axis]
        if self.kernel is not None and channels is not None and channels != self.kernel.shape[-1]:
            raise ValueError(f"Layer '{self.name}' was built for inputs with {self.kernel.shape[-1]} channels; "
                             f"received an input of shape {input_shape} (data_format='{self.data_format}').")
        dims = self._dims(input_shape)
        for out, _ in dims:
            if out is not None and out <= 0:
                raise ValueError(f"Layer '{self.name}': an input of shape {input_shape} gives an empty output "
                                 f"(size {out}) with kernel_size={self.kernel_size}, padding='{self.padding}' "
                                 f"and output_padding={self.output_padding}.")
        return self._with_spatial(input_shape, [o for o, _ in dims], self.filters)

    def build(self, input_shape):
        input_shape = self._check_rank(input_shape)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}': the channel dimension of the input (shape {input_shape}, "
                             f"data_format='{self.data_format}') must be known to build a convolution.")
        self.compute_output_shape(input_shape)
        self._add_kernel_and_bias(self.kernel_size + (self.filters, channels), (self.filters,))
        self.built = True

    def _adjoint_geometry(self, in4_shape):
        """(sh, sw, dh, dw, pt, pl) of the convolution this layer is the adjoint of, in the 4-D view."""
        dims = self._dims(self._from_4d_shape(in4_shape))
        pads = [p for _, p in dims]
        _, ss, ds = self._window_4d()
        if self.rank == 1:
            pads = [0] + pads
        return ss[0], ss[1], ds[0], ds[1], pads[0], pads[1]

    def _from_4d_shape(self, shape4):
        if self.rank == 1:
            return (shape4[0], shape4[2], shape4[3]) if self.data_format == "channels_last" \
                else (shape4[0], shape4[1], shape4[3])
        return tuple(shape4)

    def _kernel_matrix(self, work):
        """The kernel as (KH*KW*F, C): row (i, j, f), column c."""
        k = self.kernel.value.astype(work, copy=False)
        return k.reshape(-1, k.shape[-1])

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        out_shape = self.compute_output_shape(x.shape)
        if self.rank == 3:
            return self._forward_nd(x, out_shape)
        if blas.available():
            return self._forward_tiled(x, out_shape)
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x4 = channels_last_4d(self._as_4d(x, work), cf)
        n, ih, iw, c = x4.shape
        (kh, kw), _, _ = self._window_4d()
        f = self.filters
        geo = self._adjoint_geometry(self._to_4d_shape(x.shape))
        out4_shape = self._to_4d_shape(out_shape)
        x2 = x4.reshape(-1, c)
        dcols = (x2 @ self._kernel_matrix(work).T).reshape(n, ih, iw, kh, kw, f)
        z4 = np.empty(out4_shape, dtype=work)
        kernels.col2im(dcols, cf, *geo, z4)
        if self.use_bias:
            b = self.bias.value.astype(work, copy=False)
            z4 += b[:, None, None] if cf else b
        z = z4.reshape(out_shape)
        act = self.activation
        y = act.forward(z)
        cache = (x2, x4.shape, geo, out4_shape, z if act.needs_input else None,
                 y if act.needs_output else None, x.shape, x.dtype, work)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        if self.rank == 3:
            return self._backward_nd(cache, grad_outputs)
        if cache[0] == "tiled":
            return self._backward_tiled(cache, grad_outputs)
        x2, x4_shape, geo, out4_shape, z, y, in_shape, in_dtype, work = cache
        cf = self.data_format == "channels_first"
        n, ih, iw, c = x4_shape
        (kh, kw), _, _ = self._window_4d()
        f = self.filters
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        gz4 = np.ascontiguousarray(gz, dtype=work).reshape(out4_shape)
        cols = np.empty((n, ih, iw, kh, kw, f), dtype=work)
        kernels.im2col(gz4, cf, *geo, cols)
        cols2 = cols.reshape(n * ih * iw, kh * kw * f)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = (cols2.T @ x2).reshape(self.kernel.shape).astype(self.kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            axes = (0, 2, 3) if cf else (0, 1, 2)
            grads[self.bias] = gz4.sum(axis=axes, dtype=np.float64).astype(self.bias.dtype)
        dx4 = (cols2 @ self._kernel_matrix(work)).reshape(n, ih, iw, c)
        if cf:
            dx4 = dx4.transpose(0, 3, 1, 2)
        return np.ascontiguousarray(dx4.reshape(in_shape), dtype=in_dtype), grads

    # The tiled kernels of `BaseConv` (kernels/conv_tiled.py), with the roles swapped: this layer's input
    # is the output gradient of the convolution it is the adjoint of, whose kernel is this layer's
    # (KH, KW, filters, input channels) kernel as it stands.
    def _kernel_4d(self, work):
        k = self.kernel.value.astype(work, copy=False)
        return k[None] if self.rank == 1 else k

    def _forward_tiled(self, x, out_shape):
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x4 = self._as_4d(x, work)
        (kh, kw), _, _ = self._window_4d()
        sh, sw, dh, dw, pt, pl = geo = self._adjoint_geometry(self._to_4d_shape(x.shape))
        out4_shape = self._to_4d_shape(out_shape)
        z4 = np.empty(out4_shape, dtype=work)
        k = self._kernel_4d(work)
        bias = self.bias.value.astype(work, copy=False) if self.use_bias else np.zeros(1, work)
        c = x4.shape[1 if cf else 3]
        oh, ow = (out4_shape[2], out4_shape[3]) if cf else (out4_shape[1], out4_shape[2])
        ih, iw = (x4.shape[2], x4.shape[3]) if cf else (x4.shape[1], x4.shape[2])
        threads = numba.get_num_threads()
        if sh == 1 and sw == 1:
            tiled.forward(x4, cf, tiled.flipped_kernel_matrices(k, 1), 1, 1, dh, dw, (kh - 1) * dh - pt,
                          (kw - 1) * dw - pl, kh, kw, bias, self.use_bias, z4, cf,
                          tiled.tile_rows(oh, ow, kh * kw * c), threads)
        else:
            tiled.grad_input_strided(x4, cf, tiled.kernel_matrices(k, 1), *geo, kh, kw, z4, cf,
                                     tiled.tile_rows(ih, iw, kh * kw * self.filters), threads)
            if self.use_bias:
                z4 += bias[:, None, None] if cf else bias
        z = z4.reshape(out_shape)
        act = self.activation
        y = act.forward(z)
        cache = ("tiled", x4, geo, out4_shape, z if act.needs_input else None, y if act.needs_output else None,
                 x.shape, x.dtype, work)
        return y.astype(x.dtype, copy=False), cache

    def _backward_tiled(self, cache, grad_outputs):
        _, x4, geo, out4_shape, z, y, in_shape, in_dtype, work = cache
        cf = self.data_format == "channels_first"
        (kh, kw), _, _ = self._window_4d()
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz4 = np.ascontiguousarray(self.activation.backward(z, y, g), dtype=work).reshape(out4_shape)
        k = self._kernel_4d(work)
        ih, iw = (x4.shape[2], x4.shape[3]) if cf else (x4.shape[1], x4.shape[2])
        rows = tiled.tile_rows(ih, iw, kh * kw * self.filters)
        threads = numba.get_num_threads()
        grads = {}
        want_bias = self.use_bias and self.bias.trainable
        if self.kernel.trainable or want_bias:
            dkmat = np.empty((1, kh * kw * self.filters, x4.shape[1 if cf else 3]), dtype=work)
            dbias = np.empty(self.filters, dtype=np.float64)
            if self.kernel.trainable:
                tiled.grad_kernel(gz4, cf, x4, cf, *geo, kh, kw, dkmat, True, dbias, False,
                                  tiled.tile_rows(ih, iw, kh * kw * self.filters, tiled.KERNEL_GRAD_TILE_VALUES),
                                  threads)
                grads[self.kernel] = tiled.kernel_from_matrices(dkmat, kh, kw).reshape(self.kernel.shape).astype(
                    self.kernel.dtype, copy=False)
            if want_bias:
                grads[self.bias] = column_sums(gz4.transpose(0, 2, 3, 1).reshape(-1, self.filters) if cf
                                               else gz4.reshape(-1, self.filters), self.bias.dtype)
        dx4 = np.empty(x4.shape, dtype=work)
        tiled.forward(gz4, cf, tiled.kernel_matrices(k, 1), *geo, kh, kw, np.zeros(1, work), False, dx4, cf, rows,
                      threads)
        return dx4.reshape(in_shape).astype(in_dtype, copy=False), grads

    def _forward_nd(self, x, out_shape):
        """The channels-last path of any rank on `patches.scatter`."""
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x_cl = np.ascontiguousarray(np.moveaxis(x, 1, -1) if cf else x, dtype=work)
        out_cl_shape = (x.shape[0],) + tuple(self._spatial(out_shape)) + (self.filters,)
        pads = tuple(p for _, p in self._dims(x.shape))
        x2 = x_cl.reshape(-1, x_cl.shape[-1])
        dcols = (x2 @ self._kernel_matrix(work).T).reshape(x_cl.shape[:-1] + self.kernel_size + (self.filters,))
        z = patches.scatter(dcols, out_cl_shape, self.strides, self.dilation_rate, pads)
        if self.use_bias:
            z += self.bias.value.astype(work, copy=False)
        if cf:
            z = np.ascontiguousarray(np.moveaxis(z, -1, 1))
        act = self.activation
        y = act.forward(z)
        cache = (x2, x_cl.shape, pads, z if act.needs_input else None, y if act.needs_output else None,
                 x.dtype, work)
        return y.astype(x.dtype, copy=False), cache

    def _backward_nd(self, cache, grad_outputs):
        x2, x_cl_shape, pads, z, y, in_dtype, work = cache
        cf = self.data_format == "channels_first"
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        gz_cl = np.ascontiguousarray(np.moveaxis(gz, 1, -1) if cf else gz, dtype=work)
        cols = patches.gather(gz_cl, self.kernel_size, self.strides, self.dilation_rate, pads, x_cl_shape[1:-1])
        cols2 = cols.reshape(x2.shape[0], -1)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = (cols2.T @ x2).reshape(self.kernel.shape).astype(self.kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = gz_cl.reshape(-1, self.filters).sum(axis=0, dtype=np.float64).astype(self.bias.dtype)
        dx = (cols2 @ self._kernel_matrix(work)).reshape(x_cl_shape)
        if cf:
            dx = np.moveaxis(dx, -1, 1)
        return np.ascontiguousarray(dx, dtype=in_dtype), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            **self._kernel_and_bias_config(),
        })
        return config
