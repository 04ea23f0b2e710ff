"""Zero padding of images, as Keras 3's `ZeroPadding2D`: rows and columns of zeros around each image; the
math lives in `zero_padding.BaseZeroPadding`."""

import numpy as np

from ... import conventions
from ..convolutional.conv_utils import standardize_data_format
from .zero_padding import BaseZeroPadding


def _normalize_padding(padding) -> tuple:
    """`1`, `c(1, 2)` (rows, cols) or `list(c(top, bottom), c(left, right))` -> ((top, bottom), (left, right))."""
    accepted = ("an integer, a list of 2 integers (symmetric rows and columns padding), or a list of 2 "
                "lists of 2 integers ((top, bottom), (left, right))")

    def as_int(v):
        try:
            return conventions.as_integer(v, "padding", minimum=0)
        except TypeError:
            raise TypeError(f"`padding` must be {accepted}; received {padding!r}.") from None
        except ValueError:
            raise ValueError(f"`padding` must hold integers >= 0; received {padding!r}.") from None

    if not isinstance(padding, (list, tuple, np.ndarray)):
        p = as_int(padding)
        return ((p, p), (p, p))
    items = list(padding)
    if len(items) != 2:
        raise ValueError(f"`padding` must be {accepted}; received {padding!r}.")
    if all(not isinstance(v, (list, tuple, np.ndarray)) for v in items):
        h, w = as_int(items[0]), as_int(items[1])
        return ((h, h), (w, w))
    out = []
    for v in items:
        if not isinstance(v, (list, tuple, np.ndarray)) or len(v) != 2:
            raise ValueError(f"`padding` must be {accepted}; received {padding!r}.")
        out.append((as_int(v[0]), as_int(v[1])))
    return tuple(out)


class ZeroPadding2D(BaseZeroPadding):
    """Adds rows and columns of zeros at the top, bottom, left and right of images; see
    `layer_zero_padding_2d()`."""

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_zero_padding_2d()")
        self.padding = _normalize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        super().__init__(**kwargs)
