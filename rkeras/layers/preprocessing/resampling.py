"""Image resampling as Keras 3 on JAX does it (`jax.image.resize`), with its adjoint for gradients.

`jax.image.resize` resamples each spatial axis separately, with half-pixel centers: output `i` of an
axis resized from `m` to `n` sits at input coordinate `(i + 0.5) * m / n - 0.5`.

- "nearest" takes input `floor((i + 0.5) * m / n)` (computed in float32, as JAX does); its gradient
  adds each output's gradient to the input it copied.
- the other methods weigh the inputs at distance `x` from the sample with a kernel (triangle for
  "bilinear", Keys cubic for "bicubic", Lanczos for "lanczos3"/"lanczos5"), widened by `m / n` when
  downsampling with `antialias`; the weights of each output are normalized to sum to 1, and outputs
  sampling outside `[-0.5, m - 0.5]` get none. So resizing is `W_h @ image @ W_w.T` with two small
  `(n, m)` matrices, and its gradient is `W_h.T @ grad @ W_w`. Axes whose size does not change are
  left alone, as in JAX.
"""


import numpy as np

INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic")


def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return np.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(x > 1e-3, y / np.where(x != 0, np.pi ** 2 * x ** 2, 1.0), 1.0)
        return np.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def weight_matrix(in_size: int, out_size: int, method: str, antialias: bool) -> np.ndarray:
    """The (out_size, in_size) float64 resampling matrix of one axis (method other than "nearest")."""
    inv_scale = in_size / out_size
    kernel_scale = max(inv_scale, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv_scale - 0.5
    dist = np.abs(sample[:, None] - np.arange(in_size)[None, :]) / kernel_scale
    w = _KERNELS[method](dist)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000.0 * float(np.finfo(np.float32).eps), w / np.where(total != 0, total, 1), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[:, None], w, 0.0)


def nearest_indices(in_size: int, out_size: int) -> np.ndarray:
    """The input index each output of one axis copies (float32 arithmetic, as `jax.image.resize`)."""
    offsets = (np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * np.float32(in_size) / np.float32(out_size)
    return np.minimum(np.floor(offsets).astype(np.int64), in_size - 1)


class Resampler:
    """Resizes the two spatial axes (`axes`) of a batch from `in_hw` to `out_hw`, and back-propagates."""

    def __init__(self, in_hw, out_hw, method: str, antialias: bool, axes):
        self.in_hw, self.out_hw, self.method, self.axes = tuple(in_hw), tuple(out_hw), method, tuple(axes)
        self.plans = []  # per axis: None (unchanged), an index array (nearest) or a weight matrix
        for m, n in zip(self.in_hw, self.out_hw):
            if m == n:
                self.plans.append(None)
            elif method == "nearest":
                self.plans.append(nearest_indices(m, n))
            else:
                self.plans.append(weight_matrix(m, n, method, antialias))

    def forward(self, x):
        for axis, plan in zip(self.axes, self.plans):
            if plan is None:
                continue
            if plan.ndim == 1:
                x = np.take(x, plan, axis=axis)
            else:
                x = np.moveaxis(np.tensordot(plan.astype(x.dtype), x, axes=([1], [axis])), 0, axis)
        return np.ascontiguousarray(x)

    def backward(self, g):
        for axis, plan, m in reversed(list(zip(self.axes, self.plans, self.in_hw))):
            if plan is None:
                continue
            if plan.ndim == 1:
                moved = np.moveaxis(g, axis, 0)
                acc = np.zeros((m,) + moved.shape[1:], dtype=g.dtype)
                np.add.at(acc, plan, moved)
                g = np.moveaxis(acc, 0, axis)
            else:
                g = np.moveaxis(np.tensordot(plan.T.astype(g.dtype), g, axes=([1], [axis])), 0, axis)
        return np.ascontiguousarray(g)


def aspect_crop_box(height, width, target_height, target_width):
    """(top, left, crop height, crop width) of the centered box with the target's aspect ratio
    (Keras' `crop_to_aspect_ratio` and `smart_resize`)."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def aspect_pad(height, width, target_height, target_width):
    """(rows, cols) of fill added on each side by Keras' `pad_to_aspect_ratio` (one of them is 0)."""
    pad_h = max(height, int(float(width * target_height) / target_width))
    pad_w = max(width, int(float(height * target_width) / target_height))
    top, left = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
    return (top, 0) if top > 0 else (0, left)


class CropPadResize:
    """Crop to a box or pad with a constant, then resample to `out_hw` (channels-last 4-D batches),
    and the adjoint of that linear map (the fill is a constant: it gets no gradient)."""

    def __init__(self, in_hw, out_hw, method, antialias=False, crop_box=None, pad=None, fill_value=0.0):
        h, w = in_hw
        self.in_hw, self.crop_box, self.pad, self.fill_value = (h, w), crop_box, pad, float(fill_value)
        if crop_box is not None:
            mid = crop_box[2:]
        elif pad is not None:
            mid = (h + 2 * pad[0], w + 2 * pad[1])
        else:
            mid = (h, w)
        self.resampler = Resampler(mid, out_hw, method, antialias, (1, 2))

    def forward(self, x):
        if self.crop_box is not None:
            top, left, ch, cw = self.crop_box
            x = x[:, top:top + ch, left:left + cw, :]
        elif self.pad is not None and any(self.pad):
            ph, pw = self.pad
            x = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)), constant_values=self.fill_value)
        return self.resampler.forward(x)

    def backward(self, g):
        g = self.resampler.backward(g)
        h, w = self.in_hw
        if self.crop_box is not None:
            top, left, ch, cw = self.crop_box
            dx = np.zeros((g.shape[0], h, w, g.shape[3]), dtype=g.dtype)
            dx[:, top:top + ch, left:left + cw, :] = g
            return dx
        if self.pad is not None and any(self.pad):
            ph, pw = self.pad
            return np.ascontiguousarray(g[:, ph:ph + h, pw:pw + w, :])
        return g
