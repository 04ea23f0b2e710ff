"""R-style wrappers of the image preprocessing layers (rescaling, resizing, center crop): build the
layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.preprocessing.center_crop import CenterCrop
from ..layers.preprocessing.rescaling import Rescaling
from ..layers.preprocessing.resizing import Resizing

__all__ = [
    "layer_center_crop", "layer_rescaling", "layer_resizing",
]


@shared_doc
def layer_rescaling(object=None, scale=None, offset=0.0, **kwargs):
    """A preprocessing layer which rescales input values to a new range.

    This layer rescales every value of an input (often an image) by multiplying by `scale` and
    adding `offset`. For instance, to rescale an input in the `[0, 255]` range to be in the
    `[0, 1]` range, you would pass `scale = 1/255`; to rescale it to `[-1, 1]`, `scale = 1/127.5,
    offset = -1`. The rescaling is applied both during training and inference. Inputs can be of
    integer or floating point dtype (integers are computed in the layer's float type), and by
    default the layer will output floats. The layer passes a mask on.

    Parameters
    ----------
    {{layer_object}}
    scale : float or list of float
        The scale to apply to the inputs: a number, or one number per channel (broadcast along
        the last axis). Required.
    offset : float or list of float
        The offset to apply to the inputs, like `scale`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        An input of any shape.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_rescaling(np.array([[0.0, 127.5, 255.0]]), scale=1 / 127.5, offset=-1)
    array([[-1.,  0.,  1.]])
    """
    check_object(object, "layer_rescaling(scale={!r})")
    layer = Rescaling(scale=scale, offset=offset, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_resizing(object=None, height=None, width=None, interpolation="bilinear", crop_to_aspect_ratio=False,
                   pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0, data_format=None, *,
                   antialias=False, **kwargs):
    """A preprocessing layer which resizes images.

    This layer resizes an image input to a target height and width. The input should be a 4D
    (batched) or 3D (unbatched) array in `"channels_last"` format (or `"channels_first"` with
    `data_format`). Input pixel values can be of any range (e.g. `[0, 1)` or `[0, 255]`).

    The resampling is Keras 3's on JAX (`jax.image.resize`): half-pixel centers, each axis
    resampled separately; `"nearest"` copies input `floor((i + 0.5) * in / out)`, the other
    methods weigh the nearby pixels with their kernel (normalized to sum to 1), widened by the
    downscaling factor when `antialias = TRUE`. The layer is linear in its input: gradients flow
    back through the same weights.

    Parameters
    ----------
    {{layer_object}}
    height : int
        The height of the output shape. Required.
    width : int
        The width of the output shape. Required.
    interpolation : str
        The interpolation method: `"bilinear"`, `"nearest"`, `"bicubic"`, `"lanczos3"` or
        `"lanczos5"`.
    crop_to_aspect_ratio : bool
        If TRUE, resize the images without aspect ratio distortion: the largest possible
        centered window of the image with the target aspect ratio is cropped (`(height, width)`
        proportions), then resized.
    pad_to_aspect_ratio : bool
        If TRUE, pad the images without aspect ratio distortion: the image is padded evenly on
        both sides of its short dimension with `fill_value` to the target aspect ratio, then
        resized. Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` may be TRUE.
    fill_mode : str
        When using `pad_to_aspect_ratio = TRUE`, padded areas are filled according to the given
        mode. Only `"constant"` is supported at this time (fill with the value given by
        `fill_value`).
    fill_value : float
        The value to be filled in the padded areas (`pad_to_aspect_ratio = TRUE`).
    data_format : None or str
        `"channels_last"` (inputs `(batch, height, width, channels)`) or `"channels_first"`
        (inputs `(batch, channels, height, width)`). None means `"channels_last"`.
    antialias : bool
        Whether to use an antialiasing filter when downsampling an image.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, height, width, channels)` (channels-last) or
      `(batch, channels, height, width)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> layer_resizing(x, height=2, width=2)[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    check_object(object, "layer_resizing(height={!r}, width=...)")
    layer = Resizing(height=height, width=width, interpolation=interpolation,
                     crop_to_aspect_ratio=crop_to_aspect_ratio, pad_to_aspect_ratio=pad_to_aspect_ratio,
                     fill_mode=fill_mode, fill_value=fill_value, antialias=antialias, data_format=data_format,
                     **kwargs)
    return compose(layer, object)


@shared_doc
def layer_center_crop(object=None, height=None, width=None, data_format=None, **kwargs):
    """A preprocessing layer which crops images.

    This layer crops the central portion of the images to a target size. If an image is smaller
    than the target size, it will be resized and cropped so as to return the largest possible
    window in the image that matches the target aspect ratio (bilinear resizing, as Keras'
    `smart_resize`). Input pixel values can be of any range (e.g. `[0, 1)` or `[0, 255]`). The
    gradient flows back to the kept (or resampled) pixels.

    Parameters
    ----------
    {{layer_object}}
    height : int
        Height of the output shape. Required.
    width : int
        Width of the output shape. Required.
    data_format : None or str
        `"channels_last"` (inputs `(batch, height, width, channels)`) or `"channels_first"`
        (inputs `(batch, channels, height, width)`). None means `"channels_last"`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, height, width, channels)` (channels-last) or
      `(batch, channels, height, width)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> layer_center_crop(x, height=2, width=2)[0, :, :, 0]
    array([[ 5.,  6.],
           [ 9., 10.]])
    """
    check_object(object, "layer_center_crop(height={!r}, width=...)")
    layer = CenterCrop(height=height, width=width, data_format=data_format, **kwargs)
    return compose(layer, object)
