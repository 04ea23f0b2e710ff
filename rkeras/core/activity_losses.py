"""Losses that layers add during a forward pass (Keras' `add_loss()` of an activity regularizer).

The trainer opens `collect()` around a model's forward pass; a layer that penalizes its activity
reports the penalty with `add()` and, in its backward, adds the penalty's gradient only when the
penalty was collected (its forward saw `collecting()` true). Outside a training or test step (an
eager call, `vjp()`) nothing is collected and such a layer is the identity for gradients too, so
`vjp()` stays the derivative of the outputs alone.
"""

import contextlib
import threading

_state = threading.local()


@contextlib.contextmanager
def collect():
    """Collect the penalties added during the block into the yielded list (floats)."""
    previous = getattr(_state, "losses", None)
    losses = []
    _state.losses = losses
    try:
        yield losses
    finally:
        _state.losses = previous


def collecting() -> bool:
    """Whether a `collect()` block is open (so a penalty added now counts in the loss)."""
    return getattr(_state, "losses", None) is not None


def add(value) -> None:
    """Add a penalty to the open `collect()` block (ignored outside one)."""
    losses = getattr(_state, "losses", None)
    if losses is not None:
        losses.append(float(value))
