"""The C library's memory functions and raw pointers, callable from numba code.

numba has no `malloc`: these intrinsics emit calls to the C library's functions by name, so the code that
uses them can be cached (`cache=True`; the names are resolved again in each process) where a `ctypes`
function would bake one process' addresses into the cache. Used by the array cache (`array_cache.py`),
whose numpy allocator functions are `@cfunc`s.

Pointers are `voidptr`; `address(p)` and `pointer_at(a)` convert to and from integers for the arithmetic.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["address", "c_calloc", "c_free", "c_madvise", "c_malloc", "c_realloc", "memset_zero", "pointer_at"]

_SIZE = ir.IntType(64)  # size_t on the 64-bit platforms numba supports
_INT = ir.IntType(32)


def _c_function(builder, name, result, arguments):
    return cgutils.get_or_insert_function(builder.module, ir.FunctionType(result, arguments), name)


@intrinsic
def c_malloc(typingctx, size):
    """malloc(size): a voidptr, NULL when out of memory."""
    if not isinstance(size, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        fn = _c_function(builder, "malloc", cgutils.voidptr_t, [_SIZE])
        return builder.call(fn, [context.cast(builder, args[0], signature.args[0], types.uint64)])

    return types.voidptr(size), codegen


@intrinsic
def c_calloc(typingctx, count, size):
    """calloc(count, size): zeroed memory, NULL when out of memory (or when count * size overflows)."""
    if not (isinstance(count, types.Integer) and isinstance(size, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        fn = _c_function(builder, "calloc", cgutils.voidptr_t, [_SIZE, _SIZE])
        return builder.call(fn, [context.cast(builder, a, t, types.uint64) for a, t in zip(args, signature.args)])

    return types.voidptr(count, size), codegen


@intrinsic
def c_realloc(typingctx, pointer, size):
    """realloc(pointer, size)."""
    if not (pointer == types.voidptr and isinstance(size, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        fn = _c_function(builder, "realloc", cgutils.voidptr_t, [cgutils.voidptr_t, _SIZE])
        return builder.call(fn, [args[0], context.cast(builder, args[1], signature.args[1], types.uint64)])

    return types.voidptr(pointer, size), codegen


@intrinsic
def c_free(typingctx, pointer):
    """free(pointer)."""
    if pointer != types.voidptr:
        return None

    def codegen(context, builder, signature, args):
        builder.call(_c_function(builder, "free", ir.VoidType(), [cgutils.voidptr_t]), [args[0]])
        return context.get_dummy_value()

    return types.void(pointer), codegen


@intrinsic
def c_madvise(typingctx, pointer, length, advice):
    """madvise(pointer, length, advice) (pointer page-aligned): 0, or -1 when the kernel refused."""
    if not (pointer == types.voidptr and isinstance(length, types.Integer) and isinstance(advice, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        fn = _c_function(builder, "madvise", _INT, [cgutils.voidptr_t, _SIZE, _INT])
        return builder.call(fn, [args[0], context.cast(builder, args[1], signature.args[1], types.uint64),
                                 context.cast(builder, args[2], signature.args[2], types.int32)])

    return types.int32(pointer, length, advice), codegen


@intrinsic
def memset_zero(typingctx, pointer, length):
    """Zero `length` bytes from `pointer` (LLVM's memset)."""
    if not (pointer == types.voidptr and isinstance(length, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        n = context.cast(builder, args[1], signature.args[1], types.uint64)
        cgutils.memset(builder, args[0], n, 0)
        return context.get_dummy_value()

    return types.void(pointer, length), codegen


@intrinsic
def address(typingctx, pointer):
    """The address a voidptr holds, as an int64 (0 for NULL)."""
    if pointer != types.voidptr:
        return None

    def codegen(context, builder, signature, args):
        return builder.ptrtoint(args[0], _SIZE)

    return types.int64(pointer), codegen


@intrinsic
def pointer_at(typingctx, value):
    """The voidptr holding the address `value` (an integer)."""
    if not isinstance(value, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.inttoptr(context.cast(builder, args[0], signature.args[0], types.int64), cgutils.voidptr_t)

    return types.voidptr(value), codegen
