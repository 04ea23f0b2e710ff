"""`Model`: a layer made of layers, with the verbs of training (compile, fit, evaluate, predict).

Subclasses say how the inner layers are wired: `Sequential` (a chain) and `Functional` (a directed
acyclic graph of layer calls). Both implement `forward`/`backward` like any layer, so a model can be
used as a layer inside another model. The training verbs come from `Trainer`
(`rkeras.training.trainer`), which knows nothing of this module: `Model(Trainer, Layer)`, as Keras 3.
"""

import numpy as np

from ..core.layer import Layer
from ..core.layer import tape_forward as _tape_forward
from ..training import summary
from ..training.trainer import Trainer


def add_grads(store: dict, grads: dict) -> None:
    """Accumulate weight gradients (a layer used twice shares its weights: gradients add up)."""
    for var, g in grads.items():
        store[var] = store[var] + g if var in store else g


class Model(Trainer, Layer):
    """Base of `Sequential` and `Functional` models, and of user models that define `call()`.

    `Model("Name", initialize = ..., call = ...)` (a class name first) returns a new model class, as
    R keras3's `Model()` / `new_model_class()`.
    """

    forwards_trainable_of = True  # runs its inner layers through `run_forward` with the compiled snapshot

    def __new__(cls, *args, **kwargs):
        if cls is Model and args and isinstance(args[0], str):
            from ..api.custom import new_model_class
            return new_model_class(*args, **kwargs)
        return super().__new__(cls)

    def __init__(self, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._compiled = None  # set by compile(): optimizer, loss, metrics, trainable snapshot

    # ----------------------------------------------------------------------------- structure
    @property
    def layers(self) -> list:
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """A layer by `name` or by 1-based `index` (R style), as R keras3's `get_layer()`."""
        if (name is None) == (index is None):
            raise ValueError("Give exactly one of `name` or `index` to get_layer().")
        if index is not None:
            layers = self.layers
            if not isinstance(index, (int, np.integer)) or not 1 <= index <= len(layers):
                raise ValueError(f"`index` must be an integer in 1..{len(layers)} (1-based); received {index!r}.")
            return layers[index - 1]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No layer named {name!r} in model '{self.name}'. Layers: "
                         f"{', '.join(l.name for l in self.layers)}.")

    def forward(self, inputs, training=False, mask=None, trainable_of=None):
        """A user model's `call()`, recorded on a tape when gradients are wanted (see `Layer.forward`)."""
        if type(self).call is Layer.call:
            raise NotImplementedError(f"{type(self).__name__} implements neither call() nor forward().")
        return _tape_forward(self, inputs, bool(training), mask)

    def layer_output_shapes(self) -> list:
        """Each layer's output shape (batch first; a list for several outputs), for `summary()`; None
        where the model does not know it (a subclassed model's `call()` wires its layers at run time)."""
        return [None] * len(self._layers)

    # ----------------------------------------------------------------------------- files
    def save(self, filepath, overwrite=False):
        """Save to a `.keras` file (see `save_model()`)."""
        from ..saving import model_io
        model_io.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=False):
        """Save the weights to a `.weights.h5` file (see `save_model_weights()`)."""
        from ..saving import model_io
        model_io.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights from a `.weights.h5` file (see `load_model_weights()`)."""
        from ..saving import model_io
        model_io.load_weights(self, filepath, skip_mismatch=skip_mismatch)
        return self

    def summary(self, line_length=None, expand_nested=False, show_trainable=False, print_fn=None):
        """Print the summary table (`print_fn(text)`, default `print`); returns the model, as R keras3."""
        text = summary.summary_text(self, line_length=line_length, expand_nested=expand_nested,
                                    show_trainable=show_trainable)
        (print_fn or print)(text)
        return summary.invisible(self)

    def __repr__(self):
        # R prints a model as its summary; so do print(model), format(model) and the prompt
        try:
            return summary.summary_text(self)
        except Exception:  # noqa: BLE001 - a repr must not raise (e.g. a model half-built by a failed call)
            return f"<{type(self).__name__} name={self.name}, layers={len(self.layers)}>"
