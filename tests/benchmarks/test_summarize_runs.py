"""summarize_runs.py: the ratio of medians and the paired ratio over saved benchmark runs, against hand-worked
numbers."""

import json

import pytest
from bench_scripts import load_benchmark_script

summarize_runs = load_benchmark_script("summarize_runs")


def make_run(num, den, limit=0.8, den_impl="torch"):
    """A run with one target, rkeras layer / den_impl on dense inference, from the given times."""
    ratio = sorted(num)[len(num) // 2] / sorted(den)[len(den) // 2]
    return {
        "format": summarize_runs.RUN_FORMAT, "quick": False, "started": "2026-11-26T06:00:00+0000",
        "cases": [{"workload": "dense", "op": "inference", "impl": "rkeras layer", "times_s": num},
                  {"workload": "dense", "op": "inference", "impl": "torch", "times_s": den}],
        "targets": [{"id": "T2", "description": "dense/inference: rkeras layer / torch",
                     "numerator": ["dense", "inference", "rkeras layer"],
                     "denominator": ["dense", "inference", den_impl], "limit": limit, "value": ratio,
                     "met": ratio <= limit}],
    }


def test_ratio_of_medians_and_paired_ratio_by_hand():
    # run a: medians 2 / 3 = 0.667; paired ratios 1, 0.5, 3 -> median 1.0 (the two statistics differ)
    a = make_run([1.0, 2.0, 9.0], [1.0, 4.0, 3.0])
    # run b: 0.5 either way
    b = make_run([2.0, 2.0, 2.0], [4.0, 4.0, 4.0])
    assert summarize_runs.target_ratios(a)[("T2", "dense/inference: rkeras layer / torch")] == \
        pytest.approx((0.8, 2.0 / 3.0, 1.0))
    [(tid, _desc, limit, n, medians, paired)] = summarize_runs.summarize([("a", a), ("b", b)])
    assert (tid, limit, n) == ("T2", 0.8, 2)
    assert medians == pytest.approx([0.5, (0.5 + 2.0 / 3.0) / 2, 2.0 / 3.0, 0])  # min, median, max, over
    assert paired == pytest.approx([0.5, 0.75, 1.0, 1])


def test_main_prints_the_table_and_each_run(tmp_path, capsys):
    paths = []
    for name, run in (("a", make_run([1.0, 2.0, 9.0], [1.0, 4.0, 3.0])),
                      ("b", make_run([5.0, 5.0, 5.0], [4.0, 4.0, 4.0]))):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(run))
    assert summarize_runs.main([str(p) for p in paths]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("T2 dense/inference"))
    assert [c.strip() for c in row.split("|")[1:]] == ["0.8", "2", "0.667", "0.958", "1.250", "1",
                                                       "1.000", "1.125", "1.250", "2"]
    assert "b.json: started 2026-11-26T06:00:00+0000, 0 of 1 targets met; missed: T2 dense/inference: " \
           "rkeras layer / torch 1.250" in out
    assert "1 of 2 run(s) met every target they checked" in out


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.update(format="something else"), "not a run saved by bench_batch_norm.py --json"),
    (lambda r: r.pop("targets"), "`targets` is missing"),
    (lambda r: r["targets"][0].update(denominator=["dense", "inference", "jax.jit"]), "does not hold"),
    (lambda r: r["cases"][1].update(times_s=[4.0, 4.0]), "paired ratios need one of each per repetition"),
    (lambda r: r["cases"][0].update(times_s=[1.0, 0.0, 1.0]), "has no positive times"),
    (lambda r: r.update(quick=True), "--include-quick"),
])
def test_bad_runs_are_refused_with_the_reason(tmp_path, capsys, mutate, message):
    run = make_run([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    mutate(run)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(run))
    assert summarize_runs.main([str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err


def test_a_file_that_is_not_json_is_refused(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("33 of 33 targets met\n")
    assert summarize_runs.main([str(path)]) == 2
    assert "cannot be read as JSON" in capsys.readouterr().err


def write_runs(tmp_path, ratios):
    """One saved run per ratio (rkeras layer / torch on dense inference, limit 0.8), in tmp_path."""
    paths = []
    for k, r in enumerate(ratios):
        paths.append(tmp_path / f"r{k}.json")
        paths[-1].write_text(json.dumps(make_run([r, r, r], [1.0, 1.0, 1.0])))
    return [str(p) for p in paths]


def test_check_judges_a_target_by_its_median_over_the_runs(tmp_path, capsys):
    # one run of three over the limit: the median holds, the check passes
    assert summarize_runs.main(["--check", *write_runs(tmp_path, [0.7, 0.81, 0.75])]) == 0
    assert "check: 1 of 1 targets met by their median over 3 runs" in capsys.readouterr().out
    # two of three over: the median is over, the check fails and names the target
    assert summarize_runs.main(["--check", *write_runs(tmp_path, [0.7, 0.81, 0.85])]) == 1
    out = capsys.readouterr().out
    assert "check: T2 dense/inference: rkeras layer / torch: median over the runs 0.810 is over its limit 0.8" in out
    assert out.rstrip().endswith("exit status 1")


def test_check_needs_three_runs(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        summarize_runs.main(["--check", *write_runs(tmp_path, [0.7, 0.7])])
    assert stop.value.code == 2
    assert "--check needs at least 3 runs; received 2" in capsys.readouterr().err
