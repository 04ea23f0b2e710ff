"""Difference of two tensors, as Keras 3's `Subtract`: `inputs[0] - inputs[1]`."""

import numpy as np

from .base_merge import Merge


class Subtract(Merge):
    """Subtracts the second input from the first (same shapes, or broadcastable); see `layer_subtract()`."""

    def compute_output_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        if len(shapes) != 2:
            raise ValueError(f"Layer '{self.name}' (Subtract) must be called on exactly 2 inputs; received "
                             f"{len(shapes)} (shapes {shapes}).")
        return super().compute_output_shape(shapes)

    def forward(self, inputs, training=False, mask=None):
        xs, ex, _, out_dtype = self._prepare(inputs)
        self._check_masks(xs, mask)
        y = ex[0] - ex[1]
        return y.astype(out_dtype, copy=False), [(x.shape, x.dtype) for x in xs]

    def backward(self, cache, grad_outputs):
        g = np.asarray(grad_outputs)
        return [self._unbroadcast(g, *cache[0]), self._unbroadcast(-g, *cache[1])], {}
