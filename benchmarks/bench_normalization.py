#!/usr/bin/env python
"""Layer, RMS and group normalization benchmark (issue 20): rkeras against PyTorch and the memory floor.

Run from a checkout (the checkout's `rkeras` is used when there is one), in an environment with PyTorch
(`pip install torch==2.13.0`; without it the torch rows are skipped):

    python benchmarks/bench_normalization.py               # full sizes
    python benchmarks/bench_normalization.py --repeats 21
    python benchmarks/bench_normalization.py --quick       # tiny sizes, a smoke run

Workloads (float32, forward + backward: outputs, then gradients w.r.t. the input and the weights):
  layer (8192, 1024)           layer normalization, axis = -1       32 MiB
  layer (64, 128, 768)         layer normalization, axis = -1       24 MiB
  rms   (8192, 1024), (64, 128, 768)   RMS normalization, axis = -1
  group (64, 32, 32, 128)      group normalization, 32 groups, channels-last (axis = -1)   32 MiB;
                               torch's `group_norm` takes channels first: it gets the (64, 128, 32, 32)
                               NCHW tensor, its native layout; rkeras is also timed on that layout (axis = 2)

Rows:
  rkeras layer          `rk.vjp(layer, x, g)`: the layer's forward then backward, as a training step runs them
                        (fresh outputs, from rkeras' array cache)
  rkeras kernels        the kernels alone (`row_norm_forward`/`row_norm_backward`, `group_norm_*`) on
                        preallocated outputs
  torch                 `F.layer_norm` / `F.rms_norm` / `F.group_norm` with parameters requiring grad, then
                        `torch.autograd.grad(y, (x, weight[, bias]), g)`
  floor                 memory traffic of forward + backward: copy(out <- x) + add(out <- g + x), i.e.
                        3 reads + 2 writes of the batch, on preallocated buffers
  The floor is strict: numpy's large copies may use non-temporal stores (no read of the destination before
  it is written), which the kernels' ordinary stores cannot match; and group normalization's statistics span
  a whole sample (512 KiB here), so its second pass over the sample re-reads x (and g) from beyond L2 when
  the sample does not stay there (the batch-normalization benchmark's convention, 2 reads + 1 write forward
  and 4 reads + 1 write backward, counts that pass).
Within a repetition every row runs once, in a new random order; the figure is the median over repetitions.
Targets (issue 20): rkeras layer / torch <= 0.8; rkeras kernels / floor <= 1.3. The ratios are printed, not
enforced: the machine is shared and noisy.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

# the benchmark's own process: the BLAS tuning variables some environments export would skew torch
for _var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_var, None)

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if (ROOT / "rkeras").is_dir():
    sys.path.insert(0, str(ROOT))

import rkeras as rk
from rkeras.kernels import group_norm, row_norm

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # optional peer
    torch = None


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _rkeras_cases(kind, shape, groups, layout):
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape).astype(np.float32)
    g = rng.normal(size=shape).astype(np.float32)
    if kind == "layer":
        layer = rk.layer_layer_normalization()
    elif kind == "rms":
        layer = rk.layer_rms_normalization()
    else:
        layer = rk.layer_group_normalization(groups=groups, axis=-1 if layout == "channels_last" else 2)
    layer.build(shape)

    def run_layer():
        rk.vjp(layer, x, g, training=True)

    out, dx = np.empty_like(x), np.empty_like(x)
    if kind == "group":
        C = shape[-1] if layout == "channels_last" else shape[1]
        view = (shape[0], int(np.prod(shape[1:-1])), C, 1) if layout == "channels_last" else \
            (shape[0], 1, C, int(np.prod(shape[2:])))
        x4, g4, o4, d4 = (a.reshape(view) for a in (x, g, out, dx))
        gamma, beta = np.ones(C, np.float32), np.zeros(C, np.float32)
        mean, inv = np.empty((shape[0], groups)), np.empty((shape[0], groups))

        def run_kernels():
            group_norm.group_norm_forward(x4, groups, 1e-3, gamma, beta, o4, mean, inv)
            group_norm.group_norm_backward(g4, x4, groups, mean, inv, gamma, d4)
    else:
        C = shape[-1]
        O = x.size // C
        x3, g3, o3, d3 = (a.reshape(O, C, 1) for a in (x, g, out, dx))
        mode = row_norm.MODE_LAYER if kind == "layer" else row_norm.MODE_RMS
        gamma = np.ones(C, np.float32)
        beta = np.zeros(C, np.float32) if kind == "layer" else None
        center, inv, k3 = np.empty(O), np.empty(O), np.empty(O)
        eps = 1e-3 if kind == "layer" else 1e-6

        def run_kernels():
            row_norm.row_norm_forward(x3, mode, eps, gamma, beta, o3, center, inv, k3)
            row_norm.row_norm_backward(g3, x3, mode, center, inv, k3, gamma, d3)

    def run_floor():
        np.copyto(out, x)
        np.add(g, x, out=dx)

    return {"rkeras layer": run_layer, "rkeras kernels": run_kernels, "floor": run_floor}


def _torch_case(kind, shape, groups):
    if torch is None:
        return {}
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(shape, generator=gen, requires_grad=True)
    g = torch.randn(shape, generator=gen)
    C = shape[1] if kind == "group" else shape[-1]
    w = torch.ones(C, requires_grad=True)
    b = torch.zeros(C, requires_grad=True)

    def run():
        if kind == "layer":
            y = F.layer_norm(x, (C,), w, b, 1e-3)
            torch.autograd.grad(y, (x, w, b), g)
        elif kind == "rms":
            y = F.rms_norm(x, (C,), w, 1e-6)
            torch.autograd.grad(y, (x, w), g)
        else:
            y = F.group_norm(x, groups, w, b, 1e-3)
            torch.autograd.grad(y, (x, w, b), g)

    return {"torch": run}


def _workloads(quick):
    if quick:
        return [("layer", (64, 256), None, "last"), ("rms", (4, 16, 96), None, "last"),
                ("group", (4, 8, 8, 64), 32, "channels_last")]
    return [("layer", (8192, 1024), None, "last"), ("layer", (64, 128, 768), None, "last"),
            ("rms", (8192, 1024), None, "last"), ("rms", (64, 128, 768), None, "last"),
            ("group", (64, 32, 32, 128), 32, "channels_last"), ("group", (64, 128, 32, 32), 32, "channels_first")]


def _blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return "; ".join(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture', '')} "
                     f"threads={i.get('num_threads')}" for i in threadpool_info())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats, warmup = (3, 1) if args.quick else (args.repeats, args.warmup)
    import numba
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
          f"torch {torch.__version__ if torch else 'absent'}, cores {os.cpu_count()}, "
          f"numba threads {numba.get_num_threads()}"
          + (f", torch threads {torch.get_num_threads()}" if torch else ""))
    rows = []
    for kind, shape, groups, layout in _workloads(args.quick):
        cases = _rkeras_cases(kind, shape, groups, "channels_first" if layout == "channels_first" else
                              "channels_last")
        if kind != "group" or layout == "channels_first":
            cases.update(_torch_case(kind, shape, groups))
        elif torch is not None:  # torch's group_norm on the same data in its native NCHW layout
            nchw = (shape[0], shape[3], shape[1], shape[2])
            cases.update(_torch_case(kind, nchw, groups))
        times = {name: [] for name in cases}
        for rep in range(warmup + repeats):
            order = list(cases)
            random.shuffle(order)
            for name in order:
                t = _timed(cases[name])
                if rep >= warmup:
                    times[name].append(t)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        label = f"{kind} {shape}" + (f" {layout}" if kind == "group" else "")
        rows.append((label, med))
    print(f"threading layer: {numba.threading_layer()}; BLAS: {_blas_info()}")
    print()
    print(f"{'workload (fwd+bwd, float32)':44s} {'rkeras layer':>12s} {'kernels':>9s} {'torch':>9s} {'floor':>9s}"
          f" {'layer/torch':>11s} {'kern/floor':>10s}")
    for label, med in rows:
        ms = {k: v * 1e3 for k, v in med.items()}
        torch_ms = ms.get("torch")
        ratio_t = f"{ms['rkeras layer'] / torch_ms:11.2f}" if torch_ms else f"{'-':>11s}"
        print(f"{label:44s} {ms['rkeras layer']:10.2f}ms {ms['rkeras kernels']:7.2f}ms "
              + (f"{torch_ms:7.2f}ms" if torch_ms else f"{'-':>9s}")
              + f" {ms['floor']:7.2f}ms {ratio_t} {ms['rkeras kernels'] / ms['floor']:10.2f}")
    print("\nTargets: layer/torch <= 0.8, kern/floor <= 1.3 (medians over "
          f"{repeats} repetitions; the machine is shared, ratios are noisy).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
