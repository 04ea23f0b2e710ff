"""Random zoom of images, as Keras 3's `RandomZoom`: in training, each image is scaled about its center
by `1 + f` (f drawn from `height_factor`, and from `width_factor` or the same draw); in inference the
identity. A positive factor zooms out (the image shrinks), a negative one zooms in."""

import numpy as np

from ... import conventions
from ...conventions import check_float
from .random_affine import RandomAffineLayer

_ACCEPTED = "a number or a list of 2 numbers in (-1, 1]"


def _zoom_range(factor, arg_name):
    if isinstance(factor, (list, tuple, np.ndarray)):
        if len(factor) != 2:
            raise ValueError(f"`{arg_name}` must be {_ACCEPTED}; received {factor!r}.")
        values = [check_float(v, arg_name) for v in factor]
    else:
        f = abs(check_float(factor, arg_name))
        values = [-f, f]
    if any(v > 1.0 or v <= -1.0 for v in values):
        raise ValueError(f"`{arg_name}` must be {_ACCEPTED}; received {factor!r}.")
    return tuple(sorted(values))


def _as_given(factor):
    """The factor as Keras keeps it in the config (a number, or a pair)."""
    if isinstance(factor, (list, tuple, np.ndarray)):
        return tuple(float(v) for v in factor)
    return float(factor)


def zoom_transforms(height_zoom, width_zoom, height, width):
    """Keras' `_get_zoom_matrix`."""
    zh = np.asarray(height_zoom, dtype=np.float64).reshape(-1)
    zw = np.asarray(width_zoom, dtype=np.float64).reshape(-1)
    zeros = np.zeros_like(zh)
    return np.stack([zw, zeros, (width - 1.0) / 2.0 * (1.0 - zw), zeros, zh, (height - 1.0) / 2.0 * (1.0 - zh),
                     zeros, zeros], axis=1)


class RandomZoom(RandomAffineLayer):
    """Randomly zooms images during training; see `layer_random_zoom()`."""

    def __init__(self, height_factor=None, width_factor=None, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_random_zoom()")
        if height_factor is None:
            raise ValueError(f"`height_factor` must be given: {_ACCEPTED}; received None.")
        self._height_range = _zoom_range(height_factor, "height_factor")
        self._width_range = None if width_factor is None else _zoom_range(width_factor, "width_factor")
        self.height_factor = _as_given(height_factor)
        self.width_factor = None if width_factor is None else _as_given(width_factor)
        self._init_affine(fill_mode, interpolation, seed, fill_value, data_format)
        super().__init__(**kwargs)

    def _random_transformation(self, shape_cl):
        """Keras' transformation: `height_zoom` and `width_zoom`, one per image (the same draw without
        `width_factor`)."""
        n = shape_cl[0]
        lo, hi = self._height_range
        height_zoom = self._generator.uniform(1.0 + lo, 1.0 + hi, size=(n, 1))
        if self._width_range is None:
            width_zoom = height_zoom
        else:
            lo, hi = self._width_range
            width_zoom = self._generator.uniform(1.0 + lo, 1.0 + hi, size=(n, 1))
        return {"height_zoom": height_zoom, "width_zoom": width_zoom}

    def _transforms(self, transformation, shape_cl):
        return zoom_transforms(transformation["height_zoom"], transformation["width_zoom"], shape_cl[1],
                               shape_cl[2])

    def get_config(self):
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config
