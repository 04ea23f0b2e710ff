"""Smoke run of the batch-normalization benchmark: `--quick` prints the table and exits 0."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_batch_norm.py"


def test_bench_batch_norm_quick_prints_the_table():
    # generous timeout: a fresh clone compiles the numba kernels once (seconds), the run itself is short
    out = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=600,
                         check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout
    header = next((line for line in text.splitlines() if line.startswith("workload")), None)
    assert header is not None, text
    for column in ("op", "implementation", "median ms", "x torch", "x floor"):
        assert column in header
    for workload in ("dense", "channels_last", "channels_first", "sequence_masked"):
        for impl in ("rkeras layer", "rkeras kernels (prealloc)", "numpy twin (float64)", "floor"):
            assert any(line.startswith(workload) and f"| {impl}" in line for line in text.splitlines()), \
                (workload, impl)
    assert "rkeras backward (layer)" in text and "rkeras vjp (fwd+bwd)" in text
    assert "targets (--quick: shown, not enforced):" in text
    assert "differs from" not in text  # every implementation computed the same thing
