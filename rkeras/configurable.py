"""The configuration protocol shared by initializers, regularizers and constraints.

An object is described by its constructor arguments: `get_config()` returns them as a dict,
`from_config()` rebuilds the object from it (serialization never stores code), and two objects are equal
when they have the same class and configuration, which also gives their hash and their repr.

The families built on it (initializers, regularizers, constraints) share `resolve_identifier()`, which turns
what an argument received (None, a name in any spelling, an object, a config dict, a class, a callable) into
an object of the family, and `serialize_object()`, its inverse for a layer's `get_config()`, so the three
accept and report identifiers the same way.
"""

import difflib
import inspect


class Configurable:
    """Base of the objects described by their constructor arguments (see the module)."""

    def get_config(self) -> dict:
        """The constructor arguments, as a dict that `from_config()` accepts."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild the object from its `get_config()` dict."""
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash((type(self).__name__, repr(self.get_config())))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def name_key(name: str) -> str:
    """'GlorotUniform', 'glorot_uniform', 'GLOROT_UNIFORM' -> 'glorotuniform' (one lookup key)."""
    return name.replace("_", "").replace("-", "").lower()


def _unknown_name_message(identifier, arg_name, accepted, object_hint) -> str:
    listed = ", ".join(repr(a) for a in accepted)
    message = f"Unknown `{arg_name}`: {identifier!r}. Accepted: {listed}, or {object_hint}."
    close = difflib.get_close_matches(name_key(identifier), [name_key(a) for a in accepted], n=1)
    if close:
        suggestion = next(a for a in accepted if name_key(a) == close[0])
        message += f" Did you mean {suggestion!r}?"
    return message


def _all_subclasses(base):
    seen, stack = [], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def _class_from_name(class_name, base, classes):
    """A built-in class by any spelling of its name, else a user subclass of `base` by exact name."""
    cls = classes.get(name_key(class_name))
    if cls is not None:
        return cls
    matches = [c for c in _all_subclasses(base) if c.__name__ == class_name]
    return matches[-1] if matches else None


def resolve_identifier(identifier, arg_name, *, base, names, classes, accepted, object_hint,
                        wrap_callable=None):
    """Turn a layer argument into an object of the family `base` (or a plain callable).

    `names` maps name keys to zero-argument factories (string identifiers), `classes` maps name keys
    to classes (dict configs); `accepted` lists the names shown in error messages.
    """
    if identifier is None:
        return None
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str):
        factory = names.get(name_key(identifier))
        if factory is None:
            raise ValueError(_unknown_name_message(identifier, arg_name, accepted, object_hint))
        return factory()
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"`{arg_name}`: a config dict needs a 'class_name' key (and optionally "
                             f"'config'); received {identifier!r}.")
        class_name = identifier["class_name"]
        if not isinstance(class_name, str):
            raise TypeError(f"`{arg_name}`: 'class_name' must be a string; received {class_name!r}.")
        config = identifier.get("config") or {}
        if not isinstance(config, dict):
            raise TypeError(f"`{arg_name}`: 'config' must be a dict; received {config!r}.")
        cls = _class_from_name(class_name, base, classes)
        if cls is None:
            raise ValueError(_unknown_name_message(class_name, arg_name, accepted, object_hint))
        try:
            return cls.from_config(dict(config))
        except (TypeError, ValueError) as err:
            raise type(err)(f"`{arg_name}`: invalid config for {class_name!r}: {err}") from err
    if inspect.isclass(identifier):
        if issubclass(identifier, base):
            return identifier()
        raise TypeError(f"`{arg_name}` must be None, a name ({', '.join(repr(a) for a in accepted)}), "
                        f"{object_hint}; received the class {identifier.__name__}.")
    if callable(identifier):
        return wrap_callable(identifier) if wrap_callable is not None else identifier
    raise TypeError(f"`{arg_name}` must be None, a name ({', '.join(repr(a) for a in accepted)}), a config "
                    f"dict, or {object_hint}; received {identifier!r} ({type(identifier).__name__}).")


def serialize_object(obj, base, family: str):
    """Objects of the family -> {"class_name", "config"} dicts; plain callables -> themselves."""
    if obj is None:
        return None
    if isinstance(obj, base):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if callable(obj):
        return obj
    raise TypeError(f"Cannot serialize {obj!r} as {family}: expected None, {family} object or a callable.")
