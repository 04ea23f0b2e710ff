"""Random erasing, as Keras 3's `RandomErasing`: in training, each image, with a probability drawn
from `factor`, has a random rectangle (sides `sqrt(s) * size` for `s` drawn from `scale`, at a
uniform position) replaced by `fill_value` (or, when None, by Gaussian noise times
`value_range[2]`), clipped to `value_range`; in inference the layer is the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .color_ops import base_factor, value_range_arg
from .image_layer import RandomImageLayer


class RandomErasing(RandomImageLayer):
    """Randomly erases rectangles of images during training; see `layer_random_erasing()`."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_erasing()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.scale = base_factor(scale, "scale", (0.0, 1.0))
        if fill_value is not None:
            if isinstance(fill_value, (list, tuple, np.ndarray)):
                if len(fill_value) != 3:
                    raise ValueError(f"`fill_value` must be None, a number or a list of 3 numbers; received "
                                     f"{fill_value!r}.")
                fill_value = tuple(check_float(v, "fill_value") for v in fill_value)
            else:
                fill_value = check_float(fill_value, "fill_value")
        self.fill_value = fill_value
        self.value_range = value_range_arg(value_range, sort=False)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `apply_erasing` per image, `batch_masks` and `fill_value` (both
        channels-last here)."""
        n, height, width, channels = shape_cl
        sides = np.sqrt(self._generator.uniform(self.scale[0], self.scale[1], size=(n, 2)))

        def bounds(length, ratio):
            crop = ratio * length
            start = self._generator.uniform(size=n) * (length - crop)
            return start, start + crop

        x0, x1 = bounds(width, sides[:, 0])
        y0, y1 = bounds(height, sides[:, 1])
        gy, gx = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        box = lambda v: v[:, None, None, None]
        masks = ((gx[None, :, :, None] >= box(x0)) & (gx[None, :, :, None] < box(x1))
                 & (gy[None, :, :, None] >= box(y0)) & (gy[None, :, :, None] < box(y1)))
        probability = self._generator.uniform(self.factor[0], self.factor[1], size=n)
        apply = self._generator.uniform(0.0, 1.0, size=n) < probability
        if self.fill_value is None:
            fill = self._generator.normal(size=shape_cl) * self.value_range[1]
        else:
            fill = np.broadcast_to(np.asarray(self.fill_value, dtype=np.float64), shape_cl)
        fill = np.clip(fill, self.value_range[0], self.value_range[1])
        return {"apply_erasing": apply, "batch_masks": np.repeat(masks, channels, axis=-1), "fill_value": fill}

    def _transform(self, x, transformation):
        erase = (np.asarray(transformation["apply_erasing"], dtype=bool).reshape(-1, 1, 1, 1)
                 & np.asarray(transformation["batch_masks"], dtype=bool))
        fill = np.asarray(transformation["fill_value"]).astype(x.dtype)
        y = np.where(erase, fill, x).astype(x.dtype, copy=False)

        def back(g):
            return np.where(erase, 0, g).astype(g.dtype, copy=False)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                       "value_range": self.value_range, "data_format": self.data_format})
        return config
