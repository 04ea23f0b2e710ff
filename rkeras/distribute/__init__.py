"""Data-parallel training. `current_reducer()` is how layers reach the active distribution."""

_active = []


def current_reducer():
    """The active distribution's reducer (all-reduce of statistics and gradients), or None."""
    return _active[-1] if _active else None
