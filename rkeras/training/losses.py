"""Losses with Keras 3 semantics, each with its exact gradient with respect to `y_pred`.

A loss object has a `name`, `__call__(y_true, y_pred) -> float` and
`value_and_grad(y_true, y_pred) -> (float, gradient of y_pred's shape and dtype)`. Like Keras, a
loss first computes one value per sample (MSE, MAE and binary crossentropy average over the last
axis; categorical crossentropies sum over the class axis), then reduces them: the default reduction
`"sum_over_batch_size"` is the mean of the per-sample values.

Everything is computed in float64; probabilities are clipped to `[1e-7, 1 - 1e-7]` (Keras'
`epsilon()`), the bounds taken in float32 (float64 for float64 predictions) as Keras does in its
default float type; the clipped-away region has zero gradient. `from_logits = TRUE` uses a stable
log-sigmoid / log-softmax formulation.

In the R API, `loss_*(y_true, y_pred)` with both arrays given returns the per-sample loss values
(the Keras loss *function*); without them it returns a loss object for `compile(loss = ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from .. import conventions
from ..conventions import resolve_axes, validate_r_axis
from ..core.config import config_floatx
from ..docstrings import inherit_parameters, shared_doc

__all__ = [
    "loss_binary_crossentropy", "loss_binary_focal_crossentropy", "loss_categorical_crossentropy",
    "loss_categorical_focal_crossentropy", "loss_categorical_hinge", "loss_cosine_similarity", "loss_hinge",
    "loss_huber", "loss_kl_divergence", "loss_log_cosh", "loss_mean_absolute_error",
    "loss_mean_absolute_percentage_error", "loss_mean_squared_error", "loss_mean_squared_logarithmic_error",
    "loss_poisson", "loss_sparse_categorical_crossentropy", "loss_squared_hinge",
]

EPSILON = 1e-7
_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "none")


# ---------------------------------------------------------------------------------------------------
# helpers


def _numeric(x, arg: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(
            f"`{arg}` must be a numeric array; received an array of dtype {a.dtype} ({type(x).__name__})."
        )
    return a


def _out_dtype(y_pred: np.ndarray) -> np.dtype:
    return y_pred.dtype if y_pred.dtype.kind == "f" else np.dtype(config_floatx())


def _clip_bounds(dtype: np.dtype) -> tuple:
    # Keras clips in its compute dtype (float32 by default): 1 - 1e-7 rounds there
    bd = np.float64 if dtype == np.float64 else np.float32
    return float(bd(EPSILON)), float(bd(1.0) - bd(EPSILON))


def squeeze_or_expand(yt: np.ndarray, yp: np.ndarray):
    """Keras' `squeeze_or_expand_to_same_rank`: reconcile a trailing dimension of size 1."""
    if yt.ndim == yp.ndim + 1 and yt.shape[-1] == 1:
        if yp.ndim == 1:
            yp = yp[:, None]
        else:
            yt = yt[..., 0]
    elif yp.ndim == yt.ndim + 1 and yp.shape[-1] == 1:
        if yt.ndim == 1:
            yt = yt[:, None]
        else:
            yp = yp[..., 0]
    return yt, yp


def _align(yt: np.ndarray, yp: np.ndarray, loss_name: str):
    """y_true and y_pred as Keras sees them (same rank, y_true broadcastable to y_pred)."""
    if yp.ndim == 0:
        raise ValueError(
            f"`y_pred` of {loss_name} must have at least one dimension (the batch); received a scalar."
        )
    yt2, yp2 = squeeze_or_expand(yt, yp)
    ok = yt2.ndim == yp2.ndim
    if ok:
        try:
            ok = np.broadcast_shapes(yt2.shape, yp2.shape) == yp2.shape
        except ValueError:
            ok = False
    if not ok:
        hint = (
            " For integer class labels use loss_sparse_categorical_crossentropy()."
            if loss_name == "categorical_crossentropy"
            else ""
        )
        raise ValueError(
            f"`y_true` of shape {yt.shape} does not match `y_pred` of shape {yp.shape} in "
            f"{loss_name}: accepted are the same shape, or a trailing dimension of size 1 on "
            f"either side.{hint}"
        )
    return np.broadcast_to(yt2, yp2.shape).astype(np.float64), yp2


def _softplus(z):
    return np.logaddexp(0.0, z)


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def _log_softmax(z, axis=-1):
    zmax = np.max(z, axis=axis, keepdims=True)
    zmax = np.where(np.isfinite(zmax), zmax, 0.0)
    shifted = z - zmax
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _check_single_axis(axis) -> int:
    if isinstance(axis, (list, tuple)):
        raise TypeError(
            f"`axis` must be a single integer (R style: 1-based including the batch "
            f"dimension, or negative from the end); received {axis!r}."
        )
    return validate_r_axis(axis, "axis")


# ---------------------------------------------------------------------------------------------------


class Loss:
    """Base class: per-sample values and their gradient, then the reduction.

    Subclasses implement `_compute(y_true, y_pred, need_grad, bounds)` on float64 arrays (`bounds`:
    the probability clip range for the original `y_pred` dtype), returning the per-sample values and
    (if asked) the gradient of their *sum* with respect to `y_pred`.

    Parameters
    ----------
    name : str
        Name of the loss.
    reduction : str
        `"sum_over_batch_size"` (mean of the per-sample values, the default), `"mean"` (the same
        without sample weights), `"sum"`, or `"none"` (`__call__` returns the per-sample values).
    """

    def __init__(self, name: str, reduction: str = "sum_over_batch_size"):
        if reduction is None:
            reduction = "none"
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"`reduction` must be one of {', '.join(repr(r) for r in _REDUCTIONS)}; "
                f"received {reduction!r}."
            )
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a string; received {name!r}.")
        self.name = name
        self.reduction = reduction

    def _compute(self, y_true, y_pred, need_grad, bounds):
        raise NotImplementedError

    #: whether `check_targets` may run `_compute` on stand-in predictions (not for user functions)
    _checks_on_stand_in = True

    def check_targets(self, y_true, y_pred_shape) -> None:
        """Refuse targets this loss cannot take for predictions of `y_pred_shape` (a ValueError or
        TypeError naming `y_true`), before a training step changes anything.

        The loss's own checks (shape, type, label range) run on stand-in predictions of that shape;
        a shape with an unknown (None) dimension is checked for the dtype only.

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred_shape : tuple of int
            Shape of the predictions, batch dimension included.
        """
        yt = _numeric(y_true, "y_true")
        if not self._checks_on_stand_in or type(self)._compute is Loss._compute \
                or any(d is None for d in y_pred_shape):
            return  # user-defined losses (no built-in `_compute`) never run on stand-in data
        stand_in = np.full(tuple(y_pred_shape), 0.5)
        self._compute(yt, stand_in, False, _clip_bounds(np.dtype(np.float32)))

    def _prepare(self, y_true, y_pred):
        yp = _numeric(y_pred, "y_pred")
        yt = _numeric(y_true, "y_true")
        return yt, yp.astype(np.float64), _out_dtype(yp), _clip_bounds(yp.dtype)

    def per_sample(self, y_true, y_pred) -> np.ndarray:
        """The per-sample loss values (float64), before the reduction.

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        """
        yt, yp, _, bounds = self._prepare(y_true, y_pred)
        return self._compute(yt, yp, False, bounds)[0]

    def _scale(self, per) -> float:
        if self.reduction == "sum":
            return 1.0
        return 1.0 / per.size if per.size else 0.0

    def __call__(self, y_true, y_pred):
        """The reduced loss (a float; the per-sample array when `reduction = "none"`).

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        """
        yt, yp, dtype, bounds = self._prepare(y_true, y_pred)
        per = self._compute(yt, yp, False, bounds)[0]
        if self.reduction == "none":
            return per.astype(dtype)
        return float(np.sum(per) * self._scale(per))

    def value_and_grad(self, y_true, y_pred) -> tuple:
        """The reduced loss and its gradient with respect to `y_pred` (same shape and dtype).

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        """
        if self.reduction == "none":
            raise ValueError(
                f"value_and_grad() needs a scalar loss, but {self.name} has `reduction` = "
                f"'none'; accepted: 'sum_over_batch_size', 'mean' or 'sum'."
            )
        yt, yp, dtype, bounds = self._prepare(y_true, y_pred)
        per, grad = self._compute(yt, yp, True, bounds)
        scale = self._scale(per)
        return float(np.sum(per) * scale), (grad * scale).reshape(yp.shape).astype(dtype)

    def weighted_value_and_grad(self, y_true, y_pred, sample_weight=None) -> tuple:
        """As `value_and_grad()`, each sample's loss multiplied by its weight first (Keras' rule).

        The reduction divides by the number of values, not by the sum of the weights (Keras 3
        `sum_over_batch_size`).

        Parameters
        ----------
        y_true : array
            Targets.
        y_pred : array
            Predictions.
        sample_weight : array or None
            One weight per sample (the first axis); None weighs every sample 1.
        """
        if sample_weight is None:
            return self.value_and_grad(y_true, y_pred)
        if self.reduction == "none":
            raise ValueError(
                f"weighted_value_and_grad() needs a scalar loss, but {self.name} has `reduction` = 'none'."
            )
        yt, yp, dtype, bounds = self._prepare(y_true, y_pred)
        per, grad = self._compute(yt, yp, True, bounds)
        sw = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
        if sw.shape[0] != yp.shape[0]:
            raise ValueError(
                f"`sample_weight` must give one weight per sample ({yp.shape[0]}); received {sw.shape[0]}."
            )
        scale = self._scale(per)
        per_w = per * sw.reshape((-1,) + (1,) * (per.ndim - 1))
        value = float(np.sum(per_w, dtype=np.float64) * scale)
        g = grad.reshape(yp.shape) * (sw * scale).reshape((-1,) + (1,) * (yp.ndim - 1))
        return value, g.astype(dtype)

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {"name": self.name, "reduction": self.reduction}

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


class MeanSquaredError(Loss):
    """Mean of squares of errors: per sample `mean((y_true - y_pred)^2)` over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "mean_squared_error")
        d = yp - yt
        per = np.mean(np.square(d), axis=-1)
        return per, (2.0 * d / d.shape[-1] if need_grad else None)


class MeanAbsoluteError(Loss):
    """Mean of absolute errors: per sample `mean(abs(y_true - y_pred))` over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "mean_absolute_error")
        d = yp - yt
        per = np.mean(np.abs(d), axis=-1)
        return per, (np.sign(d) / d.shape[-1] if need_grad else None)


class BinaryCrossentropy(Loss):
    """Binary crossentropy, averaged over `axis` per sample (Keras `BinaryCrossentropy`)."""

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
    ):
        self.from_logits = conventions.as_bool(from_logits, "from_logits")
        self.label_smoothing = _check_real_in(label_smoothing, "label_smoothing", 0.0, 1.0)
        self.axis = _check_single_axis(axis)
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "binary_crossentropy")
        ax = resolve_axes(self.axis, yp.ndim)[0]
        t = yt * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing if self.label_smoothing else yt
        if self.from_logits:
            elem = t * _softplus(-yp) + (1.0 - t) * _softplus(yp)
            grad = sigmoid(yp) - t if need_grad else None
        else:
            lo, hi = bounds
            q = np.clip(yp, lo, hi)
            elem = -(t * np.log(q) + (1.0 - t) * np.log(1.0 - q))
            grad = ((yp >= lo) & (yp <= hi)) * ((1.0 - t) / (1.0 - q) - t / q) if need_grad else None
        n = yp.shape[ax]
        return np.mean(elem, axis=ax), (grad / n if need_grad else None)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


def _ce_from_probabilities(t, yp, bounds, need_grad, class_axis=-1):
    """-sum(t * log(clip(yp / sum(yp)))) over the class axis, and its gradient."""
    s = np.sum(yp, axis=class_axis, keepdims=True)
    p = yp / s
    lo, hi = bounds
    q = np.clip(p, lo, hi)
    per = -np.sum(t * np.log(q), axis=class_axis)
    if not need_grad:
        return per, None
    a = ((p >= lo) & (p <= hi)) * (-t / q)  # d loss / d p
    grad = (a - np.sum(a * p, axis=class_axis, keepdims=True)) / s
    return per, grad


class CategoricalCrossentropy(Loss):
    """Crossentropy of one-hot (or soft) targets over the class axis (Keras `CategoricalCrossentropy`).

    With probabilities, `y_pred` is first renormalized to sum to 1 over the class axis, then clipped,
    exactly as Keras.
    """

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
    ):
        self.from_logits = conventions.as_bool(from_logits, "from_logits")
        self.label_smoothing = _check_real_in(label_smoothing, "label_smoothing", 0.0, 1.0)
        self.axis = _check_single_axis(axis)
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "categorical_crossentropy")
        ax = resolve_axes(self.axis, yp.ndim)[0]
        t, z = np.moveaxis(yt, ax, -1), np.moveaxis(yp, ax, -1)
        if self.label_smoothing:
            t = t * (1.0 - self.label_smoothing) + self.label_smoothing / t.shape[-1]
        if self.from_logits:
            logp = _log_softmax(z)
            per = -np.sum(t * logp, axis=-1)
            grad = np.exp(logp) * np.sum(t, axis=-1, keepdims=True) - t if need_grad else None
        else:
            per, grad = _ce_from_probabilities(t, z, bounds, need_grad)
        return per, (np.moveaxis(grad, -1, ax) if need_grad else None)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


def _class_indices(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """Integer labels of shape y_pred.shape[:-1] (accepts a trailing 1 and floats holding ints)."""
    if yp.ndim == 0:
        raise ValueError(
            "`y_pred` of sparse_categorical_crossentropy must have a class dimension; received a scalar."
        )
    labels = yt[..., 0] if yt.ndim == yp.ndim and yt.ndim > 0 and yt.shape[-1] == 1 else yt
    if labels.shape != yp.shape[:-1]:
        raise ValueError(
            f"`y_true` of shape {yt.shape} does not match `y_pred` of shape {yp.shape}: "
            f"sparse labels must have shape {yp.shape[:-1]} or {yp.shape[:-1] + (1,)} "
            f"(one integer class index per sample)."
        )
    whole = np.isfinite(labels) & (labels == np.round(labels)) if labels.dtype.kind == "f" else None
    if whole is not None and not np.all(whole):
        bad = labels[~whole].ravel()[0]
        raise ValueError(f"`y_true` must hold integer class indices; received the value {bad!r}.")
    idx = labels.astype(np.int64)
    n_classes = yp.shape[-1]
    if idx.size and (idx.min() < 0 or idx.max() >= n_classes):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(
            f"`y_true` holds the class index {bad}, outside the accepted range 0..{n_classes - 1} "
            f"for `y_pred` with {n_classes} classes."
        )
    return idx[..., None]


class SparseCategoricalCrossentropy(Loss):
    """Crossentropy of integer class labels (Keras `SparseCategoricalCrossentropy`)."""

    def __init__(
        self, from_logits=False, reduction="sum_over_batch_size", name="sparse_categorical_crossentropy"
    ):
        self.from_logits = conventions.as_bool(from_logits, "from_logits")
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        idx = _class_indices(yt, yp)
        if self.from_logits:
            logp = _log_softmax(yp)
            per = -np.take_along_axis(logp, idx, axis=-1)[..., 0]
            grad = None
            if need_grad:
                grad = np.exp(logp)
                np.put_along_axis(grad, idx, np.take_along_axis(grad, idx, axis=-1) - 1.0, axis=-1)
            return per, grad
        t = np.zeros_like(yp)
        np.put_along_axis(t, idx, 1.0, axis=-1)
        return _ce_from_probabilities(t, yp, bounds, need_grad)

    def get_config(self) -> dict:
        return {**super().get_config(), "from_logits": self.from_logits}


class FunctionLoss(Loss):
    """A plain function `f(y_true, y_pred)` used as a loss; gradient by central finite differences.

    The function returns per-sample values (reduced by `reduction`) or a scalar. The gradient takes
    two calls of `f` per element of `y_pred`: slow, fine for small outputs only.

    Parameters
    ----------
    fn : callable
        The loss function `f(y_true, y_pred)`, called with numpy arrays (`y_pred` in float64).
    reduction : str
        How the values returned by `fn` are reduced: `"sum_over_batch_size"` (mean), `"mean"`,
        `"sum"` or `"none"`.
    name : str or None
        Name of the loss (default: the function's name).
    """

    _checks_on_stand_in = False  # the user's function may not expect stand-in predictions

    def __init__(self, fn: Callable, reduction="sum_over_batch_size", name=None):
        if not callable(fn):
            raise TypeError(f"`fn` must be a function f(y_true, y_pred); received {fn!r}.")
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", "loss"), reduction)

    def _values(self, yt, yp) -> np.ndarray:
        out = np.asarray(self.fn(yt, yp), dtype=np.float64)
        return out

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp2 = squeeze_or_expand(yt, yp)
        per = self._values(yt, yp2)
        if not need_grad:
            return per, None
        work = np.array(yp2, dtype=np.float64)
        flat = work.reshape(-1)
        grad = np.empty_like(flat)
        for i in range(flat.size):  # central differences of the reduced loss (undone by the caller)
            x = flat[i]
            h = 6e-6 * max(1.0, abs(x))
            flat[i] = x + h
            fp = np.sum(self._values(yt, work))
            flat[i] = x - h
            fm = np.sum(self._values(yt, work))
            flat[i] = x
            grad[i] = (fp - fm) / (2.0 * h)
        return per, grad.reshape(yp2.shape)  # gradient of sum(per); the caller applies the reduction


# ---------------------------------------------------------------------------------------------------
# R-style constructors


def _function_or_object(obj: Loss, y_true, y_pred, fn_name: str):
    if y_true is None and y_pred is None:
        return obj
    if y_true is None or y_pred is None:
        raise ValueError(
            f"{fn_name}(): give both `y_true` and `y_pred` (to compute the per-sample "
            f"losses) or neither (to get a loss object); received only "
            f"`{'y_pred' if y_true is None else 'y_true'}`."
        )
    yp = _numeric(y_pred, "y_pred")
    return obj.per_sample(y_true, y_pred).astype(_out_dtype(yp))


@shared_doc
def loss_mean_squared_error(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    reduction: str = "sum_over_batch_size",
    name: str = "mean_squared_error",
) -> Loss | np.ndarray:
    """Mean of squares of errors between labels and predictions.

    `loss = mean(square(y_true - y_pred))` over the last axis per sample, then the reduction.

    Parameters
    ----------
    y_true : array or None
        Ground truth values. Given with `y_pred`, the per-sample losses are returned.
    y_pred : array or None
        Predicted values, same shape as `y_true` (a trailing dimension of size 1 may differ).
    {{loss_reduction}}
    name : str
        Name of the loss.

    Returns
    -------
    MeanSquaredError or numpy array
        {{loss_returns}}
    """
    return _function_or_object(MeanSquaredError(reduction, name), y_true, y_pred, "loss_mean_squared_error")


@shared_doc
def loss_mean_absolute_error(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    reduction: str = "sum_over_batch_size",
    name: str = "mean_absolute_error",
) -> Loss | np.ndarray:
    """Mean of absolute errors between labels and predictions.

    `loss = mean(abs(y_true - y_pred))` over the last axis per sample, then the reduction. The gradient
    at a zero error is 0.

    Parameters
    ----------
    y_true : array or None
        Ground truth values. Given with `y_pred`, the per-sample losses are returned.
    y_pred : array or None
        Predicted values, same shape as `y_true` (a trailing dimension of size 1 may differ).
    {{loss_reduction}}
    name : str
        Name of the loss.

    Returns
    -------
    MeanAbsoluteError or numpy array
        {{loss_returns}}
    """
    return _function_or_object(MeanAbsoluteError(reduction, name), y_true, y_pred, "loss_mean_absolute_error")


@shared_doc
def loss_binary_crossentropy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    from_logits: bool = False,
    label_smoothing: float = 0,
    axis: int = -1,
    reduction: str = "sum_over_batch_size",
    name: str = "binary_crossentropy",
) -> Loss | np.ndarray:
    """Cross-entropy loss between true labels (0 or 1) and predicted probabilities (or logits).

    Per element: `-(y * log(p) + (1 - y) * log(1 - p))` with `p` clipped to `[1e-7, 1 - 1e-7]`, or,
    with `from_logits = TRUE`, the stable `y * softplus(-z) + (1 - y) * softplus(z)`; averaged over
    `axis` per sample, then the reduction.

    Parameters
    ----------
    y_true : array or None
        Labels in [0, 1]. Given with `y_pred`, the per-sample losses are returned.
    y_pred : array or None
        Predicted probabilities, or logits with `from_logits = TRUE`.
    from_logits : bool
        Whether `y_pred` holds logits (any real number) instead of probabilities.
    label_smoothing : float
        In [0, 1]: labels are replaced by `y * (1 - label_smoothing) + 0.5 * label_smoothing`.
    axis : int
        The axis averaged per sample, R style (1-based including the batch dimension, or negative
        from the end; default `-1`, the last).
    {{loss_reduction}}
    name : str
        Name of the loss.

    Returns
    -------
    BinaryCrossentropy or numpy array
        {{loss_returns}}
    """
    return _function_or_object(
        BinaryCrossentropy(from_logits, label_smoothing, axis, reduction, name),
        y_true,
        y_pred,
        "loss_binary_crossentropy",
    )


@shared_doc
def loss_categorical_crossentropy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    from_logits: bool = False,
    label_smoothing: float = 0,
    axis: int = -1,
    reduction: str = "sum_over_batch_size",
    name: str = "categorical_crossentropy",
) -> Loss | np.ndarray:
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities (or logits).

    Per sample: `-sum(y * log(p))` over the class `axis`, where, as in Keras, probabilities are first
    renormalized (`p = y_pred / sum(y_pred)`) then clipped to `[1e-7, 1 - 1e-7]`; with
    `from_logits = TRUE`, `log(p)` is a stable log-softmax of `y_pred`. Then the reduction.

    Parameters
    ----------
    y_true : array or None
        One-hot (or soft) labels, same shape as `y_pred`. For integer labels use
        `loss_sparse_categorical_crossentropy()`. Given with `y_pred`, the per-sample losses are
        returned.
    y_pred : array or None
        Predicted class probabilities, or logits with `from_logits = TRUE`.
    from_logits : bool
        Whether `y_pred` holds logits instead of probabilities.
    label_smoothing : float
        In [0, 1]: labels are replaced by `y * (1 - label_smoothing) + label_smoothing / n_classes`
        (`n_classes` is the size of the class `axis`).
    axis : int
        The class axis, R style (1-based including the batch dimension, or negative from the end;
        default `-1`, the last).
    {{loss_reduction}}
    name : str
        Name of the loss.

    Returns
    -------
    CategoricalCrossentropy or numpy array
        {{loss_returns}}
    """
    return _function_or_object(
        CategoricalCrossentropy(from_logits, label_smoothing, axis, reduction, name),
        y_true,
        y_pred,
        "loss_categorical_crossentropy",
    )


@shared_doc
def loss_sparse_categorical_crossentropy(
    y_true: ArrayLike | None = None,
    y_pred: ArrayLike | None = None,
    from_logits: bool = False,
    reduction: str = "sum_over_batch_size",
    name: str = "sparse_categorical_crossentropy",
) -> Loss | np.ndarray:
    """Cross-entropy between integer class labels and predicted class probabilities (or logits).

    Per sample: `-log(p[label])` with `p` renormalized over the last axis and clipped to
    `[1e-7, 1 - 1e-7]` as in `loss_categorical_crossentropy()`, or a stable log-softmax of the logits
    with `from_logits = TRUE`. Then the reduction.

    Parameters
    ----------
    y_true : array or None
        Integer class indices (0-based, as Keras), of shape `(N,)` or `(N, 1)` for `y_pred` of shape
        `(N, n_classes)` (generally `y_pred`'s shape without its last dimension, optionally with a
        trailing 1); integers or floats holding integers. Given with `y_pred`, the per-sample losses
        are returned.
    y_pred : array or None
        Predicted class probabilities (last axis), or logits with `from_logits = TRUE`.
    from_logits : bool
        Whether `y_pred` holds logits instead of probabilities.
    {{loss_reduction}}
    name : str
        Name of the loss.

    Returns
    -------
    SparseCategoricalCrossentropy or numpy array
        {{loss_returns}}
    """
    return _function_or_object(
        SparseCategoricalCrossentropy(from_logits, reduction, name),
        y_true,
        y_pred,
        "loss_sparse_categorical_crossentropy",
    )


for _cls, _fn in (
    (MeanSquaredError, loss_mean_squared_error),
    (MeanAbsoluteError, loss_mean_absolute_error),
    (BinaryCrossentropy, loss_binary_crossentropy),
    (CategoricalCrossentropy, loss_categorical_crossentropy),
    (SparseCategoricalCrossentropy, loss_sparse_categorical_crossentropy),
):
    inherit_parameters(_cls, _fn)

_ALIASES = {
    "mse": loss_mean_squared_error,
    "mean_squared_error": loss_mean_squared_error,
    "mae": loss_mean_absolute_error,
    "mean_absolute_error": loss_mean_absolute_error,
    "binary_crossentropy": loss_binary_crossentropy,
    "categorical_crossentropy": loss_categorical_crossentropy,
    "sparse_categorical_crossentropy": loss_sparse_categorical_crossentropy,
}
_CONSTRUCTORS = tuple(set(_ALIASES.values()))


def canonical_name(identifier: object) -> str | None:
    """The Keras name of a built-in loss given as a string, constructor or loss object, else None.

    Parameters
    ----------
    identifier : str, function or Loss
        What was passed as `loss`.
    """
    if isinstance(identifier, str):
        f = _ALIASES.get(identifier.lower())
        return f.__name__[len("loss_") :] if f else None
    if any(identifier is f for f in _CONSTRUCTORS):
        return identifier.__name__[len("loss_") :]
    for cls, nm in (
        (MeanSquaredError, "mean_squared_error"),
        (MeanAbsoluteError, "mean_absolute_error"),
        (BinaryCrossentropy, "binary_crossentropy"),
        (CategoricalCrossentropy, "categorical_crossentropy"),
        (SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"),
    ):
        if isinstance(identifier, cls):
            return nm
    return None


def get(identifier: str | Loss | Callable) -> Loss:
    """Resolve the `loss` argument of `compile()` to a loss object.

    Parameters
    ----------
    identifier : str, Loss, loss constructor or function
        A name (any case): `"mse"`, `"mean_squared_error"`, `"mae"`, `"mean_absolute_error"`,
        `"binary_crossentropy"`, `"categorical_crossentropy"`, `"sparse_categorical_crossentropy"`;
        a loss object (returned as is); a `loss_*` function (called with its defaults); or a plain
        function `f(y_true, y_pred)` returning per-sample (or scalar) losses, whose gradient is then
        taken by central finite differences (two calls per element of `y_pred`: slow, fine for small
        outputs).

    Returns
    -------
    Loss
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):  # a loss class (R: `Loss()`)
        return identifier()
    if isinstance(identifier, str):
        f = _ALIASES.get(identifier.lower())
        if f is not None:
            return f()
    elif any(identifier is f for f in _CONSTRUCTORS):
        return identifier()
    elif callable(identifier):
        return FunctionLoss(identifier)
    raise ValueError(
        f"Unknown `loss`: {identifier!r}. Accepted: "
        f"{', '.join(repr(a) for a in _ALIASES)}, a loss object (loss_*()) or a function "
        f"f(y_true, y_pred)."
    )


# ---------------------------------------------------------------------------------------------------
# More of R keras3's losses (Keras 3's formulas); each computes per-sample values and the gradient of
# their sum in float64, like the losses above.


def _hinge_labels(yt):
    """Keras: labels that are all 0/1 become -1/1."""
    return 2.0 * yt - 1.0 if np.all((yt == 0) | (yt == 1)) else yt


class Huber(Loss):
    """Huber loss: quadratic for |error| <= delta, linear beyond; mean over the last axis."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss"):
        if isinstance(delta, bool) or not isinstance(delta, (Real, np.number)) or not delta >= 0:
            raise ValueError(f"`delta` must be a number >= 0; received {delta!r}.")
        self.delta = float(delta)
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "huber")
        d = yp - yt
        small = np.abs(d) <= self.delta
        elem = np.where(small, 0.5 * np.square(d), self.delta * np.abs(d) - 0.5 * self.delta**2)
        grad = np.where(small, d, self.delta * np.sign(d)) / d.shape[-1] if need_grad else None
        return np.mean(elem, axis=-1), grad

    def get_config(self) -> dict:
        return {**super().get_config(), "delta": self.delta}


class LogCosh(Loss):
    """log(cosh(y_pred - y_true)), mean over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "log_cosh")
        d = yp - yt
        elem = d + _softplus(-2.0 * d) - np.log(2.0)
        return np.mean(elem, axis=-1), (np.tanh(d) / d.shape[-1] if need_grad else None)


class KLDivergence(Loss):
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))`, both clipped to [eps, 1]."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "kl_divergence")
        lo = bounds[0]
        t, q = np.clip(yt, lo, 1.0), np.clip(yp, lo, 1.0)
        per = np.sum(t * np.log(t / q), axis=-1)
        return per, (((yp >= lo) & (yp <= 1.0)) * (-t / q) if need_grad else None)


class Poisson(Loss):
    """Poisson loss `mean(y_pred - y_true * log(y_pred + eps))` over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "poisson")
        eps = bounds[0]
        per = np.mean(yp - yt * np.log(yp + eps), axis=-1)
        return per, ((1.0 - yt / (yp + eps)) / yp.shape[-1] if need_grad else None)


class CosineSimilarity(Loss):
    """Negative cosine similarity `-sum(l2_normalize(y_true) * l2_normalize(y_pred))` along `axis`."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity"):
        self.axis = _check_single_axis(axis)
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "cosine_similarity")
        ax = resolve_axes(self.axis, yp.ndim)[0]
        u = yt / np.sqrt(np.maximum(np.sum(np.square(yt), axis=ax, keepdims=True), 1e-12))
        sq = np.sum(np.square(yp), axis=ax, keepdims=True)
        n = np.sqrt(np.maximum(sq, 1e-12))
        dot = np.sum(u * yp, axis=ax, keepdims=True)
        per = -np.squeeze(dot / n, axis=ax)
        if not need_grad:
            return per, None
        grad = -(u / n - np.where(sq > 1e-12, dot * yp / n**3, 0.0))
        return per, grad

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Hinge(Loss):
    """Hinge loss `mean(max(1 - y_true * y_pred, 0))` (0/1 labels become -1/1)."""

    squared = False

    def __init__(self, reduction="sum_over_batch_size", name="hinge"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, self.name)
        yt = _hinge_labels(yt)
        m = np.maximum(1.0 - yt * yp, 0.0)
        if self.squared:
            return np.mean(np.square(m), axis=-1), (-2.0 * yt * m / yp.shape[-1] if need_grad else None)
        return np.mean(m, axis=-1), (-yt * (m > 0) / yp.shape[-1] if need_grad else None)


class SquaredHinge(Hinge):
    """Squared hinge loss `mean(max(1 - y_true * y_pred, 0)^2)` (0/1 labels become -1/1)."""

    squared = True

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge"):
        super().__init__(reduction, name)


class CategoricalHinge(Loss):
    """`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "categorical_hinge")
        pos = np.sum(yt * yp, axis=-1)
        other = (1.0 - yt) * yp
        neg = np.max(other, axis=-1)
        per = np.maximum(neg - pos + 1.0, 0.0)
        if not need_grad:
            return per, None
        pick = np.zeros_like(yp)
        np.put_along_axis(pick, np.argmax(other, axis=-1)[..., None], 1.0, axis=-1)
        return per, (per > 0)[..., None] * (pick * (1.0 - yt) - yt)


class MeanAbsolutePercentageError(Loss):
    """`100 * mean(|y_true - y_pred| / max(|y_true|, eps))` over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "mean_absolute_percentage_error")
        scale = np.maximum(np.abs(yt), bounds[0])
        d = yp - yt
        per = 100.0 * np.mean(np.abs(d) / scale, axis=-1)
        return per, (100.0 * np.sign(d) / scale / d.shape[-1] if need_grad else None)


class MeanSquaredLogarithmicError(Loss):
    """`mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2)` over the last axis."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error"):
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "mean_squared_logarithmic_error")
        eps = bounds[0]
        q = np.maximum(yp, eps)
        d = np.log(q + 1.0) - np.log(np.maximum(yt, eps) + 1.0)
        per = np.mean(np.square(d), axis=-1)
        return per, (2.0 * d / (q + 1.0) * (yp > eps) / d.shape[-1] if need_grad else None)


class BinaryFocalCrossentropy(Loss):
    """Binary crossentropy scaled by `(1 - p_t)^gamma` (and class weights `alpha`), Keras' formula."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy"):
        self.apply_class_balancing = conventions.as_bool(apply_class_balancing, "apply_class_balancing")
        self.alpha = _check_real_in(alpha, "alpha", 0.0, 1.0)
        self.gamma = _check_real_in(gamma, "gamma", 0.0, None)
        self.from_logits = conventions.as_bool(from_logits, "from_logits")
        self.label_smoothing = _check_real_in(label_smoothing, "label_smoothing", 0.0, 1.0)
        self.axis = _check_single_axis(axis)
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "binary_focal_crossentropy")
        ax = resolve_axes(self.axis, yp.ndim)[0]
        t = yt * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing if self.label_smoothing else yt
        p = sigmoid(yp) if self.from_logits else yp
        lo, hi = bounds
        q = np.clip(p, lo, hi)
        bce = -(t * np.log(q) + (1.0 - t) * np.log(1.0 - q))
        p_t = t * p + (1.0 - t) * (1.0 - p)
        focal = np.power(1.0 - p_t, self.gamma)
        w = t * self.alpha + (1.0 - t) * (1.0 - self.alpha) if self.apply_class_balancing else 1.0
        per = np.mean(w * focal * bce, axis=ax)
        if not need_grad:
            return per, None
        dfocal = -self.gamma * np.power(1.0 - p_t, self.gamma - 1.0) * (2.0 * t - 1.0) if self.gamma else 0.0
        dbce = ((p >= lo) & (p <= hi)) * ((1.0 - t) / (1.0 - q) - t / q)
        grad = w * (dfocal * bce + focal * dbce)
        if self.from_logits:
            grad = grad * p * (1.0 - p)
        return per, grad / yp.shape[ax]

    def get_config(self) -> dict:
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma, "from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                "axis": self.axis}


class CategoricalFocalCrossentropy(Loss):
    """Categorical crossentropy scaled by `alpha * (1 - p)^gamma` per class, Keras' formula."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy"):
        self.alpha = _check_real_in(alpha, "alpha", 0.0, None)
        self.gamma = _check_real_in(gamma, "gamma", 0.0, None)
        self.from_logits = conventions.as_bool(from_logits, "from_logits")
        self.label_smoothing = _check_real_in(label_smoothing, "label_smoothing", 0.0, 1.0)
        self.axis = _check_single_axis(axis)
        super().__init__(name, reduction)

    def _compute(self, yt, yp, need_grad, bounds):
        yt, yp = _align(yt, yp, "categorical_focal_crossentropy")
        ax = resolve_axes(self.axis, yp.ndim)[0]
        t = yt * (1.0 - self.label_smoothing) + self.label_smoothing / yp.shape[ax] if self.label_smoothing else yt
        p = np.exp(_log_softmax(yp, axis=ax)) if self.from_logits else yp
        s = np.sum(p, axis=ax, keepdims=True)
        o = p / s
        lo, hi = bounds
        oc = np.clip(o, lo, hi)
        cce = -t * np.log(oc)
        mod = np.power(1.0 - oc, self.gamma)
        per = np.sum(self.alpha * mod * cce, axis=ax)
        if not need_grad:
            return per, None
        dmod = -self.gamma * np.power(1.0 - oc, self.gamma - 1.0) if self.gamma else 0.0
        g_o = ((o >= lo) & (o <= hi)) * self.alpha * (dmod * cce - mod * t / oc)
        g_p = (g_o - np.sum(g_o * o, axis=ax, keepdims=True)) / s
        if self.from_logits:
            g_p = p * (g_p - np.sum(g_p * p, axis=ax, keepdims=True))
        return per, g_p

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


def _check_real_in(value, arg, low, high):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.number)) or np.isnan(value) or \
            value < low or (high is not None and value > high):
        accepted = f"in [{low:g}, {high:g}]" if high is not None else f">= {low:g}"
        raise ValueError(f"`{arg}` must be a number {accepted}; received {value!r}.")
    return float(value)


def _loss_constructor(cls, fn_name, summary, params_doc=""):
    """An R-style `loss_*()` function: a loss object, or the per-sample losses given `y_true` and `y_pred`."""
    import inspect

    own = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]]
    params = [inspect.Parameter("y_true", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None),
              inspect.Parameter("y_pred", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)] + own
    signature = inspect.Signature(params)

    def constructor(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        y_true, y_pred = arguments.pop("y_true"), arguments.pop("y_pred")
        return _function_or_object(cls(**arguments), y_true, y_pred, fn_name)

    constructor.__signature__ = signature
    constructor.__name__ = constructor.__qualname__ = fn_name
    constructor.__module__ = __name__
    constructor.__doc__ = f"""{summary}

    Parameters
    ----------
    y_true : array or None
        Ground truth values. Given with `y_pred`, the per-sample losses are returned.
    y_pred : array or None
        Predicted values.
{params_doc}    {{{{loss_reduction}}}}
    name : str
        Name of the loss.

    Returns
    -------
    {cls.__name__} or numpy array
        {{{{loss_returns}}}}
    """
    return shared_doc(constructor)


_FROM_LOGITS = "    from_logits : bool\n        Whether `y_pred` holds logits rather than probabilities.\n"
_SMOOTHING = "    label_smoothing : float\n        In [0, 1]: smoothing of the targets.\n"
_AXIS = "    axis : int\n        The axis along which the loss is computed (R style: 1-based, or -1 for the last).\n"
_GAMMA = "    gamma : float\n        >= 0: the focusing parameter (0 gives the plain crossentropy).\n"

loss_huber = _loss_constructor(Huber, "loss_huber", (
    "Huber loss: `0.5 * error^2` where `|error| <= delta`, else `delta * |error| - 0.5 * delta^2`;\n"
    "    mean over the last axis per sample."),
    "    delta : float\n        >= 0: the point where the loss changes from quadratic to linear.\n")
loss_log_cosh = _loss_constructor(LogCosh, "loss_log_cosh", (
    "Logarithm of the hyperbolic cosine of the error, `log(cosh(y_pred - y_true))`, mean over the last axis."))
loss_kl_divergence = _loss_constructor(KLDivergence, "loss_kl_divergence", (
    "Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))` over the last axis (both clipped\n"
    "    to [1e-7, 1])."))
loss_poisson = _loss_constructor(Poisson, "loss_poisson", (
    "Poisson loss `mean(y_pred - y_true * log(y_pred + 1e-7))` over the last axis."))
loss_cosine_similarity = _loss_constructor(CosineSimilarity, "loss_cosine_similarity", (
    "Negative cosine similarity between labels and predictions along `axis` (-1 for opposite\n"
    "    directions, 1 for the same; minimizing it aligns the predictions)."), _AXIS)
loss_hinge = _loss_constructor(Hinge, "loss_hinge", (
    "Hinge loss `mean(max(1 - y_true * y_pred, 0))`; labels 0/1 are converted to -1/1."))
loss_squared_hinge = _loss_constructor(SquaredHinge, "loss_squared_hinge", (
    "Squared hinge loss `mean(max(1 - y_true * y_pred, 0)^2)`; labels 0/1 are converted to -1/1."))
loss_categorical_hinge = _loss_constructor(CategoricalHinge, "loss_categorical_hinge", (
    "Categorical hinge loss `max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)` (one-hot\n"
    "    targets)."))
loss_mean_absolute_percentage_error = _loss_constructor(
    MeanAbsolutePercentageError, "loss_mean_absolute_percentage_error", (
        "Mean absolute percentage error `100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7))`."))
loss_mean_squared_logarithmic_error = _loss_constructor(
    MeanSquaredLogarithmicError, "loss_mean_squared_logarithmic_error", (
        "Mean squared logarithmic error `mean((log(y_pred + 1) - log(y_true + 1))^2)` (values below 1e-7\n"
        "    raised to 1e-7)."))
loss_binary_focal_crossentropy = _loss_constructor(BinaryFocalCrossentropy, "loss_binary_focal_crossentropy", (
    "Binary focal crossentropy (Lin et al., 2017): the binary crossentropy of each element multiplied\n"
    "    by `(1 - p_t)^gamma`, and with `apply_class_balancing` by `alpha` (positives) or `1 - alpha`."),
    "    apply_class_balancing : bool\n        Weight positives by `alpha` and negatives by `1 - alpha`.\n"
    "    alpha : float\n        In [0, 1]: the balancing weight of the positive class.\n"
    + _GAMMA + _FROM_LOGITS + _SMOOTHING + _AXIS)
loss_categorical_focal_crossentropy = _loss_constructor(
    CategoricalFocalCrossentropy, "loss_categorical_focal_crossentropy", (
        "Categorical focal crossentropy: `sum(alpha * (1 - p)^gamma * -y_true * log(p))` over the classes\n"
        "    (one-hot targets; predictions normalized to sum 1 and clipped, as Keras)."),
    "    alpha : float\n        >= 0: the weighting factor.\n" + _GAMMA + _FROM_LOGITS + _SMOOTHING + _AXIS)

for _cls, _fn in ((Huber, loss_huber), (LogCosh, loss_log_cosh), (KLDivergence, loss_kl_divergence),
                  (Poisson, loss_poisson), (CosineSimilarity, loss_cosine_similarity), (Hinge, loss_hinge),
                  (SquaredHinge, loss_squared_hinge), (CategoricalHinge, loss_categorical_hinge),
                  (MeanAbsolutePercentageError, loss_mean_absolute_percentage_error),
                  (MeanSquaredLogarithmicError, loss_mean_squared_logarithmic_error),
                  (BinaryFocalCrossentropy, loss_binary_focal_crossentropy),
                  (CategoricalFocalCrossentropy, loss_categorical_focal_crossentropy)):
    inherit_parameters(_cls, _fn)

_ALIASES.update({
    "huber": loss_huber, "huber_loss": loss_huber, "log_cosh": loss_log_cosh, "logcosh": loss_log_cosh,
    "kl_divergence": loss_kl_divergence, "kld": loss_kl_divergence, "kullback_leibler_divergence": loss_kl_divergence,
    "poisson": loss_poisson, "cosine_similarity": loss_cosine_similarity, "hinge": loss_hinge,
    "squared_hinge": loss_squared_hinge, "categorical_hinge": loss_categorical_hinge,
    "mape": loss_mean_absolute_percentage_error, "mean_absolute_percentage_error": loss_mean_absolute_percentage_error,
    "msle": loss_mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error": loss_mean_squared_logarithmic_error,
    "binary_focal_crossentropy": loss_binary_focal_crossentropy,
    "categorical_focal_crossentropy": loss_categorical_focal_crossentropy,
})
_CONSTRUCTORS = tuple(set(_ALIASES.values()))
