"""Random elastic transform, as Keras 3's `RandomElasticTransform`: in training, each image, with a
probability drawn from `factor`, is resampled along a smooth random displacement field: Gaussian
noise (standard deviation `sigma`) blurred by a Gaussian of `sigma` (kernel `int(6 sigma) | 1`) and
scaled by `alpha`, with `alpha = 0.1 max(height, width) s` and `sigma = 0.05 min(height, width) s`
for a distortion `s` drawn once per batch from `scale`; then clipped to `value_range`. In inference
the layer is the identity.

Keras 3 on JAX draws the horizontal and vertical noise from the same key, so its two displacement
fields are equal (every pixel moves along the diagonal); rkeras draws them independently, as the
elastic transform is defined. Given the same noise, the two compute the same image."""

import numpy as np

from ... import conventions
from ...conventions import check_choice, check_float
from .affine import FILL_MODES, INTERPOLATIONS, AffineSampler
from .color_ops import base_factor, value_range_arg
from .filtering import gaussian_kernel_1d, separable_same
from .image_layer import RandomImageLayer


class RandomElasticTransform(RandomImageLayer):
    """Randomly distorts images by elastic deformations during training; see
    `layer_random_elastic_transform()`."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 value_range=(0, 255), seed=None, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_elastic_transform()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.scale = base_factor(scale, "scale", (0.0, 1.0))
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, "interpolation")
        self.fill_mode = check_choice(fill_mode, FILL_MODES, "fill_mode")
        self.fill_value = check_float(fill_value, "fill_value")
        self.value_range = value_range_arg(value_range, sort=False)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """`apply_transform` per image, `distortion_factor` per batch, and the raw standard normal
        noise of the two displacement fields, `noise_x` and `noise_y` (N, H, W)."""
        if self.scale[1] == 0 or self.factor[1] == 0:
            return None
        n, height, width = shape_cl[:3]
        probability = self._generator.uniform(self.factor[0], self.factor[1], size=n)
        apply = self._generator.uniform(0.0, 1.0, size=n) < probability
        return {"apply_transform": apply,
                "distortion_factor": self._generator.uniform(self.scale[0], self.scale[1]),
                "noise_x": self._generator.standard_normal((n, height, width)),
                "noise_y": self._generator.standard_normal((n, height, width))}

    def _transform(self, x, transformation):
        if transformation is None:
            return x, lambda g: g
        height, width = x.shape[1:3]
        factor = float(np.float32(transformation["distortion_factor"]))
        alpha = max(height, width) * (0.1 * factor)
        sigma = min(height, width) * (0.05 * factor)
        size = int(6 * sigma) | 1
        kernel = gaussian_kernel_1d(size, sigma, x.dtype)

        def displacement(noise):
            field = (np.asarray(noise).astype(x.dtype) * x.dtype.type(sigma))[..., None]
            return separable_same(field, kernel, kernel)[..., 0]

        dx, dy = displacement(transformation["noise_x"]), displacement(transformation["noise_y"])
        ys, xs = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        a = x.dtype.type(alpha)
        sampler = AffineSampler.from_coordinates(xs[None] + a * dx, ys[None] + a * dy, self.interpolation,
                                                 self.fill_mode, self.fill_value)
        apply = np.asarray(transformation["apply_transform"], dtype=bool).reshape(-1, 1, 1, 1)
        moved = np.where(apply, sampler.forward(x), x)
        low, high = self.value_range
        y = np.clip(moved, low, high).astype(x.dtype, copy=False)
        inside = (moved >= low) & (moved <= high)

        def back(g):
            gz = (g * inside).astype(g.dtype)
            return np.where(apply, sampler.backward(gz), gz).astype(g.dtype, copy=False)

        return y, back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "scale": self.scale, "interpolation": self.interpolation,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value, "value_range": self.value_range,
                       "data_format": self.data_format})
        return config
