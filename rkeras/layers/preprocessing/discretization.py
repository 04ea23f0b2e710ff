"""Continuous features bucketed by ranges, as Keras 3's `Discretization`.

`bin_boundaries` `[b0, b1, ...]` give the buckets `(-inf, b0)`, `[b0, b1)`, ..., `[b_last, inf)` (numpy's
`digitize`), encoded as indices ("int", int32 outputs) or as one-hot/multi-hot/count vectors of
`len(bin_boundaries) + 1` (`encode_categorical`). `adapt()` learns `num_bins - 1` boundaries from quantiles
of the data with Keras' streaming summary (`summarize`, `merge_summaries`, `compress_summary`, ported
unchanged so that the same data give the same boundaries, batch by batch as in Keras).
"""

import itertools

import numpy as np

from ... import conventions
from ...core.layer import Layer, as_numeric_array
from .category_encoding import check_output_mode, encode_categorical

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class Discretization(Layer):
    """Buckets continuous features; see `layer_discretization()`."""

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, **kwargs):
        adapted = kwargs.pop("_adapted", False)  # from_config() of an adapted layer: both are set
        conventions.check_kwargs(kwargs, where="layer_discretization()")
        self.output_mode = check_output_mode(output_mode, OUTPUT_MODES, "layer_discretization()")
        if conventions.as_bool(sparse, "sparse"):
            raise ValueError("`sparse` = True is not supported by rkeras (dense numpy outputs only); only False is "
                             "accepted.")
        self.sparse = False
        if num_bins is not None:
            num_bins = conventions.as_integer(num_bins, "num_bins", minimum=0)
        if num_bins is not None and bin_boundaries is not None and not adapted:
            raise ValueError(f"Give either `num_bins` (learned by adapt()) or `bin_boundaries`, not both; received "
                             f"num_bins = {num_bins} and bin_boundaries = {bin_boundaries!r}.")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("`bin_boundaries` or `num_bins` must be given: the boundaries of the buckets, or their "
                             "number to learn with adapt().")
        if bin_boundaries is not None:
            b = np.asarray(bin_boundaries, dtype=np.float64).reshape(-1) if np.ndim(bin_boundaries) else None
            if b is None or not np.all(np.isfinite(b)) or np.any(np.diff(b) < 0):
                raise ValueError(f"`bin_boundaries` must be a sorted vector of finite numbers; received "
                                 f"{bin_boundaries!r}.")
            bin_boundaries = b.tolist()
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        try:
            self.epsilon = float(epsilon)
        except (TypeError, ValueError):
            raise TypeError(f"`epsilon` must be a number in (0, 1); received {epsilon!r}.") from None
        if not 0 < self.epsilon < 1:
            raise ValueError(f"`epsilon` must be a number in (0, 1); received {epsilon!r}.")
        self.summary = None if bin_boundaries is not None else np.array([[], []], dtype="float32")
        super().__init__(**kwargs)

    @property
    def output_dtype_follows_layer(self):
        return self.output_mode != "int"

    @property
    def symbolic_output_dtype(self):
        return "int32" if self.output_mode == "int" else None

    def _depth(self):
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,) if len(input_shape) >= 2 else (depth,)

    def forward(self, inputs, training=False, mask=None):
        if self.bin_boundaries is None:
            raise ValueError(f"Layer '{self.name}' has no bin boundaries: pass `bin_boundaries` when making it or "
                             f"call adapt() on data before using it.")
        x = as_numeric_array(inputs, "inputs")
        indices = np.digitize(x, np.asarray(self.bin_boundaries, dtype=np.float64)).astype(np.int32)
        dtype = "int32" if self.output_mode == "int" else self.dtype
        return encode_categorical(indices, self.output_mode, self._depth(), dtype, name=self.name), None

    def backward(self, cache, grad_outputs):
        return None, {}  # piecewise constant: no gradient

    # ----------------------------------------------------------------------------- adapt
    def adapt(self, data, batch_size=None, steps=None):
        """Learn `num_bins - 1` boundaries from the quantiles of `data` (an array, or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(f"Cannot adapt layer '{self.name}': it was made with `bin_boundaries`; give `num_bins` "
                             f"instead to learn them.")
        if batch_size is not None:
            batch_size = conventions.as_integer(batch_size, "batch_size", minimum=1)
        if steps is not None:
            steps = conventions.as_integer(steps, "steps", minimum=1)
        if isinstance(data, np.ndarray) or np.isscalar(data):
            arr = np.asarray(data)
            batches = [arr] if batch_size is None else [arr[i:i + batch_size] for i in range(0, len(arr), batch_size)]
        elif hasattr(data, "__iter__"):
            batches = data
        else:
            raise TypeError(f"`data` of adapt() must be an array or an iterable of arrays; received "
                            f"{type(data).__name__}.")
        if steps is not None:
            batches = itertools.islice(batches, steps)
        summary = np.array([[], []], dtype="float32")
        seen = False
        for batch in batches:
            if isinstance(batch, tuple):
                batch = batch[0]
            values = as_numeric_array(batch, "data").astype("float32")
            summary = merge_summaries(summarize(values, self.epsilon), summary, self.epsilon)
            seen = seen or values.size > 0
        if not seen:
            raise ValueError("`data` of adapt() holds no values.")
        self.summary = summary
        self.bin_boundaries = get_bin_boundaries(summary, self.num_bins).tolist()
        return self

    def get_config(self):
        # Keras' keys only: its constructor takes no `trainable` (a layer without weights)
        config = {k: v for k, v in super().get_config().items() if k != "trainable"}
        config.update({"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config

    @classmethod
    def from_config(cls, config):
        # after adapt() both are set (Keras' from_config): the boundaries are the learned ones
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config["_adapted"] = True
        return cls(**config)


# --------------------------------------------------------------------------------- Keras' quantile summary
def summarize(values, epsilon):
    """A 1D sample reduced to `[values, weights]` at about `1 / epsilon` evenly spaced ranks."""
    values = np.sort(np.reshape(values, [-1]))
    elements = np.size(values)
    step = max(elements / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def merge_summaries(prev_summary, next_summary, epsilon):
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)


def get_bin_boundaries(summary, num_bins):
    return compress_summary(summary, 1.0 / num_bins)[0, :-1]


def compress_summary(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
