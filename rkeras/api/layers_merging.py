"""R-style wrappers of the merging layers: build the layer, call it on the list of tensors.

As in R keras3, the tensors can be given as one list (`layer_add([x, y])`) or one by one
(`layer_add(x, y)`); without tensors the layer itself is returned.
"""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.merging.add import Add
from ..layers.merging.concatenate import Concatenate
from ..layers.merging.multiply import Multiply
from ..models.sequential import Sequential


def _merge(cls, object, inputs, **kwargs):
    """Build a merge layer and compose it with `object` and the further tensors `inputs` (R's `...`)."""
    name = cls._r_name()
    check_object(object, f"{name}([x, y]) or {name}(x, y)")
    if isinstance(object, Sequential):
        raise TypeError(f"`object` cannot be a sequential model for {name}(): a merge layer combines several "
                        f"tensors; build the model with the functional API (keras_input(), keras_model()) and "
                        f"pass the tensors, e.g. `{name}([x, y])`.")
    layer = cls(**kwargs)
    tensors = [] if object is None else (list(object) if isinstance(object, (list, tuple)) else [object])
    tensors += list(inputs)
    if not tensors:
        return layer
    return compose(layer, tensors)


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
    - None or missing, then a `Layer` instance is returned.

    Examples
    --------
    >>> x = np.arange(20.0).reshape(2, 2, 5); y = np.arange(20.0, 40.0).reshape(2, 2, 5)
    >>> layer_concatenate(x, y, axis=2).shape
    (2, 4, 5)
    """
    return _merge(Concatenate, object, inputs, axis=axis, **kwargs)
