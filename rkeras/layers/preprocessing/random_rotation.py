"""Random rotation of images, as Keras 3's `RandomRotation`: in training, each image turns about its
center by an angle drawn uniformly from `factor * 360` degrees; in inference the identity."""

import math

import numpy as np

from ... import conventions
from .image_layer import factor_range
from .random_affine import RandomAffineLayer


def rotation_transforms(angles_deg, height, width):
    """Keras' `_compute_affine_matrix` for rotations about the image center (no shift, scale or shear)."""
    theta = np.asarray(angles_deg, dtype=np.float64) * (math.pi / 180.0)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = np.cos(theta), np.sin(theta)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    zeros = np.zeros_like(theta)
    return np.stack([a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1, zeros, zeros], axis=1)


class RandomRotation(RandomAffineLayer):
    """Randomly rotates images during training; see `layer_random_rotation()`."""

    def __init__(self, factor=None, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_rotation()")
        if factor is None:
            raise ValueError("`factor` must be given: a fraction of a full turn, a number or a list of 2 numbers "
                             "in [-1, 1]; received None.")
        self.factor = factor_range(factor, "factor", (-1.0, 1.0), "a number or a list of 2 numbers in [-1, 1]")
        self._init_affine(fill_mode, interpolation, seed, fill_value, data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `angle` in degrees, one per image."""
        lower, upper = self.factor
        return {"angle": self._generator.uniform(lower * 360.0, upper * 360.0, size=shape_cl[0])}

    def _transforms(self, transformation, shape_cl):
        return rotation_transforms(transformation["angle"], shape_cl[1], shape_cl[2])

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config
