"""Smoke run of the recurrent benchmark: `--quick` prints the table and exits 0."""

import subprocess
import sys

from bench_scripts import BENCHMARKS


def test_bench_recurrent_quick_prints_the_table():
    out = subprocess.run([sys.executable, str(BENCHMARKS / "bench_recurrent.py"), "--quick",
                          "--torch-python", sys.executable], capture_output=True, text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    lines = out.stdout.splitlines()
    assert any(line.startswith("cell") and "x torch" in line for line in lines), out.stdout
    for cell in ("lstm", "gru"):
        for op in ("forward", "fwd+bwd"):
            assert any(line.startswith(cell) and f"| {op}" in line and "| rkeras" in line for line in lines), \
                (cell, op, out.stdout)
