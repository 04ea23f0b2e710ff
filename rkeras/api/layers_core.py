"""R-style wrappers of the core layers: build the layer, compose it with `object`."""

from .. import conventions
from ..compose import check_object, compose
from ..core.symbolic import keras_input
from ..docstrings import shared_doc
from ..layers.core.activation import Activation
from ..layers.core.dense import Dense
from ..layers.core.dropout import Dropout
from ..layers.core.einsum_dense import EinsumDense
from ..layers.core.flatten import Flatten
from ..layers.core.identity import Identity
from ..layers.core.reshape import Reshape

__all__ = [
    "layer_activation", "layer_dense", "layer_dropout", "layer_einsum_dense", "layer_flatten", "layer_identity",
    "layer_input", "layer_reshape",
]


@shared_doc
def layer_dense(object=None, units=None, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
    """Just your regular densely-connected NN layer.

    `layer_dense()` implements the operation `output = activation(dot(input, kernel) + bias)`,
    where `activation` is the element-wise activation function passed as the `activation`
    argument, `kernel` is a weights matrix created by the layer, and `bias` is a bias vector
    created by the layer (only applicable if `use_bias` is True).

    If the input to the layer has a rank greater than 2, `layer_dense()` computes the dot product
    between the inputs and the kernel along the last axis of the inputs and axis 1 of the kernel
    (using a single matrix product over all the leading axes). For example, if the input has
    dimensions `(batch_size, d0, d1)`, the kernel has shape `(d1, units)` and the output has shape
    `(batch_size, d0, units)`.

    The weights are created the first time the layer is called (or when it is added to a model
    whose input shape is known): `kernel` of shape `(input_dim, units)`, then `bias` of shape
    `(units,)`.

    Parameters
    ----------
    {{layer_object}}
        In R the pipe fills `object`; in Python pass the other arguments by name
        (`layer_dense(units=32)`, not `layer_dense(32)`).
    units : int
        Positive integer, dimensionality of the output space. Required.
    activation : None, str or callable
        Activation function to use. If you don't specify anything (None), no activation is applied
        (i.e. "linear" activation: `a(x) = x`). Accepted names: "relu", "sigmoid", "tanh",
        "softmax", "gelu", "silu" (or "swish"), "elu", "selu", "leaky_relu", "relu6", "softplus",
        "softsign", "exponential", "hard_sigmoid", "hard_silu" (or "hard_swish"), "mish",
        "log_softmax", "linear". A plain elementwise function `f(x)` is accepted too; its
        derivative is then computed by central finite differences.
    use_bias : bool
        Whether the layer uses a bias vector.
    kernel_initializer : str, initializer or callable
        Initializer for the `kernel` weights matrix.
    bias_initializer : str, initializer or callable
        Initializer for the bias vector.
    kernel_regularizer : None, str, regularizer or callable
        Regularizer function applied to the `kernel` weights matrix (its penalty is added to the
        training loss).
    bias_regularizer : None, str, regularizer or callable
        Regularizer function applied to the bias vector.
    activity_regularizer : None
        Regularizer function applied to the output of the layer (its "activation"). Not supported
        by rkeras: only None is accepted, anything else is a ValueError.
    kernel_constraint : None, str, constraint or callable
        Constraint function applied to the `kernel` weights matrix (after each optimizer update).
    bias_constraint : None, str, constraint or callable
        Constraint function applied to the bias vector.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of rank >= 2, shape `(batch_size, ..., input_dim)`; integers are converted to the
        layer's dtype, float16 is computed in float32 and returned as float16.
    mask : bool array, optional
        Passed on unchanged to the next layers (the layer supports masking).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = keras_model_sequential(input_shape=(16,)) | layer_dense(units=32, activation="relu")
    >>> y = layer_dense(np.ones((4, 16)), units=8)   # eager call: a (4, 8) array
    """
    check_object(object, "layer_dense(units={!r})")
    layer = Dense(units=units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_einsum_dense(object=None, equation=None, output_shape=None, activation=None, bias_axes=None,
                       kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                       bias_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                       lora_alpha=None, **kwargs):
    """A layer that uses `einsum` as the backing computation.

    This layer can perform einsum calculations of arbitrary dimensionality: it computes
    `activation(einsum(equation, inputs, kernel) + bias)`. The kernel's shape is derived from the
    equation: its axes shared with the input take the input's sizes, those shared with the output
    take `output_shape`'s. For example `"abc,cd->abd"` on a `(batch, 32, 128)` input with
    `output_shape = c(NA, 64)` (Python: `(None, 64)`) is a dense layer applied to each of the 32 steps,
    with a kernel `(128, 64)`; `"abc,cde->abde"` with `output_shape = (None, 2, 16)` projects to 2
    heads of 16 (a kernel `(128, 2, 16)`), as multi-head attention does.

    Weights: `kernel`, then `bias` when `bias_axes` is given (shape: the sizes of the `bias_axes`
    letters, and 1 for the output axes after the first of them, so that it broadcasts).

    Parameters
    ----------
    {{layer_object}}
    equation : str
        An equation describing the einsum to perform. This equation must be a valid einsum string
        of the form `ab,bc->ac`, `...ab,bc->...ac`, or `ab...,bc->ac...` where 'ab', 'bc', and 'ac'
        can be any valid einsum axis expression sequence (each letter at most once per operand).
    output_shape : int or tuple of int or None
        The expected shape of the output tensor (excluding the batch dimension and any dimensions
        represented by ellipses). You can specify None for any dimension that is unknown or can be
        inferred from the input shape.
    activation : None, str or callable
        Activation function to use (see `layer_dense()`). None: no activation.
    bias_axes : None or str
        A string containing the output dimension(s) to apply a bias to. Each character in the
        `bias_axes` string should correspond to a character in the output portion of the
        `equation` string. None: no bias.
    kernel_initializer : str, initializer or callable
        Initializer for the `kernel` weights matrix.
    bias_initializer : str, initializer or callable
        Initializer for the bias vector.
    kernel_regularizer : None, str, regularizer or callable
        Regularizer function applied to the `kernel` weights matrix.
    bias_regularizer : None, str, regularizer or callable
        Regularizer function applied to the bias vector.
    kernel_constraint : None, str, constraint or callable
        Constraint function applied to the `kernel` weights matrix.
    bias_constraint : None, str, constraint or callable
        Constraint function applied to the bias vector.
    lora_rank : None
        Keras' low-rank adaptation of the kernel. Not supported by rkeras: only None is accepted.
    lora_alpha : None
        Keras' LoRA scale. Not supported by rkeras: only None is accepted.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input whose rank fits the equation; integers are converted to the layer's dtype, float16 is
        computed in float32 and returned as float16.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = keras_input(shape=(32, 128))
    >>> layer_einsum_dense(x, equation="abc,cd->abd", output_shape=(None, 64), bias_axes="d").shape
    (None, 32, 64)
    """
    check_object(object, "layer_einsum_dense(equation={!r})")
    layer = EinsumDense(equation=equation, output_shape=output_shape, activation=activation, bias_axes=bias_axes,
                        kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                        kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                        kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, lora_rank=lora_rank,
                        lora_alpha=lora_alpha, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_activation(object=None, activation=None, **kwargs):
    """Applies an activation function to an output.

    The activation is applied elementwise (softmax and log_softmax: along the last axis). The
    output has the shape of the input. The layer has no weights and passes masks on.

    Parameters
    ----------
    {{layer_object}}
    activation : str or callable
        Activation function: a name such as "relu", "sigmoid", "tanh", "softmax", "gelu",
        "silu", "elu", "selu", "leaky_relu", "softplus", "softsign", "exponential", "linear" (see
        `layer_dense()` for the full list), or a plain elementwise function `f(x)` (its derivative
        is then computed by central finite differences). Required.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = np.array([-3.0, -1.0, 0.0, 2.0])
    >>> layer_activation(x, activation="relu")
    array([0., 0., 0., 2.])
    """
    check_object(object, "layer_activation(activation={!r})")
    layer = Activation(activation=activation, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_dropout(object=None, rate=None, noise_shape=None, seed=None, **kwargs):
    """Applies dropout to the input.

    The dropout layer randomly sets input units to 0 with a frequency of `rate` at each step
    during training time, which helps prevent overfitting. Inputs not set to 0 are scaled up by
    `1 / (1 - rate)` such that the sum over all inputs is unchanged.

    Note that the dropout layer only applies when `training` is set to True in a call, such that
    no values are dropped during inference. When using `fit()`, `training` is set to True
    automatically. In other contexts (`predict()`, `evaluate()`, a direct call on an array, whose
    `training` defaults to False), the layer returns its input unchanged.

    The random generator is created once, with the layer: a layer with a `seed` draws the same
    sequence of masks every time it is created, and an unseeded one does too after
    `set_random_seed()`.

    Parameters
    ----------
    {{layer_object}}
    rate : float
        Number between 0 and 1: fraction of the input units to drop. Required.
    noise_shape : None, tuple or list of int
        Shape of the binary dropout mask that will be multiplied with the input, batch dimension
        included; None entries take the input's size. For instance, if your inputs have shape
        `(batch_size, timesteps, features)` and you want the dropout mask to be the same for all
        timesteps, you can use `noise_shape=(None, 1, None)`. Each entry must be 1, None or the
        input's size. None (default): one independent draw per input unit.
    seed : None or int
        A non-negative integer to use as random seed.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.
    training : bool
        Whether the layer should behave in training mode (adding dropout) or in inference mode
        (doing nothing). Default False.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(20,)) | layer_dense(units=64, activation="relu")
    ...          | layer_dropout(rate=0.5) | layer_dense(units=1))
    """
    check_object(object, "layer_dropout(rate={!r})")
    layer = Dropout(rate=rate, noise_shape=noise_shape, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_flatten(object=None, data_format=None, **kwargs):
    """Flattens the input. Does not affect the batch size.

    An input of shape `(batch, d1, d2, ...)` gives an output of shape `(batch, d1 * d2 * ...)`. If
    inputs are shaped `(batch,)` without a feature axis, then flattening adds an extra channel
    dimension and output shape is `(batch, 1)`.

    Parameters
    ----------
    {{layer_object}}
    data_format : None or str
        One of "channels_last" (default, used when None) or "channels_first". The ordering of the
        dimensions in the inputs. "channels_last" corresponds to inputs with shape
        `(batch, ..., channels)` while "channels_first" corresponds to inputs with shape
        `(batch, channels, ...)`. With "channels_first" the channels axis is moved last before
        flattening, so that the weight ordering matches a model trained on channels-last data.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of rank >= 1.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = keras_input(shape=(10, 64))
    >>> layer_flatten(x).shape
    (None, 640)
    """
    check_object(object, "layer_flatten(data_format=...)")
    layer = Flatten(data_format=data_format, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_reshape(object=None, target_shape=None, **kwargs):
    """Layer that reshapes inputs into the given shape.

    An input of shape `(batch_size, ...)` gives an output of shape `(batch_size, *target_shape)`,
    in row-major (C) order. One entry of `target_shape` may be -1: its size is inferred from the
    input (it is None in symbolic shapes when the input has unknown sizes).

    Parameters
    ----------
    {{layer_object}}
    target_shape : tuple or list of int
        Target shape, without the batch dimension: positive integers and at most one -1, e.g.
        `(3, 4)` or `(-1, 4)`. Required.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input whose number of values per sample matches `target_shape`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    Examples
    --------
    >>> x = keras_input(shape=(12,))
    >>> layer_reshape(x, target_shape=(3, 4)).shape
    (None, 3, 4)
    >>> layer_reshape(x, target_shape=(-1, 2, 2)).shape
    (None, 3, 2, 2)
    """
    check_object(object, "layer_reshape(target_shape={!r})")
    layer = Reshape(target_shape=target_shape, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_identity(object=None, **kwargs):
    """Identity layer.

    This layer should be used as a placeholder when no operation is to be performed. The layer
    just returns its `inputs` argument as output, and passes masks on.

    Parameters
    ----------
    {{layer_object}}
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any shape.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned (the same shape).
    {{layer_returns_tail}}

    Examples
    --------
    >>> layer_identity(np.ones((2, 3))).shape
    (2, 3)
    """
    check_object(object, "layer_identity(name={!r})")
    return compose(Identity(**kwargs), object)


def layer_input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None, name=None,
                tensor=None, optional=False):
    """Create a Keras tensor (a symbolic input), the start of a functional model.

    R keras3's alias of `keras_input()`: a symbolic tensor-like object, which you augment with
    layer calls to build a model with `keras_model(inputs, outputs)`.

    Parameters
    ----------
    shape : int, list of int or None
        Shape of one sample, without the batch dimension; None entries mark unknown sizes (e.g.
        `shape = c(32)` in R: batches of 32-dimensional vectors).
    batch_size : None or int
        A fixed batch size, or None (unknown).
    dtype : None or str
        The dtype of the input (default `config_floatx()`); "int32" for embedding indices.
    sparse : None or bool
        Whether the placeholder should be sparse. Not supported by rkeras: only None or False.
    ragged : None or bool
        Whether the placeholder should be ragged. Not supported by rkeras: only None or False.
    batch_shape : None or list of int
        The full shape, batch size first (instead of `shape` and `batch_size`).
    name : None or str
        A name for the input layer (unique default `input_layer`, `input_layer_1`, ...).
    tensor : None
        An existing tensor to wrap. Not supported by rkeras: only None.
    optional : bool
        Whether the input is optional (may be None). Not supported by rkeras: only False.

    Returns
    -------
    A symbolic tensor (`KerasTensor`) of shape `(batch_size, *shape)`.

    Examples
    --------
    >>> x = layer_input(shape=(32,))
    >>> x.shape
    (None, 32)
    >>> layer_input(batch_shape=(8, 10, 3)).shape
    (8, 10, 3)
    """
    for arg_name, value in (("sparse", sparse), ("ragged", ragged), ("optional", optional)):
        if value is not None and conventions.as_bool(value, arg_name):
            raise ValueError(f"`{arg_name}` = TRUE is not supported by rkeras (dense inputs only); use None or "
                             f"FALSE.")
    if tensor is not None:
        raise ValueError("`tensor` is not supported by rkeras: an input cannot wrap an existing tensor; use None.")
    if batch_shape is not None:
        if shape is not None or batch_size is not None:
            raise ValueError("Give either `batch_shape` or `shape` (with `batch_size`), not both; received "
                             f"batch_shape={batch_shape!r}, shape={shape!r}, batch_size={batch_size!r}.")
        if not isinstance(batch_shape, (list, tuple)) or len(batch_shape) < 1:
            raise ValueError(f"`batch_shape` must be a list holding the batch size (or None) then the shape of one "
                             f"sample; received {batch_shape!r}.")
        batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
    if shape is None:
        raise ValueError("`shape` (or `batch_shape`) must be given: the shape of one sample, without the batch "
                         "dimension, e.g. `layer_input(shape = c(28, 28))`.")
    return keras_input(shape=shape, batch_size=batch_size, dtype=dtype, name=name)
