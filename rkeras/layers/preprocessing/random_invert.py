"""Random inversion, as Keras 3's `RandomInvert`: in training, each image `x` becomes
`value_range[2] - x` with a probability drawn from `factor`; in inference the layer is the identity."""

import numpy as np

from ... import conventions
from .color_ops import base_factor, value_range_arg
from .image_layer import RandomImageLayer


class RandomInvert(RandomImageLayer):
    """Randomly inverts images during training; see `layer_random_invert()`."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_invert()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.value_range = value_range_arg(value_range, sort=False)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `apply_inversion` per image (a uniform draw below a probability
        itself drawn from `factor`)."""
        n = shape_cl[0]
        probability = self._generator.uniform(self.factor[0], self.factor[1], size=n)
        return {"apply_inversion": self._generator.uniform(0.0, 1.0, size=n) < probability}

    def _transform(self, x, transformation):
        apply = np.asarray(transformation["apply_inversion"], dtype=bool).reshape(-1, 1, 1, 1)
        y = np.where(apply, x.dtype.type(self.value_range[1]) - x, x).astype(x.dtype, copy=False)

        def back(g):
            return np.where(apply, -g, g).astype(g.dtype, copy=False)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "data_format": self.data_format})
        return config
