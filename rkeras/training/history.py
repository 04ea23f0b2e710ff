"""The object `fit()` returns: per-epoch metrics, the fit parameters, and a plot."""

from .callbacks import Callback


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

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.record(epoch, logs or {})
        if self.model is not None:
            self.model.history = self

    def record(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))

    def plot(self, metrics=None, filename=None):
        """Plot each metric (and its `val_` twin) against the epoch with matplotlib (optional extra).

        Parameters
        ----------
        metrics : list of str, optional
            Metric names to plot (default: every metric without the `val_` prefix).
        filename : str, optional
            Write the figure to this file (PNG, SVG, ...) instead of only returning it.

        Returns
        -------
        matplotlib.figure.Figure
        """
        try:
            import matplotlib
            matplotlib.use("Agg") if filename else None
            import matplotlib.pyplot as plt
        except ImportError as err:  # optional extra
            raise ImportError("History.plot() needs matplotlib: pip install 'rkeras[plot]'.") from err
        names = metrics or [k for k in self.history if not k.startswith("val_")]
        fig, axes = plt.subplots(len(names), 1, figsize=(6, 2.6 * len(names)), sharex=True, squeeze=False)
        epochs = list(self.epoch)
        for ax, name in zip(axes[:, 0], names):
            ax.plot(epochs, self.history[name], "o-", label="training")
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], "o-", label="validation")
            ax.set_ylabel(name)
            ax.legend()
        axes[-1, 0].set_xlabel("epoch")
        fig.tight_layout()
        if filename:
            fig.savefig(filename, dpi=100)
        return fig

    def __repr__(self):
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        return f"<History epochs={len(self.epoch)} final={last}>"
