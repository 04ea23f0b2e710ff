"""Elementwise mean of a list of tensors, as Keras 3's `Average`."""

import numpy as np

from .base_merge import Merge


class Average(Merge):
    """Averages a list of inputs (same shapes, or broadcastable); see `layer_average()`."""

    def forward(self, inputs, training=False, mask=None):
        xs, ex, work, out_dtype = self._prepare(inputs)
        self._check_masks(xs, mask)
        y = ex[0].copy()
        for x in ex[1:]:
            y = y + x
        y = y / work.type(len(ex))
        return y.astype(out_dtype, copy=False), [(x.shape, x.dtype) for x in xs]

    def backward(self, cache, grad_outputs):
        g = np.asarray(grad_outputs) / len(cache)
        return [self._unbroadcast(g, shape, dtype) for shape, dtype in cache], {}
