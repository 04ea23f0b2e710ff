"""The identity layer, as Keras 3's `Identity`: returns its input; passes masks on."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array


class Identity(Layer):
    """Identity layer; see `layer_identity()`."""

    supports_masking = True

    def __init__(self, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_identity()")
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = as_numeric_array(inputs, "inputs")
        self._maybe_build(x.shape)
        return x, x.dtype

    def backward(self, cache, grad_outputs):
        return np.asarray(grad_outputs).astype(cache, copy=False), {}
