"""The preprocessing `Normalization` layer, as Keras 3's: `(x - mean) / max(sqrt(variance), 1e-7)` per
feature on `axis` (or the inverse with `invert = True`), the statistics given or learned by `adapt()`.

`adapt()` streams: each batch's mean and sum of squared deviations are computed in float64 and merged
with Chan et al.'s parallel formula, so adapting batch by batch equals adapting on all the data at once
(up to float64 rounding), for data larger than memory too. Keras' weights (`mean`, `variance`, `count`)
are created only when the statistics are not given, as in Keras.
"""

import itertools
import math

import numpy as np

from ... import conventions, initializers
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input

_EPSILON = 1e-7  # Keras' backend.epsilon(): the floor of the standard deviation


class Normalization(Layer):
    """Feature-wise normalization; see `layer_normalization()` and `adapt()`."""

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_normalization()")
        if axis is not None:
            axis = conventions.validate_r_axis(axis, "axis")
        self.axis = axis
        self.invert = conventions.as_bool(invert, "invert")
        if (mean is None) != (variance is None):
            raise ValueError(f"`mean` and `variance` must be given together (or both be None); received "
                             f"mean={mean!r} and variance={variance!r}.")
        if mean is not None:
            m, v = _as_stat(mean, "mean"), _as_stat(variance, "variance")
            if m.shape != v.shape:
                raise ValueError(f"`mean` and `variance` must have the same shape; received shapes {m.shape} "
                                 f"and {v.shape}.")
            n_axes = 0 if axis is None else len(axis) if isinstance(axis, (list, tuple)) else 1
            if m.ndim > n_axes:
                raise ValueError(f"`mean` has rank {m.ndim}, more than the {n_axes} normalized axes of "
                                 f"`axis` = {axis!r}.")
        super().__init__(**kwargs)
        self.input_mean = mean
        self.input_variance = variance
        self.adapt_mean = self.adapt_variance = self.count = None
        self._keep = self._reduce = self._build_shape = None
        self._stat_shape = self._broadcast_shape = None

    # ----------------------------------------------------------------------------- build
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        keep = () if self.axis is None else conventions.resolve_axes(self.axis, rank, "axis")
        for a in keep:
            if input_shape[a] is None:
                raise ValueError(f"Layer '{self.name}': the kept axis {self.axis!r} of input shape {input_shape} "
                                 f"must have a known size.")
        self._keep, self._build_shape = keep, input_shape
        self._reduce = tuple(a for a in range(rank) if a not in keep)
        self._stat_shape = tuple(input_shape[a] for a in keep)
        self._broadcast_shape = tuple(input_shape[a] if a in keep else 1 for a in range(rank))
        if self.input_mean is None:
            zeros, ones = initializers.get("zeros"), initializers.get("ones")
            self.adapt_mean = self.add_weight("mean", self._stat_shape, zeros, trainable=False)
            self.adapt_variance = self.add_weight("variance", self._stat_shape, ones, trainable=False)
            self.count = self.add_weight("count", (), zeros, trainable=False, dtype="int64")
        else:
            try:  # Keras: the trailing kept axes take the given statistics' dimensions, then broadcast
                for name, value in (("mean", self.input_mean), ("variance", self.input_variance)):
                    arr = _as_stat(value, name)
                    expanded = [1] * rank
                    for i in range(1, arr.ndim + 1):
                        expanded[keep[-i]] = arr.shape[-i]
                    np.broadcast_to(arr.reshape(expanded), self._broadcast_shape)
            except ValueError:
                raise ValueError(f"`mean` and `variance` of shape {np.shape(self.input_mean)} do not broadcast "
                                 f"to the kept axes {self._stat_shape} of input shape {input_shape}.") from None
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._keep is not None:
            self._check_shape(input_shape)
        return input_shape

    def _check_shape(self, shape, what="input"):
        if len(shape) != len(self._build_shape) or any(shape[a] != self._build_shape[a] for a in self._keep):
            raise ValueError(f"Layer '{self.name}' was built for inputs of shape {self._build_shape} (kept axes "
                             f"{self.axis!r}); received an {what} of shape {shape}.")

    # ----------------------------------------------------------------------------- statistics
    def _statistics(self):
        """mean and denominator, float64, broadcastable to the input."""
        if self.input_mean is None:
            mean = self.adapt_mean.value.astype(np.float64)
            var = self.adapt_variance.value.astype(np.float64)
            mean, var = mean.reshape(self._broadcast_shape), var.reshape(self._broadcast_shape)
        else:
            mean, var = (_as_stat(v, n) for v, n in ((self.input_mean, "mean"), (self.input_variance, "variance")))
            expanded = [1] * len(self._broadcast_shape)
            for i in range(1, mean.ndim + 1):
                expanded[self._keep[-i]] = mean.shape[-i]
            mean, var = mean.reshape(expanded), var.reshape(expanded)
        return mean, np.maximum(np.sqrt(var), _EPSILON)

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        if not self.built:
            self._maybe_build(x.shape)
        self._check_shape(x.shape)
        work = compute_dtype(x.dtype)  # float16 is computed in float32, as Keras does
        mean, denom = self._statistics()
        mean, denom = mean.astype(work), denom.astype(work)
        xw = x.astype(work, copy=False)
        y = mean + xw * denom if self.invert else (xw - mean) / denom
        return y.astype(x.dtype, copy=False), (denom, x.dtype)

    def backward(self, cache, grad_outputs):
        denom, in_dtype = cache
        g = np.asarray(grad_outputs).astype(denom.dtype, copy=False)
        dx = g * denom if self.invert else g / denom
        return dx.astype(in_dtype, copy=False), {}

    # ----------------------------------------------------------------------------- adapt
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the mean and variance of `data` (an array, or an iterable of batches), streaming."""
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given `mean` and `variance`; `adapt()` learns them only "
                             f"when both are None.")
        if batch_size is not None:
            batch_size = conventions.as_integer(batch_size, "batch_size", minimum=1)
        if steps is not None:
            steps = conventions.as_integer(steps, "steps", minimum=1)
        batches = _batches(data, batch_size)
        if steps is not None:
            batches = itertools.islice(batches, steps)
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            raise ValueError("`data` of adapt() holds no batch: give an array or a non-empty iterable of arrays.")
        if not self.built:
            self._maybe_build((None,) + first.shape[1:])
        count, mean, m2 = 0, None, None
        for batch in itertools.chain([first], batches):
            self._check_shape(batch.shape, "adapt() batch")
            n = math.prod(batch.shape[a] for a in self._reduce)
            if n == 0:
                continue
            b = batch.astype(np.float64, copy=False)
            b_mean = b.mean(axis=self._reduce, keepdims=True)
            b_m2 = np.square(b - b_mean).sum(axis=self._reduce, keepdims=True)
            if mean is None:
                count, mean, m2 = n, b_mean, b_m2
            else:  # Chan et al.'s pairwise combination
                total = count + n
                delta = b_mean - mean
                mean = mean + delta * (n / total)
                m2 = m2 + b_m2 + delta * delta * (count * n / total)
                count = total
        if mean is None:
            raise ValueError("`data` of adapt() holds no values.")
        self.adapt_mean.assign(mean.reshape(self._stat_shape))
        self.adapt_variance.assign((m2 / count).reshape(self._stat_shape))
        self.count.assign(np.asarray(count, np.int64))
        return self

    # ----------------------------------------------------------------------------- config
    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert, "mean": _listed(self.input_mean),
                       "variance": _listed(self.input_variance)})
        return config


def _as_stat(value, name):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a number or an array of numbers; received {value!r}.") from None
    return arr


def _listed(value):
    return None if value is None else np.asarray(value).tolist()


def _batches(data, batch_size):
    """The batches of `data`: an array (cut in batches of `batch_size` rows if given), or an iterable of
    arrays or of (x, y) tuples (their x is used), e.g. a generator over data larger than memory."""
    if isinstance(data, np.ndarray) or (not hasattr(data, "__iter__") and not hasattr(data, "__next__")):
        arr = as_numeric_array(data, "data")
        if arr.ndim == 0:
            raise ValueError("`data` of adapt() must have a batch dimension; received a scalar.")
        if batch_size is None:
            yield arr
        else:
            for i in range(0, arr.shape[0], batch_size):
                yield arr[i:i + batch_size]
        return
    if isinstance(data, (str, bytes, dict)):
        raise TypeError(f"`data` of adapt() must be an array or an iterable of arrays; received "
                        f"{type(data).__name__}.")
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        arr = as_numeric_array(batch, "data")
        if arr.ndim == 0:
            raise ValueError("every batch given to adapt() must have a batch dimension; received a scalar.")
        yield arr
