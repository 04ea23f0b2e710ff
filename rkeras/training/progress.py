"""Keras-style progress output: a bar per epoch (verbose=1), one line per epoch (2), nothing (0)."""

import sys
import time

from ..distribute import is_chief
from .callbacks import Callback


def resolve_verbose(verbose) -> int:
    """"auto" is 1 in a terminal and 2 otherwise (Keras' rule); 0, 1, 2 are kept."""
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 2
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2; received {verbose!r}.")
    return int(verbose)


def _fmt_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{round(seconds)}s"


def _fmt_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _fmt_values(values: dict) -> str:
    def fmt(v):
        if hasattr(v, "__len__"):  # a per-class metric
            return "[" + ", ".join(f"{x:.4f}" for x in v) + "]"
        return f"{v:.4f}"
    return " - ".join(f"{k}: {fmt(v)}" for k, v in values.items())


class ProgressBar:
    """Prints the progress of one epoch of `total` steps."""

    width = 20

    def __init__(self, total, verbose: int, stream=None):
        self.total, self.verbose = total, verbose
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_print = 0.0

    def update(self, step: int, values: dict, final: bool = False) -> None:
        if self.verbose != 1:
            return
        if self.total is None:  # a generator of unknown length: the steps so far
            total = step
        else:
            total = self.total
        now = time.perf_counter()
        if not final and now - self._last_print < 0.05:
            return
        self._last_print = now
        elapsed = now - self.start
        done = int(self.width * step / max(total, 1))
        bar = "━" * done + "─" * (self.width - done) if not final else "━" * self.width
        if final:
            timing = f"{_fmt_time(elapsed)} {_fmt_step(elapsed / max(step, 1))}"
        else:
            eta = elapsed / max(step, 1) * (total - step)
            timing = f"{_fmt_time(eta)} {_fmt_step(elapsed / max(step, 1))}"
        width = len(str(total))
        line = f"\r{step:>{width}}/{total} {bar} {timing}"
        if values:
            line += " - " + _fmt_values(values)
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()

    def finish(self, values: dict, steps=None) -> None:
        """The final line; `steps` is the number of steps run (default: all of them)."""
        steps = self.total if steps is None else steps
        if self.verbose == 1:
            self.update(steps, values, final=True)
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self.start
            line = f"{steps}/{steps} - {_fmt_time(elapsed)} - {_fmt_step(elapsed / max(steps, 1))}"
            if values:
                line += " - " + _fmt_values(values)
            self.stream.write(line + "\n")
            self.stream.flush()


class ProgbarLogger(Callback):
    """Prints the progress of `fit()`, `evaluate()` and `predict()` (Keras `ProgbarLogger`).

    `fit()` adds one when `verbose` is not 0; under a data-parallel distribution only rank 0 prints.
    """

    def __init__(self):
        self.verbose, self.epochs, self.steps = 1, 1, None
        self._bar, self._seen, self._in_fit = None, 0, False

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1) if is_chief() else 0
        self.epochs = params.get("epochs", 1)
        self.steps = params.get("steps")

    def _start(self, total):
        self._bar, self._seen = ProgressBar(total, self.verbose), 0

    def _batch(self, batch, logs):
        self._seen = batch
        self._bar.update(batch, logs or {})

    def _finish(self, logs):
        if self._bar is not None:
            self._bar.finish(logs or {}, steps=self._seen)
            self._bar = None

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose in (1, 2):
            print(f"Epoch {epoch}/{self.epochs}", flush=True)
        self._start(self.steps)

    def on_train_batch_end(self, batch, logs=None):
        self._batch(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._start(self.steps)

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._batch(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._start(self.steps)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch(batch, {})

    def on_predict_end(self, logs=None):
        self._finish({})
