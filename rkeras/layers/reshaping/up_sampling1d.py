"""Upsampling of sequences, as Keras 3's `UpSampling1D`: each step repeated `size` times."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input
from .spatial_pairs import check_rank


class UpSampling1D(Layer):
    """Repeats each step of `(batch, steps, features)` inputs `size` times; see `layer_upsampling_1d()`.

    The gradient of a step is the sum of the gradients of its copies."""

    def __init__(self, size=2, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_upsampling_1d()")
        self.size = conventions.as_integer(size, "size", minimum=1)
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        out = list(check_rank(self, input_shape, 3, "(batch, steps, features)"))
        if out[1] is not None:
            out[1] *= self.size
        return tuple(out)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self.compute_output_shape(x.shape)
        return np.repeat(x, self.size, axis=1), (x.shape, x.dtype)

    def backward(self, cache, grad_outputs):
        (n, steps, f), dtype = cache
        g = np.asarray(grad_outputs).reshape(n, steps, self.size, f)
        return g.sum(axis=2, dtype=np.float64).astype(dtype), {}

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config
