"""Data-parallel training over MPI (issue 7): the worker scripts next to this file run under `mpiexec -n 2`.

The MPI tests need the `mpi` extra (`pip install ".[mpi]"`: mpi4py and MPICH, whose `mpiexec` lands
next to the Python executable); without it they are skipped with the reason. Every launch has a
timeout and is killed as a process group, so a hang fails the test instead of the suite.
The API tests at the end run in this process and need no MPI.
"""

import importlib.util
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import rkeras as rk
from rkeras import distribute
from rkeras.distribute import data_parallel

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = Path(rk.__file__).resolve().parents[1]  # the rkeras under test, for the subprocesses
VIGNETTE = HERE.parents[1] / "vignettes" / "distributed_training.py"
RANKS = 2
TIMEOUT = 300  # seconds per launch: the first launch may compile the Numba kernels


# --------------------------------------------------------------------------------------------- launching
def _mpiexec():
    """The mpiexec that matches mpi4py (the MPICH wheel puts it next to python), or skip."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed: install the extra with pip install '.[mpi]' (rkeras[mpi])")
    for candidate in (Path(sys.executable).parent / "mpiexec", shutil.which("mpiexec")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    pytest.skip("no mpiexec found (pip install '.[mpi]' installs MPICH's mpiexec next to python)")


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_ROOT), str(HERE)] + (
        [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("OMP_NUM_THREADS", "1")  # 2 ranks on a small machine: no oversubscription
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["RKERAS_VIGNETTE_FAST"] = "1"
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")  # harmless for MPICH; lets Open MPI's mpiexec run as root
    env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def _run(argv, timeout=TIMEOUT):
    """Run `argv` in its own process group; kill the whole group if it outlives `timeout`."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                            cwd=str(PACKAGE_ROOT), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{' '.join(argv)} hung: killed after {timeout} s.\nstdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err


_checked = []


def run_mpi(script, *args, ranks=RANKS, timeout=TIMEOUT):
    mpiexec = _mpiexec()
    if not _checked:  # once: is this mpiexec the MPI that mpi4py uses?
        probe = "import sys; from mpi4py import MPI; sys.stdout.write(f'SIZE {MPI.COMM_WORLD.Get_size()}\\n')"
        code, out, err = _run([mpiexec, "-n", str(ranks), sys.executable, "-c", probe], 120)
        sizes = re.findall(r"SIZE (\d+)", out)
        if code != 0 or sizes != [str(ranks)] * ranks:
            pytest.fail(f"`{mpiexec} -n {ranks} python` does not start {ranks} connected MPI ranks (an "
                        f"mpiexec from another MPI than mpi4py's?): exit {code}, sizes {sizes}.\n"
                        f"{out}\n{err}")
        _checked.append(True)
    return _run([mpiexec, "-n", str(ranks), sys.executable, str(HERE / script), *args], timeout)


def records(out, tag):
    """{rank: payload} of the `TAG rank json` records printed by the workers (ranks' lines may interleave)."""
    found, decoder = {}, json.JSONDecoder()
    for match in re.finditer(rf"{tag} (\d+) ", out):
        payload, _ = decoder.raw_decode(out, match.end())
        found[int(match.group(1))] = payload
    return found


def result(code, out, err):
    assert code == 0, f"worker failed (exit {code}).\nstdout:\n{out}\nstderr:\n{err}"
    res = records(out, "RESULT")
    assert 0 in res, f"no RESULT line.\nstdout:\n{out}\nstderr:\n{err}"
    return res[0]


def assert_replicas_identical(out, ranks=RANKS):
    digests = records(out, "WEIGHTS")
    assert sorted(digests) == list(range(ranks)), digests
    assert all(d["size"] == ranks for d in digests.values()), digests
    assert len({d["digest"] for d in digests.values()}) == 1, f"weights differ across ranks: {digests}"


# --------------------------------------------------------------------------------------------- equivalence
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-5)])
def test_synchronized_training_equals_one_process_on_the_global_batches(dtype, tol):
    """train_on_batch on uneven batches (6+7, 0+1, 8+8, 6+7 samples), fit with shuffling and validation,
    evaluate, test_on_batch, predict and predict_on_batch (each rank its share) on 2 ranks = one process,
    within `tol` (relative)."""
    code, out, err = run_mpi("dp_worker_sync.py", dtype)
    res = result(code, out, err)
    assert res["size"] == RANKS
    assert_replicas_identical(out)
    assert res["weights_changed"] > 1e-2  # training did move the weights
    for key in ("train_on_batch_logs", "weights_per_step", "weights", "moving_statistics", "history",
                "evaluate", "test_on_batch", "predict", "predict_on_batch"):
        assert res[key] <= tol, (key, res[key], res)
    assert res["history_keys"] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert res["predict_shape"] == [57, 3]
    assert res["predict_on_batch_rows"] == [6]  # each rank runs only its share of the batch


def test_unsynchronized_batch_normalization_matches_the_per_rank_numpy_reference():
    """synchronized = FALSE: local statistics per rank, weighted gradient sum, averaged moving statistics."""
    code, out, err = run_mpi("dp_worker_local.py")
    res = result(code, out, err)
    assert res["size"] == RANKS
    assert_replicas_identical(out)
    assert res["weights"] <= 1e-10, res
    assert res["losses"] <= 1e-10, res
    assert res["vs_global_statistics"] > 1e-2, res  # and it really differs from global statistics


def test_synchronized_layer_with_masks_and_a_large_mean_equals_the_global_batch():
    code, out, err = run_mpi("dp_worker_layer.py")
    res = result(code, out, err)
    for case in ("masked", "rank_without_counted_samples", "unmasked"):
        r = res[case]
        for key in ("outputs", "input_grads", "gamma_beta_grads", "moving_statistics"):
            assert r[key] <= 1e-8, (case, key, r)
        # |mean| / std = 1e6: the combined variance is exact to ~1e-11 (naive E[x^2] - E[x]^2: ~1e-4)
        assert r["mean_vs_exact"] <= 1e-12 and r["var_vs_exact"] <= 1e-9, (case, r)
    helpers = records(out, "HELPERS")
    for rank in range(RANKS):
        h = helpers[rank]
        assert h["allreduce_sum"] == [0.0, 3.0, 6.0, 9.0, 12.0, 15.0]
        assert h["allgather"] == [[0, 0], [1, 1], [1, 1]]
    assert helpers[0]["shard"] == [[0, 1], [0, 10]] and helpers[1]["shard"] == [[2, 3, 4], [20, 30, 40]]


def test_the_worker_runs_unchanged_as_one_process_without_mpiexec():
    """Plain `python worker.py`: one rank, and the result is bit for bit the run without a distribution."""
    _mpiexec()
    code, out, err = _run([sys.executable, str(HERE / "dp_worker_sync.py"), "float32"])
    res = result(code, out, err)
    assert res["size"] == 1
    for key in ("train_on_batch_logs", "weights", "history", "evaluate", "predict"):
        assert res[key] == 0.0, (key, res)


# --------------------------------------------------------------------------------------------- failures
def test_progress_is_printed_once():
    code, out, err = run_mpi("dp_worker_failure.py", "verbose")
    assert code == 0, err
    assert out.count("Epoch 1/2") == 1 and out.count("Epoch 2/2") == 1, out
    assert out.count("5/5 - ") == 2, out
    assert out.count("Epoch 2: early stopping") == 1, out
    assert "DONE 0" in out and "DONE 1" in out


@pytest.mark.parametrize("mode, rank, message", [
    ("raise_in_step", 1, "RuntimeError in a training step: deliberate failure of rank 1 in its loss"),
    ("raise_in_callback", 1, "uncaught KeyError"),
    ("hang", 0, "timed out after 3 s waiting for the other ranks"),
])
def test_a_failing_rank_aborts_the_job_with_a_clear_error(mode, rank, message):
    code, out, err = run_mpi("dp_worker_failure.py", mode, timeout=120)
    assert code != 0, out
    assert f"rank {rank} of {RANKS}: " in err and message in err, err
    assert f"Aborting all {RANKS} ranks" in err
    assert "DONE" not in out


@pytest.mark.parametrize("mode, what", [("model_mismatch", "the same model on every rank"),
                                        ("data_mismatch", "the same data on every rank")])
def test_a_mismatch_across_ranks_raises_the_same_error_on_every_rank(mode, what):
    code, out, err = run_mpi("dp_worker_failure.py", mode, timeout=120)
    assert code == 0, err
    pattern = r"CAUGHT (\d+) ([^\n]*?\.)(?=CAUGHT|\n|$)"
    caught = {int(m.group(1)): m.group(2) for m in re.finditer(pattern, out)}
    assert sorted(caught) == list(range(RANKS)), out
    for line in caught.values():
        assert what in line
    if mode == "model_mismatch":
        assert "rank 0: 4 layers, 8 weights, 81 parameters; rank 1: 4 layers, 8 weights, 91 parameters" \
            in caught[0]


def test_an_uncaught_mismatch_ends_every_rank():
    code, _out, err = run_mpi("dp_worker_failure.py", "weights_mismatch", timeout=120)
    assert code != 0
    assert "rank 0: 4 layers, 8 weights" in err and "rank 1: 5 layers, 10 weights" in err, err


LEAVE_TIMEOUT = 30  # the distribution's timeout in dp_worker_leave.py: every mode must end well before it


@pytest.mark.parametrize("mode, code, messages", [
    ("ok", 0, ["DONE 0", "DONE 1"]),
    ("exit0", 1, ["rank 0 of 2: rank 1 has left the job", "after its step 3", "(step 4)"]),
    ("sigterm", 1, ["rank 1 of 2: received SIGTERM (step 3"]),
    ("sigint", 1, ["rank 1 of 2: uncaught KeyboardInterrupt", "after step 3"]),
    ("exception", 1, ["rank 1 of 2: uncaught KeyError", "after step 3"]),
    ("caught", 1, ["different collective operations", "rank 1: the model check at the start of training"]),
    ("chief_evaluate", 1, ["different collective operations", "rank 0: the all-reduce of a test step of step 6"]),
    ("epochs", 1, ["rank 0 of 2: rank 1 has left the job", "after its step 5"]),
    ("sizes", 1, ["different collective operations",
                  "rank 0: an all-reduce of step 10 (3 values); rank 1: an all-reduce of step 10 (4 values)"]),
])
def test_every_way_a_rank_leaves_ends_all_ranks_with_a_message(mode, code, messages):
    """Issue 18: sys.exit(), SIGTERM, SIGINT, an uncaught exception, a rank going on after its own error, a
    chief-only evaluate(), different epoch counts and all-reduces of different sizes end every rank
    within the timeout, with a message
    naming the rank, the step and the operation (before: each waited for the timeout, 300 s by default,
    and mismatched collectives could fail as MPICH's "Message truncated")."""
    code_, out, err = run_mpi("dp_worker_leave.py", mode, str(LEAVE_TIMEOUT), timeout=120)
    ended = time.monotonic()
    starts = [float(v) for v in re.findall(r"START \d+ ([0-9.]+)", out)]
    assert len(starts) == RANKS, (out, err)
    elapsed = ended - max(starts)
    text = out + err
    assert (code_ == 0) == (code == 0), (code_, out, err)
    for message in messages:
        assert message in text, (message, out, err)
    assert "timed out" not in text and "truncated" not in text.lower()
    assert elapsed < LEAVE_TIMEOUT / 2, elapsed
    sys.stderr.write(f"MPI failure mode {mode}: all ranks ended {elapsed:.2f} s after training started\n")


# --------------------------------------------------------------------------------------------- vignette
def test_the_vignette_runs_on_two_ranks_and_on_one_process():
    code, out, err = run_mpi(VIGNETTE)
    assert code == 0, f"{out}\n{err}"
    assert "2 rank(s)" in out and out.count("Epoch 1/") == 1 and "done" in out, out
    code, out, err = _run([sys.executable, str(VIGNETTE)])
    assert code == 0, f"{out}\n{err}"
    assert "1 rank(s)" in out and "done" in out, out


# --------------------------------------------------------------------------------------------- API (no MPI)
class _OneRank:
    """A stand-in communicator of one rank: the distribution object without MPI."""

    def Get_rank(self):
        return 0

    def Get_size(self):
        return 1


def _one_rank_distribution():
    return data_parallel.DataParallel(_OneRank(), None, None)


def test_public_names_are_exported():
    assert rk.distribution_data_parallel is data_parallel.distribution_data_parallel
    assert rk.set_distribution is data_parallel.set_distribution


def test_importing_rkeras_does_not_start_mpi():
    code, out, err = _run([sys.executable, "-c", "import sys, rkeras; print('mpi4py.MPI' in sys.modules)"],
                          120)
    assert code == 0 and out.strip() == "False", (out, err)


def test_without_mpi4py_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # `from mpi4py import MPI` now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'rkeras\[mpi\]'"):
        rk.distribution_data_parallel()


def test_argument_errors():
    with pytest.raises(ValueError, match="timeout"):
        rk.distribution_data_parallel(timeout=0)
    with pytest.raises(TypeError, match="devices"):
        rk.distribution_data_parallel(devices=["cpu:0"])
    with pytest.raises(TypeError, match="distribution_data_parallel"):
        rk.set_distribution("mirrored")


def test_set_distribution_and_with_blocks():
    assert distribute.current_reducer() is None
    a, b = _one_rank_distribution(), _one_rank_distribution()
    try:
        rk.set_distribution(a)
        assert distribute.current_reducer() is a
        with b as entered:
            assert entered is b and distribute.current_reducer() is b
        assert distribute.current_reducer() is a
        rk.set_distribution(None)
        assert distribute.current_reducer() is None
        with a.scope():
            assert distribute.current_reducer() is a
        assert distribute.current_reducer() is None
    finally:
        rk.set_distribution(None)


def test_one_rank_helpers():
    d = _one_rank_distribution()
    assert (d.rank, d.size, d.is_chief) == (0, 1, True)
    x = np.arange(12.0).reshape(6, 2)
    np.testing.assert_array_equal(d.shard(x), x)
    np.testing.assert_array_equal(d.allgather(x), x)
    np.testing.assert_array_equal(d.allreduce_sum(x), x)
    mean, var = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    assert d.combine_moments(5.0, mean, var) == 5.0
    np.testing.assert_array_equal(mean, [1.0, 2.0])
    d.barrier()


def test_bounds_count_every_sample_once():
    for size in (2, 3, 4):
        for n in (0, 1, 5, 13, 32):
            shares = [data_parallel.DataParallel.bounds(_Bare(r, size), n) for r in range(size)]
            assert shares[0][0] == 0 and shares[-1][1] == n
            assert all(a[1] == b[0] for a, b in itertools.pairwise(shares))
            assert max(hi - lo for lo, hi in shares) - min(hi - lo for lo, hi in shares) <= 1


class _Bare:
    def __init__(self, rank, size):
        self.rank, self.size = rank, size


def _train(distribution):
    rk.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 4)).astype("float32")
    y = rng.integers(0, 2, size=30)
    model = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=6, use_bias=False)
             | rk.layer_batch_normalization(synchronized=True)
             | rk.layer_dense(units=2, activation="softmax"))
    model | rk.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if distribution is None:
        hist = model | rk.fit(x, y, batch_size=7, epochs=2, verbose=0)
        pred = model | rk.predict(x)
    else:
        with distribution:
            hist = model | rk.fit(x, y, batch_size=7, epochs=2, verbose=0)
            pred = model | rk.predict(x)
    return hist.history, pred, model.get_weights()


def test_a_one_rank_distribution_changes_nothing():
    h0, p0, w0 = _train(None)
    h1, p1, w1 = _train(_one_rank_distribution())
    assert h0 == h1
    np.testing.assert_array_equal(p0, p1)
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
