"""The base of the global pooling layers, as Keras 3's `BaseGlobalPooling`: one value per channel,
the average or the max over every spatial position (plain numpy reductions)."""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from ..convolutional.conv_utils import standardize_data_format


class BaseGlobalPooling(Layer):
    """Abstract global pooling over `pool_dimensions` spatial axes (`pool_mode` "average" or "max")."""

    pool_dimensions = None
    pool_mode = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        n = self.pool_dimensions
        conventions.check_kwargs(kwargs, where=f"layer_global_{self.pool_mode}_pooling_{n}d()")
        self.data_format = standardize_data_format(data_format)
        self.keepdims = conventions.as_bool(keepdims, "keepdims")
        super().__init__(**kwargs)

    def _axes(self) -> tuple:
        n = self.pool_dimensions
        return tuple(range(1, n + 1)) if self.data_format == "channels_last" else tuple(range(2, n + 2))

    def _check_rank(self, shape):
        n = self.pool_dimensions
        if len(shape) != n + 2:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {n + 2} (batch, {n} spatial "
                             f"dimension{'s' if n > 1 else ''} and channels, data_format='{self.data_format}'); "
                             f"received an input of shape {tuple(shape)}.")

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_rank(input_shape)
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if a in axes else d for a, d in enumerate(input_shape))
        return tuple(d for a, d in enumerate(input_shape) if a not in axes)

    def _prepare(self, inputs):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self._check_rank(x.shape)
        return x, x.astype(compute_dtype(x.dtype), copy=False)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class BaseGlobalAveragePooling(BaseGlobalPooling):
    """Average over the spatial axes (the gradient is spread evenly over them)."""

    pool_mode = "average"

    def forward(self, inputs, training=False, mask=None):
        x, xw = self._prepare(inputs)
        axes = self._axes()
        y = xw.mean(axis=axes, keepdims=True, dtype=np.float64)  # numpy adds strided axes naively in float32
        out_shape = self.compute_output_shape(x.shape)
        return y.reshape(out_shape).astype(x.dtype, copy=False), (x.shape, x.dtype, xw.dtype, None)

    def backward(self, cache, grad_outputs):
        shape, in_dtype, work, weights = cache
        axes = self._axes()
        kept = tuple(1 if a in axes else d for a, d in enumerate(shape))
        g = np.asarray(grad_outputs).astype(work, copy=False).reshape(kept)
        if weights is None:
            count = int(np.prod([shape[a] for a in axes]))
            dx = np.broadcast_to(g / work.type(count), shape)
        else:
            dx = g * weights
        return np.array(dx, dtype=in_dtype), {}


class BaseGlobalMaxPooling(BaseGlobalPooling):
    """Max over the spatial axes; the gradient is shared evenly by the cells equal to the max (as
    TensorFlow's and JAX's `reduce_max` gradients)."""

    pool_mode = "max"

    def forward(self, inputs, training=False, mask=None):
        x, xw = self._prepare(inputs)
        axes = self._axes()
        y = xw.max(axis=axes, keepdims=True)
        out_shape = self.compute_output_shape(x.shape)
        return y.reshape(out_shape).astype(x.dtype, copy=False), (xw, y, x.dtype)

    def backward(self, cache, grad_outputs):
        xw, y, in_dtype = cache
        axes = self._axes()
        hits = xw == y
        count = np.maximum(hits.sum(axis=axes, keepdims=True), 1).astype(xw.dtype)
        g = np.asarray(grad_outputs).astype(xw.dtype, copy=False).reshape(y.shape)
        return (hits * (g / count)).astype(in_dtype, copy=False), {}
