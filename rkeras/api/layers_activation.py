"""R-style wrappers of the activation layers: build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.activations.elu import ELU
from ..layers.activations.leaky_relu import LeakyReLU
from ..layers.activations.prelu import PReLU
from ..layers.activations.relu import ReLU
from ..layers.activations.softmax import Softmax

__all__ = [
    "layer_activation_elu", "layer_activation_leaky_relu", "layer_activation_parametric_relu",
    "layer_activation_relu", "layer_activation_softmax",
]


@shared_doc
def layer_activation_relu(object=None, max_value=None, negative_slope=0, threshold=0, **kwargs):
    """Rectified Linear Unit activation function layer.

    Formula:

    ```
    f(x) = max(x, 0) if max_value is None
    f(x) = max_value if x >= max_value
    f(x) = x if threshold <= x < max_value
    f(x) = negative_slope * (x - threshold) otherwise
    ```

    The layer has no weights and passes masks on.

    Parameters
    ----------
    {{layer_object}}
    max_value : None or float
        Maximum activation value. None means unlimited. Must be >= 0.
    negative_slope : float
        Negative slope coefficient. Must be >= 0.
    threshold : float
        Threshold value for thresholded activation.
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
    >>> layer_activation_relu(np.array([-3.0, -1.0, 0.0, 2.0]), negative_slope=0.5)
    array([-1.5, -0.5,  0. ,  2. ])
    """
    check_object(object, "layer_activation_relu(max_value={!r})")
    layer = ReLU(max_value=max_value, negative_slope=negative_slope, threshold=threshold, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_activation_leaky_relu(object=None, negative_slope=0.3, **kwargs):
    """Leaky version of a Rectified Linear Unit activation layer.

    This layer allows a small gradient when the unit is not active:
    `f(x) = negative_slope * x` if `x < 0`, `f(x) = x` if `x >= 0`. The layer has no weights and
    passes masks on.

    Parameters
    ----------
    {{layer_object}}
    negative_slope : float
        Negative slope coefficient, >= 0. Defaults to 0.3.
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
    >>> layer_activation_leaky_relu(np.array([-3.0, -1.0, 0.0, 2.0]))
    array([-0.9, -0.3,  0. ,  2. ])
    """
    check_object(object, "layer_activation_leaky_relu(negative_slope={!r})")
    return compose(LeakyReLU(negative_slope=negative_slope, **kwargs), object)


@shared_doc
def layer_activation_elu(object=None, alpha=1, **kwargs):
    """Applies an Exponential Linear Unit function to an output.

    Formula: `f(x) = alpha * (exp(x) - 1)` for `x < 0`, `f(x) = x` for `x >= 0`. The layer has no
    weights and passes masks on.

    Parameters
    ----------
    {{layer_object}}
    alpha : float
        Scale for the negative part.
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
    >>> y = layer_activation_elu(np.array([-1.0, 0.0, 2.0]), alpha=0.5)
    """
    check_object(object, "layer_activation_elu(alpha={!r})")
    return compose(ELU(alpha=alpha, **kwargs), object)


@shared_doc
def layer_activation_softmax(object=None, axis=-1, **kwargs):
    """Softmax activation layer.

    Formula: `exp(x) / sum(exp(x))` along `axis`.

    Parameters
    ----------
    {{layer_object}}
    axis : int or list of int
        The axis (or axes) along which the softmax normalization is applied, R style: a positive
        `axis = k` is the k-th dimension counted from 1 including the batch dimension; negative values
        count from the end (-1, the default, is the last).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.
    mask : bool array, optional
        Broadcastable to the inputs (aligned on the trailing dimensions, as Keras): masked positions
        (False) get probability 0 and no gradient.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_activation_softmax(np.array([[1.0, 2.0, 1.0]]))
    array([[0.21194156, 0.57611688, 0.21194156]])
    """
    check_object(object, "layer_activation_softmax(axis={!r})")
    return compose(Softmax(axis=axis, **kwargs), object)


@shared_doc
def layer_activation_parametric_relu(object=None, alpha_initializer="Zeros", alpha_regularizer=None,
                                     alpha_constraint=None, shared_axes=None, **kwargs):
    """Parametric Rectified Linear Unit activation layer.

    Formula: `f(x) = alpha * x` for `x < 0`, `f(x) = x` for `x >= 0`, where `alpha` is a learned
    array with the same shape as one input sample (batch dimension excluded), of size 1 along
    `shared_axes`. The weight `alpha` is created at the first call.

    Parameters
    ----------
    {{layer_object}}
    alpha_initializer : str, initializer or callable
        Initializer function for the weights.
    alpha_regularizer : None, str, regularizer or callable
        Regularizer for the weights.
    alpha_constraint : None, str, constraint or callable
        Constraint for the weights.
    shared_axes : None, int or list of int
        The axes along which to share learnable parameters for the activation function, numbered as
        Keras does (1 is the first dimension after the batch one). For example, if the incoming
        feature maps come from a 2D convolution with output shape `(batch, height, width, channels)`
        and you wish to share parameters across space so that each filter only has one set of
        parameters, set `shared_axes = c(1, 2)`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape (the non-shared dimensions must be known).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(8, 8, 3)) | layer_activation_parametric_relu(
    ...     shared_axes=[1, 2])
    """
    check_object(object, "layer_activation_parametric_relu(shared_axes={!r})")
    layer = PReLU(alpha_initializer=alpha_initializer, alpha_regularizer=alpha_regularizer,
                  alpha_constraint=alpha_constraint, shared_axes=shared_axes, **kwargs)
    return compose(layer, object)
