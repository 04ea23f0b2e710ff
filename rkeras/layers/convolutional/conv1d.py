"""1-D convolution, as Keras 3's `Conv1D`; the math lives in `base_conv.BaseConv` (as a 2-D
convolution of height 1)."""

from .base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution layer (e.g. temporal convolution); see `layer_conv_1d()`.

    Inputs `(batch, steps, channels)` (channels-last) or `(batch, channels, steps)` (channels-first);
    kernel `(kernel_size, channels // groups, filters)`. `padding="causal"` pads `(kernel_size - 1) *
    dilation_rate` zeros before the sequence, so that output `t` depends only on inputs up to `t`.
    """

    rank = 1

    def __init__(self, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
