"""Unit normalization, as Keras 3's `UnitNormalization`: each position is scaled to unit L2 norm over the
features on `axis`, `x * min(1 / sqrt(sum(x^2)), 1e12)` (Keras' `ops.normalize` with epsilon 1e-12).
No weights. Kernels: `rkeras.kernels.row_norm` (MODE_UNIT).
"""

from ... import conventions
from ...kernels import row_norm
from .row_normalization import RowNormalization

_EPSILON = 1e-12  # Keras' UnitNormalization calls ops.normalize(x, order=2, epsilon=1e-12)


class UnitNormalization(RowNormalization):
    """Unit normalization; see `layer_unit_normalization()`."""

    supports_masking = True
    _mode = row_norm.MODE_UNIT

    def __init__(self, axis=-1, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_unit_normalization()")
        axis = conventions.validate_r_axis(axis, "axis")
        super().__init__(axis=axis, epsilon=_EPSILON, **kwargs)
