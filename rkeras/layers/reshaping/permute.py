"""Permutation of the non-batch dimensions, as Keras 3's `Permute`."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array


class Permute(Layer):
    """Permutes the dimensions of the input according to `dims`; see `layer_permute()`.

    `dims` is a permutation of `1..k` for inputs of rank `k + 1`: indexing starts at 1 with the first
    dimension after the batch one (Keras and R alike). `dims = c(2, 1)` swaps the first and second
    dimensions of each sample.
    """

    def __init__(self, dims=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_permute()")
        if dims is None:
            raise ValueError("`dims` must be given: a permutation of 1..k (the dimensions after the batch "
                             "one); received None.")
        items = list(dims) if isinstance(dims, (list, tuple)) else [dims]
        self.dims = tuple(conventions.as_integer(d, "dims") for d in items)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"`dims` must be a permutation of the integers 1..{len(self.dims)} (indexing starts at "
                             f"1 after the batch dimension); received {dims!r}.")
        super().__init__(**kwargs)

    def _check(self, shape):
        if len(shape) != len(self.dims) + 1:
            raise ValueError(f"Layer '{self.name}' with dims = {self.dims} expects inputs of rank "
                             f"{len(self.dims) + 1}; received an input of shape {tuple(shape)}.")

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def forward(self, inputs, training=False, mask=None):
        x = as_numeric_array(inputs, "inputs")
        self._maybe_build(x.shape)
        self._check(x.shape)
        return np.ascontiguousarray(np.transpose(x, (0,) + self.dims)), x.dtype

    def backward(self, cache, grad_outputs):
        inverse = np.argsort((0,) + self.dims)
        return np.ascontiguousarray(np.transpose(np.asarray(grad_outputs), inverse), dtype=cache), {}

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config
