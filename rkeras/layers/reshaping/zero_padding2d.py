"""Zero padding of images, as Keras 3's `ZeroPadding2D`: rows and columns of zeros around each image."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format


def _normalize_padding(padding) -> tuple:
    """`1`, `c(1, 2)` (rows, cols) or `list(c(top, bottom), c(left, right))` -> ((top, bottom), (left, right))."""
    accepted = ("an integer, a list of 2 integers (symmetric rows and columns padding), or a list of 2 "
                "lists of 2 integers ((top, bottom), (left, right))")

    def as_int(v):
        try:
            return conventions.as_integer(v, "padding", minimum=0)
        except TypeError:
            raise TypeError(f"`padding` must be {accepted}; received {padding!r}.") from None
        except ValueError:
            raise ValueError(f"`padding` must hold integers >= 0; received {padding!r}.") from None

    if not isinstance(padding, (list, tuple, np.ndarray)):
        p = as_int(padding)
        return ((p, p), (p, p))
    items = list(padding)
    if len(items) != 2:
        raise ValueError(f"`padding` must be {accepted}; received {padding!r}.")
    if all(not isinstance(v, (list, tuple, np.ndarray)) for v in items):
        h, w = as_int(items[0]), as_int(items[1])
        return ((h, h), (w, w))
    out = []
    for v in items:
        if not isinstance(v, (list, tuple, np.ndarray)) or len(v) != 2:
            raise ValueError(f"`padding` must be {accepted}; received {padding!r}.")
        out.append((as_int(v[0]), as_int(v[1])))
    return tuple(out)


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros at the top, bottom, left and right of images; see
    `layer_zero_padding_2d()`."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_zero_padding_2d()")
        self.padding = _normalize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)

    def _spatial_axes(self):
        return (1, 2) if self.data_format == "channels_last" else (2, 3)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 4:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank 4 (batch, rows, cols, channels for "
                             f"channels_last, batch, channels, rows, cols for channels_first); received an "
                             f"input of shape {input_shape}.")
        out = list(input_shape)
        for axis, (before, after) in zip(self._spatial_axes(), self.padding):
            if out[axis] is not None:
                out[axis] += before + after
        return tuple(out)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        widths = [(0, 0)] * 4
        for axis, pad in zip(self._spatial_axes(), self.padding):
            widths[axis] = pad
        return np.pad(x, widths), (x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        shape, dtype = cache
        g = np.asarray(grad_outputs)
        index = [slice(None)] * 4
        for axis, (before, _) in zip(self._spatial_axes(), self.padding):
            index[axis] = slice(before, before + shape[axis])
        return np.ascontiguousarray(g[tuple(index)], dtype=dtype), {}

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
