"""A module's underscore names are its own: no rkeras module imports another's (`from .x import _y`) or reads
one through the module (`x._y`). A helper that two modules need is a public name of the module that owns it
(argument checks in rkeras/conventions.py, (de)serialization helpers in rkeras/configurable.py, doc helpers
in rkeras/docstrings.py)."""

import ast
import importlib.util
from pathlib import Path

import rkeras

PACKAGE = Path(rkeras.__file__).parent

# Known uses left to the redesign of the training step (issue 25 items 1 and 4): the data-parallel step
# reads the trainer's internals, the tape's recording state is read by the layers and the ops, the trainer
# reads a batching helper. An entry that no longer occurs is harmless; a new use fails the test.
KNOWN = {
    "rkeras/distribute/data_parallel.py": {"_active", "_global"},
    "rkeras/core/layer.py": {"_active"},
    "rkeras/ops/_base.py": {"_active"},
    "rkeras/ops/core.py": {"_active"},
    "rkeras/training/trainer.py": {"_input_names"},
}


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _absolute(path, level, module):
    """The absolute module name of `from <level dots><module> import ...` written in `path`."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    base = parts[: len(parts) - level] if level else []
    return ".".join(base + ([module] if module else [])) if level else module


def _is_module(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def private_uses(path, source):
    """The underscore names of other rkeras modules that `source` (the file at `path`) imports or reads."""
    tree = ast.parse(source)
    modules, found = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(path, node.level, node.module)
            if not origin or not origin.startswith("rkeras"):
                continue
            for alias in node.names:
                if _private(alias.name) and not _is_module(f"{origin}.{alias.name}"):
                    found.add(alias.name)
                elif _is_module(f"{origin}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{origin}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("rkeras"):
                    modules[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                and _private(node.attr):
            found.add(node.attr)
    return found


def test_no_module_uses_another_modules_underscore_names():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        extra = private_uses(path, path.read_text(encoding="utf-8")) - KNOWN.get(rel, set())
        if extra:
            offenders[rel] = sorted(extra)
    assert not offenders, (
        f"modules using other modules' underscore names: {offenders}. Make the helper a public name of the "
        "module that owns it (argument checks: rkeras/conventions.py)")


def test_the_known_list_is_not_stale():
    """An entry of KNOWN that the code no longer needs is removed, so the list only shrinks."""
    stale = {rel: sorted(names - private_uses(PACKAGE.parent / rel, (PACKAGE.parent / rel).read_text("utf-8")))
             for rel, names in KNOWN.items()}
    stale = {rel: names for rel, names in stale.items() if names}
    assert not stale, f"KNOWN lists underscore uses the code no longer has: {stale}; remove them"


def test_the_scan_sees_both_forms():
    path = PACKAGE / "layers" / "normalization" / "some_layer.py"
    source = ("from .batch_normalization import _check_float, BatchNormalization\n"
              "from ... import conventions\n"
              "from ...ops import _base\n"  # a private module imported by name is not a private name
              "x = conventions._is_int(3)\n")
    assert private_uses(path, source) == {"_check_float", "_is_int"}
