"""The base of the windowed pooling layers (`MaxPooling1D/2D/3D`, `AveragePooling1D/2D/3D`), as Keras 3's
`BasePooling`: a `pool_size` window slides with `strides` over the spatial dimensions.

The math runs in `rkeras.kernels.pooling` on the batch in its own layout (channels-last or
channels-first, no transposed copy), viewed as 5-D (a depth, and for 1-D a height, of 1). With
`padding="same"` the window may hang over the edges (TensorFlow's rule: `ceil(n / strides)` outputs, the padding split with the smaller half before);
cells outside the input are ignored: max pooling takes the max of the valid cells and average
pooling divides by their number, as Keras does.
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ...kernels import pooling as kernels
from ..convolutional.conv_utils import (
    output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
    window_geometry,
)


class BasePooling(Layer):
    """Abstract N-D windowed pooling (`pool_dimensions` 1, 2 or 3, `pool_mode` "max" or "average")."""

    pool_dimensions = None
    pool_mode = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        n = self.pool_dimensions
        conventions.check_kwargs(kwargs, where=f"layer_{self.pool_mode}_pooling_{n}d()")
        self.pool_size = standardize_tuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else standardize_tuple(strides, n, "strides")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)

    # ----------------------------------------------------------------------------- shapes
    def _spatial(self, shape) -> tuple:
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = self.pool_dimensions
        if len(input_shape) != n + 2:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {n + 2} (batch, {n} spatial "
                             f"dimension{'s' if n > 1 else ''} and channels, data_format='{self.data_format}'); "
                             f"received an input of shape {input_shape}.")
        spatial = tuple(output_length(d, p, s, 1, self.padding, self.name, input_shape)
                        for d, p, s in zip(self._spatial(input_shape), self.pool_size, self.strides))
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (input_shape[-1],)
        return input_shape[:2] + spatial

    # ----------------------------------------------------------------------------- math
    def _as_5d(self, x, work):
        """`x` as a contiguous 5-D batch: 2-D pooling gets a depth of 1, 1-D pooling also a height of 1."""
        missing = 3 - self.pool_dimensions
        first = 1 if self.data_format == "channels_last" else 2
        x = x.reshape(x.shape[:first] + (1,) * missing + x.shape[first:])
        return np.ascontiguousarray(x, dtype=work)

    def _geometry(self, x5_shape):
        """((OD, OH, OW), window, strides, paddings before) of the 5-D view."""
        missing = 3 - self.pool_dimensions
        spatial = x5_shape[2:] if self.data_format == "channels_first" else x5_shape[1:4]
        ps, ss = (1,) * missing + self.pool_size, (1,) * missing + self.strides
        dims = [window_geometry(n, p, s, 1, self.padding) for n, p, s in zip(spatial, ps, ss)]
        return tuple(o for o, _ in dims), ps, ss, tuple(p for _, p in dims)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        out_shape = self.compute_output_shape(x.shape)
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x5 = self._as_5d(x, work)
        out_sp, ps, ss, pads = geo = self._geometry(x5.shape)
        out5_shape = x5.shape[:2] + out_sp if cf else (x5.shape[0],) + out_sp + (x5.shape[4],)
        out5 = np.empty(out5_shape, dtype=work)
        if self.pool_mode == "max":
            argmax = np.empty(out5_shape, dtype=np.int64)
            kernels.max_pool_forward(x5, cf, *ps, *ss, *pads, out5, argmax)
            saved = argmax
        else:
            kernels.avg_pool_forward(x5, cf, *ps, *ss, *pads, out5)
            saved = None
        cache = (saved, x5.shape, out5_shape, geo, x.shape, x.dtype, work)
        return out5.reshape(out_shape).astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        saved, x5_shape, out5_shape, geo, in_shape, in_dtype, work = cache
        _, ps, ss, pads = geo
        cf = self.data_format == "channels_first"
        g5 = np.ascontiguousarray(np.asarray(grad_outputs), dtype=work).reshape(out5_shape)
        dx5 = np.empty(x5_shape, dtype=work)
        if self.pool_mode == "max":
            kernels.max_pool_backward(g5, saved, cf, dx5)
        else:
            kernels.avg_pool_backward(g5, cf, *ps, *ss, *pads, dx5)
        return dx5.reshape(in_shape).astype(in_dtype, copy=False), {}

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                       "data_format": self.data_format})
        return config
