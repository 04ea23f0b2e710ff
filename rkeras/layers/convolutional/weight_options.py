"""Initializer, regularizer and constraint of a named weight (`depthwise_*`, `pointwise_*`, `bias_*`),
checked when the layer is made and written back by `get_config()` under Keras' keys."""

from ... import constraints, initializers, regularizers


class WeightOptions:
    """The three options of one weight, resolved from what users pass."""

    def __init__(self, prefix, initializer, regularizer, constraint, default_initializer):
        self.prefix = prefix
        self.initializer = initializers.get(default_initializer if initializer is None else initializer,
                                            arg_name=f"{prefix}_initializer")
        self.regularizer = regularizers.get(regularizer, arg_name=f"{prefix}_regularizer")
        self.constraint = constraints.get(constraint, arg_name=f"{prefix}_constraint")

    def add_to(self, layer, name, shape):
        return layer.add_weight(name, shape, self.initializer, regularizer=self.regularizer,
                                constraint=self.constraint)

    def config(self) -> dict:
        p = self.prefix
        return {f"{p}_initializer": initializers.serialize(self.initializer),
                f"{p}_regularizer": regularizers.serialize(self.regularizer),
                f"{p}_constraint": constraints.serialize(self.constraint)}
