"""R-style wrappers of the image augmentation layers (random flip, rotation, zoom, translation,
contrast, crop; the color layers; shear, perspective, elastic transform, erasing and the mixing
layers): build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.preprocessing.aug_mix import AugMix
from ..layers.preprocessing.auto_contrast import AutoContrast
from ..layers.preprocessing.cut_mix import CutMix
from ..layers.preprocessing.equalization import Equalization
from ..layers.preprocessing.max_num_bounding_box import MaxNumBoundingBoxes
from ..layers.preprocessing.mix_up import MixUp
from ..layers.preprocessing.rand_augment import RandAugment
from ..layers.preprocessing.random_brightness import RandomBrightness
from ..layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from ..layers.preprocessing.random_color_jitter import RandomColorJitter
from ..layers.preprocessing.random_contrast import RandomContrast
from ..layers.preprocessing.random_crop import RandomCrop
from ..layers.preprocessing.random_elastic_transform import RandomElasticTransform
from ..layers.preprocessing.random_erasing import RandomErasing
from ..layers.preprocessing.random_flip import RandomFlip
from ..layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from ..layers.preprocessing.random_grayscale import RandomGrayscale
from ..layers.preprocessing.random_hue import RandomHue
from ..layers.preprocessing.random_invert import RandomInvert
from ..layers.preprocessing.random_perspective import RandomPerspective
from ..layers.preprocessing.random_posterization import RandomPosterization
from ..layers.preprocessing.random_rotation import RandomRotation
from ..layers.preprocessing.random_saturation import RandomSaturation
from ..layers.preprocessing.random_sharpness import RandomSharpness
from ..layers.preprocessing.random_shear import RandomShear
from ..layers.preprocessing.random_translation import RandomTranslation
from ..layers.preprocessing.random_zoom import RandomZoom
from ..layers.preprocessing.solarization import Solarization

__all__ = [
    "layer_aug_mix", "layer_auto_contrast", "layer_cut_mix", "layer_equalization", "layer_max_num_bounding_boxes",
    "layer_mix_up", "layer_rand_augment", "layer_random_brightness", "layer_random_color_degeneration",
    "layer_random_color_jitter", "layer_random_contrast", "layer_random_crop", "layer_random_elastic_transform",
    "layer_random_erasing", "layer_random_flip", "layer_random_gaussian_blur", "layer_random_grayscale",
    "layer_random_hue", "layer_random_invert", "layer_random_perspective", "layer_random_posterization",
    "layer_random_rotation", "layer_random_saturation", "layer_random_sharpness", "layer_random_shear",
    "layer_random_translation", "layer_random_zoom", "layer_solarization",
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


@shared_doc
def layer_auto_contrast(object=None, value_range=(0, 255), data_format=None, **kwargs):
    """Performs the auto-contrast operation on an image.

    Auto contrast stretches the values of an image across the entire available `value_range`:
      each channel of each image is mapped linearly so that its minimum becomes `value_range[1]` and
      its maximum `value_range[2]`. This makes differences between pixels more obvious. A constant
      channel is returned unchanged. Unlike the random layers, this layer is active in training and
      inference alike (as Keras). The gradient flows through the linear map, including its
      dependence on the channel's extreme values.

    Parameters
    ----------
    {{layer_object}}
    {{value_range_255}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.array([[[[0.0], [64.0]], [[128.0], [192.0]]]])
    >>> layer_auto_contrast(x)[0, :, :, 0]
    array([[  0.,  85.],
           [170., 255.]], dtype=float32)
    """
    check_object(object, "layer_auto_contrast()")
    layer = AutoContrast(value_range=value_range, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_equalization(object=None, value_range=(0, 255), bins=256, data_format=None, **kwargs):
    """Preprocessing layer for histogram equalization on image channels.

    Histogram equalization spreads out the most frequent intensity values: each channel's
      values are remapped through their cumulative histogram (`bins` bins over `value_range`), so
      that the output covers the range evenly. As Keras 3 computes it, the histogram of a channel is
      taken over the whole batch, and the layer acts only in training (`training = TRUE`); in
      inference it returns its input unchanged. The remapping is a lookup table, so the gradient
      is zero (except for a channel whose values all fall in one bin, which passes unchanged).

    Parameters
    ----------
    {{layer_object}}
    {{value_range_255}}
    bins : int
        The number of histogram bins; 256 suits 8-bit images.
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_equalization()
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_equalization()")
    layer = Equalization(value_range=value_range, bins=bins, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_brightness(object=None, factor=None, value_range=(0, 255), seed=None, **kwargs):
    """A preprocessing layer which randomly adjusts brightness during training.

    Each image is shifted by `delta * (value_range[2] - value_range[1])`, with `delta` drawn
      uniformly from `factor` per image, then clipped to `value_range`. A shift of -1 makes the image
      black, 1 white.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        Numbers in [-1, 1]: a float `f` draws from `[-f, f]`, a pair from `[factor[1], factor[2]]`.
        Required.
    {{value_range_255}}
    {{augmentation_seed}}
    {{layer_kwargs}}
        Also `data_format` (`"channels_last"` or `"channels_first"`), as Keras accepts it.

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_brightness(factor=0.2, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_brightness()")
    layer = RandomBrightness(factor=factor, value_range=value_range, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_color_degeneration(object=None, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
    """Randomly performs the color degeneration operation on given images.

    The sharpness operation first converts an image to gray scale, then back to color. It
      then takes a weighted average between original image and the degenerated image: each image
      becomes `x + f * (gray(x) - x)` with `f` drawn uniformly from `factor`, clipped to
      `value_range`. Images must have 3 (RGB) or 1 channels.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        The range of `f`: a float in [-1, 1] gives `[-|factor|, |factor|]` (as Keras), a pair its
        bounds. `f = 0` keeps the image, `f = 1` makes it gray. Required.
    {{value_range_255}}
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_color_degeneration(factor=0.5, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_color_degeneration()")
    layer = RandomColorDegeneration(factor=factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_color_jitter(object=None, value_range=(0, 255), brightness_factor=None, contrast_factor=None, saturation_factor=None, hue_factor=None, seed=None, data_format=None, **kwargs):
    """Randomly apply brightness, contrast, saturation and hue image processing operation sequentially and randomly on the input.

    Applies, in this order, the adjustments of `layer_random_brightness()`,
      `layer_random_contrast()`, `layer_random_saturation()` and `layer_random_hue()` whose factor
      is given (None skips one), each drawing its parameters from the layer's generator. Images must
      be RGB when a saturation or hue factor is given.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    {{value_range_255}}
    brightness_factor, contrast_factor, saturation_factor, hue_factor : None, float or list of 2 float
        The `factor` of each step (see its layer); None skips the step.
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_color_jitter(brightness_factor=0.2, hue_factor=0.1, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_color_jitter()")
    layer = RandomColorJitter(value_range=value_range, brightness_factor=brightness_factor, contrast_factor=contrast_factor,
                              saturation_factor=saturation_factor, hue_factor=hue_factor, seed=seed,
                              data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_grayscale(object=None, factor=0.5, data_format=None, seed=None, **kwargs):
    """Preprocessing layer for random conversion of RGB images to grayscale.

    Each image is replaced, with probability `factor`, by its grayscale version (weights
      0.2989, 0.5870, 0.1140 of R, G, B), repeated over the channels so that the output keeps the
      input's shape. Images must have 3 (RGB) or 1 channels.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float
        The probability, in [0, 1], that an image is converted. Defaults to 0.5.
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_grayscale(factor=0.5, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_grayscale()")
    layer = RandomGrayscale(factor=factor, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_hue(object=None, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
    """Randomly adjusts the hue on given images.

    The image is converted to HSV, its hue turned by `d * f / 2` of a full turn, with `f`
      drawn uniformly from `factor` and `d` = 1 or -1 with probability 1/2 each, and converted back
      (clipped to `value_range`). `factor = 1` allows any hue. Images must be RGB. The gradient is
      the exact Jacobian of this per-pixel map.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        Numbers in [0, 1]: a float `f` draws from `[0, f]`, a pair from its bounds. Required.
    {{value_range_255}}
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_hue(factor=0.5, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_hue()")
    layer = RandomHue(factor=factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_saturation(object=None, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
    """Randomly adjusts the saturation on given images.

    The image is converted to HSV, its saturation multiplied by `u / (1 - u)` for `u` drawn
      uniformly from `factor` (so `u = 0.5` keeps the image, `u = 0` makes it gray and `u = 1`
      saturates it fully), clipped to `value_range` (as Keras 3 does), and converted back. Images
      must be RGB. The gradient is the exact Jacobian of this per-pixel map.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        A float in [-1, 1] gives `[-|factor|, |factor|]` (as Keras), a pair its bounds. Required.
    {{value_range_255}}
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_saturation(factor=(0.3, 0.7), seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_saturation()")
    layer = RandomSaturation(factor=factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_invert(object=None, factor=1, value_range=(0, 255), seed=None, data_format=None, **kwargs):
    """Preprocessing layer for random inversion of image colors.

    Each image `x` becomes `value_range[2] - x` with a probability that is itself drawn
      uniformly from `factor` for each image.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        Numbers in [0, 1]: a float `f` draws the probability from `[0, f]`, a pair from its bounds.
        Defaults to 1 (an average probability of 1/2).
    {{value_range_255}}
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_invert(seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_invert()")
    layer = RandomInvert(factor=factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_posterization(object=None, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
    """Reduces the number of bits for each color channel.

    Each image, rescaled to [0, 255] and cast to 8-bit integers, keeps only its `b` most
      significant bits, with `b` drawn per image as an integer in `[factor[1], factor[2])` (or equal to
      `factor[1]` when both bounds are equal). The output is piecewise constant: its gradient is
      zero.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : int or list of 2 int
        Numbers of bits in [1, 8]: an integer `f` draws from `[1, f)`, a pair from its bounds.
        Required.
    {{value_range_255}}
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_posterization(factor=4, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_posterization()")
    layer = RandomPosterization(factor=factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_solarization(object=None, addition_factor=0, threshold_factor=0, value_range=(0, 255), seed=None, **kwargs):
    """Applies `(max_value - pixel + min_value)` for each pixel in the image.

    Each image, rescaled to [0, 255], gets an addition drawn from `addition_factor * 255`, is
      clipped to [0, 255], and every value `v` at or above a threshold drawn from
      `threshold_factor * 255` becomes `255 - v`. With the defaults every value is inverted. (As
      Keras 3, the lower bound of each draw is the factor's lower bound itself, not times 255.)

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    addition_factor : float or list of 2 float
        Numbers in [0, 1]: a float `f` gives `[0, f]`, a pair its bounds. Defaults to 0.
    threshold_factor : float or list of 2 float
        Numbers in [0, 1], as `addition_factor`. Defaults to 0.
    {{value_range_255}}
    {{augmentation_seed}}
    {{layer_kwargs}}
        Also `data_format` (`"channels_last"` or `"channels_first"`), as Keras accepts it.

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_solarization(threshold_factor=0.5, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_solarization()")
    layer = Solarization(addition_factor=addition_factor, threshold_factor=threshold_factor, value_range=value_range,
                         seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_sharpness(object=None, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
    """Randomly performs the sharpness operation on given images.

    Each image is blended with its smoothed version (a 3 x 3 kernel, 1/13 around and 5/13 at
      the center): `x + (1 - 2 u) * (smooth(x) - x)`, with `u` drawn uniformly from `factor` per
      image (`u` above 0.5 sharpens, below blurs), clipped to `value_range`.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        Numbers in [0, 1]: a float `f` draws from `[0, f]`, a pair from its bounds. Required.
    {{value_range_255}}
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_sharpness(factor=0.8, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_sharpness()")
    layer = RandomSharpness(factor=factor, value_range=value_range, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_gaussian_blur(object=None, factor=1, kernel_size=3, sigma=1, value_range=(0, 255), data_format=None, seed=None, **kwargs):
    """Applies random Gaussian blur to images for data augmentation.

    Each image is blurred with a probability drawn uniformly from `factor`, by a Gaussian
      kernel of `kernel_size` (zero padding) whose two standard deviations (along columns and rows)
      are drawn once per batch from `sigma`; the result is clipped to `value_range`.

    {{color_augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        The blur probability, numbers in [0, 1]: a float `f` draws it from `[0, f]`. Defaults to 1.
    kernel_size : int or list of 2 int
        Odd size(s) of the kernel (columns, rows). Defaults to 3.
    sigma : float or list of 2 float
        The standard deviations, numbers in [0, 1] (Keras' bounds): a float `f` draws from `[0, f]`,
        a pair from its bounds. Defaults to 1.
    {{value_range_255}}
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_random_gaussian_blur(seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_random_gaussian_blur()")
    layer = RandomGaussianBlur(factor=factor, kernel_size=kernel_size, sigma=sigma, value_range=value_range,
                               data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_shear(object=None, x_factor=0, y_factor=0, interpolation="bilinear", fill_mode="reflect", fill_value=0, data_format=None, seed=None, **kwargs):
    """A preprocessing layer that randomly applies shear transformations to images.

    Each image is sheared: output pixel `(y, x)` samples the input at column `x + s_x y` and
     row `s_y x + y`, with `s_x` and `s_y` drawn uniformly from `x_factor` and `y_factor` and one
     random sign per image (as Keras 3: the shear is not centered).

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    x_factor, y_factor : float or list of 2 float
        Shear intensities, numbers in [0, 1]: a float `f` draws from `[-f, f]`, a pair from its
        bounds. Default 0 (no shear).
    interpolation : str
        `"bilinear"` or `"nearest"`.
    fill_mode : str
        How points outside the input are filled: `"reflect"`, `"constant"`, `"wrap"` or `"nearest"`
        (see `layer_random_rotation()`).
    fill_value : float
        The value of `fill_mode = "constant"`.
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 8, 3))
    >>> layer = layer_random_shear(x_factor=0.2, y_factor=0.2, seed=1)
    >>> layer(x, training=True).shape
    (4, 8, 8, 3)
    """
    check_object(object, "layer_random_shear()")
    layer = RandomShear(x_factor=x_factor, y_factor=y_factor, interpolation=interpolation, fill_mode=fill_mode,
                        fill_value=fill_value, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_perspective(object=None, factor=1, scale=1, interpolation="bilinear", fill_value=0, seed=None, data_format=None, **kwargs):
    """A preprocessing layer that applies random perspective transformations.

    Each image is warped, with a probability drawn uniformly from `factor`, by the
     homography that moves its 4 corners by random fractions, up to `scale / 2`, of their
     coordinates. Points that fall outside the input read `fill_value`.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        The probability of a warp, numbers in [0, 1]: a float `f` draws it from `[0, f]`. Defaults
        to 1.
    scale : float
        The strength of the distortion, in [0, 1]. Defaults to 1.
    interpolation : str
        `"bilinear"` or `"nearest"`.
    fill_value : float
        The value of the points outside the input.
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 8, 3))
    >>> layer = layer_random_perspective(scale=0.3, seed=1)
    >>> layer(x, training=True).shape
    (4, 8, 8, 3)
    """
    check_object(object, "layer_random_perspective()")
    layer = RandomPerspective(factor=factor, scale=scale, interpolation=interpolation, fill_value=fill_value, seed=seed,
                              data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_erasing(object=None, factor=1, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None, data_format=None, **kwargs):
    """Random Erasing data augmentation technique.

    Each image, with a probability drawn uniformly from `factor`, has a rectangle replaced by
     `fill_value`: its sides are `sqrt(s)` times the image's, for `s` drawn from `scale` for each
     side, at a uniform position. The gradient of the erased values is zero.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        The probability of erasing, numbers in [0, 1]: a float `f` draws it from `[0, f]`.
        Defaults to 1.
    scale : float or list of 2 float
        The range of `s`, in [0, 1]. Defaults to `c(0.02, 0.33)`.
    fill_value : None, float or list of 3 float
        The erased values: a number, one per channel, or None (default) for Gaussian noise times
        `value_range[2]`; clipped to `value_range`.
    {{value_range_255}}
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 8, 3))
    >>> layer = layer_random_erasing(seed=1)
    >>> layer(x, training=True).shape
    (4, 8, 8, 3)
    """
    check_object(object, "layer_random_erasing()")
    layer = RandomErasing(factor=factor, scale=scale, fill_value=fill_value, value_range=value_range, seed=seed,
                          data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_cut_mix(object=None, factor=1, seed=None, data_format=None, **kwargs):
    """CutMix data augmentation technique.

    Each image of a batch gets a rectangle pasted from another image of the batch (a random
     permutation). The rectangle covers a share `1 - w` of the image, with `w` drawn from
     Beta(a, a) and `a` drawn once per batch from `factor`; its position is uniform. rkeras layers
     take images only: labels are not mixed (mix them with the same permutation and weights if
     needed). A single (unbatched) image passes unchanged.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        The range of `a`, numbers in [0, 1]: a float `f` draws from `[0, f]`. Defaults to 1.
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 8, 3))
    >>> layer = layer_cut_mix(seed=1)
    >>> layer(x, training=True).shape
    (4, 8, 8, 3)
    """
    check_object(object, "layer_cut_mix()")
    layer = CutMix(factor=factor, seed=seed, data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_mix_up(object=None, alpha=0.2, data_format=None, seed=None, **kwargs):
    """MixUp implements the MixUp data augmentation technique.

    Each image `x` of a batch becomes `w x + (1 - w) x[perm]`, blended with another image of
     the batch (a random permutation), with `w` drawn per image from Beta(alpha, alpha). rkeras
     layers take images only: labels are not mixed.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    alpha : float
        The positive parameter of the Beta distribution. Defaults to 0.2.
    {{data_format_2d}}
    {{augmentation_seed}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 8, 3))
    >>> layer = layer_mix_up(alpha=0.4, seed=1)
    >>> layer(x, training=True).shape
    (4, 8, 8, 3)
    """
    check_object(object, "layer_mix_up()")
    layer = MixUp(alpha=alpha, data_format=data_format, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_max_num_bounding_boxes(object=None, max_number=None, fill_value=-1, **kwargs):
    """Ensure the maximum number of bounding boxes.

    In Keras the layer pads or truncates the bounding boxes of a batch to `max_number`. rkeras
     layers take arrays of images, not Keras' dictionaries of images and boxes: the images pass
     unchanged (as in Keras), and the layer's `pad_bounding_boxes(boxes, labels)` method does the
     boxes' part on arrays `(batch, n, 4)` and `(batch, n)`.

    Parameters
    ----------
    {{layer_object}}
    max_number : int
        The number of boxes. Required.
    fill_value : int
        The value of padded boxes and labels. Defaults to -1.
        Also `data_format` (`"channels_last"` or `"channels_first"`), as Keras accepts it.
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer = layer_max_num_bounding_boxes(max_number=3)
    >>> boxes, labels = layer.pad_bounding_boxes(np.zeros((2, 1, 4)), np.zeros((2, 1)))
    >>> boxes.shape, labels.shape
    ((2, 3, 4), (2, 3))
    """
    check_object(object, "layer_max_num_bounding_boxes()")
    layer = MaxNumBoundingBoxes(max_number=max_number, fill_value=fill_value, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_random_elastic_transform(object=None, factor=1, scale=1, interpolation="bilinear", fill_mode="reflect",
                                   fill_value=0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
    """A preprocessing layer that applies random elastic transformations.

    Each image, with a probability drawn uniformly from `factor`, is resampled along a smooth
    random displacement field: standard normal noise times `sigma`, blurred by a Gaussian of
    standard deviation `sigma` (kernel size `int(6 sigma) | 1`, zero padding), times `alpha`, with
    `alpha = 0.1 max(height, width) s` and `sigma = 0.05 min(height, width) s` for a distortion
    `s` drawn once per batch from `scale`; the result is clipped to `value_range`. (Keras 3 on JAX
    draws the horizontal and vertical noise from one key, so its pixels move along the diagonal;
    rkeras draws the two fields independently. Given the same noise, both compute the same
    image.)

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    factor : float or list of 2 float
        The probability of a transform, numbers in [0, 1]: a float `f` draws it from `[0, f]`.
        Defaults to 1.
    scale : float or list of 2 float
        The range of the distortion `s`, numbers in [0, 1]: a float `f` draws from `[0, f]`.
        Defaults to 1.
    interpolation : str
        `"bilinear"` or `"nearest"`.
    fill_mode : str
        How points outside the input are filled: `"reflect"`, `"constant"`, `"wrap"` or
        `"nearest"` (see `layer_random_rotation()`).
    fill_value : float
        The value of `fill_mode = "constant"`.
    {{value_range_255}}
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 16, 16, 3))
    >>> layer = layer_random_elastic_transform(scale=0.5, seed=1)
    >>> layer(x, training=True).shape
    (2, 16, 16, 3)
    """
    check_object(object, "layer_random_elastic_transform()")
    layer = RandomElasticTransform(factor=factor, scale=scale, interpolation=interpolation, fill_mode=fill_mode,
                                   fill_value=fill_value, value_range=value_range, seed=seed, data_format=data_format,
                                   **kwargs)
    return compose(layer, object)


@shared_doc
def layer_rand_augment(object=None, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear", seed=None,
                       data_format=None, **kwargs):
    """RandAugment performs the Rand Augment operation on input images.

    `num_ops` operations are chosen at random (one choice per batch for each slot) among shear,
    translation, rotation, brightness, color degeneration, contrast, sharpness, posterization,
    solarization, auto contrast and equalization, and applied in turn, all with strength
    `factor`. Each operation draws its parameters once per call (an operation chosen twice
    repeats the same draw, as Keras 3). Images must have 3 (RGB) or 1 channels.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    {{value_range_255}}
    num_ops : int
        The number of operations applied in sequence. Defaults to 2.
    factor : float or list of 2 float
        The strength of the operations, numbers in [0, 1]: a float `f` means `[0, f]`. Defaults
        to 0.5.
    interpolation : str
        `"bilinear"` or `"nearest"`, for the geometric operations.
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_rand_augment(num_ops=2, factor=0.3, seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_rand_augment()")
    layer = RandAugment(value_range=value_range, num_ops=num_ops, factor=factor, interpolation=interpolation, seed=seed,
                        data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_aug_mix(object=None, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3, alpha=1,
                  all_ops=True, interpolation="bilinear", seed=None, data_format=None, **kwargs):
    """Performs the AugMix data augmentation technique.

    AugMix aims to produce images with variety while preserving the image semantics and local
    statistics: `num_chains` chains of up to `chain_depth` random operations (each slot holds one
    operation or none) are applied to the batch, their results are mixed with weights drawn from
    Dirichlet(alpha), and the mixture is blended with the original images by a weight drawn from
    Beta(alpha, alpha), then clipped to `value_range`. The operations are shear, translation,
    rotation, posterization, solarization, auto contrast and equalization, plus (with `all_ops`)
    brightness, color degeneration, contrast and sharpness, all with strength `factor`.

    {{augmentation_note}}

    Parameters
    ----------
    {{layer_object}}
    {{value_range_255}}
    num_chains : int
        The number of chains mixed. Defaults to 3.
    chain_depth : int
        The largest number of operations in a chain. Defaults to 3.
    factor : float or list of 2 float
        The strength of the operations, numbers in [0, 1]: a float `f` means `[0, f]`. Defaults
        to 0.3.
    alpha : float
        The positive parameter of the Dirichlet and Beta distributions. Defaults to 1.
    all_ops : bool
        Include the color operations (brightness, color degeneration, contrast, sharpness).
        Defaults to TRUE.
    interpolation : str
        `"bilinear"` or `"nearest"`, for the geometric operations.
    {{augmentation_seed}}
    {{data_format_2d}}
    {{layer_kwargs}}

    Call arguments
    --------------
    {{image_call_args}}

    Returns
    -------
    {{layer_returns_head}}
    {{image_returns_tensor}}
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 8, 3))
    >>> layer = layer_aug_mix(seed=1)
    >>> layer(x, training=True).shape
    (2, 8, 8, 3)
    """
    check_object(object, "layer_aug_mix()")
    layer = AugMix(value_range=value_range, num_chains=num_chains, chain_depth=chain_depth, factor=factor, alpha=alpha,
                   all_ops=all_ops, interpolation=interpolation, seed=seed, data_format=data_format, **kwargs)
    return compose(layer, object)
