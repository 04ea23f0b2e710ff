"""Kernels under interrupts, non-finite data, many shapes and a damaged on-disk cache (issue 18)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import rkeras as rk
from rkeras.kernels.batch_norm import coefficients, entries
from rkeras.layers.normalization import channel_view

PACKAGE_ROOT = Path(rk.__file__).resolve().parents[1]


def test_sigint_during_kernel_calls_is_a_keyboard_interrupt_never_a_system_error():
    """SIGINTs fired for a second at a loop of batch-norm coefficient kernel calls: each
    one raised during a call surfaces as KeyboardInterrupt. Before issue 18 these kernels returned fresh
    arrays, whose boxing calls back into Python (numba unpickles the dtype); an interrupt raised there
    was left set, and most came out as `SystemError: CPUDispatcher(...) returned a result with an
    exception set`. The handler raises only while a call is armed, so that no interrupt escapes the
    test between calls."""
    C = 8
    rng = np.random.default_rng(0)
    x = np.zeros(10, np.float32)
    mean, invstd = rng.random(C), rng.random(C) + 1.0
    gamma = np.ones(C, np.float32)
    sums = rng.random(C), rng.random(C)
    outs = [np.empty(C, np.float32) for _ in range(4)]
    call = coefficients.backward_coefficients
    call(x, mean, invstd, gamma, True, 4.0, True, *sums, *outs)
    armed = [False]

    def interrupt(signum, frame):
        if armed[0]:
            raise KeyboardInterrupt

    done = threading.Event()

    def fire():
        end = time.perf_counter() + 1.0
        while time.perf_counter() < end:
            time.sleep(0.0003 * rng.random())
            os.kill(os.getpid(), signal.SIGINT)
        done.set()

    errors = {}
    previous = signal.signal(signal.SIGINT, interrupt)
    shooter = threading.Thread(target=fire)
    try:
        shooter.start()
        while not done.is_set():
            try:
                armed[0] = True
                call(x, mean, invstd, gamma, True, 4.0, True, *sums, *outs)
                _handle_pending_signals()
                armed[0] = False
            except BaseException as error:  # noqa: BLE001 - counting what comes out
                armed[0] = False  # first: no instruction before it handles signals (no call, no jump back)
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
        shooter.join()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert set(errors) == {"KeyboardInterrupt"}, errors
    assert errors["KeyboardInterrupt"] >= 5  # the interrupts did land (about 20 per second here)


def _handle_pending_signals():
    """A Python call: a signal that arrived during the kernel call is handled here at the latest (without
    releasing the GIL, which would let the signalling thread run and shift its timing)."""


@pytest.mark.parametrize("inner", [1, 5])
def test_inf_in_one_channel_gives_the_same_moving_mean_serial_and_parallel(inner):
    """+Inf in one channel: the batch mean is inf and the variance NaN (numpy's and Keras' semantics) on
    the serial path and on the parallel one (chunks), wherever the inf falls (first of a chunk included).
    Before: inf on the serial path, NaN on the parallel one (the inf became a chunk's shift)."""
    O, C = 64, 3
    x = np.random.default_rng(1).normal(size=(O, C, inner)).astype(np.float32)
    for row in (0, O // 2, O - 1):  # a chunk's first row, the middle, the last
        xi = x.copy()
        xi[row, 1, 0] = np.inf
        results = []
        for nchunks in (1, 2, 4):
            mm, mv = np.zeros(C, np.float32), np.ones(C, np.float32)
            out = np.empty(xi.size, np.float32)
            mean, invstd = np.empty(C), np.empty(C)
            entries._train(xi.reshape(-1), entries._NO_MASK, False, C, inner, mm, False, mm, False, mm, mv,
                           0.5, 1e-3, out, mean, invstd, nchunks)
            results.append((mm.copy(), mv.copy(), mean.copy()))
        ref = xi.transpose(1, 0, 2).reshape(C, -1).astype(np.float64)
        with np.errstate(invalid="ignore"):
            ref_mean, ref_var = ref.mean(1), ref.var(1)
        for mm, mv, mean in results:
            assert mean[1] == np.inf and mm[1] == np.inf and np.isnan(mv[1])
            np.testing.assert_allclose(mean[[0, 2]], ref_mean[[0, 2]], atol=1e-6)  # std 1
            np.testing.assert_allclose(mm[[0, 2]], results[0][0][[0, 2]], rtol=1e-5)  # chunked sums: rounding
            np.testing.assert_allclose(mv[[0, 2]], results[0][1][[0, 2]], rtol=1e-5)
        assert np.isnan(ref_var[1]) and ref_mean[1] == np.inf


def test_per_shape_memo_of_batch_normalization_is_bounded():
    """Before: one entry per input shape, for ever (20 000 shapes: +20 MiB)."""
    layer = rk.layer_batch_normalization()
    for n in range(1, 3 * channel_view.MEMO_SHAPES):
        layer(np.ones((n, 4), np.float32))
    assert len(layer._views) == channel_view.MEMO_SHAPES
    recent = (3 * channel_view.MEMO_SHAPES - 1, 4)
    assert (recent, np.dtype(np.float32)) in layer._views
    y = layer(np.arange(8, dtype=np.float32).reshape(2, 4))  # an evicted shape works as before
    np.testing.assert_allclose(y, np.arange(8).reshape(2, 4) / np.sqrt(1 + 1e-3), rtol=1e-6)


def test_per_shape_memo_of_layer_normalization_is_bounded():
    """Layer, RMS and unit normalization share batch normalization's bounded memo (before: a dict that grew
    by one entry per input shape)."""
    layer = rk.layer_layer_normalization()
    for n in range(1, 3 * channel_view.MEMO_SHAPES):
        layer(np.ones((n, 2, 4), np.float32))
    assert len(layer._views) == channel_view.MEMO_SHAPES
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 4)  # an evicted shape works as before
    want = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(layer(x), want, rtol=1e-5, atol=1e-6)


_CACHE_SCRIPT = """
import warnings
import numpy as np
from rkeras.kernels.batch_norm import layout
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    value = layout.bound(np.int64(10), np.int64(3), np.int64(2))
print(value, sum("Numba cache" in str(w.message) for w in caught))
"""


def _run_cache_script(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), PYTHONPATH=str(PACKAGE_ROOT))
    proc = subprocess.run([sys.executable, "-c", _CACHE_SCRIPT], check=False, capture_output=True, text=True,
                          env=env, timeout=240, cwd=str(PACKAGE_ROOT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    value, warned = proc.stdout.split()
    return int(value), int(warned)


def test_a_corrupt_numba_cache_file_recompiles_with_one_warning(tmp_path):
    """A truncated index (.nbi), then a truncated data (.nbc) file: the kernel recompiles with one
    RuntimeWarning and rewrites the cache (the next process loads it silently). Before: `UnpicklingError`
    at every first call."""
    assert _run_cache_script(tmp_path) == (6, 0)  # populates the cache
    for suffix in (".nbi", ".nbc"):
        files = list(tmp_path.rglob(f"*.bound-*{suffix}"))
        assert files, list(tmp_path.rglob("*"))
        for path in files:
            path.write_bytes(path.read_bytes()[:7])
        assert _run_cache_script(tmp_path) == (6, 1)
    assert _run_cache_script(tmp_path) == (6, 0)
