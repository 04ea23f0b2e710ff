"""What a training step asks of a distribution strategy; one process is the identity strategy.

The trainer runs one step function for every strategy (`rkeras.training.step`): the strategy says
which rows of a global batch this replica takes (`rows`), what share of the global loss a replica's
loss is (`loss_share`), and reduces, once per step, everything the replicas must agree on
(`reduce_step`: the loss values, the predictions, the weight gradients, and the statistics that layers
declare with `Layer.replica_statistics`). Layers that need the global batch inside their own forward or
backward pass (synchronized batch normalization) call the active distribution's collectives
(`combine_moments`, `sum_arrays`). `Strategy` itself is one process: every row is its own, its share
of the loss is all of it, and its reductions give back what they are given, so a step under it is
exactly the single-process step. `DataParallel` (MPI) overrides these methods.

This module imports nothing of the trainer: a step's values travel in a `StepValues`.
"""

import contextlib
from dataclasses import dataclass, field

__all__ = ["IDENTITY", "StepValues", "Strategy"]


@dataclass
class StepValues:
    """What one replica's step computed, before the strategy's reduction (and, after it, the reduced
    values of the global batch, in place).

    `parts`: each output's loss (None for an output without a loss), already scaled by the replica's
    share; `added` and `activity`: the sums of the losses added by `add_loss()` and of the activity
    penalties; `predictions`: this replica's outputs (after reduction: the global batch's);
    `gradients`: the loss gradient of each compiled variable (None in a test step); `statistics`: a
    callable giving the variables layers declared for averaging (`Layer.replica_statistics`), called
    only by a strategy that averages them."""

    parts: list
    added: float
    activity: float
    predictions: list
    gradients: list = None
    statistics: object = field(default=None, repr=False)


class Strategy:
    """One process: the identity strategy (see the module docstring)."""

    rank = 0
    size = 1
    is_chief = True
    step_rows = None  # (n, start, stop) while a sharded step runs, see distribute.current_batch_rows()

    @property
    def num_replicas(self) -> int:
        return self.size

    def rows(self, n):
        """Rows [start, stop) of a global batch of `n` samples that this replica takes."""
        return 0, n

    def loss_share(self, loss, n_local, n) -> float:
        """The factor of this replica's loss in the loss of the global batch (1 for one process)."""
        return 1.0

    def check_supported(self, losses, sample_weight) -> None:
        """Refuse, before a step, what the strategy cannot split over replicas (one process: nothing)."""

    def sharding(self, n, start, stop):
        """A context for the forward pass of a replica's rows [start, stop) of a batch of `n` samples."""
        return contextlib.nullcontext()

    def run_step(self, step, model, state, x, y, training, sample_weight=None):
        """Run `step(model, state, x, y, training, sample_weight, strategy)`, the trainer's one step."""
        return step(model, state, x, y, training, sample_weight, self)

    def reduce_step(self, values: StepValues, n, start, stop, training) -> StepValues:
        """Combine the replicas' `values` into the global batch's (one process: they are)."""
        return values

    def run_predict(self, predict, model, state, *args):
        """Run `predict(*args)` (this replica's share of a prediction)."""
        return predict(*args)

    def gather(self, arrays: list) -> list:
        """The replicas' outputs concatenated along the batch, in rank order (one process: its own)."""
        return arrays


IDENTITY = Strategy()
