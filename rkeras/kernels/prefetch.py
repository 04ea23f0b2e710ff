"""A software prefetch for numba kernels: `prefetch(arr, i)` asks the CPU to start loading the cache line
of `arr[i]` now, without waiting for it and without faulting (LLVM's `llvm.prefetch`: read, keep in all
cache levels). An index past the end is never dereferenced, but callers clamp it anyway.

Why: a pass that does a few operations per element (the shifted sums of batch normalization's moments,
the backward sums) keeps fewer loads in flight than a plain read, and the hardware prefetcher then falls
behind; asked for its data 8 KiB ahead, the moments' pass went from 2.2-2.5x to 1.2x a plain read.
`prefetch_ahead` is inlined into its callers (numba's `inline="always"`) and walks the lines with a while
loop: a `range` loop in a called function cost about as much as the work it helped. The measurements:
benchmarks/NOTES.md, "_AHEAD_BYTES" and "prefetch_ahead".
"""

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["LINE_BYTES", "prefetch", "prefetch_ahead"]

LINE_BYTES = 64  # a cache line on x86-64 and most ARM cores: one prefetch per line


@intrinsic
def prefetch(typingctx, arr, index):
    """Prefetch the cache line holding arr[index] (arr: a 1-D contiguous array; index: an integer)."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
            and isinstance(index, types.Integer)):
        return None  # a typing error: the flat index would not name arr[index] otherwise
    sig = types.void(arr, index)

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.bitcast(builder.gep(array.data, [args[1]]), cgutils.voidptr_t)
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [cgutils.voidptr_t, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [cgutils.voidptr_t], fnty)
        # rw = 0 (read), locality = 3 (keep in every level), cache type = 1 (data)
        builder.call(fn, [address, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def prefetch_ahead(arr, start, length, ahead_bytes):
    """Prefetch arr[start + ahead : start + ahead + length], ahead = ahead_bytes // arr.itemsize (clamped
    to arr; arr 1-D contiguous): one request per cache line, for the data a walk will reach soon."""
    q = start + ahead_bytes // arr.itemsize
    end = min(q + length, arr.shape[0])
    step = max(1, LINE_BYTES // arr.itemsize)
    while q < end:
        prefetch(arr, q)
        q += step
