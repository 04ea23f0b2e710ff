"""Auto contrast, as Keras 3's `AutoContrast`: each image's channels are stretched linearly so that
their minimum maps to the low end of `value_range` and their maximum to the high end. Active in
training and inference alike (as Keras); a constant channel is returned unchanged. Each channel of
each image is stretched on its own whatever the data format (Keras 3 reduces over axes 1 and 2,
which for channels-first input are the channels and rows)."""

import numpy as np

from ... import conventions
from .color_ops import transform_value_range, value_range_arg, value_range_scale
from .image_layer import RandomImageLayer


class AutoContrast(RandomImageLayer):
    """Stretches each image's channels over `value_range`; see `layer_auto_contrast()`."""

    def __init__(self, value_range=(0, 255), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_auto_contrast()")
        self.value_range = value_range_arg(value_range)
        self.seed = None  # deterministic: no generator
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def forward(self, inputs, training=False, mask=None):
        return super().forward(inputs, training=True, mask=mask)

    def _random_transformation(self, shape_cl):
        return None

    def _transform(self, x, transformation):
        t = transform_value_range(x, self.value_range, (0.0, 255.0))
        low = t.min(axis=(1, 2), keepdims=True)
        high = t.max(axis=(1, 2), keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 255.0 / (high - low)
            offset = -low * scale
            u = t * scale + offset
        r = np.clip(u, 0.0, 255.0)
        y = transform_value_range(r, (0.0, 255.0), self.value_range)
        constant = np.isnan(y)
        y = np.where(constant, x, y).astype(x.dtype, copy=False)
        inside = (u >= 0.0) & (u <= 255.0) & ~constant
        n, h, w, c = x.shape
        flat = t.reshape(n, h * w, c)
        arg_low, arg_high = flat.argmin(axis=1), flat.argmax(axis=1)
        a = value_range_scale(self.value_range, (0.0, 255.0))

        def back(g):
            g64 = g.astype(np.float64)
            gu = np.where(inside, g64, 0.0) * value_range_scale((0.0, 255.0), self.value_range)
            s = np.where(constant, 0.0, scale.astype(np.float64))
            span = (high - low).astype(np.float64)
            t64 = t.astype(np.float64)
            dt = np.where(constant, g64 / a, gu * s)
            # u = 255 (t - low) / (high - low): the extremes move every pixel
            d_low = (gu * 255.0 * (t64 - high) / np.where(constant, 1.0, span) ** 2).sum(axis=(1, 2))
            d_high = (-gu * 255.0 * (t64 - low) / np.where(constant, 1.0, span) ** 2).sum(axis=(1, 2))
            dt = dt.reshape(n, h * w, c)
            rows, cols = np.arange(n)[:, None], np.arange(c)[None, :]
            np.add.at(dt, (rows, arg_low, cols), d_low)
            np.add.at(dt, (rows, arg_high, cols), d_high)
            return (dt.reshape(n, h, w, c) * a).astype(g.dtype)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        config.update({"value_range": self.value_range, "data_format": self.data_format})
        return config
