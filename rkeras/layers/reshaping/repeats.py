"""Nearest-neighbour upsampling along several axes and its gradient, shared by `UpSampling2D` and
`UpSampling3D`: each position repeated `size` times along its axis; the gradient of a position is the
sum, in float64, of the gradients of its copies."""

import numpy as np


def repeat_axes(x, axes, sizes):
    for axis, s in zip(axes, sizes):
        x = np.repeat(x, s, axis=axis)
    return x


def sum_repeats(g, shape, axes, sizes, dtype):
    """The gradient of `repeat_axes` for an input of `shape`."""
    split, summed = [], []
    for axis, n in enumerate(shape):
        split.append(n)
        if axis in axes:
            split.append(sizes[axes.index(axis)])
            summed.append(len(split) - 1)
    return np.asarray(g).reshape(split).sum(axis=tuple(summed), dtype=np.float64).astype(dtype)
