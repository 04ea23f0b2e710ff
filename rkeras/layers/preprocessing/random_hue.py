"""Random hue, as Keras 3's `RandomHue`: in training, each image (rescaled to [0, 1]) is converted to
HSV, its hue turned by a random amount (half of a draw from `factor`, in either direction), and
converted back, clipped and rescaled; in inference the layer is the identity. The gradient is the
exact Jacobian of that per-pixel map (see `kernels.hsv`)."""

import numpy as np

from ... import conventions
from ...kernels.hsv import MODE_HUE
from .color_ops import (
    base_factor,
    check_channels,
    hsv_backward,
    hsv_to_rgb,
    rgb_to_hsv,
    transform_value_range,
    value_range_arg,
)
from .image_layer import RandomImageLayer


class RandomHue(RandomImageLayer):
    """Randomly shifts the hue of RGB images during training; see `layer_random_hue()`."""

    def __init__(self, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_hue()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.value_range = value_range_arg(value_range, sort=False)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `factor`, the hue shift per image (a turn is 1)."""
        n = shape_cl[0]
        direction = np.where(self._generator.uniform(size=n) > 0.5, -1.0, 1.0)
        return {"factor": direction * self._generator.uniform(self.factor[0], self.factor[1], size=n) * 0.5}

    def _pixel_map(self, v, transformation, dtype):
        """The per-pixel map of images of `dtype`; `v` may be complex (the gradient's complex steps)."""
        shift = np.asarray(transformation["factor"]).reshape(-1, 1, 1).astype(dtype)
        value_range = self.value_range
        t = transform_value_range(v, value_range, (0.0, 1.0))
        hsv = rgb_to_hsv(t, np.finfo(dtype).eps)
        h = hsv[..., 0] + shift
        h = np.where(h.real > 1.0, h - 1.0, h)
        h = np.where(h.real < 0.0, h + 1.0, h)
        rgb = hsv_to_rgb(np.stack([h, hsv[..., 1], hsv[..., 2]], axis=-1).astype(v.dtype, copy=False))
        rgb = np.where(rgb.real < 0.0, 0.0, np.where(rgb.real > 1.0, 1.0, rgb))
        return transform_value_range(rgb, (0.0, 1.0), value_range).astype(v.dtype, copy=False)

    def _transform(self, x, transformation):
        check_channels(x, (3,), self.name)
        params = np.asarray(transformation["factor"]).astype(x.dtype).astype(np.float64).reshape(-1)
        back = hsv_backward(MODE_HUE, x, params, self.value_range, np.finfo(x.dtype).eps)
        return self._pixel_map(x, transformation, x.dtype), back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
