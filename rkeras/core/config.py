"""Global float type, as `config_floatx()` / `config_set_floatx()` in R keras3."""

import numpy as np

_ACCEPTED = ("float16", "float32", "float64")
_floatx = "float32"


def config_floatx() -> str:
    """The default float type of new weights and inputs ("float32" unless changed).

    Returns
    -------
    str
    """
    return _floatx


def config_set_floatx(value: str) -> None:
    """Set the default float type of new weights and inputs.

    Parameters
    ----------
    value : str
        "float16", "float32" or "float64".
    """
    global _floatx
    if value not in _ACCEPTED:
        raise ValueError(f"`value` must be one of {list(_ACCEPTED)}; received {value!r}.")
    _floatx = value


def compute_dtype(dtype) -> np.dtype:
    """The dtype arithmetic runs in: float16 is computed in float32 (Keras' mixed precision)."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype == np.float16 else dtype
