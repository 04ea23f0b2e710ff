"""Checkpoint callbacks: `callback_model_checkpoint()` and `callback_backup_and_restore()`.

Epochs are counted here, not read from the `epoch` argument of the hooks: a run starts at `fit()`'s
`initial_epoch` (or at the epoch a restored backup reached), and each `on_epoch_end` completes one, so
the count is right whether the loop numbers epochs from 0 or (as R keras3) from 1.
"""

import json
import os
import shutil

import numpy as np

from .. import random as rk_random
from ..distribute import is_chief
from ..saving import keras_file, model_io, weights_h5
from .callbacks import Callback

__all__ = [
    "callback_backup_and_restore", "callback_model_checkpoint",
]

_STATE = "training_state.json"


def _epochs_done_at_start(model) -> int:
    return int(getattr(model, "_fit_initial_epoch", 0) or 0)


class ModelCheckpoint(Callback):
    """Save the model (or its weights) every epoch or every `save_freq` batches (Keras `ModelCheckpoint`)."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        filepath = os.fspath(filepath) if isinstance(filepath, (str, os.PathLike)) else filepath
        if not isinstance(filepath, str) or not filepath:
            raise TypeError(f"`filepath` must be a file path (string); received {filepath!r}.")
        suffix = ".weights.h5" if save_weights_only else ".keras"
        if not filepath.endswith(suffix):
            raise ValueError(f"`filepath` must end with '{suffix}' when `save_weights_only` = "
                             f"{'TRUE' if save_weights_only else 'FALSE'}; received {filepath!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"`mode` must be 'auto', 'min' or 'max'; received {mode!r}.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, (int, np.integer))
                                     or save_freq < 1):
            raise ValueError(f"`save_freq` must be 'epoch' or a positive integer (batches); received {save_freq!r}.")
        if not isinstance(monitor, str):
            raise TypeError(f"`monitor` must be a string; received {monitor!r}.")
        if mode == "auto":
            mode = "max" if monitor.endswith(("acc", "accuracy", "auc", "precision", "recall")) or \
                monitor.startswith("fmeasure") else "min"
        self.filepath, self.monitor, self.verbose = filepath, monitor, int(verbose)
        self.save_best_only, self.save_weights_only = bool(save_best_only), bool(save_weights_only)
        self.mode, self.save_freq = mode, save_freq
        if initial_value_threshold is not None:
            self.best = float(initial_value_threshold)
        else:
            self.best = np.inf if mode == "min" else -np.inf
        self._batches = 0

    def on_train_begin(self, logs=None):
        self._epoch = _epochs_done_at_start(self.model)
        self._batches = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_batch = 0

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches += 1
        self._epoch_batch = getattr(self, "_epoch_batch", 0) + 1
        if self._batches % int(self.save_freq) == 0:
            self._save(self._epoch + 1, logs or {}, batch=self._epoch_batch)

    def on_epoch_end(self, epoch, logs=None):
        self._epoch += 1
        if self.save_freq == "epoch":
            self._save(self._epoch, logs or {})

    def _improved(self, current) -> bool:
        return current < self.best if self.mode == "min" else current > self.best

    def _save(self, epoch: int, logs: dict, batch=None) -> None:
        try:
            path = self.filepath.format(epoch=epoch, batch=batch, **logs)
        except (KeyError, IndexError, ValueError) as err:
            raise ValueError(f"`filepath` {self.filepath!r} could not be formatted with epoch = {epoch} and the "
                             f"logs {sorted(logs)}: {err}.") from err
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                import warnings
                warnings.warn(f"ModelCheckpoint: `monitor` = {self.monitor!r} is not among the logs "
                              f"{sorted(logs)}; nothing saved.", UserWarning, stacklevel=3)
                return
            if not self._improved(float(current)):
                if self.verbose and is_chief():
                    print(f"Epoch {epoch}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose and is_chief():
                print(f"Epoch {epoch}: {self.monitor} improved from {self.best:.5f} to {float(current):.5f}, "
                      f"saving model to {path}")
            self.best = float(current)
        elif self.verbose and is_chief():
            print(f"Epoch {epoch}: saving model to {path}")
        if not is_chief():  # data parallel: one writer
            return
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            model_io.save_weights(self.model, path, overwrite=True)
        else:
            model_io.save_model(self.model, path, overwrite=True)


class BackupAndRestore(Callback):
    """Back up the training state at each epoch's end; a restarted `fit()` resumes from the last backup.

    The backup is one file written atomically (weights, optimizer state, the number of epochs done and
    the random states of shuffling and dropout), so a process killed at any point leaves the previous
    backup whole, and the restarted run ends with the weights of an uninterrupted one.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        backup_dir = os.fspath(backup_dir) if isinstance(backup_dir, (str, os.PathLike)) else backup_dir
        if not isinstance(backup_dir, str) or not backup_dir:
            raise TypeError(f"`backup_dir` must be a folder path (string); received {backup_dir!r}.")
        if save_freq != "epoch":
            raise ValueError(f"`save_freq` must be 'epoch' (backups at epoch ends; batch-level backups are not "
                             f"supported by rkeras); received {save_freq!r}.")
        self.backup_dir, self.save_freq = backup_dir, save_freq
        self.double_checkpoint, self.delete_checkpoint = bool(double_checkpoint), bool(delete_checkpoint)
        self._paths = [os.path.join(backup_dir, "latest.backup")]
        if self.double_checkpoint:
            self._paths.append(os.path.join(backup_dir, "previous.backup"))

    def on_train_begin(self, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        self._epoch = _epochs_done_at_start(self.model)
        for candidate in self._paths:
            if os.path.exists(candidate):
                try:
                    self._restore(candidate)
                    return
                except ValueError:
                    if candidate == self._paths[-1]:
                        raise

    def on_epoch_end(self, epoch, logs=None):
        self._epoch += 1
        if is_chief():
            self._backup()

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and is_chief() and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)

    def _backup(self) -> None:
        model = self.model
        state = {"epoch": self._epoch,
                 "global_rng": rk_random.global_generator().bit_generator.state,
                 "fit_rng": model._fit_generator.bit_generator.state if getattr(model, "_fit_generator", None)
                 is not None else None,
                 "layer_rngs": {path: gen.bit_generator.state for path, gen in _layer_generators(model)}}
        weights = keras_file.h5_bytes(lambda h5: weights_h5.write_weights(h5, model))
        text = json.dumps(state, default=int)
        if self.double_checkpoint and os.path.exists(self._paths[0]):
            os.replace(self._paths[0], self._paths[1])
        keras_file.write_keras_zip(self._paths[0], {"training_state": json.loads(text)}, weights)

    def _restore(self, path) -> None:
        config, _, weights = keras_file.read_keras_zip(path)
        state = config.get("training_state")
        if not isinstance(state, dict) or not isinstance(state.get("epoch"), int) or state["epoch"] < 0:
            raise ValueError(f"{path!r} is not a backup written by callback_backup_and_restore().")
        with keras_file.open_h5_bytes(weights, path) as h5:
            weights_h5.read_weights(h5, self.model)
        _set_rng(rk_random.global_generator(), state.get("global_rng"))
        if getattr(self.model, "_fit_generator", None) is not None:
            _set_rng(self.model._fit_generator, state.get("fit_rng"))
        saved = state.get("layer_rngs") or {}
        for layer_path, gen in _layer_generators(self.model):
            _set_rng(gen, saved.get(layer_path))
        self._epoch = state["epoch"]
        self.model._initial_epoch = state["epoch"]


def _layer_generators(model) -> list:
    """(path, generator) of the layers that draw random numbers (dropout masks) during training."""
    return [(path or "/", layer._generator) for path, layer in weights_h5.layer_paths(model)
            if isinstance(getattr(layer, "_generator", None), np.random.Generator)]


def _set_rng(generator, state) -> None:
    if not isinstance(state, dict) or state.get("bit_generator") != type(generator.bit_generator).__name__:
        return
    generator.bit_generator.state = state


def callback_model_checkpoint(filepath, monitor="val_loss", verbose=0, save_best_only=False,
                              save_weights_only=False, mode="auto", save_freq="epoch",
                              initial_value_threshold=None):
    """Save the model or its weights at some frequency, e.g. the best one so far.

    Parameters
    ----------
    filepath : str
        Where to save: a `.keras` path (or `.weights.h5` with `save_weights_only`), which may hold
        fields filled at save time, e.g. `"model-{epoch:02d}-{val_loss:.2f}.keras"` (`epoch` counts
        from 1; any key of the logs).
    monitor : str
        The logged value that `save_best_only` watches, e.g. "val_loss" or "val_accuracy".
    verbose : int
        1 prints a line at each save.
    save_best_only : bool
        Save only when `monitor` improves on the best value so far.
    save_weights_only : bool
        Save only the weights (`save_model_weights()`) instead of the whole model (`save_model()`).
    mode : str
        "min", "max" or "auto" (max for accuracy-like names, else min).
    save_freq : str or int
        "epoch" (at each epoch's end) or a number of batches between saves.
    initial_value_threshold : float, optional
        With `save_best_only`, the value `monitor` must beat for the first save.

    Returns
    -------
    A callback for `fit(callbacks = list(...))`.
    """
    return ModelCheckpoint(filepath, monitor, verbose, save_best_only, save_weights_only, mode, save_freq,
                           initial_value_threshold)


def callback_backup_and_restore(backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
    """Back up the training state so that a killed `fit()` resumes where it stopped.

    At each epoch's end the weights, the optimizer state, the epoch count and the random states
    (shuffling, dropout) are written atomically to `backup_dir`. A later `fit()` with the same callback
    (after the process was killed, at any point) restores them and trains the remaining epochs, ending
    with the weights of an uninterrupted run (call `set_random_seed()` at the start of both runs).

    Parameters
    ----------
    backup_dir : str
        Folder of the backup (created if needed). Use one folder per training run.
    save_freq : str
        Only "epoch".
    double_checkpoint : bool
        Keep the previous backup too, used if the latest cannot be read.
    delete_checkpoint : bool
        Delete the backup once training completes.

    Returns
    -------
    A callback for `fit(callbacks = list(...))`.
    """
    return BackupAndRestore(backup_dir, save_freq, double_checkpoint, delete_checkpoint)
