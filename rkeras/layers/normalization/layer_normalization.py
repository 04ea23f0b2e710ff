"""Layer normalization (Ba et al., 2016), as Keras 3's `LayerNormalization`.

Each position is normalized over the features on `axis` with its own mean and biased variance,
`gamma * (x - mean) / sqrt(var + epsilon) + beta`, in training and inference alike. The kernels are
`rkeras.kernels.row_norm` (MODE_LAYER); float16 inputs are computed in float32.
"""

from ... import constraints, conventions, initializers, regularizers
from ...conventions import check_float
from ...kernels import row_norm
from .row_normalization import RowNormalization


class LayerNormalization(RowNormalization):
    """Layer normalization; see `layer_layer_normalization()`."""

    supports_masking = True
    _mode = row_norm.MODE_LAYER

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, rms_scaling=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_layer_normalization()")
        axis = conventions.validate_r_axis(axis, "axis")
        epsilon = check_float(epsilon, "epsilon", lambda v: v > 0, "a number > 0")
        self.center = conventions.as_bool(center, "center")
        self.scale = conventions.as_bool(scale, "scale")
        if conventions.as_bool(rms_scaling, "rms_scaling"):
            # Keras 3 deprecates it: it scales by the variance, not by the root mean square
            raise ValueError("`rms_scaling` = True is not supported (Keras 3 deprecates it: it divides by the "
                             "standard deviation without centering); use `layer_rms_normalization()` instead. "
                             "Accepted: False.")
        self.rms_scaling = False
        self.beta_initializer = initializers.get(beta_initializer, arg_name="beta_initializer")
        self.gamma_initializer = initializers.get(gamma_initializer, arg_name="gamma_initializer")
        self.beta_regularizer = regularizers.get(beta_regularizer, arg_name="beta_regularizer")
        self.gamma_regularizer = regularizers.get(gamma_regularizer, arg_name="gamma_regularizer")
        self.beta_constraint = constraints.get(beta_constraint, arg_name="beta_constraint")
        self.gamma_constraint = constraints.get(gamma_constraint, arg_name="gamma_constraint")
        super().__init__(axis=axis, epsilon=epsilon, **kwargs)
        self.gamma = self.beta = None

    def _create_weights(self, param_shape):
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)

    def _scale_weight(self):
        return self.gamma

    def _offset_weight(self):
        return self.beta

    def get_config(self):
        config = super().get_config()
        config.update({
            "epsilon": self.epsilon, "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        })
        return config
