"""What `Dense` and the convolutions share: the activation, `use_bias`, and the initializer, regularizer and
constraint of the kernel and of the bias (Keras' `kernel_*` / `bias_*` arguments), checked when the layer
is made, turned into weights at build and written back by `get_config()` in one place."""

from .. import constraints, conventions, initializers, regularizers
from .core import activations


class KernelAndBias:
    """Mixin for layers with a `kernel` and an optional `bias` (`use_bias`)."""

    def _set_kernel_and_bias_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                                     kernel_regularizer, bias_regularizer, activity_regularizer,
                                     kernel_constraint, bias_constraint):
        """Checks and stores the options (before the base Layer is initialized: nothing is built yet)."""
        self.activation = activations.get(activation, arg_name="activation")
        self.use_bias = conventions.as_bool(use_bias, "use_bias")
        if activity_regularizer is not None:
            raise ValueError(f"`activity_regularizer` is not supported by rkeras (only None is accepted); "
                             f"received {activity_regularizer!r}. Regularize the weights with "
                             f"`kernel_regularizer` / `bias_regularizer` instead.")
        self.kernel_initializer = initializers.get(kernel_initializer, arg_name="kernel_initializer")
        self.bias_initializer = initializers.get(bias_initializer, arg_name="bias_initializer")
        self.kernel_regularizer = regularizers.get(kernel_regularizer, arg_name="kernel_regularizer")
        self.bias_regularizer = regularizers.get(bias_regularizer, arg_name="bias_regularizer")
        self.kernel_constraint = constraints.get(kernel_constraint, arg_name="kernel_constraint")
        self.bias_constraint = constraints.get(bias_constraint, arg_name="bias_constraint")
        self.kernel = self.bias = None

    def _add_kernel_and_bias(self, kernel_shape, bias_shape):
        """Creates `kernel` and, with `use_bias`, `bias` from the stored options."""
        self.kernel = self.add_weight("kernel", kernel_shape, self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", bias_shape, self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def _kernel_and_bias_config(self) -> dict:
        """The options as `get_config()` entries (R-style serialized values)."""
        return {
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": None,
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
