"""Rectified linear unit layer, as Keras 3's `ReLU` (optional `max_value`, `negative_slope`, `threshold`)."""

from ...conventions import is_number
from ..core import activations
from .base_activation import ElementwiseActivation


class ReLU(ElementwiseActivation):
    """`f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`,
    `negative_slope * (x - threshold)` otherwise; see `layer_activation_relu()`."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        if max_value is not None and not is_number(max_value):
            raise TypeError(f"`max_value` must be None or a number >= 0; received {max_value!r}.")
        if max_value is not None and not max_value >= 0:
            raise ValueError(f"`max_value` of a ReLU layer must be >= 0 (or None); received {max_value!r}.")
        for arg, value in (("negative_slope", negative_slope), ("threshold", threshold)):
            if not is_number(value):
                raise TypeError(f"`{arg}` must be a number; received {value!r}.")
        if not negative_slope >= 0:
            raise ValueError(f"`negative_slope` of a ReLU layer must be >= 0; received {negative_slope!r}.")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)
        fn = activations.Relu(negative_slope=self.negative_slope, max_value=self.max_value,
                              threshold=self.threshold)
        super().__init__(fn, "layer_activation_relu()", **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config
