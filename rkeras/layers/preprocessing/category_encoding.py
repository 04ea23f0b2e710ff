"""Integer features as one-hot, multi-hot or count vectors, as Keras 3's `CategoryEncoding`.

`encode_categorical(indices, output_mode, depth, dtype, count_weights)` is Keras'
`encode_categorical_inputs`, shared with `Discretization`:

- "one_hot": a trailing axis of `depth` per value (an input whose last axis has size 1 loses it first);
- "multi_hot": 1 where a value occurs along the input's last axis (a rank-1 input is one sample);
- "count": how many times (or, with `count_weights`, the summed weights) along the input's last axis.

For inputs of rank 3 and more, multi_hot and count reduce the last axis, as Keras' `compute_output_shape()`
and documentation say (its JAX backend reduces axis 1 instead).

Values outside `[0, depth)` are an error naming them (Keras' JAX backend silently gives zero rows; its
TensorFlow backend errors). The layer has no weights and passes no gradient to its integer inputs.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array

OUTPUT_MODES = ("one_hot", "multi_hot", "count")


def check_output_mode(output_mode, accepted, where):
    if output_mode == "binary" and "multi_hot" in accepted:
        output_mode = "multi_hot"
    if output_mode not in accepted:
        raise ValueError(f"`output_mode` of {where} must be one of {', '.join(repr(m) for m in accepted)}; received "
                         f"{output_mode!r}.")
    return output_mode


def encode_categorical(indices, output_mode, depth, dtype, count_weights=None, name="layer"):
    """Keras' `encode_categorical_inputs` on integer `indices` (numpy)."""
    if output_mode == "int":
        return indices.astype(dtype)
    x = np.asarray(indices)
    if x.ndim == 0:
        x = x[None]
    if x.size and (x.min() < 0 or x.max() >= depth):
        bad = x[(x < 0) | (x >= depth)].ravel()[:5]
        raise ValueError(f"Layer '{name}': input values must be in [0, {depth}) (`num_tokens` = {depth}); received "
                         f"{bad.tolist()}.")
    x = x.astype(np.int64, copy=False)
    if output_mode == "one_hot":
        if x.ndim > 1 and x.shape[-1] == 1:
            x = x.reshape(x.shape[:-1])
        out = np.zeros(x.shape + (depth,), dtype)
        np.put_along_axis(out, x[..., None], 1, axis=-1)
        return out
    if output_mode == "multi_hot":
        out = np.zeros(x.shape[:-1] + (depth,), dtype)
        lead = np.indices(x.shape[:-1]).reshape(x.ndim - 1, -1) if x.ndim > 1 else np.zeros((0, 1), np.int64)
        flat = x.reshape(-1, x.shape[-1])
        for j in range(flat.shape[1]):
            out[tuple(lead) + (flat[:, j],)] = 1
        return out
    # count: one-hot (times the weights) summed along the input's last axis, in float64
    one_hot = np.zeros(x.shape + (depth,), np.float64)
    np.put_along_axis(one_hot, x[..., None], 1.0, axis=-1)
    if count_weights is not None:
        w = np.asarray(count_weights, np.float64)
        if w.shape != x.shape:
            raise ValueError(f"Layer '{name}': `count_weights` must have the inputs' shape {x.shape}; received "
                             f"{w.shape}.")
        one_hot *= w[..., None]
    return one_hot.sum(axis=-2).astype(dtype)


def integer_input(inputs, name):
    x = as_numeric_array(inputs, "inputs")
    if x.dtype.kind == "f":
        if not np.all(np.isfinite(x)) or not np.all(x == np.round(x)):
            raise ValueError(f"Layer '{name}' expects integer inputs (category indices); received non-integer "
                             f"values.")
        x = x.astype(np.int64)
    return x


class CategoryEncoding(Layer):
    """Encodes integer features; see `layer_category_encoding()`."""

    output_dtype_follows_layer = True
    extra_call_kwargs = ("count_weights",)

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_category_encoding()")
        self.output_mode = check_output_mode(output_mode, OUTPUT_MODES, "layer_category_encoding()")
        if num_tokens is None:
            raise ValueError("`num_tokens` must be given: the total number of tokens the layer should support (a "
                             "positive integer). If it is not known beforehand, use layer_integer_lookup().")
        self.num_tokens = conventions.as_integer(num_tokens, "num_tokens", minimum=1)
        if conventions.as_bool(sparse, "sparse"):
            raise ValueError("`sparse` = True is not supported by rkeras (dense numpy outputs only); only False is "
                             "accepted.")
        self.sparse = False
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
            return input_shape + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def forward(self, inputs, training=False, mask=None, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"`count_weights` is not used when `output_mode` is not 'count'; layer '{self.name}' has "
                             f"output_mode {self.output_mode!r}.")
        x = integer_input(inputs, self.name)
        out = encode_categorical(x, self.output_mode, self.num_tokens, self.dtype, count_weights, self.name)
        return out, None

    def backward(self, cache, grad_outputs):
        return None, {}  # integer inputs: no gradient

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode, "sparse": self.sparse})
        return config
