"""`(before, after)` amounts per spatial dimension, as R users write them for the cropping and padding
layers: `1`, `c(1, 2)` (one pair, or symmetric amounts per dimension) or `list(c(1, 2), c(3, 4))`."""

import numpy as np

from ... import conventions


def _as_int(v, arg_name, original, accepted):
    try:
        return conventions.as_integer(v, arg_name, minimum=0)
    except TypeError:
        raise TypeError(f"`{arg_name}` must be {accepted}; received {original!r}.") from None
    except ValueError:
        raise ValueError(f"`{arg_name}` must hold integers >= 0; received {original!r}.") from None


def normalize_pairs(value, n: int, arg_name: str) -> tuple:
    """`value` as a tuple of `n` pairs of ints >= 0.

    n == 1: an integer (both sides) or a pair `(before, after)`.
    n == 2: an integer (every side), 2 integers (symmetric per dimension) or 2 pairs.
    """
    is_seq = isinstance(value, (list, tuple, np.ndarray))
    if n == 1:
        accepted = "an integer or a list of 2 integers (before, after)"
        if not is_seq:
            p = _as_int(value, arg_name, value, accepted)
            return ((p, p),)
        if len(value) != 2:
            raise ValueError(f"`{arg_name}` must be {accepted}; received {value!r}.")
        return ((_as_int(value[0], arg_name, value, accepted), _as_int(value[1], arg_name, value, accepted)),)
    accepted = (f"an integer, a list of {n} integers (symmetric amounts per dimension), or a list of {n} "
                f"lists of 2 integers ((before, after) per dimension)")
    if not is_seq:
        p = _as_int(value, arg_name, value, accepted)
        return ((p, p),) * n
    items = list(value)
    if len(items) != n:
        raise ValueError(f"`{arg_name}` must be {accepted}; received {value!r}.")
    out = []
    for v in items:
        if isinstance(v, (list, tuple, np.ndarray)):
            if len(v) != 2:
                raise ValueError(f"`{arg_name}` must be {accepted}; received {value!r}.")
            out.append((_as_int(v[0], arg_name, value, accepted), _as_int(v[1], arg_name, value, accepted)))
        else:
            p = _as_int(v, arg_name, value, accepted)
            out.append((p, p))
    return tuple(out)


def check_rank(layer, input_shape, rank, layout):
    input_shape = tuple(input_shape)
    if len(input_shape) != rank:
        raise ValueError(f"Layer '{layer.name}' expects inputs of rank {rank}, {layout}; received an input of "
                         f"shape {input_shape}.")
    return input_shape
