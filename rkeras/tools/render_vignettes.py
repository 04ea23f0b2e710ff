"""Render the vignettes (Jupytext "percent" Python files) to Markdown with their outputs and images.

    python -m rkeras.tools.render_vignettes                  # every vignettes/*.py -> vignettes/_rendered/
    python -m rkeras.tools.render_vignettes --out DIR getting_started batch_normalization
    python -m rkeras.tools.render_vignettes --fast           # RKERAS_VIGNETTE_FAST=1: fewer epochs

A vignette is a plain Python file cut into cells by `# %%` lines; a `# %% [markdown]` cell holds
prose written as comments. Each vignette runs in its own Python process (a fresh rkeras state, as
when it is run as a script); its cells run in order in one namespace, and each cell's printed output
(stdout and stderr, progress bars reduced to their last state) and the images it produced are
written after its code. Images are the PNG files a cell writes into the folder named by the
environment variable `RKERAS_FIGURES` (set by the renderer to `<out>/<vignette>_files/`), plus any
matplotlib figure a cell leaves open, saved there as `<vignette>-<cell>-<k>.png` and closed.

A cell that raises stops its vignette: the traceback is written into the document and the command
exits 1 after rendering the others.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import project_root

COMMAND = "python -m rkeras.tools.render_vignettes"
_CELL_MARK = re.compile(r"^# ?%%(?P<rest>.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Cell:
    kind: str  # "code" or "markdown"
    source: str
    lineno: int  # line of the vignette where `source` starts (1-based), for tracebacks


@dataclass
class CellResult:
    cell: Cell
    output: str = ""
    images: list = field(default_factory=list)
    error: str = ""


def _uncomment(line):
    if line.startswith("# "):
        return line[2:]
    if line.startswith("#"):
        return line[1:]
    return line


def parse_percent(text):
    """The cells of a percent-format file. Text before the first `# %%` is a code cell if it has code."""
    cells = []
    kind, start, body = "code", 1, []

    def close():
        lines = list(body)
        first = start
        while lines and not lines[0].strip():
            lines.pop(0)
            first += 1
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            return
        if kind == "markdown":
            cells.append(Cell("markdown", "\n".join(_uncomment(line) for line in lines), first))
        elif any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            cells.append(Cell("code", "\n".join(lines), first))

    for number, line in enumerate(text.splitlines(), start=1):
        match = _CELL_MARK.match(line)
        if match:
            close()
            rest = match.group("rest")
            kind = "markdown" if ("[markdown]" in rest or "[md]" in rest) else "code"
            start, body = number + 1, []
        else:
            body.append(line)
    close()
    return cells


def clean_output(text):
    """What a terminal would show: ANSI codes removed, each line's `\\r` rewrites reduced to the last."""
    text = _ANSI.sub("", text)
    lines = []
    for line in text.split("\n"):
        parts = [p for p in line.split("\r") if p]
        lines.append(parts[-1].rstrip() if parts else "")
    return "\n".join(lines).strip("\n")


def _snapshot(folder):
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file()}


def _open_figures(figures_dir, stem, index, save):
    """Save (if `save`) then close the matplotlib figures left open by a cell."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    saved = []
    for k, num in enumerate(plt.get_fignums(), start=1):
        if save:
            path = figures_dir / f"{stem}-{index}-{k}.png"
            plt.figure(num).savefig(path, dpi=100, bbox_inches="tight")
            saved.append(path.name)
    plt.close("all")
    return saved


def run_cells(cells, path, figures_dir):
    """Execute the code cells in order in one namespace; stop at the first error."""
    path, figures_dir = Path(path), Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    namespace = {"__name__": "__main__", "__file__": str(path)}
    results = []
    for index, cell in enumerate(cells, start=1):
        result = CellResult(cell)
        results.append(result)
        if cell.kind != "code":
            continue
        before = _snapshot(figures_dir)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                code = compile("\n" * (cell.lineno - 1) + cell.source, str(path), "exec")
                exec(code, namespace)  # noqa: S102 - running the vignette is the point
            except BaseException as err:  # reported in the document, then the vignette stops
                if isinstance(err, KeyboardInterrupt):
                    raise
                exc = traceback.TracebackException.from_exception(err)
                frames = [f for f in exc.stack if f.filename == str(path)]
                exc.stack = traceback.StackSummary.from_list(frames or list(exc.stack))
                result.error = "".join(exc.format())
        after = _snapshot(figures_dir)
        new = sorted((name for name in after if before.get(name) != after[name]),
                     key=lambda n: (after[n][0], n))
        result.images = [n for n in new if n.lower().endswith((".png", ".svg", ".jpg", ".jpeg", ".gif"))]
        result.images += _open_figures(figures_dir, path.stem, index, save=not result.images)
        result.output = clean_output(buffer.getvalue())
        if result.error:
            break
    return results


def _fence(text, info=""):
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{info}\n{text}\n{ticks}"


def to_markdown(results, source_name, image_prefix):
    out = [f"<!-- Rendered by `{COMMAND}` from {source_name}: do not edit by hand. -->", ""]
    for r in results:
        if r.cell.kind == "markdown":
            out += [r.cell.source, ""]
            continue
        out += [_fence(r.cell.source, "python"), ""]
        if r.output:
            out += [_fence(r.output, "text"), ""]
        for name in r.images:
            out += [f"![{Path(name).stem}]({image_prefix}{name})", ""]
        if r.error:
            out += ["**Error** (the rendering of this vignette stopped here):", "",
                    _fence(r.error.rstrip(), "text"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def title_of(cells, default):
    for cell in cells:
        if cell.kind == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


@contextlib.contextmanager
def _environ(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def render_vignette(path, out_dir):
    """Run one vignette in this process and write `<out_dir>/<name>.md` and `<out_dir>/<name>_files/`.

    Returns `(markdown path, cell results)`; the document is written even when a cell failed.
    """
    path, out_dir = Path(path).resolve(), Path(out_dir).resolve()
    figures_dir = out_dir / f"{path.stem}_files"
    if figures_dir.exists():
        shutil.rmtree(figures_dir)
    figures_dir.mkdir(parents=True)
    cells = parse_percent(path.read_text(encoding="utf-8"))
    with _environ(RKERAS_FIGURES=figures_dir, MPLBACKEND=os.environ.get("MPLBACKEND", "Agg")):
        results = run_cells(cells, path, figures_dir)
    if not any(figures_dir.iterdir()):
        figures_dir.rmdir()
    try:
        source_name = path.relative_to(project_root()).as_posix()
    except ValueError:
        source_name = path.name
    md = out_dir / f"{path.stem}.md"
    md.write_text(to_markdown(results, source_name, f"{figures_dir.name}/"), encoding="utf-8", newline="\n")
    return md, results


def write_index(out_dir, vignettes):
    out = [f"<!-- Rendered by `{COMMAND}`: do not edit by hand. -->", "", "# rkeras vignettes", ""]
    for path in vignettes:
        if (Path(out_dir) / f"{path.stem}.md").is_file():
            title = title_of(parse_percent(path.read_text(encoding="utf-8")), path.stem)
            out.append(f"- [{title}]({path.stem}.md)")
    (Path(out_dir) / "index.md").write_text("\n".join(out) + "\n", encoding="utf-8")


def _child_environ(extra):
    """The environment of a vignette's process: this one's, with this rkeras importable."""
    import rkeras
    package_parent = str(Path(rkeras.__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, **extra,
            "PYTHONPATH": package_parent + (os.pathsep + path if path else "")}


def find_vignettes(names, vignettes_dir):
    vignettes_dir = Path(vignettes_dir)
    if not names:
        return sorted(p for p in vignettes_dir.glob("*.py") if not p.name.startswith("_"))
    found = []
    for name in names:
        path = Path(name)
        if not path.is_file():
            path = vignettes_dir / (name if name.endswith(".py") else f"{name}.py")
        if not path.is_file():
            raise SystemExit(f"{COMMAND}: no vignette {name!r} (looked in {vignettes_dir})")
        found.append(path)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("vignettes", nargs="*", help="names or paths (default: every vignettes/*.py)")
    parser.add_argument("--out", default=None, help="output folder (default: vignettes/_rendered)")
    parser.add_argument("--vignettes-dir", default=None, help="folder of the vignettes (default: vignettes/)")
    parser.add_argument("--fast", action="store_true", help="set RKERAS_VIGNETTE_FAST=1 (fewer epochs)")
    parser.add_argument("--in-process", action="store_true",
                        help="run the vignettes in this process instead of one fresh process each")
    args = parser.parse_args(argv)
    vignettes_dir = Path(args.vignettes_dir) if args.vignettes_dir else project_root() / "vignettes"
    out_dir = Path(args.out) if args.out else vignettes_dir / "_rendered"
    out_dir.mkdir(parents=True, exist_ok=True)
    vignettes = find_vignettes(args.vignettes, vignettes_dir)
    env = {"RKERAS_VIGNETTE_FAST": "1"} if args.fast else {}
    failed = []
    for path in vignettes:
        start = time.perf_counter()
        if args.in_process:
            with _environ(**env):
                md, results = render_vignette(path, out_dir)
            ok = not any(r.error for r in results)
            if not ok:
                print(next(r.error for r in results if r.error), file=sys.stderr)
        else:  # a fresh process per vignette: layer names, seeds and caches start as in a script
            code = ("import sys; from rkeras.tools.render_vignettes import render_vignette as r; "
                    "md, res = r(sys.argv[1], sys.argv[2]); "
                    "err = [x.error for x in res if x.error]; "
                    "print(err[0], file=sys.stderr) if err else None; sys.exit(1 if err else 0)")
            proc = subprocess.run([sys.executable, "-c", code, str(path), str(out_dir)],
                                  env=_child_environ(env), cwd=str(Path.cwd()), check=False)
            ok, md = proc.returncode == 0, out_dir / f"{path.stem}.md"
        seconds = time.perf_counter() - start
        images = len(re.findall(r"^!\[", md.read_text(encoding="utf-8"), re.MULTILINE)) if md.is_file() else 0
        print(f"{'rendered' if ok else 'FAILED':>8} {path.name} -> {md} ({images} image(s), {seconds:.1f} s)")
        if not ok:
            failed.append(path.name)
    everything = set(vignettes) | set(find_vignettes([], vignettes_dir))
    write_index(out_dir, sorted(everything, key=lambda p: p.name))
    if failed:
        print(f"{COMMAND}: {len(failed)} vignette(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
