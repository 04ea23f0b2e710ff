"""Public names are declared, not discovered at import time.

Every module that defines public R-style functions lists them in its `__all__`; `rkeras/__init__.py`
imports each of them by name and lists them in its own `__all__`. These tests fail, naming the function and
the file to edit, when a new public function (a `layer_*` wrapper in a new or existing `rkeras/api/` module,
an `op_*`, an `optimizer_*`, ...) is defined without being declared or exported.
"""

import ast
import importlib
import inspect
import pathlib
import pkgutil
import types

import pytest

import rkeras
import rkeras.api

INIT = pathlib.Path(rkeras.__file__)

# Outside `rkeras/api/` a module also holds internal classes and helpers: there a function is R-style, and
# must be declared, when its name has one of these prefixes (R keras3's families).
R_PREFIXES = ("layer_", "rnn_cell", "op_", "random_", "optimizer_", "learning_rate_schedule_", "loss_",
              "metric_", "initializer_", "regularizer_", "constraint_", "callback_", "dataset_",
              "distribution_")

# Names in a module's `__all__` that are its Python API, not R names exported by `rkeras`.
NOT_R_NAMES = {"rkeras.distribute.data_parallel": {"DataParallel"}}


def _init_imports():
    """{module name: [names]} of the `from .x import a, b` statements of rkeras/__init__.py."""
    tree = ast.parse(INIT.read_text())
    imports = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            imports.setdefault(f"rkeras.{node.module}", []).extend(a.asname or a.name for a in node.names)
    return tree, imports


def _api_modules():
    return sorted(m.name for m in pkgutil.iter_modules(rkeras.api.__path__, "rkeras.api."))


def _public_modules():
    """Every `rkeras/api/` module, and every module whose `__all__` rkeras/__init__.py imports."""
    _, imports = _init_imports()
    declared = [m for m in imports if hasattr(importlib.import_module(m), "__all__")]
    return sorted(set(_api_modules()) | set(declared))


def undeclared(module) -> list:
    """The R-style functions (and, in `rkeras/api/`, classes) defined in `module` but not in its `__all__`."""
    in_api = module.__name__.startswith("rkeras.api.")
    declared = set(getattr(module, "__all__", ()))
    out = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        r_style = (in_api and (inspect.isfunction(obj) or inspect.isclass(obj))
                   or inspect.isfunction(obj) and name.startswith(R_PREFIXES))
        if r_style and name not in declared:
            out.append(name)
    return sorted(out)


def unexported(module, package=rkeras) -> list:
    """The names of `module.__all__` that `package` does not export as the same object."""
    skip = NOT_R_NAMES.get(module.__name__, set())
    return sorted(n for n in getattr(module, "__all__", ()) if n not in skip and
                  (n not in package.__all__ or getattr(package, n, None) is not getattr(module, n)))


@pytest.mark.parametrize("module_name", _public_modules())
def test_every_r_function_is_declared_in_its_module(module_name):
    module = importlib.import_module(module_name)
    assert hasattr(module, "__all__"), (
        f"{module_name} defines public functions but declares no `__all__`: list them there "
        "(and import them in rkeras/__init__.py)")
    missing = undeclared(module)
    assert not missing, (
        f"{module_name} defines {missing} without declaring them: add them to its `__all__`, then import "
        "them by name in rkeras/__init__.py and add them to the `__all__` there, in that module's group")


@pytest.mark.parametrize("module_name", _public_modules())
def test_every_declared_name_is_exported_from_rkeras(module_name):
    missing = unexported(importlib.import_module(module_name))
    assert not missing, (
        f"{missing} (declared in {module_name}.__all__) are not exported by rkeras: import them by name in "
        "rkeras/__init__.py and add them to the `__all__` there, in that module's group")


def test_rkeras_all_is_exactly_the_imported_names():
    tree, imports = _init_imports()
    assert len(rkeras.__all__) == len(set(rkeras.__all__)), "rkeras.__all__ lists a name twice"
    imported = {n for names in imports.values() for n in names if not n.startswith("_")}
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert set(rkeras.__all__) == imported | defined
    # the groups of imports are the modules' declarations, name for name
    for module_name, names in imports.items():
        module = importlib.import_module(module_name)
        if hasattr(module, "__all__") and module_name in _public_modules():
            wanted = set(module.__all__) - NOT_R_NAMES.get(module_name, set())
            assert set(names) == wanted, f"rkeras/__init__.py imports {sorted(names)} from {module_name}, " \
                                         f"which declares {sorted(wanted)}"


def test_names_are_not_collected_at_import_time():
    source = INIT.read_text()
    for dynamic in ("import_module", "globals()", "dir(", "setattr("):
        assert dynamic not in source, f"rkeras/__init__.py uses {dynamic}: public names are declared by name"


def test_the_checks_catch_an_undeclared_or_unexported_function():
    fake = types.ModuleType("rkeras.api.layers_fake")

    def layer_fake(object=None):
        return object

    def op_fake(x):
        return x

    for f in (layer_fake, op_fake):
        f.__module__ = fake.__name__
    fake.layer_fake, fake.op_fake = layer_fake, op_fake
    assert undeclared(fake) == ["layer_fake", "op_fake"]
    fake.__all__ = ["layer_fake", "op_fake"]
    assert undeclared(fake) == []
    assert unexported(fake) == ["layer_fake", "op_fake"]
    # outside rkeras/api/ only the R prefixes count
    fake.__name__ = "rkeras.training.fake"
    for f in (layer_fake, op_fake):
        f.__module__ = fake.__name__
    fake.helper = lambda: None
    fake.helper.__module__ = fake.__name__
    fake.__all__ = []
    assert undeclared(fake) == ["layer_fake", "op_fake"]
