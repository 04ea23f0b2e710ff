"""Stateful metrics with Keras 3 semantics: running means of per-sample values.

A metric has a `name`, `update_state(y_true, y_pred)`, `result() -> float` and `reset_state()`.
Every metric here is a mean: each batch contributes one value per sample (values over further axes
are averaged first, as Keras' `reduce_to_samplewise_values`), so the result over several batches is
the average over all the samples seen (batches weighted by their size). Computed in float64.

`get(identifier, loss, output_shape)` resolves the `metrics` entries of `compile()`, including the
Keras convenience names `"accuracy"` / `"acc"` (see `get()` for the rule).

In the R API, `metric_*(y_true, y_pred)` with both arrays given returns the per-sample values (the
Keras metric *function*); without them it returns a metric object for `compile(metrics = ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from ..conventions import resolve_axes
from . import losses as losses_mod

__all__ = [
    "metric_accuracy", "metric_auc", "metric_binary_accuracy", "metric_binary_crossentropy",
    "metric_binary_iou", "metric_categorical_accuracy", "metric_categorical_crossentropy", "metric_f1_score",
    "metric_fbeta_score", "metric_iou", "metric_mean", "metric_mean_absolute_error", "metric_mean_iou",
    "metric_mean_squared_error", "metric_one_hot_iou", "metric_one_hot_mean_iou", "metric_precision",
    "metric_r2_score", "metric_recall", "metric_root_mean_squared_error",
    "metric_sparse_categorical_accuracy", "metric_sparse_categorical_crossentropy",
    "metric_sparse_top_k_categorical_accuracy", "metric_top_k_categorical_accuracy",
]

# ---------------------------------------------------------------------------------------------------
# metric functions: per-sample (or per-element) values, float64


def _numeric(x, arg: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(
            f"`{arg}` must be a numeric array; received an array of dtype {a.dtype} ({type(x).__name__})."
        )
    return a


def _same_rank(y_true, y_pred, metric: str):
    yt, yp = losses_mod.squeeze_or_expand(_numeric(y_true, "y_true"), _numeric(y_pred, "y_pred"))
    try:
        np.broadcast_shapes(yt.shape, yp.shape)
    except ValueError:
        raise ValueError(
            f"`y_true` of shape {np.shape(y_true)} does not match `y_pred` of shape "
            f"{np.shape(y_pred)} in {metric}."
        ) from None
    return yt, yp


def _binary_accuracy(y_true, y_pred, threshold=0.5):
    yt, yp = _same_rank(y_true, y_pred, "binary_accuracy")
    return (yt.astype(np.float64) == (yp > threshold).astype(np.float64)).astype(np.float64)


def _accuracy(y_true, y_pred):
    yt, yp = _same_rank(y_true, y_pred, "accuracy")
    return (yt.astype(np.float64) == yp.astype(np.float64)).astype(np.float64)


def _categorical_accuracy(y_true, y_pred):
    yt, yp = _numeric(y_true, "y_true"), _numeric(y_pred, "y_pred")
    if yt.ndim == 0 or yp.ndim == 0 or yt.shape[-1] != yp.shape[-1]:
        raise ValueError(
            f"`y_true` of shape {yt.shape} does not match `y_pred` of shape {yp.shape} in "
            f"categorical_accuracy: one-hot labels of the same shape are expected (for "
            f"integer labels use metric_sparse_categorical_accuracy())."
        )
    return (np.argmax(yt, axis=-1) == np.argmax(yp, axis=-1)).astype(np.float64)


def _sparse_categorical_accuracy(y_true, y_pred):
    yt, yp = _numeric(y_true, "y_true"), _numeric(y_pred, "y_pred")
    if yp.ndim == 0:
        raise ValueError(
            "`y_pred` of sparse_categorical_accuracy must have a class dimension; received a scalar."
        )
    if yt.ndim == yp.ndim and yt.shape[-1] == 1:
        yt = yt[..., 0]
    if yt.shape != yp.shape[:-1]:
        raise ValueError(
            f"`y_true` of shape {np.shape(y_true)} does not match `y_pred` of shape {yp.shape} "
            f"in sparse_categorical_accuracy: labels must have shape {yp.shape[:-1]} or "
            f"{yp.shape[:-1] + (1,)}."
        )
    return (yt.astype(np.float64) == np.argmax(yp, axis=-1).astype(np.float64)).astype(np.float64)


# ---------------------------------------------------------------------------------------------------


class Metric:
    """Base class of the metrics.

    Parameters
    ----------
    name : str
        Name of the metric (the key in the training history).
    """

    def __init__(self, name: str):
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a string; received {name!r}.")
        self.name = name

    def update_state(self, y_true, y_pred) -> None:
        """Accumulate one batch.

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        """
        raise NotImplementedError

    def result(self) -> float:
        """The metric over every batch accumulated since the last reset."""
        raise NotImplementedError

    def reset_state(self) -> None:
        """Forget every batch accumulated (at the start of each epoch)."""
        raise NotImplementedError

    def __call__(self, y_true, y_pred) -> float:
        """Update the state with one batch and return the running result.

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        """
        self.update_state(y_true, y_pred)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        """A new object of this class from a `get_config()` dict.

        Parameters
        ----------
        config : dict
            The output of `get_config()`.
        """
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) running mean of the values given to `update_state()` (Keras `Mean`).

    Values of rank > 1 are first averaged over all their axes but the first (one value per sample).
    A scalar value with `sample_weight = n` counts as the mean of n samples: this is how the loss of
    each batch is averaged over an epoch.

    Parameters
    ----------
    name : str
        Name of the metric.
    """

    def __init__(self, name: str = "mean"):
        super().__init__(name)
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        """Add values (and optional weights) to the running mean.

        Parameters
        ----------
        values : array or float
            One value per sample (or a scalar).
        sample_weight : array, float or None
            Weights broadcastable to the per-sample values; `None` weights every sample 1.
        """
        v = np.asarray(values, dtype=np.float64)
        if v.ndim > 1:
            v = v.reshape(v.shape[0], -1).mean(axis=1)
        if sample_weight is None:
            self.total += float(np.sum(v))
            self.count += float(v.shape[0]) if v.ndim else 1.0
            return
        w = np.asarray(sample_weight, dtype=np.float64)
        try:
            w = np.broadcast_to(w, v.shape) if w.ndim <= v.ndim else w
        except ValueError:
            raise ValueError(
                f"`sample_weight` of shape {w.shape} does not match the values of shape {v.shape}."
            ) from None
        if w.shape != v.shape:
            raise ValueError(
                f"`sample_weight` of shape {w.shape} does not match the values of shape {v.shape}."
            )
        self.total += float(np.sum(v * w))
        self.count += float(np.sum(w))

    def result(self) -> float:
        """The running mean (0 before any update)."""
        return self.total / self.count if self.count else 0.0

    def reset_state(self) -> None:
        """Forget every value seen."""
        self.total = 0.0
        self.count = 0.0


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Parameters
    ----------
    fn : callable
        Function of `(y_true, y_pred)` returning one value per sample (or per element).
    name : str
        Name of the metric.
    **kwargs
        Extra arguments passed to `fn`.
    """

    def __init__(self, fn: Callable, name: str, **kwargs):
        if not callable(fn):
            raise TypeError(f"`fn` must be a function f(y_true, y_pred); received {fn!r}.")
        super().__init__(name)
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add the per-sample values of one batch.

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        sample_weight : array or None
            Optional per-sample weights.
        """
        values = np.asarray(self.fn(y_true, y_pred, **self.fn_kwargs), dtype=np.float64)
        if values.ndim == 0 and sample_weight is None and np.ndim(y_pred) == 1:
            # a rank-1 output reduced to one number: it still stands for len(y_pred) samples
            sample_weight = len(y_pred)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.fn_kwargs}


class _AccuracyFromTargets(Metric):
    """`"accuracy"` whose kind is decided by the first batch's shapes (Keras' rule, see `get()`)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.resolved: Metric | None = None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self.resolved is None:
            self.resolved = _accuracy_by_shapes(np.shape(y_true), np.shape(y_pred), self.name)
        self.resolved.update_state(y_true, y_pred, sample_weight=sample_weight)

    def result(self) -> float:
        return self.resolved.result() if self.resolved is not None else 0.0

    def reset_state(self) -> None:
        if self.resolved is not None:
            self.resolved.reset_state()


# ---------------------------------------------------------------------------------------------------
# R-style constructors


def _function_or_object(metric: MeanMetricWrapper, y_true, y_pred, fn_name: str):
    if y_true is None and y_pred is None:
        return metric
    if y_true is None or y_pred is None:
        raise ValueError(
            f"{fn_name}(): give both `y_true` and `y_pred` (to compute the per-sample values) "
            f"or neither (to get a metric object); received only "
            f"`{'y_pred' if y_true is None else 'y_true'}`."
        )
    return np.asarray(metric.fn(y_true, y_pred, **metric.fn_kwargs))


def _check_threshold(threshold) -> float:
    if (
        isinstance(threshold, (bool, np.bool_))
        or not isinstance(threshold, (Real, np.number))
        or np.isnan(threshold)
    ):
        raise ValueError(f"`threshold` must be a number (typically in [0, 1]); received {threshold!r}.")
    return float(threshold)


def metric_mean(name: str = "mean") -> Mean:
    """The running (weighted) mean of the values given to `update_state(values, sample_weight)`.

    Parameters
    ----------
    name : str
        Name of the metric.

    Returns
    -------
    Mean
    """
    return Mean(name)


def metric_mean_squared_error(
    y_true: ArrayLike | None = None, y_pred: ArrayLike | None = None, name: str = "mean_squared_error"
) -> Metric | np.ndarray:
    """Mean squared error between `y_true` and `y_pred`, averaged over all samples seen.

    Parameters
    ----------
    y_true : array or None
        Ground truth values. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted values.
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    m = MeanMetricWrapper(losses_mod.MeanSquaredError(reduction="none").per_sample, name)
    return _function_or_object(m, y_true, y_pred, "metric_mean_squared_error")


def metric_mean_absolute_error(
    y_true: ArrayLike | None = None, y_pred: ArrayLike | None = None, name: str = "mean_absolute_error"
) -> Metric | np.ndarray:
    """Mean absolute error between `y_true` and `y_pred`, averaged over all samples seen.

    Parameters
    ----------
    y_true : array or None
        Ground truth values. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted values.
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    m = MeanMetricWrapper(losses_mod.MeanAbsoluteError(reduction="none").per_sample, name)
    return _function_or_object(m, y_true, y_pred, "metric_mean_absolute_error")


def metric_binary_accuracy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    threshold: float = 0.5,
    name: str = "binary_accuracy",
) -> Metric | np.ndarray:
    """How often predictions match binary labels: `y_true == (y_pred > threshold)`.

    Parameters
    ----------
    y_true : array or None
        Labels (0 or 1). Given with `y_pred`, the per-element matches (0 or 1) are returned.
    y_pred : array or None
        Predicted probabilities (or scores compared with `threshold`).
    threshold : float
        A prediction counts as 1 when it is strictly greater than `threshold` (use 0 for logits).
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    m = MeanMetricWrapper(_binary_accuracy, name, threshold=_check_threshold(threshold))
    return _function_or_object(m, y_true, y_pred, "metric_binary_accuracy")


def metric_categorical_accuracy(
    y_true: ArrayLike | None = None, y_pred: ArrayLike | None = None, name: str = "categorical_accuracy"
) -> Metric | np.ndarray:
    """How often the predicted class (argmax of `y_pred`) is the one-hot label's class (argmax of `y_true`).

    Ties go to the first maximal class.

    Parameters
    ----------
    y_true : array or None
        One-hot labels, same shape as `y_pred`. Given with `y_pred`, the per-sample matches are
        returned.
    y_pred : array or None
        Class scores (probabilities or logits) on the last axis.
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    m = MeanMetricWrapper(_categorical_accuracy, name)
    return _function_or_object(m, y_true, y_pred, "metric_categorical_accuracy")


def metric_sparse_categorical_accuracy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    name: str = "sparse_categorical_accuracy",
) -> Metric | np.ndarray:
    """How often the predicted class (argmax of `y_pred`) equals the integer label.

    Parameters
    ----------
    y_true : array or None
        Integer class indices (0-based), of shape `(N,)` or `(N, 1)` for `y_pred` of shape
        `(N, n_classes)`. Given with `y_pred`, the per-sample matches are returned.
    y_pred : array or None
        Class scores (probabilities or logits) on the last axis.
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    m = MeanMetricWrapper(_sparse_categorical_accuracy, name)
    return _function_or_object(m, y_true, y_pred, "metric_sparse_categorical_accuracy")


def metric_accuracy(
    y_true: ArrayLike | None = None, y_pred: ArrayLike | None = None, name: str = "accuracy"
) -> Metric | np.ndarray:
    """How often predictions exactly equal labels (Keras `Accuracy`).

    Note that `compile(metrics = "accuracy")` does not give this metric: the string picks binary,
    categorical or sparse categorical accuracy (see `get()`).

    Parameters
    ----------
    y_true : array or None
        Labels. Given with `y_pred`, the per-element matches are returned.
    y_pred : array or None
        Predictions, compared for exact equality.
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    m = MeanMetricWrapper(_accuracy, name)
    return _function_or_object(m, y_true, y_pred, "metric_accuracy")


def metric_binary_crossentropy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    from_logits: bool = False,
    label_smoothing: float = 0,
    axis: int = -1,
    name: str = "binary_crossentropy",
) -> Metric | np.ndarray:
    """Binary crossentropy (see `loss_binary_crossentropy()`), averaged over all samples seen.

    Parameters
    ----------
    y_true : array or None
        Labels in [0, 1]. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted probabilities, or logits with `from_logits = TRUE`.
    from_logits : bool
        Whether `y_pred` holds logits.
    label_smoothing : float
        In [0, 1], as in `loss_binary_crossentropy()`.
    axis : int
        The axis averaged per sample, R style (default `-1`, the last).
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    loss = losses_mod.BinaryCrossentropy(from_logits, label_smoothing, axis, reduction="none")
    return _function_or_object(
        MeanMetricWrapper(loss.per_sample, name), y_true, y_pred, "metric_binary_crossentropy"
    )


def metric_categorical_crossentropy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    from_logits: bool = False,
    label_smoothing: float = 0,
    axis: int = -1,
    name: str = "categorical_crossentropy",
) -> Metric | np.ndarray:
    """Categorical crossentropy (see `loss_categorical_crossentropy()`), averaged over all samples seen.

    Parameters
    ----------
    y_true : array or None
        One-hot (or soft) labels. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted class probabilities, or logits with `from_logits = TRUE`.
    from_logits : bool
        Whether `y_pred` holds logits.
    label_smoothing : float
        In [0, 1], as in `loss_categorical_crossentropy()`.
    axis : int
        The class axis, R style (default `-1`, the last).
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    loss = losses_mod.CategoricalCrossentropy(from_logits, label_smoothing, axis, reduction="none")
    return _function_or_object(
        MeanMetricWrapper(loss.per_sample, name), y_true, y_pred, "metric_categorical_crossentropy"
    )


def metric_sparse_categorical_crossentropy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    from_logits: bool = False,
    name: str = "sparse_categorical_crossentropy",
) -> Metric | np.ndarray:
    """Sparse categorical crossentropy (see `loss_sparse_categorical_crossentropy()`), averaged over samples.

    Parameters
    ----------
    y_true : array or None
        Integer class indices. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted class probabilities, or logits with `from_logits = TRUE`.
    from_logits : bool
        Whether `y_pred` holds logits.
    name : str
        Name of the metric.

    Returns
    -------
    MeanMetricWrapper or numpy array
    """
    loss = losses_mod.SparseCategoricalCrossentropy(from_logits, reduction="none")
    return _function_or_object(
        MeanMetricWrapper(loss.per_sample, name), y_true, y_pred, "metric_sparse_categorical_crossentropy"
    )


# ---------------------------------------------------------------------------------------------------
# resolution of compile(metrics = ...)

ALIASES = {
    "mse": metric_mean_squared_error,
    "mean_squared_error": metric_mean_squared_error,
    "mae": metric_mean_absolute_error,
    "mean_absolute_error": metric_mean_absolute_error,
    "binary_accuracy": metric_binary_accuracy,
    "categorical_accuracy": metric_categorical_accuracy,
    "sparse_categorical_accuracy": metric_sparse_categorical_accuracy,
    "binary_crossentropy": metric_binary_crossentropy,
    "categorical_crossentropy": metric_categorical_crossentropy,
    "sparse_categorical_crossentropy": metric_sparse_categorical_crossentropy,
}
_CONSTRUCTORS = tuple(set(ALIASES.values())) + (metric_accuracy, metric_mean)


def _accuracy_by_shapes(y_true_shape, y_pred_shape, name: str) -> Metric:
    """Keras 3's rule (`compile_utils.get_metric`) from the target and prediction shapes."""
    if len(y_pred_shape) <= 1 or y_pred_shape[-1] == 1:
        return metric_binary_accuracy(name=name)
    yt_last = y_true_shape[-1] if len(y_true_shape) else None
    if len(y_true_shape) < len(y_pred_shape) or (yt_last == 1 and y_pred_shape[-1] > 1):
        return metric_sparse_categorical_accuracy(name=name)
    return metric_categorical_accuracy(name=name)


def _resolve_accuracy(name: str, loss, output_shape) -> Metric:
    kind = losses_mod.canonical_name(loss) if loss is not None else None
    if kind == "binary_crossentropy":
        return metric_binary_accuracy(name=name)
    if kind == "sparse_categorical_crossentropy":
        return metric_sparse_categorical_accuracy(name=name)
    if kind == "categorical_crossentropy":
        return metric_categorical_accuracy(name=name)
    if output_shape is not None:
        shape = tuple(output_shape)
        if len(shape) <= 1 or shape[-1] == 1:
            return metric_binary_accuracy(name=name)
    return _AccuracyFromTargets(name)


def get(
    identifier: str | Metric | Callable, loss: object = None, output_shape: tuple | None = None
) -> Metric:
    """Resolve one entry of the `metrics` argument of `compile()` to a fresh metric object.

    Strings name the metric in the history as written (`"mae"` stays `"mae"`, `"acc"` stays
    `"acc"`). `"accuracy"` / `"acc"` pick the accuracy that fits the model's loss and output, like
    Keras' `compile()`:

    1. loss binary crossentropy -> binary accuracy (threshold 0.5);
    2. loss sparse categorical crossentropy -> sparse categorical accuracy;
    3. loss categorical crossentropy -> categorical accuracy;
    4. otherwise by shapes (Keras 3's rule): an output whose last dimension is 1 (or of rank 1) ->
       binary accuracy; else, at the first batch, targets of lower rank than the output or with a
       last dimension of 1 -> sparse categorical accuracy, otherwise categorical accuracy.

    (Keras 3 uses step 4 only; steps 1-3 agree with it on the usual shapes, and make a multi-label
    binary crossentropy output use binary accuracy.)

    Parameters
    ----------
    identifier : str, Metric, metric constructor or function
        A name (any case): `"accuracy"`, `"acc"`, `"mse"`, `"mean_squared_error"`, `"mae"`,
        `"mean_absolute_error"`, `"binary_accuracy"`, `"categorical_accuracy"`,
        `"sparse_categorical_accuracy"`, `"binary_crossentropy"`, `"categorical_crossentropy"`,
        `"sparse_categorical_crossentropy"`; a metric object (returned as is); a `metric_*` function
        (called with its defaults); a loss object (its per-sample values are averaged); or a
        function `f(y_true, y_pred)` returning per-sample values (named after the function).
    loss : str, Loss or None
        The loss of the same output (only used to resolve `"accuracy"`).
    output_shape : tuple or None
        The shape of the model output, batch dimension included (only used to resolve `"accuracy"`).

    Returns
    -------
    Metric
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):  # a metric class (R: `Metric()`)
        return identifier()
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            return _resolve_accuracy(identifier, loss, output_shape)
        if key in ALIASES:
            return ALIASES[key](name=identifier)
    elif any(identifier is f for f in _CONSTRUCTORS):
        return identifier()
    elif isinstance(identifier, losses_mod.Loss):
        return MeanMetricWrapper(identifier.per_sample, identifier.name)
    elif callable(identifier):
        return MeanMetricWrapper(identifier, getattr(identifier, "__name__", "metric"))
    raise ValueError(
        f"Unknown `metrics` entry: {identifier!r}. Accepted: 'accuracy', 'acc', "
        f"{', '.join(repr(a) for a in ALIASES)}, a metric object (metric_*()) or a "
        f"function f(y_true, y_pred)."
    )


# ---------------------------------------------------------------------------------------------------
# More of R keras3's metrics (Keras 3's definitions). Every running total is a float64 accumulator.

_EPS = 1e-7  # Keras' backend.epsilon()


def _weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if w.size == 1:
        return np.full(n, float(w[0]))
    if w.size != n:
        raise ValueError(f"`sample_weight` must give one weight per sample ({n}); received {w.size}.")
    return w


def _top_k_categorical_accuracy(y_true, y_pred, k=5):
    yp = _numeric(y_pred, "y_pred").astype(np.float64)
    target = np.argmax(_numeric(y_true, "y_true"), axis=-1)
    score = np.take_along_axis(yp, target[..., None], axis=-1)
    return (np.sum(yp > score, axis=-1) < k).astype(np.float64)


def _sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    yp = _numeric(y_pred, "y_pred").astype(np.float64)
    yt = _numeric(y_true, "y_true")
    if yt.ndim == yp.ndim:
        yt = yt[..., 0]
    score = np.take_along_axis(yp, yt.astype(np.int64)[..., None], axis=-1)
    return (np.sum(yp > score, axis=-1) < k).astype(np.float64)


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"`k` must be a positive integer; received {k!r}.")
    return int(k)


def metric_top_k_categorical_accuracy(y_true=None, y_pred=None, k=5, name="top_k_categorical_accuracy"):
    """How often the target class (one-hot `y_true`) is among the `k` highest predictions.

    Parameters
    ----------
    y_true : array or None
        One-hot targets. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted scores.
    k : int
        How many top predictions count.
    name : str
        Name of the metric.
    """
    m = MeanMetricWrapper(_top_k_categorical_accuracy, name, k=_check_k(k))
    return _function_or_object(m, y_true, y_pred, "metric_top_k_categorical_accuracy")


def metric_sparse_top_k_categorical_accuracy(y_true=None, y_pred=None, k=5, name="sparse_top_k_categorical_accuracy",
                                             from_sorted_ids=False):
    """How often the integer target class is among the `k` highest predictions.

    Parameters
    ----------
    y_true : array or None
        Integer class labels. Given with `y_pred`, the per-sample values are returned.
    y_pred : array or None
        Predicted scores (or, with `from_sorted_ids`, the ids of the top predictions, best first).
    k : int
        How many top predictions count.
    name : str
        Name of the metric.
    from_sorted_ids : bool
        `y_pred` holds class ids sorted by score instead of scores.
    """
    k = _check_k(k)
    if from_sorted_ids:
        def fn(y_true, y_pred, k=k):
            yt = np.asarray(y_true).reshape(len(y_true), -1)[:, :1]
            return np.any(np.asarray(y_pred)[:, :k] == yt, axis=-1).astype(np.float64)
        m = MeanMetricWrapper(fn, name)
    else:
        m = MeanMetricWrapper(_sparse_top_k_categorical_accuracy, name, k=k)
    return _function_or_object(m, y_true, y_pred, "metric_sparse_top_k_categorical_accuracy")


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of the squared errors over every element seen (Keras)."""

    def __init__(self, name="root_mean_squared_error"):
        super().__init__(name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        yt = _numeric(y_true, "y_true").astype(np.float64)
        yp = _numeric(y_pred, "y_pred").astype(np.float64)
        yt, yp = losses_mod.squeeze_or_expand(yt, yp)
        sq = np.square(yt - yp)
        if sample_weight is None:
            self.total += float(np.sum(sq, dtype=np.float64))
            self.count += float(sq.size)
            return
        w = np.asarray(sample_weight, dtype=np.float64)
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (sq.ndim - w.ndim)), sq.shape)
        self.total += float(np.sum(sq * w, dtype=np.float64))
        self.count += float(np.sum(w, dtype=np.float64))

    def result(self):
        return float(np.sqrt(self.total / self.count)) if self.count else 0.0


def metric_root_mean_squared_error(name="root_mean_squared_error"):
    """Root mean squared error: `sqrt(mean((y_true - y_pred)^2))` over everything seen since the reset.

    Parameters
    ----------
    name : str
        Name of the metric.
    """
    return RootMeanSquaredError(name)


class _PrecisionRecall(Metric):
    """True/false positives and negatives at one threshold (Keras `Precision`, `Recall`)."""

    _which = "precision"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None):
        given = thresholds
        self._several = isinstance(thresholds, (list, tuple, np.ndarray))
        if thresholds is None:
            thresholds = 0.5 if top_k is None else -np.inf
        values = list(thresholds) if self._several else [thresholds]
        if not values:
            raise ValueError("`thresholds` must hold at least one number.")
        for t in values:
            if not np.isinf(t) and not 0.0 <= _check_threshold(t) <= 1.0:
                raise ValueError(f"`thresholds` must be in [0, 1]; received {thresholds!r}.")
        self._threshold_values = np.array([float(t) for t in values])
        if top_k is not None:
            top_k = _check_k(top_k)
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer))
                                     or class_id < 0):
            raise ValueError(f"`class_id` must be a class index >= 0 (0-based, as Keras); received {class_id!r}.")
        super().__init__(name or self._which)
        self.thresholds, self.top_k, self.class_id = given, top_k, class_id
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None):
        yp = _numeric(y_pred, "y_pred").astype(np.float64)
        yt = _numeric(y_true, "y_true").astype(np.float64)
        yt, yp = losses_mod.squeeze_or_expand(yt, yp)
        yt = np.broadcast_to(yt, yp.shape)
        if self.top_k is not None:
            kth = -np.sort(-yp, axis=-1)[..., self.top_k - 1:self.top_k]
            yp = np.where(yp >= kth, yp, -np.inf)
        if self.class_id is not None:
            yt, yp = yt[..., self.class_id], yp[..., self.class_id]
        w = _weights(sample_weight, len(yp)).reshape((-1,) + (1,) * (yp.ndim - 1))
        w, label = np.broadcast_to(w, yp.shape).reshape(-1), yt.reshape(-1) != 0
        pred = yp.reshape(-1)[None, :] > self._threshold_values[:, None]  # (thresholds, elements)
        self.tp += np.sum(w * (pred & label), axis=1, dtype=np.float64)
        self.fp += np.sum(w * (pred & ~label), axis=1, dtype=np.float64)
        self.fn += np.sum(w * (~pred & label), axis=1, dtype=np.float64)

    def result(self):
        denominator = self.tp + (self.fp if self._which == "precision" else self.fn)
        out = np.divide(self.tp, denominator, out=np.zeros_like(self.tp), where=denominator != 0)
        return out if self._several else float(out[0])  # one result per threshold, as Keras

    def reset_state(self):
        self.tp, self.fp, self.fn = (np.zeros(len(self._threshold_values)) for _ in range(3))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Precision: true positives / predicted positives (Keras `Precision`)."""

    _which = "precision"


class Recall(_PrecisionRecall):
    """Recall: true positives / actual positives (Keras `Recall`)."""

    _which = "recall"


_PR_DOC = """
    Parameters
    ----------
    thresholds : float, list of float or None
        A prediction above it counts as positive (default 0.5; with `top_k`, no threshold); with a
        list, one result per threshold.
    top_k : int or None
        Only the `top_k` highest predictions of each sample count as positive.
    class_id : int or None
        Only this class (0-based column) is scored.
    name : str or None
        Name of the metric (default `"{0}"`).
    """


def metric_precision(thresholds=None, top_k=None, class_id=None, name=None):
    return Precision(thresholds, top_k, class_id, name)


def metric_recall(thresholds=None, top_k=None, class_id=None, name=None):
    return Recall(thresholds, top_k, class_id, name)


metric_precision.__doc__ = ("Precision of the predictions: true positives / (true positives + false "
                            "positives), weighted by `sample_weight`.\n" + _PR_DOC.format("precision"))
metric_recall.__doc__ = ("Recall of the predictions: true positives / (true positives + false negatives), "
                         "weighted by `sample_weight`.\n" + _PR_DOC.format("recall"))


class AUC(Metric):
    """Area under the ROC or PR curve from confusion counts at fixed thresholds (Keras `AUC`)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"`curve` must be 'ROC' or 'PR'; received {curve!r}.")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"`summation_method` must be 'interpolation', 'minoring' or 'majoring'; "
                             f"received {summation_method!r}.")
        if multi_label not in (True, False):
            raise ValueError(f"`multi_label` must be TRUE or FALSE; received {multi_label!r}.")
        if num_labels is not None and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is TRUE.")
        if num_labels is not None and (isinstance(num_labels, bool) or not isinstance(num_labels, (int, np.integer))
                                       or num_labels < 1):
            raise ValueError(f"`num_labels` must be a positive integer or None; received {num_labels!r}.")
        if label_weights is not None:
            label_weights = np.asarray(label_weights, dtype=np.float64).reshape(-1)
            if np.any(label_weights < 0):
                raise ValueError(f"`label_weights` must be non-negative; received {label_weights!r}.")
        self.multi_label, self.num_labels, self.label_weights = bool(multi_label), num_labels, label_weights
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) or \
                    num_thresholds <= 1:
                raise ValueError(f"`num_thresholds` must be an integer > 1; received {num_thresholds!r}.")
            self.num_thresholds = int(num_thresholds)
            inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
        self._thresholds = np.array([0.0 - _EPS] + inner + [1.0 + _EPS])
        self._given_thresholds = thresholds
        self.curve, self.summation_method = curve, summation_method
        self.from_logits = bool(from_logits)
        super().__init__(name or "auc")
        self.reset_state()

    def reset_state(self):
        shape = (self.num_thresholds, self.num_labels) if self.multi_label and self.num_labels else \
            (self.num_thresholds,) if not self.multi_label else None
        self.tp = self.fp = self.tn = self.fn = None  # multi_label without num_labels: shaped by the first batch
        if shape is not None:
            self.tp, self.fp, self.tn, self.fn = (np.zeros(shape) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        yp = _numeric(y_pred, "y_pred").astype(np.float64)
        yt = _numeric(y_true, "y_true").astype(np.float64)
        yt, yp = losses_mod.squeeze_or_expand(yt, yp)
        yt = np.broadcast_to(yt, yp.shape)
        if self.from_logits:
            yp = losses_mod.sigmoid(yp)
        w = np.broadcast_to(_weights(sample_weight, len(yp)).reshape((-1,) + (1,) * (yp.ndim - 1)), yp.shape)
        if self.multi_label:
            if yp.ndim != 2:
                raise ValueError(f"`y_pred` must have rank 2 (batch, labels) when `multi_label` is TRUE; received "
                                 f"shape {yp.shape}.")
            if self.tp is None:
                self.num_labels = yp.shape[1]
                self.reset_state()
            if yp.shape[1] != self.tp.shape[1]:
                raise ValueError(f"`y_pred` has {yp.shape[1]} labels; this AUC counts {self.tp.shape[1]}.")
            pred = yp[None] > self._thresholds[:, None, None]  # (thresholds, batch, labels)
            label = (yt != 0)[None]
            for name, hit in (("tp", pred & label), ("fp", pred & ~label), ("fn", ~pred & label),
                              ("tn", ~pred & ~label)):
                setattr(self, name, getattr(self, name) + np.sum(w[None] * hit, axis=1, dtype=np.float64))
            return
        if self.label_weights is not None:  # Keras: per-label weights multiply the sample weights
            w = w * self.label_weights
        yp, label, w = yp.reshape(-1), yt.reshape(-1) != 0, w.reshape(-1)
        pred = yp[None, :] > self._thresholds[:, None]
        self.tp += np.sum(w * (pred & label), axis=1, dtype=np.float64)
        self.fp += np.sum(w * (pred & ~label), axis=1, dtype=np.float64)
        self.fn += np.sum(w * (~pred & label), axis=1, dtype=np.float64)
        self.tn += np.sum(w * (~pred & ~label), axis=1, dtype=np.float64)

    def result(self):
        if self.tp is None:
            return 0.0
        areas = self._areas(self.tp, self.fp, self.tn, self.fn)
        if not self.multi_label:
            return float(areas)
        if self.label_weights is None:
            return float(np.mean(areas))
        return float(np.sum(areas * self.label_weights) / np.sum(self.label_weights))

    def _areas(self, tp, fp, tn, fn):
        """The area of each curve (axis 0: thresholds; any further axis: labels)."""
        def ratio(a, b):
            return np.divide(a, b, out=np.zeros_like(a), where=b != 0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp = tp[:-1] - tp[1:]
            p = tp + fp
            dp = p[:-1] - p[1:]
            slope = ratio(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * p[1:]
            safe = np.where((p[:-1] > 0) & (p[1:] > 0), ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
            return np.sum(ratio(slope * (dtp + intercept * np.log(safe)), np.maximum(tp[1:] + fn[1:], 0)), axis=0)
        recall = ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ratio(fp, fp + tn), recall
        else:
            x, y = recall, ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return np.sum((x[:-1] - x[1:]) * heights, axis=0)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "thresholds": self._given_thresholds,
                "multi_label": self.multi_label, "num_labels": self.num_labels,
                "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                "from_logits": self.from_logits}


def metric_auc(num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, thresholds=None,
               multi_label=False, num_labels=None, label_weights=None, from_logits=False):
    """Area under the ROC (or precision-recall) curve, from confusion counts at fixed thresholds.

    As Keras' `AUC`: labels are positive when non-zero; a prediction is positive above a threshold;
    the area is a Riemann sum over the thresholds (interpolated, or the lower / upper rectangle).

    Parameters
    ----------
    num_thresholds : int
        > 1: number of thresholds, evenly spaced in [0, 1].
    curve : str
        "ROC" or "PR" (precision-recall).
    summation_method : str
        "interpolation", "minoring" or "majoring".
    name : str or None
        Name of the metric (default `"auc"`).
    thresholds : list of float or None
        Explicit thresholds in [0, 1] (then `num_thresholds` is ignored).
    multi_label : bool
        FALSE: one curve over all labels flattened; TRUE: one curve per label (column), the areas
        then averaged (weighted by `label_weights` if given).
    num_labels : int or None
        With `multi_label`, the number of labels (default: from the first batch).
    label_weights : array or None
        Non-negative weight of each label: in the average of the per-label areas (`multi_label`),
        otherwise multiplying each label's counts.
    from_logits : bool
        Whether the predictions are logits (a sigmoid is applied first).
    """
    return AUC(num_thresholds, curve, summation_method, name, thresholds, multi_label, num_labels, label_weights,
               from_logits)


class _IoUBase(Metric):
    """A weighted confusion matrix over `num_classes`; IoU of the target classes (Keras `IoU`)."""

    def __init__(self, num_classes, target_class_ids, name, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1, threshold=None):
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
            raise ValueError(f"`num_classes` must be a positive integer; received {num_classes!r}.")
        ids = list(target_class_ids)
        if not ids or any(isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < num_classes
                          for i in ids):
            raise ValueError(f"`target_class_ids` must be class indices in 0..{num_classes - 1}; received "
                             f"{target_class_ids!r}.")
        super().__init__(name)
        self.num_classes, self.target_class_ids = int(num_classes), [int(i) for i in ids]
        self.ignore_class, self.sparse_y_true, self.sparse_y_pred = ignore_class, bool(sparse_y_true), \
            bool(sparse_y_pred)
        self.axis = axis
        self.threshold = threshold
        self.reset_state()

    def reset_state(self):
        self.cm = np.zeros((self.num_classes, self.num_classes))

    def update_state(self, y_true, y_pred, sample_weight=None):
        yt = _numeric(y_true, "y_true")
        yp = _numeric(y_pred, "y_pred").astype(np.float64)
        ax = resolve_axes(self.axis, yp.ndim)[0] if yp.ndim > 1 else -1
        if self.threshold is not None:
            yp = (yp >= self.threshold).astype(np.float64)
        if not self.sparse_y_true:
            yt = np.argmax(yt, axis=resolve_axes(self.axis, yt.ndim)[0])
        if not self.sparse_y_pred:
            yp = np.argmax(yp, axis=ax)
        yt = yt.astype(np.float64).reshape(-1).astype(np.int64)
        yp = yp.reshape(-1).astype(np.int64)
        if yt.size != yp.size:
            raise ValueError(f"`y_true` ({yt.size} labels) and `y_pred` ({yp.size} labels) do not match.")
        w = np.ones(yt.size)
        if sample_weight is not None:
            sw = np.asarray(sample_weight, np.float64).reshape(-1)
            if sw.size == 1 or sw.size == yt.size:
                w = np.broadcast_to(sw, (yt.size,))
            elif yt.size % sw.size == 0:  # one weight per sample, over each sample's elements
                w = np.repeat(sw, yt.size // sw.size)
            else:
                raise ValueError(f"`sample_weight` ({sw.size} weights) does not match {yt.size} labels.")
        keep = (yt >= 0) & (yt < self.num_classes) & (yp >= 0) & (yp < self.num_classes)
        if self.ignore_class is not None:
            keep &= yt != self.ignore_class
        np.add.at(self.cm, (yt[keep], yp[keep]), w[keep])

    def result(self):
        tp = np.diag(self.cm)
        denominator = self.cm.sum(axis=0) + self.cm.sum(axis=1) - tp
        ids = self.target_class_ids
        tp, denominator = tp[ids], denominator[ids]
        valid = float(np.sum(denominator > 1e-9))
        return float(np.sum(tp / (denominator + _EPS)) / (valid + _EPS))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """Intersection-over-union of chosen classes (Keras `IoU`)."""


class MeanIoU(_IoUBase):
    """Mean intersection-over-union over all classes (Keras `MeanIoU`)."""

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class BinaryIoU(_IoUBase):
    """IoU of thresholded binary predictions (Keras `BinaryIoU`)."""

    def get_config(self):
        return {"name": self.name, "target_class_ids": self.target_class_ids, "threshold": self.threshold}


_IOU_COMMON = """    name : str or None
        Name of the metric.
    ignore_class : int or None
        A class label left out of the confusion matrix (e.g. a "void" label).
"""


def metric_iou(num_classes, target_class_ids, name=None, ignore_class=None, sparse_y_true=True,
               sparse_y_pred=True, axis=-1):
    return IoU(num_classes, target_class_ids, name or "iou", ignore_class, sparse_y_true, sparse_y_pred, axis)


def metric_mean_iou(num_classes, name=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
    return MeanIoU(num_classes, range(num_classes) if isinstance(num_classes, (int, np.integer)) else [],
                   name or "mean_iou", ignore_class, sparse_y_true, sparse_y_pred, axis)


def metric_binary_iou(target_class_ids=(0, 1), threshold=0.5, name=None):
    return BinaryIoU(2, target_class_ids, name or "binary_iou", threshold=_check_threshold(threshold))


def metric_one_hot_iou(num_classes, target_class_ids, name=None, ignore_class=None, sparse_y_pred=False, axis=-1):
    return IoU(num_classes, target_class_ids, name or "one_hot_iou", ignore_class, False, sparse_y_pred, axis)


def metric_one_hot_mean_iou(num_classes, name=None, ignore_class=None, sparse_y_pred=False, axis=-1):
    return MeanIoU(num_classes, range(num_classes) if isinstance(num_classes, (int, np.integer)) else [],
                   name or "one_hot_mean_iou", ignore_class, False, sparse_y_pred, axis)


_SPARSE = """    sparse_y_true : bool
        Targets are class labels (TRUE) or one-hot / scores along `axis` (FALSE: argmax taken).
    sparse_y_pred : bool
        Predictions are class labels (TRUE) or scores along `axis` (FALSE: argmax taken).
    axis : int
        The class axis of dense targets or predictions (R style, -1 the last).
"""
_ONE_HOT = """    sparse_y_pred : bool
        Predictions are class labels (TRUE) or scores along `axis` (FALSE: argmax taken).
    axis : int
        The class axis (R style, -1 the last).
"""
_NUM = "    num_classes : int\n        Number of classes (the confusion matrix is num_classes x num_classes).\n"
_IDS = "    target_class_ids : list of int\n        The classes (0-based) whose IoU is averaged.\n"
_HEAD = "\n    Parameters\n    ----------\n"
metric_iou.__doc__ = ("Intersection-over-union of the target classes, `TP / (TP + FP + FN)` from a weighted "
                      "confusion matrix, averaged over `target_class_ids`.\n" + _HEAD + _NUM + _IDS + _IOU_COMMON
                      + _SPARSE)
metric_mean_iou.__doc__ = ("Mean intersection-over-union over all classes (semantic segmentation's usual "
                           "score).\n" + _HEAD + _NUM + _IOU_COMMON + _SPARSE)
metric_binary_iou.__doc__ = ("Intersection-over-union of binary predictions (positive when >= `threshold`), "
                             "averaged over `target_class_ids`.\n" + _HEAD
                             + "    target_class_ids : list of int\n        0, 1 or both.\n"
                             + "    threshold : float\n        Predictions >= threshold are class 1.\n"
                             + "    name : str or None\n        Name of the metric.\n")
metric_one_hot_iou.__doc__ = ("Intersection-over-union with one-hot targets (argmax taken), averaged over "
                              "`target_class_ids`.\n" + _HEAD + _NUM + _IDS + _IOU_COMMON + _ONE_HOT)
metric_one_hot_mean_iou.__doc__ = ("Mean intersection-over-union over all classes, with one-hot targets.\n"
                                   + _HEAD + _NUM + _IOU_COMMON + _ONE_HOT)


class R2Score(Metric):
    """Coefficient of determination per output column, aggregated (Keras `R2Score`)."""

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score"):
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(f"`class_aggregation` must be None, 'uniform_average' or 'variance_weighted_average'; "
                             f"received {class_aggregation!r}.")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, (int, np.integer)) or \
                num_regressors < 0:
            raise ValueError(f"`num_regressors` must be an integer >= 0; received {num_regressors!r}.")
        super().__init__(name)
        self.class_aggregation, self.num_regressors = class_aggregation, int(num_regressors)
        self.reset_state()

    def reset_state(self):
        self.sum = self.squared_sum = self.total_mse = self.count = None
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        yt = _numeric(y_true, "y_true").astype(np.float64)
        yp = _numeric(y_pred, "y_pred").astype(np.float64)
        yt, yp = losses_mod.squeeze_or_expand(yt, yp)
        if yt.ndim == 1:
            yt, yp = yt[:, None], yp[:, None]
        w = np.ones(1) if sample_weight is None else np.asarray(sample_weight, np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, yt.shape)
        if self.sum is None:
            self.sum, self.squared_sum, self.total_mse, self.count = (np.zeros(yt.shape[1]) for _ in range(4))
        self.sum += np.sum(yt * w, axis=0, dtype=np.float64)
        self.squared_sum += np.sum(yt * yt * w, axis=0, dtype=np.float64)
        self.total_mse += np.sum(np.square(yt - yp) * w, axis=0, dtype=np.float64)
        self.count += np.sum(w, axis=0, dtype=np.float64)
        self.num_samples += yt.size

    def result(self):
        if self.sum is None:
            return 0.0
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = 1 - self.total_mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, p = self.num_samples, self.num_regressors
        if p and p < n - 1:
            score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return float(score) if np.ndim(score) == 0 else np.asarray(score)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


def metric_r2_score(class_aggregation="uniform_average", num_regressors=0, name="r2_score"):
    """R^2, the coefficient of determination of a regression, over every sample seen since the reset.

    Parameters
    ----------
    class_aggregation : str or None
        How the per-column scores combine: "uniform_average", "variance_weighted_average", or None
        (one score per output column).
    num_regressors : int
        Number of independent regressors (> 0 gives the adjusted R^2).
    name : str
        Name of the metric.
    """
    return R2Score(class_aggregation, num_regressors, name)


class FBetaScore(Metric):
    """F-beta score from per-class true/false positives and negatives (Keras `FBetaScore`)."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score"):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"`average` must be None, 'micro', 'macro' or 'weighted'; received {average!r}.")
        if isinstance(beta, bool) or not isinstance(beta, (Real, np.number)) or not beta > 0:
            raise ValueError(f"`beta` must be a number > 0; received {beta!r}.")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (Real, np.number))
                                      or not 0 < threshold <= 1):
            raise ValueError(f"`threshold` must be None or a number in (0, 1]; received {threshold!r}.")
        super().__init__(name)
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.reset_state()

    def reset_state(self):
        self.tp = self.fp = self.fn = self.weights_sum = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        yt = _numeric(y_true, "y_true").astype(np.float64)
        yp = _numeric(y_pred, "y_pred").astype(np.float64)
        if yt.ndim != 2 or yp.ndim != 2:
            raise ValueError(f"{self.name} expects 2-d targets and predictions (batch, classes); received "
                             f"{yt.shape} and {yp.shape}.")
        if self.threshold is None:
            pred = (yp >= np.max(yp, axis=-1, keepdims=True)) & (np.abs(yp) > 1e-9)
        else:
            pred = yp > self.threshold
        pred = pred.astype(np.float64)
        w = np.ones((len(yp), 1)) if sample_weight is None else np.asarray(sample_weight, np.float64).reshape(-1, 1)
        axis = None if self.average == "micro" else 0

        def wsum(v):
            return np.sum(v * w, axis=axis, dtype=np.float64)
        if self.tp is None:
            shape = () if axis is None else (yp.shape[-1],)
            self.tp, self.fp, self.fn, self.weights_sum = (np.zeros(shape) for _ in range(4))
        self.tp = self.tp + wsum(pred * yt)
        self.fp = self.fp + wsum(pred * (1 - yt))
        self.fn = self.fn + wsum((1 - pred) * yt)
        self.weights_sum = self.weights_sum + wsum(yt)

    def result(self):
        if self.tp is None:
            return 0.0
        precision = self.tp / (self.tp + self.fp + _EPS)
        recall = self.tp / (self.tp + self.fn + _EPS)
        b2 = self.beta**2
        score = precision * recall / (b2 * precision + recall + _EPS) * (1 + b2)
        if self.average == "weighted":
            score = np.sum(score * self.weights_sum / (np.sum(self.weights_sum) + _EPS))
        elif self.average is not None:
            score = np.mean(score)
        return float(score) if np.ndim(score) == 0 else np.asarray(score)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score (Keras `F1Score`)."""

    def __init__(self, average=None, threshold=None, name="f1_score"):
        super().__init__(average, 1.0, threshold, name)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


_F_DOC = """    average : str or None
        None (one score per class), "micro" (from global counts), "macro" (mean of the class scores)
        or "weighted" (mean weighted by the classes' support).
"""
_F_THRESHOLD = """    threshold : float or None
        Predictions above it count as positive; None: the highest prediction of each sample.
"""


def metric_f1_score(average=None, threshold=None, name="f1_score"):
    return F1Score(average, threshold, name)


def metric_fbeta_score(average=None, beta=1.0, threshold=None, name="fbeta_score"):
    return FBetaScore(average, beta, threshold, name)


metric_f1_score.__doc__ = ("F1 score, the harmonic mean of precision and recall, from one-hot targets.\n" + _HEAD
                           + _F_DOC + _F_THRESHOLD + "    name : str\n        Name of the metric.\n")
metric_fbeta_score.__doc__ = ("F-beta score, `(1 + beta^2) * precision * recall / (beta^2 * precision + recall)`, "
                              "from one-hot targets.\n" + _HEAD + _F_DOC
                              + "    beta : float\n        > 0: the weight of recall relative to precision.\n"
                              + _F_THRESHOLD + "    name : str\n        Name of the metric.\n")

ALIASES.update({
    "top_k_categorical_accuracy": metric_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": metric_sparse_top_k_categorical_accuracy,
    "root_mean_squared_error": metric_root_mean_squared_error,
    "auc": metric_auc, "precision": metric_precision, "recall": metric_recall, "r2_score": metric_r2_score,
})
_CONSTRUCTORS = tuple(set(ALIASES.values())) + (metric_accuracy, metric_mean, metric_f1_score, metric_fbeta_score,
                                                 metric_binary_iou)
