"""Random flips of images, as Keras 3's `RandomFlip`: in training, each image is flipped (left-right,
up-down, or both, by `mode`) with probability 1/2; in inference the layer is the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_choice
from .image_layer import RandomImageLayer

MODES = ("horizontal", "vertical", "horizontal_and_vertical")


class RandomFlip(RandomImageLayer):
    """Randomly flips images during training; see `layer_random_flip()`."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_flip()")
        self.mode = check_choice(mode, MODES, "mode")
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `flips`, one boolean per image (flip when the uniform draw <= 0.5)."""
        return {"flips": self._generator.random(shape_cl[0]) <= 0.5}

    def _transform(self, x, transformation):
        flips = np.asarray(transformation["flips"]).reshape(-1)

        def flip(a):
            out = a.copy()
            sel = out[flips]
            if self.mode in ("horizontal", "horizontal_and_vertical"):
                sel = sel[:, :, ::-1]
            if self.mode in ("vertical", "horizontal_and_vertical"):
                sel = sel[:, ::-1]
            out[flips] = sel
            return out

        return flip(x), flip  # a flip is its own adjoint

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "data_format": self.data_format})
        return config
