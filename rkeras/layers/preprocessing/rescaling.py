"""Rescaling, as Keras 3's `Rescaling`: `inputs * scale + offset`."""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input


def _as_values(value, arg_name):
    """A number or a list of numbers (one per channel), as given (for the config) and as an array."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or isinstance(value, (bool, np.bool_, str)) or arr.ndim > 1:
        raise TypeError(f"`{arg_name}` must be a number or a list of numbers (one per channel); "
                        f"received {value!r}.")
    if arr.ndim == 0:
        return float(arr), arr
    return tuple(float(v) for v in arr), arr


class Rescaling(Layer):
    """Multiplies the inputs by `scale` and adds `offset`; see `layer_rescaling()`."""

    supports_masking = True

    def __init__(self, scale=None, offset=0.0, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_rescaling()")
        if scale is None:
            raise ValueError("`scale` must be given: the scale to apply to the inputs, a number or a list of "
                             "numbers (e.g. `layer_rescaling(scale=1/255)`); received None.")
        self.scale, self._scale = _as_values(scale, "scale")
        self.offset, self._offset = _as_values(offset, "offset")
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        work = compute_dtype(x.dtype)
        scale = self._scale.astype(work)
        y = x.astype(work, copy=False) * scale + self._offset.astype(work)
        return y.astype(x.dtype, copy=False), (x.shape, x.dtype, scale)

    def backward(self, cache, grad_outputs):
        shape, dtype, scale = cache
        g = np.asarray(grad_outputs).astype(scale.dtype, copy=False) * scale
        if g.shape != shape:  # a per-channel scale or offset broadcast the output beyond the input
            extra = g.ndim - len(shape)
            g = g.sum(axis=tuple(range(extra)), dtype=np.float64)
            g = g.sum(axis=tuple(i for i, (a, b) in enumerate(zip(g.shape, shape)) if b == 1 and a != 1),
                      keepdims=True, dtype=np.float64)
        return np.asarray(g).astype(dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale, "offset": self.offset})
        return config
