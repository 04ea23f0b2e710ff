#!/usr/bin/env python
"""Recurrent-layer benchmark (issue 22 item 7): rkeras' LSTM and GRU against PyTorch's CPU nn.LSTM / nn.GRU.

Run from a checkout:

    python benchmarks/bench_recurrent.py                    # batch 64, 100 steps, 128 -> 128 units
    python benchmarks/bench_recurrent.py --repeats 31
    python benchmarks/bench_recurrent.py --quick            # tiny sizes, a smoke run
    python benchmarks/bench_recurrent.py --torch-python .venv-bench/bin/python

Each framework is timed in its own subprocess (so neither's thread pools or allocator state affect the
other), with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment; the subprocesses of the
two frameworks alternate for `--rounds` rounds and the medians are over all rounds' repetitions. PyTorch runs in the
interpreter given by `--torch-python` (default: `.venv-bench/bin/python` when it exists, else this one;
`pip install torch==2.13.0`, the CPU build); without PyTorch its rows are skipped.

Workload: float32 input (batch, steps, features), return_sequences (the whole output sequence), an
upstream gradient of the same shape as the output. Ops:
  forward   rkeras: `layer(x)` (inference call); torch: `module(x)` under `torch.no_grad()`
  fwd+bwd   rkeras: `rk.vjp(layer, x, g)` (training forward, then the gradients of the input and of
            every weight); torch: `out, _ = module(x)` with `x.requires_grad_()`, then
            `torch.autograd.grad(out, [x, *params], g)`
Both GRUs use the reset-after variant (Keras' default, PyTorch's only one). Figures are medians over the
repetitions after the warm-up ones; the garbage collector is off while timing. The target is rkeras
fwd+bwd <= 1.0x torch for both cells.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELLS = ("lstm", "gru")


def _timed(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    times = []
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    return times


def _worker_rkeras(cfg):
    import numpy as np

    sys.path.insert(0, str(ROOT))
    import rkeras as rk

    rng = np.random.default_rng(0)
    b, t, d, u = cfg["batch"], cfg["steps"], cfg["features"], cfg["units"]
    x = rng.normal(size=(b, t, d)).astype("float32")
    g = rng.normal(size=(b, t, u)).astype("float32")
    out = {}
    for cell in CELLS:
        make = rk.layer_lstm if cell == "lstm" else rk.layer_gru
        layer = make(units=u, return_sequences=True)
        layer(x)
        out[f"{cell} forward"] = _timed(lambda layer=layer: layer(x), cfg["repeats"], cfg["warmup"])
        out[f"{cell} fwd+bwd"] = _timed(lambda layer=layer: rk.vjp(layer, x, g), cfg["repeats"], cfg["warmup"])
    return out


def _worker_torch(cfg):
    import numpy as np
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    b, t, d, u = cfg["batch"], cfg["steps"], cfg["features"], cfg["units"]
    x = torch.from_numpy(rng.normal(size=(b, t, d)).astype("float32"))
    g = torch.from_numpy(rng.normal(size=(b, t, u)).astype("float32"))
    out = {"torch_threads": torch.get_num_threads()}
    for cell in CELLS:
        module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(d, u, batch_first=True)
        params = list(module.parameters())

        def forward(module=module):
            with torch.no_grad():
                module(x)

        def fwd_bwd(module=module, params=params):
            xg = x.detach().requires_grad_()
            y, _ = module(xg)
            torch.autograd.grad(y, [xg, *params], g)

        out[f"{cell} forward"] = _timed(forward, cfg["repeats"], cfg["warmup"])
        out[f"{cell} fwd+bwd"] = _timed(fwd_bwd, cfg["repeats"], cfg["warmup"])
    return out


def _run_worker(framework, python, cfg):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [python, str(Path(__file__).resolve()), "--worker", framework, "--config", json.dumps(cfg)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=3600)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repetitions (smoke run)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repetitions per round")
    parser.add_argument("--rounds", type=int, default=3, help="subprocess rounds per framework, alternating")
    parser.add_argument("--torch-python", default=None, help="interpreter with torch installed")
    parser.add_argument("--json", default=None, help="save the raw times to this file")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--config", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        cfg = json.loads(args.config)
        result = _worker_rkeras(cfg) if args.worker == "rkeras" else _worker_torch(cfg)
        print(json.dumps(result))
        return 0

    if args.quick:
        cfg = {"batch": 4, "steps": 5, "features": 6, "units": 8, "repeats": args.repeats or 3, "warmup": 1}
        args.rounds = 1
    else:
        cfg = {"batch": 64, "steps": 100, "features": 128, "units": 128, "repeats": args.repeats or 7, "warmup": 2}
    torch_python = args.torch_python
    if torch_python is None:
        bench_venv = ROOT / ".venv-bench" / "bin" / "python"
        torch_python = str(bench_venv) if bench_venv.exists() else sys.executable

    results, notes, skipped = {}, [], set()
    for _ in range(args.rounds):  # alternate the frameworks, so that drifts of the machine's load hit both
        for framework, python in (("rkeras", sys.executable), ("torch", torch_python)):
            if framework in skipped:
                continue
            res, err = _run_worker(framework, python, cfg)
            if res is None:
                notes.append(f"{framework}: skipped ({err})")
                skipped.add(framework)
                continue
            threads = res.pop("torch_threads", None)
            if threads is not None and f"torch threads: {threads}" not in notes:
                notes.append(f"torch threads: {threads}")
            for key, times in res.items():
                results.setdefault(framework, {}).setdefault(key, []).extend(times)

    print(f"workload: batch {cfg['batch']}, {cfg['steps']} steps, {cfg['features']} -> {cfg['units']} units, "
          f"float32, return_sequences; {args.rounds} rounds of {cfg['repeats']} repetitions after {cfg['warmup']} "
          f"warm-up; "
          f"{os.cpu_count()} CPUs")
    for note in notes:
        print(note)
    print(f"{'cell':6} | {'op':8} | {'implementation':14} | {'median ms':>9} | {'min ms':>8} | {'x torch':>7}")
    medians = {}
    for cell in CELLS:
        for op in ("forward", "fwd+bwd"):
            key = f"{cell} {op}"
            for framework in ("rkeras", "torch"):
                if framework not in results:
                    continue
                times = results[framework][key]
                med = statistics.median(times) * 1e3
                medians[(framework, key)] = med
                ref = medians.get(("torch", key)) if framework == "torch" else None
                ratio = ""
                if framework == "rkeras" and "torch" in results:
                    ratio = f"{med / (statistics.median(results['torch'][key]) * 1e3):.2f}"
                elif ref is not None:
                    ratio = "1.00"
                print(f"{cell:6} | {op:8} | {framework:14} | {med:9.2f} | {min(times) * 1e3:8.2f} | {ratio:>7}")
    status = 0
    if "torch" in results and "rkeras" in results:
        label = "targets (--quick: shown, not enforced)" if args.quick else "targets"
        print(f"{label}: rkeras fwd+bwd <= 1.0x torch")
        for cell in CELLS:
            key = f"{cell} fwd+bwd"
            ratio = medians[("rkeras", key)] / medians[("torch", key)]
            met = ratio <= 1.0
            print(f"  {cell}: {ratio:.2f}x  {'met' if met else 'MISSED'}")
            if not met and not args.quick:
                status = 1
    if args.json:
        Path(args.json).write_text(json.dumps({"config": cfg, "results": results}, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
