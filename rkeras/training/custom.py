"""Bases of user-defined losses and metrics written with `op_*` functions (R keras3's `Loss()`, `Metric()`)."""

import numpy as np

from ..core import tape as _tape
from ..core.naming import to_snake_case
from ..core.variable import Variable
from .losses import Loss
from .metrics import Metric


class CustomLoss(Loss):
    """A loss whose `call(y_true, y_pred)` returns per-sample values computed with ops; its gradient
    with respect to `y_pred` comes from the tape.

    Parameters
    ----------
    name : str or None
        Name (default: the class name in snake_case).
    reduction : str
        `"sum_over_batch_size"` (mean of the values, the default), `"mean"`, `"sum"` or `"none"`.
    dtype : str or None
        Accepted for R keras3 compatibility (the values keep the dtype of `y_pred`).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        super().__init__(name or to_snake_case(type(self).__name__), reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred).")

    def _reduce(self, per):
        from ..ops.reductions import op_mean, op_sum
        return op_sum(per) if self.reduction == "sum" else op_mean(per)

    def per_sample(self, y_true, y_pred):
        return np.asarray(_tape.plain(self.call(np.asarray(y_true), np.asarray(y_pred))), dtype=np.float64)

    def __call__(self, y_true, y_pred):
        per = self.call(np.asarray(y_true), np.asarray(y_pred))
        if self.reduction == "none":
            return _tape.plain(per)
        return float(np.asarray(_tape.plain(self._reduce(per))))

    def value_and_grad(self, y_true, y_pred):
        if self.reduction == "none":
            raise ValueError(f"value_and_grad() needs a scalar loss, but {self.name} has `reduction` = 'none'.")
        yp = np.asarray(y_pred)
        tape = _tape.Tape()
        with _tape.gradient_scope(), tape:
            watched = tape.watch(yp)
            value = self._reduce(self.call(np.asarray(y_true), watched))
        grads = tape.gradients({id(value): np.ones((), _tape.plain(value).dtype)} if tape.knows(value) else {})
        g = grads.get(id(watched))
        g = np.zeros_like(yp) if g is None else np.asarray(g, dtype=yp.dtype).reshape(yp.shape)
        return float(np.asarray(_tape.plain(value))), g


class CustomMetric(Metric):
    """A metric with state variables (`add_variable()`), `update_state()`, `result()` and
    `reset_state()` (by default: every state variable back to its initial value).

    Parameters
    ----------
    name : str or None
        Name in the training logs (default: the class name in snake_case).
    dtype : str or None
        dtype of the state variables (default `config_floatx()`).
    """

    def __init__(self, name=None, dtype=None):
        super().__init__(name or to_snake_case(type(self).__name__))
        self.dtype = dtype
        self._state_variables = []

    def add_variable(self, shape=None, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """A state variable (not trainable), reset by the default `reset_state()`."""
        from .. import initializers
        from ..core.config import config_floatx
        shape = () if shape is None else tuple(shape)
        dtype = dtype or self.dtype or config_floatx()
        value = np.asarray(initializers.get(initializer)(shape, dtype), dtype=dtype)
        var = Variable(value, name=name or f"variable_{len(self._state_variables)}",
                       path=f"{self.name}/{name or 'variable'}", trainable=False, dtype=dtype)
        var._initial = value.copy()
        self._state_variables.append(var)
        return var

    add_weight = add_variable

    @property
    def variables(self):
        return list(self._state_variables)

    def reset_state(self):
        for v in self._state_variables:
            v.assign(v._initial)

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must define result().")
