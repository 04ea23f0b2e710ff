"""Elementwise sum of a list of tensors, as Keras 3's `Add`."""

import numpy as np

from .base_merge import Merge


class Add(Merge):
    """Adds a list of inputs (same shapes, or broadcastable); see `layer_add()`."""

    def forward(self, inputs, training=False, mask=None):
        xs, ex, _, out_dtype = self._prepare(inputs)
        self._check_masks(xs, mask)
        y = ex[0].copy()  # never hand out an input array itself
        for x in ex[1:]:
            y = y + x
        return y.astype(out_dtype, copy=False), [(x.shape, x.dtype) for x in xs]

    def backward(self, cache, grad_outputs):
        g = np.asarray(grad_outputs)
        return [self._unbroadcast(g, shape, dtype) for shape, dtype in cache], {}
