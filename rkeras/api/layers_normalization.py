"""R-style wrappers of the normalization layers: build the layer, compose it with `object`."""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.normalization.batch_normalization import BatchNormalization
from ..layers.normalization.group_normalization import GroupNormalization
from ..layers.normalization.layer_normalization import LayerNormalization
from ..layers.normalization.rms_normalization import RMSNormalization
from ..layers.normalization.spectral_normalization import SpectralNormalization
from ..layers.normalization.unit_normalization import UnitNormalization

__all__ = [
    "layer_batch_normalization", "layer_group_normalization", "layer_layer_normalization",
    "layer_rms_normalization", "layer_spectral_normalization", "layer_unit_normalization",
]


@shared_doc
def layer_batch_normalization(object=None, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                              beta_initializer="zeros", gamma_initializer="ones",
                              moving_mean_initializer="zeros", moving_variance_initializer="ones",
                              beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                              gamma_constraint=None, synchronized=False, **kwargs):
    """Layer that normalizes its inputs.

    Batch normalization applies a transformation that maintains the mean output close to 0 and
    the output standard deviation close to 1.

    Importantly, batch normalization works differently during training and during inference.

    **During training** (i.e. when using `fit()` or when calling the layer/model with the argument
    `training=True`), the layer normalizes its output using the mean and standard deviation of the
    current batch of inputs. That is to say, for each channel being normalized, the layer returns
    `gamma * (batch - mean(batch)) / sqrt(var(batch) + epsilon) + beta`, where:

    - `epsilon` is a small constant (configurable as part of the constructor arguments);
    - `gamma` is a learned scaling factor (initialized as 1), which can be disabled by passing
      `scale=False` to the constructor;
    - `beta` is a learned offset factor (initialized as 0), which can be disabled by passing
      `center=False` to the constructor.

    The variance is the biased one (divided by the number of values, not that number minus one).

    **During inference** (i.e. when using `evaluate()` or `predict()` or when calling the
    layer/model with the argument `training=False` (which is the default)), the layer normalizes
    its output using a moving average of the mean and standard deviation of the batches it has
    seen during training. That is to say, it returns
    `gamma * (batch - layer.moving_mean) / sqrt(layer.moving_variance + epsilon) + beta`.

    `layer.moving_mean` and `layer.moving_variance` are non-trainable variables that are updated
    each time the layer is called in training mode, as such:

    - `moving_mean = moving_mean * momentum + mean(batch) * (1 - momentum)`
    - `moving_var = moving_var * momentum + var(batch) * (1 - momentum)`

    As such, the layer will only normalize its inputs during inference *after having been trained
    on data that has similar statistics as the inference data*.

    **About setting `layer.trainable = False` on a batch normalization layer:**

    The meaning of setting `layer.trainable = False` is to freeze the layer, i.e. its internal
    state will not change during training: its trainable weights will not be updated during `fit()`
    or `train_on_batch()`, and its state updates (the moving statistics) will not be run.

    Usually, this does not necessarily mean that the layer is run in inference mode (which is
    normally controlled by the `training` argument that can be passed when calling a layer).
    "Frozen state" and "inference mode" are two separate concepts.

    However, in the case of the batch normalization layer, **setting `trainable = False` on the
    layer means that the layer will be subsequently run in inference mode** (meaning that it will
    use the moving mean and the moving variance to normalize the current batch, rather than using
    the mean and variance of the current batch).

    Note that:

    - Setting `trainable` on a model containing other layers will recursively set the `trainable`
      value of all inner layers.
    - If the value of the `trainable` attribute is changed after calling `compile()` on a model,
      the new value doesn't take effect for this model until `compile()` is called again (rkeras
      warns when a training step runs on such a stale compile).

    Parameters
    ----------
    {{layer_object}}
    axis : int or list of int
        The axis that should be normalized (typically the features axis), R style: `axis=k > 0` is
        the k-th dimension counted from 1 *including the batch dimension*; negative values count
        from the end (`-1`, the default, is the last). For instance, after a `Conv2D` layer with
        `data_format="channels_first"`, use `axis=2`. A list normalizes several axes jointly. `0`
        is an error.
    momentum : float
        Momentum for the moving average, in [0, 1].
    epsilon : float
        Small float added to variance to avoid dividing by zero (> 0).
    center : bool
        If True, add offset of `beta` to normalized tensor. If False, `beta` is ignored.
    scale : bool
        If True, multiply by `gamma`. If False, `gamma` is not used. When the next layer is linear
        this can be disabled since the scaling will be done by the next layer.
    beta_initializer : str, initializer or callable
        Initializer for the beta weight.
    gamma_initializer : str, initializer or callable
        Initializer for the gamma weight.
    moving_mean_initializer : str, initializer or callable
        Initializer for the moving mean.
    moving_variance_initializer : str, initializer or callable
        Initializer for the moving variance.
    beta_regularizer : None, str, regularizer or callable
        Optional regularizer for the beta weight (its penalty is added to the training loss).
    gamma_regularizer : None, str, regularizer or callable
        Optional regularizer for the gamma weight.
    beta_constraint : None, str, constraint or callable
        Optional constraint for the beta weight (applied after each optimizer update).
    gamma_constraint : None, str, constraint or callable
        Optional constraint for the gamma weight.
    synchronized : bool
        If True, synchronizes the global batch statistics (mean and variance) for the layer across
        all replicas at each training step in a data-parallel distribution
        (`distribution_data_parallel()`). If False, each replica uses its own local batch
        statistics. Without a distribution it behaves like False.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input tensor (of any rank).
    training : bool
        Whether the layer should behave in training mode or in inference mode. `training=True`:
        the layer will normalize its inputs using the mean and variance of the current batch of
        inputs. `training=False`: the layer will normalize its inputs using the mean and variance
        of its moving statistics, learned during training.
    mask : bool array
        Binary tensor of shape broadcastable to `inputs` without the normalized axes, with True
        values indicating the positions for which mean and variance should be computed. Masked
        elements of the current inputs are not taken into account for mean and variance
        computation during training. Any prior unmasked element values will be taken into account
        until their momentum expires.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - Ioffe and Szegedy, 2015, https://arxiv.org/abs/1502.03167
    - https://keras.io/api/layers/normalization_layers/batch_normalization

    Examples
    --------
    >>> model = (keras_model_sequential(input_shape=(20,)) | layer_dense(units=64)
    ...          | layer_batch_normalization() | layer_activation(activation="relu"))
    """
    check_object(object, "layer_batch_normalization(axis={!r})")
    layer = BatchNormalization(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               moving_mean_initializer=moving_mean_initializer,
                               moving_variance_initializer=moving_variance_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint,
                               synchronized=synchronized, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_layer_normalization(object=None, axis=-1, epsilon=0.001, center=True, scale=True,
                              beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                              gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
    """Layer normalization layer (Ba et al., 2016).

    Normalize the activations of the previous layer for each given example in a batch
    independently, rather than across a batch like batch normalization. i.e. applies a
    transformation that maintains the mean activation within each example close to 0 and the
    activation standard deviation close to 1.

    If `scale` or `center` are enabled, the layer will scale the normalized outputs by
    broadcasting them with a trainable variable `gamma`, and center the outputs by broadcasting
    with a trainable variable `beta`. `gamma` will default to a ones tensor and `beta` will default
    to a zeros tensor, so that centering and scaling are no-ops before training has begun.

    So, with scaling and centering enabled the normalization equations are as follows: let the
    intermediate activations for a mini-batch be the `inputs`. For each sample `x` in a batch of
    `inputs`, compute the mean and (biased) variance of the sample over `axis`, normalize each
    value, `x_normalized = (x - mean) / sqrt(var + epsilon)`, and scale and center,
    `output = x_normalized * gamma + beta`.

    `gamma` and `beta` span the axes of `inputs` specified in `axis`, and this part of the inputs'
    shape must be fully defined. Training and inference compute the same thing (no moving
    statistics). float16 inputs are normalized in float32 and returned as float16. Keras'
    deprecated `rms_scaling` argument is accepted only as False (use `layer_rms_normalization()`).

    Parameters
    ----------
    {{layer_object}}
    axis : int or list of int
        The axis or axes to normalize across, R style: `axis=k > 0` is the k-th dimension counted
        from 1 *including the batch dimension*; negative values count from the end (`-1`, the
        default, is the last, typically the features axis). A list normalizes several axes
        jointly. `0` is an error.
    epsilon : float
        Small float added to variance to avoid dividing by zero (> 0).
    center : bool
        If True, add offset of `beta` to normalized tensor. If False, `beta` is ignored.
    scale : bool
        If True, multiply by `gamma`. If False, `gamma` is not used. When the next layer is linear
        (also e.g. `relu`), this can be disabled since the scaling will be done by the next layer.
    beta_initializer : str, initializer or callable
        Initializer for the beta weight.
    gamma_initializer : str, initializer or callable
        Initializer for the gamma weight.
    beta_regularizer : None, str, regularizer or callable
        Optional regularizer for the beta weight.
    gamma_regularizer : None, str, regularizer or callable
        Optional regularizer for the gamma weight.
    beta_constraint : None, str, constraint or callable
        Optional constraint for the beta weight.
    gamma_constraint : None, str, constraint or callable
        Optional constraint for the gamma weight.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any rank.
    mask : bool array
        Passed on to the next layers (the statistics do not use it, as in Keras).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - Lei Ba et al., 2016, https://arxiv.org/abs/1607.06450
    - https://keras.io/api/layers/normalization_layers/layer_normalization

    Examples
    --------
    >>> x = np.arange(10, dtype="float32").reshape(5, 2) * 10
    >>> x | layer_layer_normalization(axis=2)
    """
    check_object(object, "layer_layer_normalization(axis={!r})")
    layer = LayerNormalization(axis=axis, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_rms_normalization(object=None, axis=-1, epsilon=1e-06, **kwargs):
    """Root Mean Square (RMS) Normalization layer.

    This layer normalizes the input tensor based on its RMS value: each position is divided by
    the root mean square of its values over `axis`, then multiplied by a trainable `scale`
    (initialized to ones): `output = x / sqrt(mean(x^2) + epsilon) * scale`. Unlike layer
    normalization, the inputs are not centered. Training and inference compute the same thing.

    Parameters
    ----------
    {{layer_object}}
    axis : int or list of int
        The axis or axes along which to normalize, R style: `axis=k > 0` is the k-th dimension
        counted from 1 *including the batch dimension*; negative values count from the end (`-1`,
        the default, is the last). A list normalizes several axes jointly. `0` is an error.
    epsilon : float
        A lower bound value for the mean square, added to it (> 0).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any rank.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - Zhang and Sennrich, 2019, https://arxiv.org/abs/1910.07467
    - https://keras.io/api/layers/normalization_layers/rms_normalization

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(4, 8))
    >>> x | layer_rms_normalization()
    """
    check_object(object, "layer_rms_normalization(axis={!r})")
    layer = RMSNormalization(axis=axis, epsilon=epsilon, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_unit_normalization(object=None, axis=-1, **kwargs):
    """Unit normalization layer.

    Normalize a batch of inputs so that each input in the batch has a L2 norm equal to 1 (across
    the axes specified in `axis`): `output = x / sqrt(sum(x^2))`, with the inverse norm capped at
    1e12 (so an all-zero input stays zero). No weights.

    Parameters
    ----------
    {{layer_object}}
    axis : int or list of int
        The axis or axes to normalize across, R style: `axis=k > 0` is the k-th dimension counted
        from 1 *including the batch dimension*; negative values count from the end (`-1`, the
        default, is the last). A list normalizes several axes jointly. `0` is an error.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of any rank.
    mask : bool array
        Passed on to the next layers.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - https://keras.io/api/layers/normalization_layers/unit_normalization

    Examples
    --------
    >>> x = np.arange(6, dtype="float32").reshape(2, 3)
    >>> y = x | layer_unit_normalization()
    >>> np.sum(y ** 2, axis=1)
    """
    check_object(object, "layer_unit_normalization(axis={!r})")
    layer = UnitNormalization(axis=axis, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_group_normalization(object=None, groups=32, axis=-1, epsilon=0.001, center=True, scale=True,
                              beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                              gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
    """Group normalization layer.

    Group Normalization divides the channels into groups and computes within each group the mean
    and variance for normalization. Empirically, its accuracy is more stable than batch norm in a
    wide range of small batch sizes, if learning rate is adjusted linearly with batch sizes.

    Relation to Layer Normalization: if the number of groups is set to 1, then this operation
    becomes nearly identical to layer normalization over all non-batch axes.

    Relation to Instance Normalization: if the number of groups is set to the input dimension
    (number of groups is equal to number of channels), then this operation becomes identical to
    instance normalization. You can achieve this via `groups=-1`.

    Each sample is normalized per group, `(x - mean) / sqrt(var + epsilon)` with the mean and
    biased variance over the group's channels and all other non-batch axes, then scaled by `gamma`
    and shifted by `beta` per channel. Training and inference compute the same thing.

    Parameters
    ----------
    {{layer_object}}
    groups : int
        The number of groups for Group Normalization. Can be in the range `[1, N]` where N is the
        input dimension. The input dimension must be divisible by the number of groups. `-1`:
        one group per channel (instance normalization).
    axis : int
        The channels axis, R style: `axis=k > 0` is the k-th dimension counted from 1 *including
        the batch dimension* (`axis=2` for channels-first inputs); negative values count from the
        end (`-1`, the default, is the last). It cannot be the batch dimension.
    epsilon : float
        Small float added to variance to avoid dividing by zero (> 0).
    center : bool
        If True, add offset of `beta` to normalized tensor. If False, `beta` is ignored.
    scale : bool
        If True, multiply by `gamma`. If False, `gamma` is not used. When the next layer is linear
        (also e.g. `relu`), this can be disabled since the scaling will be done by the next layer.
    beta_initializer : str, initializer or callable
        Initializer for the beta weight.
    gamma_initializer : str, initializer or callable
        Initializer for the gamma weight.
    beta_regularizer : None, str, regularizer or callable
        Optional regularizer for the beta weight.
    gamma_regularizer : None, str, regularizer or callable
        Optional regularizer for the gamma weight.
    beta_constraint : None, str, constraint or callable
        Optional constraint for the beta weight.
    gamma_constraint : None, str, constraint or callable
        Optional constraint for the gamma weight.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        Input of rank >= 2, batch first. Output: same shape as input.
    mask : bool array
        Passed on to the next layers (the statistics do not use it, as in Keras).

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - Yuxin Wu & Kaiming He, 2018, https://arxiv.org/abs/1803.08494
    - https://keras.io/api/layers/normalization_layers/group_normalization

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 8, 8, 16))
    >>> x | layer_group_normalization(groups=4)
    """
    check_object(object, "layer_group_normalization(groups={!r})")
    layer = GroupNormalization(groups=groups, axis=axis, epsilon=epsilon, center=center, scale=scale,
                               beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
                               beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
                               beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_spectral_normalization(object=None, layer=None, power_iterations=1, **kwargs):
    """Performs spectral normalization on the weights of a target layer.

    This wrapper controls the Lipschitz constant of the weights of a layer by constraining their
    spectral norm, which can stabilize the training of GANs. In each training call the target
    layer's `kernel` (or `embeddings`), viewed as a matrix of shape `(-1, units)`, is divided by
    its largest singular value, estimated by `power_iterations` steps of the power method from the
    non-trainable weight `vector_u`; the normalized kernel and the new `vector_u` are stored (an
    all-zero kernel is left as it is). Inference calls use the stored kernel. Gradients flow
    through the normalization (with the power-iteration vectors held constant), as in Keras 3 on
    JAX.

    Parameters
    ----------
    {{layer_object}}
    layer : Layer
        A layer instance that has either a `kernel` (e.g. `layer_conv_2d()`, `layer_dense()`...)
        or an `embeddings` attribute (`layer_embedding()`).
    power_iterations : int
        The number of iterations during normalization (>= 1).
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : array or tensor
        The inputs of the wrapped layer.
    training : bool
        Normalize the kernel (and update `vector_u`) only when True, as in `fit()`.

    Returns
    -------
    {{layer_returns_head}}
    - a `keras_input()` (or any symbolic tensor), then the output tensor from calling
      `layer(input)` is returned.
    {{layer_returns_tail}}

    References
    ----------
    - Spectral Normalization for GAN, Miyato et al., 2018, https://arxiv.org/abs/1802.05957
    - https://keras.io/api/layers/normalization_layers/spectral_normalization

    Examples
    --------
    >>> x = np.random.default_rng(0).uniform(size=(2, 10, 10, 3))
    >>> sn = layer_spectral_normalization(layer=layer_conv_2d(filters=2, kernel_size=2))
    >>> y = sn(x, training=True)
    """
    check_object(object, "layer_spectral_normalization(layer={!r})")
    wrapper = SpectralNormalization(layer=layer, power_iterations=power_iterations, **kwargs)
    return compose(wrapper, object)
