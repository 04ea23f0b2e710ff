"""Concatenation of a list of tensors along one axis, as Keras 3's `Concatenate`."""

import numpy as np

from ... import conventions
from .base_merge import Merge


class Concatenate(Merge):
    """Concatenates a list of inputs along `axis`; see `layer_concatenate()`.

    `axis` is R-style: a positive `axis = k` is the k-th dimension counted from 1 *including the batch
    dimension*; a negative axis counts from the end (`-1`, the default, is the last). The batch
    dimension itself cannot be the axis. Every other dimension must agree between the inputs.

    Masks, as Keras 3: when some input has a mask, an input without one counts as unmasked
    everywhere; the masks, broadcast over their input's last axis, are concatenated along `axis`,
    and the output mask is their `any` over the last axis.
    """

    r_axis_config_keys = ("axis",)

    def __init__(self, axis=-1, **kwargs):
        self.axis = conventions.validate_r_axis(axis, "axis")
        if isinstance(self.axis, (list, tuple)):
            raise TypeError(f"`axis` must be a single integer (R style: 1-based including the batch dimension, "
                            f"or negative from the end); received {axis!r}.")
        super().__init__(**kwargs)

    def _numpy_axis(self, rank: int) -> int:
        (axis,) = conventions.resolve_axes(self.axis, rank, "axis")
        if axis == 0:
            raise ValueError(f"Layer '{self.name}' cannot concatenate along the batch dimension (axis = "
                             f"{self.axis!r} on inputs of rank {rank}); use an axis >= 2 or a negative axis.")
        return axis

    def compute_output_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            raise ValueError(f"Layer '{self.name}' needs inputs of one rank; received shapes {shapes}.")
        rank = ranks.pop()
        axis = self._numpy_axis(rank)
        out = list(shapes[0])
        for a in range(rank):
            dims = [s[a] for s in shapes]
            if a == axis:
                out[a] = None if any(d is None for d in dims) else sum(dims)
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ValueError(f"Layer '{self.name}' needs inputs whose shapes match except along the "
                                 f"concatenation axis (axis = {self.axis!r}); received shapes {shapes}.")
            out[a] = known.pop() if known else None
        return tuple(out)

    def compute_mask(self, inputs, mask):
        masks = self._check_masks(inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        axis = self._numpy_axis(np.ndim(inputs[0]))
        full = [np.ones(np.shape(x), dtype=bool) if m is None else np.broadcast_to(m[..., None], np.shape(x))
                for x, m in zip(inputs, masks)]
        return np.any(np.concatenate(full, axis=axis), axis=-1)

    def forward(self, inputs, training=False, mask=None):
        xs = self._float_inputs(inputs)
        self._check_masks(xs, mask)
        out_dtype = np.result_type(*[x.dtype for x in xs])
        axis = self._numpy_axis(xs[0].ndim)
        y = np.concatenate([x.astype(out_dtype, copy=False) for x in xs], axis=axis)
        return y, (axis, [(x.shape, x.dtype) for x in xs])

    def backward(self, cache, grad_outputs):
        axis, specs = cache
        g = np.asarray(grad_outputs)
        bounds = np.cumsum([shape[axis] for shape, _ in specs])[:-1]
        return [np.ascontiguousarray(part, dtype=dtype) for part, (_, dtype) in
                zip(np.split(g, bounds, axis=axis), specs)], {}

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
