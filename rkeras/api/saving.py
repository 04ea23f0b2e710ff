"""R-style saving functions: `.keras` files, weights, configs, cloning and (de)serialization.

Each function that takes a model is pipeable: `model | save_model("model.keras")`.
"""

from .. import conventions
from ..compose import model_verb
from ..saving import model_io, registry
from ..saving import serialization as _serialization

__all__ = [
    "clone_model", "deserialize_keras_object", "load_model", "load_model_config", "load_model_weights",
    "register_keras_serializable", "save_model", "save_model_config", "save_model_weights",
    "serialize_keras_object",
]


@model_verb
def save_model(model, filepath=None, overwrite=False, zipped=None, **kwargs):
    """Save a model to a `.keras` file (Keras 3's format): architecture, weights and optimizer state.

    The file is a zip of `metadata.json`, `config.json` (Keras' serialization of the model, its
    `build_config` and `compile_config`) and `model.weights.h5` (weights and optimizer state in the
    HDF5 layout Keras writes), so Keras 3 (Python or R) loads it with `load_model()` too. Writing is
    atomic: a temporary file in the same folder is renamed over `filepath` once complete.

    Parameters
    ----------
    model : Model
        The model to save (filled by the pipe).
    filepath : str
        Path of the file; must end in `.keras`.
    overwrite : bool
        Whether to replace an existing file (FALSE refuses it with an error).
    zipped : None or bool
        Only None or TRUE (a zipped `.keras` file) are supported.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    None (R returns the model invisibly).
    """
    conventions.check_kwargs(kwargs, (), "save_model()", what="argument(s)")
    if zipped not in (None, True):
        raise ValueError(f"`zipped` must be None or TRUE (rkeras writes zipped .keras files); received {zipped!r}.")
    if filepath is None:
        raise ValueError("`filepath` must be given, a path ending in '.keras'.")
    model_io.save_model(model, filepath, overwrite=overwrite)


def load_model(model, custom_objects=None, compile=True, safe_mode=True):
    """Load a model from a `.keras` file written by rkeras or by Keras 3.

    Nothing in the file is executed: classes are looked up among rkeras' own, the registered ones
    (`register_keras_serializable()`) and `custom_objects`; anything else, a module path, a dunder,
    an absurd shape or a malformed zip/HDF5 is refused with an error.

    Parameters
    ----------
    model : str
        Path of the `.keras` file (R keras3 names this argument `model`).
    custom_objects : dict, optional
        Names -> classes or functions the file may refer to (your own layers, losses, ...).
    compile : bool
        Whether to compile the model as it was saved (optimizer with its state, loss, metrics), so
        that training resumes exactly.
    safe_mode : bool
        Only TRUE is supported: rkeras never loads code (lambdas) from a file.

    Returns
    -------
    Model
    """
    return model_io.load_model(model, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


@model_verb
def save_model_weights(model, filepath, overwrite=False, max_shard_size=None):
    """Save all weights (and the optimizer state) to a `.weights.h5` file, laid out as Keras 3 writes it.

    Parameters
    ----------
    model : Model
        The model whose weights are saved (filled by the pipe).
    filepath : str
        Path of the file; must end in `.weights.h5`.
    overwrite : bool
        Whether to replace an existing file.
    max_shard_size : None
        Sharded files are not supported: only None.

    Returns
    -------
    None.
    """
    if max_shard_size is not None:
        raise ValueError(f"`max_shard_size` must be None (sharded weights are not supported); "
                         f"received {max_shard_size!r}.")
    model_io.save_weights(model, filepath, overwrite=overwrite)


@model_verb
def load_model_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Load weights (and the optimizer state of a compiled model) from a `.weights.h5` file.

    Layers are matched as Keras matches them (by class and position, not by name), so files written
    by Keras 3 load too. Every array is checked before any weight changes.

    Parameters
    ----------
    model : Model
        The model to load into (filled by the pipe); it must be built.
    filepath : str
        Path of a `.weights.h5` file.
    skip_mismatch : bool
        Skip layers whose weights do not match (count or shape) instead of raising an error.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    The model (invisibly in R).
    """
    conventions.check_kwargs(kwargs, (), "load_model_weights()", what="argument(s)")
    problems = model_io.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    if problems:
        import warnings
        warnings.warn("Skipped mismatched weights: " + "; ".join(problems), UserWarning, stacklevel=2)
    return model


@model_verb
def save_model_config(model, filepath=None, overwrite=False):
    """The model's architecture as JSON (Keras 3's serialization), saved to `filepath` or returned.

    Parameters
    ----------
    model : Model
        The model (filled by the pipe).
    filepath : str, optional
        Where to write the JSON; None returns it as a string.
    overwrite : bool
        Whether to replace an existing file.

    Returns
    -------
    str or None
        The JSON text when `filepath` is None.
    """
    return model_io.save_config(model, filepath, overwrite=overwrite)


def load_model_config(filepath, custom_objects=None):
    """A new, untrained model from a JSON config (a file written by `save_model_config()`, or the text).

    Parameters
    ----------
    filepath : str
        Path of the JSON file, or the JSON text itself.
    custom_objects : dict, optional
        Names -> classes or functions the config may refer to.

    Returns
    -------
    Model
    """
    return model_io.load_config(filepath, custom_objects=custom_objects)


@model_verb
def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive=False,
                **kwargs):
    """A new model with the same architecture and freshly initialized weights (from its config).

    Parameters
    ----------
    model : Model
        The model to clone (filled by the pipe).
    input_tensors : None
        Only None: the clone gets new inputs of the same shapes.
    clone_function : callable, optional
        Called on each layer of the original, returns the layer to use in the clone (default: a new
        layer from the original's config, so with fresh weights).
    call_function : None
        Only None.
    recursive : bool
        Whether `clone_function` also applies inside nested models (only FALSE with a
        `clone_function`).
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    Model
    """
    from ..saving.cloning import clone
    conventions.check_kwargs(kwargs, (), "clone_model()", what="argument(s)")
    return clone(model, input_tensors=input_tensors, clone_function=clone_function,
                 call_function=call_function, recursive=recursive)


def serialize_keras_object(obj):
    """An object's full config in Keras 3's dict form (`module`, `class_name`, `config`, `registered_name`).

    Parameters
    ----------
    obj : object
        A layer, model, optimizer, loss, metric, initializer, regularizer, constraint, or a registered
        function.

    Returns
    -------
    dict
    """
    return _serialization.serialize_keras_object(obj)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Rebuild an object from its `serialize_keras_object()` dict (nothing in it is executed).

    Parameters
    ----------
    config : dict
        The dict form.
    custom_objects : dict, optional
        Names -> classes or functions the config may refer to.
    safe_mode : bool
        Only TRUE is supported (no code is ever loaded).
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    The object.
    """
    conventions.check_kwargs(kwargs, (), "deserialize_keras_object()", what="argument(s)")
    return _serialization.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)


def register_keras_serializable(object, name=None, package=None):
    """Register a custom class (or function) so that saved files can name it and loading finds it.

    Parameters
    ----------
    object : type or callable
        The class (with `get_config()`) or function to register.
    name : str, optional
        The name to register under (default: the object's `__name__`).
    package : str, optional
        The package part of the registered name `package>name` (default "Custom").

    Returns
    -------
    The object, registered (so it also works as a decorator with `functools.partial`).
    """
    return registry.register(object, package=package or "Custom", name=name)
