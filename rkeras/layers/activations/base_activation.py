"""What the parameterless activation layers share: an `ActivationFunction` applied elementwise.

`ReLU`, `LeakyReLU` and `ELU` differ only in the function they hold (from
`rkeras.layers.core.activations`, whose backward they reuse) and in their config.
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input


class ElementwiseActivation(Layer):
    """Applies `self.function` (an `ActivationFunction`) to the input; passes masks on."""

    supports_masking = True

    def __init__(self, function, where, **kwargs):
        conventions.check_kwargs(kwargs, where=where)
        self.function = function
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        xw = x.astype(compute_dtype(x.dtype), copy=False)
        fn = self.function
        y = fn.forward(xw)
        cache = (xw if fn.needs_input else None, y if fn.needs_output else None, x.dtype)
        return y.astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        x, y, in_dtype = cache
        ref = x if x is not None else y
        g = np.asarray(grad_outputs).astype(ref.dtype, copy=False)
        return self.function.backward(x, y, g).astype(in_dtype, copy=False), {}
