"""R-style wrappers of the preprocessing layers (`layer_normalization()`) and their `adapt()` verb."""

from .. import conventions
from ..compose import Deferred, check_object, compose
from ..core.layer import Layer
from ..docstrings import shared_doc
from ..layers.preprocessing.normalization import Normalization

__all__ = [
    "adapt", "layer_normalization",
]


@shared_doc
def layer_normalization(object=None, axis=-1, mean=None, variance=None, invert=False, **kwargs):
    """A preprocessing layer that normalizes continuous features.

    This layer will shift and scale inputs into a distribution centered around 0 with standard
    deviation 1. It accomplishes this by precomputing the mean and variance of the data, and
    calling `(input - mean) / sqrt(var)` at runtime (the standard deviation is floored at 1e-7).

    The mean and variance values for the layer must be either supplied on construction or learned
    via `adapt()`. `adapt()` will compute the mean and variance of the data and store them as the
    layer's weights (`mean`, `variance` and `count`, non-trainable). `adapt()` should be called
    before `fit()`, `evaluate()`, or `predict()`; before it the layer normalizes with mean 0 and
    variance 1.

    Parameters
    ----------
    {{layer_object}}
    axis : None, int or list of int
        The axis or axes that should have a separate mean and variance for each index in the
        shape, R style: `axis=k > 0` is the k-th dimension counted from 1 *including the batch
        dimension*; negative values count from the end. For example, if shape is
        `(NULL, 5)` and `axis=2` (or the default `-1`), the layer will track 5 separate mean and
        variance values for the last axis. If `axis` is set to None, the layer will normalize all
        elements in the input by a scalar mean and variance. Note that in the specific case of
        batched scalar inputs where the only axis is the batch axis, the default will normalize
        each index in the batch separately; in this case, consider passing `axis=None`.
    mean : None, number or array
        The mean value(s) to use during normalization. The passed value(s) will be broadcast to
        the shape of the kept axes above; if the value(s) cannot be broadcast, an error will be
        raised when this layer's `build()` method is called. `mean` and `variance` must be
        specified together.
    variance : None, number or array
        The variance value(s) to use during normalization. The passed value(s) will be broadcast
        to the shape of the kept axes above; if the value(s) cannot be broadcast, an error will be
        raised when this layer's `build()` method is called.
    invert : bool
        If True, this layer will apply the inverse transformation to its inputs: it would turn a
        normalized input back into its original form (`mean + input * sqrt(var)`).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any rank; the kept axes must have the sizes the layer was built (or adapted) for.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - https://keras.io/api/layers/preprocessing_layers/numerical/normalization

    Examples
    --------
    >>> adapt_data = np.array([[0., 7., 4.], [2., 9., 6.], [0., 7., 4.], [2., 9., 6.]], dtype="float32")
    >>> layer = layer_normalization(axis=-1)
    >>> layer | adapt(adapt_data)
    >>> layer(np.array([[0., 7., 4.]]))
    >>> layer_normalization(mean=3., variance=2.)(np.array([[1.], [2.], [3.]]))
    """
    check_object(object, "layer_normalization(axis={!r})")
    layer = Normalization(axis=axis, mean=mean, variance=variance, invert=invert, **kwargs)
    return compose(layer, object)


def adapt(object=None, data=None, *, batch_size=None, steps=None, **kwargs):
    """Fits the state of a preprocessing layer to the data being passed.

    After calling `adapt()` on a `layer_normalization()`, its `mean`, `variance` and `count`
    weights hold the statistics of `data`. The data are read batch by batch and the statistics are
    merged with a numerically stable parallel formula (Chan et al.) in float64, so data larger than
    memory can be streamed from a generator, and adapting on batches equals adapting on all of the
    data at once. Called without a layer, `adapt(data)` returns a deferred call for the pipe:
    `layer | adapt(data)`.

    Parameters
    ----------
    object : Layer
        A preprocessing layer with state to adapt (`layer_normalization()`).
    data : array or iterable
        The data to adapt on: an array (batch first), or an iterable (a list or a generator) of
        arrays or of `(x, y)` tuples, one batch each.
    batch_size : None or int
        Number of samples per state update when `data` is an array. None: the whole array at once.
    steps : None or int
        Total number of batches to read before stopping (None: all of them). With a generator that
        never ends, give `steps`.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    The layer, adapted (R returns it invisibly).

    Examples
    --------
    >>> layer = layer_normalization()
    >>> batches = (np.random.default_rng(i).normal(size=(100, 3)) for i in range(10))
    >>> layer | adapt(batches)
    """
    conventions.check_kwargs(kwargs, (), "adapt()", accepted="object, data, batch_size, steps")
    if not isinstance(object, Layer):
        if object is not None and data is not None:
            raise TypeError(f"`object` of adapt() must be a preprocessing layer such as layer_normalization(); "
                            f"received {type(object).__name__}.")
        # without a layer, the first argument is the data: `layer | adapt(data)`
        return Deferred(adapt, (), {"data": object if data is None else data, "batch_size": batch_size,
                                    "steps": steps})
    if not hasattr(object, "adapt"):
        raise TypeError(f"`object` of adapt() must be a layer with state to adapt (layer_normalization()); "
                        f"received layer '{object.name}' of type {type(object).__name__}.")
    return object.adapt(data, batch_size=batch_size, steps=steps)
