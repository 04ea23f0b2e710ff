"""The configuration protocol shared by initializers, regularizers and constraints.

An object is described by its constructor arguments: `get_config()` returns them as a dict,
`from_config()` rebuilds the object from it (serialization never stores code), and two objects are equal
when they have the same class and configuration, which also gives their hash and their repr.
"""


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
