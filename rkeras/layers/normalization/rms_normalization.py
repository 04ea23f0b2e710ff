"""Root-mean-square normalization (Zhang & Sennrich, 2019), as Keras 3's `RMSNormalization`.

`y = x / sqrt(mean(x^2) + epsilon) * scale` over the features on `axis`, one trainable weight `scale`
(initialized to ones). Kernels: `rkeras.kernels.row_norm` (MODE_RMS).
"""

from ... import conventions, initializers
from ...conventions import check_float
from ...kernels import row_norm
from .row_normalization import RowNormalization


class RMSNormalization(RowNormalization):
    """RMS normalization; see `layer_rms_normalization()`."""

    _mode = row_norm.MODE_RMS

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_rms_normalization()")
        axis = conventions.validate_r_axis(axis, "axis")
        epsilon = check_float(epsilon, "epsilon", lambda v: v > 0, "a number > 0")
        super().__init__(axis=axis, epsilon=epsilon, **kwargs)
        self.scale = None

    def _create_weights(self, param_shape):
        self.scale = self.add_weight("scale", param_shape, initializers.get("ones"))

    def _scale_weight(self):
        return self.scale

    def get_config(self):
        config = super().get_config()
        config["epsilon"] = self.epsilon
        return config
