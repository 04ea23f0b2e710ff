"""Random translation of images, as Keras 3's `RandomTranslation`: in training, each image shifts by a
fraction of its height and width drawn from `height_factor` and `width_factor`; in inference the
identity."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .random_affine import RandomAffineLayer

_ACCEPTED = "a number or a list of 2 numbers in [-1, 1]"


def _shift_range(factor, arg_name):
    if isinstance(factor, (list, tuple, np.ndarray)):
        if len(factor) != 2:
            raise ValueError(f"`{arg_name}` must be {_ACCEPTED}; received {factor!r}.")
        values = [check_float(v, arg_name) for v in factor]
    else:
        f = abs(check_float(factor, arg_name))
        values = [-f, f]
    if any(v > 1.0 or v < -1.0 for v in values):
        raise ValueError(f"`{arg_name}` must be {_ACCEPTED}; received {factor!r}.")
    return tuple(sorted(values))


def _as_given(factor):
    if isinstance(factor, (list, tuple, np.ndarray)):
        return tuple(float(v) for v in factor)
    return float(factor)


def translation_transforms(translations):
    """Keras' `_get_translation_matrix` from (N, 2) shifts (columns, rows) in pixels."""
    t = np.asarray(translations, dtype=np.float64).reshape(-1, 2)
    ones, zeros = np.ones(len(t)), np.zeros(len(t))
    return np.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1], zeros, zeros], axis=1)


class RandomTranslation(RandomAffineLayer):
    """Randomly translates images during training; see `layer_random_translation()`."""

    def __init__(self, height_factor=None, width_factor=None, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_translation()")
        for arg, v in (("height_factor", height_factor), ("width_factor", width_factor)):
            if v is None:
                raise ValueError(f"`{arg}` must be given: {_ACCEPTED} (fractions of the image size); "
                                 f"received None.")
        self._height_range = _shift_range(height_factor, "height_factor")
        self._width_range = _shift_range(width_factor, "width_factor")
        self.height_factor = _as_given(height_factor)
        self.width_factor = _as_given(width_factor)
        self._init_affine(fill_mode, interpolation, seed, fill_value, data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `translations` (N, 2), shifts in pixels (columns, rows)."""
        n, h, w = shape_cl[:3]
        dh = self._generator.uniform(*self._height_range, size=(n, 1)) * h
        dw = self._generator.uniform(*self._width_range, size=(n, 1)) * w
        return {"translations": np.concatenate([dw, dh], axis=1)}

    def _transforms(self, transformation, shape_cl):
        return translation_transforms(transformation["translations"])

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
