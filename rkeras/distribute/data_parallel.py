"""Data-parallel training over MPI, in the style of Keras 3's `keras.distribution.DataParallel`.

Run the same script on N processes (`mpiexec -n N python train.py`): every rank builds the same
model and passes the same `x`, `y` to `fit()`, `evaluate()`, `predict()` or `train_on_batch()`. Each
global batch is cut into N contiguous shares (rank r takes rows `r * n // N` to `(r + 1) * n // N`),
every rank runs forward and backward on its share, and one all-reduce per step sums

- the weight gradients, each rank's loss gradient being scaled by its share of the batch (`n_r / n`
  for the mean reductions, 1 for `reduction = "sum"`), so the sum is the gradient of the loss of
  the global batch;
- the loss values (weighted the same way) and the predictions (each rank fills its own rows), so
  the loss and metrics are those of the global batch, identical on every rank;
- the moving statistics of batch normalization layers with `synchronized = FALSE` (averaged, so
  the replicas stay identical).

Every rank then applies the same update, so the weights stay identical. Batch normalization with
`synchronized = TRUE` also combines the per-rank (count, mean, M2) of its batch statistics with
Chan's formula in the forward pass (`combine_moments`) and all-reduces the two per-channel sums its
input gradient needs in the backward pass (`sum_arrays`): N ranks then compute what one process
computes on the global batch.

A rank that raises inside a training step, or lets an exception escape, aborts every rank
(`MPI_Abort`) with a message naming it: the others would otherwise wait forever in the next
collective. Each collective also has a timeout (`timeout`, seconds) after which the job is aborted.

Every collective is preceded by a header exchange (an all-gather of: operation, step, size), so ranks
that enter different operations (a chief-only `evaluate()`, ranks running different epoch counts, a
rank that caught its error and went on) are told apart and the job ends with a message naming each
rank's operation and step, instead of MPI reducing mismatched buffers or failing with "Message
truncated". Collectives are non-blocking and polled; while waiting, a rank also watches for a
"goodbye" from the others: a rank whose script ends (normally, or by `sys.exit()`) sends one to every
other rank at exit, and one that receives it while it still waits in a collective aborts the job,
naming the rank that left and its last step. SIGTERM aborts the job with a message too.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import weakref
import zlib

import numpy as np

from ..core.layer import all_layers
from ..kernels.moments import combine_part_moments
from . import _active, _global
from .strategy import StepValues, Strategy

__all__ = ["DataParallel", "distribution_data_parallel", "set_distribution"]

INSTALL_HINT = "pip install 'rkeras[mpi]'"


def _import_mpi():
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError, OSError) as err:  # no mpi4py, or mpi4py without an MPI library
        raise ImportError(
            f"Data-parallel training needs mpi4py and an MPI library, which are not available "
            f"({type(err).__name__}: {err}). Install them with: {INSTALL_HINT}   (installs mpi4py and "
            f"mpich; then run the script with `mpiexec -n 2 python script.py`).") from err
    return MPI


# --------------------------------------------------------------------------------------------- public
def distribution_data_parallel(devices=None, comm=None, timeout=300.0):
    """Data-parallel distribution over the processes of an MPI job (Keras' `DataParallel`).

    Every process (rank) of `mpiexec -n N python script.py` holds a full replica of the model. Under
    the distribution (installed with `set_distribution(d)` or for a block with `with d:`),
    `fit()`, `train_on_batch()`, `evaluate()` and `test_on_batch()` split each global batch into N
    contiguous shares (rank r takes rows `r * n %/% N` to `(r + 1) * n %/% N`; a batch that does not
    divide evenly still counts every sample once), sum the gradients weighted so the result is the
    gradient of the mean loss over the global batch, and apply the same update on every rank: the
    weights stay identical. Loss, metrics and `History` are those of the global batch, the same on
    every rank; progress is printed by rank 0 only. `predict()` and `predict_on_batch()` share the
    samples out and gather the outputs in order. Batch normalization layers with
    `synchronized = TRUE` normalize with the statistics of the global batch (exactly as one process
    would); with `synchronized = FALSE` each rank normalizes with its own statistics and the moving
    statistics are averaged after each step.
    Dropout draws the mask of the whole global batch on every rank and applies its rows, so the shares
    get different masks and training matches one process.

    All ranks must run the same script on the same data: at the start of each `fit()` (and at the
    first `evaluate()`, `predict()` or `*_on_batch()` call of a model) the ranks compare a
    fingerprint of the model (layer types and weight shapes) and of the first batch, raise the same
    error on every rank if they differ, and copy the weights of rank 0 to the others. A rank that
    raises inside a training step, or lets an exception escape, aborts the whole job with a message
    naming the rank (the others would otherwise wait forever); a collective that does not complete
    within `timeout` seconds aborts the job too. Every collective first compares its operation, step
    and size across the ranks, so ranks that fall out of step (a chief-only `evaluate()`, different
    epoch counts) end the job with a message naming each rank's operation and step; a rank that
    leaves (its script ends, `sys.exit()`, SIGTERM) ends the others at once, with a message naming it.

    Without `mpiexec` the script runs as one process (N = 1) and training is exactly the same as
    without a distribution. With N > 1 on one machine, each rank uses `cores %/% N` Numba threads
    and, if threadpoolctl is installed, as many BLAS threads for numpy's matrix products, so that the
    ranks do not oversubscribe the cores (the environment variables `NUMBA_NUM_THREADS`,
    `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS` and `MKL_NUM_THREADS` win when set).

    Parameters
    ----------
    devices : None or int
        The replicas: `None` (all the ranks of `comm`) or their number, which must equal the number of
        ranks (one replica per MPI process; Keras' list of devices has no other meaning here).
    comm : mpi4py communicator, optional
        The communicator of the ranks that train together (default `MPI.COMM_WORLD`).
    timeout : float or None
        Seconds a rank waits in one collective operation before the job is aborted with a message
        (a rank stuck or gone); `None` waits forever.

    Returns
    -------
    A `DataParallel` distribution: `rank`, `size`, `is_chief` (rank 0), `shard(x)` (this rank's share
    of a batch), `allreduce_sum(a)`, `allgather(a)` (concatenation in rank order), `barrier()`,
    `scope()`, and `comm_seconds` / `comm_calls` (time spent in, and number of, collective
    operations); use it with `set_distribution()` or `with`.

    Raises
    ------
    ImportError
        If mpi4py (or an MPI library) is not installed: `pip install 'rkeras[mpi]'`.

    Examples
    --------
    >>> # train.py; run it with `mpiexec -n 2 python train.py` (plain `python train.py`: one process)
    >>> try:
    ...     strategy = distribution_data_parallel()
    ... except ImportError:  # mpi4py is missing: pip install 'rkeras[mpi]'
    ...     strategy = None
    >>> set_distribution(strategy)
    >>> model = (keras_model_sequential(input_shape=(4,)) | layer_dense(units=8, use_bias=False)
    ...          | layer_batch_normalization(synchronized=True) | layer_dense(units=1))
    >>> model = model | compile(optimizer="sgd", loss="mse")
    >>> x = np.random.default_rng(0).normal(size=(64, 4))
    >>> y = x.sum(axis=1, keepdims=True)
    >>> history = model | fit(x, y, batch_size=16, epochs=2, verbose=0)  # 8 samples per rank and step
    >>> set_distribution(None)
    """
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float, np.integer, np.floating)) \
                or not timeout > 0:
            raise ValueError(f"`timeout` must be a positive number of seconds or None; received {timeout!r}.")
        timeout = float(timeout)
    if devices is not None and (isinstance(devices, bool) or not isinstance(devices, (int, np.integer))):
        raise TypeError(f"`devices` must be None (all MPI ranks) or the number of ranks; received "
                        f"{devices!r}. Each MPI process is one replica: choose them with `mpiexec -n N`.")
    MPI = _import_mpi()
    if comm is None:
        comm = MPI.COMM_WORLD
    dist = DataParallel(comm, timeout, MPI)
    if devices is not None and int(devices) != dist.size:
        raise ValueError(f"`devices` = {devices} but the job has {dist.size} MPI rank(s): each MPI process "
                         f"is one replica; run with `mpiexec -n {devices} python script.py` or pass "
                         f"devices = None.")
    return dist


def set_distribution(value):
    """Install a distribution for everything that follows (Keras' `set_distribution()`).

    Parameters
    ----------
    value : DataParallel or None
        A distribution from `distribution_data_parallel()`, or `None` to remove the installed one.
        A `with d:` block takes precedence over the installed distribution while it runs.

    Returns
    -------
    None, invisibly (R style).

    Notes
    -----
    Installing a distribution is collective (every rank must do it): rank 0's state of the
    package-wide random generator is copied to the other ranks, so unseeded initializers and the
    shuffling of `fit()` draw the same numbers on every rank.

    Examples
    --------
    >>> try:
    ...     strategy = distribution_data_parallel()
    ... except ImportError:  # mpi4py is missing: pip install 'rkeras[mpi]'
    ...     strategy = None
    >>> set_distribution(strategy)  # fit(), evaluate(), predict() now split each batch over the ranks
    >>> set_distribution(None)      # back to one process
    """
    if value is not None and not isinstance(value, DataParallel):
        raise TypeError(f"`value` must be a distribution from distribution_data_parallel() or None; "
                        f"received {type(value).__name__}.")
    if value is not None:
        value._sync_random_state()
    _global[0] = value


# --------------------------------------------------------------------------------------------- errors
def _describe(fp) -> str:
    return f"{int(fp[1])} layers, {int(fp[2])} weights, {int(fp[3]):,} parameters"


class _Watchdog(threading.Thread):
    """Aborts the job when a collective of the main thread has not completed by its deadline."""

    def __init__(self, dist):
        super().__init__(name="rkeras-mpi-watchdog", daemon=True)
        self._dist = weakref.ref(dist)
        self.period = min(1.0, dist.timeout / 10)

    def run(self):
        while True:
            time.sleep(self.period)
            dist = self._dist()
            if dist is None:
                return
            deadline, what = dist._deadline, dist._what
            if deadline is not None and time.monotonic() > deadline:
                dist.abort(f"timed out after {dist.timeout:g} s waiting for the other ranks in {what} (step "
                           f"{dist.step}): a rank is stuck, has failed, or is running a different sequence of "
                           f"operations.")
            del dist


_live = weakref.WeakSet()  # distributions of more than one rank, for the exception hook
_hook_installed = [False]
_exit_hooks_installed = [False]
_GOODBYE = 7  # tag of the goodbye messages on the control communicator

# The collectives' names, numbered for the headers (a name missing here is numbered by its CRC-32).
_OPERATIONS = ("a barrier", "an all-reduce", "the all-reduce of a training step", "the all-reduce of a test step",
               "the averaging of variables", "the all-reduce of a synchronized layer's backward sums",
               "the all-gather of a synchronized layer's batch statistics", "the broadcast of the weights",
               "the all-gather of array shapes", "an all-gather", "the model check at the start of training",
               "the random-state broadcast")


def _operation_code(what) -> int:
    try:
        return _OPERATIONS.index(what) + 1
    except ValueError:
        return 1000 + zlib.crc32(what.encode())


def _operation_name(code) -> str:
    if 1 <= code <= len(_OPERATIONS):
        return _OPERATIONS[code - 1]
    return f"operation #{code}"


def _install_exit_hooks():
    """A rank that ends tells the others (goodbye at exit); SIGTERM aborts the job with a message."""
    if _exit_hooks_installed[0]:
        return
    _exit_hooks_installed[0] = True

    def goodbye():
        for dist in list(_live):
            dist._say_goodbye()

    atexit.register(goodbye)
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        def on_sigterm(signum, frame):
            for dist in list(_live):
                dist.abort(f"received SIGTERM (step {dist.step}, last collective: {dist._what or 'none'}).")
            raise SystemExit(128 + signum)  # no distribution left to abort

        signal.signal(signal.SIGTERM, on_sigterm)


def _install_excepthook():
    """An exception that escapes on one rank aborts all ranks (mpi4py's `python -m mpi4py` rule)."""
    if _hook_installed[0]:
        return
    _hook_installed[0] = True
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        for dist in list(_live):
            dist.abort(f"uncaught {kind.__name__}: {value} (after step {dist.step}, last collective: "
                       f"{dist._what or 'none'})")

    sys.excepthook = hook


# --------------------------------------------------------------------------------------------- class
class DataParallel(Strategy):
    """Data parallelism over the ranks of an MPI communicator; see `distribution_data_parallel()`.

    As a `Strategy` (`strategy.py`): each rank takes its contiguous rows of a global batch, its loss
    counts for its share of the global loss, and one all-reduce per step sums the loss values, the
    predictions (each rank its rows), the gradients and the statistics layers declare (averaged)."""

    def __init__(self, comm, timeout, MPI):
        self.comm = comm
        self.timeout = timeout
        self._MPI = MPI
        self.rank = int(comm.Get_rank())
        self.step_rows = None  # (n, start, stop) of the running step's global batch, see current_batch_rows()
        self.size = int(comm.Get_size())
        self._deadline = None
        self._what = None
        self._prepared = weakref.WeakKeyDictionary()
        self.comm_seconds = 0.0  # time spent in collectives (forward, backward and step reductions)
        self.comm_calls = 0
        self.step = 0  # batch steps run under this distribution (the same on every rank in step)
        self._ended = False  # aborted, or said goodbye: no more messages
        if self.size > 1:
            # point-to-point goodbyes travel on their own communicator, apart from the collectives
            self._control = comm.Dup()
            if timeout is not None:
                _Watchdog(self).start()
            _live.add(self)
            _install_excepthook()
            _install_exit_hooks()
            self._share_threads()

    # ----------------------------------------------------------------------------- basics
    @property
    def is_chief(self) -> bool:
        """True on rank 0, the rank that prints progress."""
        return self.rank == 0

    @property
    def num_replicas(self) -> int:
        return self.size

    def __repr__(self):
        return f"<DataParallel rank={self.rank} size={self.size}>"

    def __enter__(self):
        self._sync_random_state()
        _active.append(self)
        return self

    def __exit__(self, *exc):
        if self in _active:
            # remove the innermost occurrence
            for i in range(len(_active) - 1, -1, -1):
                if _active[i] is self:
                    del _active[i]
                    break
        return False

    def scope(self):
        """Keras' `distribution.scope()`: the distribution itself, a context manager."""
        return self

    def _share_threads(self):
        """Give each rank of a node its share of the cores: Numba threads, and BLAS threads (threadpoolctl).

        Two ranks on two cores each running two threads would oversubscribe the machine. Environment
        variables set by the user (`NUMBA_NUM_THREADS`, `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`,
        `MKL_NUM_THREADS`) win.
        """
        try:
            local = self.comm.Split_type(self._MPI.COMM_TYPE_SHARED)
            per_node = local.Get_size()
            local.Free()
            try:
                cores = len(os.sched_getaffinity(0))
            except AttributeError:
                cores = os.cpu_count() or 1
            share = max(1, cores // per_node) if cores >= per_node else 1
            if not os.environ.get("NUMBA_NUM_THREADS"):
                import numba
                if numba.get_num_threads() > share:
                    numba.set_num_threads(share)
            blas_vars = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            if not any(os.environ.get(v) for v in blas_vars):
                try:
                    from threadpoolctl import threadpool_limits
                except ImportError:
                    pass
                else:
                    threadpool_limits(limits=share, user_api="blas")
        except Exception:  # noqa: BLE001, S110 - only a performance setting: never fail a run for it
            pass

    def _sync_random_state(self):
        if self.size <= 1:
            return
        from .. import random as rk_random
        bitgen = rk_random.global_generator().bit_generator
        state = self._bcast_object("the random-state broadcast", bitgen.state, 0)
        rk_random.global_generator().bit_generator.state = state

    # ----------------------------------------------------------------------------- failure
    def abort(self, message, code=1, print_traceback=False):
        """Print `message` (naming this rank) and abort every rank of the job."""
        self._ended = True
        try:
            if print_traceback:
                traceback.print_exc(file=sys.stderr)
            sys.stderr.write(f"\nrkeras data-parallel: rank {self.rank} of {self.size}: {message}\n"
                             f"Aborting all {self.size} ranks.\n")
            sys.stderr.flush()
            sys.stdout.flush()
            time.sleep(0.2)  # let mpiexec forward the message before it tears the job down
        finally:
            self.comm.Abort(code)
            os._exit(code)  # not reached

    def _collective(self, what, start, *args, size=0):
        """Run one collective: `start(*args)` begins it (a non-blocking MPI call returning a request).

        First the ranks all-gather a header (operation, step, `size`: an element count every rank must
        agree on); if the headers differ, the job is aborted with a message naming every rank's operation
        and step, before any data is exchanged. Then the collective itself runs. Both are polled, with the
        timeout and the goodbyes of ranks that left watched (`_wait`).
        """
        self._what = what
        began = time.perf_counter()
        if self.timeout is not None:
            self._deadline = time.monotonic() + self.timeout
        try:
            header = np.array([_operation_code(what), self.step, int(size)], dtype=np.int64)
            headers = np.empty((self.size, header.size), dtype=np.int64)
            self._wait(what, self.comm.Iallgather(header, headers))
            if np.any(headers != headers[0]):
                self.abort(self._mismatch(headers))
            self._wait(what, start(*args))
        finally:
            self._deadline = None
            self.comm_seconds += time.perf_counter() - began
            self.comm_calls += 1

    def _mismatch(self, headers):
        entries = "; ".join(f"rank {r}: {_operation_name(int(h[0]))} of step {int(h[1])} ({int(h[2])} values)"
                            for r, h in enumerate(headers))
        return (f"the ranks entered different collective operations ({entries}). Every rank must run the same "
                f"sequence of operations on the same data: the same number of epochs and steps, no "
                f"evaluate() or predict() on one rank only (e.g. in a callback on the chief), no rank going on "
                f"after an error of its own.")

    def _wait(self, what, request):
        """Poll `request` until it completes; meanwhile abort on the deadline or on a goodbye received."""
        spins = 0
        pause = 0.0
        while not request.Test():
            if self._control.Iprobe(source=self._MPI.ANY_SOURCE, tag=_GOODBYE):
                self._goodbye_received(what)
            if self._deadline is not None and time.monotonic() > self._deadline:
                self.abort(f"timed out after {self.timeout:g} s waiting for the other ranks in {what} (step "
                           f"{self.step}): a rank is stuck, has failed, or is running a different sequence "
                           f"of operations.")
            spins += 1
            if spins > 200:  # the others are late: stop spinning, so that they get the cores
                pause = min(0.002, pause + 0.0001)
                time.sleep(pause)

    def _goodbye_received(self, what):
        status = self._MPI.Status()
        info = np.empty(3, dtype=np.int64)
        self._control.Recv(info, source=self._MPI.ANY_SOURCE, tag=_GOODBYE, status=status)
        rank, step = int(info[0]), int(info[1])
        self.abort(f"rank {rank} has left the job (its script ended, or it called sys.exit(), after its step "
                   f"{step}) while this rank waits for it in {what} (step {self.step}).")

    def _say_goodbye(self):
        """At exit: tell every other rank that this one has left, then wait (up to the timeout) for theirs:
        when all ranks end together the goodbyes cross and MPI finalizes cleanly."""
        if self._ended or self.size <= 1:
            return
        self._ended = True
        MPI = self._MPI
        info = np.array([self.rank, self.step, 0], dtype=np.int64)
        others = [r for r in range(self.size) if r != self.rank]
        sends = [self._control.Isend(info, dest=r, tag=_GOODBYE) for r in others]
        boxes = [np.empty(3, dtype=np.int64) for _ in others]
        recvs = [self._control.Irecv(b, source=r, tag=_GOODBYE) for b, r in zip(boxes, others)]
        end = time.monotonic() + (self.timeout if self.timeout is not None else 60.0)
        while time.monotonic() < end:
            if MPI.Request.Testall(recvs):
                MPI.Request.Waitall(sends)
                return
            time.sleep(0.001)

    def _bcast_object(self, what, obj, root):
        """Broadcast a picklable object from `root` (its length, then its bytes)."""
        data = np.frombuffer(pickle.dumps(obj), dtype=np.uint8) if self.rank == root else None
        length = np.array([0 if data is None else data.size], dtype=np.int64)
        self._collective(what, self.comm.Ibcast, length, root)
        buf = data.copy() if data is not None else np.empty(int(length[0]), dtype=np.uint8)
        self._collective(what, self.comm.Ibcast, buf, root, size=int(length[0]))
        return pickle.loads(buf.tobytes())

    # ----------------------------------------------------------------------------- collectives
    def barrier(self):
        """Wait until every rank reaches this point."""
        if self.size > 1:
            self._collective("a barrier", self.comm.Ibarrier)

    def _allreduce_inplace(self, buf, what="an all-reduce"):
        if self.size > 1:
            self._collective(what, self.comm.Iallreduce, self._MPI.IN_PLACE, buf, self._MPI.SUM, size=buf.size)
        return buf

    def allreduce_sum(self, array):
        """The element-wise sum of `array` over the ranks, summed in float64 (a new array: float arrays keep
        their dtype, others come back as float64)."""
        a = np.asarray(array)
        if self.size <= 1:
            return a.copy()
        buf = np.ascontiguousarray(a, dtype=np.float64).copy()
        self._allreduce_inplace(buf)
        return buf.astype(a.dtype if a.dtype.kind in "fc" else np.float64, copy=False)

    def sum_arrays(self, *arrays):
        """All-reduce (sum) float arrays in place: one collective for all of them.

        Called by layers in their backward pass (batch normalization with `synchronized = TRUE`, for
        the sums its input gradient needs); the layer's weight gradients stay local, and the training
        step all-reduces them with every other gradient.
        """
        if self.size <= 1 or not arrays:
            return
        buf = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
        self._allreduce_inplace(buf, "the all-reduce of a synchronized layer's backward sums")
        offset = 0
        for a in arrays:
            a[...] = buf[offset:offset + a.size].reshape(a.shape)
            offset += a.size

    def combine_moments(self, count, mean, var):
        """Global (count, mean, biased variance) from each rank's, combined with Chan's formula.

        `mean` and `var` (float64 arrays, one entry per channel) are overwritten in place; returns the
        global count. The per-rank (count, mean, M2 = count * var) are gathered from every rank and
        combined in rank order, so every rank computes the same numbers, accurate for data with a
        large mean (no E[x^2] - E[x]^2 cancellation).
        """
        if self.size <= 1:
            return count
        channels = mean.size
        local = np.empty(1 + 2 * channels)
        local[0] = count
        local[1:1 + channels] = mean.ravel()
        local[1 + channels:] = var.ravel()
        gathered = np.empty((self.size, local.size))
        self._collective("the all-gather of a synchronized layer's batch statistics",
                         self.comm.Iallgather, local, gathered, size=local.size)
        m, v = np.empty(channels), np.empty(channels)
        n = combine_part_moments(gathered[:, 0], gathered[:, 1:1 + channels], gathered[:, 1 + channels:], m, v)
        mean[...] = m.reshape(mean.shape)
        var[...] = v.reshape(var.shape)
        return n

    def average_variables(self, variables):
        """Replace each variable's value by its mean over the ranks (one collective)."""
        variables = list(variables)
        if self.size <= 1 or not variables:
            return
        buf = np.concatenate([np.asarray(v.value, dtype=np.float64).ravel() for v in variables])
        self._allreduce_inplace(buf, "the averaging of variables")
        buf *= 1.0 / self.size
        offset = 0
        for v in variables:
            v.value[...] = buf[offset:offset + v.value.size].reshape(v.shape).astype(v.dtype)
            offset += v.value.size

    def broadcast_variables(self, variables, root=0):
        """Copy the values of `variables` on rank `root` to every rank (bit for bit)."""
        variables = list(variables)
        if self.size <= 1 or not variables:
            return
        buf = np.concatenate([np.ascontiguousarray(v.value).view(np.uint8).ravel() for v in variables])
        self._collective("the broadcast of the weights", self.comm.Ibcast, buf, root, size=buf.size)
        offset = 0
        for v in variables:
            nbytes = v.value.nbytes
            v.value[...] = buf[offset:offset + nbytes].view(v.dtype).reshape(v.shape)
            offset += nbytes

    def allgather(self, array):
        """The arrays of all ranks concatenated along the first axis, in rank order.

        The first dimension may differ between ranks (0 included); the others and the dtype must agree.
        """
        a = np.ascontiguousarray(array)
        if a.ndim == 0:
            a = a.reshape(1)
        if self.size <= 1:
            return a.copy()
        row_bytes = int(np.prod(a.shape[1:], dtype=np.int64)) * a.dtype.itemsize
        meta = np.array([a.shape[0], row_bytes, a.ndim, a.dtype.num], dtype=np.int64)
        metas = np.empty((self.size, 4), dtype=np.int64)
        self._collective("the all-gather of array shapes", self.comm.Iallgather, meta, metas, size=meta.size)
        if np.any(metas[:, 1:] != metas[0, 1:]):
            raise ValueError(f"allgather(): the ranks hold arrays of different trailing shapes or dtypes "
                             f"(rank {self.rank}: shape {a.shape}, dtype {a.dtype}).")
        counts = metas[:, 0] * row_bytes
        out = np.empty((int(metas[:, 0].sum()),) + a.shape[1:], dtype=a.dtype)
        displs = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._collective("an all-gather", self.comm.Iallgatherv, a.view(np.uint8).ravel(),
                         [out.view(np.uint8).ravel(), counts, displs, self._MPI.BYTE], size=out.size)
        return out

    # ----------------------------------------------------------------------------- sharding
    def bounds(self, n, rank=None):
        """Rows [start, stop) of a global batch of `n` samples that `rank` (default: this one) takes."""
        r = self.rank if rank is None else rank
        return r * n // self.size, (r + 1) * n // self.size

    def shard(self, data):
        """This rank's contiguous share of a global batch (an array, or a list/tuple of arrays)."""
        if data is None:
            return None
        if isinstance(data, (list, tuple)):
            return [self.shard(d) for d in data]
        data = np.asarray(data)
        lo, hi = self.bounds(len(data))
        return data[lo:hi]

    # ----------------------------------------------------------------------------- model checks
    def prepare_model(self, model, state=None, x=None, y=None):
        """Check that every rank holds the same model (and the same first batch), then copy rank 0's weights.

        Collective; done once per `fit()` (and once for a model's first evaluate/predict/*_on_batch).
        Raises the same `ValueError` on every rank when the ranks differ.
        """
        if self.size <= 1:
            return
        key = (id(state), id(getattr(model, "history", None)), len(model.weights))
        try:
            if self._prepared.get(model) == key:
                return
        except TypeError:  # unhashable model: check every time
            pass
        fp = _model_fingerprint(model)
        data = _data_fingerprint(x, y)
        local = np.array(list(fp) + list(data), dtype=np.int64)
        everyone = np.empty((self.size, local.size), dtype=np.int64)
        self._collective("the model check at the start of training", self.comm.Iallgather, local, everyone,
                         size=local.size)
        if np.any(everyone[:, :4] != everyone[0, :4]):
            detail = "; ".join(f"rank {r}: {_describe(everyone[r])}" for r in range(self.size))
            differing = [r for r in range(self.size) if np.any(everyone[r, :4] != everyone[0, :4])]
            raise ValueError(
                f"Data-parallel training needs the same model on every rank, but the model "
                f"'{model.name}' differs across ranks (layer types, weight shapes or dtypes; ranks "
                f"{differing} differ from rank 0): {detail}. Build the model the same way on every rank "
                f"(run the same script with mpiexec).")
        if np.any(everyone[:, 4:] != everyone[0, 4:]):
            differing = [r for r in range(self.size) if np.any(everyone[r, 4:] != everyone[0, 4:])]
            raise ValueError(
                f"Data-parallel training needs the same data on every rank (each rank passes the global "
                f"batch and takes its share), but the first batch differs on ranks {differing} from rank "
                f"0. Pass the same `x` and `y` on every rank, and make the shuffling of fit() agree: call "
                f"set_random_seed() on every rank, or set_distribution() before fit().")
        self.broadcast_variables(model.weights, root=0)
        try:
            self._prepared[model] = key
        except TypeError:
            pass

    # ----------------------------------------------------------------------------- the Strategy protocol
    def rows(self, n):
        return self.bounds(n)

    def loss_share(self, loss, n_local, n) -> float:
        """`n_r / n` for the mean reductions, 1 for `reduction = "sum"`: the replicas' losses then sum to
        the loss of the global batch, and so do their gradients."""
        if getattr(loss, "reduction", None) == "sum":
            return 1.0
        return n_local / n if n else 0.0

    def check_supported(self, losses, sample_weight) -> None:
        if sample_weight is not None or any(l is None for l in losses):
            raise ValueError("Sample weights, class weights and outputs without a loss are not supported "
                             "under a data-parallel distribution yet.")

    @contextlib.contextmanager
    def sharding(self, n, start, stop):
        self.step_rows = (n, start, stop)  # current_batch_rows(): dropout draws for the global batch
        try:
            yield
        finally:
            self.step_rows = None

    def run_step(self, step, model, state, x, y, training, sample_weight=None):
        """The trainer's step on this rank's share; any error aborts every rank, naming this one."""
        self.prepare_model(model, state, x, y)
        self.step += 1
        try:
            return step(model, state, x, y, training, sample_weight, self)
        except Exception as exc:  # noqa: BLE001 - the others wait in a collective: abort all, naming it
            self.abort(f"{type(exc).__name__} in a {'training' if training else 'test'} step: {exc} (step "
                       f"{self.step}, in {self._what or 'no collective yet'})", print_traceback=True)

    def reduce_step(self, values: StepValues, n, start, stop, training) -> StepValues:
        """One all-reduce: loss values, predictions (each rank fills its rows), gradients and the
        declared statistics (averaged), in one float64 buffer."""
        statistics = values.statistics() if training and values.statistics is not None else []
        pieces = [np.asarray(values.parts + [values.added, values.activity], dtype=np.float64)]
        layout = []
        for yp in values.predictions:
            row = int(np.prod(yp.shape[1:], dtype=np.int64))
            slot = np.zeros(n * row)
            slot[start * row:stop * row] = np.asarray(yp, dtype=np.float64).ravel()
            pieces.append(slot)
            layout.append((yp.shape[1:], yp.dtype, n * row))
        if training:
            pieces.extend(np.asarray(g, dtype=np.float64).ravel() for g in values.gradients)
            pieces.extend(np.asarray(v.value, dtype=np.float64).ravel() for v in statistics)
        buf = np.concatenate(pieces)
        self._allreduce_inplace(buf, "the all-reduce of a training step" if training else
                                "the all-reduce of a test step")
        k = len(values.parts)
        parts = [float(p) for p in buf[:k]]
        added, activity = float(buf[k]), float(buf[k + 1])
        offset = k + 2
        predictions = []
        for shape, dtype, size in layout:
            predictions.append(buf[offset:offset + size].reshape((n,) + tuple(shape)).astype(dtype))
            offset += size
        gradients = None
        if training:
            gradients = []
            for g in values.gradients:
                gradients.append(buf[offset:offset + g.size].reshape(g.shape))
                offset += g.size
            inv = 1.0 / self.size
            for v in statistics:
                v.assign((buf[offset:offset + v.value.size] * inv).reshape(v.shape))
                offset += v.value.size
        return StepValues(parts, added, activity, predictions, gradients)

    def run_predict(self, predict, model, state, *args):
        """This rank's share of a prediction (`predict(*args)`); an error aborts every rank."""
        self.prepare_model(model, state)
        try:
            return predict(*args)
        except Exception as exc:  # noqa: BLE001 - the others wait in the gather: abort all, naming it
            self.abort(f"{type(exc).__name__} in predict(): {exc}", print_traceback=True)

    def gather(self, arrays: list) -> list:
        return [self.allgather(a) for a in arrays]


# --------------------------------------------------------------------------------------------- helpers
def _model_fingerprint(model):
    """(hash, layers, weights, parameters) of the model's structure: layer types, weight shapes and dtypes."""
    layers = all_layers(model)
    weights = model.weights
    # a layer's declared replica statistics tell a synchronized batch normalization from one that is not
    text = "|".join([f"{type(l).__name__}:{len(l.replica_statistics(True))}" for l in layers]
                    + [f"{tuple(w.shape)}:{w.dtype.str}:{w.trainable}" for w in weights])
    digest = hashlib.blake2b(text.encode(), digest_size=7).digest()
    params = sum(int(np.prod(w.shape, dtype=np.int64)) for w in weights)
    return int.from_bytes(digest, "little"), len(layers), len(weights), params


def _data_fingerprint(x, y):
    """(hash, samples) of a global batch; (0, 0) when there is none."""
    if x is None:
        return 0, 0
    h = hashlib.blake2b(digest_size=7)
    n = 0
    for part in (x, y):
        if part is None:
            continue
        for a in (part if isinstance(part, (list, tuple)) else [part]):
            a = np.ascontiguousarray(a)
            if a.dtype.kind == "O":
                h.update(repr(a.tolist()).encode())
            else:
                h.update(str((a.shape, a.dtype.str)).encode())
                h.update(a.view(np.uint8).ravel() if a.size else b"")
            n = max(n, len(a) if a.ndim else 1)
    return int.from_bytes(h.digest(), "little"), n
