"""The vignettes run as plain Python, and the renderer turns them into Markdown with images."""

import os
import subprocess
import sys
import time

import pytest

from rkeras.tools import project_root, render_vignettes

pytest.importorskip("matplotlib")

VIGNETTES_DIR = project_root() / "vignettes"
VIGNETTES = sorted(p.stem for p in VIGNETTES_DIR.glob("*.py") if not p.name.startswith("_"))
REQUIRED = ["getting_started", "batch_normalization", "transfer_learning", "training_loop"]
TIME_BUDGET = 180  # seconds per vignette in fast mode; they take a few seconds on 2 cores


def _env(figures):
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "RKERAS_VIGNETTE_FAST": "1", "RKERAS_FIGURES": str(figures), "MPLBACKEND": "Agg",
            "PYTHONPATH": str(project_root()) + (os.pathsep + path if path else "")}


def test_the_vignettes_of_the_issue_exist():
    assert set(REQUIRED) <= set(VIGNETTES)


@pytest.mark.parametrize("name", VIGNETTES)
def test_vignette_runs_as_a_plain_python_script(name, tmp_path):
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(VIGNETTES_DIR / f"{name}.py")], env=_env(tmp_path),
                          cwd=tmp_path, capture_output=True, text=True, timeout=3 * TIME_BUDGET, check=False)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, f"{name}.py failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    assert seconds < TIME_BUDGET, f"{name}.py took {seconds:.0f} s in fast mode"
    if name in REQUIRED:  # these plot (distributed_training, for one, does not)
        assert list(tmp_path.glob("*.png")), f"{name}.py wrote no figure into RKERAS_FIGURES"


@pytest.mark.parametrize("name", VIGNETTES)
def test_vignette_is_percent_format_with_a_title(name):
    cells = render_vignettes.parse_percent((VIGNETTES_DIR / f"{name}.py").read_text(encoding="utf-8"))
    assert cells[0].kind == "markdown" and cells[0].source.startswith("# ")
    assert {"markdown", "code"} <= {c.kind for c in cells}


def test_renderer_writes_markdown_with_images_for_batch_normalization(tmp_path):
    assert render_vignettes.main(["batch_normalization", "--out", str(tmp_path), "--fast"]) == 0
    md = (tmp_path / "batch_normalization.md").read_text(encoding="utf-8")
    images = [line[line.index("](") + 2:-1] for line in md.splitlines() if line.startswith("![")]
    assert images, "no image in the rendered batch normalization vignette"
    for image in images:
        assert (tmp_path / image).is_file() and (tmp_path / image).suffix == ".png"
    assert "# Batch normalization in depth" in md
    assert "```python\n" in md and "```text\n" in md  # code and its captured output
    assert "[Batch normalization in depth](batch_normalization.md)" in (tmp_path / "index.md").read_text()


# --- the renderer on a small made-up vignette ---------------------------------------------------------

TOY = '''# %% [markdown]
# # A toy vignette
#
# Some *prose*.

# %%
import os
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
FIGURES = Path(os.environ["RKERAS_FIGURES"])
value = 21
print("first cell")

# %%
print(value * 2)
print("loading", end="\\r")
print("done   ")
fig, ax = plt.subplots()
ax.plot([1, 2, 3])
fig.savefig(FIGURES / "saved.png")
plt.close(fig)

# %% [markdown]
# Between cells.

# %%
plt.plot([3, 2, 1])  # left open: the renderer saves it

# %%
raise RuntimeError("boom")

# %%
print("never runs")
'''


def test_parse_percent_cells():
    cells = render_vignettes.parse_percent(TOY)
    assert [c.kind for c in cells] == ["markdown", "code", "code", "markdown", "code", "code", "code"]
    assert cells[0].source == "# A toy vignette\n\nSome *prose*."
    assert cells[1].lineno == 7 and cells[1].source.startswith("import os")


def test_render_captures_output_per_cell_images_and_errors(tmp_path):
    source = tmp_path / "toy.py"
    source.write_text(TOY)
    md_path, results = render_vignettes.render_vignette(source, tmp_path / "out")
    assert [r.output for r in results[1:3]] == ["first cell", "42\ndone"]
    assert results[2].images == ["saved.png"] and results[4].images == ["toy-5-1.png"]
    assert "RuntimeError: boom" in results[5].error and 'toy.py", line 32' in results[5].error
    assert len(results) == 6  # stopped at the error
    md = md_path.read_text()
    assert "![saved](toy_files/saved.png)" in md and "![toy-5-1](toy_files/toy-5-1.png)" in md
    assert (tmp_path / "out" / "toy_files" / "toy-5-1.png").is_file()
    assert "Some *prose*." in md and "Between cells." in md and "never runs" not in md
    assert "RuntimeError: boom" in md


def test_render_command_exits_1_when_a_vignette_fails(tmp_path, capfd):
    (tmp_path / "bad.py").write_text("# %%\nprint('before')\n\n# %%\n1 / 0\n")
    (tmp_path / "good.py").write_text("# %% [markdown]\n# # Good\n\n# %%\nprint('fine')\n")
    code = render_vignettes.main(["--vignettes-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "ZeroDivisionError" in capfd.readouterr().err
    assert "fine" in (tmp_path / "out" / "good.md").read_text()
    assert "ZeroDivisionError" in (tmp_path / "out" / "bad.md").read_text()
