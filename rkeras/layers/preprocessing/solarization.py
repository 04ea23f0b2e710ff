"""Solarization, as Keras 3's `Solarization`: in training, each image (rescaled to [0, 255]) gets a
random addition, is clipped to [0, 255], and every value at or above a random threshold `v` becomes
`255 - v`; in inference the layer is the identity. With the defaults (no addition, threshold 0)
every value is inverted."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .color_ops import transform_value_range, value_range_arg, value_range_scale
from .image_layer import RandomImageLayer


def _solarization_factor(factor, arg_name):
    """Keras' rule: a number `f` in [0, 1] gives (0, f), a pair its sorted values."""
    accepted = "a number or a list of 2 numbers in [0, 1]"
    values = list(factor) if isinstance(factor, (list, tuple, np.ndarray)) else [factor]
    if len(values) not in (1, 2):
        raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
    values = [check_float(v, arg_name) for v in values]
    if any(v < 0.0 or v > 1.0 for v in values):
        raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
    return tuple(sorted(values)) if len(values) == 2 else (0.0, values[0])


class Solarization(RandomImageLayer):
    """Inverts the values above a threshold during training; see `layer_solarization()`."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None,
                 data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_solarization()")
        self.addition_factor = _solarization_factor(addition_factor, "addition_factor")
        self.threshold_factor = _solarization_factor(threshold_factor, "threshold_factor")
        self.value_range = value_range_arg(value_range)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `additions` and `thresholds` per image, drawn (as Keras does) from
        `[factor[1], factor[2] * 255]`."""
        size = (shape_cl[0], 1, 1, 1)
        return {"additions": self._generator.uniform(self.addition_factor[0], self.addition_factor[1] * 255, size),
                "thresholds": self._generator.uniform(self.threshold_factor[0], self.threshold_factor[1] * 255,
                                                      size)}

    def _transform(self, x, transformation):
        additions = np.asarray(transformation["additions"]).reshape(-1, 1, 1, 1).astype(x.dtype)
        thresholds = np.asarray(transformation["thresholds"]).reshape(-1, 1, 1, 1).astype(x.dtype)
        t = transform_value_range(x, self.value_range, (0.0, 255.0))
        u = t + additions
        r = np.clip(u, 0.0, 255.0)
        below = r < thresholds
        r = np.where(below, r, 255.0 - r)
        y = transform_value_range(r, (0.0, 255.0), self.value_range).astype(x.dtype, copy=False)
        slope = np.where(below, 1.0, -1.0) * ((u >= 0.0) & (u <= 255.0))

        def back(g):
            scale = value_range_scale(self.value_range, (0.0, 255.0)) * value_range_scale((0.0, 255.0),
                                                                                          self.value_range)
            return (g * slope * scale).astype(g.dtype, copy=False)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"addition_factor": self.addition_factor, "threshold_factor": self.threshold_factor,
                       "value_range": self.value_range, "data_format": self.data_format})
        return config
