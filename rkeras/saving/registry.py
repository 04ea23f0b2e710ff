"""The classes a file may name: rkeras' own (recorded automatically) and the caller's registered ones.

Loading never imports a module named in a file: a class name is looked up here, in the caller's
`custom_objects`, or it is refused. Layer subclasses defined in `rkeras.*` modules are recorded as they
are created (`Layer.__init_subclass__`); optimizers, losses, metrics, initializers, regularizers and
constraints are found among the subclasses of their base class that live in `rkeras.*`, so a class
added anywhere in the package is known without a list to maintain.
"""

import threading

_LAYERS: dict = {}  # class name -> rkeras Layer subclass
_CUSTOM: dict = {}  # "package>name" and "name" -> class or function (register_keras_serializable)
_scope = threading.local()

# kind -> (module, base class name): resolved lazily so this module imports nothing from rkeras
_BASES = {
    "optimizers": ("rkeras.training.optimizers", "Optimizer"),
    "losses": ("rkeras.training.losses", "Loss"),
    "metrics": ("rkeras.training.metrics", "Metric"),
    "initializers": ("rkeras.initializers", "Initializer"),
    "regularizers": ("rkeras.regularizers", "Regularizer"),
    "constraints": ("rkeras.constraints", "Constraint"),
}
KINDS = ("layers",) + tuple(_BASES)


def record_layer_class(cls) -> None:
    """Record a Layer subclass defined inside rkeras (called by `Layer.__init_subclass__`)."""
    if cls.__module__.startswith("rkeras.") and not cls.__name__.startswith("_"):
        _LAYERS[cls.__name__] = cls
        if cls.__dict__.get("keras_class_name"):  # the name Keras writes in files, when it differs
            _LAYERS[cls.__dict__["keras_class_name"]] = cls


def _base(kind):
    import importlib
    module, name = _BASES[kind]
    return getattr(importlib.import_module(module), name)


def _subclasses(base):
    seen, stack = [base], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def builtin_class(kind: str, class_name: str):
    """rkeras' own class of `kind` named `class_name`, or None."""
    if kind == "layers":
        _import_all_layers()
        return _LAYERS.get(class_name)
    for cls in _subclasses(_base(kind)):
        if cls.__name__ == class_name and cls.__module__.startswith("rkeras."):
            return cls
    return None


def kind_of(obj_or_cls):
    """The kind ("layers", "optimizers", ...) of an rkeras object or class, or None."""
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    from ..core.layer import Layer
    if issubclass(cls, Layer):
        return "layers"
    for kind in _BASES:
        if issubclass(cls, _base(kind)):
            return kind
    return None


def _import_all_layers() -> None:
    # rkeras' own modules only (never a name read from a file): importing the package's public API
    # imports every layer module, so every rkeras layer class is recorded.
    import rkeras  # noqa: F401


# ------------------------------------------------------------------------------------- custom objects
def registered_name(obj) -> str | None:
    """The `package>name` under which `obj` (or its class) was registered, else None."""
    target = obj if isinstance(obj, type) or callable(obj) and not hasattr(obj, "get_config") else type(obj)
    for key, value in _CUSTOM.items():
        if value is target and ">" in key:
            return key
    return None


def register(obj, package: str = "Custom", name: str | None = None):
    """Register a class or function under `package>name` (see `register_keras_serializable()`)."""
    if not isinstance(package, str) or not package or ">" in package:
        raise ValueError(f"`package` must be a non-empty string without '>'; received {package!r}.")
    name = name if name is not None else getattr(obj, "__name__", None)
    if not isinstance(name, str) or not name:
        raise ValueError(f"`name` must be a non-empty string; received {name!r}.")
    key = f"{package}>{name}"
    if key in _CUSTOM and _CUSTOM[key] is not obj:
        raise ValueError(f"{key!r} is already registered to {_CUSTOM[key]!r}.")
    if not hasattr(obj, "get_config") and isinstance(obj, type):
        raise ValueError(f"Cannot register the class {obj.__name__}: it must define get_config().")
    _CUSTOM[key] = obj
    return obj


class custom_object_scope:
    """`with custom_object_scope({"Name": cls}): ...` makes those objects known to deserialization."""

    def __init__(self, custom_objects: dict | None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        stack = getattr(_scope, "stack", None)
        if stack is None:
            stack = _scope.stack = []
        stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope.stack.pop()
        return False


def scoped_custom_objects() -> dict:
    out = {}
    for d in getattr(_scope, "stack", []):
        out.update(d)
    return out


def lookup(kind: str, class_name: str, registered: str | None = None, custom_objects: dict | None = None,
           builtins: bool = True):
    """The class (or function) that `class_name` / `registered` names, or None.

    Order, as Keras: the caller's `custom_objects` (and scope), the registered objects, rkeras' own.
    """
    custom = {**scoped_custom_objects(), **(custom_objects or {})}
    for key in (registered, class_name):
        if key and key in custom:
            return custom[key]
    for key in (registered, class_name):
        if key and key in _CUSTOM:
            return _CUSTOM[key]
    if class_name:
        for key, value in _CUSTOM.items():
            if key.split(">", 1)[-1] == class_name:
                return value
    return builtin_class(kind, class_name) if builtins and kind in KINDS else None


# ------------------------------------------------------------------------------------- loading limits
MAX_WEIGHT_ELEMENTS = 2 ** 28  # one weight created while a file is loaded (1 GiB of float32)


class loading_limits:
    """While a file is loaded, a layer asked to create an absurdly large weight refuses (before allocating)."""

    def __enter__(self):
        _scope.loading = getattr(_scope, "loading", 0) + 1
        return self

    def __exit__(self, *exc):
        _scope.loading -= 1
        return False


def check_weight_shape(owner: str, shape) -> None:
    """Called by `Layer.add_weight`: refuse an absurd shape read from a file."""
    if not getattr(_scope, "loading", 0):
        return
    total = 1
    for d in shape:
        total *= int(d)
    if total > MAX_WEIGHT_ELEMENTS:
        raise ValueError(f"Refusing to create weight '{owner}' of shape {tuple(shape)} ({total} elements) while "
                         f"loading a file: at most {MAX_WEIGHT_ELEMENTS} elements per weight.")
