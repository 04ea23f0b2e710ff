"""The R names of the ops: `op_*`, `random_*`, `shape()`, `array_reshape()` (`to_categorical()` is in `rkeras.api.utils`).

The functions live in `rkeras.ops.<family>`; this module only gathers them for `rkeras/__init__.py`.
"""

from ..ops import core, creation, linalg, math, nn, random, reductions, shape

_MODULES = (math, reductions, shape, linalg, nn, creation, core, random)

for _m in _MODULES:
    for _name in dir(_m):
        _f = getattr(_m, _name)
        if _name.startswith(("op_", "random_")) and callable(_f) and getattr(_f, "__module__", "") == _m.__name__:
            globals()[_name] = _f

array_reshape = core.array_reshape
shape = core.shape
