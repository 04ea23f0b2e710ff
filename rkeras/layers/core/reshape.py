"""`Reshape`: (batch, ...) -> (batch, *target_shape), as Keras 3's `Reshape` (one -1 allowed)."""

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array, float_input


class Reshape(Layer):
    """Reshapes the inputs into the given shape (batch dimension kept); see `layer_reshape()`."""

    def __init__(self, target_shape=None, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_reshape()")
        self.target_shape = _check_target_shape(target_shape)
        super().__init__(**kwargs)

    def _resolve(self, input_shape):
        """The output shape for `input_shape` (batch first); None where the size cannot be known."""
        input_shape = tuple(input_shape)
        if len(input_shape) < 1:
            raise ValueError(f"Layer '{self.name}' needs inputs with a batch dimension; received shape "
                             f"{input_shape}.")
        rest = input_shape[1:]
        target = self.target_shape
        known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
        if any(d is None for d in rest):
            return (input_shape[0],) + tuple(None if d == -1 else d for d in target)
        size = int(np.prod(rest, dtype=np.int64))
        if -1 in target:
            if known == 0 or size % known:
                raise ValueError(self._mismatch(input_shape))
            return (input_shape[0],) + tuple(size // known if d == -1 else d for d in target)
        if size != known:
            raise ValueError(self._mismatch(input_shape))
        return (input_shape[0],) + target

    def _mismatch(self, input_shape):
        return (f"Layer '{self.name}': `target_shape` = {self.target_shape} cannot hold an input of shape "
                f"{input_shape} ({int(np.prod(input_shape[1:], dtype=np.int64))} values per sample).")

    def compute_output_shape(self, input_shape):
        return self._resolve(input_shape)

    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        return x.reshape(self._resolve(x.shape)), x.shape

    def backward(self, cache, grad_outputs):
        return np.asarray(grad_outputs).reshape(cache), {}

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


def _check_target_shape(target_shape):
    if target_shape is None:
        raise ValueError("`target_shape` must be given: the shape of one output sample without the batch "
                         "dimension, e.g. (3, 4) or (-1, 4); received None.")
    if isinstance(target_shape, (bool, np.bool_)):
        raise TypeError(f"`target_shape` must be a tuple or list of integers; received {target_shape!r}.")
    if isinstance(target_shape, (int, np.integer, float, np.floating)):
        target_shape = (target_shape,)
    try:
        dims = list(target_shape)
    except TypeError:
        raise TypeError(f"`target_shape` must be a tuple or list of integers; "
                        f"received {target_shape!r}.") from None
    accepted = "positive integers and at most one -1 (a size inferred from the input)"
    out = []
    for d in dims:
        if isinstance(d, (float, np.floating)) and float(d).is_integer():
            d = int(d)
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"`target_shape` must hold {accepted}; received {target_shape!r}.")
        if d < 1 and d != -1:
            raise ValueError(f"`target_shape` must hold {accepted}; received {target_shape!r}.")
        out.append(int(d))
    if out.count(-1) > 1:
        raise ValueError(f"`target_shape` must hold {accepted}; received {target_shape!r} with several -1.")
    return tuple(out)
