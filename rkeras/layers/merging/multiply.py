"""Elementwise product of a list of tensors, as Keras 3's `Multiply` (mask-aware)."""

import numpy as np

from .base_merge import Merge


class Multiply(Merge):
    """Multiplies a list of inputs (same shapes, or broadcastable); see `layer_multiply()`.

    Masks, as Keras 3: an input's masked steps count as 1 in the product; when every input has a
    mask, the output is 0 where no input is unmasked (and the output mask is their OR).
    """

    def forward(self, inputs, training=False, mask=None):
        xs, ex, work, out_dtype = self._prepare(inputs)
        masks = self._check_masks(xs, mask) or [None] * len(xs)
        one = work.type(1)
        keeps = [None if m is None else m.reshape(m.shape[:1] + (1,) * (x.ndim - xs_i.ndim) + m.shape[1:] + (1,))
                 for m, x, xs_i in zip(masks, ex, xs)]
        factors = [x if k is None else np.where(k, x, one) for x, k in zip(ex, keeps)]
        # prefix[i] = product of factors before i, suffix[i] = product after i: the partial derivatives
        # without dividing by a factor (which may be 0)
        prefix = [None] * len(factors)
        acc = None
        for i, f in enumerate(factors):
            prefix[i] = acc
            acc = f if acc is None else acc * f
        y = acc.copy() if len(factors) == 1 else acc
        out_keep = None
        if all(k is not None for k in keeps):
            out_keep = keeps[0]
            for k in keeps[1:]:
                out_keep = out_keep | k
            y = np.where(out_keep, y, work.type(0))
        cache = (factors, prefix, keeps, out_keep, [(x.shape, x.dtype) for x in xs])
        return y.astype(out_dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        factors, prefix, keeps, out_keep, specs = cache
        g = np.asarray(grad_outputs).astype(factors[0].dtype, copy=False)
        if out_keep is not None:
            g = np.where(out_keep, g, g.dtype.type(0))
        grads = [None] * len(factors)
        suffix = None
        for i in range(len(factors) - 1, -1, -1):
            partial = prefix[i]
            if suffix is not None:
                partial = suffix if partial is None else partial * suffix
            gi = g if partial is None else g * partial
            if keeps[i] is not None:
                gi = np.where(keeps[i], gi, g.dtype.type(0))
            grads[i] = self._unbroadcast(gi, *specs[i])
            suffix = factors[i] if suffix is None else factors[i] * suffix
        return grads, {}
