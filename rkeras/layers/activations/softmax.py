"""Softmax layer, as Keras 3's `Softmax`: softmax along one or more (R-style) axes, with an optional mask.

Masked positions (mask False, or <= 0.5 for a numeric mask) take the value -1e9 (-3e4 in float16) before
the softmax and output 0 after it, so they get no probability even when a whole slice is masked.
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input


class Softmax(Layer):
    """Softmax along `axis` (R style: 1-based including the batch dimension, or negative from the end);
    see `layer_activation_softmax()`."""

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_activation_softmax()")
        self.axis = conventions.validate_r_axis(axis, "axis")
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        conventions.resolve_axes(self.axis, len(input_shape), "axis")
        return tuple(input_shape)

    def _keep(self, mask, shape):
        """The mask as booleans broadcastable to `shape` (Keras' trailing-axes rule), or None."""
        if mask is None:
            return None
        m = np.asarray(mask)
        if m.dtype.kind not in "biuf":
            raise TypeError(f"`mask` of layer '{self.name}' must be boolean or numeric; received dtype {m.dtype}.")
        if m.ndim > len(shape) or any(md != 1 and md != sd for md, sd in zip(m.shape[::-1], shape[::-1])):
            raise ValueError(f"`mask` of layer '{self.name}' must be broadcastable to the inputs (each of its "
                             f"trailing dimensions 1 or the input's); received mask shape {m.shape} for inputs "
                             f"of shape {tuple(shape)}.")
        return m if m.dtype == bool else m > 0.5

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        axes = conventions.resolve_axes(self.axis, x.ndim, "axis")
        keep = self._keep(mask, x.shape)
        z = x.astype(compute_dtype(x.dtype), copy=False)
        if keep is not None:
            big_negative = -3e4 if x.dtype == np.float16 else -1e9
            z = np.where(keep, z, z.dtype.type(big_negative))
        e = np.exp(z - np.max(z, axis=axes, keepdims=True))
        y = e / np.sum(e, axis=axes, keepdims=True)
        if keep is not None:
            y = np.where(keep, y, y.dtype.type(0))
        return y.astype(x.dtype, copy=False), (y, keep, axes, x.dtype)

    def backward(self, cache, grad_outputs):
        y, keep, axes, in_dtype = cache
        g = np.asarray(grad_outputs).astype(y.dtype, copy=False)
        if keep is not None:  # masked outputs are constants (0), masked inputs do not reach the output
            g = np.where(keep, g, g.dtype.type(0))
        dx = y * (g - np.sum(g * y, axis=axes, keepdims=True))
        if keep is not None:
            dx = np.where(keep, dx, dx.dtype.type(0))
        return dx.astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
