"""Random shear, as Keras 3's `RandomShear`: in training, each image is sheared along x and y by
factors drawn from `x_factor` and `y_factor` (both with one random sign per image); in inference the
layer is the identity. The output pixel `(y, x)` samples the input at column `x + s_x y` and row
`s_y x + y` (no centering, as Keras)."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .random_affine import RandomAffineLayer


def _shear_factor(factor, arg_name):
    """Keras' rule: a number `f` in [0, 1] gives (-f, f), a pair its sorted values (in [-1, 1] here, so
    that a saved `(-f, f)` reads back)."""
    accepted = "a number in [0, 1] or a list of 2 numbers in [-1, 1]"
    values = list(factor) if isinstance(factor, (list, tuple, np.ndarray)) else [factor]
    if len(values) not in (1, 2):
        raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
    values = [check_float(v, arg_name) for v in values]
    if any(v < (0.0 if len(values) == 1 else -1.0) or v > 1.0 for v in values):
        raise ValueError(f"`{arg_name}` must be {accepted}; received {factor!r}.")
    return tuple(sorted(values)) if len(values) == 2 else (-values[0], values[0])


class RandomShear(RandomAffineLayer):
    """Randomly shears images during training; see `layer_random_shear()`."""

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_shear()")
        self.x_factor = _shear_factor(x_factor, "x_factor")
        self.y_factor = _shear_factor(y_factor, "y_factor")
        self._init_affine(fill_mode, interpolation, seed, fill_value, data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `shear_factor` (N, 2), columns x then y, times one sign per image."""
        n = shape_cl[0]
        sign = np.where(self._generator.uniform(size=(n, 1)) > 0.5, -1.0, 1.0)
        shear_y = self._generator.uniform(self.y_factor[0], self.y_factor[1], size=(n, 1))
        shear_x = self._generator.uniform(self.x_factor[0], self.x_factor[1], size=(n, 1))
        return {"shear_factor": np.concatenate([shear_x, shear_y], axis=1) * sign}

    def _transforms(self, transformation, shape_cl):
        s = np.asarray(transformation["shear_factor"], dtype=np.float64).reshape(-1, 2)
        ones, zeros = np.ones(len(s)), np.zeros(len(s))
        return np.stack([ones, s[:, 0], zeros, s[:, 1], ones, zeros, zeros, zeros], axis=1)

    def get_config(self):
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        return config
