"""Elementwise maximum of a list of tensors, as Keras 3's `Maximum` (mask-aware)."""

from .elementwise_extremum import ElementwiseExtremum


class Maximum(ElementwiseExtremum):
    """Elementwise maximum of a list of inputs; see `layer_maximum()`."""

    @staticmethod
    def pick_new(new, current):
        return new > current
