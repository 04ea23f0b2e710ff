"""A training step as a transaction: its state changes are staged, then committed together or not at all.

Inside `state_transaction()`, a `Variable.assign` records the new array instead of writing it
(`Variable.value` reads the pending array, so a layer called twice in one step sees its own update),
the optimizer computes on copies of the weights and of its slots, and `on_commit` queues the
remaining assignments (slot tables, the iteration counter). When the block ends normally,
`commit()` writes every staged array in with SIGINT deferred: a Ctrl-C during the commit is held and
raised as `KeyboardInterrupt` right after it, so an interrupt at any moment leaves the state of the
last completed step. An exception (or an interrupt) before the commit discards everything staged.

The commit copies each staged array into the variable's own array rather than swapping references: a
variable keeps one array for its whole life, so whoever holds `variable.value` (a kernel's cache, a
test, a read-only view from `np.asarray`) sees the committed state. The copy costs one pass over the
weights per step. (The optimizer's slots are its own: its commit action replaces them, no copy.)
"""

import signal
import threading
from contextlib import contextmanager

import numpy as np

__all__ = ["StateTransaction", "current_transaction", "sigint_deferred", "state_transaction"]

_local = threading.local()  # the open transaction of this thread


def current_transaction():
    """The transaction open in this thread, or None."""
    return getattr(_local, "transaction", None)


class StateTransaction:
    """Staged variable values and commit actions of one step (see the module docstring)."""

    __slots__ = ("_actions", "_values", "pending_slots")

    def __init__(self):
        self._values = {}  # id(variable) -> (variable, new array)
        self._actions = []  # callables run at commit, in order: plain assignments that cannot fail
        self.pending_slots = {}  # optimizers' staged slot dicts, by (kind, id(variable))

    def stage(self, variable, array) -> None:
        """Record `array` (owned by the transaction from now on) as `variable`'s value at commit."""
        self._values[id(variable)] = (variable, array)

    def pending(self, variable):
        """The staged array of `variable`, or None."""
        entry = self._values.get(id(variable))
        return None if entry is None else entry[1]

    def writable(self, variable):
        """A staged copy of `variable`'s value that the caller may update in place (made at first use)."""
        entry = self._values.get(id(variable))
        if entry is None:
            entry = (variable, variable._value.copy())
            self._values[id(variable)] = entry
        return entry[1]

    def on_commit(self, action) -> None:
        """Queue `action()` (an assignment that cannot fail) to run during the commit."""
        self._actions.append(action)

    def commit(self) -> None:
        """Copy every staged array in and run the queued actions, with SIGINT deferred."""
        if not self._values and not self._actions:
            return
        with sigint_deferred():
            for variable, array in self._values.values():
                np.copyto(variable._value, array, casting="unsafe")
            for action in self._actions:
                action()
        self._values = {}
        self._actions = []
        self.pending_slots = {}


@contextmanager
def state_transaction():
    """Open a transaction for the block (or join the one already open): commit at a normal exit only."""
    outer = current_transaction()
    if outer is not None:  # a nested step (vjp inside a custom loop's own step) joins the outer one
        yield outer
        return
    transaction = StateTransaction()
    _local.transaction = transaction
    try:
        yield transaction
    except BaseException:
        _local.transaction = None
        raise
    _local.transaction = None
    transaction.commit()


@contextmanager
def sigint_deferred():
    """Hold SIGINT for the block and raise it (as the previous handler would) right after.

    Only the main thread can change signal handlers; elsewhere the block runs as is (Python runs
    signal handlers in the main thread only, so another thread's block is never interrupted by one).
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield  # (None: a handler installed outside Python, which could not be put back)
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous):
                previous(signal.SIGINT, received[0])
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)
