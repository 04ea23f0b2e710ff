"""Activity regularization, as Keras 3's `ActivityRegularization`: the identity, plus a penalty on its
input added to the training loss, `(l1 * sum(|x|) + l2 * sum(x^2)) / batch_size` (Keras 3 divides an
activity penalty by the batch size)."""

import numpy as np

from ... import conventions
from ...core import activity_losses
from ...core.layer import Layer, as_numeric_array, float_input
from .noise_draws import global_batch_size


class ActivityRegularization(Layer):
    """Passes its input on and adds an L1/L2 penalty on it to the loss; see `layer_activity_regularization()`.

    The penalty counts where the trainer collects layer losses (`fit()`, `evaluate()`,
    `train_on_batch()`, `test_on_batch()`); the backward of a collected forward adds the penalty's
    gradient `(l1 * sign(x) + 2 * l2 * x) / batch_size` to the incoming gradient.
    """

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_activity_regularization()")
        self.l1 = conventions.check_float(l1, "l1", lambda v: v >= 0.0, "a number >= 0")
        self.l2 = conventions.check_float(l2, "l2", lambda v: v >= 0.0, "a number >= 0")
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def penalty(self, x, batch) -> float:
        """The penalty of an activity `x`: float64 sums divided by the batch size."""
        value = 0.0
        if self.l1:
            value += self.l1 * float(np.abs(x).sum(dtype=np.float64))
        if self.l2:
            value += self.l2 * float(np.square(x, dtype=np.float64).sum())
        return value / batch if batch else 0.0

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        collected = activity_losses.collecting() and (self.l1 or self.l2)
        # a data-parallel step divides by the global batch size (known during the forward only)
        batch = global_batch_size(x.shape[0]) if x.ndim else 1
        if collected:
            activity_losses.add(self.penalty(x, batch))
        return x, (x if collected else None, batch, x.dtype)

    def backward(self, cache, grad_outputs):
        x, batch, in_dtype = cache
        g = np.asarray(grad_outputs)
        if x is None:
            return g.astype(in_dtype, copy=False), {}
        xw = x.astype(np.float64)
        extra = (self.l1 * np.sign(xw) + 2.0 * self.l2 * xw) / batch
        return (g.astype(np.float64) + extra).astype(in_dtype, copy=False), {}

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
