"""Random sharpness, as Keras 3's `RandomSharpness`: in training, each image is blended with its
smoothed version (3 x 3 kernel, weights 1/13 and 5/13 at the center) by `1 - 2 u` for a draw `u`
from `factor` (u > 0.5 sharpens, u < 0.5 blurs), then clipped to `value_range`; in inference the
layer is the identity."""

import numpy as np

from ... import conventions
from .color_ops import base_factor, clip_with_mask, value_range_arg
from .filtering import filter_same
from .image_layer import RandomImageLayer


def sharpness_kernel(dtype):
    a, b = 1.0 / 13.0, 5.0 / 13.0
    return np.array([[a, a, a], [a, b, a], [a, a, a]], dtype=dtype)


class RandomSharpness(RandomImageLayer):
    """Randomly changes the sharpness of images during training; see `layer_random_sharpness()`."""

    def __init__(self, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_sharpness()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.value_range = value_range_arg(value_range)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `factor`, one per image."""
        return {"factor": self._generator.uniform(self.factor[0], self.factor[1], size=shape_cl[0])}

    def _transform(self, x, transformation):
        s = (np.asarray(transformation["factor"]) * 2).astype(x.dtype).reshape(-1, 1, 1, 1)
        kernel = sharpness_kernel(x.dtype)
        smoothed = filter_same(x, kernel)
        y, inside = clip_with_mask(x + (1.0 - s) * (smoothed - x), *self.value_range)

        def back(g):
            gz = (g * inside).astype(g.dtype, copy=False)
            return (s * gz + filter_same((1.0 - s) * gz, kernel.astype(g.dtype))).astype(g.dtype, copy=False)

        return y.astype(x.dtype, copy=False), back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
