#!/usr/bin/env python
"""Targets of the batch-normalization benchmark over several saved runs.

One run of `bench_batch_norm.py` is one sample of a noisy machine: on the project's 2-vCPU VM, 9 of 30 runs
on one day missed a target (1 of 15 on the day before), by 0.3-12 %, half of them by less than 3 %, and a
different target from run to run. Whether a target really holds is a question about many runs. Save each
run, then summarize them:

    for i in 1 2 3 4 5; do python benchmarks/bench_batch_norm.py --json runs/r$i.json; done
    python benchmarks/summarize_runs.py runs/*.json

For every target it prints, over the runs that measured it:
  * the ratio of medians (what the benchmark checks): min, median and max over the runs, and how many
    runs were over the limit;
  * the paired ratio: per run, the median over repetitions of numerator time / denominator time from the
    same repetition (timed well under a second apart, so a slow phase of the machine slows both); min,
    median, max and how many runs were over the limit.
Then each run: when it started, how many targets it met, and the ones it missed. Runs made with --quick are
refused unless --include-quick is given (their figures mean nothing).

`--check` makes it a check over the runs: exit status 1 when a target's median over the runs (of the
ratio of medians) is over its limit. A regression moves that median; a run that is 1 % over in a slow
phase of the machine does not. It needs at least 3 runs.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

RUN_FORMAT = "rkeras-bench-batch-norm/1"
CHECK_MIN_RUNS = 3


class RunError(ValueError):
    """A file that is not a run saved by `bench_batch_norm.py --json`."""


def load_run(path):
    """The run saved in `path`, checked for what `summarize` reads."""
    try:
        run = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunError(f"{path}: cannot be read as JSON ({e})") from None
    if not isinstance(run, dict) or run.get("format") != RUN_FORMAT:
        raise RunError(f"{path}: not a run saved by bench_batch_norm.py --json (format {RUN_FORMAT!r} expected)")
    for key in ("cases", "targets"):
        if not isinstance(run.get(key), list):
            raise RunError(f"{path}: `{key}` is missing or not a list")
    return run


def _times(run, case, name):
    key = list(case)
    for c in run["cases"]:
        if [c.get("workload"), c.get("op"), c.get("impl")] == key:
            times = c.get("times_s")
            if not isinstance(times, list) or not times or not all(
                    isinstance(t, (int, float)) and t > 0 for t in times):
                raise RunError(f"{name}: case {key} has no positive times")
            return times
    raise RunError(f"{name}: a target names case {key}, which the run does not hold")


def target_ratios(run, name="run"):
    """{(id, description): (limit, ratio of medians, median of paired ratios)} of one run."""
    out = {}
    for t in run["targets"]:
        num, den = _times(run, t["numerator"], name), _times(run, t["denominator"], name)
        if len(num) != len(den):
            raise RunError(f"{name}: target {t['description']!r}: {len(num)} numerator and {len(den)} denominator "
                           "times; paired ratios need one of each per repetition")
        of_medians = statistics.median(num) / statistics.median(den)
        paired = statistics.median(a / b for a, b in zip(num, den))
        out[(t["id"], t["description"])] = (t["limit"], of_medians, paired)
    return out


def summarize(runs):
    """Rows (id, description, limit, runs, [min, median, max, over] of the ratio of medians, the same of the
    paired ratio), in the order the targets first appear. `runs`: [(name, run)]."""
    per_target = {}
    for name, run in runs:
        for key, (limit, of_medians, paired) in target_ratios(run, name).items():
            entry = per_target.setdefault(key, {"limit": limit, "medians": [], "paired": []})
            entry["medians"].append(of_medians)
            entry["paired"].append(paired)

    def spread(values, limit):
        return [min(values), statistics.median(values), max(values), sum(v > limit for v in values)]

    return [(tid, desc, e["limit"], len(e["medians"]), spread(e["medians"], e["limit"]), spread(e["paired"], e["limit"]))
            for (tid, desc), e in per_target.items()]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", metavar="RUN.json", help="runs saved by bench_batch_norm.py --json")
    ap.add_argument("--include-quick", action="store_true", help="also accept --quick runs (tiny sizes)")
    ap.add_argument("--check", action="store_true",
                    help=f"exit status 1 when a target's median over the runs is over its limit (at least "
                         f"{CHECK_MIN_RUNS} runs)")
    args = ap.parse_args(argv)
    if args.check and len(args.runs) < CHECK_MIN_RUNS:
        ap.error(f"--check needs at least {CHECK_MIN_RUNS} runs; received {len(args.runs)}")
    runs = []
    try:
        for path in args.runs:
            run = load_run(path)
            if run.get("quick") and not args.include_quick:
                raise RunError(f"{path}: a --quick run (tiny sizes, figures mean nothing); pass --include-quick "
                               "to summarize it anyway")
            runs.append((path, run))
        rows = summarize(runs)
    except RunError as e:
        print(f"summarize_runs.py: error: {e}", file=sys.stderr)
        return 2

    print(f"{len(runs)} run(s). Ratio of medians (as the benchmark checks) and paired ratio (median over "
          "repetitions of numerator / denominator timed in the same repetition); over = runs above the limit.")
    width = max(len("target"), *(len(f"{tid} {desc}") for tid, desc, *_ in rows))
    header = (f"{'target':<{width}} | {'limit':>5} | {'runs':>4} | {'min':>5} | {'median':>6} | {'max':>5} | "
              f"{'over':>4} | {'paired min':>10} | {'paired median':>13} | {'paired max':>10} | {'over':>4}")
    print(header)
    print("-" * len(header))
    for tid, desc, limit, n, m, p in rows:
        print(f"{tid + ' ' + desc:<{width}} | {limit:>5} | {n:>4} | {m[0]:>5.3f} | {m[1]:>6.3f} | {m[2]:>5.3f} | "
              f"{m[3]:>4} | {p[0]:>10.3f} | {p[1]:>13.3f} | {p[2]:>10.3f} | {p[3]:>4}")
    print()
    met_all = 0
    for path, run in runs:
        missed = [t for t in run["targets"] if not t.get("met")]
        met_all += not missed
        misses = "; ".join(f"{t['id']} {t['description']} "
                           + ("(not measured)" if t["value"] is None else f"{t['value']:.3f}") for t in missed)
        print(f"{path}: started {run.get('started', '?')}, {len(run['targets']) - len(missed)} of "
              f"{len(run['targets'])} targets met" + (f"; missed: {misses}" if missed else ""))
    print(f"{met_all} of {len(runs)} run(s) met every target they checked")
    if not args.check:
        return 0
    over = [(tid, desc, limit, m[1]) for tid, desc, limit, n, m, p in rows if m[1] > limit]
    for tid, desc, limit, median in over:
        print(f"check: {tid} {desc}: median over the runs {median:.3f} is over its limit {limit}")
    print(f"check: {len(rows) - len(over)} of {len(rows)} targets met by their median over {len(runs)} runs"
          + (", exit status 1" if over else ""))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
