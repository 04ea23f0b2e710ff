"""R-style wrappers of the merging layers: build the layer, call it on the list of tensors.

As in R keras3, the tensors can be given as one list (`layer_add([x, y])`) or one by one
(`layer_add(x, y)`); without tensors the layer itself is returned. R's pipe form
`x |> layer_add(y)` is `x | layer_add(y)`: given one tensor that is not a list, the wrapper returns
the layer waiting for its first input (`x`), which `|` supplies.
"""

from ..compose import Deferred, check_object, compose
from ..docstrings import shared_doc
from ..layers.merging.add import Add
from ..layers.merging.average import Average
from ..layers.merging.concatenate import Concatenate
from ..layers.merging.dot import Dot
from ..layers.merging.maximum import Maximum
from ..layers.merging.minimum import Minimum
from ..layers.merging.multiply import Multiply
from ..layers.merging.subtract import Subtract
from ..models.sequential import Sequential

__all__ = [
    "layer_add", "layer_average", "layer_concatenate", "layer_dot", "layer_maximum", "layer_minimum",
    "layer_multiply", "layer_subtract",
]


def _merge(cls, object, inputs, **kwargs):
    """Build a merge layer and compose it with `object` and the further tensors `inputs` (R's `...`)."""
    name = cls._r_name()
    check_object(object, f"{name}([x, y]) or {name}(x, y)")
    if isinstance(object, Sequential):
        raise TypeError(f"`object` cannot be a sequential model for {name}(): a merge layer combines several "
                        f"tensors; build the model with the functional API (keras_input(), keras_model()) and "
                        f"pass the tensors, e.g. `{name}([x, y])`.")
    layer = cls(**kwargs)
    if object is not None and not isinstance(object, (list, tuple)) and not inputs:
        # R's `x |> layer_add(y)`: one tensor alone waits for the piped first input
        return Deferred(_merge_with_first, (layer, object), {})
    tensors = [] if object is None else (list(object) if isinstance(object, (list, tuple)) else [object])
    tensors += list(inputs)
    if not tensors:
        return layer
    return compose(layer, tensors)


def _merge_with_first(first, layer, second):
    if isinstance(first, (list, tuple)):
        return compose(layer, list(first) + [second])
    return compose(layer, [first, second])


@shared_doc
def layer_add(object=None, *inputs, **kwargs):
    """Performs elementwise addition operation.

    It takes as input a list of tensors, all of the same shape (or broadcastable: a dimension of
    size 1 stretches, and inputs of lower rank are expanded after the batch dimension), and
    returns a single tensor (also of the same shape).

    Masks: when every input carries a mask, the output mask is their logical OR; otherwise the
    output has no mask (Keras 3).

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The tensors to add: a list of them, or the first one (the others follow as `*inputs`).
        Symbolic tensors give a symbolic output, arrays an array. None (and no `*inputs`):
        the layer is returned. A sequential model is a TypeError (a merge layer needs several
        inputs: use the functional API).
    *inputs
        Further tensors to add, after `object` (R's unnamed `...`).
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> input1 = keras_input(shape=(16,)); input2 = keras_input(shape=(32,))
    >>> x1 = input1 | layer_dense(units=8, activation="relu")
    >>> x2 = input2 | layer_dense(units=8, activation="relu")
    >>> added = layer_add(x1, x2)      # or layer_add([x1, x2])
    >>> model = keras_model(inputs=[input1, input2], outputs=added | layer_dense(units=4))
    """
    return _merge(Add, object, inputs, **kwargs)


@shared_doc
def layer_multiply(object=None, *inputs, **kwargs):
    """Performs elementwise multiplication.

    It takes as input a list of tensors, all of the same shape (or broadcastable: a dimension of
    size 1 stretches, and inputs of lower rank are expanded after the batch dimension), and
    returns a single tensor (also of the same shape).

    Masks, as Keras 3: the masked steps of an input count as 1 in the product; when every input
    carries a mask, the output is 0 at the steps masked in all inputs, and the output mask is the
    logical OR of the masks (otherwise the output has no mask).

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The tensors to multiply: a list of them, or the first one (the others follow as
        `*inputs`). Symbolic tensors give a symbolic output, arrays an array. None (and no
        `*inputs`): the layer is returned. A sequential model is a TypeError (a merge layer needs
        several inputs: use the functional API).
    *inputs
        Further tensors to multiply, after `object` (R's unnamed `...`).
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> x1 = np.full((2, 3), 2.0); x2 = np.arange(6.0).reshape(2, 3)
    >>> layer_multiply(x1, x2)
    array([[ 0.,  2.,  4.],
           [ 6.,  8., 10.]])
    """
    return _merge(Multiply, object, inputs, **kwargs)


@shared_doc
def layer_concatenate(object=None, *inputs, axis=-1, **kwargs):
    """Concatenates a list of inputs.

    It takes as input a list of tensors, all of the same shape except for the concatenation
    axis, and returns a single tensor that is the concatenation of all inputs.

    Masks, as Keras 3: when some input carries a mask `(batch, steps)`, an input without one
    counts as unmasked everywhere; the masks, repeated over their input's last axis, are
    concatenated along `axis`, and the output mask is their `any` over the last axis.

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The tensors to concatenate: a list of them, or the first one (the others follow as
        `*inputs`). Symbolic tensors give a symbolic output, arrays an array. None (and no
        `*inputs`): the layer is returned. A sequential model is a TypeError (a merge layer needs
        several inputs: use the functional API).
    *inputs
        Further tensors to concatenate, after `object` (R's unnamed `...`).
    axis : int
        Axis along which to concatenate, R style: a positive `axis = k` is the k-th dimension
        counted from 1 *including the batch dimension* (so `axis = 2` is the first dimension of a
        sample); negative values count from the end (`-1`, the default, is the last). The batch
        dimension (`axis = 1`) and `axis = 0` are errors.
    {{layer_kwargs}}

    Returns
    -------
    The return value depends on the value provided for the first argument. If `object` (with
    `*inputs`) is:

    - a list of symbolic tensors (from `keras_input()` or layer calls), then the output tensor
      from calling `layer(list)` is returned, for functional models: the concatenation of the
      inputs along `axis`.
    - a list of numpy arrays, then the layer is called on it and the output array is returned.
    - one tensor or array (not a list) and no `*inputs`, then the layer waits for its first
      input: `x | layer_concatenate(y)` concatenates `[x, y]`.
    - None or missing, then a `Layer` instance is returned.

    Examples
    --------
    >>> x = np.arange(20.0).reshape(2, 2, 5); y = np.arange(20.0, 40.0).reshape(2, 2, 5)
    >>> layer_concatenate(x, y, axis=2).shape
    (2, 4, 5)
    """
    return _merge(Concatenate, object, inputs, axis=axis, **kwargs)


@shared_doc
def layer_subtract(object=None, *inputs, **kwargs):
    """Performs elementwise subtraction.

    It takes as input a list of tensors of size 2, both of the same shape (or broadcastable), and
    returns a single tensor `inputs[[1]] - inputs[[2]]`, also of the same shape. When both inputs
    carry a mask, the output mask is their logical OR (Keras 3).

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The two tensors: a list of them, or the first one (the second follows as `*inputs`).
        Symbolic tensors give a symbolic output, arrays an array. None (and no `*inputs`): the
        layer is returned.
    *inputs
        The second tensor, after `object` (R's unnamed `...`).
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> layer_subtract(np.full((1, 3), 5.0), np.arange(3.0).reshape(1, 3))
    array([[5., 4., 3.]])
    """
    return _merge(Subtract, object, inputs, **kwargs)


@shared_doc
def layer_average(object=None, *inputs, **kwargs):
    """Averages a list of inputs element-wise.

    It takes as input a list of tensors, all of the same shape (or broadcastable), and returns a
    single tensor (also of the same shape). When every input carries a mask, the output mask is
    their logical OR (Keras 3).

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The tensors to average: a list of them, or the first one (the others follow as `*inputs`).
        Symbolic tensors give a symbolic output, arrays an array. None (and no `*inputs`): the
        layer is returned.
    *inputs
        Further tensors to average, after `object` (R's unnamed `...`).
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> layer_average(np.zeros((1, 2)), np.full((1, 2), 4.0))
    array([[2., 2.]])
    """
    return _merge(Average, object, inputs, **kwargs)


@shared_doc
def layer_maximum(object=None, *inputs, **kwargs):
    """Computes element-wise maximum on a list of inputs.

    It takes as input a list of tensors, all of the same shape (or broadcastable), and returns a
    single tensor (also of the same shape). Masks, as Keras 3: a masked step of an input never
    wins against an unmasked one; when every input carries a mask the output mask is their OR.

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The tensors: a list of them, or the first one (the others follow as `*inputs`). Symbolic
        tensors give a symbolic output, arrays an array. None (and no `*inputs`): the layer is
        returned.
    *inputs
        Further tensors, after `object` (R's unnamed `...`).
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> layer_maximum(np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]]))
    array([[3., 5.]])
    """
    return _merge(Maximum, object, inputs, **kwargs)


@shared_doc
def layer_minimum(object=None, *inputs, **kwargs):
    """Computes elementwise minimum on a list of inputs.

    It takes as input a list of tensors, all of the same shape (or broadcastable), and returns a
    single tensor (also of the same shape). Masks, as Keras 3: a masked step of an input never
    wins against an unmasked one; when every input carries a mask the output mask is their OR.

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The tensors: a list of them, or the first one (the others follow as `*inputs`). Symbolic
        tensors give a symbolic output, arrays an array. None (and no `*inputs`): the layer is
        returned.
    *inputs
        Further tensors, after `object` (R's unnamed `...`).
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> layer_minimum(np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]]))
    array([[1., 2.]])
    """
    return _merge(Minimum, object, inputs, **kwargs)


@shared_doc
def layer_dot(object=None, *inputs, axes=None, normalize=False, **kwargs):
    """Computes element-wise dot product of two tensors.

    It takes a list of inputs of size 2, and the axes corresponding to each input along with the
    dot product is to be performed. Let's say `x` and `y` are the two input tensors with shapes
    `(2, 3, 5)` and `(2, 10, 3)`. The batch dimension should be of same size for both the inputs,
    and `axes` should correspond to the dimensions that have the same size in the corresponding
    inputs, e.g. with `axes = c(1, 2)`, the dot product of `x` and `y` will result in a tensor with
    shape `(2, 5, 10)`. A result with only the batch dimension has shape `(batch_size, 1)`.

    Parameters
    ----------
    object : None, list of tensors or arrays, tensor or array
        The two tensors: a list of them, or the first one (the second follows as `*inputs`).
        Symbolic tensors give a symbolic output, arrays an array. None (and no `*inputs`): the
        layer is returned.
    *inputs
        The second tensor, after `object` (R's unnamed `...`).
    axes : int or list of two int
        Axis or axes along which to take the dot product, numbered as Keras does (R keras3 passes
        them unchanged): 0 is the batch dimension, which cannot be contracted, 1 the first sample
        dimension; negative values count from the end. One integer applies to both inputs. Required.
    normalize : bool
        Whether to L2-normalize samples along the dot product axis before taking the dot product.
        If set to True, then the output of the dot product is the cosine proximity between the two
        samples.
    {{layer_kwargs}}

    Returns
    -------
    {{merge_returns}}

    Examples
    --------
    >>> x = np.arange(10.0).reshape(1, 5, 2); y = np.arange(10.0, 20.0).reshape(1, 2, 5)
    >>> layer_dot(x, y, axes=(1, 2)).shape
    (1, 2, 2)
    """
    return _merge(Dot, object, inputs, axes=axes, normalize=normalize, **kwargs)
