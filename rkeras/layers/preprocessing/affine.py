"""Affine resampling of image batches, as Keras 3 on JAX (`keras.ops.image.affine_transform`, which
calls `jax.scipy.ndimage.map_coordinates`), with its adjoint for gradients.

Each image `n` has a transform `(a0, a1, a2, b0, b1, b2, c0, c1)` (Keras' layout; `c0, c1` are
ignored, as Keras' `affine_transform` on JAX does, unless `projective` is set): output pixel `(y, x)`
samples the input at column `a0*x + a1*y + a2` and row `b0*x + b1*y + b2` (both divided by
`c0*x + c1*y + 1` for a projective transform, as Keras' `perspective_transform`). "bilinear" weighs the 4 neighbours (`floor` and
`floor + 1` of each coordinate), "nearest" takes the coordinate rounded half away from zero. Indices
outside the image are folded back by `fill_mode`, as in `map_coordinates`:

- "reflect": `(d c b a | a b c d | d c b a)`, about the edge of the last pixel;
- "wrap": `(a b c d | a b c d | a b c d)`;
- "nearest": `(a a a a | a b c d | d d d d)`;
- "constant": `(k k k k | a b c d | k k k k)`, `k = fill_value`.

The resampling is linear in the image: a sparse matrix `S` (one row per output pixel) plus, in
"constant" mode, `fill_value` times the weight that fell outside. The forward pass is `S @ image`
and the input gradient `S.T @ grad`.
"""

import numpy as np
from scipy import sparse

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _mirror(index, size):
    s = size - 1
    if s == 0:
        return np.zeros_like(index)
    return np.abs((index + s) % (2 * s) - s)


def fix_index(index, size, mode):
    """`map_coordinates`' index fixers (numpy integer arrays)."""
    if mode == "reflect":
        return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2
    if mode == "wrap":
        return index % size
    if mode == "nearest":
        return np.clip(index, 0, size - 1)
    return index


def _taps(coord, interpolation):
    """[(index, weight)] of one coordinate array."""
    if interpolation == "nearest":
        rounded = np.where(coord >= 0, np.floor(coord + 0.5), np.ceil(coord - 0.5))
        return [(rounded.astype(np.int64), np.ones_like(coord))]
    lower = np.floor(coord)
    upper_weight = coord - lower
    index = lower.astype(np.int64)
    return [(index, 1.0 - upper_weight), (index + 1, upper_weight)]


class AffineSampler:
    """The linear map of one batch of affine transforms: `forward` and its adjoint `backward`.

    Works on channels-last batches `(N, H, W, C)`."""

    def __init__(self, transforms, height, width, interpolation, fill_mode, fill_value, projective=False):
        t = np.asarray(transforms, dtype=np.float64).reshape(-1, 8)
        ys, xs = np.meshgrid(np.arange(height, dtype=np.float64), np.arange(width, dtype=np.float64),
                             indexing="ij")
        x_in = t[:, 0, None, None] * xs + t[:, 1, None, None] * ys + t[:, 2, None, None]
        y_in = t[:, 3, None, None] * xs + t[:, 4, None, None] * ys + t[:, 5, None, None]
        if projective:
            denominator = t[:, 6, None, None] * xs + t[:, 7, None, None] * ys + 1.0
            x_in, y_in = x_in / denominator, y_in / denominator
        self._build(x_in, y_in, height, width, interpolation, fill_mode, fill_value)

    @classmethod
    def from_coordinates(cls, x_in, y_in, interpolation, fill_mode, fill_value):
        """The sampler reading input column `x_in[n, y, x]` and row `y_in[n, y, x]` for each output pixel
        (`map_coordinates` with arbitrary coordinates), e.g. an elastic displacement field."""
        sampler = cls.__new__(cls)
        x_in, y_in = np.asarray(x_in, np.float64), np.asarray(y_in, np.float64)
        sampler._build(x_in, y_in, x_in.shape[1], x_in.shape[2], interpolation, fill_mode, fill_value)
        return sampler

    def _build(self, x_in, y_in, height, width, interpolation, fill_mode, fill_value):
        n = x_in.shape[0]
        rows = np.arange(n * height * width).reshape(n, height, width)
        base = (np.arange(n) * height * width)[:, None, None]
        all_rows, all_cols, all_w = [], [], []
        outside = np.zeros((n, height, width))
        for iy, wy in _taps(y_in, interpolation):
            for ix, wx in _taps(x_in, interpolation):
                w = wy * wx
                fy, fx = fix_index(iy, height, fill_mode), fix_index(ix, width, fill_mode)
                if fill_mode == "constant":
                    valid = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
                    outside += np.where(valid, 0.0, w)
                    w = np.where(valid, w, 0.0)
                    fy, fx = np.clip(fy, 0, height - 1), np.clip(fx, 0, width - 1)
                all_rows.append(rows.ravel())
                all_cols.append((base + fy * width + fx).ravel())
                all_w.append(w.ravel())
        size = n * height * width
        self.matrix = sparse.csr_matrix((np.concatenate(all_w), (np.concatenate(all_rows), np.concatenate(all_cols))),
                                        shape=(size, size))
        self.fill = (outside * float(fill_value)).reshape(-1, 1) if fill_mode == "constant" else None
        self.shape = (n, height, width)

    def forward(self, x):
        n, h, w = self.shape
        c = x.shape[-1]
        y = self.matrix.astype(x.dtype) @ x.reshape(n * h * w, c)
        if self.fill is not None:
            y = y + self.fill.astype(x.dtype)
        return np.asarray(y, dtype=x.dtype).reshape(x.shape)

    def backward(self, g):
        n, h, w = self.shape
        c = g.shape[-1]
        dx = self.matrix.T.astype(g.dtype) @ g.reshape(n * h * w, c)
        return np.asarray(dx, dtype=g.dtype).reshape(g.shape)
