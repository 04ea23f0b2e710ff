"""Issue 25: one training step for every distribution strategy, and a distribute/ that knows no trainer.

The single-process step and the data-parallel step are the same function (`rkeras.training.step.run_step`),
run by different strategy objects: checked in this process for the identity strategy, under
`mpiexec -n 2` for DataParallel (skipped without the mpi extra, as the other MPI tests).
"""

import ast
from pathlib import Path

import numpy as np
import pytest
from test_data_parallel import RANKS, records, run_mpi

import rkeras as rk
from rkeras import distribute
from rkeras.distribute.data_parallel import DataParallel
from rkeras.distribute.strategy import Strategy
from rkeras.training import step as step_module

PACKAGE = Path(rk.__file__).resolve().parent


def _spy(strategy, seen):
    original = strategy.run_step

    def run_step(step, *args, **kwargs):
        seen.append((strategy, step))
        return original(step, *args, **kwargs)
    strategy.run_step = run_step


@pytest.fixture
def identity_spy():
    seen = []
    _spy(distribute.IDENTITY, seen)
    yield seen
    del distribute.IDENTITY.run_step


def _model():
    m = (rk.keras_model_sequential(input_shape=(4,)) | rk.layer_dense(units=6)
         | rk.layer_batch_normalization() | rk.layer_dense(units=1))
    return m | rk.compile(optimizer="sgd", loss="mse", metrics="mae")


def test_every_verb_runs_the_one_step_under_the_identity_strategy(identity_spy):
    x = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    m = _model()
    m | rk.fit(x, y, batch_size=8, epochs=1, verbose=0, validation_split=0.2)  # 2 train + 1 validation
    m.train_on_batch(x[:5], y[:5])
    m.test_on_batch(x[:5], y[:5])
    m | rk.evaluate(x, y, verbose=0)  # 1 test step
    assert len(identity_spy) == 6
    assert all(s is distribute.IDENTITY for s, _ in identity_spy)
    assert all(step is step_module.run_step for _, step in identity_spy)


def test_no_distribution_and_a_one_rank_distribution_use_the_identity_strategy():
    assert distribute.current_strategy() is distribute.IDENTITY

    class OneRank(DataParallel):
        def __init__(self):  # no MPI: only what current_strategy() reads
            self.size = 1
    distribute._active.append(OneRank())
    try:
        assert distribute.current_strategy() is distribute.IDENTITY
    finally:
        distribute._active.pop()


def test_data_parallel_runs_the_step_it_is_given():
    """DataParallel adds the model check and the abort-on-error around the step, and no step of its own."""
    dp = DataParallel.__new__(DataParallel)
    dp.size, dp.step, dp._what = 2, 0, None
    dp.prepare_model = lambda *args: None
    calls = []

    def step(model, state, x, y, training, sample_weight, strategy):
        calls.append(strategy)
        return "logs"
    assert dp.run_step(step, "model", "state", "x", "y", True) == "logs"
    assert calls == [dp] and dp.step == 1
    for name in ("run_step", "reduce_step", "rows", "loss_share", "sharding", "run_predict", "gather"):
        assert getattr(Strategy, name) is not None
    assert not hasattr(DataParallel, "batch_step") and not hasattr(DataParallel, "predict")


def _imports(path):
    """The modules `path` imports, as absolute names under rkeras."""
    tree = ast.parse(path.read_text())
    package = ".".join(("rkeras",) + path.relative_to(PACKAGE).parent.parts)
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            mod = ".".join(p for p in (base, node.module or "") if p) if node.level else node.module
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("folder, forbidden", [("distribute", "rkeras.training"), ("training", "rkeras.models")])
def test_dependencies_point_one_way(folder, forbidden):
    """distribute/ holds collectives and strategies and imports nothing of the trainer; the trainer (all of
    training/) imports no model module (a model is `Model(Trainer, Layer)`), not even inside functions."""
    for path in sorted((PACKAGE / folder).glob("*.py")):
        bad = sorted(m for m in _imports(path) if m == forbidden or m.startswith(forbidden + "."))
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_the_data_parallel_step_is_the_same_function_under_mpi():
    code, out, err = run_mpi("dp_worker_step.py")
    assert code == 0, f"worker failed (exit {code}).\nstdout:\n{out}\nstderr:\n{err}"
    res = records(out, "RESULT")
    assert sorted(res) == list(range(RANKS)), out
    for r in res.values():
        assert r["size"] == RANKS
        assert r["strategies"] == ["DataParallel", "Strategy"]
        assert r["dp_steps"] == 3 + 1 + 1 + 1  # fit (24 / 8), train_on_batch, test_on_batch, evaluate (24 / 32)
        assert r["identity_steps"] == 2
        assert r["all_run_step"] is True
    assert len({r["digest"] for r in res.values()}) == 1  # and the replicas stayed identical
