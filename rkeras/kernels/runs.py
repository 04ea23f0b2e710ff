"""Contiguous runs of array elements copied or zeroed as one LLVM memcpy/memset, from numba code.

numba's element loops over a run whose start is not provably non-negative keep the negative-index
wraparound per element and do not vectorize (a 96-value copy loop ran at 1.3 values/ns); LLVM's memcpy
of the same run is a few vector moves. Used by the convolution gathers.
"""

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["copy_run", "zero_run"]


def _element_pointer(context, builder, array_type, array, offset, offset_type):
    data = context.make_array(array_type)(context, builder, array).data
    return builder.gep(data, [context.cast(builder, offset, offset_type, types.intp)])


@intrinsic
def copy_run(typingctx, dst, dst_offset, src, src_offset, count):
    """dst.flat[dst_offset:dst_offset + count] = src.flat[src_offset:...] (C-contiguous arrays, one dtype, no overlap)."""
    if not (isinstance(dst, types.Array) and isinstance(src, types.Array) and dst.layout == "C"
            and src.layout == "C" and dst.dtype == src.dtype):
        return None

    def codegen(context, builder, signature, args):
        d, do, s, so, n = args
        st = signature.args
        item = context.get_abi_sizeof(context.get_data_type(st[0].dtype))
        nbytes = builder.mul(context.cast(builder, n, st[4], types.intp), context.get_constant(types.intp, item))
        cgutils.raw_memcpy(builder, _element_pointer(context, builder, st[0], d, do, st[1]),
                           _element_pointer(context, builder, st[2], s, so, st[3]), nbytes, 1)
        return context.get_dummy_value()

    return types.void(dst, dst_offset, src, src_offset, count), codegen


@intrinsic
def zero_run(typingctx, dst, dst_offset, count):
    """dst.flat[dst_offset:dst_offset + count] = 0 (a C-contiguous array)."""
    if not (isinstance(dst, types.Array) and dst.layout == "C"):
        return None

    def codegen(context, builder, signature, args):
        d, do, n = args
        st = signature.args
        item = context.get_abi_sizeof(context.get_data_type(st[0].dtype))
        nbytes = builder.mul(context.cast(builder, n, st[2], types.intp), context.get_constant(types.intp, item))
        cgutils.memset(builder, _element_pointer(context, builder, st[0], d, do, st[1]), nbytes, 0)
        return context.get_dummy_value()

    return types.void(dst, dst_offset, count), codegen
