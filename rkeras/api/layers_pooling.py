"""R-style wrappers of the pooling layers: build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.pooling.average_pooling1d import AveragePooling1D
from ..layers.pooling.average_pooling2d import AveragePooling2D
from ..layers.pooling.average_pooling3d import AveragePooling3D
from ..layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from ..layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from ..layers.pooling.global_average_pooling3d import GlobalAveragePooling3D
from ..layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from ..layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from ..layers.pooling.global_max_pooling3d import GlobalMaxPooling3D
from ..layers.pooling.max_pooling1d import MaxPooling1D
from ..layers.pooling.max_pooling2d import MaxPooling2D
from ..layers.pooling.max_pooling3d import MaxPooling3D

__all__ = [
    "layer_average_pooling_1d", "layer_average_pooling_2d", "layer_average_pooling_3d",
    "layer_global_average_pooling_1d", "layer_global_average_pooling_2d", "layer_global_average_pooling_3d",
    "layer_global_max_pooling_1d", "layer_global_max_pooling_2d", "layer_global_max_pooling_3d",
    "layer_max_pooling_1d", "layer_max_pooling_2d", "layer_max_pooling_3d",
]


@shared_doc
def layer_max_pooling_2d(object=None, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                         **kwargs):
    """Max pooling operation for 2D spatial data.

    Downsamples the input along its spatial dimensions (height and width) by taking the maximum
    value over an input window (of size defined by `pool_size`) for each channel of the input.
    The window is shifted by `strides` along each dimension.

    {{pooling_2d_output_shape}}
    With `"same"`, the windows that hang over the edges of the input take the maximum of their valid
    cells only.

    The gradient of each output goes to the first maximal cell of its window (row-major order);
    overlapping windows add up.

    Parameters
    ----------
    {{layer_object}}
    {{pooling_2d_args}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    {{pooling_2d_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> layer_max_pooling_2d(x, pool_size=(2, 2))[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    check_object(object, "layer_max_pooling_2d(pool_size={!r})")
    layer = MaxPooling2D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_average_pooling_2d(object=None, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                             **kwargs):
    """Average pooling operation for 2D spatial data.

    Downsamples the input along its spatial dimensions (height and width) by taking the average
    value over an input window (of size defined by `pool_size`) for each channel of the input.
    The window is shifted by `strides` along each dimension.

    {{pooling_2d_output_shape}}
    With `"same"`, the windows that hang over the edges of the input average their valid cells only
    (the padding is not counted).

    Parameters
    ----------
    {{layer_object}}
    {{pooling_2d_args}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    {{pooling_2d_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> layer_average_pooling_2d(x, pool_size=(2, 2))[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    check_object(object, "layer_average_pooling_2d(pool_size={!r})")
    layer = AveragePooling2D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                             **kwargs)
    return compose(layer, object)


@shared_doc
def layer_global_average_pooling_1d(object=None, data_format=None, keepdims=False, **kwargs):
    """Global average pooling operation for temporal data.

    Averages a `(batch, steps, features)` input over its steps, giving `(batch, features)`.

    The layer supports masking: with a mask of shape `(batch, steps)` (propagated from
    `layer_embedding(mask_zero=True)` or `layer_masking()`, or given as the `mask` call argument),
    the masked steps are excluded from the average, which is then taken over the unmasked steps
    only (a sample whose steps are all masked gives NaN, as in Keras). The output has no mask.

    Parameters
    ----------
    {{layer_object}}
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    keepdims : bool
        Whether to keep the temporal dimension or not. If False (default), the rank of the
        tensor is reduced for spatial dimensions. If True, the temporal dimension is retained with
        length 1. The behavior is the same as for `np.mean(keepdims=True)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.
    mask : bool array
        Binary tensor of shape `(batch, steps)` indicating whether a given step should be masked
        (excluded from the average).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, features)`, or with `keepdims` `(batch, 1, features)`
      (channels-last) / `(batch, features, 1)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(12.0).reshape(2, 3, 2)
    >>> layer_global_average_pooling_1d(x)
    array([[2., 3.],
           [8., 9.]])
    """
    check_object(object, "layer_global_average_pooling_1d(data_format={!r})")
    layer = GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_global_average_pooling_2d(object=None, data_format=None, keepdims=False, **kwargs):
    """Global average pooling operation for 2D data.

    Averages each channel of an image batch over its rows and columns, giving `(batch, channels)`.

    Parameters
    ----------
    {{layer_object}}
    {{data_format_2d}}
    keepdims : bool
        Whether to keep the spatial dimensions or not. If False (default), the rank of the tensor
        is reduced for spatial dimensions. If True, the spatial dimensions are retained with
        length 1. The behavior is the same as for `np.mean(keepdims=True)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    {{global_pooling_2d_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> layer_global_average_pooling_2d(x)
    array([[3., 4.]])
    """
    check_object(object, "layer_global_average_pooling_2d(data_format={!r})")
    layer = GlobalAveragePooling2D(data_format=data_format, keepdims=keepdims, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_global_max_pooling_2d(object=None, data_format=None, keepdims=False, **kwargs):
    """Global max pooling operation for 2D data.

    Takes the maximum of each channel of an image batch over its rows and columns, giving
    `(batch, channels)`. The gradient of an output is shared evenly by the cells equal to the
    maximum (as TensorFlow's and JAX's `reduce_max` gradients).

    Parameters
    ----------
    {{layer_object}}
    {{data_format_2d}}
    keepdims : bool
        Whether to keep the spatial dimensions or not. If False (default), the rank of the tensor
        is reduced for spatial dimensions. If True, the spatial dimensions are retained with
        length 1. The behavior is the same as for `np.max(keepdims=True)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D input.

    Returns
    -------
    {{layer_returns_head}}
    {{global_pooling_2d_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)
    >>> layer_global_max_pooling_2d(x)
    array([[6., 7.]])
    """
    check_object(object, "layer_global_max_pooling_2d(data_format={!r})")
    layer = GlobalMaxPooling2D(data_format=data_format, keepdims=keepdims, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_max_pooling_1d(object=None, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                         **kwargs):
    """Max pooling operation for 1D temporal data.

    Downsamples the input representation by taking the maximum value over a spatial window of
    size `pool_size`. The window is shifted by `strides`.

    The resulting output when using the `"valid"` padding option has a shape of
    `output_shape = floor((input_shape - pool_size) / strides) + 1` (when
    `input_shape >= pool_size`). The resulting output shape when using the `"same"` padding
    option is `output_shape = ceil(input_shape / strides)`; the windows that hang over the edges
    take the maximum of their valid steps only.

    The gradient of each output goes to the first maximal step of its window; overlapping
    windows add up.

    Parameters
    ----------
    {{layer_object}}
    pool_size : int
        Size of the max pooling window.
    strides : None or int
        Specifies how much the pooling window moves for each pooling step. If None, it will
        default to `pool_size`.
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): see above.
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    name : None or str
        String, name for the object.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, downsampled_steps, features)` (channels-last) or
      `(batch, features, downsampled_steps)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 5, 1)
    >>> layer_max_pooling_1d(x, pool_size=2, strides=1)[0, :, 0]
    array([2., 3., 4., 5.])
    """
    check_object(object, "layer_max_pooling_1d(pool_size={!r})")
    layer = MaxPooling1D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name,
                         **kwargs)
    return compose(layer, object)


@shared_doc
def layer_average_pooling_1d(object=None, pool_size=None, strides=None, padding="valid", data_format=None,
                             name=None, **kwargs):
    """Average pooling for temporal data.

    Downsamples the input representation by taking the average value over the window defined by
    `pool_size`. The window is shifted by `strides`.

    The resulting output when using the `"valid"` padding option has a shape of
    `output_shape = floor((input_shape - pool_size) / strides) + 1` (when
    `input_shape >= pool_size`). The resulting output shape when using the `"same"` padding
    option is `output_shape = ceil(input_shape / strides)`; the windows that hang over the edges
    average their valid steps only (the padding is not counted).

    Parameters
    ----------
    {{layer_object}}
    pool_size : int
        Size of the average pooling window. Required.
    strides : None or int
        Specifies how much the pooling window moves for each pooling step. If None, it will
        default to `pool_size`.
    padding : str
        `"valid"` (no padding) or `"same"` (case-insensitive): see above.
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    name : None or str
        String, name for the object.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, downsampled_steps, features)` (channels-last) or
      `(batch, features, downsampled_steps)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.array([1.0, 2.0, 3.0, 4.0, 5.0]).reshape(1, 5, 1)
    >>> layer_average_pooling_1d(x, pool_size=2, strides=1)[0, :, 0]
    array([1.5, 2.5, 3.5, 4.5])
    """
    check_object(object, "layer_average_pooling_1d(pool_size={!r})")
    layer = AveragePooling1D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                             name=name, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_global_max_pooling_1d(object=None, data_format=None, keepdims=False, **kwargs):
    """Global max pooling operation for temporal data.

    Takes the maximum of a `(batch, steps, features)` input over its steps, giving
    `(batch, features)`. The gradient of an output is shared evenly by the steps equal to the
    maximum (as TensorFlow's and JAX's `reduce_max` gradients).

    Parameters
    ----------
    {{layer_object}}
    data_format : None or str
        `"channels_last"` (inputs `(batch, steps, features)`) or `"channels_first"` (inputs
        `(batch, features, steps)`). None means `"channels_last"`.
    keepdims : bool
        Whether to keep the temporal dimension or not. If False (default), the rank of the
        tensor is reduced for spatial dimensions. If True, the temporal dimension is retained with
        length 1. The behavior is the same as for `np.max(keepdims=True)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 3D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, features)`, or with `keepdims` `(batch, 1, features)`
      (channels-last) / `(batch, features, 1)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(12.0).reshape(2, 3, 2)
    >>> layer_global_max_pooling_1d(x)
    array([[ 4.,  5.],
           [10., 11.]])
    """
    check_object(object, "layer_global_max_pooling_1d(data_format={!r})")
    layer = GlobalMaxPooling1D(data_format=data_format, keepdims=keepdims, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_max_pooling_3d(object=None, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                         name=None, **kwargs):
    """Max pooling operation for 3D data (spatial or spatio-temporal).

    Downsamples the input along its spatial dimensions (depth, height, and width) by taking the
    maximum value over an input window (of size defined by `pool_size`) for each channel of the
    input. The window is shifted by `strides` along each dimension.

    {{pooling_2d_output_shape}}
    With `"same"`, the windows that hang over the edges of the input take the maximum of their valid
    cells only.

    The gradient of each output goes to the first maximal cell of its window (depth, row, column
    order); overlapping windows add up.

    Parameters
    ----------
    {{layer_object}}
    {{pooling_3d_args}}
    {{data_format_3d}}
    name : None or str
        The name of the layer.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, pooled_depth, pooled_rows, pooled_cols, channels)`
      (channels-last) or `(batch, channels, pooled_depth, pooled_rows, pooled_cols)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2, 1)
    >>> layer_max_pooling_3d(x, pool_size=2)[0, :, :, :, 0]
    array([[[7.]]])
    """
    check_object(object, "layer_max_pooling_3d(pool_size={!r})")
    layer = MaxPooling3D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format, name=name,
                         **kwargs)
    return compose(layer, object)


@shared_doc
def layer_average_pooling_3d(object=None, pool_size=None, strides=None, padding="valid", data_format=None,
                             name=None, **kwargs):
    """Average pooling operation for 3D data (spatial or spatio-temporal).

    Downsamples the input along its spatial dimensions (depth, height, and width) by taking the
    average value over an input window (of size defined by `pool_size`) for each channel of the
    input. The window is shifted by `strides` along each dimension.

    {{pooling_2d_output_shape}}
    With `"same"`, the windows that hang over the edges of the input average their valid cells only
    (the padding is not counted).

    Parameters
    ----------
    {{layer_object}}
    {{pooling_3d_args}}
    {{data_format_3d}}
    name : None or str
        The name of the layer.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, pooled_depth, pooled_rows, pooled_cols, channels)`
      (channels-last) or `(batch, channels, pooled_depth, pooled_rows, pooled_cols)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2, 1)
    >>> layer_average_pooling_3d(x, pool_size=2)[0, :, :, :, 0]
    array([[[3.5]]])
    """
    check_object(object, "layer_average_pooling_3d(pool_size={!r})")
    layer = AveragePooling3D(pool_size=pool_size, strides=strides, padding=padding, data_format=data_format,
                             name=name, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_global_average_pooling_3d(object=None, data_format=None, keepdims=False, **kwargs):
    """Global average pooling operation for 3D data.

    Averages each channel of a volume batch over its depth, rows and columns, giving
    `(batch, channels)` (the sums run in float64). The gradient is spread evenly over the cells.

    Parameters
    ----------
    {{layer_object}}
    {{data_format_3d}}
    keepdims : bool
        Whether to keep the spatial dimensions or not. If False (default), the rank of the tensor
        is reduced for spatial dimensions. If True, the spatial dimensions are retained with
        length 1. The behavior is the same as for `np.mean(keepdims=True)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, channels)`, or with `keepdims` `(batch, 1, 1, 1,
      channels)` (channels-last) / `(batch, channels, 1, 1, 1)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 2, 2, 2, 2)
    >>> layer_global_average_pooling_3d(x)
    array([[7., 8.]])
    """
    check_object(object, "layer_global_average_pooling_3d(data_format={!r})")
    layer = GlobalAveragePooling3D(data_format=data_format, keepdims=keepdims, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_global_max_pooling_3d(object=None, data_format=None, keepdims=False, **kwargs):
    """Global max pooling operation for 3D data.

    Takes the maximum of each channel of a volume batch over its depth, rows and columns, giving
    `(batch, channels)`. The gradient of an output is shared evenly by the cells equal to the
    maximum (as TensorFlow's and JAX's `reduce_max` gradients).

    Parameters
    ----------
    {{layer_object}}
    {{data_format_3d}}
    keepdims : bool
        Whether to keep the spatial dimensions or not. If False (default), the rank of the tensor
        is reduced for spatial dimensions. If True, the spatial dimensions are retained with
        length 1. The behavior is the same as for `np.max(keepdims=True)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 5D input.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, channels)`, or with `keepdims` `(batch, 1, 1, 1,
      channels)` (channels-last) / `(batch, channels, 1, 1, 1)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 2, 2, 2, 2)
    >>> layer_global_max_pooling_3d(x)
    array([[14., 15.]])
    """
    check_object(object, "layer_global_max_pooling_3d(data_format={!r})")
    layer = GlobalMaxPooling3D(data_format=data_format, keepdims=keepdims, **kwargs)
    return compose(layer, object)
