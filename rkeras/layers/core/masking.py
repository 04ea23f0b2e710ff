"""Masking, as Keras 3's `Masking`: skip the timesteps whose features all equal `mask_value`.

For an input `(batch, steps, features)`, a step is kept when any of its features differs from
`mask_value`: `keep = any(inputs != mask_value, axis=-1)`. The output is the input with the masked
steps set to zero, and `keep` is the mask passed to the next layers (`compute_mask`). The gradient
flows to the kept steps only. A NaN feature differs from every value, so it keeps its step.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input


class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps; see `layer_masking()`."""

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_masking()")
        if isinstance(mask_value, (bool, np.bool_)) or not isinstance(mask_value, (int, float, np.integer,
                                                                                   np.floating)):
            raise TypeError(f"`mask_value` must be a number; received {mask_value!r}.")
        self.mask_value = float(mask_value)
        super().__init__(**kwargs)

    def _check_rank(self, shape):
        if len(shape) < 2:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank >= 2 (batch, ..., features); "
                             f"received an input of shape {tuple(shape)}.")

    def compute_output_shape(self, input_shape):
        self._check_rank(tuple(input_shape))
        return tuple(input_shape)

    def compute_mask(self, inputs, mask):
        x = as_numeric_array(inputs, "inputs")
        return np.any(x != self.mask_value, axis=-1)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self._check_rank(x.shape)
        keep = np.any(x != self.mask_value, axis=-1, keepdims=True)
        return np.where(keep, x, x.dtype.type(0)), keep

    def backward(self, cache, grad_outputs):
        keep = cache
        g = np.asarray(grad_outputs)
        return np.where(keep, g, g.dtype.type(0)), {}

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
