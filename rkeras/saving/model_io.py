"""Saving and loading whole models and their weights: what `save_model()` / `load_model()` run.

A `.keras` file holds Keras 3's serialization of the model (with its `build_config` and
`compile_config`), the weights and the optimizer state; a model loaded with `compile = TRUE` resumes
training where the saved one stopped.
"""

import json

from . import keras_file, registry, weights_h5
from .keras_config import from_keras, to_keras
from .serialization import UnsafeFileError, deserialize_keras_object, serialize_keras_object

_COMPILE_DEFAULTS = {"weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
                     "jit_compile": False}


def _check_model(model, arg_name="model"):
    from ..models.model import Model
    if not isinstance(model, Model):
        raise TypeError(f"`{arg_name}` must be a model (Sequential or functional); received "
                        f"{type(model).__name__}.")


def _serialize_spec(value, resolved):
    """A loss/metric spec as given: names stay names, objects become dicts; plain functions cannot be saved."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {k: _serialize_spec(v, None) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_spec(v, None) for v in value]
    from ..training import metrics as metrics_mod
    if isinstance(value, metrics_mod.MeanMetricWrapper) and value.name.lower() in metrics_mod.ALIASES:
        return value.name  # rkeras' built-in metrics wrap a function: saved by name, as Keras' strings
    if hasattr(value, "get_config") and not isinstance(value, type):
        return serialize_keras_object(value)
    if resolved is not None:
        return serialize_keras_object(resolved)
    try:
        return serialize_keras_object(value)
    except TypeError:
        name = getattr(value, "__name__", "")
        if name.startswith(("loss_", "metric_")) and getattr(value, "__module__", "").startswith("rkeras."):
            return serialize_keras_object(value())  # an R-style constructor: the object it makes
        if not name.isidentifier():
            raise TypeError(f"Cannot save the loss/metric {value!r}: a lambda has no name to load it by (a file "
                            f"holds no code); use a named function.") from None
        # a user's function, by name as Keras writes it: loading needs it in `custom_objects`
        return {"module": getattr(value, "__module__", None), "class_name": "function", "config": name,
                "registered_name": name}


def compile_config(model) -> dict:
    """Keras' `compile_config` of a compiled model (R-style values), or {}."""
    state = getattr(model, "_compiled", None)
    if state is None:
        return {}
    args = getattr(model, "_compile_args", {})
    single = state.losses[0] if len(state.losses) == 1 else None
    return {"optimizer": serialize_keras_object(state.optimizer),
            "loss": _serialize_spec(args.get("loss"), single),
            "loss_weights": _serialize_spec(args.get("loss_weights"), None),
            "metrics": _serialize_spec(args.get("metrics"), None),
            **_COMPILE_DEFAULTS}


def model_config(model) -> dict:
    """The whole `config.json` of a `.keras` file, in Keras' values."""
    tree = serialize_keras_object(model)
    tree = to_keras(tree)
    tree.setdefault("build_config", {"input_shape": None})
    cc = compile_config(model)
    tree["compile_config"] = to_keras(cc) if cc else {}
    return tree


def _deserialize_spec(value, custom_objects):
    if isinstance(value, dict) and value.get("class_name") == "function":
        module = value.get("module") or ""
        name = value.get("config")
        if module.startswith(("keras.losses", "keras.metrics", "keras.src.losses", "keras.src.metrics")) \
                and isinstance(name, str):
            return name  # Keras' built-in loss/metric functions: their names resolve the same here
    if isinstance(value, dict) and "class_name" in value:
        return deserialize_keras_object(value, custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_spec(v, custom_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_spec(v, custom_objects) for v in value]
    return value


def compile_from_config(model, config: dict, custom_objects=None) -> None:
    """Compile `model` as a `compile_config` (Keras or rkeras values, already from_keras-converted) says."""
    if not isinstance(config, dict):
        raise UnsafeFileError("`compile_config` must be a dict.")
    optimizer = deserialize_keras_object(config.get("optimizer"), custom_objects) if config.get("optimizer") \
        else "rmsprop"
    if isinstance(optimizer, str):
        optimizer = optimizer.lower()
    model.compile(optimizer=optimizer, loss=_deserialize_spec(config.get("loss"), custom_objects),
                  metrics=_deserialize_spec(config.get("metrics"), custom_objects),
                  loss_weights=config.get("loss_weights"))


def model_from_config(tree: dict, custom_objects=None):
    """A model from a Keras-valued `config.json` tree (no weights)."""
    tree = from_keras(tree, custom_objects)
    spec = {k: tree[k] for k in ("module", "class_name", "config", "registered_name", "build_config") if k in tree}
    from ..models.model import Model
    with registry.loading_limits():
        model = deserialize_keras_object(spec, custom_objects)
    if not isinstance(model, Model):
        raise UnsafeFileError(f"The file holds a {type(model).__name__}, not a model.")
    cc = tree.get("compile_config")
    return model, (from_keras(cc, custom_objects) if isinstance(cc, dict) else cc)


def save_model(model, filepath, overwrite=False) -> None:
    _check_model(model)
    path = keras_file.check_target(filepath, overwrite, ".keras", "filepath")
    config = model_config(model)
    weights = keras_file.h5_bytes(lambda h5: weights_h5.write_weights(h5, model))
    keras_file.write_keras_zip(path, config, weights)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    if not safe_mode:
        raise ValueError("`safe_mode` = FALSE is not supported: rkeras never runs code from a file.")
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"`custom_objects` must be a dict (named list) or None; received {custom_objects!r}.")
    path = keras_file.check_target(filepath, True, ".keras", "model")
    config, _, weights = keras_file.read_keras_zip(path)
    model, cc = model_from_config(config, custom_objects)
    if compile and cc:
        compile_from_config(model, cc, custom_objects)
    with keras_file.open_h5_bytes(weights, f"{path!r} model.weights.h5") as h5:
        weights_h5.read_weights(h5, model, include_optimizer=bool(compile))
    return model


def save_weights(model, filepath, overwrite=False) -> None:
    _check_model(model)
    path = keras_file.check_target(filepath, overwrite, ".weights.h5", "filepath")
    data = keras_file.h5_bytes(lambda h5: weights_h5.write_weights(h5, model))
    keras_file.atomic_write(path, lambda f: f.write(data))


def load_weights(model, filepath, skip_mismatch=False):
    _check_model(model)
    path = keras_file.check_target(filepath, True, ".weights.h5", "filepath")
    import os
    if not os.path.exists(path):
        raise FileNotFoundError(f"`filepath`: {path!r} does not exist.")
    with keras_file.open_h5_path(path) as h5:
        return weights_h5.read_weights(h5, model, skip_mismatch=skip_mismatch)


def save_config(model, filepath=None, overwrite=False):
    _check_model(model)
    text = json.dumps(to_keras(serialize_keras_object(model)))
    if filepath is None:
        return text
    path = keras_file.check_target(filepath, overwrite, "", "filepath")
    keras_file.atomic_write(path, lambda f: f.write(text.encode()))
    return None


def load_config(filepath, custom_objects=None):
    import os
    text = filepath
    if isinstance(filepath, (str, os.PathLike)) and os.path.exists(filepath):
        with open(filepath, "rb") as f:
            text = f.read(keras_file.MAX_JSON_BYTES + 1).decode()
    try:
        tree = json.loads(text)
    except (TypeError, ValueError) as err:
        raise ValueError(f"`filepath` must be a JSON file (or JSON text) of a model config: {err}.") from err
    return model_from_config(tree, custom_objects)[0]
