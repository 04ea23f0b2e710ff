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

from . import losses as losses_mod

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
    yt, yp = losses_mod._squeeze_or_expand(_numeric(y_true, "y_true"), _numeric(y_pred, "y_pred"))
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

_ALIASES = {
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
_CONSTRUCTORS = tuple(set(_ALIASES.values())) + (metric_accuracy, metric_mean)


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
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            return _resolve_accuracy(identifier, loss, output_shape)
        if key in _ALIASES:
            return _ALIASES[key](name=identifier)
    elif any(identifier is f for f in _CONSTRUCTORS):
        return identifier()
    elif isinstance(identifier, losses_mod.Loss):
        return MeanMetricWrapper(identifier.per_sample, identifier.name)
    elif callable(identifier):
        return MeanMetricWrapper(identifier, getattr(identifier, "__name__", "metric"))
    raise ValueError(
        f"Unknown `metrics` entry: {identifier!r}. Accepted: 'accuracy', 'acc', "
        f"{', '.join(repr(a) for a in _ALIASES)}, a metric object (metric_*()) or a "
        f"function f(y_true, y_pred)."
    )
