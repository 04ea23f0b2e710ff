"""Callbacks: hooks `fit()`, `evaluate()` and `predict()` call at train/epoch/batch boundaries.

Epoch and batch numbers are 1-based, as R keras3 passes them to R callbacks: the first epoch is
epoch 1 and the first batch of each epoch is batch 1.
"""

import csv
import math
import os
from numbers import Real

import numpy as np

from ..conventions import check_kwargs
from ..distribute import is_chief
from ..user_warnings import warn

__all__ = [
    "callback_csv_logger", "callback_early_stopping", "callback_history", "callback_lambda",
    "callback_learning_rate_scheduler", "callback_progbar_logger", "callback_reduce_lr_on_plateau",
    "callback_terminate_on_nan",
]


class Callback:
    """Base class: override any of the `on_*` methods; `self.model` and `self.params` are set by `fit()`.

    `epoch` and `batch` arguments are 1-based (R keras3); `logs` is a dict of the running or final
    loss and metrics.
    """

    model = None
    params = None

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass

    # Keras: the training-batch hooks default to the generic batch hooks
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


def as_callback_list(callbacks, arg="callbacks") -> list:
    """`callbacks` as a list: None, one callback, or a list/tuple of callbacks (checked, not copied)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"`{arg}` must be a callback or a list of callbacks (callback_*() objects); received "
                        f"{type(callbacks).__name__}.")
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"`{arg}[[{i + 1}]]` must be a callback (a callback_*() object or a Callback "
                            f"subclass); received {type(cb).__name__}.")
    return list(callbacks)


class CallbackList:
    """Calls one hook on every callback, in order (user callbacks first, then history and progress)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def call(self, hook, *args):
        if args and isinstance(args[-1], dict):
            # Keras hands every callback one copy of the logs, sorted by name (progress lines, history)
            args = args[:-1] + (dict(sorted(args[-1].items())),)
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


def _optimizer(model):
    state = getattr(model, "_compiled", None)
    if state is None:
        raise ValueError("This callback needs a compiled model (it changes the optimizer's learning rate).")
    return state.optimizer


def _auto_mode(monitor: str) -> str:
    name = monitor.removeprefix("val_")
    return "max" if any(k in name for k in ("acc", "auc", "precision", "recall", "f1", "fbeta", "r2",
                                             "iou")) else "min"


def _check_mode(mode):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"`mode` must be 'auto', 'min' or 'max'; received {mode!r}.")


def _check_count(value, arg):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) or value < 0 or \
            value != int(value):
        raise ValueError(f"`{arg}` must be a non-negative integer; received {value!r}.")
    return int(value)


class EarlyStopping(Callback):
    """Stop training when a monitored metric has stopped improving (Keras `EarlyStopping`)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        _check_mode(mode)
        if patience < 0:
            raise ValueError(f"`patience` must be >= 0; received {patience!r}.")
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = int(start_from_epoch)
        self.mode = _auto_mode(monitor) if mode == "auto" else mode
        self.min_delta = abs(float(min_delta)) * (1 if self.mode == "max" else -1)
        self.stopped_epoch = 0

    def _better(self, current, reference):
        if self.mode == "max":
            return current - self.min_delta > reference
        return current - self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0
        self.best = np.inf if self.mode == "min" else -np.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(f"EarlyStopping: `monitor` = {self.monitor!r} is not among the logged metrics "
                             f"{sorted(logs)}.")
        if epoch <= self.start_from_epoch:  # epochs are 1-based: the first `start_from_epoch` are skipped
            return
        current = logs[self.monitor]
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 1:  # Keras: `epoch > 0`, 0-based
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0 and is_chief():  # data parallel: rank 0 prints
            print(f"Epoch {self.stopped_epoch}: early stopping")


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` stops improving (Keras `ReduceLROnPlateau`)."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        if not isinstance(monitor, str):
            raise TypeError(f"`monitor` must be a metric name (string); received {monitor!r}.")
        if isinstance(factor, bool) or not isinstance(factor, Real) or not 0 <= factor < 1:
            raise ValueError(f"`factor` must be a number in [0, 1) (ReduceLROnPlateau does not support a "
                             f"factor >= 1); received {factor!r}.")
        _check_mode(mode)
        self.monitor, self.factor = monitor, float(factor)
        self.patience, self.cooldown = _check_count(patience, "patience"), _check_count(cooldown, "cooldown")
        self.verbose, self.mode = verbose, mode
        self.min_delta, self.min_lr = abs(float(min_delta)), float(min_lr)
        direction = _auto_mode(monitor) if mode == "auto" else mode
        self._sign = 1.0 if direction == "max" else -1.0
        self._reset()

    def _reset(self):
        self.best, self.cooldown_counter, self.wait = None, 0, 0

    def _is_improvement(self, current):
        if self.best is None:
            return True
        if self._sign > 0:
            return current - self.min_delta > self.best
        return current + self.min_delta < self.best

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = _optimizer(self.model)
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                 f"Available metrics are: {','.join(logs)}.")
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0 and is_chief():
                        print(f"\nEpoch {epoch}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch from `schedule(epoch, lr)` (epoch 1-based)."""

    def __init__(self, schedule, verbose=0):
        if not callable(schedule):
            raise TypeError(f"`schedule` must be a function(epoch, lr) returning the new learning rate; "
                            f"received {schedule!r}.")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = _optimizer(self.model)
        try:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # Keras' older form: schedule(epoch)
            lr = self.schedule(epoch)
        if isinstance(lr, np.ndarray) and lr.size == 1:
            lr = lr.item()
        if isinstance(lr, bool) or not isinstance(lr, (Real, np.floating, np.integer)):
            raise TypeError(f"The output of the `schedule` function should be a number; received {lr!r}.")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0 and is_chief():
            print(f"\nEpoch {epoch}: LearningRateScheduler setting learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(_optimizer(self.model).learning_rate)


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file (Keras `CSVLogger`; the `epoch` column is 1-based)."""

    def __init__(self, filename, separator=",", append=False):
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"`filename` must be a path (string); received {filename!r}.")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"`separator` must be a single character; received {separator!r}.")
        self.filename, self.sep, self.append = os.fspath(filename), separator, bool(append)
        self.keys, self.writer, self.csv_file = None, None, None

    def on_train_begin(self, logs=None):
        append_header = True
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        self._append_header = append_header
        if is_chief():  # data parallel: rank 0 writes
            self.csv_file = open(self.filename, mode, newline="")  # noqa: SIM115 - closed at on_train_end
        self.writer, self.keys = None, None

    def on_epoch_end(self, epoch, logs=None):
        if self.csv_file is None:
            return
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend(f"val_{k}" for k in list(self.keys))
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, delimiter=self.sep)
            if self._append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, logs.get(k, "NA")) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file, self.writer = None, None


class TerminateOnNaN(Callback):
    """Stop training after the batch whose loss is NaN or infinite (Keras `TerminateOnNaN`)."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            if is_chief():
                print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of plain functions (Keras `LambdaCallback`)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        check_kwargs(kwargs, _OTHER_HOOKS, "callback_lambda()", what="hook(s)",
                     accepted=f"the named ones and {', '.join(_OTHER_HOOKS)}")
        hooks.update(kwargs)
        for name, fn in hooks.items():  # all checked before any is set
            if fn is not None and not callable(fn):
                raise TypeError(f"`{name}` must be a function or None; received {fn!r}.")
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)


_OTHER_HOOKS = ("on_batch_begin", "on_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin",
                "on_test_batch_end", "on_predict_begin", "on_predict_end", "on_predict_batch_begin",
                "on_predict_batch_end")


def callback_early_stopping(monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                            baseline=None, restore_best_weights=False, start_from_epoch=0):
    """Stop training when `monitor` has not improved for `patience` epochs.

    Parameters
    ----------
    monitor : str
        Quantity to monitor, e.g. "val_loss" or "val_accuracy".
    min_delta : float
        Minimum change that counts as an improvement.
    patience : int
        Epochs without improvement after which training stops.
    verbose : int
        1 prints a message when training stops (under a data-parallel distribution, on rank 0 only).
    mode : str
        "min", "max" or "auto" (from the name of `monitor`).
    baseline : float, optional
        Training stops if the monitored value does not beat this baseline.
    restore_best_weights : bool
        Restore the weights of the best epoch when stopping.
    start_from_epoch : int
        Epochs to wait before starting to monitor.
    """
    return EarlyStopping(monitor, min_delta, patience, verbose, mode, baseline, restore_best_weights,
                         start_from_epoch)


def callback_lambda(on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                    on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
    """A callback from plain functions, e.g. `callback_lambda(on_epoch_end=lambda epoch, logs: ...)`.

    Epoch and batch numbers are 1-based, as in R keras3.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable, optional
        `f(epoch, logs)`, epoch 1-based.
    on_train_begin, on_train_end : callable, optional
        `f(logs)`.
    on_train_batch_begin, on_train_batch_end : callable, optional
        `f(batch, logs)`, batch 1-based within the epoch.
    **kwargs
        Other hooks by name (R's `...`): `on_batch_begin`, `on_batch_end`, `on_test_begin`,
        `on_test_end`, `on_test_batch_begin`, `on_test_batch_end`, `on_predict_begin`,
        `on_predict_end`, `on_predict_batch_begin`, `on_predict_batch_end`.
    """
    return LambdaCallback(on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
                          on_train_batch_end, **kwargs)


def callback_reduce_lr_on_plateau(monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                                  min_delta=1e-4, cooldown=0, min_lr=0.0):
    """Reduce the learning rate when a metric has stopped improving.

    After `patience` epochs (1-based epoch numbers, as R keras3) without an improvement of `monitor`,
    the learning rate becomes `max(learning_rate * factor, min_lr)`; then `cooldown` epochs pass
    before counting again. Each epoch's logs (and so the history) gain `learning_rate`.

    Parameters
    ----------
    monitor : str
        Quantity to monitor, e.g. "val_loss".
    factor : float
        In [0, 1): the factor by which the learning rate is reduced.
    patience : int
        Epochs without improvement after which the learning rate is reduced.
    verbose : int
        1 prints a message at each reduction.
    mode : str
        "min", "max" or "auto" (from the name of `monitor`).
    min_delta : float
        Threshold for measuring a new optimum.
    cooldown : int
        Epochs to wait after a reduction before resuming normal operation.
    min_lr : float
        Lower bound of the learning rate.
    """
    return ReduceLROnPlateau(monitor, factor, patience, verbose, mode, min_delta, cooldown, min_lr)


def callback_learning_rate_scheduler(schedule, verbose=0):
    """Set the learning rate at the beginning of each epoch from a function.

    Parameters
    ----------
    schedule : callable
        `schedule(epoch, lr)` returning the learning rate of the epoch about to start; `epoch` is
        1-based (as R keras3) and `lr` the current learning rate. Each epoch's logs gain
        `learning_rate`.
    verbose : int
        1 prints the learning rate set at each epoch.
    """
    return LearningRateScheduler(schedule, verbose)


def callback_csv_logger(filename, separator=",", append=False):
    """Stream the logs of each epoch to a CSV file.

    Columns: `epoch` (1-based, as R keras3), then the logged names sorted (with `val_` columns added
    when there is no validation, filled with `NA`), as Keras' `CSVLogger`.

    Parameters
    ----------
    filename : str
        Path of the CSV file.
    separator : str
        The field separator.
    append : bool
        Append to an existing file (its header kept) instead of overwriting it.
    """
    return CSVLogger(filename, separator, append)


def callback_terminate_on_nan():
    """Stop training after the first batch whose loss is NaN or infinite.

    The batch's update has been made; the epoch ends (validation and `on_epoch_end` included) and
    training stops, as Keras' `TerminateOnNaN`.
    """
    return TerminateOnNaN()


def callback_history():
    """The callback that records each epoch's logs; `fit()` adds one and returns it.

    Passing your own in `callbacks` makes `fit()` use (and return) that one.
    """
    from .history import History
    return History()


def callback_progbar_logger():
    """The callback that prints the progress bar (`verbose = 1`) or epoch lines (`verbose = 2`).

    `fit()` adds one when `verbose` is not 0.
    """
    from .progress import ProgbarLogger
    return ProgbarLogger()
