"""R-style wrappers of the attention layers: build the layer, compose it with the inputs.

The inputs are a list, `[query, value]` or `[query, value, key]` (R's `list(query, value)`); the
call arguments (`attention_mask`, `use_causal_mask`, `return_attention_scores`, `mask`, `training`)
are given when calling the layer itself: `layer([q, v], use_causal_mask=True)`.
"""

from ..compose import check_object, compose
from ..docstrings import shared_doc
from ..layers.attention.additive_attention import AdditiveAttention
from ..layers.attention.attention import Attention
from ..layers.attention.grouped_query_attention import GroupedQueryAttention
from ..layers.attention.multi_head_attention import MultiHeadAttention

__all__ = [
    "layer_additive_attention", "layer_attention", "layer_group_query_attention", "layer_multi_head_attention",
]


@shared_doc
def layer_attention(object=None, use_scale=False, score_mode="dot", dropout=0, seed=None, **kwargs):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Inputs are a list with 2 or 3 elements: a `query` tensor of shape `(batch_size, Tq, dim)`, a
    `value` tensor of shape `(batch_size, Tv, dim)` and an optional `key` tensor of shape
    `(batch_size, Tv, dim)` (the value is used as key when it is omitted). The calculation follows
    the steps:

    1. Calculate attention scores using `query` and `key` with shape `(batch_size, Tq, Tv)` as a
       query-key dot product: `scores = query %*% t(key)` (score_mode "dot"), or
       `concat_score_weight * sum(tanh(query_i + key_j))` (score_mode "concat").
    2. Use scores to calculate a softmax distribution with shape `(batch_size, Tq, Tv)`.
    3. Use the softmax distribution to create a linear combination of `value` with shape
       `(batch_size, Tq, dim)`.

    Weights: `scale` (a scalar, initialized to 1) with `use_scale`, then `concat_score_weight` (a
    scalar, initialized to 1) with score_mode "concat".

    Parameters
    ----------
    object : None, list of tensors or arrays
        `[query, value]` or `[query, value, key]`: symbolic tensors give a symbolic output, arrays
        an array; None: the layer is returned.
    use_scale : bool
        If True, will create a scalar variable to scale the attention scores.
    score_mode : str
        Function to use to compute attention scores, one of `"dot"`, `"concat"`. `"dot"` refers
        to the dot product between the query and key vectors. `"concat"` refers to the hyperbolic
        tangent of the concatenation of the query and key vectors.
    dropout : float
        Float between 0 and 1. Fraction of the units to drop for the attention scores (in
        training only).
    seed : None or int
        A non-negative integer to use as random seed in case of `dropout`.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : list
        `[query, value]` or `[query, value, key]`.
    mask : list, optional
        `[query_mask, value_mask]`: boolean `(batch_size, Tq)` and `(batch_size, Tv)`. Masked
        values do not contribute to the result; masked query steps give 0 outputs. Propagated from
        `layer_embedding(mask_zero = TRUE)` / `layer_masking()` in functional models.
    return_attention_scores : bool
        If True, also return the attention weights (after dropout): the output is then a list
        `[output, scores]`.
    training : bool
        Whether the layer should behave in training mode (adding dropout).
    use_causal_mask : bool
        Set to True for decoder self-attention: position `i` cannot attend to positions `j > i`.

    Returns
    -------
    The output `(batch_size, Tq, dim)`, or the layer when `object` is None. See the call
    arguments for the attention scores.

    Examples
    --------
    >>> query = keras_input(shape=(4, 8)); value = keras_input(shape=(6, 8))
    >>> layer_attention([query, value]).shape
    (None, 4, 8)
    """
    check_object(object, "layer_attention(use_scale={!r})")
    layer = Attention(use_scale=use_scale, score_mode=score_mode, dropout=dropout, seed=seed, **kwargs)
    return compose(layer, object)


@shared_doc
def layer_additive_attention(object=None, use_scale=True, dropout=0, **kwargs):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    Inputs are a list with 2 or 3 elements: a `query` tensor of shape `(batch_size, Tq, dim)`, a
    `value` tensor of shape `(batch_size, Tv, dim)` and an optional `key` tensor of shape
    `(batch_size, Tv, dim)`. The calculation follows the steps:

    1. Calculate attention scores using `query` and `key` with shape `(batch_size, Tq, Tv)` as a
       non-linear sum `scores = reduce_sum(tanh(query + key), axis=-1)` (times the weight `scale`,
       one value per feature, with `use_scale`).
    2. Use scores to calculate a softmax distribution with shape `(batch_size, Tq, Tv)`.
    3. Use the softmax distribution to create a linear combination of `value` with shape
       `(batch_size, Tq, dim)`.

    Parameters
    ----------
    object : None, list of tensors or arrays
        `[query, value]` or `[query, value, key]`: symbolic tensors give a symbolic output, arrays
        an array; None: the layer is returned.
    use_scale : bool
        If True, will create a scalar variable to scale the attention scores (one weight per
        feature, `scale` of shape `(dim,)`).
    dropout : float
        Float between 0 and 1. Fraction of the units to drop for the attention scores (in
        training only).
    {{layer_kwargs}}
        `seed` (a non-negative integer, the seed of the dropout) is accepted too.

    Call arguments
    --------------
    inputs : list
        `[query, value]` or `[query, value, key]`.
    mask : list, optional
        `[query_mask, value_mask]`, as for `layer_attention()`.
    return_attention_scores : bool
        If True, also return the attention weights: the output is then a list `[output, scores]`.
    training : bool
        Whether the layer should behave in training mode (adding dropout).
    use_causal_mask : bool
        Set to True for decoder self-attention (position `i` cannot attend to positions `j > i`).

    Returns
    -------
    The output `(batch_size, Tq, dim)`, or the layer when `object` is None.

    Examples
    --------
    >>> query = keras_input(shape=(4, 8)); value = keras_input(shape=(6, 8))
    >>> layer_additive_attention([query, value]).shape
    (None, 4, 8)
    """
    check_object(object, "layer_additive_attention(use_scale={!r})")
    return compose(AdditiveAttention(use_scale=use_scale, dropout=dropout, **kwargs), object)


@shared_doc
def layer_multi_head_attention(inputs=None, num_heads=None, key_dim=None, value_dim=None, dropout=0,
                               use_bias=True, output_shape=None, attention_axes=None, flash_attention=None,
                               kernel_initializer="glorot_uniform", bias_initializer="zeros",
                               kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                               kernel_constraint=None, bias_constraint=None, seed=None, **kwargs):
    """Multi Head Attention layer.

    This is an implementation of multi-headed attention as described in "Attention Is All You
    Need" (Vaswani et al., 2017). If `query`, `key`, `value` are the same, then this is
    self-attention. Each timestep in `query` attends to the corresponding sequence in `key`, and
    returns a fixed-width vector.

    This layer first projects `query`, `key` and `value` (weights `query/kernel` of shape
    `(query_dim, num_heads, key_dim)`, `query/bias` `(num_heads, key_dim)`, then the same for `key`
    and `value`). The query and key tensors are dot-producted and scaled by `1 / sqrt(key_dim)`;
    these are softmaxed to obtain attention probabilities. The value tensors are then interpolated
    by these probabilities, then concatenated back to a single tensor, and projected back to the
    output (`attention_output/kernel` `(num_heads, value_dim, output_dim)`,
    `attention_output/bias`).

    Parameters
    ----------
    inputs : None, list of tensors or arrays, tensor, array or sequential model
        `[query, value]` or `[query, value, key]`; one tensor (or a sequential model) means
        self-attention (query = value = key). None: the layer is returned.
    num_heads : int
        Number of attention heads. Required.
    key_dim : int
        Size of each attention head for query and key. Required.
    value_dim : None or int
        Size of each attention head for value (None: `key_dim`).
    dropout : float
        Dropout probability of the attention probabilities (in training only).
    use_bias : bool
        Whether the dense layers use bias vectors/matrices.
    output_shape : None, int or tuple of int
        The expected shape of an output tensor, besides the batch and sequence dims. If not
        specified, projects back to the query feature dim (the query input's last dimension).
    attention_axes : None, int or list of int
        Axes over which the attention is applied, numbered as Keras does (0 is the batch
        dimension; R keras3 passes them unchanged). None means attention over all axes, but
        batch, heads, and features.
    flash_attention : None or bool
        Keras' switch for a fused kernel; it does not change the results, rkeras ignores it.
    kernel_initializer : str, initializer or callable
        Initializer for dense layer kernels.
    bias_initializer : str, initializer or callable
        Initializer for dense layer biases.
    kernel_regularizer : None, str, regularizer or callable
        Regularizer for dense layer kernels.
    bias_regularizer : None, str, regularizer or callable
        Regularizer for dense layer biases.
    activity_regularizer : None
        Regularizer for dense layer activity. Not supported: only None is accepted.
    kernel_constraint : None, str, constraint or callable
        Constraint for dense layer kernels.
    bias_constraint : None, str, constraint or callable
        Constraint for dense layer biases.
    seed : None or int
        Optional integer to seed the dropout layer.
    {{layer_kwargs}}

    Call arguments
    --------------
    inputs : list
        `[query, value]` or `[query, value, key]`: query `(B, T, dim)`, value `(B, S, dim)`, key
        `(B, S, dim)` (value when omitted).
    mask : list, optional
        `[query_mask, value_mask, key_mask]`, boolean `(B, T)`, `(B, S)`, `(B, S)` (propagated
        from `layer_embedding(mask_zero = TRUE)` / `layer_masking()` in functional models). As in
        Keras, they combine into the attention mask (query `(B, T, 1)`, value and key `(B, 1, S)`),
        and the query mask is the output's mask.
    query_mask, value_mask, key_mask : bool array, optional
        The same masks given one by one.
    attention_mask : bool array, optional
        A boolean mask of shape `(B, T, S)` that prevents attention to certain positions (1/True:
        attention, 0/False: none); broadcasting applies.
    return_attention_scores : bool
        If True, the output is a list `[attention_output, attention_scores]`, the scores being the
        attention probabilities `(B, num_heads, T, S)` (before dropout).
    training : bool
        Whether the layer should behave in training mode (adding dropout).
    use_causal_mask : bool
        Apply a causal mask (position `i` attends only to positions `j <= i`), for decoders.

    Returns
    -------
    The output tensor or array of shape `(B, T, E)` (E the query's last dimension, or
    `output_shape`); the layer when `inputs` is None; a sequential model (with the layer added)
    when `inputs` is one.

    Examples
    --------
    >>> target = keras_input(shape=(8, 16)); source = keras_input(shape=(4, 16))
    >>> layer_multi_head_attention([target, source], num_heads=2, key_dim=2).shape
    (None, 8, 16)
    """
    check_object(inputs, "layer_multi_head_attention(num_heads={!r})")
    layer = MultiHeadAttention(
        num_heads=num_heads, key_dim=key_dim, value_dim=value_dim, dropout=dropout, use_bias=use_bias,
        output_shape=output_shape, attention_axes=attention_axes, flash_attention=flash_attention,
        kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint, seed=seed, **kwargs)
    return compose(layer, inputs)


@shared_doc
def layer_group_query_attention(object=None, head_dim=None, num_query_heads=None, num_key_value_heads=None,
                                dropout=0, use_bias=True, flash_attention=None, kernel_initializer="glorot_uniform",
                                bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                                activity_regularizer=None, kernel_constraint=None, bias_constraint=None, seed=None,
                                **kwargs):
    """Grouped Query Attention layer.

    This is an implementation of grouped-query attention introduced by
    [Ainslie et al., 2023](https://arxiv.org/abs/2305.13245). Here `num_key_value_heads` denotes
    the number of groups: setting it to 1 is equivalent to multi-query attention, and when it is
    equal to `num_query_heads` it is equivalent to multi-head attention. Each key/value head serves
    `num_query_heads / num_key_value_heads` consecutive query heads.

    Weights (Keras' EinsumDense sub-layers, so `.keras` files interoperate): `query/kernel`
    `(dim, num_query_heads, head_dim)`, `query/bias` `(num_query_heads, head_dim)`, `key/kernel` and
    `value/kernel` `(dim, num_key_value_heads, head_dim)` with their biases, then
    `attention_output/kernel` `(num_query_heads, head_dim, dim)` and `attention_output/bias` `(dim,)`.

    Parameters
    ----------
    object : None, list of tensors or arrays
        `[query, value]` or `[query, value, key]`: symbolic tensors give a symbolic output, arrays
        an array; None: the layer is returned.
    head_dim : int
        Size of each attention head. Required.
    num_query_heads : int
        Number of query attention heads. Required.
    num_key_value_heads : int
        Number of key and value attention heads; must divide `num_query_heads`. Required.
    dropout : float
        Dropout probability of the attention probabilities (in training only).
    use_bias : bool
        Whether the dense layers use bias vectors/matrices.
    flash_attention : None or bool
        Keras' switch for a fused kernel; it does not change the results, rkeras ignores it.
    kernel_initializer : str, initializer or callable
        Initializer for dense layer kernels.
    bias_initializer : str, initializer or callable
        Initializer for dense layer biases.
    kernel_regularizer : None, str, regularizer or callable
        Regularizer for dense layer kernels.
    bias_regularizer : None, str, regularizer or callable
        Regularizer for dense layer biases.
    activity_regularizer : None
        Regularizer for dense layer activity. Not supported: only None is accepted.
    kernel_constraint : None, str, constraint or callable
        Constraint for dense layer kernels.
    bias_constraint : None, str, constraint or callable
        Constraint for dense layer biases.
    seed : None or int
        Optional integer to seed the dropout layer.
    {{layer_kwargs}}
        `sliding_window` (None or a positive integer: each query attends to keys at most
        `sliding_window - 1` steps away) is accepted too.

    Call arguments
    --------------
    inputs : list
        `[query, value]` or `[query, value, key]`: query `(B, T, dim)`, value `(B, S, dim)`, key
        `(B, S, dim)` (value when omitted).
    mask : list, optional
        `[query_mask, value_mask, key_mask]`, boolean `(B, T)`, `(B, S)`, `(B, S)` (propagated from
        `layer_embedding(mask_zero = TRUE)` / `layer_masking()` in functional models); they combine
        into the attention mask as in `layer_multi_head_attention()`.
    query_mask, value_mask, key_mask : bool array, optional
        The same masks given one by one.
    attention_mask : bool array, optional
        A boolean mask of shape `(B, T, S)` that prevents attention to certain positions (1/True:
        attention, 0/False: none); broadcasting applies.
    return_attention_scores : bool
        If True, the output is a list `[attention_output, attention_scores]`, the scores being the
        attention probabilities `(B, num_query_heads, T, S)` (before dropout).
    training : bool
        Whether the layer should behave in training mode (adding dropout).
    use_causal_mask : bool
        Apply a causal mask (position `i` attends only to positions `j <= i`), for decoders.

    Returns
    -------
    The output tensor or array of shape `(B, T, dim)` (the query's shape), or the layer when
    `object` is None.

    Examples
    --------
    >>> query = keras_input(shape=(8, 16)); value = keras_input(shape=(4, 16))
    >>> layer_group_query_attention([query, value], head_dim=4, num_query_heads=4,
    ...                             num_key_value_heads=2).shape
    (None, 8, 16)
    """
    check_object(object, "layer_group_query_attention(head_dim={!r})")
    layer = GroupedQueryAttention(
        head_dim=head_dim, num_query_heads=num_query_heads, num_key_value_heads=num_key_value_heads, dropout=dropout,
        use_bias=use_bias, flash_attention=flash_attention, kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint, seed=seed, **kwargs)
    return compose(layer, object)
