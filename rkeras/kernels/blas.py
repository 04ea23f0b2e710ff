"""numpy's BLAS matrix product, callable from numba kernels (so that a whole time loop runs compiled).

numba's own `np.dot` needs scipy; rkeras does not depend on it. Instead, `gemm_function()` finds the
CBLAS `?gemm` of the OpenBLAS that numpy loaded (among the process' libraries, `/proc/self/maps`) and
returns its addresses; a kernel receives them as integer arguments and calls `gemm(...)`, an intrinsic
that casts the address to the CBLAS function type. The address is a runtime argument, not a constant,
so the kernels stay cacheable (`cache=True`).

Only symbols whose integer width is known are used: `scipy_cblas_?gemm64_` / `cblas_?gemm64_` (ILP64,
numpy >= 2's wheels) and `scipy_cblas_?gemm` (LP64). Without one (another BLAS, another platform)
`gemm_function()` returns None and callers keep their numpy path.
"""

import ctypes

from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["NO_TRANS", "ROW_MAJOR", "TRANS", "BlasGemm", "gemm", "gemm_function"]

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS enums

_CANDIDATES = (  # (prefix, suffix, integer bits)
    ("scipy_cblas_", "64_", 64),
    ("cblas_", "64_", 64),
    ("scipy_cblas_", "", 32),
)


class BlasGemm:
    """Addresses of CBLAS sgemm and dgemm and their integer width (64 for ILP64, 32 for LP64)."""

    def __init__(self, sgemm, dgemm, int_bits):
        self.sgemm, self.dgemm, self.int_bits = sgemm, dgemm, int_bits

    def address(self, dtype):
        return self.sgemm if dtype.itemsize == 4 else self.dgemm


_found = None
_searched = False


def _openblas_paths():
    try:
        with open("/proc/self/maps") as maps:
            return sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        return []


def gemm_function():
    """The `BlasGemm` of numpy's OpenBLAS, or None where it cannot be found."""
    global _found, _searched
    if _searched:
        return _found
    import numpy as np

    np.dot(np.ones((2, 2)), np.ones((2, 2)))  # numpy's BLAS is loaded by now
    _searched = True
    for path in _openblas_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix, bits in _CANDIDATES:
            try:
                s = getattr(lib, f"{prefix}sgemm{suffix}")
                d = getattr(lib, f"{prefix}dgemm{suffix}")
            except AttributeError:
                continue
            _found = BlasGemm(ctypes.cast(s, ctypes.c_void_p).value, ctypes.cast(d, ctypes.c_void_p).value, bits)
            return _found
    return None


def _gemm_intrinsic(int_bits):
    @intrinsic
    def call(typingctx, fptr, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, witness):
        """cblas_?gemm(RowMajor, NoTrans, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); the
        float type is `witness`' dtype (an array), pointers are integer addresses."""
        i64, f64 = types.int64, types.float64
        sig = types.void(i64, i64, i64, i64, i64, f64, i64, i64, i64, i64, f64, i64, i64, witness)

        def codegen(context, builder, signature, args):
            fptr_v, tb, m_v, n_v, k_v, alpha_v, a_v, lda_v, b_v, ldb_v, beta_v, c_v, ldc_v, _ = args
            i32, iw = ir.IntType(32), ir.IntType(int_bits)
            single = signature.args[-1].dtype == types.float32
            flt = ir.FloatType() if single else ir.DoubleType()
            ptr = flt.as_pointer()
            fnty = ir.FunctionType(ir.VoidType(),
                                   [i32, i32, i32, iw, iw, iw, flt, ptr, iw, ptr, iw, flt, ptr, iw])
            fn = builder.inttoptr(fptr_v, fnty.as_pointer())

            def blas_int(v):
                return v if int_bits == 64 else builder.trunc(v, iw)

            def real(v):
                return builder.fptrunc(v, flt) if single else v

            builder.call(fn, [ir.Constant(i32, ROW_MAJOR), ir.Constant(i32, NO_TRANS), builder.trunc(tb, i32),
                              blas_int(m_v), blas_int(n_v), blas_int(k_v), real(alpha_v),
                              builder.inttoptr(a_v, ptr), blas_int(lda_v), builder.inttoptr(b_v, ptr),
                              blas_int(ldb_v), real(beta_v), builder.inttoptr(c_v, ptr), blas_int(ldc_v)])
            return context.get_dummy_value()

        return sig, codegen

    return call


_gemm64 = _gemm_intrinsic(64)
_gemm32 = _gemm_intrinsic(32)


@njit(cache=True, nogil=True, inline="always")
def gemm(fptr, int_bits, trans_b, alpha, a, b, beta, c):
    """c = alpha * a @ op(b) + beta * c on 2-D arrays with unit column stride (rows may be strided),
    op(b) = b or b.T (`trans_b`: NO_TRANS or TRANS), through the CBLAS function at `fptr`."""
    m, k = a.shape
    n = c.shape[1]
    ok = (a.strides[1] == a.itemsize and b.strides[1] == b.itemsize and c.strides[1] == c.itemsize
          and c.shape[0] == m and (b.shape[0] == k if trans_b == NO_TRANS else b.shape[1] == k)
          and (b.shape[1] == n if trans_b == NO_TRANS else b.shape[0] == n))
    if not ok:
        raise ValueError("gemm: incompatible shapes or a non-unit column stride")
    if m == 0 or n == 0:
        return
    lda = max(a.strides[0] // a.itemsize, k, 1)  # a one-row view may carry any row stride
    ldb = max(b.strides[0] // b.itemsize, b.shape[1], 1)
    ldc = max(c.strides[0] // c.itemsize, n, 1)
    if int_bits == 64:
        _gemm64(fptr, trans_b, m, n, k, alpha, a.ctypes.data, lda, b.ctypes.data, ldb, beta,
                c.ctypes.data, ldc, c)
    else:
        _gemm32(fptr, trans_b, m, n, k, alpha, a.ctypes.data, lda, b.ctypes.data, ldb, beta,
                c.ctypes.data, ldc, c)
