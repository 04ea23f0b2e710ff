"""Smoke run of the batch-normalization benchmark: `--quick` prints the table, saves the run as JSON that
`summarize_runs.py` reads, and exits 0."""

import json
import statistics
import subprocess
import sys

import pytest
from bench_scripts import BENCHMARKS, load_benchmark_script

SCRIPT = BENCHMARKS / "bench_batch_norm.py"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """(stdout, path of the saved run) of one `--quick --json` run."""
    saved = tmp_path_factory.mktemp("bench") / "run.json"
    # generous timeout: a fresh clone compiles the numba kernels once (seconds), the run itself is short
    out = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", str(saved)], capture_output=True,
                         text=True, timeout=600, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout, saved


def test_bench_batch_norm_quick_prints_the_table(quick_run):
    text, _ = quick_run
    header = next((line for line in text.splitlines() if line.startswith("workload")), None)
    assert header is not None, text
    for column in ("op", "implementation", "median ms", "x torch", "x floor"):
        assert column in header
    for workload in ("dense", "channels_last", "channels_first", "sequence_masked"):
        for impl in ("rkeras layer", "rkeras kernels (prealloc)", "numpy twin (float64)", "floor"):
            assert any(line.startswith(workload) and f"| {impl}" in line for line in text.splitlines()), \
                (workload, impl)
    assert "rkeras backward (layer)" in text and "rkeras vjp (fwd+bwd)" in text
    assert "targets (--quick: shown, not enforced), judged by the ratio of medians" in text
    assert "differs from" not in text  # every implementation computed the same thing


def test_saved_run_holds_every_repetition_and_the_printed_targets(quick_run):
    text, saved = quick_run
    run = json.loads(saved.read_text())
    assert run["format"] == "rkeras-bench-batch-norm/1" and run["quick"] is True
    times = {(c["workload"], c["op"], c["impl"]): c["times_s"] for c in run["cases"]}
    assert len(times[("dense", "inference", "rkeras layer")]) == run["repeats"]
    assert len(run["targets"]) == int(text.split(" of ")[-1].split(" targets")[0])
    for t in run["targets"]:
        # the saved value is the ratio of the saved times' medians, and the printed one
        num, den = times[tuple(t["numerator"])], times[tuple(t["denominator"])]
        assert t["value"] == pytest.approx(statistics.median(num) / statistics.median(den), rel=1e-12)
        paired = statistics.median(a / b for a, b in zip(num, den))
        assert f"{t['description']:<62} {t['value']:>6.3f} (<= {t['limit']})  paired {paired:.3f}" in text


def test_summarizer_reads_the_saved_run(quick_run, capsys):
    _, saved = quick_run
    summarize_runs = load_benchmark_script("summarize_runs")
    assert summarize_runs.main([str(saved)]) == 2  # a --quick run is refused by default
    assert "--include-quick" in capsys.readouterr().err
    assert summarize_runs.main(["--include-quick", str(saved), str(saved)]) == 0
    out = capsys.readouterr().out
    assert "2 run(s)" in out and "T5 dense/inference: rkeras kernels (prealloc) / floor" in out
