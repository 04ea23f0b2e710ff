"""`Lambda`: a layer from a function of ops (R keras3's `layer_lambda()`); gradients from the tape."""

import numpy as np

from ... import conventions
from ...core.layer import Layer


class Lambda(Layer):
    """Wraps `function(inputs, **arguments)` as a layer; its ops are recorded in training."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        if not callable(function):
            raise TypeError(f"`f` must be a function of the inputs; received {function!r}.")
        if output_shape is not None and not callable(output_shape):
            output_shape = conventions.normalize_shape(output_shape, "output_shape")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"`arguments` must be a dict of extra keyword arguments or None; received {arguments!r}.")
        conventions.check_kwargs(kwargs, where="layer_lambda()")
        super().__init__(**kwargs)
        self.function, self.output_shape_arg, self.mask_arg = function, output_shape, mask
        self.arguments = dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self.output_shape_arg is None:
            return super().compute_output_shape(input_shape)
        if callable(self.output_shape_arg):
            return tuple(self.output_shape_arg(input_shape))
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch,) + tuple(self.output_shape_arg)

    def compute_mask(self, inputs, mask):
        if self.mask_arg is None:
            return None
        return self.mask_arg(inputs, mask) if callable(self.mask_arg) else np.asarray(self.mask_arg)

    def get_config(self):
        return {**super().get_config(), "function": self.function, "output_shape": self.output_shape_arg,
                "mask": self.mask_arg, "arguments": self.arguments}
