"""rkeras configs <-> the configs Keras 3 writes in its files.

rkeras layer configs already use Keras' keys; what differs is generic and handled here for every class:

- axes: a layer lists the config keys that hold R-style axes in `r_axis_config_keys` (1-based with
  the batch dimension; negative axes are the same in both): R `axis = 2` is Keras `axis = 1`;
- `dtype`: a name (or None, the current `config_floatx()`) in rkeras, a `DTypePolicy` dict in Keras;
- nested objects (initializers, regularizers, constraints, ...) get Keras' `module`/`registered_name`;
- keys Keras writes that an rkeras class does not take are dropped when they hold Keras' "off" value
  (None, False, or a listed default such as `renorm_momentum`); any other value is refused, naming it.
"""

from ..core.config import config_floatx
from . import metric_classes, registry
from .serialization import KERAS_MODULES, UnsafeFileError, accepted_keys, check_name, resolve_class

_FLOAT_DTYPES = ("float16", "float32", "float64")
# Keras-only keys whose value is ignorable whatever it is (they only matter when a feature is on)
_IGNORABLE = {"renorm_momentum", "ema_momentum", "ema_overwrite_frequency", "use_ema", "lora_alpha",
              "input_axes", "output_axes", "loss_scale_factor", "gradient_accumulation_steps"}
# families whose `axis` config is R-style over all their classes (layers declare theirs per class)
_FAMILY_AXIS_KEYS = {"constraints": ("axis",), "losses": ("axis",)}
_NOT_OBJECTS = ("__keras_tensor__", "__numpy__", "__tuple__", "function")


def _is_object(value) -> bool:
    return isinstance(value, dict) and "class_name" in value and "config" in value \
        and value.get("class_name") not in _NOT_OBJECTS


def _policy(name) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _r_to_keras_axis(axis):
    if isinstance(axis, (list, tuple)):
        return [_r_to_keras_axis(a) for a in axis]
    return axis - 1 if isinstance(axis, int) and axis > 0 else axis


def _keras_to_r_axis(axis):
    if isinstance(axis, (list, tuple)):
        return [_keras_to_r_axis(a) for a in axis]
    return axis + 1 if isinstance(axis, int) and not isinstance(axis, bool) and axis >= 0 else axis


def _dtype_from_keras(value, where):
    if value is None or isinstance(value, str):
        name = value
    elif isinstance(value, dict):
        if value.get("class_name") != "DTypePolicy":
            raise UnsafeFileError(f"{where}: dtype policy {value.get('class_name')!r} is not supported; "
                                  f"accepted: DTypePolicy of {', '.join(_FLOAT_DTYPES)}.")
        name = (value.get("config") or {}).get("name")
    else:
        raise UnsafeFileError(f"{where}: `dtype` must be a name or a DTypePolicy; the file has {value!r}.")
    if name is not None and name not in _FLOAT_DTYPES:
        raise UnsafeFileError(f"{where}: dtype {name!r} is not supported by rkeras; accepted: "
                              f"{', '.join(_FLOAT_DTYPES)} (mixed-precision policies are not).")
    return name


# ------------------------------------------------------------------------------------------ to Keras
def to_keras(tree, custom_objects=None):
    """A serialized rkeras object (R-style) as Keras 3 writes it."""
    if isinstance(tree, list):
        return [to_keras(x, custom_objects) for x in tree]
    if isinstance(tree, tuple):
        return [to_keras(x, custom_objects) for x in tree]
    if not isinstance(tree, dict):
        return tree
    if not _is_object(tree):
        return {k: (v if k == "inbound_nodes" else to_keras(v, custom_objects)) for k, v in tree.items()}
    try:
        cls = resolve_class(tree, custom_objects)
    except UnsafeFileError:
        return tree  # an unregistered user class: written as its get_config() says (loading will need it)
    kind = registry.kind_of(cls)
    out = dict(tree)
    if out.get("module") is None and kind in KERAS_MODULES and cls.__module__.startswith("rkeras."):
        out["module"] = KERAS_MODULES[kind]
    out.setdefault("registered_name", None)
    config = {}
    axis_keys = getattr(cls, "r_axis_config_keys", ()) or _FAMILY_AXIS_KEYS.get(kind, ())
    for key, value in (tree.get("config") or {}).items():
        if key in axis_keys:
            value = _r_to_keras_axis(value)
        elif key == "dtype" and kind == "layers" and cls.__name__ != "InputLayer":
            value = _policy(value or config_floatx()) if not isinstance(value, dict) else value
        elif key == "layers" and isinstance(value, list):
            value = [to_keras(v, custom_objects) for v in value]
        else:
            value = to_keras(value, custom_objects)
        config[key] = value
    out["config"] = config
    return out


# ---------------------------------------------------------------------------------------- from Keras
def from_keras(tree, custom_objects=None, _depth=0):
    """A Keras 3 file's serialized object as rkeras' R-style dict form (refusing what rkeras cannot honour)."""
    if _depth > 64:
        raise UnsafeFileError("The config nests deeper than 64 levels.")
    if isinstance(tree, list):
        return [from_keras(x, custom_objects, _depth + 1) for x in tree]
    if not isinstance(tree, dict):
        return tree
    if not _is_object(tree):
        return {k: (v if k == "inbound_nodes" else from_keras(v, custom_objects, _depth + 1)) for k, v in tree.items()}
    if str(tree.get("module") or "").startswith(("keras.src.ops", "keras.ops")):
        return tree  # an op node of a functional graph: the functional config decides (mask ops only)
    if tree.get("module") == "keras.metrics" and metric_classes.constructor(tree.get("class_name")) is not None:
        return tree  # a built-in metric: rebuilt through its R-style constructor (metric_classes)
    cls = resolve_class(tree, custom_objects)
    kind = registry.kind_of(cls)
    out = dict(tree)
    inner = tree.get("config")
    if not isinstance(inner, dict):
        raise UnsafeFileError(f"The config of {tree.get('class_name')!r} must be a dict.")
    from ..core.symbolic import InputLayer
    from ..models.model import Model
    accepted = None if issubclass(cls, (Model, InputLayer)) else accepted_keys(cls)
    axis_keys = getattr(cls, "r_axis_config_keys", ()) or _FAMILY_AXIS_KEYS.get(kind, ())
    where = f"{tree.get('class_name')} {inner.get('name', '')!s}".strip()
    config = {}
    for key, value in inner.items():
        check_name(key, "config key")
        if accepted is not None and key not in accepted:
            if key in _IGNORABLE or value is None or value is False or key == "dtype":
                continue
            raise UnsafeFileError(f"{where}: `{key}` = {value!r} is not supported by rkeras' {cls.__name__}.")
        if key in axis_keys:
            value = _keras_to_r_axis(value)
        elif key == "dtype" and kind == "layers" and cls.__name__ != "InputLayer":
            value = _dtype_from_keras(value, where)
        elif key == "dtype" and kind != "layers":
            continue  # losses/metrics/optimizers: rkeras computes in float64 / the variable's dtype
        elif key == "layers" and isinstance(value, list):
            value = [from_keras(v, custom_objects, _depth + 1) for v in value]
        else:
            value = from_keras(value, custom_objects, _depth + 1)
        config[key] = value
    out["config"] = config
    return out
