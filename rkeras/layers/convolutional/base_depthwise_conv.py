"""The base of `DepthwiseConv1D` and `DepthwiseConv2D`, as Keras 3's `BaseDepthwiseConv`:
`activation(depthwise_conv(inputs, kernel) + bias)`.

Each input channel is convolved with its own `depth_multiplier` filters (kernel
`(*kernel_size, channels, depth_multiplier)`, named `kernel` as in Keras 3), giving
`channels * depth_multiplier` outputs; the math is in `depthwise_math` (the numba loops of
`rkeras.kernels.depthwise`).
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..core import activations
from .conv_geometry import ConvGeometry, from_channels_last_4d
from .conv_utils import output_length, standardize_data_format, standardize_padding, standardize_tuple
from .depthwise_math import depthwise_backward, depthwise_forward
from .weight_options import WeightOptions


def check_activity_regularizer(activity_regularizer):
    if activity_regularizer is not None:
        raise ValueError(f"`activity_regularizer` is not supported by rkeras (only None is accepted); "
                         f"received {activity_regularizer!r}. Regularize the weights instead.")


class BaseDepthwiseConv(ConvGeometry, Layer):
    """Abstract depthwise convolution of `rank` 1 or 2; see `layer_depthwise_conv_2d()`."""

    def __init__(self, kernel_size=None, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        rank = self.rank
        conventions.check_kwargs(kwargs, where=f"layer_depthwise_conv_{rank}d()")
        if kernel_size is None:
            raise ValueError(f"`kernel_size` must be given: an integer or a list of {rank} integers; "
                             f"received None.")
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        self.depth_multiplier = conventions.as_integer(depth_multiplier, "depth_multiplier", minimum=1)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation, arg_name="activation")
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        check_activity_regularizer(activity_regularizer)
        self._depthwise = WeightOptions("depthwise", depthwise_initializer, depthwise_regularizer,
                                        depthwise_constraint, "glorot_uniform")
        self._bias = WeightOptions("bias", bias_initializer, bias_regularizer, bias_constraint, "zeros")
        self.kernel = self.bias = None
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- shapes
    def _channels(self, input_shape):
        channels = input_shape[self._channel_axis]
        if self.kernel is not None and channels is not None \
                and channels != self.kernel.shape[-2]:
            raise ValueError(f"Layer '{self.name}' was built for inputs with {self.kernel.shape[-2]} "
                             f"channels; received an input of shape {tuple(input_shape)} "
                             f"(data_format='{self.data_format}').")
        return channels

    def _output_spatial(self, input_shape):
        return [output_length(n, k, s, d, self.padding, self.name, input_shape)
                for n, k, s, d in zip(self._spatial(input_shape), self.kernel_size, self.strides,
                                      self.dilation_rate)]

    def compute_output_shape(self, input_shape):
        input_shape = self._check_rank(input_shape)
        channels = self._channels(input_shape)
        out_channels = None if channels is None else channels * self.depth_multiplier
        return self._with_spatial(input_shape, self._output_spatial(input_shape), out_channels)

    def build(self, input_shape):
        input_shape = self._check_rank(input_shape)
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}': the channel dimension of the input (shape {input_shape}, "
                             f"data_format='{self.data_format}') must be known to build a convolution.")
        self.compute_output_shape(input_shape)
        self.kernel = self._depthwise.add_to(self, "kernel",
                                                       self.kernel_size + (channels, self.depth_multiplier))
        if self.use_bias:
            self.bias = self._bias.add_to(self, "bias", (channels * self.depth_multiplier,))
        self.built = True

    def _depthwise_4d(self, work):
        k = self.kernel.value.astype(work, copy=False)
        return k[None] if self.rank == 1 else k

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        out_shape = self.compute_output_shape(x.shape)
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x4 = self._as_4d(x, work)
        geo = self._geometry(x4.shape)
        z2, saved = depthwise_forward(x4, cf, self._depthwise_4d(work), geo)
        if self.use_bias:
            z2 += self.bias.value.astype(work, copy=False)
        n, (oh, ow) = x4.shape[0], geo[:2]
        z = from_channels_last_4d(z2.reshape(n, oh, ow, -1), cf).reshape(out_shape)
        act = self.activation
        y = act.forward(z)
        cache = (saved, x4.shape, geo, z if act.needs_input else None, y if act.needs_output else None,
                 x.shape, x.dtype, work)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        saved, x4_shape, geo, z, y, in_shape, in_dtype, work = cache
        cf = self.data_format == "channels_first"
        g = np.asarray(grad_outputs).astype(work, copy=False)
        gz = self.activation.backward(z, y, g)
        n, (oh, ow) = x4_shape[0], geo[:2]
        if cf:
            gz4 = gz.reshape(n, -1, oh, ow).transpose(0, 2, 3, 1)
        else:
            gz4 = gz.reshape(n, oh, ow, -1)
        g2 = np.ascontiguousarray(gz4, dtype=work).reshape(n * oh * ow, -1)
        dx4, dk = depthwise_backward(saved, self._depthwise_4d(work), g2, cf, geo, x4_shape)
        grads = {}
        if self.kernel.trainable:
            grads[self.kernel] = dk.reshape(self.kernel.shape).astype(
                self.kernel.dtype, copy=False)
        if self.use_bias and self.bias.trainable:
            grads[self.bias] = g2.sum(axis=0, dtype=np.float64).astype(self.bias.dtype)
        return dx4.reshape(in_shape).astype(in_dtype, copy=False), grads

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            **self._depthwise.config(),
            **self._bias.config(),
            "activity_regularizer": None,
        })
        return config
