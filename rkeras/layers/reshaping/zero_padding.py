"""What `ZeroPadding2D` and `ZeroPadding3D` share: `(before, after)` zeros along each spatial axis;
the gradient is the slice of the output gradient at the input's positions."""

import numpy as np

from ...core.layer import Layer, as_numeric_array, float_input


class BaseZeroPadding(Layer):
    """Abstract zero padding of `rank` spatial axes; subclasses set `self.padding` (one pair per axis)
    and `self.data_format`."""

    rank = None

    def _spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = self.rank + 2
        if len(input_shape) != n:
            dims = {2: "rows, cols", 3: "depth, rows, cols"}[self.rank]
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {n} (batch, {dims}, channels for "
                             f"channels_last, batch, channels, {dims} for channels_first); received an "
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
        widths = [(0, 0)] * x.ndim
        for axis, pad in zip(self._spatial_axes(), self.padding):
            widths[axis] = pad
        return np.pad(x, widths), (x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        shape, dtype = cache
        g = np.asarray(grad_outputs)
        index = [slice(None)] * len(shape)
        for axis, (before, _) in zip(self._spatial_axes(), self.padding):
            index[axis] = slice(before, before + shape[axis])
        return np.ascontiguousarray(g[tuple(index)], dtype=dtype), {}

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
