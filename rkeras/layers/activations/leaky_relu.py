"""Leaky rectified linear unit layer, as Keras 3's `LeakyReLU` (layer default slope 0.3)."""

from ...conventions import is_number
from ..core import activations
from .base_activation import ElementwiseActivation


class LeakyReLU(ElementwiseActivation):
    """`f(x) = x` for `x >= 0`, `negative_slope * x` otherwise; see `layer_activation_leaky_relu()`."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if not is_number(negative_slope):
            raise TypeError(f"`negative_slope` must be a number >= 0; received {negative_slope!r}.")
        if not negative_slope >= 0:
            raise ValueError(f"`negative_slope` of a LeakyReLU layer must be >= 0; received {negative_slope!r}.")
        self.negative_slope = float(negative_slope)
        super().__init__(activations.LeakyRelu(self.negative_slope), "layer_activation_leaky_relu()", **kwargs)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
