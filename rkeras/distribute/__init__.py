"""Distribution strategies and their collectives. `current_strategy()` is how the trainer reaches the
active one, `current_reducer()` how layers reach its collectives.

The public functions live in `rkeras.distribute.data_parallel` (`distribution_data_parallel()`,
`set_distribution()`); the protocol a training step uses is `strategy.Strategy` (one process, the
identity). This module only holds the active distribution, so that importing it costs nothing (mpi4py
is imported when a distribution is created, never before). Nothing here imports the trainer.
"""

from .strategy import IDENTITY

_global = [None]  # set_distribution(d)
_active = []      # `with d:` blocks, innermost last


def current_reducer():
    """The active distribution's reducer (all-reduce of statistics and gradients), or None.

    A `with d:` block takes precedence over the distribution installed by `set_distribution(d)`.
    """
    if _active:
        return _active[-1]
    return _global[0]


def current_strategy():
    """The strategy a training step runs under: the active distribution when it has several replicas,
    else the identity strategy (one process; a distribution of one rank trains exactly as none)."""
    reducer = current_reducer()
    return IDENTITY if reducer is None or reducer.size <= 1 else reducer


def current_batch_rows():
    """(n, start, stop) while a data-parallel step runs this rank's rows [start, stop) of a global batch of
    n samples, else None. Random layers use it to draw for the global batch and keep their rows, so
    that N ranks draw what one process would (dropout masks differ across the ranks' shares)."""
    reducer = current_reducer()
    return None if reducer is None else getattr(reducer, "step_rows", None)


def is_chief():
    """True unless a data-parallel distribution is active and this process is not its rank 0: the
    process that prints progress and messages."""
    return getattr(current_reducer(), "is_chief", True)
