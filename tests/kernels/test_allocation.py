"""glibc malloc thresholds fixed at import (rkeras/kernels/allocation.py): a repeated large output is
reused from the heap instead of being mapped and page-faulted afresh on every call."""

import os
import resource
import subprocess
import sys

import pytest

from rkeras.kernels import allocation

glibc = pytest.mark.skipif(not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ,
                           reason="glibc thresholds are tuned on Linux only, unless the user set them")


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@glibc
def test_thresholds_are_set_at_import():
    assert allocation.tune_malloc() is True


FAULTS = """
import resource, sys
import numpy as np
import rkeras as rk
x = np.random.default_rng(0).standard_normal((512, 1024)).astype(np.float32)  # 2 MiB outputs
layer = rk.layer_batch_normalization()
for _ in range(3):
    layer(x, training=True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    layer(x, training=True)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults_of_20_layer_calls(env):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", FAULTS], env={**os.environ, **env}, capture_output=True,
                         text=True, check=True, cwd=root)
    return int(out.stdout.strip())


@glibc
def test_repeated_layer_outputs_do_not_page_fault():
    # glibc with a threshold that does not adapt (the state measured with torch and jax in the process):
    # every 2 MiB output is a fresh mapping, 512 page faults per call
    assert faults_of_20_layer_calls({"MALLOC_MMAP_THRESHOLD_": "131072"}) > 20 * 400
    assert faults_of_20_layer_calls({}) < 200  # rkeras' thresholds: the heap reuses the buffer


@pytest.mark.parametrize("env, expected", [({"RKERAS_MALLOC_TUNING": "0"}, "False"),
                                           ({"MALLOC_MMAP_THRESHOLD_": "131072"}, "False")])
def test_opt_outs(env, expected):
    code = "import rkeras.kernels.allocation as a; print(a.tune_malloc())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.stdout.strip() == expected
