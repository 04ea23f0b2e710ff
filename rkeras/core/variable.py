"""A weight: a numpy array that optimizers update in place, with its constraint and regularizer."""

import numpy as np


class Variable:
    """A layer weight.

    `value` is a numpy array owned by the variable; optimizers and layers update it in place
    (`assign`), so every holder of the variable sees the change. `np.asarray(v)` and `v.numpy()`
    give the value. `path` is `layer_name/weight_name`, e.g. `batch_normalization/gamma`.
    """

    __array_ufunc__ = None  # `array | ...` must not be taken over by numpy

    def __init__(self, value, *, name, path=None, trainable=True, dtype=None, constraint=None,
                 regularizer=None):
        dtype = np.dtype(dtype) if dtype is not None else np.asarray(value).dtype
        self.value = np.array(value, dtype=dtype, copy=True, order="C")
        self.name = name
        self.path = path or name
        self.trainable = bool(trainable)
        self.constraint = constraint
        self.regularizer = regularizer

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    def numpy(self) -> np.ndarray:
        """A copy of the current value."""
        return self.value.copy()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self.value.dtype:
            return self.value.astype(dtype)
        return self.value.copy() if copy else self.value

    def assign(self, new_value) -> None:
        """Write `new_value` into the variable (shape must match)."""
        new_value = np.asarray(new_value)
        if new_value.shape != self.value.shape:
            raise ValueError(f"Cannot assign a value of shape {new_value.shape} to variable "
                             f"'{self.path}' of shape {self.value.shape}.")
        self.value[...] = new_value

    def apply_constraint(self) -> None:
        """Project the value with the variable's constraint, if any (after an optimizer update)."""
        if self.constraint is not None:
            self.assign(self.constraint(self.value))

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        return (f"<Variable path={self.path} shape={self.shape} dtype={self.dtype.name} "
                f"trainable={self.trainable}>")
