"""Random grayscale, as Keras 3's `RandomGrayscale`: in training, each image is replaced by its
grayscale version (repeated over the channels) with probability `factor`; in inference the layer is
the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .color_ops import check_channels, grayscale, grayscale_backward
from .image_layer import RandomImageLayer


class RandomGrayscale(RandomImageLayer):
    """Randomly converts images to grayscale during training; see `layer_random_grayscale()`."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_grayscale()")
        factor = check_float(factor, "factor")
        if not 0.0 <= factor <= 1.0:
            raise ValueError(f"`factor` must be a probability in [0, 1]; received {factor!r}.")
        self.factor = factor
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: whether each image turns gray."""
        return self._generator.uniform(0.0, 1.0, size=shape_cl[0]) < self.factor

    def _transform(self, x, transformation):
        check_channels(x, (1, 3), self.name)
        apply = np.asarray(transformation, dtype=bool).reshape(-1, 1, 1, 1)
        y = np.where(apply, grayscale(x), x).astype(x.dtype, copy=False)
        channels = x.shape[-1]

        def back(g):
            gray_grad = grayscale_backward(g.sum(axis=-1, keepdims=True), channels)
            return np.where(apply, gray_grad, g).astype(g.dtype, copy=False)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "data_format": self.data_format})
        return config
