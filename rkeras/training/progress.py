"""Keras-style progress output: a bar per epoch (verbose=1), one line per epoch (2), nothing (0)."""

import sys
import time


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
    return " - ".join(f"{k}: {v:.4f}" for k, v in values.items())


class ProgressBar:
    """Prints the progress of one epoch of `total` steps."""

    width = 20

    def __init__(self, total: int, verbose: int, stream=None):
        self.total, self.verbose = total, verbose
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_print = 0.0

    def update(self, step: int, values: dict, final: bool = False) -> None:
        if self.verbose != 1:
            return
        now = time.perf_counter()
        if not final and now - self._last_print < 0.05:
            return
        self._last_print = now
        elapsed = now - self.start
        done = int(self.width * step / max(self.total, 1))
        bar = "━" * done + "─" * (self.width - done) if not final else "━" * self.width
        if final:
            timing = f"{_fmt_time(elapsed)} {_fmt_step(elapsed / max(step, 1))}"
        else:
            eta = elapsed / max(step, 1) * (self.total - step)
            timing = f"{_fmt_time(eta)} {_fmt_step(elapsed / max(step, 1))}"
        width = len(str(self.total))
        line = f"\r{step:>{width}}/{self.total} {bar} {timing}"
        if values:
            line += " - " + _fmt_values(values)
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()

    def finish(self, values: dict) -> None:
        if self.verbose == 1:
            self.update(self.total, values, final=True)
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self.start
            line = f"{self.total}/{self.total} - {_fmt_time(elapsed)} - {_fmt_step(elapsed / max(self.total, 1))}"
            if values:
                line += " - " + _fmt_values(values)
            self.stream.write(line + "\n")
            self.stream.flush()
