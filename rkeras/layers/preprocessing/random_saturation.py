"""Random saturation, as Keras 3's `RandomSaturation`: in training, each image is converted to HSV,
its saturation multiplied by `u / (1 - u + 1e-7)` for a draw `u` from `factor` (so `u = 0.5` keeps
it, `u = 0` removes it) and clipped to `value_range` (as Keras does, on the saturation itself), and
converted back; in inference the layer is the identity. The gradient is the exact Jacobian of that
per-pixel map (see `color_ops.pixel_map`)."""

import numpy as np

from ... import conventions
from .color_ops import base_factor, check_channels, hsv_to_rgb, pixel_map, rgb_to_hsv, value_range_arg
from .image_layer import RandomImageLayer

EPSILON = 1e-7  # keras.config.epsilon()


class RandomSaturation(RandomImageLayer):
    """Randomly changes the saturation of RGB images during training; see `layer_random_saturation()`."""

    def __init__(self, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_saturation()")
        self.factor = base_factor(factor, "factor", (-1.0, 1.0))
        self.value_range = value_range_arg(value_range)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `factor`, the saturation multiplier per image."""
        u = self._generator.uniform(self.factor[0], self.factor[1], size=shape_cl[0])
        return {"factor": u / (1.0 - u + EPSILON)}

    def _transform(self, x, transformation):
        check_channels(x, (3,), self.name)
        factor = np.asarray(transformation["factor"]).reshape(-1, 1, 1).astype(x.dtype)
        eps = np.finfo(x.dtype).eps
        low, high = self.value_range

        def saturation_map(v):
            hsv = rgb_to_hsv(v, eps)
            s = hsv[..., 1] * factor
            s = np.where(s.real < low, low, np.where(s.real > high, high, s))
            return hsv_to_rgb(np.stack([hsv[..., 0], s, hsv[..., 2]], axis=-1).astype(v.dtype, copy=False))

        return pixel_map(saturation_map, x)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
