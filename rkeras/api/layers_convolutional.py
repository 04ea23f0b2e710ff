"""R-style wrappers of the convolution layers (and zero padding): build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.convolutional.conv1d import Conv1D
from ..layers.convolutional.conv2d import Conv2D
from ..layers.reshaping.zero_padding2d import ZeroPadding2D


@shared_doc
def layer_conv_1d(object=None, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None,
                  dilation_rate=1, groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                  bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                  activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
    """1D convolution layer (e.g. temporal convolution).

    This layer creates a convolution kernel that is convolved with the layer input over a single
    spatial (or temporal) dimension to produce a tensor of outputs. If `use_bias` is True, a bias
    vector is created and added to the outputs. Finally, if `activation` is not None, it is applied
    to the outputs as well.

    The kernel has shape `(kernel_size, input_channels // groups, filters)` and the bias
    `(filters,)`; both are created at the first call (or when the layer is added to a model whose
    input shape is known).

    Parameters
    ----------
    {{layer_object}}
        In R the pipe fills `object`; in Python pass the other arguments by name
        (`layer_conv_1d(filters=32, kernel_size=3)`).
    filters : int
        The dimension of the output space (the number of filters in the convolution). Required.
    kernel_size : int or list of 1 int
        The size of the convolution window. Required.
    strides : int or list of 1 int
        The stride length of the convolution. `strides > 1` is incompatible with
        `dilation_rate > 1`.
    padding : str
        `"valid"`, `"same"` or `"causal"` (case-insensitive). `"valid"` means no padding. `"same"`
        results in padding evenly to the left/right of the input such that the output has the same
        length as the input when `strides = 1` (`ceil(steps / strides)` outputs; when the padding
        is odd, the extra zero goes after the sequence). `"causal"` pads
        `(kernel_size - 1) * dilation_rate` zeros before the sequence only, so that `output[t]`
        does not depend on `input[t + 1:]`: useful when modeling temporal data where the model
        should not violate the temporal order (see WaveNet, van den Oord et al., 2016).
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    dilation_rate : int or list of 1 int
        The dilation rate to use for dilated convolution (taps spaced `dilation_rate` apart).
    {{conv_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input `(batch, steps, channels)` (channels-last) or `(batch, channels, steps)`
        (channels-first).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_steps, filters)` (channels-last) or
      `(batch, filters, new_steps)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 128))
    >>> layer_conv_1d(x, filters=32, kernel_size=3, activation="relu").shape
    (4, 8, 32)
    """
    check_object(object, "layer_conv_1d(filters={!r}, kernel_size=...)")
    layer = Conv1D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, groups=groups, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_conv_2d(object=None, filters=None, kernel_size=None, strides=(1, 1), padding="valid", data_format=None,
                  dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                  kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                  bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                  **kwargs):
    """2D convolution layer.

    This layer creates a convolution kernel that is convolved with the layer input over a 2D
    spatial (or temporal) dimension (height and width) to produce a tensor of outputs. If
    `use_bias` is True, a bias vector is created and added to the outputs. Finally, if
    `activation` is not None, it is applied to the outputs as well.

    The kernel has shape `(kernel_rows, kernel_cols, input_channels // groups, filters)` (Keras'
    layout, whatever the data format) and the bias `(filters,)`; both are created at the first
    call (or when the layer is added to a model whose input shape is known).

    Parameters
    ----------
    {{layer_object}}
        In R the pipe fills `object`; in Python pass the other arguments by name
        (`layer_conv_2d(filters=32, kernel_size=c(3, 3))` becomes
        `layer_conv_2d(filters=32, kernel_size=(3, 3))`).
    filters : int
        The dimension of the output space (the number of filters in the convolution). Required.
    kernel_size : int or list of 2 int
        The size of the convolution window (rows, cols); one integer means a square window.
        Required.
    strides : int or list of 2 int
        The stride length of the convolution (rows, cols); one integer means the same stride in
        both dimensions. `strides > 1` is incompatible with `dilation_rate > 1`.
    padding : str
        `"valid"` or `"same"` (case-insensitive). `"valid"` means no padding. `"same"` results in
        padding evenly to the left/right or up/down of the input: `ceil(size / strides)` outputs
        along each dimension, the same size as the input when `strides = 1`; when the padding is
        odd, the extra zero goes after (bottom, right), as in TensorFlow.
    {{data_format_2d}}
    dilation_rate : int or list of 2 int
        The dilation rate to use for dilated convolution (taps spaced `dilation_rate` apart).
    {{conv_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input `(batch, height, width, channels)` (channels-last) or
        `(batch, channels, height, width)` (channels-first).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_height, new_width, filters)` (channels-last) or
      `(batch, filters, new_height, new_width)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(8, 8, 1))
    ...          | layer_conv_2d(filters=32, kernel_size=(3, 3), activation="relu")
    ...          | layer_max_pooling_2d(pool_size=(2, 2)) | layer_flatten()
    ...          | layer_dense(units=10, activation="softmax"))
    """
    check_object(object, "layer_conv_2d(filters={!r}, kernel_size=...)")
    layer = Conv2D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, groups=groups, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_zero_padding_2d(object=None, padding=(1, 1), data_format=None, **kwargs):
    """Zero-padding layer for 2D input (e.g. picture).

    This layer can add rows and columns of zeros at the top, bottom, left and right side of an
    image tensor. The gradient of the padding is dropped: only the original cells receive one.

    Parameters
    ----------
    {{layer_object}}
    padding : int, list of 2 int, or list of 2 lists of 2 int
        - an integer: the same symmetric padding is applied to height and width;
        - a list of 2 integers, `(symmetric_height_pad, symmetric_width_pad)`;
        - a list of 2 lists of 2 integers, `((top_pad, bottom_pad), (left_pad, right_pad))`.
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, padded_height, padded_width, channels)`
      (channels-last) or `(batch, channels, padded_height, padded_width)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(4.0).reshape(1, 2, 2, 1)
    >>> layer_zero_padding_2d(x, padding=1)[0, :, :, 0]
    array([[0., 0., 0., 0.],
           [0., 0., 1., 0.],
           [0., 2., 3., 0.],
           [0., 0., 0., 0.]])
    """
    check_object(object, "layer_zero_padding_2d(padding={!r})")
    layer = ZeroPadding2D(padding=padding, data_format=data_format, **kwargs)
    return compose(layer, object)
