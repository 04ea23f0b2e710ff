"""CONTRIBUTING.md names things that exist: every path, the example's functions, the helpers it tells a
contributor to use, and the commands it tells them to run."""

import importlib
import re
from pathlib import Path

import rkeras
from rkeras import conventions

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "CONTRIBUTING.md").read_text()

# Written by the batch-normalization kernel split (issue 25 item 2), on another branch: drop from this set
# once that branch is merged.
def _quoted():
    return set(re.findall(r"`([^`\s]+)`", TEXT))


def cited_paths(text_tokens):
    """The quoted tokens that are repository paths (`<kind>` placeholders filled with the example's)."""
    out = []
    for token in text_tokens:
        if "/" in token or token.endswith((".py", ".md", ".toml")):
            out.append(token.replace("<kind>", "normalization").replace("<name>", "rms_normalization"))
    return sorted(out)


def test_every_cited_path_exists():
    paths = cited_paths(_quoted())
    assert len(paths) >= 15, paths  # the walk-through cites its files
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"CONTRIBUTING.md cites paths that do not exist: {missing}"


def test_the_path_check_can_fail():
    assert cited_paths({"rkeras/layers/<kind>/no_such_layer.py", "layer_dense"}) == \
        ["rkeras/layers/normalization/no_such_layer.py"]
    assert not (ROOT / "rkeras/layers/normalization/no_such_layer.py").exists()


def test_the_example_and_the_helpers_exist():
    for name in ("check_kwargs", "validate_r_axis", "resolve_axes", "as_integer", "as_bool", "check_float",
                 "check_range", "check_choice", "as_seed"):
        assert name in TEXT and callable(getattr(conventions, name)), name
    assert callable(rkeras.layer_rms_normalization)
    harness = (ROOT / "tests/layer_harness.py").read_text()
    assert "def run_layer_test(" in harness
    assert "def test_rms_normalization_harness(" in (ROOT / "tests/layers/test_row_normalization.py").read_text()
    reference = importlib.import_module("rkeras.kernels.norm_reference")
    assert callable(reference.row_norm_forward_ref) and callable(reference.row_norm_backward_ref)
    kernels = importlib.import_module("rkeras.kernels.row_norm")
    assert callable(kernels.row_norm_forward) and callable(kernels.row_norm_backward)


def test_the_commands_name_real_modules():
    modules = set(re.findall(r"python -m ([\w.]+)", TEXT))
    assert {"rkeras.tools.document", "pytest"} <= modules
    for module in modules:
        importlib.import_module(module)
    assert "ruff check ." in (ROOT / ".ci/run").read_text()
