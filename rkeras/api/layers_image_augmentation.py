"""R-style wrappers of the image augmentation layers (random flip, rotation, zoom, translation,
contrast, crop): build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.preprocessing.random_contrast import RandomContrast
from ..layers.preprocessing.random_crop import RandomCrop
from ..layers.preprocessing.random_flip import RandomFlip
from ..layers.preprocessing.random_rotation import RandomRotation
from ..layers.preprocessing.random_translation import RandomTranslation
from ..layers.preprocessing.random_zoom import RandomZoom

__all__ = [
    "layer_random_contrast", "layer_random_crop", "layer_random_flip", "layer_random_rotation",
    "layer_random_translation", "layer_random_zoom",
]


@shared_doc
def layer_random_flip(object=None, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
    """A preprocessing layer which randomly flips images during training.

    This layer will flip the images horizontally and/or vertically based on the `mode`
    attribute: each image of a batch is flipped with probability 1/2 (with
    `"horizontal_and_vertical"`, the drawn images are flipped both ways).

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    mode : str
        Which flip to use: `"horizontal"` (left-right), `"vertical"` (top-bottom) or
        `"horizontal_and_vertical"`.
    seed : None or int
        A non-negative integer seeds the layer's random generator: its sequence of flips repeats.
        None derives the generator from the package-wide random state (`set_random_seed()`).
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.
    training : bool
        Flip only when TRUE.

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> flip = layer_random_flip(mode="horizontal", seed=1)
    >>> x = np.arange(4.0).reshape(1, 2, 2, 1)
    >>> flip(x)[0, :, :, 0]  # inference: unchanged
    array([[0., 1.],
           [2., 3.]])
    """
    check_object(object, "layer_random_flip(mode={!r})")
    layer = RandomFlip(mode=mode, seed=seed, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_rotation(object=None, factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                          fill_value=0, data_format=None, **kwargs):
    """A preprocessing layer which randomly rotates images during training.

    This layer will apply random rotations to each image, filling empty space according to
    `fill_mode`. By default, random rotations are only applied during training. The angle of
    each image is drawn uniformly from `factor * 2 pi` (as fractions of a full turn, i.e.
    `factor * 360` degrees); the image turns about its center, `(width - 1) / 2, (height - 1) /
    2`.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        A float represented as fraction of 2 Pi, or a list of size 2 representing lower and upper
        bound for rotating clockwise and counter-clockwise. A positive value means rotating
        counter clock-wise, while a negative value means clock-wise. When represented as a single
        float, this value is used for both the upper and lower bound. For instance,
        `factor = c(-0.2, 0.3)` results in an output rotation by a random amount in the range
        `[-20% * 360, 30% * 360]`; `factor = 0.2` in `[-20% * 360, 20% * 360]`. Values in
        [-1, 1]. Required.
    {{affine_fill_args}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.
    training : bool
        Rotate only when TRUE.

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(size=(2, 8, 8, 3))
    >>> layer = layer_random_rotation(factor=0.1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_rotation(factor={!r})")
    layer = RandomRotation(factor=factor, fill_mode=fill_mode, interpolation=interpolation, seed=seed,
                           fill_value=fill_value, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_zoom(object=None, height_factor=None, width_factor=None, fill_mode="reflect",
                      interpolation="bilinear", seed=None, fill_value=0, data_format=None, **kwargs):
    """A preprocessing layer which randomly zooms images during training.

    This layer will randomly zoom in or out on each axis of an image independently, filling
    empty space according to `fill_mode`: each image is scaled about its center by
    `1 + height_factor draw` vertically and `1 + width_factor draw` horizontally (the same draw
    for both when `width_factor` is None, preserving the aspect ratio).

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    height_factor : float or list of 2 float
        A float represented as fraction of value, or a list of size 2 representing lower and
        upper bound for zooming vertically. When represented as a single float, this value is
        used for both the upper and lower bound. A positive value means zooming out, while a
        negative value means zooming in. For instance, `height_factor = c(0.2, 0.3)` results in
        an output zoomed out by a random amount in the range `[+20%, +30%]`;
        `height_factor = c(-0.3, -0.2)` in an output zoomed in by a random amount in the range
        `[+20%, +30%]`. Values in (-1, 1]. Required.
    width_factor : None, float or list of 2 float
        Like `height_factor`, for the horizontal zoom. None (default) zooms both axes by the
        same draw, preserving the aspect ratio.
    {{affine_fill_args}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.
    training : bool
        Zoom only when TRUE.

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(size=(2, 8, 8, 3))
    >>> layer = layer_random_zoom(height_factor=0.5, width_factor=0.2)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_zoom(height_factor={!r})")
    layer = RandomZoom(height_factor=height_factor, width_factor=width_factor, fill_mode=fill_mode,
                       interpolation=interpolation, seed=seed, fill_value=fill_value, data_format=data_format,
                       **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_translation(object=None, height_factor=None, width_factor=None, fill_mode="reflect",
                             interpolation="bilinear", seed=None, fill_value=0, data_format=None, **kwargs):
    """A preprocessing layer which randomly translates images during training.

    This layer will apply random translations to each image during training, filling empty
    space according to `fill_mode`: each image shifts by `height_factor draw * height` rows and
    `width_factor draw * width` columns.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    height_factor : float or list of 2 float
        A float represented as fraction of value, or a list of size 2 representing lower and
        upper bound for shifting vertically. A negative value means shifting image up, while a
        positive value means shifting image down. When represented as a single positive float,
        this value is used for both the upper and lower bound. For instance,
        `height_factor = c(-0.2, 0.3)` results in an output shifted by a random amount in the
        range `[-20%, +30%]`. Values in [-1, 1]. Required.
    width_factor : float or list of 2 float
        Like `height_factor`, for shifting horizontally: a negative value means shifting the
        image left, a positive value right. Required.
    {{affine_fill_args}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.
    training : bool
        Translate only when TRUE.

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(size=(2, 8, 8, 3))
    >>> layer = layer_random_translation(height_factor=0.2, width_factor=0.2)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_translation(height_factor={!r}, width_factor=...)")
    layer = RandomTranslation(height_factor=height_factor, width_factor=width_factor, fill_mode=fill_mode,
                              interpolation=interpolation, seed=seed, fill_value=fill_value,
                              data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_contrast(object=None, factor=None, value_range=(0, 255), seed=None, **kwargs):
    """A preprocessing layer which randomly adjusts contrast during training.

    This layer will randomly adjust the contrast of an image or images by a random factor.
    Contrast is adjusted independently for each channel of each image during training. For each
    channel, this layer computes the mean of the image pixels in the channel and then adjusts
    each component `x` of each pixel to `(x - mean) * contrast_factor + mean`, then clips the
    result to `value_range`. `contrast_factor` is drawn per image, uniformly in
    `[1 - lower, 1 + upper]` (as Keras 3: a single `factor` `f` gives `lower = 0`, `upper = f`,
    since the factors are bounded to [0, 1]).

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        A positive float represented as fraction of value, or a list of size 2 representing
        lower and upper bound (values in [0, 1]). Required.
    value_range : list of 2 numbers
        The range of values the incoming images will have: the outputs are clipped to it.
        Defaults to `c(0, 255)`.
    seed : None or int
        A non-negative integer seeds the layer's random generator. None derives the generator
        from the package-wide random state (`set_random_seed()`).
    {{layer_kwargs}}
        Also `data_format` (`"channels_last"` or `"channels_first"`), as Keras accepts it.

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.
    training : bool
        Adjust only when TRUE.

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_contrast(factor=0.5)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_contrast(factor={!r})")
    layer = RandomContrast(factor=factor, value_range=value_range, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_crop(object=None, height=None, width=None, seed=None, data_format=None, name=None, **kwargs):
    """A preprocessing layer which randomly crops images during training.

    During training, this layer will randomly choose a location to crop images down to a target
    size (one location per batch, as Keras draws it). At inference time, and during training if
    an input image is not larger than the target size, the input will be resized and cropped so
    as to return the largest possible window in the image that matches the target aspect ratio
    (bilinear resizing). So the output always has the target size. (This follows Keras 3's
    documentation; Keras 3.15 on JAX returns the input unchanged at inference.)

    The random draws come from the layer's own generator, made when the layer is created from
    `seed`. Gradients flow back to the cropped (or resampled) pixels.

    Parameters
    ----------
    {{layer_object}}
    height : int
        Height of the output shape. Required.
    width : int
        Width of the output shape. Required.
    seed : None or int
        A non-negative integer seeds the layer's random generator. None derives the generator
        from the package-wide random state (`set_random_seed()`).
    {{data_format_2d}}
    name : None or str
        String, name for the object.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        A 4D batch of images, or a single 3D image.
    training : bool
        Crop at a random location only when TRUE.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: `(batch, height, width, channels)` (channels-last) or
      `(batch, channels, height, width)` (channels-first).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(size=(2, 10, 10, 3))
    >>> layer = layer_random_crop(height=6, width=8)
    >>> layer(x, training=True).shape
    (2, 6, 8, 3)
    """
    check_object(object, "layer_random_crop(height={!r}, width=...)")
    layer = RandomCrop(height=height, width=width, seed=seed, data_format=data_format, name=name, **kwargs)
    return compose(layer, object)
