"""The base of `SeparableConv1D` and `SeparableConv2D`, as Keras 3's `BaseSeparableConv`: a depthwise
convolution (each input channel with its own `depth_multiplier` filters), then a pointwise (1x1)
convolution mixing the `channels * depth_multiplier` results into `filters` outputs, then the bias
and the activation.

Weights as Keras creates them: `depthwise_kernel` `(*kernel_size, channels, depth_multiplier)`,
`pointwise_kernel` `(1, [1,] channels * depth_multiplier, filters)`, `bias` `(filters,)`. The
depthwise step is `depthwise_math`; the pointwise step is one matrix product.
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..core import activations
from .base_depthwise_conv import check_activity_regularizer
from .conv_geometry import ConvGeometry, from_channels_last_4d
from .conv_utils import output_length, standardize_data_format, standardize_padding, standardize_tuple
from .depthwise_math import depthwise_backward, depthwise_forward
from .weight_options import WeightOptions


class BaseSeparableConv(ConvGeometry, Layer):
    """Abstract separable convolution of `rank` 1 or 2; see `layer_separable_conv_2d()`."""

    def __init__(self, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        rank = self.rank
        where = f"layer_separable_conv_{rank}d()"
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
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.depth_multiplier = conventions.as_integer(depth_multiplier, "depth_multiplier", minimum=1)
        self.activation = activations.get(activation, arg_name="activation")
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        check_activity_regularizer(activity_regularizer)
        self._depthwise = WeightOptions("depthwise", depthwise_initializer, depthwise_regularizer,
                                        depthwise_constraint, "glorot_uniform")
        self._pointwise = WeightOptions("pointwise", pointwise_initializer, pointwise_regularizer,
                                        pointwise_constraint, "glorot_uniform")
        self._bias = WeightOptions("bias", bias_initializer, bias_regularizer, bias_constraint, "zeros")
        self.depthwise_kernel = self.pointwise_kernel = self.bias = None
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- shapes
    def compute_output_shape(self, input_shape):
        input_shape = self._check_rank(input_shape)
        channels = input_shape[self._channel_axis]
        if self.depthwise_kernel is not None and channels is not None \
                and channels != self.depthwise_kernel.shape[-2]:
            raise ValueError(f"Layer '{self.name}' was built for inputs with {self.depthwise_kernel.shape[-2]} "
                             f"channels; received an input of shape {input_shape} "
                             f"(data_format='{self.data_format}').")
        spatial = [output_length(n, k, s, d, self.padding, self.name, input_shape)
                   for n, k, s, d in zip(self._spatial(input_shape), self.kernel_size, self.strides,
                                         self.dilation_rate)]
        return self._with_spatial(input_shape, spatial, self.filters)

    def build(self, input_shape):
        input_shape = self._check_rank(input_shape)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}': the channel dimension of the input (shape {input_shape}, "
                             f"data_format='{self.data_format}') must be known to build a convolution.")
        self.compute_output_shape(input_shape)
        dm = self.depth_multiplier
        self.depthwise_kernel = self._depthwise.add_to(self, "depthwise_kernel", self.kernel_size + (channels, dm))
        self.pointwise_kernel = self._pointwise.add_to(self, "pointwise_kernel",
                                                       (1,) * self.rank + (channels * dm, self.filters))
        if self.use_bias:
            self.bias = self._bias.add_to(self, "bias", (self.filters,))
        self.built = True

    def _depthwise_4d(self, work):
        k = self.depthwise_kernel.value.astype(work, copy=False)
        return k[None] if self.rank == 1 else k

    def _pointwise_matrix(self, work):
        p = self.pointwise_kernel.value.astype(work, copy=False)
        return p.reshape(p.shape[-2], p.shape[-1])

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        out_shape = self.compute_output_shape(x.shape)
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x4 = self._as_4d(x, work)
        geo = self._geometry(x4.shape)
        d2, saved = depthwise_forward(x4, cf, self._depthwise_4d(work), geo)
        z2 = d2 @ self._pointwise_matrix(work)
        if self.use_bias:
            z2 += self.bias.value.astype(work, copy=False)
        n, (oh, ow) = x4.shape[0], geo[:2]
        z = from_channels_last_4d(z2.reshape(n, oh, ow, -1), cf).reshape(out_shape)
        act = self.activation
        y = act.forward(z)
        cache = (saved, d2, x4.shape, geo, z if act.needs_input else None, y if act.needs_output else None,
                 x.shape, x.dtype, work)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        saved, d2, x4_shape, geo, z, y, in_shape, in_dtype, work = cache
        cf = self.data_format == "channels_first"
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        n, (oh, ow) = x4_shape[0], geo[:2]
        gz4 = gz.reshape(n, -1, oh, ow).transpose(0, 2, 3, 1) if cf else gz.reshape(n, oh, ow, -1)
        g2 = np.ascontiguousarray(gz4, dtype=work).reshape(n * oh * ow, -1)
        p = self._pointwise_matrix(work)
        gd2 = g2 @ p.T
        dx4, dk = depthwise_backward(saved, self._depthwise_4d(work), gd2, cf, geo, x4_shape)
        grads = {}
        if self.depthwise_kernel.trainable:
            grads[self.depthwise_kernel] = dk.reshape(self.depthwise_kernel.shape).astype(
                self.depthwise_kernel.dtype, copy=False)
        if self.pointwise_kernel.trainable:
            grads[self.pointwise_kernel] = (d2.T @ g2).reshape(self.pointwise_kernel.shape).astype(
                self.pointwise_kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = g2.sum(axis=0, dtype=np.float64).astype(self.bias.dtype)
        return dx4.reshape(in_shape).astype(in_dtype, copy=False), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._depthwise.config(),
            **self._pointwise.config(),
            **self._bias.config(),
            "activity_regularizer": None,
        })
        return config
