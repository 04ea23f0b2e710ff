"""The object `fit()` returns: per-epoch metrics, the fit parameters, `plot()` and `as_data_frame()`."""

import numpy as np

from .callbacks import Callback

__all__ = [
    "as_data_frame", "plot",
]


class History(Callback):
    """`history.history` maps each metric (`loss`, `accuracy`, `val_loss`, ...) to its per-epoch list.

    A callback (Keras' `History`): `fit()` adds one to its callbacks and returns it. `epoch` holds
    the 1-based numbers of the epochs recorded; `params` the fit parameters (`epochs`, `steps`,
    `verbose`).
    """

    def __init__(self):
        self.params = {}
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    @property
    def metrics(self) -> dict:
        """The per-epoch lists by metric name (R's `history$metrics`; the same dict as `history`)."""
        return self.history

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.record(epoch, logs or {})
        if self.model is not None:
            self.model.history = self

    def record(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v) if np.ndim(v) == 0 else np.asarray(v))

    def plot(self, metrics=None, smooth=True, theme_bw=False, filename=None):
        """Plot the history (see `plot()`); returns the matplotlib figure.

        Parameters
        ----------
        metrics : list of str, optional
            Metric names to plot (default: every metric without the `val_` prefix).
        smooth : bool
            Add a smoothed curve (local linear fit) when there are at least 10 epochs.
        theme_bw : bool
            A white background with a grey grid (ggplot2's `theme_bw()`) instead of the grey panel.
        filename : str, optional
            Also write the figure to this file (PNG, SVG, ...).
        """
        return _plot_history(self, metrics, smooth, theme_bw, filename)

    def as_data_frame(self):
        """The history in long form, as R's `as.data.frame(history)` (see `as_data_frame()`)."""
        return as_data_frame(self)

    def __repr__(self):
        # as R keras3 prints a history: the final epoch's values, one per line
        if not self.epoch:
            return "<History: no epoch recorded>"
        width = max((len(k) for k in self.history), default=0)
        lines = [f"Final epoch ({len(self.epoch)} recorded; plot to see history):"]
        for k, v in self.history.items():
            value = v[-1]
            text = f"{value:.4g}" if np.ndim(value) == 0 else np.array2string(np.asarray(value), precision=4)
            lines.append(f"{k:>{width + 4}}: {text}")
        return "\n".join(lines)


def _metric_names(history, metrics):
    names = [k for k in history.history if not k.startswith("val_")]
    names.sort(key=lambda k: k != "loss")  # the loss panel first, as R keras3's plot
    if metrics is None:
        return names
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in metrics if m not in names]
    if unknown:
        raise ValueError(f"`metrics` names {unknown}, which the history does not hold; it holds {names}.")
    return metrics


def _loess(x, y, span=0.75):
    """A local linear fit with tricube weights (the smoother of ggplot2's `geom_smooth()` for few points)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    k = max(int(np.ceil(span * len(x))), 3)
    out = np.empty_like(y)
    for i, x0 in enumerate(x):
        d = np.abs(x - x0)
        h = np.sort(d)[k - 1] or 1.0
        w = np.clip(1 - (d / h) ** 3, 0, None) ** 3
        sw = w.sum(dtype=np.float64)
        mx, my = (w * x).sum(dtype=np.float64) / sw, (w * y).sum(dtype=np.float64) / sw
        vx = (w * (x - mx) ** 2).sum(dtype=np.float64)
        slope = (w * (x - mx) * (y - my)).sum(dtype=np.float64) / vx if vx > 0 else 0.0
        out[i] = my + slope * (x0 - mx)
    return out


def _plot_history(history, metrics, smooth, theme_bw, filename):
    try:
        import matplotlib
        if filename:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D
    except ImportError as err:  # optional extra
        raise ImportError("plot() needs matplotlib: pip install 'rkeras[plot]'.") from err
    names = _metric_names(history, metrics)
    if not history.epoch:
        raise ValueError("The history has no epoch to plot.")
    colours = {"training": "#F8766D", "validation": "#00BFC4"}  # ggplot2's two default hues
    fig, axes = plt.subplots(len(names), 1, figsize=(6.4, 2.4 * len(names) + 0.6), sharex=True, squeeze=False)
    epochs = list(history.epoch)
    for ax, name in zip(axes[:, 0], names):
        ax.set_facecolor("white" if theme_bw else "#EBEBEB")
        ax.grid(True, color="#D9D9D9" if theme_bw else "white", linewidth=0.8)
        ax.set_axisbelow(True)
        for data, key, style in (("training", name, "-"), ("validation", f"val_{name}", "--")):
            values = history.history.get(key)
            if values is None:
                continue
            x = epochs[-len(values):] if len(values) == len(epochs) else _validated_epochs(history, key)
            ax.plot(x, values, "o", color=colours[data], markersize=4, label=data)
            if smooth and len(values) >= 10:
                ax.plot(x, _loess(x, values), style, color=colours[data], linewidth=1.2)
            else:
                ax.plot(x, values, style, color=colours[data], linewidth=1.0)
        ax.set_ylabel(name)
        handles = [Line2D([], [], color=colours[d], marker="o", markersize=4, linestyle=st, label=d)
                   for d, st in (("training", "-"), ("validation", "--"))
                   if (name if d == "training" else f"val_{name}") in history.history]
        ax.legend(handles=handles, title="data", frameon=False)
    axes[-1, 0].set_xlabel("epoch")
    fig.tight_layout()
    if filename:
        fig.savefig(filename, dpi=100)
    return fig


def _validated_epochs(history, key):
    # validation_freq > 1: the validated epochs are the multiples of the frequency, as fit() runs them
    n = len(history.history[key])
    freq = len(history.epoch) // max(n, 1)
    return [e for e in history.epoch if e % freq == 0][:n] if freq > 1 else history.epoch[:n]


def plot(x, y=None, metrics=None, method="auto", smooth=True, theme_bw=False, filename=None):
    """Plot a training history: each metric per epoch, training solid and validation dashed.

    R keras3's `plot(history)`: one panel per metric (loss, accuracy, ...) against the epoch, with the
    training and validation values (colour by data, as its ggplot2 plot) drawn with matplotlib
    (`pip install 'rkeras[plot]'`).

    Parameters
    ----------
    x : History
        What `fit()` returned.
    y : None
        Unused (R's generic `plot(x, y)`).
    metrics : list of str, optional
        Metrics to plot (default: all).
    method : str
        "auto", "ggplot2" or "base": all draw with matplotlib ("base" without the grey panel).
    smooth : bool
        Add a smoothed curve when there are at least 10 epochs.
    theme_bw : bool
        A white panel with a grey grid.
    filename : str, optional
        Also write the figure to this file (PNG, SVG, ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(x, History):
        raise TypeError(f"plot() draws a training history (what fit() returns); received {type(x).__name__}.")
    if y is not None:
        raise ValueError("`y` is not used when plotting a history; leave it None.")
    if method not in ("auto", "ggplot2", "base"):
        raise ValueError(f"`method` must be 'auto', 'ggplot2' or 'base'; received {method!r}.")
    return _plot_history(x, metrics, smooth, theme_bw or method == "base", filename)


def as_data_frame(x):
    """A training history in long form: one row per epoch, metric and data (training or validation).

    As R's `as.data.frame(history)`: columns `epoch` (1-based), `value`, `metric` (e.g. "loss") and
    `data` ("training" or "validation"). A pandas DataFrame when pandas is installed, else a dict of
    column lists.

    Parameters
    ----------
    x : History
        What `fit()` returned.
    """
    if not isinstance(x, History):
        raise TypeError(f"as_data_frame() takes a training history; received {type(x).__name__}.")
    cols = {"epoch": [], "value": [], "metric": [], "data": []}
    for key, values in x.history.items():
        validation = key.startswith("val_")
        metric = key[4:] if validation else key
        epochs = x.epoch if len(values) == len(x.epoch) else _validated_epochs(x, key)
        for e, v in zip(epochs, values):
            cols["epoch"].append(e)
            cols["value"].append(v)
            cols["metric"].append(metric)
            cols["data"].append("validation" if validation else "training")
    try:
        import pandas as pd
    except ImportError:
        return cols
    return pd.DataFrame(cols)
