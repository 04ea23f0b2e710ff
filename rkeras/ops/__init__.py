"""The `op_*` functions: numpy in, numpy out, each with a vector-Jacobian rule for the tape.

One module per family: `math` (element-wise), `reductions`, `shape`, `linalg`, `nn`, `creation`,
`core` (conversions, gradient control) and `random`. Each module lists its R names in `__all__`, which
`rkeras/__init__.py` imports by name.
"""
