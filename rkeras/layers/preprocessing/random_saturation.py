"""Random saturation, as Keras 3's `RandomSaturation`: in training, each image is converted to HSV,
its saturation multiplied by `u / (1 - u + 1e-7)` for a draw `u` from `factor` (so `u = 0.5` keeps
it, `u = 0` removes it) and clipped to `value_range` (as Keras does, on the saturation itself), and
converted back; in inference the layer is the identity. The gradient is the exact Jacobian of that
per-pixel map (see `kernels.hsv`)."""

import numpy as np

from ... import conventions
from ...kernels.hsv import MODE_SATURATION
from .color_ops import base_factor, check_channels, hsv_backward, hsv_to_rgb, rgb_to_hsv, value_range_arg
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

    def _pixel_map(self, v, transformation, dtype):
        """The per-pixel map of images of `dtype`; `v` may be complex (the gradient's complex steps)."""
        factor = np.asarray(transformation["factor"]).reshape(-1, 1, 1).astype(dtype)
        low, high = self.value_range
        hsv = rgb_to_hsv(v, np.finfo(dtype).eps)
        s = hsv[..., 1] * factor
        s = np.where(s.real < low, low, np.where(s.real > high, high, s))
        return hsv_to_rgb(np.stack([hsv[..., 0], s, hsv[..., 2]], axis=-1).astype(v.dtype, copy=False))

    def _transform(self, x, transformation):
        check_channels(x, (3,), self.name)
        params = np.asarray(transformation["factor"]).astype(x.dtype).astype(np.float64).reshape(-1)
        back = hsv_backward(MODE_SATURATION, x, params, self.value_range, np.finfo(x.dtype).eps)
        return self._pixel_map(x, transformation, x.dtype), back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
