"""R-style wrappers of the reshaping layers (permute, repeat vector): build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.reshaping.permute import Permute
from ..layers.reshaping.repeat_vector import RepeatVector

__all__ = [
    "layer_permute", "layer_repeat_vector",
]


@shared_doc
def layer_permute(object=None, dims=None, **kwargs):
    """Permutes the dimensions of the input according to a given pattern.

    Useful e.g. connecting RNNs and convnets.

    Parameters
    ----------
    {{layer_object}}
    dims : list or tuple of int
        Permutation pattern, does not include the batch dimension. Indexing starts at 1. For
        instance, `c(2, 1)` permutes the first and second dimensions of the input. Required.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of rank `length(dims) + 1`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: shape `(batch_size, input_shape[dims[1]], input_shape[dims[2]], ...)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = keras_input(shape=(10, 64))
    >>> layer_permute(x, dims=(2, 1)).shape
    (None, 64, 10)
    """
    check_object(object, "layer_permute(dims={!r})")
    return compose(Permute(dims=dims, **kwargs), object)


@shared_doc
def layer_repeat_vector(object=None, n=None, **kwargs):
    """Repeats the input n times.

    Parameters
    ----------
    {{layer_object}}
    n : int
        Repetition factor. Required.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        2D input of shape `(batch_size, features)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned: shape `(batch_size, n, features)`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = keras_input(shape=(32,))
    >>> layer_repeat_vector(x, n=3).shape
    (None, 3, 32)
    """
    check_object(object, "layer_repeat_vector(n={!r})")
    return compose(RepeatVector(n=n, **kwargs), object)
