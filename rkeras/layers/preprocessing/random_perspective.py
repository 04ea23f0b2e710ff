"""Random perspective, as Keras 3's `RandomPerspective`: in training, each image is warped, with a
probability drawn from `factor`, by the homography that moves its 4 corners by random fractions (up
to `scale / 2`) of their coordinates; points outside the input read `fill_value`. In inference the
layer is the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_choice, check_float
from .affine import INTERPOLATIONS, AffineSampler
from .color_ops import base_factor
from .image_layer import RandomImageLayer


def homography(start_points, end_points):
    """Keras' `compute_homography_matrix`: the 8 coefficients mapping output to input points."""
    start, end = np.asarray(start_points, np.float64), np.asarray(end_points, np.float64)
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = np.zeros_like(ex), np.ones_like(ex)
    x_rows = np.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    y_rows = np.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    a = np.concatenate([x_rows, y_rows], axis=1)
    b = np.concatenate([sx, sy], axis=-1)[..., None]
    return np.linalg.solve(a, b)[..., 0]


class RandomPerspective(RandomImageLayer):
    """Randomly applies perspective transformations during training; see `layer_random_perspective()`."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None,
                 **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_perspective()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.scale = check_float(scale, "scale")
        if not 0.0 <= self.scale <= 1.0:
            raise ValueError(f"`scale` must be a number in [0, 1]; received {scale!r}.")
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation")
        self.fill_value = check_float(fill_value, "fill_value")
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `apply_perspective` per image, `start_points` (the corners) and
        `end_points` (N, 4, 2) as (x, y)."""
        n, height, width = shape_cl[0], shape_cl[1], shape_cl[2]
        probability = self._generator.uniform(self.factor[0], self.factor[1], size=n)
        apply = self._generator.uniform(0.0, 1.0, size=n) < probability
        moves = self._generator.uniform(-0.5 * self.scale, 0.5 * self.scale, size=(n, 4, 2))
        corners = np.array([[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]])
        start = np.repeat(corners[None], n, axis=0)
        return {"apply_perspective": apply, "start_points": start, "end_points": start + start * moves}

    def _transform(self, x, transformation):
        apply = np.asarray(transformation["apply_perspective"], dtype=bool).reshape(-1, 1, 1, 1)
        transforms = homography(np.asarray(transformation["start_points"], np.float32),
                                np.asarray(transformation["end_points"], np.float32))
        sampler = AffineSampler(transforms, x.shape[1], x.shape[2], self.interpolation, "constant", self.fill_value,
                                projective=True)
        y = np.where(apply, sampler.forward(x), x).astype(x.dtype, copy=False)

        def back(g):
            return np.where(apply, sampler.backward(np.where(apply, g, 0).astype(g.dtype)), g).astype(g.dtype)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_value": self.fill_value, "data_format": self.data_format})
        return config
