"""Random Gaussian blur, as Keras 3's `RandomGaussianBlur`: in training, each image is blurred with a
probability drawn from `factor` by a Gaussian kernel of `kernel_size` whose two standard deviations
(columns, rows) are drawn once per batch from `sigma`, then clipped to `value_range`; in inference the
layer is the identity."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .color_ops import base_factor, clip_with_mask, value_range_arg
from .filtering import gaussian_kernel_1d, separable_same
from .image_layer import RandomImageLayer


def _kernel_size(value):
    """Keras' rule: an odd integer, or a list of 2 odd integers (columns, rows)."""
    values = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value, value]
    if len(values) != 2:
        raise ValueError(f"`kernel_size` must be an odd integer or a list of 2 odd integers; received {value!r}.")
    sizes = []
    for v in values:
        v = check_float(v, "kernel_size")
        if v != int(v) or int(v) % 2 == 0 or v < 1:
            raise ValueError(f"`kernel_size` must be an odd integer or a list of 2 odd integers; received {value!r}.")
        sizes.append(int(v))
    return tuple(sizes)


class RandomGaussianBlur(RandomImageLayer):
    """Randomly blurs images during training; see `layer_random_gaussian_blur()`."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_gaussian_blur()")
        self.factor = base_factor(factor, "factor", (0.0, 1.0))
        self.kernel_size = _kernel_size(kernel_size)
        self.sigma = base_factor(sigma, "sigma", (0.0, 1.0))
        self.value_range = value_range_arg(value_range, sort=False)
        self._init_seed(seed)
        self._init_data_format(data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `should_apply_blur` per image, `blur_factor` (2 standard
        deviations, columns then rows) per batch."""
        n = shape_cl[0]
        probability = self._generator.uniform(self.factor[0], self.factor[1], size=n)
        apply = self._generator.uniform(0.0, 1.0, size=n) < probability
        sigma = self._generator.uniform(self.sigma[0], self.sigma[1], size=2) + 1e-6
        return {"should_apply_blur": apply, "blur_factor": sigma}

    def _transform(self, x, transformation):
        apply = np.asarray(transformation["should_apply_blur"], dtype=bool).reshape(-1, 1, 1, 1)
        sigma = np.asarray(transformation["blur_factor"]).astype(x.dtype)
        k_cols = gaussian_kernel_1d(self.kernel_size[0], sigma[0], x.dtype)
        k_rows = gaussian_kernel_1d(self.kernel_size[1], sigma[1], x.dtype)
        blurred = separable_same(x, k_rows, k_cols)
        y, inside = clip_with_mask(np.where(apply, blurred, x), *sorted(self.value_range))

        def back(g):
            gz = (g * inside).astype(g.dtype, copy=False)
            blurred_grad = separable_same(gz, k_rows.astype(g.dtype), k_cols.astype(g.dtype))
            return np.where(apply, blurred_grad, gz).astype(g.dtype, copy=False)

        return y.astype(x.dtype, copy=False), back

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "kernel_size": self.kernel_size, "sigma": self.sigma,
                       "value_range": self.value_range, "data_format": self.data_format})
        return config
