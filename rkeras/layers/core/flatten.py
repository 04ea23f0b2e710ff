"""`Flatten`: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...), as Keras 3's `Flatten`.

With `data_format="channels_first"` the channels axis (the second) is moved last before
flattening, so the flattened order matches the one of the same data stored channels-last.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input

_FORMATS = ("channels_last", "channels_first")


class Flatten(Layer):
    """Flattens the input (batch dimension kept); see `layer_flatten()`."""

    def __init__(self, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_flatten()")
        if data_format is None:
            data_format = "channels_last"
        if data_format not in _FORMATS:
            raise ValueError(f"`data_format` must be None, 'channels_last' or 'channels_first'; received "
                             f"{data_format!r}.")
        self.data_format = data_format
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 1:
            raise ValueError(f"Layer '{self.name}' needs inputs with a batch dimension; received shape "
                             f"{input_shape}.")
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)

    def _permutation(self, ndim):
        if self.data_format == "channels_first" and ndim > 2:
            return (0,) + tuple(range(2, ndim)) + (1,)
        return None

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)  # rank >= 1
        perm = self._permutation(x.ndim)
        moved = x if perm is None else np.transpose(x, perm)
        size = int(np.prod(x.shape[1:], dtype=np.int64))
        return moved.reshape(x.shape[0], size), (x.shape, perm)

    def backward(self, cache, grad_outputs):
        shape, perm = cache
        g = np.asarray(grad_outputs)
        if perm is None:
            return g.reshape(shape), {}
        moved_shape = tuple(shape[a] for a in perm)
        return np.transpose(g.reshape(moved_shape), np.argsort(perm)), {}

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
