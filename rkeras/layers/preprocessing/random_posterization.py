"""Random posterization, as Keras 3's `RandomPosterization`: in training, each image (rescaled to
[0, 255] and cast to 8-bit integers) keeps only its `bits` most significant bits, `bits` drawn per
image as an integer in [factor[1], factor[2]) (or `factor` exactly when both bounds are equal); in
inference the layer is the identity. The output is piecewise constant, so its gradient is zero."""

import numpy as np

from ... import conventions
from .color_ops import base_factor, transform_value_range, value_range_arg
from .image_layer import RandomImageLayer


class RandomPosterization(RandomImageLayer):
    """Randomly reduces the number of bits per channel; see `layer_random_posterization()`."""

    def __init__(self, factor=None, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_posterization()")
        self.factor = base_factor(factor, "factor", (1.0, 8.0))
        self.value_range = value_range_arg(value_range)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `shift_factor = 8 - bits`, one per image."""
        low, high = int(self.factor[0]), int(self.factor[1])
        n = shape_cl[0]
        bits = self._generator.integers(low, high, size=n) if low != high else np.full(n, low)
        return {"shift_factor": (8 - bits).astype(np.uint8)}

    def _transform(self, x, transformation):
        shift = np.asarray(transformation["shift_factor"]).astype(np.uint8).reshape(-1, 1, 1, 1)
        t = transform_value_range(x, self.value_range, (0.0, 255.0))
        q = np.trunc(t).astype(np.int64).astype(np.uint8)  # a float -> uint8 cast truncates
        q = np.left_shift(np.right_shift(q, shift), shift)
        y = transform_value_range(q.astype(x.dtype), (0.0, 255.0), self.value_range).astype(x.dtype, copy=False)

        def back(g):
            return np.zeros_like(g)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
