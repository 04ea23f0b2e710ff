"""Zero padding of sequences, as Keras 3's `ZeroPadding1D`: zeros before and after the steps."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format
from .spatial_pairs import check_rank, normalize_pairs


class ZeroPadding1D(Layer):
    """Adds zeros at the start and the end of each sequence; see `layer_zero_padding_1d()`."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_zero_padding_1d()")
        self.padding = normalize_pairs(padding, 1, "padding")[0]
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)

    @property
    def _axis(self):
        return 1 if self.data_format == "channels_last" else 2

    def compute_output_shape(self, input_shape):
        layout = ("(batch, steps, features)" if self.data_format == "channels_last"
                  else "(batch, features, steps)")
        out = list(check_rank(self, input_shape, 3, layout))
        if out[self._axis] is not None:
            out[self._axis] += sum(self.padding)
        return tuple(out)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        widths = [(0, 0)] * 3
        widths[self._axis] = self.padding
        return np.pad(x, widths), (x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        shape, dtype = cache
        index = [slice(None)] * 3
        index[self._axis] = slice(self.padding[0], self.padding[0] + shape[self._axis])
        return np.ascontiguousarray(np.asarray(grad_outputs)[tuple(index)], dtype=dtype), {}

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
