"""Repetition of a vector input, as Keras 3's `RepeatVector`: `(batch, features)` -> `(batch, n, features)`."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array


class RepeatVector(Layer):
    """Repeats the input `n` times along a new axis 2; see `layer_repeat_vector()`."""

    def __init__(self, n=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_repeat_vector()")
        if n is None:
            raise ValueError("`n` must be given: the number of repetitions, a positive integer; received None.")
        self.n = conventions.as_integer(n, "n", minimum=1)
        super().__init__(**kwargs)

    def _check(self, shape):
        if len(shape) != 2:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank 2 (batch, features); received an input "
                             f"of shape {tuple(shape)}.")

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0], self.n, input_shape[1])

    def forward(self, inputs, training=False, mask=None):
        x = as_numeric_array(inputs, "inputs")
        self._maybe_build(x.shape)
        self._check(x.shape)
        return np.repeat(x[:, None, :], self.n, axis=1), x.dtype

    def backward(self, cache, grad_outputs):
        g = np.asarray(grad_outputs)
        return g.sum(axis=1, dtype=np.float64).astype(cache), {}

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config
