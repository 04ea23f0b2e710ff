"""The base of the windowed pooling layers (`MaxPooling2D`, `AveragePooling2D`), as Keras 3's
`BasePooling`: a `pool_size` window slides with `strides` over the spatial dimensions.

The math runs in `rkeras.kernels.pooling` on the batch in its own layout (channels-last or
channels-first, no transposed copy). With `padding="same"` the window may hang over the edges
(TensorFlow's rule: `ceil(n / strides)` outputs, the padding split with the smaller half before);
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
    """Abstract N-D windowed pooling (`pool_dimensions` 1 or 2, `pool_mode` "max" or "average")."""

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
    def _as_4d(self, x, work):
        if self.pool_dimensions == 1:
            x = x[:, None, :, :] if self.data_format == "channels_last" else x[:, :, None, :]
        return np.ascontiguousarray(x, dtype=work)

    def _geometry(self, x4_shape):
        """(OH, OW, ph, pw, sh, sw, pt, pl) of the 4-D view."""
        cf = self.data_format == "channels_first"
        h, w = (x4_shape[2], x4_shape[3]) if cf else (x4_shape[1], x4_shape[2])
        ps, ss = self.pool_size, self.strides
        if self.pool_dimensions == 1:
            ps, ss = (1,) + ps, (1,) + ss
        oh, pt = window_geometry(h, ps[0], ss[0], 1, self.padding)
        ow, pl = window_geometry(w, ps[1], ss[1], 1, self.padding)
        return oh, ow, ps[0], ps[1], ss[0], ss[1], pt, pl

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        out_shape = self.compute_output_shape(x.shape)
        work = compute_dtype(x.dtype)
        cf = self.data_format == "channels_first"
        x4 = self._as_4d(x, work)
        oh, ow, ph, pw, sh, sw, pt, pl = geo = self._geometry(x4.shape)
        out4_shape = (x4.shape[0], x4.shape[1], oh, ow) if cf else (x4.shape[0], oh, ow, x4.shape[3])
        out4 = np.empty(out4_shape, dtype=work)
        if self.pool_mode == "max":
            argmax = np.empty(out4_shape, dtype=np.int64)
            kernels.max_pool_forward(x4, cf, ph, pw, sh, sw, pt, pl, out4, argmax)
            saved = argmax
        else:
            kernels.avg_pool_forward(x4, cf, ph, pw, sh, sw, pt, pl, out4)
            saved = None
        cache = (saved, x4.shape, out4_shape, geo, x.shape, x.dtype, work)
        return out4.reshape(out_shape).astype(x.dtype, copy=False), cache

    def backward(self, cache, grad_outputs):
        saved, x4_shape, out4_shape, geo, in_shape, in_dtype, work = cache
        _, _, ph, pw, sh, sw, pt, pl = geo
        cf = self.data_format == "channels_first"
        g4 = np.ascontiguousarray(np.asarray(grad_outputs), dtype=work).reshape(out4_shape)
        dx4 = np.empty(x4_shape, dtype=work)
        if self.pool_mode == "max":
            kernels.max_pool_backward(g4, saved, cf, dx4)
        else:
            kernels.avg_pool_backward(g4, cf, ph, pw, sh, sw, pt, pl, dx4)
        return dx4.reshape(in_shape).astype(in_dtype, copy=False), {}

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                       "data_format": self.data_format})
        return config
