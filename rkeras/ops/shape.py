"""Shape ops: reshape, transpose, expand/squeeze, concatenate/stack/split, tile, take, slicing, sorting.

Axes and indices are R style (1-based; negative from the end), as R keras3's `op_*`. Most of these
ops only move or copy elements: their gradient scatters the upstream gradient back through the same
selection applied to an array of element indices (`select_elements`).
"""

import itertools

import numpy as np

from .. import conventions
from ._base import apply, op_doc, plain, r_axes, r_axis

__all__ = [
    "op_append", "op_argsort", "op_bincount", "op_broadcast_to", "op_concatenate", "op_diag", "op_diagflat",
    "op_diagonal", "op_diff", "op_digitize", "op_expand_dims", "op_extract_sequences", "op_flip",
    "op_get_item", "op_histogram", "op_hstack", "op_meshgrid", "op_moveaxis", "op_ndim", "op_pad",
    "op_ravel", "op_repeat", "op_reshape", "op_roll", "op_rot90", "op_searchsorted", "op_shape", "op_size",
    "op_slice", "op_slice_update", "op_sort", "op_split", "op_squeeze", "op_stack", "op_swapaxes", "op_take",
    "op_take_along_axis", "op_tile", "op_top_k", "op_trace", "op_transpose", "op_tril", "op_triu",
    "op_unstack", "op_vstack",
]


def select_elements(fn, x):
    """Apply the element selection `fn` (values do not matter to it) with a scatter-add gradient."""
    def vjp(g, o, a):
        idx = np.asarray(fn(np.arange(1, a.size + 1, dtype=np.int64).reshape(a.shape))).ravel()
        gw = np.asarray(g).ravel()
        keep = idx > 0  # 0: an element that is not taken from `x` (padding, a zeroed triangle)
        r = np.bincount(idx[keep] - 1, weights=gw[keep], minlength=a.size)  # float64 sums
        return (r.astype(g.dtype).reshape(a.shape),)
    return apply(fn, vjp, x)


def _shape_arg(shape, arg_name):
    if conventions.is_int(shape):
        return (int(shape),)
    try:
        return tuple(-1 if d is None else int(d) for d in shape)
    except TypeError:
        raise TypeError(f"`{arg_name}` must be a tuple of integers; received {shape!r}.")


@op_doc("Give a new shape to an array without changing its data.",
        newshape=("tuple of int", "The new shape; one dimension may be -1 (or None), inferred."))
def op_reshape(x, newshape):
    shape = _shape_arg(newshape, "newshape")
    return apply(lambda a: np.reshape(a, shape), lambda g, o, a: (np.reshape(g, np.shape(a)),), x)


@op_doc("Permute the dimensions of an array.",
        axes=("list of int or None", "The new order of the axes, R style (1-based); None reverses them."))
def op_transpose(x, axes=None):
    nd = np.ndim(plain(x))
    perm = None if axes is None else tuple(r_axis(a, nd, "axes") for a in axes)
    return transpose0(x, perm)


def transpose0(x, perm=None):
    """`op_transpose` with a 0-based permutation."""
    inv = None if perm is None else tuple(np.argsort(perm))
    return apply(lambda a: np.transpose(a, perm), lambda g, o, a: (np.transpose(g, inv),), x)


@op_doc("Insert a dimension of size 1 at `axis` (a position in the result, R style).",
        axis=("int", "Where the new dimension goes: 1 = first, -1 = last (of the result)."))
def op_expand_dims(x, axis):
    ax = r_axis(axis, np.ndim(plain(x)) + 1)
    return apply(lambda a: np.expand_dims(a, ax), lambda g, o, a: (np.reshape(g, np.shape(a)),), x)


@op_doc("Remove dimensions of size 1 (those in `axis`, or all).")
def op_squeeze(x, axis=None):
    axes = r_axes(axis, np.ndim(plain(x)))
    return apply(lambda a: np.squeeze(a, axes), lambda g, o, a: (np.reshape(g, np.shape(a)),), x)


@op_doc("Flatten to one dimension.")
def op_ravel(x):
    return op_reshape(x, (-1,))


@op_doc("Broadcast an array to a new shape.", shape=("tuple of int", "The target shape."))
def op_broadcast_to(x, shape):
    shape = _shape_arg(shape, "shape")
    from ._base import unbroadcast
    return apply(lambda a: np.broadcast_to(a, shape).copy(),
                 lambda g, o, a: (unbroadcast(g, np.shape(a)),), x)


def _split_grads(g, sizes, axis):
    return tuple(np.split(g, np.cumsum(sizes)[:-1], axis=axis))


@op_doc("Join a list of arrays along an existing axis (default 1: the first).",
        axis=("int", "The axis, R style (1-based, or negative from the end)."))
def op_concatenate(xs, axis=1):
    xs = list(xs)
    ax = r_axis(axis, np.ndim(plain(xs[0])))
    sizes = [np.shape(plain(x))[ax] for x in xs]
    return apply(lambda *a: np.concatenate(a, axis=ax), lambda g, o, *a: _split_grads(g, sizes, ax), *xs)


@op_doc("Join a list of arrays along a new axis (default 1: a new first dimension).",
        x=("list of arrays", "Arrays of the same shape."),
        axis=("int", "Where the new axis goes in the result, R style."))
def op_stack(x, axis=1):
    xs = list(x)
    ax = r_axis(axis, np.ndim(plain(xs[0])) + 1)
    return apply(lambda *a: np.stack(a, axis=ax),
                 lambda g, o, *a: tuple(np.take(g, i, axis=ax) for i in range(len(a))), *xs)


@op_doc("Stack arrays in sequence horizontally (along the second axis; the first for 1-d arrays).",
        xs=("list of arrays", "Arrays to stack."))
def op_hstack(xs):
    xs = list(xs)
    return op_concatenate(xs, axis=1 if np.ndim(plain(xs[0])) == 1 else 2)


@op_doc("Stack arrays in sequence vertically (along the first axis).", xs=("list of arrays", "Arrays to stack."))
def op_vstack(xs):
    xs = [op_reshape(x, (1, -1)) if np.ndim(plain(x)) == 1 else x for x in xs]
    return op_concatenate(xs, axis=1)


@op_doc("Append `x2` to `x1` along `axis` (None: both flattened).")
def op_append(x1, x2, axis=None):
    if axis is None:
        return op_concatenate([op_ravel(x1), op_ravel(x2)], axis=1)
    return op_concatenate([x1, x2], axis=axis)


@op_doc("Unpack an array into a list of arrays along `axis` (default 1: the first).",
        returns="list of arrays", num=("int or None", "The number of pieces (checked if given)."),
        axis=("int", "The axis, R style."))
def op_unstack(x, num=None, axis=1):
    v = plain(x)
    ax = r_axis(axis, v.ndim)
    if num is not None and int(num) != v.shape[ax]:
        raise ValueError(f"`num` = {num} does not match the size {v.shape[ax]} of axis {axis}.")
    return [op_take(x, i, axis=axis, zero_indexed=True) for i in range(v.shape[ax])]


@op_doc("Split an array into pieces along `axis` (default 1: the first).", returns="list of arrays",
        indices_or_sections=("int or list of int", ("A number of equal pieces, or the positions where to "
                                                   "split (numbers of elements before each cut).")),
        axis=("int", "The axis, R style."))
def op_split(x, indices_or_sections, axis=1):
    v = plain(x)
    ax = r_axis(axis, v.ndim)
    if conventions.is_int(indices_or_sections):
        n = int(indices_or_sections)
        if v.shape[ax] % n:
            raise ValueError(f"`indices_or_sections` = {n} does not divide the size {v.shape[ax]} of axis {axis}.")
        cuts = [v.shape[ax] // n * i for i in range(1, n)]
    else:
        cuts = [int(c) for c in indices_or_sections]
    bounds = [0] + cuts + [v.shape[ax]]
    return [_slice_axis(x, ax, lo, hi) for lo, hi in itertools.pairwise(bounds)]


def _slice_axis(x, ax, lo, hi):
    """Elements `lo:hi` (0-based) of axis `ax` (0-based)."""
    key = (slice(None),) * ax + (slice(lo, hi),)
    return get_item(x, key)


@op_doc("Repeat the whole array `repeats` times along each axis.",
        repeats=("int or list of int", "Repetitions per axis (counted from the last axis when shorter)."))
def op_tile(x, repeats):
    reps = tuple(np.atleast_1d(repeats).astype(int))
    return select_elements(lambda a: np.tile(a, reps), x)


@op_doc("Repeat each element `repeats` times along `axis` (None: the flattened array).",
        repeats=("int or list of int", "Repetitions of each element."))
def op_repeat(x, repeats, axis=None):
    ax = None if axis is None else r_axis(axis, np.ndim(plain(x)))
    return select_elements(lambda a: np.repeat(a, repeats, axis=ax), x)


def _indices(indices, zero_indexed):
    idx = np.asarray(plain(indices))
    if idx.dtype.kind == "f":
        idx = idx.astype(np.int64)
    if not zero_indexed:
        if np.any(idx == 0):
            raise ValueError("`indices` are 1-based (`zero_indexed = FALSE`): 0 is not a valid index.")
        idx = np.where(idx > 0, idx - 1, idx)  # negative indices count from the end, as in R keras3
    return idx


@op_doc("Take elements of `x` at `indices` along `axis` (None: the flattened array).",
        indices=("integer array", "The indices (1-based unless `zero_indexed`)."))
def op_take(x, indices, axis=None, zero_indexed=False):
    idx = _indices(indices, zero_indexed)
    ax = None if axis is None else r_axis(axis, np.ndim(plain(x)))
    return select_elements(lambda a: np.take(a, idx, axis=ax), x)


@op_doc("Take values from `x` at the `indices` along `axis`, as numpy's `take_along_axis`.",
        indices=("integer array", "Indices broadcastable to `x` (1-based unless `zero_indexed`)."))
def op_take_along_axis(x, indices, axis=None, zero_indexed=False):
    idx = _indices(indices, zero_indexed)
    ax = None if axis is None else r_axis(axis, np.ndim(plain(x)))
    return select_elements(lambda a: np.take_along_axis(a, idx, axis=ax), x)


@op_doc("Reverse the order of elements along `axis` (None: all axes).")
def op_flip(x, axis=None):
    axes = r_axes(axis, np.ndim(plain(x)))
    return apply(lambda a: np.flip(a, axes), lambda g, o, a: (np.flip(g, axes),), x)


@op_doc("Roll elements along `axis` (None: the flattened array).",
        shift=("int or list of int", "Number of places elements are shifted."))
def op_roll(x, shift, axis=None):
    axes = r_axes(axis, np.ndim(plain(x)))
    neg = tuple(-np.atleast_1d(shift)) if axes is not None else -int(shift)
    return apply(lambda a: np.roll(a, shift, axes), lambda g, o, a: (np.roll(g, neg, axes),), x)


@op_doc("Move axes of an array to new positions.",
        source=("int or list of int", "Original positions, R style."),
        destination=("int or list of int", "Destination positions, R style."))
def op_moveaxis(x, source, destination):
    nd = np.ndim(plain(x))
    src = [r_axis(a, nd, "source") for a in np.atleast_1d(source)]
    dst = [r_axis(a, nd, "destination") for a in np.atleast_1d(destination)]
    return apply(lambda a: np.moveaxis(a, src, dst), lambda g, o, a: (np.moveaxis(g, dst, src),), x)


@op_doc("Interchange two axes of an array.", axis1=("int", "First axis, R style."),
        axis2=("int", "Second axis, R style."))
def op_swapaxes(x, axis1, axis2):
    nd = np.ndim(plain(x))
    a1, a2 = r_axis(axis1, nd, "axis1"), r_axis(axis2, nd, "axis2")
    return apply(lambda a: np.swapaxes(a, a1, a2), lambda g, o, a: (np.swapaxes(g, a1, a2),), x)


@op_doc("A slice of `inputs`: `shape` elements from `start_indices` (1-based, one per dimension).",
        inputs=("array", "The array to slice."),
        start_indices=("list of int", "Start of the slice in each dimension, 1-based."),
        shape=("tuple of int", "Size of the slice in each dimension."))
def op_slice(inputs, start_indices, shape):
    starts = [int(s) - 1 for s in start_indices]
    key = tuple(slice(s, s + int(n)) for s, n in zip(starts, shape))
    return get_item(inputs, key)


def get_item(x, key):
    """`x[key]` with numpy's indexing rules (0-based) and a scatter-add gradient."""
    key = _plain_key(key)
    return select_elements(lambda a: a[key], x)


def _plain_key(key):
    if isinstance(key, tuple):
        return tuple(_plain_key(k) for k in key)
    if isinstance(key, (slice, int, type(None), type(Ellipsis))):
        return key
    return plain(key)


@op_doc("`x[key]`, numpy (0-based) indexing: integers, slices, `None`, boolean or integer arrays.",
        key=("index", "An index as numpy accepts it (0-based)."))
def op_get_item(x, key):
    return get_item(x, key)


@op_doc("Pad an array.",
        pad_width=("list", "Pairs `(before, after)` per dimension (or one pair for all)."),
        mode=("str", "\"constant\" (with a gradient), \"reflect\", \"symmetric\", \"edge\" ..."),
        constant_values=("number or None", "Value of constant padding (None: 0)."))
def op_pad(x, pad_width, mode="constant", constant_values=None):
    pw = np.asarray(pad_width, dtype=int).tolist()
    cv = 0 if constant_values is None else constant_values
    if mode == "constant":
        def fn(a):
            return np.pad(a, pw, mode="constant", constant_values=0 if a.dtype.kind == "i" else cv)
        return select_elements(fn, x)
    return select_elements(lambda a: np.pad(a, pw, mode=mode), x)


@op_doc("Lower triangle of an array (elements above the `k`-th diagonal zeroed).",
        k=("int", "Diagonal offset (0: main, positive: above)."))
def op_tril(x, k=0):
    return select_elements(lambda a: np.tril(a, int(k)), x)


@op_doc("Upper triangle of an array (elements below the `k`-th diagonal zeroed).",
        k=("int", "Diagonal offset (0: main, positive: above)."))
def op_triu(x, k=0):
    return select_elements(lambda a: np.triu(a, int(k)), x)


@op_doc("The diagonal (`offset`) of the 2-d slices spanned by `axis1` and `axis2`.",
        offset=("int", "Diagonal offset."), axis1=("int", "First axis, R style."),
        axis2=("int", "Second axis, R style."))
def op_diagonal(x, offset=0, axis1=1, axis2=2):
    nd = np.ndim(plain(x))
    a1, a2 = r_axis(axis1, nd, "axis1"), r_axis(axis2, nd, "axis2")
    return select_elements(lambda a: np.diagonal(a, int(offset), a1, a2).copy(), x)


@op_doc("Extract the `k`-th diagonal of a matrix, or build a diagonal matrix from a vector.",
        k=("int", "Diagonal offset."))
def op_diag(x, k=0):
    return select_elements(lambda a: np.diag(a, int(k)), x)


@op_doc("A 2-d array with `x` (flattened) on the `k`-th diagonal.", k=("int", "Diagonal offset."))
def op_diagflat(x, k=0):
    return select_elements(lambda a: np.diagflat(a, int(k)), x)


@op_doc("Sum along a diagonal of the array.", offset=("int", "Diagonal offset."),
        axis1=("int", "First axis, R style."), axis2=("int", "Second axis, R style."))
def op_trace(x, offset=0, axis1=1, axis2=2):
    from .reductions import op_sum
    return op_sum(op_diagonal(x, offset, axis1, axis2), axis=-1)


@op_doc("Sort along `axis` (the gradient follows the elements).")
def op_sort(x, axis=-1):
    v = plain(x)
    ax = None if axis is None else r_axis(axis, v.ndim)
    order = np.argsort(v, axis=ax, kind="stable")
    if ax is None:
        return select_elements(lambda a: a.reshape(-1)[order], x)
    return select_elements(lambda a: np.take_along_axis(a, order, axis=ax), x)


@op_doc("Indices that sort `x` along `axis` (1-based unless `zero_indexed`).", returns="int32 array")
def op_argsort(x, axis=-1, zero_indexed=False):
    v = plain(x)
    ax = None if axis is None else r_axis(axis, v.ndim)
    out = np.argsort(v, axis=ax, kind="stable").astype(np.int32)
    return out if zero_indexed else out + 1


@op_doc("The `k` largest entries along the last axis and their indices.", returns="list (values, indices)",
        k=("int", "How many."), sorted=("bool", "Whether the results are sorted in decreasing order."))
def op_top_k(x, k, sorted=True, zero_indexed=False):
    v = plain(x)
    k = conventions.as_integer(k, "k", minimum=1)
    order = np.argsort(-v, axis=-1, kind="stable")[..., :k]
    values = select_elements(lambda a: np.take_along_axis(a, order, axis=-1), x)
    idx = order.astype(np.int32)
    return [values, idx if zero_indexed else idx + 1]


@op_doc("Replace the slice of `inputs` starting at `start_indices` (1-based) by `updates`.",
        inputs=("array", "The array to update (not modified: a new array is returned)."),
        start_indices=("list of int", "Start of the slice in each dimension, 1-based."),
        updates=("array", "The new values of the slice."))
def op_slice_update(inputs, start_indices, updates):
    starts = [int(s) - 1 for s in start_indices]
    key = tuple(slice(s, s + n) for s, n in zip(starts, np.shape(plain(updates))))

    def fwd(a, u):
        out = np.array(a, dtype=np.result_type(a, u))
        out[key] = u
        return out

    def vjp(g, o, a, u):
        ga = g.copy()
        ga[key] = 0
        return ga, g[key].copy()
    return apply(fwd, vjp, inputs, updates)


@op_doc("The shape of an array, as a tuple (R keras3's `op_shape()`).", returns="tuple of int")
def op_shape(x):
    return tuple(np.shape(plain(x)))


@op_doc("The number of dimensions of an array.", returns="int")
def op_ndim(x):
    return int(np.ndim(plain(x)))


@op_doc("The number of elements of an array.", returns="int")
def op_size(x):
    return int(np.size(plain(x)))


@op_doc("Coordinate matrices from coordinate vectors.", returns="list of arrays",
        args=("arrays", "1-d coordinate vectors."), indexing=("str", "\"xy\" (Cartesian) or \"ij\" (matrix)."))
def op_meshgrid(*args, indexing="xy"):
    return list(np.meshgrid(*[plain(a) for a in args], indexing=indexing))


@op_doc("The `n`-th discrete difference along `axis` (`a[i + 1] - a[i]`).", a=("array", "Input array."),
        n=("int", "How many times to take the difference."), axis=("int", "The axis, R style."))
def op_diff(a, n=1, axis=-1):
    ax = r_axis(axis, np.ndim(plain(a)))
    out = a
    for _ in range(conventions.as_integer(n, "n", minimum=0)):
        from .math import op_subtract
        size = np.shape(plain(out))[ax]
        out = op_subtract(_slice_axis(out, ax, 1, size), _slice_axis(out, ax, 0, size - 1))
    return out


@op_doc("Rotate an array by 90 degrees `k` times in the plane of `axes` (R style).",
        array=("array", "Input array (rank >= 2)."), k=("int", "Number of quarter turns (counter-clockwise)."),
        axes=("pair of int", "The plane, R style (default the first two dimensions)."))
def op_rot90(array, k=1, axes=(1, 2)):
    nd = np.ndim(plain(array))
    plane = tuple(r_axis(a, nd, "axes") for a in axes)
    return select_elements(lambda a: np.rot90(a, int(k), plane), array)


@op_doc("Frames of length `sequence_length` every `sequence_stride` along the last axis.",
        sequence_length=("int", "Length of each frame."), sequence_stride=("int", "Step between frames."))
def op_extract_sequences(x, sequence_length, sequence_stride):
    n = conventions.as_integer(sequence_length, "sequence_length", minimum=1)
    step = conventions.as_integer(sequence_stride, "sequence_stride", minimum=1)
    return select_elements(lambda a: np.lib.stride_tricks.sliding_window_view(a, n, axis=-1)[..., ::step, :].copy(), x)


@op_doc("Where to insert `values` in `sorted_sequence` to keep it sorted (1-based unless `zero_indexed`).",
        returns="integer array", sorted_sequence=("array", "A sorted 1-d array."),
        values=("array", "Values to place."), side=("str", "\"left\" or \"right\" (for equal values)."))
def op_searchsorted(sorted_sequence, values, side="left", zero_indexed=False):
    out = np.searchsorted(plain(sorted_sequence), plain(values), side=side).astype(np.int32)
    return out if zero_indexed else out + 1


@op_doc("The index of the bin of each value of `x` (numpy's `digitize`; 1-based unless `zero_indexed`).",
        returns="integer array", bins=("array", "Increasing bin edges."))
def op_digitize(x, bins, zero_indexed=False):
    out = np.digitize(plain(x), plain(bins)).astype(np.int32)
    return out if zero_indexed else out + 1


@op_doc("Count the occurrences of each non-negative integer value of `x` (optionally weighted).",
        returns="array", x=("integer array", "Values (0-based bins: value v counts in bin v + 1 of R)."),
        weights=("array or None", "Weights of the values."), minlength=("int", "Minimum number of bins."),
        sparse=("bool", "Only FALSE (dense) is supported."))
def op_bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("`sparse` = TRUE is not supported by rkeras (dense arrays only).")
    v = np.asarray(plain(x))
    w = None if weights is None else np.asarray(plain(weights))
    if v.ndim == 1:
        return np.bincount(v, weights=w, minlength=int(minlength))
    n = max(int(minlength), int(v.max()) + 1 if v.size else 0)
    return np.stack([np.bincount(row, weights=None if w is None else wr, minlength=n)
                     for row, wr in zip(v, w if w is not None else [None] * len(v))])


@op_doc("Histogram of the values of `x`.", returns="list (counts, bin edges)",
        bins=("int", "Number of equal-width bins."), range=("pair of numbers or None", ("Lower and upper range "
                                                                                     "(None: min and max of `x`).")))
def op_histogram(x, bins=10, range=None):
    counts, edges = np.histogram(plain(x), bins=int(bins), range=range)
    return [counts, edges]
