"""R-style wrappers of the convolution layers (and the spatial layers around them: zero padding,
cropping, upsampling): build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.convolutional.conv1d import Conv1D
from ..layers.convolutional.conv1d_transpose import Conv1DTranspose
from ..layers.convolutional.conv2d import Conv2D
from ..layers.convolutional.conv2d_transpose import Conv2DTranspose
from ..layers.convolutional.conv3d import Conv3D
from ..layers.convolutional.conv3d_transpose import Conv3DTranspose
from ..layers.convolutional.depthwise_conv1d import DepthwiseConv1D
from ..layers.convolutional.depthwise_conv2d import DepthwiseConv2D
from ..layers.convolutional.separable_conv1d import SeparableConv1D
from ..layers.convolutional.separable_conv2d import SeparableConv2D
from ..layers.reshaping.cropping1d import Cropping1D
from ..layers.reshaping.cropping2d import Cropping2D
from ..layers.reshaping.cropping3d import Cropping3D
from ..layers.reshaping.up_sampling1d import UpSampling1D
from ..layers.reshaping.up_sampling2d import UpSampling2D
from ..layers.reshaping.up_sampling3d import UpSampling3D
from ..layers.reshaping.zero_padding1d import ZeroPadding1D
from ..layers.reshaping.zero_padding2d import ZeroPadding2D
from ..layers.reshaping.zero_padding3d import ZeroPadding3D

__all__ = [
    "layer_conv_1d", "layer_conv_1d_transpose", "layer_conv_2d", "layer_conv_2d_transpose", "layer_conv_3d",
    "layer_conv_3d_transpose", "layer_cropping_1d", "layer_cropping_2d", "layer_cropping_3d",
    "layer_depthwise_conv_1d", "layer_depthwise_conv_2d", "layer_separable_conv_1d", "layer_separable_conv_2d",
    "layer_upsampling_1d", "layer_upsampling_2d", "layer_upsampling_3d", "layer_zero_padding_1d",
    "layer_zero_padding_2d", "layer_zero_padding_3d",
]


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


@shared_doc
def layer_conv_1d_transpose(object=None, filters=None, kernel_size=None, strides=1, padding="valid",
                            output_padding=None, data_format=None, dilation_rate=1, activation=None, use_bias=True,
                            kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                            bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                            bias_constraint=None, **kwargs):
    """1D transposed convolution layer.

    The need for transposed convolutions generally arises from the desire to use a transformation
    going in the opposite direction of a normal convolution, i.e., from something that has the
    shape of the output of some convolution to something that has the shape of its input while
    maintaining a connectivity pattern that is compatible with said convolution. Each input step
    spreads `input[t, ] %*% t(kernel[i, , ])` over the outputs `t * strides + i * dilation_rate`
    (less the padding), so the layer is the gradient of a `layer_conv_1d()` with respect to its
    input; its own gradients are a forward convolution.

    The kernel has Keras' shape `(kernel_size, filters, input_channels)` and the bias `(filters,)`.
    The output length is, for `padding = "valid"`, `(steps - 1) * strides + kernel_size +
    output_padding` (with `output_padding = max(kernel_size, strides) - kernel_size` when None,
    and `kernel_size` dilated: `(kernel_size - 1) * dilation_rate + 1`); for `"same"`,
    `steps * strides` when `output_padding` is None, else `(steps - 1) * strides +
    kernel_size %% 2 + output_padding`, as Keras on JAX.

    Parameters
    ----------
    {{layer_object}}
    filters : int
        The dimension of the output space (the number of filters in the transposed convolution).
        Required.
    kernel_size : int or list of 1 int
        The size of the transposed convolution window. Required.
    strides : int or list of 1 int
        The stride length of the transposed convolution. `strides > 1` is incompatible with
        `dilation_rate > 1`.
    padding : str
        `"valid"` or `"same"` (case-insensitive): see above.
    output_padding : None, int or list of 1 int
        The amount of padding along the time dimension of the output tensor; must be lower than
        the stride. If None, the output shape is inferred.
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    dilation_rate : int or list of 1 int
        The dilation rate to use for dilated transposed convolution.
    {{conv_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input `(batch, steps, channels)` (channels-last) or `(batch, channels, steps)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_steps, filters)` (channels-last) or
      `(batch, filters, new_steps)` (channels-first).
    {{layer_returns_tail}}

    References
    ----------
    - Dumoulin and Visin, "A guide to convolution arithmetic for deep learning", 2016,
      <https://arxiv.org/abs/1603.07285v1>.
    - Zeiler et al., "Deconvolutional Networks", 2010.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 128))
    >>> layer_conv_1d_transpose(x, filters=32, kernel_size=3, strides=2, padding="same").shape
    (4, 20, 32)
    """
    check_object(object, "layer_conv_1d_transpose(filters={!r}, kernel_size=...)")
    layer = Conv1DTranspose(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                            output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_conv_2d_transpose(object=None, filters=None, kernel_size=None, strides=(1, 1), padding="valid",
                            output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                            use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                            kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                            kernel_constraint=None, bias_constraint=None, **kwargs):
    """2D transposed convolution layer.

    The need for transposed convolutions generally arises from the desire to use a transformation
    going in the opposite direction of a normal convolution, i.e., from something that has the
    shape of the output of some convolution to something that has the shape of its input while
    maintaining a connectivity pattern that is compatible with said convolution (upsampling in
    image segmentation and generative models). The layer is the gradient of a `layer_conv_2d()`
    with respect to its input; its own gradients are a forward convolution.

    The kernel has Keras' shape `(kernel_rows, kernel_cols, filters, input_channels)` and the bias
    `(filters,)`. Along each spatial dimension the output size is, for `padding = "valid"`,
    `(size - 1) * strides + kernel_size + output_padding` (`output_padding = max(kernel_size,
    strides) - kernel_size` when None, `kernel_size` dilated: `(kernel_size - 1) * dilation_rate
    + 1`); for `"same"`, `size * strides` when `output_padding` is None, else `(size - 1) *
    strides + kernel_size %% 2 + output_padding`, as Keras on JAX.

    Parameters
    ----------
    {{layer_object}}
    filters : int
        The dimension of the output space (the number of filters in the transposed convolution).
        Required.
    kernel_size : int or list of 2 int
        The size of the transposed convolution window (rows, cols); one integer means a square
        window. Required.
    strides : int or list of 2 int
        The strides of the transposed convolution (rows, cols). `strides > 1` is incompatible
        with `dilation_rate > 1`.
    padding : str
        `"valid"` or `"same"` (case-insensitive): see above.
    output_padding : None, int or list of 2 int
        The amount of padding along the height and width of the output tensor; each must be lower
        than the corresponding stride. If None, the output shape is inferred.
    {{data_format_2d}}
    dilation_rate : int or list of 2 int
        The dilation rate to use for dilated transposed convolution.
    {{conv_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input `(batch, rows, cols, channels)` (channels-last) or `(batch, channels, rows, cols)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_rows, new_cols, filters)` (channels-last) or
      `(batch, filters, new_rows, new_cols)` (channels-first).
    {{layer_returns_tail}}

    References
    ----------
    - Dumoulin and Visin, "A guide to convolution arithmetic for deep learning", 2016,
      <https://arxiv.org/abs/1603.07285v1>.
    - Zeiler et al., "Deconvolutional Networks", 2010.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 8, 128))
    >>> layer_conv_2d_transpose(x, filters=32, kernel_size=3, strides=2, padding="same").shape
    (4, 20, 16, 32)
    """
    check_object(object, "layer_conv_2d_transpose(filters={!r}, kernel_size=...)")
    layer = Conv2DTranspose(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                            output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_conv_3d(object=None, filters=None, kernel_size=None, strides=(1, 1, 1), padding="valid",
                  data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                  kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                  bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                  **kwargs):
    """3D convolution layer.

    This layer creates a convolution kernel that is convolved with the layer input over a 3D
    spatial (or temporal) dimension (depth, height and width) to produce a tensor of outputs. If
    `use_bias` is True, a bias vector is created and added to the outputs. Finally, if
    `activation` is not None, it is applied to the outputs as well.

    The kernel has Keras' shape `(kernel_depth, kernel_rows, kernel_cols, input_channels //
    groups, filters)` and the bias `(filters,)`. The patches are gathered plane by plane with the
    2D im2col kernel, then one matrix product per group gives the outputs.

    Parameters
    ----------
    {{layer_object}}
    filters : int
        The dimension of the output space (the number of filters in the convolution). Required.
    kernel_size : int or list of 3 int
        The size of the convolution window (depth, rows, cols); one integer means a cube.
        Required.
    strides : int or list of 3 int
        The stride length of the convolution along each spatial dimension. `strides > 1` is
        incompatible with `dilation_rate > 1`.
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): `"same"` gives
        `ceil(size / strides)` outputs along each dimension (the extra zero after, as in
        TensorFlow).
    data_format : None or str
        `"channels_last"` (inputs `(batch, depth, rows, cols, channels)`) or `"channels_first"`
        (inputs `(batch, channels, depth, rows, cols)`). None means `"channels_last"`.
    dilation_rate : int or list of 3 int
        The dilation rate to use for dilated convolution.
    {{conv_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_depth, new_rows, new_cols, filters)`
      (channels-last) or `(batch, filters, new_depth, new_rows, new_cols)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 10, 10, 3))
    >>> layer_conv_3d(x, filters=8, kernel_size=3).shape
    (4, 8, 8, 8, 8)
    """
    check_object(object, "layer_conv_3d(filters={!r}, kernel_size=...)")
    layer = Conv3D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, groups=groups, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                   kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                   activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                   bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_depthwise_conv_1d(object=None, kernel_size=None, strides=1, padding="valid", depth_multiplier=1,
                            data_format=None, dilation_rate=1, activation=None, use_bias=True,
                            depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                            depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                            depthwise_constraint=None, bias_constraint=None, **kwargs):
    """1D depthwise convolution layer.

    Depthwise convolution is a type of convolution in which each input channel is convolved with
    a different kernel (called a depthwise kernel). It can be understood as a fine-grained
    grouped convolution, where the number of groups equals the number of input channels. The
    layer splits the input into individual channels, convolves each one with its own
    `depth_multiplier` filters, and concatenates the results: output channel
    `c * depth_multiplier + m` comes from input channel `c` and filter `m`. Unlike a regular 1D
    convolution, it does not mix information across input channels.

    The kernel (named `kernel`, as in Keras 3) has shape `(kernel_size, input_channels,
    depth_multiplier)` and the bias `(input_channels * depth_multiplier,)`.

    Parameters
    ----------
    {{layer_object}}
    kernel_size : int or list of 1 int
        The size of the depthwise convolution window. Required.
    strides : int or list of 1 int
        The stride length of the convolution.
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): `ceil(steps / strides)` outputs,
        the extra zero after the sequence, as in TensorFlow.
    depth_multiplier : int
        The number of depthwise convolution output channels for each input channel. The total
        number of depthwise convolution output channels will be equal to
        `input_channels * depth_multiplier`.
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    dilation_rate : int or list of 1 int
        The dilation rate to use for dilated convolution.
    {{depthwise_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_steps, channels * depth_multiplier)`
      (channels-last) or `(batch, channels * depth_multiplier, new_steps)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 12))
    >>> layer_depthwise_conv_1d(x, kernel_size=3, depth_multiplier=3).shape
    (4, 8, 36)
    """
    check_object(object, "layer_depthwise_conv_1d(kernel_size={!r})")
    layer = DepthwiseConv1D(kernel_size=kernel_size, strides=strides, padding=padding,
                            depth_multiplier=depth_multiplier, data_format=data_format, dilation_rate=dilation_rate,
                            activation=activation, use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                            bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_depthwise_conv_2d(object=None, kernel_size=None, strides=(1, 1), padding="valid", depth_multiplier=1,
                            data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                            depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                            depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                            depthwise_constraint=None, bias_constraint=None, **kwargs):
    """2D depthwise convolution layer.

    Depthwise convolution is a type of convolution in which each input channel is convolved with
    a different kernel (called a depthwise kernel). It can be understood as a fine-grained
    grouped convolution, where the number of groups equals the number of input channels. The
    layer splits the input into individual channels, convolves each one with its own
    `depth_multiplier` filters, and concatenates the results: output channel
    `c * depth_multiplier + m` comes from input channel `c` and filter `m`. Unlike a regular 2D
    convolution, it does not mix information across input channels.

    The kernel (named `kernel`, as in Keras 3) has shape `(kernel_rows, kernel_cols,
    input_channels, depth_multiplier)` and the bias `(input_channels * depth_multiplier,)`.

    Parameters
    ----------
    {{layer_object}}
    kernel_size : int or list of 2 int
        The size of the depthwise convolution window (rows, cols); one integer means a square
        window. Required.
    strides : int or list of 2 int
        The strides of the convolution (rows, cols).
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): `ceil(size / strides)` outputs
        along each dimension, the extra zero after, as in TensorFlow.
    depth_multiplier : int
        The number of depthwise convolution output channels for each input channel. The total
        number of depthwise convolution output channels will be equal to
        `input_channels * depth_multiplier`.
    {{data_format_2d}}
    dilation_rate : int or list of 2 int
        The dilation rate to use for dilated convolution.
    {{depthwise_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_rows, new_cols, channels * depth_multiplier)`
      (channels-last) or `(batch, channels * depth_multiplier, new_rows, new_cols)`
      (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 10, 12))
    >>> layer_depthwise_conv_2d(x, kernel_size=3, depth_multiplier=3).shape
    (4, 8, 8, 36)
    """
    check_object(object, "layer_depthwise_conv_2d(kernel_size={!r})")
    layer = DepthwiseConv2D(kernel_size=kernel_size, strides=strides, padding=padding,
                            depth_multiplier=depth_multiplier, data_format=data_format, dilation_rate=dilation_rate,
                            activation=activation, use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                            bias_initializer=bias_initializer, depthwise_regularizer=depthwise_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_separable_conv_1d(object=None, filters=None, kernel_size=None, strides=1, padding="valid",
                            data_format=None, dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                            depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                            bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                            bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                            pointwise_constraint=None, bias_constraint=None, **kwargs):
    """1D separable convolution layer.

    This layer performs a depthwise convolution that acts separately on channels, followed by a
    pointwise convolution that mixes channels. If `use_bias` is True and a bias initializer is
    provided, it adds a bias vector to the output. It then optionally applies an activation
    function to produce the final output.

    Weights, as Keras creates them: `depthwise_kernel` `(kernel_size, input_channels,
    depth_multiplier)`, `pointwise_kernel` `(1, input_channels * depth_multiplier, filters)` and
    `bias` `(filters,)`.

    Parameters
    ----------
    {{layer_object}}
    filters : int
        The dimensionality of the output space (i.e. the number of filters in the pointwise
        convolution). Required.
    kernel_size : int or list of 1 int
        The size of the depthwise convolution window. Required.
    strides : int or list of 1 int
        The stride length of the depthwise convolution.
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): `ceil(steps / strides)` outputs.
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    dilation_rate : int or list of 1 int
        The dilation rate to use for dilated convolution.
    depth_multiplier : int
        The number of depthwise convolution output channels for each input channel. The total
        number of depthwise convolution output channels will be equal to
        `input_channels * depth_multiplier`.
    {{depthwise_weights_args}}
    {{pointwise_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_steps, filters)` (channels-last) or
      `(batch, filters, new_steps)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 12))
    >>> layer_separable_conv_1d(x, filters=4, kernel_size=3, depth_multiplier=3).shape
    (4, 8, 4)
    """
    check_object(object, "layer_separable_conv_1d(filters={!r}, kernel_size=...)")
    layer = SeparableConv1D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                            data_format=data_format, dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                            activation=activation, use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                            depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                            bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_separable_conv_2d(object=None, filters=None, kernel_size=None, strides=(1, 1), padding="valid",
                            data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                            use_bias=True, depthwise_initializer="glorot_uniform",
                            pointwise_initializer="glorot_uniform", bias_initializer="zeros",
                            depthwise_regularizer=None, pointwise_regularizer=None, bias_regularizer=None,
                            activity_regularizer=None, depthwise_constraint=None, pointwise_constraint=None,
                            bias_constraint=None, **kwargs):
    """2D separable convolution layer.

    This layer performs a depthwise convolution that acts separately on channels, followed by a
    pointwise convolution that mixes channels. If `use_bias` is True and a bias initializer is
    provided, it adds a bias vector to the output. It then optionally applies an activation
    function to produce the final output.

    Weights, as Keras creates them: `depthwise_kernel` `(kernel_rows, kernel_cols,
    input_channels, depth_multiplier)`, `pointwise_kernel` `(1, 1, input_channels *
    depth_multiplier, filters)` and `bias` `(filters,)`.

    Parameters
    ----------
    {{layer_object}}
    filters : int
        The dimensionality of the output space (i.e. the number of filters in the pointwise
        convolution). Required.
    kernel_size : int or list of 2 int
        The size of the depthwise convolution window (rows, cols); one integer means a square
        window. Required.
    strides : int or list of 2 int
        The strides of the depthwise convolution (rows, cols).
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): `ceil(size / strides)` outputs
        along each dimension.
    {{data_format_2d}}
    dilation_rate : int or list of 2 int
        The dilation rate to use for dilated convolution.
    depth_multiplier : int
        The number of depthwise convolution output channels for each input channel. The total
        number of depthwise convolution output channels will be equal to
        `input_channels * depth_multiplier`.
    {{depthwise_weights_args}}
    {{pointwise_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_rows, new_cols, filters)` (channels-last) or
      `(batch, filters, new_rows, new_cols)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 10, 10, 12))
    >>> layer_separable_conv_2d(x, filters=4, kernel_size=3, depth_multiplier=3).shape
    (4, 8, 8, 4)
    """
    check_object(object, "layer_separable_conv_2d(filters={!r}, kernel_size=...)")
    layer = SeparableConv2D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                            data_format=data_format, dilation_rate=dilation_rate, depth_multiplier=depth_multiplier,
                            activation=activation, use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                            depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                            bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_upsampling_1d(object=None, size=2, **kwargs):
    """Upsampling layer for 1D inputs.

    Repeats each temporal step `size` times along the time axis. The gradient of a step is the
    sum of the gradients of its copies.

    Parameters
    ----------
    {{layer_object}}
    size : int
        Upsampling factor.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input `(batch, steps, features)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, upsampled_steps, features)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(6.0).reshape(2, 3, 1)
    >>> layer_upsampling_1d(x, size=2)[0, :, 0]
    array([0., 0., 1., 1., 2., 2.])
    """
    check_object(object, "layer_upsampling_1d(size={!r})")
    layer = UpSampling1D(size=size, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_upsampling_2d(object=None, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
    """Upsampling layer for 2D inputs.

    The implementation uses interpolative resizing, given the resize method (specified by the
    `interpolation` argument). With `"nearest"`, it repeats the rows and columns of the data by
    `size[1]` and `size[2]` respectively; the other methods resize the images to `size` times
    their height and width as `layer_resizing()` does (Keras on JAX: `jax.image.resize`, half-pixel
    centers). Gradients flow back through the same linear map.

    Parameters
    ----------
    {{layer_object}}
    size : int or list of 2 int
        The upsampling factors for rows and columns; one integer means the same factor for both.
    {{data_format_2d}}
    interpolation : str
        `"nearest"`, `"bilinear"`, `"bicubic"`, `"lanczos3"` or `"lanczos5"`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, upsampled_rows, upsampled_cols, channels)`
      (channels-last) or `(batch, channels, upsampled_rows, upsampled_cols)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(4.0).reshape(1, 2, 2, 1)
    >>> layer_upsampling_2d(x, size=(1, 2))[0, :, :, 0]
    array([[0., 0., 1., 1.],
           [2., 2., 3., 3.]])
    """
    check_object(object, "layer_upsampling_2d(size={!r})")
    layer = UpSampling2D(size=size, data_format=data_format, interpolation=interpolation, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_cropping_1d(object=None, cropping=(1, 1), **kwargs):
    """Cropping layer for 1D input (e.g. temporal sequence).

    It crops along the time dimension (axis 2, counting the batch as in R). The gradient of the
    cropped steps is zero.

    Parameters
    ----------
    {{layer_object}}
    cropping : int or list of 2 int
        How many units should be trimmed off at the beginning and end of the cropping dimension
        (axis 2). If a single integer is provided, the same value will be used for both.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input `(batch, steps, features)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, cropped_steps, features)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(12.0).reshape(2, 3, 2)
    >>> layer_cropping_1d(x, cropping=1)
    array([[[2., 3.]],
    <BLANKLINE>
           [[8., 9.]]])
    """
    check_object(object, "layer_cropping_1d(cropping={!r})")
    layer = Cropping1D(cropping=cropping, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_cropping_2d(object=None, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
    """Cropping layer for 2D input (e.g. picture).

    It crops along spatial dimensions, i.e. height and width. The gradient of the cropped cells
    is zero.

    Parameters
    ----------
    {{layer_object}}
    cropping : int, list of 2 int, or list of 2 lists of 2 int
        - an integer: the same symmetric cropping is applied to height and width;
        - a list of 2 integers, `(symmetric_height_crop, symmetric_width_crop)`;
        - a list of 2 lists of 2 integers, `((top_crop, bottom_crop), (left_crop, right_crop))`.
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
      `layer(input)` is returned: `(batch, cropped_rows, cropped_cols, channels)`
      (channels-last) or `(batch, channels, cropped_rows, cropped_cols)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 28, 28, 3))
    >>> layer_cropping_2d(x, cropping=((2, 2), (4, 4))).shape
    (2, 24, 20, 3)
    """
    check_object(object, "layer_cropping_2d(cropping={!r})")
    layer = Cropping2D(cropping=cropping, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_zero_padding_1d(object=None, padding=1, data_format=None, **kwargs):
    """Zero-padding layer for 1D input (e.g. temporal sequence).

    Adds zeros at the beginning and the end of the time dimension. The gradient of the padding is
    dropped: only the original steps receive one.

    Parameters
    ----------
    {{layer_object}}
    padding : int or list of 2 int
        - an integer: the number of zeros to add at the start and end of the padding dimension
          (axis 2, counting the batch as in R);
        - a list of 2 integers `(left_pad, right_pad)`.
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, padded_steps, features)` (channels-last) or
      `(batch, features, padded_steps)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(3.0).reshape(1, 3, 1)
    >>> layer_zero_padding_1d(x, padding=(1, 2))[0, :, 0]
    array([0., 0., 1., 2., 0., 0.])
    """
    check_object(object, "layer_zero_padding_1d(padding={!r})")
    layer = ZeroPadding1D(padding=padding, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_conv_3d_transpose(object=None, filters=None, kernel_size=None, strides=(1, 1, 1), padding="valid",
                            output_padding=None, data_format=None, dilation_rate=(1, 1, 1), activation=None,
                            use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                            kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                            kernel_constraint=None, bias_constraint=None, **kwargs):
    """3D transposed convolution layer.

    The need for transposed convolutions generally arises from the desire to use a transformation
    going in the opposite direction of a normal convolution, i.e., from something that has the
    shape of the output of some convolution to something that has the shape of its input while
    maintaining a connectivity pattern that is compatible with said convolution. The layer is the
    gradient of a `layer_conv_3d()` with respect to its input; its own gradients are a forward
    convolution.

    The kernel has Keras' shape `(kernel_depth, kernel_rows, kernel_cols, filters,
    input_channels)` and the bias `(filters,)`. Along each spatial dimension the output size is,
    for `padding = "valid"`, `(size - 1) * strides + kernel_size + output_padding`
    (`output_padding = max(kernel_size, strides) - kernel_size` when None, `kernel_size` dilated:
    `(kernel_size - 1) * dilation_rate + 1`); for `"same"`, `size * strides` when
    `output_padding` is None, else `(size - 1) * strides + kernel_size %% 2 + output_padding`, as
    Keras on JAX.

    Parameters
    ----------
    {{layer_object}}
    filters : int
        The dimension of the output space (the number of filters in the transposed convolution).
        Required.
    kernel_size : int or list of 3 int
        The size of the transposed convolution window (depth, rows, cols); one integer means a
        cubic window. Required.
    strides : int or list of 3 int
        The strides of the transposed convolution (depth, rows, cols). `strides > 1` is
        incompatible with `dilation_rate > 1`.
    padding : str
        `"valid"` or `"same"` (case-insensitive): see above.
    output_padding : None, int or list of 3 int
        The amount of padding along the depth, height and width of the output tensor; each must
        be lower than the corresponding stride. If None, the output shape is inferred.
    {{data_format_3d}}
    dilation_rate : int or list of 3 int
        The dilation rate to use for dilated transposed convolution.
    {{conv_weights_args}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input `(batch, depth, rows, cols, channels)` (channels-last) or `(batch, channels,
        depth, rows, cols)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, new_depth, new_rows, new_cols, filters)`
      (channels-last) or `(batch, filters, new_depth, new_rows, new_cols)` (channels-first).
    {{layer_returns_tail}}

    References
    ----------
    - Dumoulin and Visin, "A guide to convolution arithmetic for deep learning", 2016,
      <https://arxiv.org/abs/1603.07285v1>.
    - Zeiler et al., "Deconvolutional Networks", 2010.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 4, 5, 6, 3))
    >>> layer_conv_3d_transpose(x, filters=8, kernel_size=3, strides=2, padding="same").shape
    (2, 8, 10, 12, 8)
    """
    check_object(object, "layer_conv_3d_transpose(filters={!r}, kernel_size=...)")
    layer = Conv3DTranspose(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                            output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_cropping_3d(object=None, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
    """Cropping layer for 3D data (e.g. spatial or spatio-temporal).

    It crops along the depth, height and width dimensions. The gradient of the cropped cells is
    zero.

    Parameters
    ----------
    {{layer_object}}
    cropping : int, list of 3 int, or list of 3 lists of 2 int
        - an integer: the same symmetric cropping is applied to depth, height, and width;
        - a list of 3 integers, `(symmetric_dim1_crop, symmetric_dim2_crop, symmetric_dim3_crop)`;
        - a list of 3 lists of 2 integers, `((left_dim1_crop, right_dim1_crop), (left_dim2_crop,
          right_dim2_crop), (left_dim3_crop, right_dim3_crop))`.
    {{data_format_3d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, cropped_depth, cropped_rows, cropped_cols, channels)`
      (channels-last) or `(batch, channels, cropped_depth, cropped_rows, cropped_cols)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 28, 28, 10, 3))
    >>> layer_cropping_3d(x, cropping=((2, 2), (4, 4), (2, 2))).shape
    (2, 24, 20, 6, 3)
    """
    check_object(object, "layer_cropping_3d(cropping={!r})")
    layer = Cropping3D(cropping=cropping, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_zero_padding_3d(object=None, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
    """Zero-padding layer for 3D data (spatial or spatio-temporal).

    This layer adds zeros before and after the depth, rows and columns of a volume tensor. The
    gradient of the padding is dropped: only the original cells receive one.

    Parameters
    ----------
    {{layer_object}}
    padding : int, list of 3 int, or list of 3 lists of 2 int
        - an integer: the same symmetric padding is applied to depth, height, and width;
        - a list of 3 integers, `(symmetric_dim1_pad, symmetric_dim2_pad, symmetric_dim3_pad)`;
        - a list of 3 lists of 2 integers, `((left_dim1_pad, right_dim1_pad), (left_dim2_pad,
          right_dim2_pad), (left_dim3_pad, right_dim3_pad))`.
    {{data_format_3d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, padded_depth, padded_rows, padded_cols, channels)`
      (channels-last) or `(batch, channels, padded_depth, padded_rows, padded_cols)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 2, 1))
    >>> layer_zero_padding_3d(x, padding=(1, 0, 0))[0, :, :, :, 0]
    array([[[0., 0.],
            [0., 0.]],
    <BLANKLINE>
           [[1., 1.],
            [1., 1.]],
    <BLANKLINE>
           [[0., 0.],
            [0., 0.]]])
    """
    check_object(object, "layer_zero_padding_3d(padding={!r})")
    layer = ZeroPadding3D(padding=padding, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_upsampling_3d(object=None, size=(2, 2, 2), data_format=None, **kwargs):
    """Upsampling layer for 3D inputs.

    Repeats the 1st, 2nd and 3rd dimensions of the data by `size[1]`, `size[2]` and `size[3]`
    respectively. The gradient of a cell is the sum of the gradients of its copies.

    Parameters
    ----------
    {{layer_object}}
    size : int or list of 3 int
        The upsampling factors for dim1, dim2 and dim3; one integer means the same factor for all.
    {{data_format_3d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, upsampled_dim1, upsampled_dim2, upsampled_dim3,
      channels)` (channels-last) or `(batch, channels, upsampled_dim1, upsampled_dim2,
      upsampled_dim3)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.ones((2, 1, 2, 3, 4))
    >>> layer_upsampling_3d(x, size=2).shape
    (2, 2, 4, 6, 4)
    """
    check_object(object, "layer_upsampling_3d(size={!r})")
    layer = UpSampling3D(size=size, data_format=data_format, **kwargs)
    return compose(layer, object)
