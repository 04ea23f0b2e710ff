"""Exponential linear unit layer, as Keras 3's `ELU`."""

from ...conventions import is_number
from ..core import activations
from .base_activation import ElementwiseActivation


class ELU(ElementwiseActivation):
    """`f(x) = alpha * (exp(x) - 1)` for `x < 0`, `x` otherwise; see `layer_activation_elu()`."""

    def __init__(self, alpha=1.0, **kwargs):
        if not is_number(alpha):
            raise TypeError(f"`alpha` must be a number; received {alpha!r}.")
        self.alpha = float(alpha)
        super().__init__(activations.Elu(self.alpha), "layer_activation_elu()", **kwargs)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
