"""Dot product of two tensors per sample, as Keras 3's `Dot` (`batch_dot`, optional L2 normalization).

`axes` are Keras' axis numbers, the batch dimension being 0 (R keras3 passes them unchanged): one
integer for both inputs or one per input; negative values count from the end. The output shape is
the first input's shape without the batch dimension and its contracted axis, then the second's; a
result with only the batch dimension gets a trailing 1 (`(batch, 1)`). With `normalize`, each input
is first divided by its L2 norm along its axis (`x * min(1 / ||x||, 1e7)`, Keras' `normalize`).
"""

import numpy as np

from ... import conventions
from .base_merge import Merge

_EPSILON = 1e-7  # Keras' backend.epsilon()


class Dot(Merge):
    """Per-sample dot product of two inputs along `axes`; see `layer_dot()`."""

    def __init__(self, axes=None, normalize=False, **kwargs):
        if axes is None:
            raise ValueError("`axes` must be given: an integer or a list of two integers (Keras numbering, "
                             "batch = 0); received None.")
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(f"`axes` must be an integer or a list of 2 integers; received {axes!r}.")
            self.axes = [conventions.as_integer(a, "axes") for a in axes]
        else:
            self.axes = conventions.as_integer(axes, "axes")
        self.normalize = conventions.as_bool(normalize, "normalize")
        super().__init__(**kwargs)

    def _resolve(self, shapes):
        if len(shapes) != 2:
            raise ValueError(f"Layer '{self.name}' (Dot) must be called on exactly 2 inputs; received "
                             f"{len(shapes)} (shapes {shapes}).")
        axes = self.axes if isinstance(self.axes, list) else [self.axes] * 2
        out = []
        for a, s in zip(axes, shapes):
            r = a % len(s) if a < 0 else a
            if not 1 <= r < len(s):
                raise ValueError(f"`axes` = {self.axes!r} of layer '{self.name}' is out of range for inputs of "
                                 f"shapes {shapes} (the batch axis 0 cannot be contracted).")
            out.append(r)
        d1, d2 = shapes[0][out[0]], shapes[1][out[1]]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Layer '{self.name}': incompatible input shapes {shapes} for the dot product along "
                             f"axes {out} (sizes {d1} and {d2}).")
        return out

    def compute_output_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        a1, a2 = self._resolve(shapes)
        s1, s2 = list(shapes[0]), list(shapes[1])
        del s1[a1], s2[a2]
        batch = {s1[0], s2[0]} - {None}
        out = [batch.pop() if batch else None] + s1[1:] + s2[1:]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def compute_mask(self, inputs, mask):
        return None

    def forward(self, inputs, training=False, mask=None):
        xs, _, work, out_dtype = self._prepare(inputs)
        a1, a2 = self._resolve([x.shape for x in xs])
        x1, x2 = (x.astype(work, copy=False) for x in xs)
        norms = [None, None]
        if self.normalize:
            norms = [_inverse_norm(x1, a1), _inverse_norm(x2, a2)]
            x1, x2 = x1 * norms[0][0], x2 * norms[1][0]
        # (batch, rest1, k) x (batch, k, rest2) as one batched BLAS product
        m1 = np.moveaxis(x1, a1, -1)
        m2 = np.moveaxis(x2, a2, 1)
        r1, r2 = m1.shape[1:-1], m2.shape[2:]
        k = m1.shape[-1]
        b = m1.shape[0]
        y = np.matmul(m1.reshape(b, -1, k), m2.reshape(b, k, -1)).reshape((b,) + r1 + r2)
        if y.ndim == 1:
            y = y.reshape(b, 1)
        cache = (x1, x2, a1, a2, norms, [(x.shape, x.dtype) for x in xs])
        return y.astype(out_dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        x1, x2, a1, a2, norms, specs = cache
        b = x1.shape[0]
        m1, m2 = np.moveaxis(x1, a1, -1), np.moveaxis(x2, a2, 1)
        r1, r2, k = m1.shape[1:-1], m2.shape[2:], m1.shape[-1]
        n1, n2 = int(np.prod(r1, dtype=np.int64)), int(np.prod(r2, dtype=np.int64))
        g = np.asarray(grad_outputs).astype(x1.dtype, copy=False).reshape(b, n1, n2)
        g1 = np.matmul(g, m2.reshape(b, k, n2).transpose(0, 2, 1)).reshape(m1.shape)
        g2 = np.matmul(m1.reshape(b, n1, k).transpose(0, 2, 1), g).reshape(m2.shape)
        g1, g2 = np.moveaxis(g1, -1, a1), np.moveaxis(g2, 1, a2)
        if self.normalize:
            g1 = _normalize_backward(x1, g1, a1, *norms[0])
            g2 = _normalize_backward(x2, g2, a2, *norms[1])
        return [np.ascontiguousarray(g1, dtype=specs[0][1]), np.ascontiguousarray(g2, dtype=specs[1][1])], {}

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _inverse_norm(x, axis):
    """(min(1 / ||x||, 1 / eps) along `axis`, whether it was clipped)."""
    square_sum = np.sum(x * x, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.sqrt(square_sum)
    clipped = inv >= 1.0 / _EPSILON
    return np.minimum(inv, x.dtype.type(1.0 / _EPSILON)), clipped


def _normalize_backward(u, g, axis, inv, clipped):
    """Gradient through `u = x * inv(x)`; `u` is the normalized input. Where the norm was clipped the
    scale is a constant."""
    proj = u * np.sum(u * g, axis=axis, keepdims=True)
    return np.where(clipped, g * inv, (g - proj) * inv)
