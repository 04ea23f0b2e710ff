#!/usr/bin/env python
"""Batch-normalization benchmark (issue 5): rkeras against PyTorch, JAX, numpy and the memory floor.

Run from a checkout (the checkout's `rkeras` is used when there is one):

    python benchmarks/bench_batch_norm.py              # full sizes, checks the targets, exit 1 on a miss
    python benchmarks/bench_batch_norm.py --repeats 41
    python benchmarks/bench_batch_norm.py --quick      # tiny sizes, few repetitions, never fails on targets
    python benchmarks/bench_batch_norm.py --json runs/r1.json   # also save every repetition's times
    python benchmarks/summarize_runs.py runs/*.json             # targets over several saved runs

Everything is float32 and timed in one process. Within each repetition every implementation of every op
of a workload runs once, in a new random order each repetition (so slow drifts of the machine, and the
cost of waking an idle vCPU after single-threaded work, hit all of them alike); the figure is the median
over the repetitions that follow the warm-up ones. The garbage collector is off while timing. PyTorch
(`pip install torch==2.13.0`, the CPU build) and JAX (`pip install jax jaxlib`) are optional: missing
peers are skipped, and so are the targets that need them.

Workloads (R axes, SPEC §1):
  dense            (512, 1024)          axis = -1                       2 MiB (cache-resident)
  channels_last    (64, 32, 32, 128)    axis = -1                      32 MiB (larger than the L3 cache)
  channels_first   (64, 128, 32, 32)    axis = 2                       32 MiB
  sequence_masked  (64, 128, 256)       axis = -1, bool mask (64, 128), ~70 % true   8 MiB (cache-resident)

Ops: `train` = training forward (batch statistics + normalize + moving-statistics update); `inference`;
`backward` = gradients w.r.t. input, gamma and beta (backward only, after one forward); `fwd+bwd` =
training forward then backward (rkeras' `vjp()`; shown for information, no target).

Implementations:
  rkeras layer            `layer(x, training=True)`, `layer(x)` (the public call, fresh outputs), and
                          for `backward` the layer's `backward(cache, g)` after one `forward` (inside
                          `array_cache()`, as in rkeras' training steps)
  rkeras vjp              `rk.vjp(layer, x, g)` (forward + backward), op `fwd+bwd`
  rkeras kernels (prealloc) the layer's kernel API (`train`, `inference`, `backward` of
                          `rkeras.kernels.batch_norm`) on the (O, C, I) views,
                          writing into preallocated outputs: the layer call without its argument
                          handling and output allocation
  torch                   `F.batch_norm` (channels-last memory format for channels_last) with parameters
                          requiring grad; inference under `torch.no_grad()`; backward =
                          `torch.autograd.grad(y, (x, weight, bias), g, retain_graph=True)` on a graph
                          built once (only the backward is timed). For sequence_masked: mask-weighted
                          torch ops (mean and variance as weighted sums, autograd through them); its
                          inference is `F.batch_norm(training=False)` (the mask plays no role there)
  torch aten bwd          `torch.ops.aten.native_batch_norm_backward` with saved statistics (no autograd)
  torch unmasked (proxy)  sequence_masked only: native `F.batch_norm` on the same tensor viewed as
                          (64*128, 256), mask ignored
  jax.jit                 a jitted JAX implementation on device arrays (`block_until_ready` included);
                          backward = a jitted call of the `jax.vjp` function (residuals precomputed)
  numpy twin (float64)    `rkeras.kernels.batch_norm_reference` (float64, written from the formulas)
  floor / floor (fresh out)  memory-traffic floor with the op's own buffers, see below

Floors (timed in the same repetitions, with the same x, g and preallocated output as the kernels row):
  Each primitive is the fastest of its candidates on the workload's own buffers, chosen right before
  timing (reported below the table): read(a) among np.sum(flat), np.add.reduce(a 2-D view with long rows,
  axis=0) and a parallel numba sum; copy among np.copyto(out, x) and a parallel numba copy; add among
  np.add(g, x, out=out) and a parallel numba add (on 2 cores one thread may not saturate memory).
  train     read(x); copy(out <- x)                     = 2 reads + 1 write
  inference copy(out <- x)                              = 1 read  + 1 write
  backward  read(g); read(x); add(out <- g + x)         = 4 reads + 1 write
  fwd+bwd   train floor + backward floor (sum of the two medians, not timed)
  "(fresh out)": the same with `out = np.empty_like(x)` allocated in the timed call (np.add(g, x) for
  numpy's add), which is what an implementation that returns a new array has to pay.

Cache-resident workloads (dense, sequence_masked) call every implementation untimed for 5 ms (--prime-ms)
right before each timed call, so each finds its own data in the cache, and the second vCPU awake, whatever
ran before it. A few calls are not enough: after a 32 MiB copy, consecutive calls on the 8 MiB workload
speed up for 6-12 calls, every implementation alike (medians of 15 sequences, ms, calls 1, 2, 3, 5, 9, 16:
rkeras kernels train 0.77 0.41 0.32 0.26 0.24 0.22, torch unmasked train 0.65 0.35 0.32 0.32 0.32 0.32,
inference floor 0.50 0.21 0.16 0.14 0.09 0.08, torch aten backward 1.04 0.75 0.63 0.57 0.52 0.53), so
0.5 ms of priming (1-4 calls) timed each case somewhere on that curve and the masked ratios moved by up
to 40 % from run to run; 5 ms gives the train and inference cases 15-40 calls, the backward cases 8-12.
For the 32 MiB workloads the caches are flushed (a 96 MiB read) before every timed call,
floors included: without it a 32 MiB array partly survives in this machine's cache between calls and the
floor reads reach ~200 GB/s. Before each workload the script waits (--wait-idle) until other processes
leave the CPU idle, and measures it again (--attempts) when they used more than 10 % of the CPU while it
was timed: on 2 cores, a busy CPU makes OpenMP's spinning worker threads (numba's and PyTorch's) wait
milliseconds per parallel region.

Allocators: every implementation allocates as its users get it. rkeras' public calls (layer call, vjp,
model verbs) take their arrays from rkeras' array cache (rkeras/kernels/array_cache.py), which reuses
the memory of freed arrays of the same size; the timed `layer.backward` runs inside `array_cache()` as it
does in every rkeras training step. PyTorch, JAX, numpy and the floors keep their allocators' defaults:
a fresh 32 MiB output is then a new mapping, zeroed page by page on first write. rkeras changes nothing
process-wide here (earlier versions fixed glibc's malloc thresholds, which sped PyTorch up too).
`--no-array-cache` (RKERAS_ARRAY_CACHE_MB=0) measures rkeras without its cache.

Targets (ratios of medians from the same run; exit status 1 if one is missed, not with --quick):
  T1  rkeras layer / torch, 32 MiB workloads (channels_last, channels_first), train/inference/backward <= 0.6
  T2  rkeras layer / torch, cache-resident workloads (dense, sequence_masked)                         <= 0.8
  T3  rkeras layer (masked) / torch unmasked native batch norm on the same tensor (sequence_masked)   <= 1.0
  T4  rkeras kernels (prealloc) / floor, 32 MiB workloads                                             <= 1.3
  T5  rkeras kernels (prealloc) / floor, cache-resident workloads                                     <= 2.0
  T6  rkeras layer / floor (fresh out), 32 MiB workloads                                              <= 1.5

`--json FILE` saves the run as plain JSON (no pickle): the machine and versions, every case's time in each
timed repetition (seconds, in repetition order; the float64 twin's every 5th), the CPU share of other
processes per workload, and each target with its numerator and denominator case. One run is a sample of
a noisy machine; `benchmarks/summarize_runs.py` reads several such files and reports, per target, the
spread of the ratio of medians over the runs, the median of paired ratios (numerator / denominator timed
in the same repetition, so a slow phase of the machine hits both), and how many runs missed it; with
`--check` it exits 1 when a target's median over the runs misses (one run is a noisy check: on the
project's 2-vCPU VM, 9 of 30 runs on one day missed a target, by 0.3-12 %, a different one from run to
run).
"""

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if (ROOT / "rkeras" / "__init__.py").exists():
    sys.path.insert(0, str(ROOT))  # measure the checkout, not an older installed copy

if "--no-array-cache" in sys.argv:  # must be decided before rkeras is imported
    os.environ["RKERAS_ARRAY_CACHE_MB"] = "0"

import numba
from numba import njit, prange

import rkeras as rk
from rkeras.kernels import batch_norm as K
from rkeras.kernels import batch_norm_reference as R
from rkeras.kernels.array_cache import array_cache, capacity_bytes

EPS = 1e-3
PRIME_MS = 5.0        # cache-resident workloads: untimed calls of a case right before its timed one (--prime-ms)
PRIME_MS_QUICK = 0.5
MOMENTUM = 0.99
OPS = ("train", "inference", "backward", "fwd+bwd")
TARGET_OPS = ("train", "inference", "backward")

RK_LAYER = "rkeras layer"
RK_VJP = "rkeras vjp (fwd+bwd)"
RK_KERNELS = "rkeras kernels (prealloc)"
TORCH = "torch"
TORCH_MASKED = "torch masked ops"
TORCH_ATEN = "torch aten native bwd"
TORCH_PROXY = "torch unmasked (proxy)"
JAX = "jax.jit"
NUMPY = "numpy twin (float64)"
FLOOR = "floor"
FLOOR_FRESH = "floor (fresh out)"


# ----------------------------------------------------------------------------------------- workloads
@dataclass
class Workload:
    name: str
    shape: tuple
    axis: int              # R axis (1-based counting the batch dimension, or negative)
    big: bool              # larger than the L3 cache (32 MiB workloads)
    mask_shape: tuple = None
    mask_rate: float = 0.7

    @property
    def axis0(self):
        return self.axis - 1 if self.axis > 0 else len(self.shape) + self.axis

    @property
    def view(self):
        """(O, C, I) of the kernels' view."""
        a = self.axis0
        return (int(np.prod(self.shape[:a])), self.shape[a], int(np.prod(self.shape[a + 1:])))

    @property
    def mib(self):
        return int(np.prod(self.shape)) * 4 / 2 ** 20


def workloads(quick):
    if quick:
        return [Workload("dense", (64, 32), -1, False),
                Workload("channels_last", (4, 4, 4, 16), -1, True),
                Workload("channels_first", (4, 16, 4, 4), 2, True),
                Workload("sequence_masked", (4, 8, 16), -1, False, mask_shape=(4, 8))]
    return [Workload("dense", (512, 1024), -1, False),
            Workload("channels_last", (64, 32, 32, 128), -1, True),
            Workload("channels_first", (64, 128, 32, 32), 2, True),
            Workload("sequence_masked", (64, 128, 256), -1, False, mask_shape=(64, 128))]


@dataclass
class Case:
    impl: str
    op: str
    fn: object                      # no-argument callable, the timed call
    extract: object = None          # result of fn -> numpy array (dx for backward) in x's layout, for the check
    every: int = 1                  # timed in every `every`-th repetition (the slow float64 twin)
    times: list = field(default_factory=list)

    @property
    def median_ms(self):
        return statistics.median(self.times) * 1e3 if self.times else float("nan")


# ----------------------------------------------------------------------------------------- floor helpers
_FM = {"reassoc", "contract", "nsz", "arcp"}


# Parallel numba primitives: one contiguous range per thread, inner loops on slices (they vectorize). Only
# the prange loop runs in parallel, as in rkeras' kernels: with `parallel=True`, numba also turned the
# np.zeros and the sum of the partials into parallel regions, three per call, and with jax's threads in
# the process the primed 2 MiB read measured 0.17 ms instead of 0.013-0.019 ms.
_PRANGE_ONLY = {"prange": True, "comprehension": False, "reduction": False, "inplace_binop": False,
                "setitem": False, "numpy": False, "stencil": False, "fusion": False}


@njit(parallel=_PRANGE_ONLY, fastmath=_FM, cache=True)
def _numba_read(flat, nchunks):
    n = flat.size
    part = np.zeros(nchunks * 16)  # one cache line apart
    for k in prange(nchunks):
        s = flat[n * k // nchunks:n * (k + 1) // nchunks]
        acc = flat[0] * 0
        for i in range(s.size):
            acc += s[i]
        part[k * 16] = acc
    return part.sum()


@njit(parallel=_PRANGE_ONLY, cache=True)
def _numba_copy(src, dst, nchunks):
    n = src.size
    for k in prange(nchunks):
        lo, hi = n * k // nchunks, n * (k + 1) // nchunks
        s, d = src[lo:hi], dst[lo:hi]
        for i in range(s.size):
            d[i] = s[i]


@njit(parallel=_PRANGE_ONLY, cache=True)
def _numba_add(a, b, dst, nchunks):
    n = a.size
    for k in prange(nchunks):
        lo, hi = n * k // nchunks, n * (k + 1) // nchunks
        sa, sb, d = a[lo:hi], b[lo:hi], dst[lo:hi]
        for i in range(sa.size):
            d[i] = sa[i] + sb[i]


def _read_candidates(a):
    flat = a.reshape(-1)
    nthreads = numba.get_num_threads()
    width = next(w for w in (8192, 4096, 2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1) if flat.size % w == 0)
    rows = flat.reshape(-1, width)
    return {
        "np.sum(flat)": lambda: flat.sum(),
        f"np.add.reduce(({rows.shape[0]}, {width}), axis=0)": lambda: np.add.reduce(rows, axis=0),
        f"numba parallel sum ({nthreads} threads)": lambda: _numba_read(flat, nthreads),
    }


_FLUSH = None


def flush_caches():
    """Evict the caches: read a 96 MiB buffer (3x the L3 cache) with numpy (one thread, no OpenMP)."""
    global _FLUSH
    if _FLUSH is None:
        _FLUSH = np.ones(((96 * 2 ** 20) // 4 // 8192, 8192), np.float32)
    np.add.reduce(_FLUSH, axis=0)


def _quick_median(fn, n, before=None, prime=0.0):
    """Median of n timed calls of fn, each after `before()` or, with `prime` > 0, after `prime` seconds of untimed
    calls (as the timed cases of cache-resident workloads get them: a numba primitive measured back to back
    without it took 0.09 ms for a 2 MiB copy in one run and 0.028 ms in another)."""
    fn()
    fn()
    ts = []
    for _ in range(n):
        if before is not None:
            before()
        if prime > 0:
            t_end = time.perf_counter() + prime
            while time.perf_counter() < t_end:
                fn()
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def _fastest(cands, n, before=None, prime=0.0):
    """(name, callable, {name: ms}) of the fastest of `cands` (name -> no-argument callable)."""
    timed = {name: _quick_median(fn, n, before, prime) * 1e3 for name, fn in cands.items()}
    best = min(timed, key=timed.get)
    return best, cands[best], timed


class FloorPrimitives:
    """The fastest read, copy and add on a workload's own buffers, numpy or numba's threads alike.

    Chosen right before each timing attempt (after waiting for an idle machine), since which one wins
    depends on the array size and on the machine.
    """

    def __init__(self, bufs):
        self.x3, self.g3, self.out3 = bufs["x3"], bufs["g3"], bufs["out3"]
        self.fx, self.fg, self.fo = (a.reshape(-1) for a in (self.x3, self.g3, self.out3))
        self.read_x = self.read_g = self.copy = self.add = None
        self.note = ""

    def choose(self, n, before=None, prime=0.0):
        t = numba.get_num_threads()
        fx, fg, fo = self.fx, self.fg, self.fo
        rx, self.read_x, tx = _fastest(_read_candidates(self.x3), n, before, prime)
        _rg, self.read_g, _ = _fastest(_read_candidates(self.g3), n, before, prime)
        cp, self.copy_into, tc = _fastest({"np.copyto": lambda: np.copyto(fo, fx),
                                           f"numba parallel copy ({t} threads)": lambda: _numba_copy(fx, fo, t)},
                                          n, before, prime)
        ad, self.add_into, ta = _fastest({"np.add(out=)": lambda: np.add(fg, fx, out=fo),
                                          f"numba parallel add ({t} threads)": lambda: _numba_add(fg, fx, fo, t)},
                                         n, before, prime)
        self.copy_name, self.add_name = cp, ad
        fmt = lambda d: ", ".join(f"{k} {v:.3f}" for k, v in d.items())
        self.note = (f"read = {rx} (of {fmt(tx)} ms); copy = {cp} (of {fmt(tc)} ms); add = {ad} "
                     f"(of {fmt(ta)} ms)")

    def copy_fresh(self):
        out = np.empty_like(self.fx)
        if self.copy_name == "np.copyto":
            np.copyto(out, self.fx)
        else:
            _numba_copy(self.fx, out, numba.get_num_threads())
        return out

    def add_fresh(self):
        if self.add_name.startswith("np.add"):
            return np.add(self.fg, self.fx)
        out = np.empty_like(self.fx)
        _numba_add(self.fg, self.fx, out, numba.get_num_threads())
        return out


# ----------------------------------------------------------------------------------------- rkeras
def rkeras_cases(wl, x, g, mask):
    cases = []
    kw = {} if mask is None else {"mask": mask}
    layer = rk.layer_batch_normalization(axis=wl.axis, momentum=MOMENTUM, epsilon=EPS)
    layer(x)  # build
    saved = [v.value.copy() for v in (layer.moving_mean, layer.moving_variance)]
    _, cache = layer.forward(x, training=True, mask=mask)  # the cache the timed backward uses
    for v, value in zip((layer.moving_mean, layer.moving_variance), saved):
        v.value[...] = value  # as fresh as every other implementation's moving statistics
    same = lambda r: r
    cases.append(Case(RK_LAYER, "train", lambda: layer(x, training=True, **kw), same))
    cases.append(Case(RK_LAYER, "inference", lambda: layer(x, **kw), same))
    def backward():
        with array_cache():  # as in rkeras' training steps (fit, train_on_batch, vjp)
            return layer.backward(cache, g)

    cases.append(Case(RK_LAYER, "backward", backward, lambda r: r[0]))
    cases.append(Case(RK_VJP, "fwd+bwd", lambda: rk.vjp(layer, x, g, training=True, mask=mask), lambda r: r[1]))

    # The layer's kernel API on the (O, C, I) views, writing into preallocated outputs: what the layer call
    # runs, without its argument handling and output allocation.
    O, C, I = wl.view
    x3, g3 = x.reshape(O, C, I), g.reshape(O, C, I)
    m3 = None if mask is None else np.ascontiguousarray(mask).reshape(O, I)
    gamma, beta = np.ones(C, np.float32), np.zeros(C, np.float32)
    mm, mv = np.zeros(C, np.float32), np.ones(C, np.float32)
    mean, invstd, f_mean, f_inv = (np.empty(C) for _ in range(4))
    sum_g, sum_gx = np.empty(C), np.empty(C)
    out, dx = np.empty_like(x3), np.empty_like(x3)
    f_count = K.train(x3, m3, gamma, beta, mm.copy(), mv.copy(), MOMENTUM, EPS, out, f_mean,
                      f_inv)  # the statistics the timed backward uses

    def k_train():
        K.train(x3, m3, gamma, beta, mm, mv, MOMENTUM, EPS, out, mean, invstd)
        return out

    def k_inference():
        K.inference(x3, gamma, beta, mm, mv, EPS, out, mean, invstd)
        return out

    def k_backward():
        K.backward(g3, x3, m3, f_mean, f_inv, gamma, f_count, dx, sum_g, sum_gx)
        return dx  # d gamma = sum_gx, d beta = sum_g

    back = lambda r: r.reshape(wl.shape)
    cases.append(Case(RK_KERNELS, "train", k_train, back))
    cases.append(Case(RK_KERNELS, "inference", k_inference, back))
    cases.append(Case(RK_KERNELS, "backward", k_backward, back))
    bufs = {"x3": x3, "g3": g3, "out3": out}
    return cases, bufs


def numpy_cases(wl, x, g, mask, every):
    O, C, I = wl.view
    x3, g3 = x.reshape(O, C, I), g.reshape(O, C, I)
    m3 = None if mask is None else np.ascontiguousarray(mask).reshape(O, I)
    gamma, beta = np.ones(C), np.zeros(C)
    state = {"mm": np.zeros(C), "mv": np.ones(C)}

    def train():
        y, state["mm"], state["mv"] = R.batch_norm_ref(x3, (1,), gamma, beta, state["mm"], state["mv"], MOMENTUM,
                                                       EPS, training=True, mask=m3)
        return y

    def inference():
        return R.batch_norm_ref(x3, (1,), gamma, beta, state["mm"], state["mv"], epsilon=EPS, training=False)[0]

    def backward():
        return R.batch_norm_ref(x3, (1,), gamma, epsilon=EPS, mask=m3, upstream=g3)[3]

    back = lambda r: r.reshape(wl.shape)
    return [Case(NUMPY, "train", train, back, every), Case(NUMPY, "inference", inference, back, every),
            Case(NUMPY, "backward", backward, back, every)]


def floor_cases(prim):
    """Memory-traffic floors on the workload's own buffers, with the primitives `prim` chose."""
    def train():
        prim.read_x()
        prim.copy_into()

    def train_fresh():
        prim.read_x()
        prim.copy_fresh()

    def backward():
        prim.read_g()
        prim.read_x()
        prim.add_into()

    def backward_fresh():
        prim.read_g()
        prim.read_x()
        prim.add_fresh()

    return [Case(FLOOR, "train", train), Case(FLOOR_FRESH, "train", train_fresh),
            Case(FLOOR, "inference", lambda: prim.copy_into()), Case(FLOOR_FRESH, "inference", prim.copy_fresh),
            Case(FLOOR, "backward", backward), Case(FLOOR_FRESH, "backward", backward_fresh)]


# ----------------------------------------------------------------------------------------- torch
def torch_cases(torch, wl, x, g, mask):
    F = torch.nn.functional
    C = wl.shape[wl.axis0]
    momentum = 1.0 - MOMENTUM  # PyTorch's momentum is the weight of the new statistic

    def tensor(a):
        t = torch.from_numpy(a)
        if wl.name == "channels_last":  # NHWC buffer seen as NCHW in channels_last memory format
            t = t.permute(0, 3, 1, 2)
            assert t.is_contiguous(memory_format=torch.channels_last)
        return t

    def to_np(t):
        t = t.detach()
        if wl.name == "channels_last":
            t = t.permute(0, 2, 3, 1)
        return np.asarray(t)

    xt, gt = tensor(x), tensor(g)
    weight = torch.ones(C, requires_grad=True)
    bias = torch.zeros(C, requires_grad=True)
    rm, rv = torch.zeros(C), torch.ones(C)
    cases = []

    def native_on(xin, gin, name, conv):
        """F.batch_norm on `xin`; returns the train / inference / backward / fwd+bwd / aten cases."""
        out = []
        out.append(Case(name, "train", lambda: F.batch_norm(xin, rm, rv, weight, bias, True, momentum, EPS),
                        conv))

        def inference():
            with torch.no_grad():
                return F.batch_norm(xin, rm, rv, weight, bias, False, momentum, EPS)
        out.append(Case(name, "inference", inference, conv))

        xg = xin.detach().requires_grad_(True)
        y = F.batch_norm(xg, rm.clone(), rv.clone(), weight, bias, True, momentum, EPS)
        out.append(Case(name, "backward",
                        lambda: torch.autograd.grad(y, (xg, weight, bias), gin, retain_graph=True),
                        lambda r: conv(r[0])))

        def fwd_bwd():
            yy = F.batch_norm(xg, rm, rv, weight, bias, True, momentum, EPS)
            return torch.autograd.grad(yy, (xg, weight, bias), gin)
        out.append(Case(name, "fwd+bwd", fwd_bwd, lambda r: conv(r[0])))

        with torch.no_grad():
            _, save_mean, save_invstd = torch.ops.aten.native_batch_norm(
                xin, weight, bias, rm.clone(), rv.clone(), True, momentum, EPS)

        def aten_bwd():
            with torch.no_grad():
                return torch.ops.aten.native_batch_norm_backward(
                    gin, xin, weight, rm, rv, save_mean, save_invstd, True, EPS, [True, True, True])
        aten_name = TORCH_ATEN if name == TORCH else TORCH_ATEN + " (unmasked proxy)"
        out.append(Case(aten_name, "backward", aten_bwd, lambda r: conv(r[0])))
        return out

    if mask is None:
        cases += native_on(xt, gt, TORCH, to_np)
        return cases

    # sequence_masked: mask-weighted torch ops; the native unmasked batch norm on the same tensor as a proxy
    flat_x, flat_g = xt.view(-1, C), gt.view(-1, C)
    flat_np = lambda t: np.asarray(t.detach()).reshape(wl.shape)
    proxy = native_on(flat_x, flat_g, TORCH_PROXY, flat_np)
    w = torch.from_numpy(mask).to(torch.float32).unsqueeze(-1)  # (N, T, 1)
    rm2, rv2 = torch.zeros(C), torch.ones(C)

    def masked_forward(xin):
        n = w.sum()
        mean = (xin * w).sum((0, 1)) / n
        d = xin - mean
        var = (d * d * w).sum((0, 1)) / n
        y = d * (torch.rsqrt(var + EPS) * weight) + bias
        with torch.no_grad():
            rm2.mul_(MOMENTUM).add_(mean.detach(), alpha=momentum)
            rv2.mul_(MOMENTUM).add_(var.detach(), alpha=momentum)
        return y

    cases.append(Case(TORCH_MASKED, "train", lambda: masked_forward(xt), to_np))

    def masked_inference():  # the mask plays no role in inference: the native kernel is the user's best call
        with torch.no_grad():
            return F.batch_norm(flat_x, rm2, rv2, weight, bias, False, momentum, EPS)
    cases.append(Case(TORCH_MASKED, "inference", masked_inference, flat_np))
    xg = xt.detach().requires_grad_(True)
    saved = rm2.clone(), rv2.clone()
    y = masked_forward(xg)
    rm2.copy_(saved[0])
    rv2.copy_(saved[1])
    cases.append(Case(TORCH_MASKED, "backward",
                      lambda: torch.autograd.grad(y, (xg, weight, bias), gt, retain_graph=True),
                      lambda r: to_np(r[0])))

    def masked_fwd_bwd():
        yy = masked_forward(xg)
        return torch.autograd.grad(yy, (xg, weight, bias), gt)
    cases.append(Case(TORCH_MASKED, "fwd+bwd", masked_fwd_bwd, lambda r: to_np(r[0])))
    for c in proxy:
        c.extract = None  # different math (no mask): not compared
    return cases + proxy


# ----------------------------------------------------------------------------------------- jax
def jax_cases(jax, wl, x, g, mask):
    jnp = jax.numpy
    nd = len(wl.shape)
    a0 = wl.axis0
    C = wl.shape[a0]
    red = tuple(a for a in range(nd) if a != a0)
    bshape = tuple(C if a == a0 else 1 for a in range(nd))
    xj, gj = jax.device_put(x), jax.device_put(g)
    gamma, beta = jnp.ones(C, jnp.float32), jnp.zeros(C, jnp.float32)
    mm, mv = jnp.zeros(C, jnp.float32), jnp.ones(C, jnp.float32)
    wj = None if mask is None else jax.device_put(mask.astype(np.float32).reshape(mask.shape + (1,)))

    def stats(xx, w):
        if w is None:
            mean = jnp.mean(xx, red)
            d = xx - mean.reshape(bshape)
            return mean, d, jnp.mean(d * d, red)
        n = jnp.sum(w)
        mean = jnp.sum(xx * w, red) / n
        d = xx - mean.reshape(bshape)
        return mean, d, jnp.sum(d * d * w, red) / n

    def forward(xx, ga, be, w):
        mean, d, var = stats(xx, w)
        y = d * (jax.lax.rsqrt(var + EPS) * ga).reshape(bshape) + be.reshape(bshape)
        return y, mean, var

    @jax.jit
    def train(xx, ga, be, m_mean, m_var, w):
        y, mean, var = forward(xx, ga, be, w)
        return y, m_mean * MOMENTUM + mean * (1 - MOMENTUM), m_var * MOMENTUM + var * (1 - MOMENTUM)

    @jax.jit
    def inference(xx, ga, be, m_mean, m_var):
        a = jax.lax.rsqrt(m_var + EPS) * ga
        return (xx - m_mean.reshape(bshape)) * a.reshape(bshape) + be.reshape(bshape)

    f = lambda xx, ga, be: forward(xx, ga, be, wj)[0]
    _, vjp_fn = jax.jit(lambda xx, ga, be: jax.vjp(f, xx, ga, be))(xj, gamma, beta)  # residuals, once
    backward = jax.jit(lambda vf, gg: vf(gg))

    @jax.jit
    def fwd_bwd(xx, ga, be, gg):
        y, vf = jax.vjp(f, xx, ga, be)
        return y, vf(gg)

    ready = jax.block_until_ready
    arr = np.asarray
    return [Case(JAX, "train", lambda: ready(train(xj, gamma, beta, mm, mv, wj)), lambda r: arr(r[0])),
            Case(JAX, "inference", lambda: ready(inference(xj, gamma, beta, mm, mv)), arr),
            Case(JAX, "backward", lambda: ready(backward(vjp_fn, gj)), lambda r: arr(r[0])),
            Case(JAX, "fwd+bwd", lambda: ready(fwd_bwd(xj, gamma, beta, gj)), lambda r: arr(r[1][0]))]


# ----------------------------------------------------------------------------------------- running
def check_outputs(wl, cases, tol):
    """Every implementation computes the same thing (fresh moving statistics; inference first)."""
    problems = []
    ref = {c.op: c for c in cases if c.impl == RK_LAYER}
    ref["fwd+bwd"] = next(c for c in cases if c.impl == RK_VJP)
    for op in ("inference", "train", "backward", "fwd+bwd"):
        want = np.asarray(ref[op].extract(ref[op].fn()), np.float64)
        for c in cases:
            if c.op != op or c is ref[op] or c.extract is None:
                continue
            got = np.asarray(c.extract(c.fn()), np.float64)
            err = np.max(np.abs(got - want)) if got.shape == want.shape else np.inf
            if not err <= tol:
                problems.append(f"{wl.name}/{op}: '{c.impl}' differs from '{ref[op].impl}' by {err:.3g}")
    return problems


def run_round_robin(cases, repeats, warmup, prime=0.0, flush=False):
    """Each repetition runs every case once, in a new random order (seeded).

    `prime` > 0 (cache-resident workloads): untimed calls of the case right before its timed one, for
    `prime` seconds (at least one call), so every implementation finds its data in the cache and the
    machine's second vCPU awake whatever ran before it. After single-threaded work (the float64 twin, a
    numpy floor) the idle vCPU makes the next parallel calls wait for it; one untimed call was measured
    not to be enough. The slow float64 twin is not primed.

    `flush` (workloads larger than the L3 cache): the caches are flushed before each timed call, so every
    implementation streams its data from memory."""
    gc.collect()
    gc.disable()
    try:
        order = random.Random(0)
        for r in range(warmup + repeats):
            timed = r >= warmup
            for c in order.sample(cases, len(cases)):  # a new order, hence new neighbours, every repetition
                if c.every > 1 and ((timed and (r - warmup) % c.every) or (not timed and r > 0)):
                    continue
                if prime > 0 and c.every == 1:  # untimed calls for `prime` seconds (at least one)
                    t_end = time.perf_counter() + prime
                    c.fn()
                    while time.perf_counter() < t_end:
                        c.fn()
                if flush:
                    flush_caches()
                t0 = time.perf_counter()
                c.fn()
                t1 = time.perf_counter()
                if timed:
                    c.times.append(t1 - t0)
    finally:
        gc.enable()


class OthersCPU:
    """Share of the machine's CPU time used by other processes between start() and stop().

    /proc/stat's busy time minus this process' own CPU time (all its threads: numba's, torch's, XLA's),
    over wall time x CPUs. NaN where /proc/stat is missing.
    """

    @staticmethod
    def _sample():
        with open("/proc/stat") as fh:
            v = [int(t) for t in fh.readline().split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
        return (sum(v) - v[3] - v[4]) / hz, sum(v) / hz, time.process_time()

    def start(self):
        try:
            self._s0 = self._sample()
        except (OSError, ValueError, IndexError):
            self._s0 = None
        return self

    def stop(self):
        if self._s0 is None:
            return float("nan")
        busy1, total1, own1 = self._sample()
        busy0, total0, own0 = self._s0
        return max(0.0, (busy1 - busy0) - (own1 - own0)) / max(total1 - total0, 1e-9)


def others_cpu(seconds):
    """Share of the CPU used by other processes over `seconds` (we sleep meanwhile)."""
    probe = OthersCPU().start()
    time.sleep(seconds)
    return probe.stop()


def wait_idle(limit_s, threshold=0.05):
    """Wait (at most limit_s) until other processes use less than `threshold` of the CPU for 2 s."""
    t0 = time.perf_counter()
    while True:
        share = others_cpu(2.0)
        if not share > threshold or time.perf_counter() - t0 >= limit_s:
            return share, time.perf_counter() - t0


def optional_import(name):
    try:
        if name == "jax":
            os.environ.setdefault("JAX_PLATFORMS", "cpu")
        return __import__(name)
    except Exception as e:  # noqa: BLE001 - any failure to import means the peer is absent
        print(f"note: {name} is not available ({type(e).__name__}: {e}); its rows and targets are skipped")
        return None


def fmt_ratio(v, digits=2):
    return "-" if v is None or not np.isfinite(v) else f"{v:.{digits}f}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, few repetitions; never fails on targets")
    ap.add_argument("--repeats", type=int, default=None, help="timed repetitions (default 30, --quick 3)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed repetitions first (default 3, --quick 1)")
    ap.add_argument("--no-peers", action="store_true", help="skip torch and jax even when installed")
    ap.add_argument("--peers", default="torch,jax",
                    help="comma-separated peers to load when installed (default torch,jax); each runtime's "
                         "threads share the two cores with rkeras' in this one process")
    ap.add_argument("--workloads", default=None,
                    help="comma-separated workload names to measure (default: all); targets of the others are "
                         "not checked")
    ap.add_argument("--no-array-cache", action="store_true",
                    help="rkeras without its array cache (RKERAS_ARRAY_CACHE_MB=0): its fresh 32 MiB outputs are "
                         "then mapped and zeroed on every call, like the peers'")
    ap.add_argument("--wait-idle", type=float, default=None,
                    help="before each workload, wait up to this many seconds for other processes to leave the "
                         "CPU idle (default 300, --quick 0)")
    ap.add_argument("--attempts", type=int, default=None,
                    help="measure a workload again (up to this many times in all) when other processes used "
                         "more than 10%% of the CPU during it; the quietest attempt is kept (default 3, --quick 1)")
    ap.add_argument("--prime-ms", type=float, default=None,
                    help="cache-resident workloads: untimed calls of each case for this long right before its timed "
                         "call (default 5, --quick 0.5)")
    ap.add_argument("--json", default=None, metavar="FILE",
                    help="also write the run (every repetition's times, the targets) to FILE as JSON, for "
                         "benchmarks/summarize_runs.py")
    args = ap.parse_args(argv)
    if args.prime_ms is not None and not args.prime_ms >= 0:
        ap.error(f"--prime-ms must be a number >= 0; received {args.prime_ms}")
    prime_s = (args.prime_ms if args.prime_ms is not None else PRIME_MS_QUICK if args.quick else PRIME_MS) / 1e3
    repeats = args.repeats or (3 if args.quick else 30)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    twin_every = 1 if args.quick else 5
    wait_limit = args.wait_idle if args.wait_idle is not None else (0.0 if args.quick else 300.0)
    attempts = args.attempts or (1 if args.quick else 3)

    if args.json is not None and not Path(args.json).resolve().parent.is_dir():
        ap.error(f"--json: the folder of {args.json!r} does not exist; create it first")
    if args.no_array_cache and capacity_bytes():
        ap.error("--no-array-cache must be given on the command line: it takes effect before rkeras is imported")
    peers = set() if args.no_peers else set(args.peers.split(",")) - {""}
    if peers - {"torch", "jax"}:
        ap.error(f"--peers: unknown {sorted(peers - {'torch', 'jax'})}; accepted: torch, jax")
    torch = optional_import("torch") if "torch" in peers else None
    jax = optional_import("jax") if "jax" in peers else None
    if args.quick:  # a smoke run: serial kernels cannot be slowed down by a busy machine's spinning threads
        numba.set_num_threads(1)
        if torch is not None:
            torch.set_num_threads(1)
    busy0 = others_cpu(0.1 if args.quick else 1.0)
    print(f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
          f"rkeras {rk.__version__} ({Path(rk.__file__).parent}), torch {torch.__version__ if torch else '-'}, "
          f"jax {jax.__version__ if jax else '-'}")
    print(f"{os.cpu_count()} CPUs, numba {numba.get_num_threads()} threads, "
          f"torch {torch.get_num_threads() if torch else '-'} threads; OMP_WAIT_POLICY="
          f"{os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
          f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT', '(unset)')}, "
          f"rkeras array cache {capacity_bytes() >> 20} MiB; "
          f"CPU used by other processes before start: {busy0:.0%}")
    print(f"float32; {repeats} timed repetitions after {warmup} warm-up, a new random order each repetition; median; "
          f"numpy twin timed every {twin_every} repetition(s); cache-resident workloads primed "
          f"{prime_s * 1e3:g} ms before each timed call")

    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    rng = np.random.default_rng(0)
    results = {}   # (workload, op, impl) -> ms
    run_times = {}  # (workload, op, impl) -> seconds of each timed repetition
    busy_during = {}  # workload -> share of the CPU other processes used while it was timed
    notes, problems = [], []
    chosen = workloads(args.quick)
    if args.workloads:
        names = args.workloads.split(",")
        unknown = sorted(set(names) - {w.name for w in chosen})
        if unknown:
            ap.error(f"--workloads: unknown {unknown}; accepted: {', '.join(w.name for w in chosen)}")
        chosen = [w for w in chosen if w.name in names]
    for wl in chosen:
        x = (rng.standard_normal(wl.shape, dtype=np.float32) * 2.0 + 0.5).astype(np.float32)
        g = rng.standard_normal(wl.shape, dtype=np.float32)
        mask = None if wl.mask_shape is None else rng.random(wl.mask_shape) < wl.mask_rate
        rk_cases, bufs = rkeras_cases(wl, x, g, mask)
        cases = list(rk_cases)
        if torch is not None:
            cases += torch_cases(torch, wl, x, g, mask)
        if jax is not None:
            cases += jax_cases(jax, wl, x, g, mask)
        cases += numpy_cases(wl, x, g, mask, twin_every)
        problems += check_outputs(wl, cases, tol=2e-3)
        prim = FloorPrimitives(bufs)
        cases += floor_cases(prim)
        best = None
        for attempt in range(1, attempts + 1):
            waited = ""
            if wait_limit > 0:
                share, secs = wait_idle(wait_limit)
                waited = f"waited {secs:.0f} s for an idle CPU (others {share:.0%}); "
            for c in cases:
                c.times = []
            probe = OthersCPU().start()
            prim.choose(3 if args.quick else 11, before=flush_caches if wl.big else None,
                        prime=prime_s if not wl.big and not args.quick else 0.0)
            run_round_robin(cases, repeats, warmup, prime=0.0 if wl.big else prime_s, flush=wl.big and not args.quick)
            share = probe.stop()
            print(f"  {wl.name}: attempt {attempt}: {waited}other processes used {share:.0%} of the CPU while "
                  f"timing", flush=True)
            if best is None or share < best[0]:
                best = (share, {id(c): list(c.times) for c in cases}, prim.note)
            if not share > 0.10:
                break
        for c in cases:
            c.times = best[1][id(c)]
        busy_during[wl.name] = best[0]
        notes.append(f"{wl.name}: {best[2]}")
        for c in cases:
            results[(wl.name, c.op, c.impl)] = c.median_ms
            run_times[(wl.name, c.op, c.impl)] = list(c.times)
        print(f"  measured {wl.name} {wl.shape} ({wl.mib:g} MiB): {len(cases)} timed calls per repetition",
              flush=True)

    # ------------------------------------------------------------------------------ table
    def get(w, op, impl):
        if op == "fwd+bwd" and impl in (FLOOR, FLOOR_FRESH):
            a, b = results.get((w, "train", impl)), results.get((w, "backward", impl))
            return None if a is None or b is None else a + b
        return results.get((w, op, impl))

    def torch_key(w, op):
        """The torch row an op is compared with: torch masked ops where there are some, else torch."""
        return (w, op, TORCH_MASKED if get(w, op, TORCH_MASKED) is not None else TORCH)

    def torch_ref(w, op):
        return get(*torch_key(w, op))

    order = [RK_LAYER, RK_VJP, RK_KERNELS, TORCH, TORCH_MASKED, TORCH_ATEN, TORCH_ATEN + " (unmasked proxy)",
             TORCH_PROXY, JAX, NUMPY, FLOOR, FLOOR_FRESH]
    header = f"{'workload':<16} | {'op':<9} | {'implementation':<38} | {'median ms':>10} | {'x torch':>7} | " \
             f"{'x floor':>7} | {'x fresh floor':>13}"
    print()
    print(header)
    print("-" * len(header))
    for wl in chosen:
        for op in OPS:
            t_ref, f_ref, ff_ref = torch_ref(wl.name, op), get(wl.name, op, FLOOR), get(wl.name, op, FLOOR_FRESH)
            for impl in order:
                v = get(wl.name, op, impl)
                if v is None:
                    continue
                label = impl + (" [sum]" if impl in (FLOOR, FLOOR_FRESH) and op == "fwd+bwd" else "")
                if impl == RK_LAYER and op == "backward":
                    label = "rkeras backward (layer)"
                print(f"{wl.name:<16} | {op:<9} | {label:<38} | {v:>10.3f} | "
                      f"{fmt_ratio(v / t_ref if t_ref else None):>7} | {fmt_ratio(v / f_ref if f_ref else None):>7} | "
                      f"{fmt_ratio(v / ff_ref if ff_ref else None):>13}")
        print("-" * len(header))
    print("x torch: / the torch row of the same op (sequence_masked: / torch masked ops); x floor: / floor "
          "(prealloc); x fresh floor: / floor (fresh out).")
    print("floor primitives (the fastest of each, chosen right before timing, per workload; medians of 11, "
          "primed like the timed cases):")
    for n in notes:
        print("  " + n)
    noisy = [w for w, share in busy_during.items() if share > 0.10]
    print("CPU used by other processes while timing: " +
          ", ".join(f"{w} {share:.0%}" for w, share in busy_during.items()) +
          (f"  -- WARNING: the machine was busy during {', '.join(noisy)}: those figures are unreliable "
           "(busy CPUs make OpenMP's spinning threads wait for milliseconds)" if noisy else ""))
    if args.quick:
        print("--quick: tiny sizes, numba and torch limited to 1 thread; figures mean nothing")

    # ------------------------------------------------------------------------------ targets
    names = {w.name: w for w in chosen}
    targets = []  # (id, description, numerator case, denominator case, limit); a case is (workload, op, impl)
    for w in names.values():
        for op in TARGET_OPS:
            user = (w.name, op, RK_LAYER)
            if torch is not None:
                tid, lim = ("T1", 0.6) if w.big else ("T2", 0.8)
                targets.append((tid, f"{w.name}/{op}: rkeras layer / {'torch masked ops' if w.mask_shape else 'torch'}",
                                user, torch_key(w.name, op), lim))
                if w.mask_shape:
                    targets.append(("T3", f"{w.name}/{op}: rkeras layer (masked) / torch unmasked native",
                                    user, (w.name, op, TORCH_PROXY), 1.0))
            tid, lim = ("T4", 1.3) if w.big else ("T5", 2.0)
            targets.append((tid, f"{w.name}/{op}: rkeras kernels (prealloc) / floor",
                            (w.name, op, RK_KERNELS), (w.name, op, FLOOR), lim))
            if w.big:
                targets.append(("T6", f"{w.name}/{op}: rkeras layer / floor (fresh out)",
                                user, (w.name, op, FLOOR_FRESH), 1.5))
    targets.sort(key=lambda t: t[0])
    print()
    print("targets" + (" (--quick: shown, not enforced)" if args.quick else "") + ", judged by the ratio of medians:")
    print("  (paired = the median over repetitions of numerator / denominator timed in the same repetition; it helps\n"
          "  read a miss: a machine that changes speed during the run moves the ratio of medians, not the paired)")
    if torch is None:
        print("  note: torch is not installed: the x torch targets (T1-T3) are skipped")
    missed = 0
    checked = []
    for tid, desc, num, den, lim in targets:
        a, b = get(*num), get(*den)
        val = None if a is None or b is None else a / b
        ok = val is not None and val <= lim
        missed += not ok
        checked.append({"id": tid, "description": desc, "numerator": list(num), "denominator": list(den),
                        "limit": lim, "value": _finite(val), "met": ok})
        ta, tb = run_times.get(num), run_times.get(den)
        paired = statistics.median(x / y for x, y in zip(ta, tb)) if ta and tb and len(ta) == len(tb) else None
        print(f"  {tid} {'met   ' if ok else 'MISSED'} {desc:<62} {fmt_ratio(val, 3):>6} (<= {lim})  "
              f"paired {fmt_ratio(paired, 3)}")
    for p in problems:
        print("WARNING: " + p)
    print(f"{len(targets) - missed} of {len(targets)} targets met" + ("" if args.quick else
          (", exit status 1" if missed or problems else "")))
    if args.json is not None:
        save_run(args.json, {
            "format": RUN_FORMAT,
            "started": started, "argv": sys.argv[1:] if argv is None else list(argv), "quick": args.quick,
            "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "rkeras": rk.__version__, "torch": torch.__version__ if torch else None,
            "jax": jax.__version__ if jax else None, "cpus": os.cpu_count(), "numba_threads": numba.get_num_threads(),
            "repeats": repeats, "warmup": warmup, "prime_ms": prime_s * 1e3,
            "workloads": [{"name": w.name, "shape": list(w.shape), "axis": w.axis, "big": w.big,
                           "mask": w.mask_shape is not None, "others_cpu": _finite(busy_during.get(w.name))}
                          for w in chosen],
            "cases": [{"workload": k[0], "op": k[1], "impl": k[2], "times_s": v} for k, v in run_times.items()],
            "targets": checked, "problems": problems,
        })
        print(f"run saved to {args.json}")
    if args.quick:
        return 0
    return 1 if (missed or problems) else 0


RUN_FORMAT = "rkeras-bench-batch-norm/1"


def _finite(v):
    """v, or None when it is missing or not a finite number (JSON has no NaN)."""
    return v if v is not None and np.isfinite(v) else None


def save_run(path, run):
    """Write `run` as JSON (to a temporary file first, so an interrupted run leaves no half file)."""
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(run, indent=1, allow_nan=False) + "\n")
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
