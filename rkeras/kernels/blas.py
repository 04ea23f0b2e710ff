"""numpy's own OpenBLAS, callable from numba code: `gemm()` on array slices and one-thread BLAS in a thread.

The convolution kernels run one matrix product per cache-sized tile inside a numba parallel loop, each
worker thread on its own tile with single-threaded BLAS (BLAS' own threads would fight numba's). numba
reaches BLAS only through SciPy, which rkeras does not depend on, so this module emits calls to numpy's
bundled OpenBLAS (the ILP64 `scipy_openblas64_` build of numpy >= 2 wheels) by symbol name, and tells
LLVM each symbol's address in this process at import. The names, not addresses, are in the compiled code,
so it can be cached (`cache=True`).

Two entries: `gemm()` on buffers with element offsets and leading dimensions (the convolution tiles),
and `gemm_rows()` on 2-D views whose rows may be strided (the recurrent time loops' per-step products).
`available()` says whether the symbols were found (another BLAS or platform: no); the callers keep a
numpy path for that case, and must not call the kernels that use `gemm()` when it is False.
"""

import ctypes

import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["NO_TRANS", "TRANS", "available", "gemm", "gemm_rows", "get_threads", "library", "set_local_threads"]

_SGEMM, _DGEMM = "scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_"
_SET_LOCAL = "openblas_set_num_threads_local"
_GET = "scipy_openblas_get_num_threads64_"
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
NO_TRANS, TRANS = _NO_TRANS, _TRANS  # CBLAS enums, for `gemm_rows`
_INT64, _INT32 = ir.IntType(64), ir.IntType(32)


def _register_symbols() -> bool:
    """Tell LLVM where numpy's OpenBLAS functions are in this process; False when they are not there."""
    np.ones((2, 2)) @ np.ones((2, 2))  # numpy's BLAS is loaded lazily on some builds
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        return False
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            addresses = {name: ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
                         for name in (_SGEMM, _DGEMM, _SET_LOCAL, _GET)}
        except (OSError, AttributeError):
            continue
        for name, value in addresses.items():
            llvm.add_symbol(name, value)
        global _LIBRARY
        _LIBRARY = lib
        return True
    return False


_LIBRARY = None


_AVAILABLE = _register_symbols()


def available() -> bool:
    """True when numba code in this process may call `gemm()` and `set_local_threads()`."""
    return _AVAILABLE


def library():
    """numpy's OpenBLAS as a `ctypes.CDLL` (None when not found), for Python code that sets its threads."""
    return _LIBRARY


def _data_pointer(context, builder, array_type, array_value, offset, offset_type):
    """The address of element `offset` (counted in elements) from an array's first element."""
    data = context.make_array(array_type)(context, builder, array_value).data
    return builder.gep(data, [context.cast(builder, offset, offset_type, types.intp)])


@intrinsic
def gemm(typingctx, trans_a, trans_b, m, n, k, alpha, a, a_offset, lda, b, b_offset, ldb, beta, c, c_offset,
         ldc):
    """C = alpha * op(A) @ op(B) + beta * C, row-major, on the arrays' buffers from the given element offsets.

    `a`, `b`, `c` are float32 (sgemm) or float64 (dgemm) arrays of one dtype, addressed from their first
    element with the caller's leading dimensions (C-contiguous arrays, or views with unit column stride);
    `trans_*` are booleans; m, n, k, lda, ldb, ldc as in CBLAS. Runs on the calling thread's BLAS thread
    count."""
    arrays = (a, b, c)
    if not all(isinstance(t, types.Array) for t in arrays):
        return None
    dtype = a.dtype
    if dtype not in (types.float32, types.float64) or b.dtype != dtype or c.dtype != dtype:
        return None
    name = _SGEMM if dtype == types.float32 else _DGEMM
    scalar = ir.FloatType() if dtype == types.float32 else ir.DoubleType()
    pointer = scalar.as_pointer()

    def codegen(context, builder, signature, args):
        (ta, tb, m_, n_, k_, alpha_, a_, ao, lda_, b_, bo, ldb_, beta_, c_, co, ldc_) = args
        st = signature.args
        fn = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [_INT32, _INT32, _INT32, _INT64, _INT64, _INT64, scalar, pointer,
                                            _INT64, pointer, _INT64, scalar, pointer, _INT64]),
            name)

        def flag(value, value_type):
            as_bool = context.cast(builder, value, value_type, types.boolean)
            return builder.select(as_bool, _INT32(_TRANS), _INT32(_NO_TRANS))

        def i64(value, value_type):
            return context.cast(builder, value, value_type, types.int64)

        def real(value, value_type):
            return context.cast(builder, value, value_type, dtype)

        builder.call(fn, [
            _INT32(_ROW_MAJOR), flag(ta, st[0]), flag(tb, st[1]), i64(m_, st[2]), i64(n_, st[3]), i64(k_, st[4]),
            real(alpha_, st[5]), _data_pointer(context, builder, st[6], a_, ao, st[7]), i64(lda_, st[8]),
            _data_pointer(context, builder, st[9], b_, bo, st[10]), i64(ldb_, st[11]), real(beta_, st[12]),
            _data_pointer(context, builder, st[13], c_, co, st[14]), i64(ldc_, st[15])])
        return context.get_dummy_value()

    return types.void(trans_a, trans_b, m, n, k, alpha, a, a_offset, lda, b, b_offset, ldb, beta, c, c_offset,
                      ldc), codegen


@intrinsic
def get_threads(typingctx):
    """OpenBLAS' current thread count."""

    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_INT32, []), _GET)
        return context.cast(builder, builder.call(fn, []), types.int32, types.int64)

    return types.int64(), codegen


@intrinsic
def set_local_threads(typingctx, count):
    """OpenBLAS' thread count for the calling thread (OpenBLAS >= 0.3.27); returns the previous one.

    In numpy's OpenBLAS 0.3.31 the count it sets is seen by every thread (measured: a worker's
    `set_local(1)` makes the main thread's count 1), so code whose threads set it puts the caller's count
    back once they have joined (`get_threads()` before, `set_local_threads(saved)` after)."""
    if not isinstance(count, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_INT32, [_INT32]), _SET_LOCAL)
        value = builder.call(fn, [context.cast(builder, args[0], signature.args[0], types.int32)])
        return context.cast(builder, value, types.int32, types.int64)

    return types.int64(count), codegen


@njit(cache=True, nogil=True, inline="always")
def gemm_rows(trans_b, alpha, a, b, beta, c):
    """c = alpha * a @ op(b) + beta * c on 2-D views with unit column stride (rows may be strided),
    op(b) = b or b.T (`trans_b`: NO_TRANS or TRANS)."""
    m, k = a.shape
    n = c.shape[1]
    transposed = trans_b == TRANS
    ok = (a.strides[1] == a.itemsize and b.strides[1] == b.itemsize and c.strides[1] == c.itemsize
          and c.shape[0] == m and (b.shape[1] == k if transposed else b.shape[0] == k)
          and (b.shape[0] == n if transposed else b.shape[1] == n))
    if not ok:
        raise ValueError("gemm_rows: incompatible shapes or a non-unit column stride")
    if m == 0 or n == 0:
        return
    lda = max(a.strides[0] // a.itemsize, k, 1)  # a one-row view may carry any row stride
    ldb = max(b.strides[0] // b.itemsize, b.shape[1], 1)
    ldc = max(c.strides[0] // c.itemsize, n, 1)
    gemm(False, transposed, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc)
