"""Argument checks and window geometry shared by the convolution, pooling and padding layers.

R users write `kernel_size = c(3, 3)`, `strides = 2`, `padding = "same"`; these helpers turn such
values into tuples of Python ints and compute, for one spatial dimension, the output length and
the padding before the first element, exactly as Keras 3 (TensorFlow's "SAME" rule) does.
"""

import numpy as np

from ... import conventions

DATA_FORMATS = ("channels_last", "channels_first")


def standardize_tuple(value, n: int, arg_name: str, minimum: int = 1) -> tuple:
    """An integer or a list/tuple of `n` integers (R: `3L`, `c(3, 3)`, `list(3L, 3L)`) -> tuple of n ints."""
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if len(items) != n:
            raise ValueError(f"`{arg_name}` must be an integer or a list of {n} integers; received {value!r}.")
    else:
        items = [value] * n
    out = []
    for v in items:
        try:
            v = conventions.as_integer(v, arg_name)
        except TypeError:
            raise TypeError(f"`{arg_name}` must be an integer or a list of {n} integers; received {value!r}.") \
                from None
        if v < minimum:
            raise ValueError(f"`{arg_name}` must hold integers >= {minimum}; received {value!r}.")
        out.append(v)
    return tuple(out)


def standardize_padding(value, arg_name: str = "padding", allow_causal: bool = False) -> str:
    """"valid" or "same" (case-insensitive), and "causal" where `allow_causal`."""
    accepted = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if not isinstance(value, str) or value.lower() not in accepted:
        raise ValueError(f"`{arg_name}` must be one of {', '.join(repr(a) for a in accepted)}; received {value!r}.")
    return value.lower()


def standardize_data_format(value, arg_name: str = "data_format") -> str:
    """None (-> "channels_last"), "channels_last" or "channels_first"."""
    if value is None:
        return "channels_last"
    if not isinstance(value, str) or value.lower() not in DATA_FORMATS:
        raise ValueError(f"`{arg_name}` must be None, 'channels_last' or 'channels_first'; received {value!r}.")
    return value.lower()


def window_geometry(n, kernel: int, stride: int, dilation: int, padding: str):
    """(output length, padding before) of one spatial dimension of size `n` (None -> (None, None)).

    valid: no padding, `floor((n - (k-1)*d - 1) / s) + 1` outputs (may be <= 0: the caller raises).
    same: `ceil(n / s)` outputs, `pad_total = max((ceil(n/s) - 1)*s + (k-1)*d + 1 - n, 0)`, of which
    `pad_total // 2` before (TensorFlow's rule, used by every Keras backend).
    causal: `(k-1)*d` zeros before, then valid: `ceil(n / s)` outputs.
    """
    if n is None:
        return None, None
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (n - span) // stride + 1, 0
    if padding == "causal":
        return (n + span - 1 - span) // stride + 1, span - 1
    out = -(-n // stride)
    total = max((out - 1) * stride + span - n, 0)
    return out, total // 2


def output_length(n, kernel, stride, dilation, padding, layer_name, input_shape):
    """The output length, or a ValueError when the window does not fit in the input."""
    out, _ = window_geometry(n, kernel, stride, dilation, padding)
    if out is not None and out <= 0:
        raise ValueError(f"Layer '{layer_name}': an input of shape {tuple(input_shape)} is too small for a "
                         f"window of size {kernel} (dilation {dilation}) with padding '{padding}': the "
                         f"computed output size would be {out}.")
    return out
