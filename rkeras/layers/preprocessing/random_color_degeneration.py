"""Random color degeneration, as Keras 3's `RandomColorDegeneration`: in training, each image is
blended toward its grayscale version by a random factor (drawn from `factor`, in [-1, 1] as Keras
allows) and clipped to `value_range`; in inference the layer is the identity."""

import numpy as np

from ... import conventions
from .color_ops import (
    base_factor,
    check_channels,
    clip_with_mask,
    grayscale,
    grayscale_backward,
    value_range_arg,
)
from .image_layer import RandomImageLayer


class RandomColorDegeneration(RandomImageLayer):
    """Randomly blends images with their grayscale versions; see `layer_random_color_degeneration()`."""

    def __init__(self, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_color_degeneration()")
        self.factor = base_factor(factor, "factor", (-1.0, 1.0))
        self.value_range = value_range_arg(value_range)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `factor`, one per image."""
        return {"factor": self._generator.uniform(self.factor[0], self.factor[1], size=(shape_cl[0], 1, 1, 1))}

    def _transform(self, x, transformation):
        check_channels(x, (1, 3), self.name)
        f = np.asarray(transformation["factor"]).reshape(-1, 1, 1, 1).astype(x.dtype)
        y, inside = clip_with_mask(x + f * (grayscale(x) - x), *self.value_range)
        channels = x.shape[-1]

        def back(g):
            gz = g * inside
            gray_grad = grayscale_backward((f * gz).sum(axis=-1, keepdims=True), channels)
            return ((1 - f) * gz + gray_grad).astype(g.dtype, copy=False)

        return y.astype(x.dtype, copy=False), back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
