"""The base of the elementwise merge layers (`Add`, `Multiply`), as Keras 3's `Merge`.

The layer is called on a list of tensors. Inputs of lower rank are expanded after the batch axis
(Keras' rule), then the usual broadcasting applies (a dimension of size 1 stretches). The output
has the inputs' common float type (float16 computed in float32); each input gradient is summed back
over the dimensions that were broadcast.

Masks (a list with one entry per input, each None or a boolean (batch, steps) array): the output
mask is the logical OR of the inputs' masks when every input has one, else None (Keras 3).
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input


class Merge(Layer):
    """Abstract elementwise merge of a list of tensors."""

    supports_masking = True

    def __init__(self, **kwargs):
        conventions.check_kwargs(kwargs, where=f"{self._r_name()}()")
        super().__init__(**kwargs)

    @classmethod
    def _r_name(cls) -> str:
        return "layer_" + cls._default_name()

    # ----------------------------------------------------------------------------- shapes
    def _check_list(self, shapes):
        if not isinstance(shapes, (list, tuple)) or not shapes or not all(
                isinstance(s, (list, tuple)) for s in shapes):
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of at least one "
                             f"tensor, e.g. `{self._r_name()}(list(x, y))` / `{self._r_name()}([x, y])`; received "
                             f"input shape(s) {shapes!r}.")
        return [tuple(s) for s in shapes]

    def compute_output_shape(self, input_shape):
        shapes = self._check_list(input_shape)
        if any(len(s) < 1 for s in shapes):
            raise ValueError(f"Layer '{self.name}': every input needs a batch dimension; received shapes {shapes}.")
        batch = {s[0] for s in shapes} - {None}
        if len(batch) > 1:
            raise ValueError(f"Layer '{self.name}' cannot merge tensors with different batch sizes; received "
                             f"shapes {shapes}.")
        rank = max(len(s) for s in shapes)
        out = [None] * (rank - 1)
        known = [False] * (rank - 1)
        for s in shapes:
            dims = (1,) * (rank - len(s)) + s[1:]  # expanded after the batch axis
            for a, d in enumerate(dims):
                if d is None or d == 1:
                    if not known[a] and d is None:
                        out[a] = None
                    continue
                if known[a] and out[a] != d:
                    raise ValueError(f"Layer '{self.name}': inputs of shapes {shapes} cannot be merged elementwise "
                                     f"(dimensions {out[a]} and {d} differ; only a dimension of size 1 can stretch).")
                out[a], known[a] = d, True
        for a in range(rank - 1):
            if not known[a] and all(((1,) * (rank - len(s)) + s[1:])[a] == 1 for s in shapes):
                out[a] = 1
        return (batch.pop() if batch else None,) + tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    # ----------------------------------------------------------------------------- masks
    def _check_masks(self, inputs, mask):
        """`mask` as a list with one entry per input (None, or a boolean array of the input's rank - 1)."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise TypeError(f"`mask` of layer '{self.name}' must be a list with one entry (None or a boolean "
                             f"array) per input; received {type(mask).__name__}.")
        if len(mask) != len(inputs):
            raise ValueError(f"`mask` of layer '{self.name}' must have one entry per input ({len(inputs)}); "
                             f"received {len(mask)}.")
        out = []
        for x, m in zip(inputs, mask):
            if m is None:
                out.append(None)
                continue
            m = np.asarray(m)
            if m.dtype.kind not in "biuf" or m.shape != tuple(np.shape(x))[:-1]:
                raise ValueError(f"A mask of layer '{self.name}' has shape {m.shape} (dtype {m.dtype}); it must "
                                 f"be boolean of its input's shape without the last axis, "
                                 f"{tuple(np.shape(x))[:-1]}.")
            out.append(m != 0)
        return out

    def compute_mask(self, inputs, mask):
        masks = self._check_masks(inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        out = masks[0]
        for m in masks[1:]:
            out = out | m
        return out

    # ----------------------------------------------------------------------------- math
    def _float_inputs(self, inputs):
        """The inputs as float arrays, checked (a list, shapes the layer accepts) and the layer built."""
        if not isinstance(inputs, (list, tuple)):
            self._check_list(getattr(inputs, "shape", inputs))
        xs = [float_input(as_numeric_array(x, "inputs"), self.dtype) for x in inputs]
        shapes = [x.shape for x in xs]
        self._maybe_build(shapes)
        self.compute_output_shape(shapes)
        return xs

    def _prepare(self, inputs):
        """Inputs as float arrays of a common rank, the work dtype and the output dtype."""
        xs = self._float_inputs(inputs)
        out_dtype = np.result_type(*[x.dtype for x in xs])
        work = compute_dtype(out_dtype)
        rank = max(x.ndim for x in xs)
        expanded = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]).astype(work, copy=False)
                    for x in xs]
        return xs, expanded, work, out_dtype

    @staticmethod
    def _unbroadcast(g, shape, dtype):
        """Sum `g` over the axes that broadcasting stretched, back to an input's `shape` and `dtype`."""
        expanded = shape[:1] + (1,) * (g.ndim - len(shape)) + shape[1:]
        axes = tuple(a for a, (d, e) in enumerate(zip(g.shape, expanded)) if e == 1 and d != 1)
        if axes:
            g = g.sum(axis=axes, keepdims=True, dtype=np.float64)  # a gradient reduction: float64
        return np.ascontiguousarray(g.reshape(shape), dtype=dtype)
