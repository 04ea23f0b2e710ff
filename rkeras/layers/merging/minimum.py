"""Elementwise minimum of a list of tensors, as Keras 3's `Minimum` (mask-aware)."""

from .elementwise_extremum import ElementwiseExtremum


class Minimum(ElementwiseExtremum):
    """Elementwise minimum of a list of inputs; see `layer_minimum()`."""

    @staticmethod
    def pick_new(new, current):
        return new < current
