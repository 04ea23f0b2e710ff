"""A weight: a numpy array with its constraint and regularizer, written only through `assign`."""

import numpy as np

from .state_transaction import current_transaction


class Variable:
    """A layer weight.

    `value` is the numpy array owned by the variable, for rkeras' own kernels; every change goes
    through `assign` (or a training step's transaction, see `state_transaction.py`, which writes its
    new arrays at its commit), and the array keeps its identity. `np.asarray(v)` gives a
    read-only view and `v.numpy()` a copy. `path` is `layer_name/weight_name`, e.g.
    `batch_normalization/gamma`.
    """

    __array_ufunc__ = None  # `array | ...` must not be taken over by numpy

    def __init__(self, value, *, name, path=None, trainable=True, dtype=None, constraint=None,
                 regularizer=None):
        dtype = np.dtype(dtype) if dtype is not None else np.asarray(value).dtype
        self._value = np.array(value, dtype=dtype, copy=True, order="C")
        self.name = name
        self.path = path or name
        self.trainable = bool(trainable)
        self.constraint = constraint
        self.regularizer = regularizer

    @property
    def value(self) -> np.ndarray:
        """The current array (inside a training step: the step's pending one, once it has one)."""
        transaction = current_transaction()
        if transaction is not None:
            pending = transaction.pending(self)
            if pending is not None:
                return pending
        return self._value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    def numpy(self) -> np.ndarray:
        """A copy of the current value."""
        return self.value.copy()

    def __array__(self, dtype=None, copy=None):
        value = self.value
        if dtype is not None and np.dtype(dtype) != value.dtype:
            return value.astype(dtype)
        if copy:
            return value.copy()
        view = value.view()  # never the live writable buffer: writes go through assign()
        view.flags.writeable = False
        return view

    def assign(self, new_value) -> None:
        """Write `new_value` into the variable (shape must match; numeric, no NaN from None).

        Inside a training step's transaction the new value is staged and takes effect at its commit.
        """
        new_value = self._checked(new_value, "new_value")
        transaction = current_transaction()
        if transaction is not None:
            transaction.stage(self, np.array(new_value, dtype=self.dtype, order="C"))
        else:
            self._value[...] = new_value

    def _checked(self, new_value, arg_name):
        """`new_value` as a numeric array of this variable's shape, or a TypeError/ValueError naming it."""
        arr = new_value if isinstance(new_value, np.ndarray) else np.asarray(new_value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"`{arg_name}` for variable '{self.path}' must be a numeric array; received "
                            f"{type(new_value).__name__} of dtype {arr.dtype}.")
        if arr.shape != self._value.shape:
            raise ValueError(f"`{arg_name}`: cannot assign a value of shape {arr.shape} to variable "
                             f"'{self.path}' of shape {self._value.shape}.")
        return arr

    def apply_constraint(self) -> None:
        """Project the value with the variable's constraint, if any (after an optimizer update)."""
        if self.constraint is not None:
            self.assign(self.constraint(self.value))

    def assign_add(self, delta) -> None:
        """Add `delta` to the value in place (metric state, counters)."""
        self.assign(self.value + np.asarray(getattr(delta, "value", delta)))

    def assign_sub(self, delta) -> None:
        """Subtract `delta` from the value in place."""
        self.assign(self.value - np.asarray(getattr(delta, "value", delta)))

    def __len__(self):
        return len(self._value)

    def __float__(self):
        return float(self.value)

    # Arithmetic goes through the op_* functions, so that a training step's tape records it.
    # `==` and `!=` stay identity comparisons (variables are dict keys): use op_equal() for values.
    def __add__(self, other): return _ops().op_add(self, other)
    def __radd__(self, other): return _ops().op_add(other, self)
    def __sub__(self, other): return _ops().op_subtract(self, other)
    def __rsub__(self, other): return _ops().op_subtract(other, self)
    def __mul__(self, other): return _ops().op_multiply(self, other)
    def __rmul__(self, other): return _ops().op_multiply(other, self)
    def __truediv__(self, other): return _ops().op_divide(self, other)
    def __rtruediv__(self, other): return _ops().op_divide(other, self)
    def __pow__(self, other): return _ops().op_power(self, other)
    def __rpow__(self, other): return _ops().op_power(other, self)
    def __matmul__(self, other): return _linalg().op_matmul(self, other)
    def __rmatmul__(self, other): return _linalg().op_matmul(other, self)
    def __neg__(self): return _ops().op_negative(self)
    def __pos__(self): return _ops().op_copy(self)
    def __abs__(self): return _ops().op_abs(self)
    def __lt__(self, other): return _ops().op_less(self, other)
    def __le__(self, other): return _ops().op_less_equal(self, other)
    def __gt__(self, other): return _ops().op_greater(self, other)
    def __ge__(self, other): return _ops().op_greater_equal(self, other)
    __hash__ = object.__hash__

    def __getitem__(self, key):
        from ..ops.shape import get_item
        return get_item(self, key)

    def __repr__(self):
        return (f"<Variable path={self.path} shape={self.shape} dtype={self.dtype.name} "
                f"trainable={self.trainable}>")


def _ops():
    from ..ops import math
    return math


def _linalg():
    from ..ops import linalg
    return linalg
