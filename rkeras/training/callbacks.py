"""Callbacks: hooks `fit()` calls at train/epoch/batch boundaries (early stopping, lambda)."""

import numpy as np

from ..distribute import is_chief


class Callback:
    """Base class: override any of the `on_*` methods; `self.model` is set by `fit()`."""

    model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass


class EarlyStopping(Callback):
    """Stop training when a monitored metric has stopped improving (Keras `EarlyStopping`)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"`mode` must be 'auto', 'min' or 'max'; received {mode!r}.")
        if patience < 0:
            raise ValueError(f"`patience` must be >= 0; received {patience!r}.")
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = int(start_from_epoch)
        if mode == "auto":
            mode = "max" if any(k in monitor for k in ("acc", "auc", "precision", "recall")) else "min"
        self.mode = mode
        self.min_delta = abs(float(min_delta)) * (1 if mode == "max" else -1)
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
        if epoch < self.start_from_epoch:
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
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0 and is_chief():  # data parallel: rank 0 prints
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class LambdaCallback(Callback):
    """A callback made of plain functions (Keras `LambdaCallback`)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None):
        for name, fn in list(locals().items()):
            if name != "self" and fn is not None:
                if not callable(fn):
                    raise TypeError(f"`{name}` must be a function or None; received {fn!r}.")
                setattr(self, name, fn)


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
                    on_train_batch_begin=None, on_train_batch_end=None):
    """A callback from plain functions, e.g. `callback_lambda(on_epoch_end=lambda epoch, logs: ...)`.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable, optional
        `f(epoch, logs)`, epoch 0-based.
    on_train_begin, on_train_end : callable, optional
        `f(logs)`.
    on_train_batch_begin, on_train_batch_end : callable, optional
        `f(batch, logs)`.
    """
    return LambdaCallback(on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
                          on_train_batch_end)
