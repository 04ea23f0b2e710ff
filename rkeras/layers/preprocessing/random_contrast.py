"""Random contrast, as Keras 3's `RandomContrast`: in training, each image's channels are moved away
from (or toward) their mean over the pixels by a random factor, then clipped to `value_range`; in
inference the layer is the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .image_layer import RandomImageLayer, factor_range


class RandomContrast(RandomImageLayer):
    """Randomly adjusts contrast during training; see `layer_random_contrast()`."""

    def __init__(self, factor=None, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_contrast()")
        if factor is None:
            raise ValueError("`factor` must be given: a number or a list of 2 numbers in [0, 1]; received None.")
        self.factor = factor_range(factor, "factor", (0.0, 1.0), "a number or a list of 2 numbers in [0, 1]")
        if not isinstance(value_range, (list, tuple, np.ndarray)) or len(value_range) != 2:
            raise ValueError(f"`value_range` must be a list of 2 numbers (low, high); received {value_range!r}.")
        self.value_range = tuple(check_float(v, "value_range") for v in value_range)
        if self.value_range[0] > self.value_range[1]:
            raise ValueError(f"`value_range` must be (low, high) with low <= high; received {value_range!r}.")
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `contrast_factor`, one per image, uniform in [1 - lower, 1 + upper]."""
        lower, upper = self.factor
        factor = self._generator.uniform(1.0 - lower, 1.0 + upper, size=(shape_cl[0], 1, 1, 1))
        return {"contrast_factor": factor}

    def _transform(self, x, transformation):
        f = np.asarray(transformation["contrast_factor"], dtype=np.float64).reshape(-1, 1, 1, 1).astype(x.dtype)
        mean = x.mean(axis=(1, 2), keepdims=True, dtype=np.float64).astype(x.dtype)
        pre = (x - mean) * f + mean
        low, high = self.value_range
        y = np.clip(pre, low, high)
        inside = (pre > low) & (pre < high)
        pixels = x.shape[1] * x.shape[2]

        def back(g):
            gz = g * inside
            total = gz.sum(axis=(1, 2), keepdims=True, dtype=np.float64)
            return (f * gz + ((1.0 - f.astype(np.float64)) * total / pixels).astype(g.dtype)).astype(g.dtype)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
