"""Configs of layers that hold layers (an RNN's cell, a wrapper's layer), as Keras writes them:
`{"class_name": <class>, "config": <the inner layer's get_config()>}`, rebuilt by class name."""

from ...core.layer import Layer


def serialize_layer(layer) -> dict:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def deserialize_layer(config, arg_name: str):
    """A layer from `serialize_layer()`'s dict; a layer instance is passed through."""
    if isinstance(config, Layer):
        return config
    if not isinstance(config, dict) or set(config) != {"class_name", "config"}:
        raise TypeError(f"`{arg_name}` must be a layer or a {{'class_name': ..., 'config': {{...}}}} dict; "
                        f"received {config!r}.")
    import rkeras  # noqa: F401 - every layer class is defined once the package is imported
    matches = {c for c in _subclasses(Layer) if c.__name__ == config["class_name"]}
    if len(matches) != 1:
        raise ValueError(f"`{arg_name}`: unknown layer class {config['class_name']!r}.")
    return matches.pop().from_config(dict(config["config"]))
