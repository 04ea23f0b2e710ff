"""Random brightness, as Keras 3's `RandomBrightness`: in training, each image is shifted by a random
fraction of `value_range`'s width (`factor` draws in [-1, 1]) and clipped to `value_range`; in
inference the layer is the identity."""

import numpy as np

from ... import conventions
from .color_ops import base_factor, clip_with_mask, value_range_arg
from .image_layer import RandomImageLayer


class RandomBrightness(RandomImageLayer):
    """Randomly adjusts brightness during training; see `layer_random_brightness()`."""

    def __init__(self, factor=None, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_brightness()")
        self.factor = base_factor(factor, "factor", (-1.0, 1.0))
        self.value_range = value_range_arg(value_range)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `rgb_delta` per image, in units of the input values."""
        delta = self._generator.uniform(self.factor[0], self.factor[1], size=(shape_cl[0], 1, 1, 1))
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def _transform(self, x, transformation):
        delta = np.asarray(transformation["rgb_delta"]).reshape(-1, 1, 1, 1).astype(x.dtype)
        y, inside = clip_with_mask(x + delta, *self.value_range)

        def back(g):
            return (g * inside).astype(g.dtype, copy=False)

        return y.astype(x.dtype, copy=False), back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
