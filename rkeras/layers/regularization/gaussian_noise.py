"""Additive zero-centered Gaussian noise, as Keras 3's `GaussianNoise` (training only)."""

import numpy as np

from ... import conventions
from ... import random as rk_random
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from .noise_draws import draw


class GaussianNoise(Layer):
    """Adds `N(0, stddev^2)` noise in training; the identity in inference; see `layer_gaussian_noise()`."""

    supports_masking = True

    def __init__(self, stddev=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_gaussian_noise()")
        accepted = "a number >= 0 (the standard deviation of the noise)"
        self.stddev = conventions.check_float(conventions.require(stddev, "stddev", accepted), "stddev",
                                              lambda v: v >= 0.0, accepted)
        self.seed = None if seed is None else conventions.as_seed(seed)
        super().__init__(**kwargs)
        self._generator = rk_random.make_generator(self.seed)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        if not training or self.stddev == 0:
            return x, x.dtype
        work = compute_dtype(x.dtype)
        noise = draw(self._generator, x.shape, "normal", work)
        y = x.astype(work, copy=False) + work.type(self.stddev) * noise.astype(work, copy=False)
        return y.astype(x.dtype, copy=False), x.dtype

    def backward(self, cache, grad_outputs):
        return np.asarray(grad_outputs).astype(cache, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
