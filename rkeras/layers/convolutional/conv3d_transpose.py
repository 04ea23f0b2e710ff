"""3-D transposed convolution, as Keras 3's `Conv3DTranspose`; the math lives in
`base_conv_transpose.BaseConvTranspose`."""

from .base_conv_transpose import BaseConvTranspose


class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution layer; see `layer_conv_3d_transpose()`.

    Inputs `(batch, depth, rows, cols, channels)` (channels-last) or `(batch, channels, depth, rows,
    cols)`; kernel `(kernel_depth, kernel_rows, kernel_cols, filters, channels)`.
    """

    rank = 3

    def __init__(self, filters=None, kernel_size=None, strides=(1, 1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
