"""Smoke run of benchmarks/bench_normalization.py: tiny sizes, the table prints (no timing targets)."""

from bench_scripts import load_benchmark_script


def test_bench_normalization_quick_prints_the_table(capsys):
    bench = load_benchmark_script("bench_normalization")
    assert bench.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for row in ("layer (64, 256)", "rms (4, 16, 96)", "group (4, 8, 8, 64) channels_last"):
        assert row in out
    assert "kern/floor" in out
