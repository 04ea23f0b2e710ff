"""What `Maximum` and `Minimum` share: a fold of the inputs that honours their masks as Keras 3 does.

Keras folds the inputs left to right: where an input is masked its value is replaced by the running
result, and where the running result is masked it is replaced by the input, so masked steps never
win (when every input is masked at a step, the first input's value stays). The output mask is the OR
of the masks when every input has one. The fold also records which input each output element came
from; the backward routes the gradient there.
"""

import numpy as np

from .base_merge import Merge


class ElementwiseExtremum(Merge):
    """Abstract elementwise max/min; subclasses set `pick_new(new, current) -> bool array`."""

    @staticmethod
    def pick_new(new, current):
        raise NotImplementedError

    def forward(self, inputs, training=False, mask=None):
        xs, ex, _, out_dtype = self._prepare(inputs)
        masks = self._check_masks(xs, mask) or [None] * len(xs)
        shape = np.broadcast_shapes(*[x.shape for x in ex])
        keeps = [None if m is None else np.broadcast_to(
            m.reshape(m.shape[:1] + (1,) * (len(shape) - 1 - m.ndim) + m.shape[1:] + (1,)), shape)
            for m in masks]
        out = np.broadcast_to(ex[0], shape)
        src = np.zeros(shape, dtype=np.intp)
        out_keep = keeps[0]
        for i in range(1, len(ex)):
            x = np.broadcast_to(ex[i], shape)
            x_src = np.full(shape, i, dtype=np.intp)
            if keeps[i] is not None:
                x, x_src = np.where(keeps[i], x, out), np.where(keeps[i], x_src, src)
            if out_keep is not None:
                out, src = np.where(out_keep, out, x), np.where(out_keep, src, x_src)
            out_keep = out_keep | keeps[i] if out_keep is not None and keeps[i] is not None else None
            new = self.pick_new(x, out)
            out, src = np.where(new, x, out), np.where(new, x_src, src)
        y = np.array(out, dtype=out_dtype)
        return y, (src, [(x.shape, x.dtype) for x in xs])

    def backward(self, cache, grad_outputs):
        src, specs = cache
        g = np.asarray(grad_outputs)
        zero = g.dtype.type(0)
        return [self._unbroadcast(np.where(src == i, g, zero), shape, dtype)
                for i, (shape, dtype) in enumerate(specs)], {}
