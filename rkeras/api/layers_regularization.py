"""R-style wrappers of the regularization layers: build the layer, compose it with `object`.

All the random layers draw from a generator made once, with the layer (`rkeras.random`): a seeded
layer repeats its sequence of draws, and an unseeded one does too after `set_random_seed()`.
"""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.regularization.activity_regularization import ActivityRegularization
from ..layers.regularization.alpha_dropout import AlphaDropout
from ..layers.regularization.gaussian_dropout import GaussianDropout
from ..layers.regularization.gaussian_noise import GaussianNoise
from ..layers.regularization.spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D

__all__ = [
    "layer_activity_regularization", "layer_alpha_dropout", "layer_gaussian_dropout", "layer_gaussian_noise",
    "layer_spatial_dropout_1d", "layer_spatial_dropout_2d", "layer_spatial_dropout_3d",
]


@shared_doc
def layer_spatial_dropout_1d(object=None, rate=None, seed=None, name=None, dtype=None):
    """Spatial 1D version of Dropout.

    This layer performs the same function as dropout, however, it drops entire 1D feature maps
    instead of individual elements. If adjacent frames within feature maps are strongly correlated
    (as is normally the case in early convolution layers) then regular dropout will not regularize
    the activations and will otherwise just result in an effective learning rate decrease. In this
    case, `layer_spatial_dropout_1d()` will help promote independence between feature maps. Kept
    channels are scaled by `1 / (1 - rate)`; in inference the layer is the identity.

    Parameters
    ----------
    {{layer_object}}
    rate : float
        Float between 0 and 1. Fraction of the input units to drop. Required.
    seed : None or int
        Initial seed for the random number generator.
    name : None or str
        Name of the layer.
    dtype : None or str
        dtype of the layer.

    Call arguments
    --------------
    inputs : array or tensor
        3D input `(samples, timesteps, channels)`.
    training : bool
        Whether the layer should behave in training mode (applying dropout) or in inference mode
        (pass-through). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(20, 8)) | layer_spatial_dropout_1d(rate=0.2)
    """
    check_object(object, "layer_spatial_dropout_1d(rate={!r})")
    return compose(SpatialDropout1D(rate=rate, seed=seed, name=name, dtype=dtype), object)


@shared_doc
def layer_spatial_dropout_2d(object=None, rate=None, data_format=None, seed=None, name=None, dtype=None):
    """Spatial 2D version of Dropout.

    This version performs the same function as dropout, however, it drops entire 2D feature maps
    instead of individual elements (see `layer_spatial_dropout_1d()`). Kept feature maps are scaled
    by `1 / (1 - rate)`; in inference the layer is the identity.

    Parameters
    ----------
    {{layer_object}}
    rate : float
        Float between 0 and 1. Fraction of the input units to drop. Required.
    {{data_format_2d}}
    seed : None or int
        Initial seed for the random number generator.
    name : None or str
        Name of the layer.
    dtype : None or str
        dtype of the layer.

    Call arguments
    --------------
    inputs : array or tensor
        4D input `(samples, rows, cols, channels)` (channels last) or `(samples, channels, rows,
        cols)` (channels first).
    training : bool
        Whether the layer should behave in training mode (applying dropout). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(8, 8, 3)) | layer_spatial_dropout_2d(rate=0.2)
    """
    check_object(object, "layer_spatial_dropout_2d(rate={!r})")
    layer = SpatialDropout2D(rate=rate, data_format=data_format, seed=seed, name=name, dtype=dtype)
    return compose(layer, object)


@shared_doc
def layer_spatial_dropout_3d(object=None, rate=None, data_format=None, seed=None, name=None, dtype=None):
    """Spatial 3D version of Dropout.

    This version performs the same function as dropout, however, it drops entire 3D feature maps
    instead of individual elements (see `layer_spatial_dropout_1d()`). Kept feature maps are scaled
    by `1 / (1 - rate)`; in inference the layer is the identity.

    Parameters
    ----------
    {{layer_object}}
    rate : float
        Float between 0 and 1. Fraction of the input units to drop. Required.
    data_format : None or str
        `"channels_last"` (inputs `(batch, dim1, dim2, dim3, channels)`) or `"channels_first"`
        (inputs `(batch, channels, dim1, dim2, dim3)`). None means `"channels_last"`.
    seed : None or int
        Initial seed for the random number generator.
    name : None or str
        Name of the layer.
    dtype : None or str
        dtype of the layer.

    Call arguments
    --------------
    inputs : array or tensor
        5D input.
    training : bool
        Whether the layer should behave in training mode (applying dropout). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(4, 4, 4, 2)) | layer_spatial_dropout_3d(rate=0.2)
    """
    check_object(object, "layer_spatial_dropout_3d(rate={!r})")
    layer = SpatialDropout3D(rate=rate, data_format=data_format, seed=seed, name=name, dtype=dtype)
    return compose(layer, object)


@shared_doc
def layer_gaussian_noise(object=None, stddev=None, seed=None, **kwargs):
    """Apply additive zero-centered Gaussian noise.

    This is useful to mitigate overfitting (you could see it as a form of random data
    augmentation). Gaussian Noise (GS) is a natural choice as corruption process for real valued
    inputs. As it is a regularization layer, it is only active at training time.

    Parameters
    ----------
    {{layer_object}}
    stddev : float
        Standard deviation of the noise distribution, >= 0. Required.
    seed : None or int
        Integer, optional random seed to enable deterministic behavior.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.
    training : bool
        Whether the layer should behave in training mode (adding noise) or in inference mode
        (doing nothing). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(10,)) | layer_gaussian_noise(stddev=0.1)
    """
    check_object(object, "layer_gaussian_noise(stddev={!r})")
    return compose(GaussianNoise(stddev=stddev, seed=seed, **kwargs), object)


@shared_doc
def layer_gaussian_dropout(object=None, rate=None, seed=None, **kwargs):
    """Apply multiplicative 1-centered Gaussian noise.

    In training the input is multiplied by noise drawn from a normal distribution of mean 1 and
    standard deviation `sqrt(rate / (1 - rate))`; in inference the layer is the identity.

    Parameters
    ----------
    {{layer_object}}
    rate : float
        Drop probability (as with dropout), in [0, 1]. Required.
    seed : None or int
        Integer, optional random seed to enable deterministic behavior.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.
    training : bool
        Whether the layer should behave in training mode (adding noise) or in inference mode
        (doing nothing). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(10,)) | layer_gaussian_dropout(rate=0.1)
    """
    check_object(object, "layer_gaussian_dropout(rate={!r})")
    return compose(GaussianDropout(rate=rate, seed=seed, **kwargs), object)


@shared_doc
def layer_alpha_dropout(object=None, rate=None, noise_shape=None, seed=None, **kwargs):
    """Applies Alpha Dropout to the input.

    Alpha Dropout is a dropout that keeps mean and variance of inputs to their original values,
    in order to ensure the self-normalizing property even after this dropout. Alpha Dropout fits
    well to Scaled Exponential Linear Units (SELU) by randomly setting activations to the negative
    saturation value. In inference the layer is the identity.

    Parameters
    ----------
    {{layer_object}}
    rate : float
        Float between 0 and 1. The multiplicative noise will have standard deviation
        `sqrt(rate / (1 - rate))`. Required.
    noise_shape : None, tuple or list of int
        Shape of the binary dropout mask, batch dimension included; None entries take the input's
        size (each entry must be 1, None or the input's size).
    seed : None or int
        A non-negative integer to use as random seed.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.
    training : bool
        Whether the layer should behave in training mode (adding alpha dropout) or in inference
        mode (doing nothing). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(10,)) | layer_dense(units=16, activation="selu")
    ...          | layer_alpha_dropout(rate=0.1))
    """
    check_object(object, "layer_alpha_dropout(rate={!r})")
    return compose(AlphaDropout(rate=rate, noise_shape=noise_shape, seed=seed, **kwargs), object)


@shared_doc
def layer_activity_regularization(object=None, l1=0, l2=0, **kwargs):
    """Layer that applies an update to the cost function based input activity.

    The layer passes its input on unchanged and adds `(l1 * sum(|x|) + l2 * sum(x^2)) /
    batch_size` to the loss of `fit()`, `evaluate()`, `train_on_batch()` and `test_on_batch()`
    (Keras 3 divides activity penalties by the batch size); its gradient reaches the layers below
    in training. Direct calls and `vjp()` see the identity.

    Parameters
    ----------
    {{layer_object}}
    l1 : float
        L1 regularization factor (positive float).
    l2 : float
        L2 regularization factor (positive float).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(10,)) | layer_dense(units=16)
    ...          | layer_activity_regularization(l1=1e-3))
    """
    check_object(object, "layer_activity_regularization(l1={!r})")
    return compose(ActivityRegularization(l1=l1, l2=l2, **kwargs), object)
