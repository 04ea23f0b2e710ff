"""The base of `Conv1D` and `Conv2D`, as Keras 3's `BaseConv`: `activation(conv(inputs, kernel) + bias)`.

The kernel has Keras' shape `(*kernel_size, input_channels // groups, filters)`. A 1-D convolution
runs as a 2-D one of height 1, so both layers share the kernels of `rkeras.kernels.conv`, which read
channels-last and channels-first inputs in place.

Three paths compute the same convolution (`conv_path`, a class attribute: "auto", "tiled", "im2col",
"direct"); "auto" takes "tiled" when numpy's OpenBLAS can be called from numba (`kernels/blas.py`), else
"im2col":

- tiled (implicit GEMM, `kernels/conv_tiled.py`): numba threads each gather a few output rows' patches into
  a cache-sized buffer and multiply it with the kernel matrix by single-threaded BLAS, straight into the
  output in the layer's layout; the kernel gradient gathers the patches again, tile by tile; the input
  gradient of a stride-1 convolution is a forward pass with the flipped kernel, of a strided one a
  per-sample scatter in cache. No batch-sized patch matrix, no channels-first transposes of whole batches.
- im2col + BLAS: the patches of the whole batch as one (N*OH*OW, KH*KW*C) matrix, one multithreaded
  product; backward two more products and a serial col2im scatter. Kept where BLAS is out of numba's reach.
- direct: numba loops over the taps, no BLAS (groups == 1 only).

The measurements behind the choice are in benchmarks/NOTES.md ("Convolution paths").
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
from .conv_utils import (
    output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
    window_geometry,
)

_PATHS = ("auto", "tiled", "im2col", "direct")


class BaseConv(KernelAndBias, Layer):
    """Abstract N-D convolution (N = `rank`, 1 or 2); see `layer_conv_1d()` / `layer_conv_2d()`."""

    rank = None
    #: "auto" (im2col + BLAS), "im2col" or "direct" (numba loops, groups == 1 only): see the module docstring
    conv_path = "auto"

    def __init__(self, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        rank = self.rank
        where = f"layer_conv_{rank}d()"
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
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides` > 1 is not supported together with `dilation_rate` > 1 (as in Keras); "
                             f"received strides={strides!r} and dilation_rate={dilation_rate!r}.")
        self.groups = conventions.as_integer(groups, "groups", minimum=1)
        if self.filters % self.groups:
            raise ValueError(f"`filters` must be divisible by `groups`; received filters={self.filters} and "
                             f"groups={self.groups}.")
        self._set_kernel_and_bias_options(
            activation, use_bias, "glorot_uniform" if kernel_initializer is None else kernel_initializer,
            "zeros" if bias_initializer is None else bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint)
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- shapes
    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape) -> tuple:
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _check_input_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            dims = "steps" if self.rank == 1 else "rows, cols"
            layout = (f"(batch, {dims}, channels)" if self.data_format == "channels_last"
                      else f"(batch, channels, {dims})")
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {self.rank + 2}, {layout} for "
                             f"data_format='{self.data_format}'; received an input of shape {input_shape}.")
        channels = input_shape[self._channel_axis]
        if self.kernel is not None and channels is not None and channels != self.kernel.shape[-2] * self.groups:
            raise ValueError(f"Layer '{self.name}' was built for inputs with {self.kernel.shape[-2] * self.groups} "
                             f"channels; received an input of shape {input_shape} "
                             f"(data_format='{self.data_format}').")
        return input_shape

    def compute_output_shape(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        spatial = tuple(output_length(n, k, s, d, self.padding, self.name, input_shape)
                        for n, k, s, d in zip(self._spatial(input_shape), self.kernel_size, self.strides,
                                              self.dilation_rate))
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (self.filters,)
        return (input_shape[0], self.filters) + spatial

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}': the channel dimension of the input (shape {input_shape}, "
                             f"data_format='{self.data_format}') must be known to build a convolution.")
        if channels % self.groups:
            raise ValueError(f"Layer '{self.name}': the number of input channels ({channels}) must be divisible "
                             f"by `groups` ({self.groups}); input shape {input_shape}.")
        self.compute_output_shape(input_shape)  # the window must fit, before any weight exists
        kernel_shape = self.kernel_size + (channels // self.groups, self.filters)
        self._add_kernel_and_bias(kernel_shape, (self.filters,))
        self.built = True

    # ----------------------------------------------------------------------------- views
    def _as_4d(self, x, work):
        """The input as a contiguous 4-D batch in `work` dtype: 1-D convolutions get a height of 1."""
        if self.rank == 1:
            x = x[:, None, :, :] if self.data_format == "channels_last" else x[:, :, None, :]
        return np.ascontiguousarray(x, dtype=work)

    def _geometry(self, x4_shape):
        """(OH, OW, sh, sw, dh, dw, pt, pl) of the 4-D view."""
        if self.data_format == "channels_last":
            h, w = x4_shape[1], x4_shape[2]
        else:
            h, w = x4_shape[2], x4_shape[3]
        ks, ss, ds = self.kernel_size, self.strides, self.dilation_rate
        if self.rank == 1:
            ks, ss, ds = (1,) + ks, (1,) + ss, (1,) + ds
        oh, pt = window_geometry(h, ks[0], ss[0], ds[0], "valid" if self.rank == 1 else self.padding)
        ow, pl = window_geometry(w, ks[1], ss[1], ds[1], self.padding)
        return oh, ow, ss[0], ss[1], ds[0], ds[1], pt, pl

    def _kernel_4d(self, work):
        k = self.kernel.value.astype(work, copy=False)
        return k[None] if self.rank == 1 else k

    def _choose_path(self) -> str:
        path = self.conv_path
        if path not in _PATHS:
            raise ValueError(f"`conv_path` must be one of {', '.join(map(repr, _PATHS))}; received {path!r}.")
        if path in ("auto", "tiled"):
            return "tiled" if blas.available() else "im2col"
        return "direct" if path == "direct" and self.groups == 1 else "im2col"

    def _patch_matrices(self, cols):
        """The patch matrix (M, KH*KW*Cg) of each group (views when groups == 1)."""
        n, oh, ow, kh, kw, c = cols.shape
        m, groups = n * oh * ow, self.groups
        if groups == 1:
            return [cols.reshape(m, kh * kw * c)]
        c5 = cols.reshape(m, kh * kw, groups, c // groups)
        return [np.ascontiguousarray(c5[:, :, g, :]).reshape(m, -1) for g in range(groups)]

    def _kernel_matrices(self, k4):
        """The kernel matrix (KH*KW*Cg, Fg) of each group."""
        kh, kw, cg, f = k4.shape
        fg = f // self.groups
        return [np.ascontiguousarray(k4[..., g * fg:(g + 1) * fg]).reshape(kh * kw * cg, fg)
                for g in range(self.groups)]

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        out_shape = self.compute_output_shape(x.shape)
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x4 = self._as_4d(x, work)
        k4 = self._kernel_4d(work)
        oh, ow, sh, sw, dh, dw, pt, pl = geo = self._geometry(x4.shape)
        n, f = x4.shape[0], self.filters
        path = self._choose_path()
        if path == "tiled":
            z = self._tiled_forward(x4, k4, geo, work)
            return self._finish_forward(z, (path, x4), x4.shape, geo, out_shape, x)
        if path == "direct":
            z4 = np.empty((n, oh, ow, f), dtype=work)
            z4[...] = self.bias.value if self.use_bias else 0
            kernels.direct_forward(x4, cf, np.ascontiguousarray(k4), sh, sw, dh, dw, pt, pl, z4)
            saved = x4
        else:
            kh, kw = k4.shape[:2]
            cols = np.empty((n, oh, ow, kh, kw, x4.shape[1 if cf else 3]), dtype=work)
            kernels.im2col(x4, cf, sh, sw, dh, dw, pt, pl, cols)
            a, b = self._patch_matrices(cols), self._kernel_matrices(k4)
            if len(a) == 1:
                z2 = a[0] @ b[0]
            else:
                fg = f // self.groups
                z2 = np.empty((a[0].shape[0], f), dtype=work)
                for g in range(self.groups):
                    np.matmul(a[g], b[g], out=z2[:, g * fg:(g + 1) * fg])
            if self.use_bias:
                z2 += self.bias.value.astype(work, copy=False)
            z4 = z2.reshape(n, oh, ow, f)
            saved = a
        z = np.ascontiguousarray(z4.transpose(0, 3, 1, 2)) if cf else z4
        return self._finish_forward(z, (path, saved), x4.shape, geo, out_shape, x)

    def _finish_forward(self, z, saved, x4_shape, geo, out_shape, x):
        """The activation, and what the backward pass needs."""
        z = z.reshape(out_shape)
        act = self.activation
        y = act.forward(z)
        path, saved = saved
        cache = (path, saved, x4_shape, geo, z if act.needs_input else None, y if act.needs_output else None,
                 out_shape, x.shape, x.dtype, z.dtype)
        return y.astype(x.dtype, copy=False), cache

    def _tiled_forward(self, x4, k4, geo, work):
        """conv + bias by the tiled kernels, the output in the layer's data format (4-D)."""
        oh, ow, sh, sw, dh, dw, pt, pl = geo
        cf = self.data_format == "channels_first"
        kh, kw, cg, f = k4.shape
        n = x4.shape[0]
        z4 = np.empty((n, f, oh, ow) if cf else (n, oh, ow, f), dtype=work)
        bias = self.bias.value.astype(work, copy=False) if self.use_bias else np.zeros(1, work)
        tiled.forward(x4, cf, tiled.kernel_matrices(k4, self.groups), sh, sw, dh, dw, pt, pl, kh, kw, bias,
                      self.use_bias, z4, cf, tiled.tile_rows(oh, ow, kh * kw * cg), numba.get_num_threads())
        return z4

    def _tiled_backward(self, x4, gz4, k4, geo, work, grads, input_gradient=True):
        """The input gradient (returned, 4-D in the input's layout, or None when not wanted); kernel and bias
        gradients into `grads`."""
        oh, ow, sh, sw, dh, dw, pt, pl = geo
        cf = self.data_format == "channels_first"
        kh, kw, cg, f = k4.shape
        groups, threads = self.groups, numba.get_num_threads()
        want_kernel = self.kernel.trainable
        want_bias = self.use_bias and self.bias.trainable
        if want_kernel or want_bias:
            dkmat = np.empty((groups, kh * kw * cg, f // groups), dtype=work)
            dbias = np.empty(f, dtype=np.float64)
            tiled.grad_kernel(x4, cf, gz4, cf, sh, sw, dh, dw, pt, pl, kh, kw, dkmat, want_kernel, dbias, want_bias,
                              tiled.tile_rows(oh, ow, kh * kw * cg, tiled.KERNEL_GRAD_TILE_VALUES), threads)
            if want_kernel:
                dk = tiled.kernel_from_matrices(dkmat, kh, kw)
                grads[self.kernel] = dk.reshape(self.kernel.shape).astype(self.kernel.dtype, copy=False)
            if want_bias:
                grads[self.bias] = dbias.astype(self.bias.dtype)
        if not input_gradient:
            return None
        dx4 = np.empty(x4.shape, dtype=work)
        h, w = (x4.shape[2], x4.shape[3]) if cf else (x4.shape[1], x4.shape[2])
        if sh == 1 and sw == 1:  # the input gradient is the forward convolution of gz with the flipped kernel
            tiled.forward(gz4, cf, tiled.flipped_kernel_matrices(k4, groups), 1, 1, dh, dw, (kh - 1) * dh - pt,
                          (kw - 1) * dw - pl, kh, kw, np.zeros(1, work), False, dx4, cf,
                          tiled.tile_rows(h, w, kh * kw * (f // groups)), threads)
        else:
            tiled.grad_input_strided(gz4, cf, tiled.kernel_matrices(k4, groups), sh, sw, dh, dw, pt, pl, kh, kw,
                                     dx4, cf, tiled.tile_rows(oh, ow, kh * kw * cg), threads)
        return dx4

    def backward_weights(self, cache, grad_outputs) -> dict:
        """The kernel and bias gradients without the input gradient (the tiled path skips its work)."""
        if cache[0] != "tiled":
            return self.backward(cache, grad_outputs)[1]
        _, saved, x4_shape, geo, z, y, out_shape, _, _, work = cache
        oh, ow = geo[0], geo[1]
        n, f = x4_shape[0], self.filters
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g.reshape(out_shape))
        cf = self.data_format == "channels_first"
        gz4 = np.ascontiguousarray(gz, dtype=work).reshape((n, f, oh, ow) if cf else (n, oh, ow, f))
        grads = {}
        self._tiled_backward(saved, gz4, self._kernel_4d(work), geo, work, grads, input_gradient=False)
        return grads

    def backward(self, cache, grad_outputs):
        path, saved, x4_shape, geo, z, y, out_shape, in_shape, in_dtype, work = cache
        oh, ow, sh, sw, dh, dw, pt, pl = geo
        cf = self.data_format == "channels_first"
        n, f = x4_shape[0], self.filters
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g.reshape(out_shape))
        if path == "tiled":
            gz4 = np.ascontiguousarray(gz, dtype=work).reshape((n, f, oh, ow) if cf else (n, oh, ow, f))
            grads = {}
            dx4 = self._tiled_backward(saved, gz4, self._kernel_4d(work), geo, work, grads)
            return dx4.reshape(in_shape).astype(in_dtype, copy=False), grads
        if cf:
            gz4 = np.ascontiguousarray(gz.reshape(n, f, oh, ow).transpose(0, 2, 3, 1))
        else:
            gz4 = np.ascontiguousarray(gz, dtype=work).reshape(n, oh, ow, f)
        k4 = self._kernel_4d(work)
        grads = {}
        dx4 = np.empty(x4_shape, dtype=work)
        if path == "direct":
            x4 = saved
            if self.kernel.trainable:
                dk = np.empty(k4.shape, dtype=work)
                kernels.direct_grad_kernel(x4, cf, gz4, sh, sw, dh, dw, pt, pl, dk)
                grads[self.kernel] = dk.reshape(self.kernel.shape).astype(self.kernel.dtype, copy=False)
            kernels.direct_grad_input(gz4, cf, np.ascontiguousarray(k4), sh, sw, dh, dw, pt, pl, dx4)
        else:
            a = saved
            kh, kw = k4.shape[:2]
            c = x4_shape[1 if cf else 3]
            g2 = gz4.reshape(n * oh * ow, f)
            b = self._kernel_matrices(k4)
            if self.groups == 1:
                if self.kernel.trainable:
                    grads[self.kernel] = (a[0].T @ g2).reshape(self.kernel.shape).astype(self.kernel.dtype,
                                                                                         copy=False)
                dcols = (g2 @ b[0].T).reshape(n, oh, ow, kh, kw, c)
            else:
                fg, cg = f // self.groups, c // self.groups
                dk = np.empty(k4.shape, dtype=work)
                dcols = np.empty((n * oh * ow, kh * kw, self.groups, cg), dtype=work)
                for gi in range(self.groups):
                    gs = g2[:, gi * fg:(gi + 1) * fg]
                    dk[..., gi * fg:(gi + 1) * fg] = (a[gi].T @ gs).reshape(kh, kw, cg, fg)
                    dcols[:, :, gi, :] = (gs @ b[gi].T).reshape(-1, kh * kw, cg)
                if self.kernel.trainable:
                    grads[self.kernel] = dk.reshape(self.kernel.shape).astype(self.kernel.dtype, copy=False)
                dcols = dcols.reshape(n, oh, ow, kh, kw, c)
            kernels.col2im(dcols, cf, sh, sw, dh, dw, pt, pl, dx4)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = column_sums(gz4.reshape(-1, f), self.bias.dtype)  # float64 accumulation
        return dx4.reshape(in_shape).astype(in_dtype, copy=False), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            **self._kernel_and_bias_config(),
        })
        return config

