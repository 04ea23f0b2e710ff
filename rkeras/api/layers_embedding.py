"""R-style wrappers of the embedding and masking layers: build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.core.embedding import Embedding
from ..layers.core.masking import Masking

__all__ = [
    "layer_embedding", "layer_masking",
]


@shared_doc
def layer_embedding(object=None, input_dim=None, output_dim=None, embeddings_initializer="uniform",
                    embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False, weights=None,
                    lora_rank=None, **kwargs):
    """Turns nonnegative integers (indexes) into dense vectors of fixed size.

    e.g. `rbind(4, 20)` -> `rbind(c(0.25, 0.1), c(0.6, -0.2))`: each index selects a row of a
    trainable `(input_dim, output_dim)` table (the `embeddings` weight). This layer can only be
    used on nonnegative integer inputs of a fixed range; an index outside `[0, input_dim - 1]` is
    a ValueError naming it. Whole numbers stored as doubles (R's default) are accepted.

    The output has the layer's float type whatever the integer type of the input. The indices
    get no gradient; the table's gradient adds up the upstream gradients of every position that
    selected each row.

    Parameters
    ----------
    {{layer_object}}
    input_dim : int
        Size of the vocabulary, i.e. maximum integer index + 1. Required.
    output_dim : int
        Dimension of the dense embedding. Required.
    embeddings_initializer : str, initializer or callable
        Initializer for the `embeddings` matrix. The default "uniform" draws from
        `initializer_random_uniform()` (-0.05 to 0.05).
    embeddings_regularizer : None, str, regularizer or callable
        Regularizer function applied to the `embeddings` matrix (its penalty is added to the
        training loss).
    embeddings_constraint : None, str, constraint or callable
        Constraint function applied to the `embeddings` matrix (after each optimizer update).
    mask_zero : bool
        Whether or not the input value 0 is a special "padding" value that should be masked out.
        This is useful when using recurrent layers which may take variable length input, or
        layers such as `layer_batch_normalization()` and `layer_global_average_pooling_1d()`
        that leave masked positions out of their statistics. If this is True, then all
        subsequent layers in the model need to support masking or the mask stops there (a
        layer that does not support masking drops it). If `mask_zero` is set to True, as a
        consequence, index 0 cannot be used in the vocabulary (`input_dim` should equal size of
        vocabulary + 1).
    weights : None or matrix
        Optional floating-point matrix of size `(input_dim, output_dim)` (or a list holding one):
        the initial embeddings values to use. The layer is then built at once.
    lora_rank : None
        Low-Rank Adaptation of the table. Not supported by rkeras: only None is accepted.
    **kwargs
        Base layer keyword arguments: `name`, `dtype`, `trainable`, `input_shape`, `batch_size`.
        Any other name is a TypeError.

    Call arguments
    --------------
    inputs : array or tensor
        Integer indices of any shape `(batch, ...)`, typically `(batch, sequence_length)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor, e.g. `keras_input(shape=(10,), dtype="int32")`),
      then the output tensor from calling `layer(input)` is returned: the input shape plus a last
      dimension of size `output_dim`.
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(10,), input_dtype="int32")
    ...          | layer_embedding(input_dim=1000, output_dim=64, mask_zero=True)
    ...          | layer_global_average_pooling_1d() | layer_dense(units=1))
    """
    check_object(object, "layer_embedding(input_dim={!r}, output_dim=...)")
    layer = Embedding(input_dim=input_dim, output_dim=output_dim, embeddings_initializer=embeddings_initializer,
                      embeddings_regularizer=embeddings_regularizer, embeddings_constraint=embeddings_constraint,
                      mask_zero=mask_zero, weights=weights, lora_rank=lora_rank, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_masking(object=None, mask_value=0.0, **kwargs):
    """Masks a sequence by using a mask value to skip timesteps.

    For each timestep in the input tensor (dimension 2 of a `(batch, steps, features)` tensor,
    counting the batch as 1), if all values in the input tensor at that timestep are equal to
    `mask_value`, then the timestep will be masked (skipped) in all downstream layers that
    support masking, and its output values are 0. If any downstream layer does not support
    masking yet receives such an input mask, the mask stops there.

    The output mask is `any(inputs != mask_value, axis = -1)`, of shape `(batch, steps)`. The
    gradient reaches the unmasked timesteps only.

    Parameters
    ----------
    {{layer_object}}
    mask_value : float
        The value that marks a padding timestep (all its features equal to it).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of rank >= 2, `(batch, ..., features)`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (same shape as the input).
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.ones((2, 3, 4)); x[0, 1] = 0    # sample 1, step 2 is padding
    >>> model = (keras_model_sequential(input_shape=(3, 4)) | layer_masking(mask_value=0)
    ...          | layer_global_average_pooling_1d())
    """
    check_object(object, "layer_masking(mask_value={!r})")
    layer = Masking(mask_value=mask_value, **kwargs)
    return compose(layer, object)
