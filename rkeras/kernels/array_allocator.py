"""The allocator functions of the array cache (`array_cache.py` explains the cache): numba `@cfunc`s that
numpy calls through the handler capsule, over the cache's state array (`ctx`).

A block is `HEADER_BYTES` bytes of bookkeeping (its capacity) followed by the data numpy sees. Blocks of at least
`MIN_BLOCK` bytes are kept in `SLOTS` slots when freed; a request takes the smallest cached block
that it fills to at least 7/8, else a new block from the C library.
"""

import numpy as np
from numba import carray, cfunc, njit, types

from .array_cache import (
    CACHED,
    CAPACITY,
    CLOCK,
    FIRST_SLOT,
    HEADER_BYTES,
    HITS,
    HUGE_PAGE_BYTES,
    HUGE_PAGES,
    MADV_HUGEPAGE,
    MIN_BLOCK,
    MISSES,
    RELEASED,
    SLOTS,
    STATE_LENGTH,
)
from .libc import address, c_calloc, c_free, c_madvise, c_malloc, c_realloc, memset_zero, pointer_at

_ptr = types.voidptr
_size = types.uintp


@njit(cache=True, inline="always")
def _empty_slot(state, at):
    """Forget the block of the slot at state[at:at + 3] (it is handed out or freed); returns its address."""
    block = state[at]
    state[CACHED] -= state[at + 1]
    state[at] = 0
    state[at + 1] = 0
    return block


@njit(cache=True, inline="always")
def _new_header(block, capacity):
    """Write a block's header; returns the data pointer numpy sees."""
    carray(block, (1,), np.int64)[0] = capacity
    return pointer_at(address(block) + HEADER_BYTES)


@njit(cache=True, inline="always")
def _take(state, size, zero):
    """A block of at least `size` bytes (its data pointer): a cached one if one fits (the smallest; of equal
    ones the most recently freed, whose memory is likeliest still in the CPU's caches), else a new one."""
    if size >= MIN_BLOCK and state[CAPACITY] > 0:
        best, best_cap, best_use = -1, 0, 0
        for s in range(SLOTS):
            at = FIRST_SLOT + 3 * s
            cap = state[at + 1]
            if cap - cap // 8 <= size <= cap and (best < 0 or cap < best_cap
                                                  or (cap == best_cap and state[at + 2] > best_use)):
                best, best_cap, best_use = s, cap, state[at + 2]
        if best >= 0:
            state[HITS] += 1
            data = pointer_at(_empty_slot(state, FIRST_SLOT + 3 * best) + HEADER_BYTES)
            if zero:
                memset_zero(data, size)
            return data
        state[MISSES] += 1
    if zero:
        block = c_calloc(1, size + HEADER_BYTES)
    else:
        block = c_malloc(size + HEADER_BYTES)
    if address(block) == 0:
        return block
    if size >= HUGE_PAGE_BYTES and state[HUGE_PAGES] != 0:  # as numpy does: huge pages for the aligned part
        start = (address(block) + 4095) // 4096 * 4096
        c_madvise(pointer_at(start), address(block) + size + HEADER_BYTES - start, MADV_HUGEPAGE)
    return _new_header(block, size)


@njit(cache=True, inline="always")
def _give_back(state, block, capacity):
    """Keep a freed block for reuse, or return it to the C library (small, or larger than the cache)."""
    if capacity < MIN_BLOCK or capacity > state[CAPACITY]:
        c_free(block)
        return
    state[CLOCK] += 1
    while True:
        empty, oldest = -1, -1
        for s in range(SLOTS):
            at = FIRST_SLOT + 3 * s
            if state[at] == 0:
                empty = s
            elif oldest < 0 or state[at + 2] < state[FIRST_SLOT + 3 * oldest + 2]:
                oldest = s
        if empty >= 0 and state[CACHED] + capacity <= state[CAPACITY]:
            break
        # full: the least recently freed block goes back to the C library
        c_free(pointer_at(_empty_slot(state, FIRST_SLOT + 3 * oldest)))
        state[RELEASED] += 1
    at = FIRST_SLOT + 3 * empty
    state[at] = address(block)
    state[at + 1] = capacity
    state[at + 2] = state[CLOCK]
    state[CACHED] += capacity


@njit(cache=True)
def release_all(state):
    for s in range(SLOTS):
        at = FIRST_SLOT + 3 * s
        if state[at] != 0:
            c_free(pointer_at(_empty_slot(state, at)))
            state[RELEASED] += 1


@cfunc(_ptr(_ptr, _size), cache=True)
def handler_malloc(ctx, size):
    state = carray(ctx, (STATE_LENGTH,), np.int64)
    return _take(state, np.int64(size), False)


@cfunc(_ptr(_ptr, _size, _size), cache=True)
def handler_calloc(ctx, count, element_size):
    state = carray(ctx, (STATE_LENGTH,), np.int64)
    n = np.uint64(count) * np.uint64(element_size)
    if element_size != 0 and n // np.uint64(element_size) != np.uint64(count):
        return pointer_at(0)  # count * element_size overflows
    return _take(state, np.int64(n), True)


@cfunc(_ptr(_ptr, _ptr, _size), cache=True)
def handler_realloc(ctx, data, size):
    state = carray(ctx, (STATE_LENGTH,), np.int64)
    if address(data) == 0:
        return _take(state, np.int64(size), False)
    block = c_realloc(pointer_at(address(data) - HEADER_BYTES), np.int64(size) + HEADER_BYTES)
    if address(block) == 0:
        return block
    return _new_header(block, np.int64(size))


@cfunc(types.void(_ptr, _ptr, _size), cache=True)
def handler_free(ctx, data, size):
    state = carray(ctx, (STATE_LENGTH,), np.int64)
    if address(data) == 0:
        return
    block = pointer_at(address(data) - HEADER_BYTES)
    _give_back(state, block, carray(block, (1,), np.int64)[0])
