"""`serialize_keras_object()` / `deserialize_keras_object()`: objects <-> Keras 3's dict form.

The dict form is Keras 3's: `{"module", "class_name", "config", "registered_name"}` (plus
`"build_config"` for layers). Configs here hold rkeras' R-style values (1-based axes);
`keras_config` converts them to and from the values Keras writes in its files.

Deserialization never runs code from its input: the class comes from rkeras' registry, the
registered objects or the caller's `custom_objects`, and nothing else (no import of a named module,
no pickle, no lambda). `safe_mode` is always on for those rules; there is no unsafe mode.
"""

import inspect

import numpy as np

from . import metric_classes, registry

# rkeras kind -> the Keras module name written in files
KERAS_MODULES = {
    "layers": "keras.layers",
    "optimizers": "keras.optimizers",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "initializers": "keras.initializers",
    "regularizers": "keras.regularizers",
    "constraints": "keras.constraints",
}
_MODULE_KINDS = {v: k for k, v in KERAS_MODULES.items()}
_MAX_DEPTH = 64
_MAX_ELEMENTS = 10_000_000  # shapes and arrays named in a config (an "absurd shape" above this)


class UnsafeFileError(ValueError):
    """A file or config that rkeras refuses to load (it names something outside the registry, ...)."""


# ----------------------------------------------------------------------------------------- serialize
def serialize_keras_object(obj):
    """`obj` as Keras' dict form (R-style config values); plain values are returned as they are."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, np.dtype):
        return obj.name
    reg = registry.registered_name(obj)
    if hasattr(obj, "get_config") and not isinstance(obj, type):
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        kind = registry.kind_of(obj)
        if isinstance(obj, Functional):
            module, class_name = "keras.src.models.functional", "Functional"
            reg = reg or "Functional"
        elif isinstance(obj, Sequential):
            module, class_name = "keras", "Sequential"
        elif reg is not None:
            module, class_name = type(obj).__module__, type(obj).__name__
        elif kind == "metrics" and metric_classes.keras_form(obj) is not None:
            class_name, config = metric_classes.keras_form(obj)
            return {"module": "keras.metrics", "class_name": class_name, "config": serialize_keras_object(config),
                    "registered_name": None}
        elif kind is not None and type(obj).__module__.startswith("rkeras."):
            # Keras' exported name where it differs from the class's (GroupedQueryAttention: GroupQueryAttention)
            module = KERAS_MODULES[kind]
            class_name = type(obj).__dict__.get("keras_class_name") or type(obj).__name__
        else:  # a user's class, as Keras writes it: loading it needs registration or `custom_objects`
            module, class_name = type(obj).__module__, type(obj).__name__
        out = {"module": module, "class_name": class_name,
               "config": serialize_keras_object(obj.get_config()), "registered_name": reg}
        build_shape = getattr(obj, "_build_input_shape", None)
        if isinstance(obj, Sequential):
            build_shape = obj.input_shape
        if kind == "layers" and build_shape is not None and getattr(obj, "keras_build_shape_names", None):
            # Keras builds such a layer from named shapes: `build(query_shape, value_shape, key_shape)`
            # (one shape: the query is the value, self-attention)
            shapes = build_shape if isinstance(build_shape, list) else [build_shape] * 2
            out["build_config"] = {"shapes_dict": {n: serialize_keras_object(tuple(s)) for n, s in
                                                   zip(obj.keras_build_shape_names, shapes)}}
        elif kind == "layers" and build_shape is not None:
            out["build_config"] = {"input_shape": serialize_keras_object(build_shape)}
        return out
    if callable(obj):
        if reg is None:
            raise TypeError(f"Cannot serialize the function {getattr(obj, '__name__', obj)!r}: only functions "
                            f"registered with register_keras_serializable() can be saved (a file holds no "
                            f"code).")
        return {"module": getattr(obj, "__module__", None), "class_name": "function",
                "config": reg.split(">", 1)[1], "registered_name": reg}
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}.")


# --------------------------------------------------------------------------------------- deserialize
def check_name(value, what: str) -> str:
    """A class/registered name from a file: a plain identifier-like string, never a dunder."""
    if not isinstance(value, str) or not value or len(value) > 200:
        raise UnsafeFileError(f"{what} must be a non-empty string; the file has {value!r}.")
    bare = value.split(">", 1)[-1]
    if bare.startswith("__") or any(c in value for c in "()[]{};:/\\ \n\t'\"`"):
        raise UnsafeFileError(f"{what} {value!r} is refused (dunders, paths and code are never loaded).")
    return value


def check_module(module) -> None:
    """A module path in a file is only a label: it must be keras'/rkeras' (or absent)."""
    if module is None:
        return
    if not isinstance(module, str) or not module.replace(".", "").replace("_", "").isalnum():
        raise UnsafeFileError(f"module {module!r} is refused: not a module path.")
    if "__" in module and module != "__main__":  # `__main__` only labels a registered/custom object
        raise UnsafeFileError(f"module {module!r} is refused: dunders are never loaded.")
    # any other module outside keras/rkeras only labels the caller's own objects (see resolve_class)


def check_shape(shape, what: str):
    """A shape from a file: a list of non-negative ints or None, of sane rank and size."""
    if shape is None:
        return None
    if not isinstance(shape, (list, tuple)) or len(shape) > 32:
        raise UnsafeFileError(f"{what} must be a list of at most 32 dimensions; the file has {shape!r}.")
    total = 1
    for d in shape:
        if d is None:
            continue
        if isinstance(d, bool) or not isinstance(d, int) or d < 0:
            raise UnsafeFileError(f"{what} has an invalid dimension {d!r} in {shape!r}.")
        total *= max(d, 1)
    if total > _MAX_ELEMENTS:
        raise UnsafeFileError(f"{what} {shape!r} is absurdly large ({total} elements; at most "
                              f"{_MAX_ELEMENTS} accepted).")
    return tuple(shape)


def _kind_for(module, class_name):
    kind = _MODULE_KINDS.get(module)
    if kind is not None:
        return (kind,)
    return registry.KINDS


def resolve_class(config: dict, custom_objects=None, kinds=None):
    """The class a serialized dict names (refused with an UnsafeFileError when unknown)."""
    class_name = check_name(config.get("class_name"), "class_name")
    registered = config.get("registered_name")
    if registered is not None:
        registered = check_name(registered, "registered_name")
    module = config.get("module")
    check_module(module)
    if class_name in ("Sequential", "Functional", "Model") and (module or "keras").startswith(("keras", "rkeras")):
        from ..models.functional import Functional
        from ..models.sequential import Sequential
        custom = registry.lookup("layers", class_name, registered, custom_objects)
        if custom is not None and custom not in (Sequential, Functional):
            return custom
        return Sequential if class_name == "Sequential" else Functional
    foreign = module is not None and module.split(".", 1)[0] not in ("keras", "rkeras", "builtins")
    for kind in kinds or _kind_for(module, class_name):
        # a module outside keras/rkeras may only label the caller's own (registered / custom) objects
        cls = registry.lookup(kind, class_name, registered, custom_objects, builtins=not foreign)
        if cls is not None:
            return cls
    if foreign:
        raise UnsafeFileError(f"Class {class_name!r} of module {module!r} is refused: outside keras/rkeras, only "
                              f"objects registered with register_keras_serializable() or given in "
                              f"`custom_objects` are loaded, and no module is ever imported.")
    raise UnsafeFileError(f"Unknown class {class_name!r} (module {module!r}): it is neither one of rkeras' "
                          f"own classes nor registered (register_keras_serializable()) nor in `custom_objects`. "
                          f"Nothing is imported from a file.")


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, _depth=0):
    """Rebuild an object from its dict form (R-style configs); plain values are returned as they are."""
    if not safe_mode:
        raise ValueError("`safe_mode` = FALSE is not supported: rkeras never runs code from a file "
                         "(lambdas and pickles cannot be loaded).")
    if _depth > _MAX_DEPTH:
        raise UnsafeFileError(f"The config nests deeper than {_MAX_DEPTH} levels.")
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, safe_mode, _depth + 1) for c in config]
    if not isinstance(config, dict):
        raise UnsafeFileError(f"Cannot deserialize a {type(config).__name__}.")
    if "class_name" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode, _depth + 1) for k, v in config.items()}
    class_name = config["class_name"]
    if class_name == "__numpy__":
        inner = config.get("config") or {}
        dtype = np.dtype(check_name(inner.get("dtype", "float32"), "dtype"))
        if dtype.kind not in "biuf":
            raise UnsafeFileError(f"numpy dtype {dtype} is refused (numbers only).")
        arr = np.asarray(inner.get("value"), dtype=dtype)
        check_shape(list(arr.shape), "numpy value shape")
        return arr
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object((config.get("config") or {}).get("value", []), custom_objects,
                                              safe_mode, _depth + 1))
    if class_name == "function":
        name = check_name(config.get("registered_name") or config.get("config"), "function name")
        fn = registry.lookup("functions", name, name, custom_objects)
        if fn is None:
            fn = registry.lookup("functions", str(config.get("config")), None, custom_objects)
        if fn is None or not callable(fn):
            raise UnsafeFileError(f"Unknown function {name!r}: only functions registered with "
                                  f"register_keras_serializable() or given in `custom_objects` are loaded.")
        return fn
    if config.get("module") in ("keras.metrics", None) and metric_classes.constructor(class_name) is not None \
            and registry.lookup("metrics", class_name, config.get("registered_name"), custom_objects) is None:
        inner = {k: deserialize_keras_object(v, custom_objects, safe_mode, _depth + 1)
                 for k, v in (config.get("config") or {}).items() if check_name(k, "config key")}
        return metric_classes.build(class_name, inner)
    cls = resolve_class(config, custom_objects)
    inner = config.get("config")
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise UnsafeFileError(f"The config of {class_name!r} must be a dict; the file has {type(inner).__name__}.")
    if not isinstance(cls, type):
        raise UnsafeFileError(f"{class_name!r} names a function where a class is expected.")
    with registry.custom_object_scope(custom_objects):
        obj = build_object(cls, inner, custom_objects, safe_mode, _depth)
    build = config.get("build_config")
    if build and registry.kind_of(cls) == "layers" and not getattr(obj, "built", True):
        shape = build.get("input_shape")
        names = getattr(cls, "keras_build_shape_names", None)
        if shape is None and names and isinstance(build.get("shapes_dict"), dict):
            given = build["shapes_dict"]
            shape = [given[n] for n in names if given.get(n) is not None] or None
        if isinstance(shape, list) and shape and isinstance(shape[0], list):
            shape = [check_shape(s, "build_config input_shape") for s in shape]
        else:
            shape = check_shape(shape, "build_config input_shape")
        if shape is not None:
            obj._maybe_build(shape)
    return obj


def build_object(cls, config, custom_objects, safe_mode, depth):
    """`cls.from_config(config)`, nested objects first deserialized (except a model's own layers)."""
    from ..models.model import Model
    if isinstance(cls, type) and issubclass(cls, Model):
        return cls.from_config(config, custom_objects=custom_objects)
    kwargs = {}
    for key, value in config.items():
        check_name(key, "config key")
        # nested initializers, regularizers, constraints... become objects the constructor accepts as is
        kwargs[key] = deserialize_keras_object(value, custom_objects, safe_mode, depth + 1)
    try:
        return cls.from_config(kwargs)
    except TypeError as err:
        raise TypeError(f"Cannot rebuild {cls.__name__} from its config: {err}") from err


def accepted_keys(cls) -> set | None:
    """Names `cls.__init__` accepts, or None when it takes **kwargs of any name."""
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return None
    names = {n for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and n != "self"}
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        from ..core.layer import Layer
        if isinstance(cls, type) and issubclass(cls, Layer):
            names |= {"name", "dtype", "trainable", "input_shape", "batch_size", "input_dim"}
            # a subclass passing **kwargs to Layer: what Layer accepts, and what the subclass names
            return names
        return None
    return names
