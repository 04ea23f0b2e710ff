#!/usr/bin/env python
"""Transposed, depthwise and separable convolutions (issue 22, item 7): rkeras against PyTorch's CPU
convolutions, float32, channels-last data.

Run from a checkout (the checkout's `rkeras` is used when there is one):

    python benchmarks/bench_conv_variants.py             # the workloads below, 15 repetitions
    python benchmarks/bench_conv_variants.py --quick     # tiny sizes, 3 repetitions (a smoke run)

PyTorch (`pip install torch==2.13.0`, the CPU build) is optional: without it only rkeras is timed.
Within each repetition every implementation runs once per op, in a new random order; the figure is the
median over the repetitions after one warm-up. Before timing, each workload checks that rkeras and
PyTorch compute the same outputs (relative error <= 1e-4).

Workloads (batch 32, 3x3 kernels):
  conv2d_transpose   (32, 16, 16, 64) -> 32 filters, strides 2, padding "same" -> (32, 32, 32, 32)
  depthwise_conv2d   (32, 32, 32, 64), depth_multiplier 1, padding "same"
  separable_conv2d   (32, 32, 32, 64) -> 64 filters, padding "same"
Ops: `forward` (an inference call, fresh output) and `fwd+bwd` (forward, then the gradients of the input
and of every weight: rkeras' `vjp()`, PyTorch's `torch.autograd.grad`).
PyTorch's peers: `F.conv_transpose2d(padding=1, output_padding=1)` (the same output size, kernel read
from rkeras' one), `F.conv2d(groups=channels)`, and depthwise + 1x1 `F.conv2d` for the separable layer,
on channels-last tensors.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if (ROOT / "rkeras").is_dir():
    sys.path.insert(0, str(ROOT))

import rkeras as rk


def workloads(quick):
    n, hw, c = (4, 8, 8) if quick else (32, 32, 64)
    return [
        ("conv2d_transpose", (n, hw // 2, hw // 2, c), lambda: rk.layer_conv_2d_transpose(
            filters=c // 2, kernel_size=3, strides=2, padding="same")),
        ("depthwise_conv2d", (n, hw, hw, c), lambda: rk.layer_depthwise_conv_2d(kernel_size=3, padding="same")),
        ("separable_conv2d", (n, hw, hw, c), lambda: rk.layer_separable_conv_2d(
            filters=c, kernel_size=3, padding="same")),
    ]


def rkeras_cases(layer, x, g):
    return {"forward": lambda: layer(x), "fwd+bwd": lambda: rk.vjp(layer, x, g)}


def torch_cases(torch, name, layer, x, g):
    """The PyTorch peer of `layer` (same weights), and the outputs of both for the equality check."""
    F = torch.nn.functional
    xt = torch.from_numpy(x).permute(0, 3, 1, 2)  # channels-last memory format
    gt = torch.from_numpy(g).permute(0, 3, 1, 2)
    if name == "conv2d_transpose":
        w = torch.from_numpy(np.ascontiguousarray(layer.kernel.numpy().transpose(3, 2, 0, 1)))
        b = torch.from_numpy(layer.bias.numpy())
        params = [w, b]

        def fn(inp, w, b):
            return F.conv_transpose2d(inp, w, b, stride=2, padding=1, output_padding=1)

        # rkeras (Keras on JAX) writes input i to outputs 2i + k, PyTorch with padding 1 to 2i - 1 + k
        def same_as_rkeras(inp):
            full = F.conv_transpose2d(inp, w, b, stride=2, padding=0)
            return full[:, :, :2 * inp.shape[2], :2 * inp.shape[3]]
    elif name == "depthwise_conv2d":
        k = layer.kernel.numpy()
        w = torch.from_numpy(np.ascontiguousarray(k.reshape(3, 3, -1).transpose(2, 0, 1)[:, None]))
        b = torch.from_numpy(layer.bias.numpy())
        params = [w, b]
        channels = x.shape[-1]

        def fn(inp, w, b):
            return F.conv2d(inp, w, b, padding=1, groups=channels)

        def same_as_rkeras(inp):
            return fn(inp, w, b)
    else:
        k = layer.depthwise_kernel.numpy()
        wd = torch.from_numpy(np.ascontiguousarray(k.reshape(3, 3, -1).transpose(2, 0, 1)[:, None]))
        wp = torch.from_numpy(np.ascontiguousarray(layer.pointwise_kernel.numpy()[0, 0].T[:, :, None, None]))
        b = torch.from_numpy(layer.bias.numpy())
        params = [wd, wp, b]
        channels = x.shape[-1]

        def fn(inp, wd, wp, b):
            return F.conv2d(F.conv2d(inp, wd, None, padding=1, groups=channels), wp, b)

        def same_as_rkeras(inp):
            return fn(inp, wd, wp, b)

    with torch.no_grad():
        check = same_as_rkeras(xt).permute(0, 2, 3, 1).numpy()
    leaves = [xt.detach().clone().requires_grad_(True)] + [p.detach().clone().requires_grad_(True) for p in params]

    def forward():
        with torch.no_grad():
            return fn(xt, *params)

    def fwd_bwd():
        y = fn(*leaves)
        return torch.autograd.grad(y, leaves, gt)

    return {"forward": forward, "fwd+bwd": fwd_bwd}, check


def time_cases(cases, repeats):
    """{(impl, op): median ms} over `repeats` rounds after one warm-up, in a new random order each round."""
    keys = [(impl, op) for impl, ops in cases.items() for op in ops]
    times = {k: [] for k in keys}
    gc.disable()
    try:
        for r in range(repeats + 1):
            random.shuffle(keys)
            for impl, op in keys:
                t0 = time.perf_counter()
                cases[impl][op]()
                elapsed = (time.perf_counter() - t0) * 1e3
                if r > 0:
                    times[(impl, op)].append(elapsed)
    finally:
        gc.enable()
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 3 repetitions")
    parser.add_argument("--repeats", type=int, default=None, help="timed repetitions (default 15, quick 3)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 15)
    try:
        import torch
        torch.set_num_threads(os.cpu_count() or 1)
    except ImportError:
        torch = None
        print("PyTorch is not installed: timing rkeras only.")
    rng = np.random.default_rng(0)
    rows = []
    for name, shape, make in workloads(args.quick):
        layer = make()
        x = rng.normal(size=shape).astype("float32")
        layer(x)
        for v in layer.weights:
            v.assign(rng.normal(scale=0.2, size=v.shape).astype("float32"))
        g = rng.normal(size=layer.compute_output_shape(shape)).astype("float32")
        cases = {"rkeras": rkeras_cases(layer, x, g)}
        if torch is not None:
            cases["torch"], check = torch_cases(torch, name, layer, x, g)
            ours = layer(x)
            err = float(np.max(np.abs(ours - check)) / np.max(np.abs(check)))
            if err > 1e-4:
                print(f"{name}: rkeras differs from PyTorch (relative error {err:.2e})")
                return 1
        medians = time_cases(cases, repeats)
        for op in ("forward", "fwd+bwd"):
            ref = medians.get(("torch", op))
            for impl in cases:
                ms = medians[(impl, op)]
                ratio = f"{ms / ref:8.2f}" if ref else "       -"
                rows.append(f"{name:18s} | {op:8s} | {impl:7s} | {ms:10.3f} | {ratio}")
    print(f"float32, channels-last, {repeats} repetitions, medians")
    print(f"{'workload':18s} | {'op':8s} | {'impl':7s} | {'median ms':>10s} | {'x torch':>8s}")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
