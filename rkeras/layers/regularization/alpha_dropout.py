"""Alpha dropout, as Keras 3's `AlphaDropout`: dropout that keeps the mean and variance of SELU outputs.

In training, dropped units take SELU's negative saturation value `-alpha * scale`, then the whole
output is transformed affinely, `a * x + b`, with `a = ((1 - rate) (1 + rate alpha_p^2))^-1/2` and
`b = -a alpha_p rate`, so that self-normalization holds. In inference the layer is the identity.
"""

import numpy as np

from ... import conventions
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from .noise_draws import draw

_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Applies alpha dropout to the input; see `layer_alpha_dropout()`."""

    supports_masking = True

    def __init__(self, rate=None, noise_shape=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_alpha_dropout()")
        accepted = "a number in [0, 1] (the drop probability)"
        self.rate = conventions.check_float(conventions.require(rate, "rate", accepted), "rate",
                                            lambda v: 0.0 <= v <= 1.0, accepted)
        self.noise_shape = conventions.as_noise_shape(noise_shape)
        self.seed = None if seed is None else conventions.as_seed(seed)
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _noise_shape(self, shape):
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape) or any(
                n is not None and n != 1 and n != d for n, d in zip(self.noise_shape, shape)):
            raise ValueError(f"`noise_shape` = {self.noise_shape} of layer '{self.name}' must have one entry per "
                             f"input dimension, each 1, None or the input's size; the input has shape {shape}.")
        return tuple(d if n is None else n for n, d in zip(self.noise_shape, shape))

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        if not training or self.rate == 0:
            return x, (None, x.dtype)
        work = compute_dtype(x.dtype)
        shape = self._noise_shape(x.shape)
        kept = draw(self._generator, shape, "uniform", work, batch_shared=shape[0] == 1) >= self.rate
        alpha_p = -_ALPHA * _SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        keep = np.multiply(kept, work.type(a), dtype=work)  # d output / d input
        offset = np.multiply(~kept, work.type(a * alpha_p), dtype=work) + work.type(b)
        y = x.astype(work, copy=False) * keep + offset
        return y.astype(x.dtype, copy=False), (keep, x.dtype)

    def backward(self, cache, grad_outputs):
        keep, in_dtype = cache
        g = np.asarray(grad_outputs)
        if keep is None:
            return g.astype(in_dtype, copy=False), {}
        gx = g.astype(keep.dtype, copy=False) * keep
        return gx.astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config
