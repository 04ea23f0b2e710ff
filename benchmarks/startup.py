#!/usr/bin/env python
"""Start-up time of rkeras as whole processes (issue 5): cold (numba cache removed) and warm.

    python benchmarks/startup.py                 # exit status 1 if a target is missed
    python benchmarks/startup.py --warm-runs 5

Each figure is `time.perf_counter()` around `subprocess.run([python, "-c", STEP])`, where STEP imports
rkeras and runs one training step of a small model with batch normalization:

    keras_model_sequential(input_shape=(20,)) | layer_dense(units=16) | layer_batch_normalization()
      | layer_activation(activation="relu") | layer_dense(units=1);  compile(optimizer="adam", loss="mse");
    train_on_batch(x (32, 20), y (32, 1))

(a) cold: numba's cache files of rkeras (`*.nbi`, `*.nbc` in the `__pycache__` folders next to rkeras'
    modules, and under NUMBA_CACHE_DIR when it is set) are deleted first, nothing else; the step then
    compiles every kernel it uses and writes the cache again.
(b) warm: the same command again (median of --warm-runs runs), loading the kernels from the cache.
Targets: warm < 1.0 s, cold <= 10 s. For context it also times `python -c pass` and
`python -c "import numpy, numba"`, which every run pays.

The rkeras measured is the checkout's when this file sits in one (put first on PYTHONPATH), else the
installed one; the child processes run in a temporary folder.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_TARGET = 1.0
COLD_TARGET = 10.0

STEP = """
import numpy as np
import rkeras as rk
model = (rk.keras_model_sequential(input_shape=(20,)) | rk.layer_dense(units=16)
         | rk.layer_batch_normalization() | rk.layer_activation(activation="relu") | rk.layer_dense(units=1))
model | rk.compile(optimizer="adam", loss="mse")
rng = np.random.default_rng(0)
x = rng.normal(size=(32, 20)).astype("float32")
y = rng.normal(size=(32, 1)).astype("float32")
logs = rk.train_on_batch(model, x, y)
assert logs is not None
"""


def child_env():
    env = dict(os.environ)
    if (ROOT / "rkeras" / "__init__.py").exists():
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def run(code, env, cwd):
    """Wall time of `python -c code` as a whole process (raises if it fails)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                         check=False)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"the child process failed (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")
    return elapsed


def package_dir(env, cwd):
    """Folder of the rkeras the children import (found without importing it)."""
    code = "import importlib.util, os; print(os.path.dirname(importlib.util.find_spec('rkeras').origin))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"rkeras cannot be found: {out.stderr}")
    return Path(out.stdout.strip())


def numba_cache_files(pkg, env):
    """numba's cache files (*.nbi, *.nbc) for the modules of the package in `pkg`."""
    files = [p for d in pkg.rglob("__pycache__") for p in d.iterdir() if p.suffix in (".nbi", ".nbc")]
    cache_dir = env.get("NUMBA_CACHE_DIR")
    if cache_dir and Path(cache_dir).is_dir():
        # numba mirrors the source folder under NUMBA_CACHE_DIR
        files += [p for p in Path(cache_dir).rglob("*") if p.suffix in (".nbi", ".nbc")
                  and "rkeras" in p.relative_to(cache_dir).parts]
    return files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--warm-runs", type=int, default=3, help="warm runs, the median is reported (default 3)")
    args = ap.parse_args(argv)
    env = child_env()
    with tempfile.TemporaryDirectory() as cwd:
        pkg = package_dir(env, cwd)
        print(f"python {sys.executable}; rkeras from {pkg}")
        base = run("pass", env, cwd)
        imports = statistics.median(run("import numpy, numba", env, cwd) for _ in range(3))
        print(f"python -c pass: {base:.3f} s; python -c 'import numpy, numba': {imports:.3f} s (median of 3)")

        removed = numba_cache_files(pkg, env)
        for p in removed:
            p.unlink()
        print(f"cold: removed {len(removed)} numba cache files "
              f"({', '.join(sorted({str(p.parent) for p in removed})) or 'none found'})")
        cold = run(STEP, env, cwd)
        written = numba_cache_files(pkg, env)
        print(f"cold: one training step in a fresh process: {cold:.3f} s (numba wrote {len(written)} cache files)")
        warm_runs = [run(STEP, env, cwd) for _ in range(args.warm_runs)]
        warm = statistics.median(warm_runs)
        print(f"warm: one training step in a fresh process: {warm:.3f} s (median of "
              f"{', '.join(f'{t:.3f}' for t in warm_runs)})")
        import_only = statistics.median(run("import rkeras", env, cwd) for _ in range(3))
        print(f"warm: 'import rkeras' alone: {import_only:.3f} s (median of 3)")

    ok_warm, ok_cold = warm < WARM_TARGET, cold <= COLD_TARGET
    print(f"target warm < {WARM_TARGET} s: {'met' if ok_warm else 'MISSED'} ({warm:.3f} s)")
    print(f"target cold <= {COLD_TARGET} s: {'met' if ok_cold else 'MISSED'} ({cold:.3f} s)")
    return 0 if ok_warm and ok_cold else 1


if __name__ == "__main__":
    sys.exit(main())
