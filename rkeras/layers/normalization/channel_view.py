"""The (outer, channels, inner) view that batch, layer, RMS and unit normalization hand to their kernels.

The normalized axes of an input become the channels C, the axes before them O, the axes after them I:
a C-contiguous input is its own view (a reshape, no copy); a non-contiguous set of normalized axes is
moved together first (one transposed copy). A layer keeps the views of the input shapes it has seen in a
`ChannelViews` memo, which checks each new shape against the layer's build once and remembers the
MEMO_SHAPES most recently used shapes (a model fed ever new shapes, e.g. variable sequence lengths, must
not grow it without end).
"""

import math
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from ...core.config import compute_dtype

__all__ = ["MEMO_SHAPES", "ChannelView", "ChannelViews", "channel_view", "from_view", "mask_view", "to_view"]

MEMO_SHAPES = 48  # input shapes (and dtypes) a layer remembers: a few dozen cover a model's


class ChannelView(NamedTuple):
    """How an input of one shape and dtype maps onto its (O, C, I) view."""

    perm: tuple | None  # the transposition that brings the normalized axes together (None: not needed)
    shape: tuple  # (O, C, I)
    reduced: tuple  # the input shape without the normalized axes: the shape of a full mask
    work: np.dtype  # the dtype the kernels compute in (float16 inputs: float32)
    direct: bool  # no transposition and no dtype conversion: a C-contiguous input is its own view


def channel_view(shape, axes):
    """(permutation or None, (outer, channels, inner)): the C-contiguous view of an input of `shape` whose
    0-based `axes` (sorted) become the channels; a non-contiguous set of axes is moved together first."""
    contiguous = axes == tuple(range(axes[0], axes[-1] + 1))
    perm = None
    if not contiguous:
        before = [a for a in range(len(shape)) if a < axes[0]]
        after = [a for a in range(len(shape)) if a > axes[0] and a not in axes]
        perm = before + list(axes) + after
        shape = tuple(shape[a] for a in perm)
        first, last = len(before), len(before) + len(axes)
    else:
        first, last = axes[0], axes[-1] + 1
    return perm, (math.prod(shape[:first]), math.prod(shape[first:last]), math.prod(shape[last:]))


class ChannelViews(OrderedDict):
    """A built layer's views by (input shape, dtype): each new shape is checked against the build (rank,
    sizes of the normalized axes) once; the MEMO_SHAPES most recently used are kept."""

    def __init__(self, layer_name, axis, axes, param_shape, rank):
        super().__init__()
        self.layer_name, self.axis, self.axes, self.param_shape, self.rank = layer_name, axis, axes, param_shape, rank

    def check(self, shape):
        """Raises unless an input of `shape` fits the layer's build."""
        if len(shape) != self.rank:
            raise ValueError(f"Layer '{self.layer_name}' was built for inputs of rank {self.rank}; "
                             f"received an input of shape {shape}.")
        got = tuple(shape[a] for a in self.axes)
        if got != self.param_shape:
            raise ValueError(f"Layer '{self.layer_name}': the normalized axis {self.axis!r} of the input has size "
                             f"{got}, but the layer was built for {self.param_shape} (input shape {shape}).")

    def view(self, shape, dtype):
        """The ChannelView of a valid input of `shape` and `dtype` (raises for an invalid one)."""
        key = (shape, dtype)
        view = super().get(key)
        if view is None:
            self.check(shape)
            perm, view_shape = channel_view(shape, self.axes)
            work = compute_dtype(dtype)
            reduced = tuple(d for a, d in enumerate(shape) if a not in self.axes)
            view = ChannelView(perm, view_shape, reduced, work, perm is None and work == dtype)
            self[key] = view
            if len(self) > MEMO_SHAPES:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return view


def to_view(x, view):
    """x (of the view's input shape) as a C-contiguous (O, C, I) array in the work dtype; no copy when
    x is already one."""
    if view.direct and x.flags.c_contiguous:
        return x.reshape(view.shape)
    if view.perm is not None:
        x = np.transpose(x, view.perm)
    return np.ascontiguousarray(x, dtype=view.work).reshape(view.shape)


def from_view(y3, shape, view, dtype):
    """The (O, C, I) array y3 back in the input's `shape` and `dtype`."""
    if view.perm is None:
        y = y3.reshape(shape)
    else:
        y = y3.reshape(tuple(shape[a] for a in view.perm)).transpose(np.argsort(view.perm))
    return y if y.dtype == dtype else y.astype(dtype)


def mask_view(mask, view, layer_name):
    """A mask broadcastable to the input shape without the normalized axes as a C-contiguous bool (O, I)
    array (None stays None). Raises for a non-boolean mask or one of another shape."""
    if mask is None:
        return None
    if type(mask) is np.ndarray and mask.dtype == np.bool_ and mask.shape == view.reduced and mask.flags.c_contiguous:
        return mask.reshape(view.shape[0], view.shape[2])
    mask = np.asarray(mask)
    if mask.dtype.kind not in "biuf":
        raise TypeError(f"`mask` of layer '{layer_name}' must be boolean; received dtype {mask.dtype}.")
    if mask.dtype != np.bool_:
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError(f"`mask` of layer '{layer_name}' must hold booleans (or 0/1); received other values.")
        mask = mask != 0
    try:
        mask = np.broadcast_to(mask, view.reduced)
    except ValueError:
        raise ValueError(f"`mask` of layer '{layer_name}' has shape {mask.shape}; it must be broadcastable "
                         f"to the input shape without the normalized axes, {view.reduced}.") from None
    return np.ascontiguousarray(mask).reshape(view.shape[0], view.shape[2])
