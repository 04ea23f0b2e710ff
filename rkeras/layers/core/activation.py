"""The `Activation` layer: applies an activation function elementwise (softmax: along the last axis)."""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from . import activations


class Activation(Layer):
    """Applies an activation function to an output; see `layer_activation()`."""

    supports_masking = True

    def __init__(self, activation=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_activation()")
        if activation is None:
            raise ValueError("`activation` must be given: an activation name such as 'relu' or 'softmax', or "
                             "a function f(x); received None.")
        self.activation = activations.get(activation, arg_name="activation")
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        work = compute_dtype(x.dtype)
        xw = x.astype(work, copy=False)
        y = self.activation.forward(xw)
        act = self.activation
        cache = (xw if act.needs_input else None, y if act.needs_output else None, x.dtype)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        x, y, in_dtype = cache
        ref = x if x is not None else y
        g = np.asarray(grad_outputs)
        if ref is not None:
            g = g.astype(ref.dtype, copy=False)
        return self.activation.backward(x, y, g).astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
