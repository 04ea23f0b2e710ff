"""Multiplicative one-centered Gaussian noise, as Keras 3's `GaussianDropout` (training only)."""

import math

import numpy as np

from ... import conventions
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from .noise_draws import draw


class GaussianDropout(Layer):
    """Multiplies by `N(1, rate / (1 - rate))` noise in training; see `layer_gaussian_dropout()`."""

    supports_masking = True

    def __init__(self, rate=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_gaussian_dropout()")
        accepted = "a number in [0, 1] (the drop probability)"
        self.rate = conventions.check_float(conventions.require(rate, "rate", accepted), "rate",
                                            lambda v: 0.0 <= v <= 1.0, accepted)
        self.seed = None if seed is None else conventions.as_seed(seed)
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        if not training or self.rate == 0:
            return x, (None, x.dtype)
        work = compute_dtype(x.dtype)
        with np.errstate(divide="ignore"):
            stddev = math.sqrt(self.rate / (1.0 - self.rate)) if self.rate < 1 else math.inf
        noise = draw(self._generator, x.shape, "normal", work).astype(work, copy=False)
        factor = noise * work.type(stddev) + work.type(1)
        y = x.astype(work, copy=False) * factor
        return y.astype(x.dtype, copy=False), (factor, x.dtype)

    def backward(self, cache, grad_outputs):
        factor, in_dtype = cache
        g = np.asarray(grad_outputs)
        if factor is None:
            return g.astype(in_dtype, copy=False), {}
        return (g.astype(factor.dtype, copy=False) * factor).astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
