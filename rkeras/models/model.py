"""`Model`: a layer made of layers, with the verbs of training (compile, fit, evaluate, predict).

Subclasses say how the inner layers are wired: `Sequential` (a chain) and `Functional` (a directed
acyclic graph of layer calls). Both implement `forward`/`backward` like any layer, so a model can be
used as a layer inside another model. The training verbs live in `rkeras.training.trainer`.
"""

import numpy as np

from ..core.layer import Layer
from ..core.layer import tape_forward as _tape_forward


def run_forward(layer, inputs, training, mask, trainable_of, **call_kwargs):
    """Run one layer (or nested model) in its effective mode: the one place the trainable rule applies.

    `call_kwargs` are a layer's extra call arguments recorded by a symbolic call (`extra_call_kwargs`)."""
    if isinstance(layer, Model):
        return layer.forward(inputs, training=training, mask=mask, trainable_of=trainable_of)
    return layer.forward(inputs, training=layer.effective_training(training, trainable_of), mask=mask,
                         **call_kwargs)


def add_grads(store: dict, grads: dict) -> None:
    """Accumulate weight gradients (a layer used twice shares its weights: gradients add up)."""
    for var, g in grads.items():
        store[var] = store[var] + g if var in store else g


class Model(Layer):
    """Base of `Sequential` and `Functional` models, and of user models that define `call()`.

    `Model("Name", initialize = ..., call = ...)` (a class name first) returns a new model class, as
    R keras3's `Model()` / `new_model_class()`.
    """

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

    def effective_training(self, training, trainable_of=None) -> bool:
        return bool(training)

    def forward(self, inputs, training=False, mask=None, trainable_of=None):
        """A user model's `call()`, recorded on a tape when gradients are wanted (see `Layer.forward`)."""
        if type(self).call is Layer.call:
            raise NotImplementedError(f"{type(self).__name__} implements neither call() nor forward().")
        return _tape_forward(self, inputs, bool(training), mask)

    # ----------------------------------------------------------------------------- custom training
    def train_step(self, data):
        """One training step on `data = (x, y)`; returns the logs (a dict). Override it to customize
        `fit()` (R keras3's `train_step`): `value_and_grad()` gives gradients, `self.optimizer.apply()`
        updates, `self.compute_loss()` evaluates the compiled loss on the tape."""
        from ..training import trainer
        return trainer.default_train_step(self, data)

    @property
    def optimizer(self):
        """The optimizer given to `compile()` (None before)."""
        return self._compiled.optimizer if getattr(self, "_compiled", None) is not None else None

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The compiled loss of `y_pred` against `y` plus the losses added in the last call; inside
        `value_and_grad()` it is differentiable with respect to `y_pred`."""
        from ..training import trainer
        return trainer.compute_loss(self, y, y_pred, sample_weight)

    # ----------------------------------------------------------------------------- verbs
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        from ..training import trainer
        trainer.compile_model(self, optimizer=optimizer, loss=loss, metrics=metrics,
                              loss_weights=loss_weights, **kwargs)
        # as given, for the `compile_config` of a saved file (Keras keeps names such as "mse")
        self._compile_args = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights}
        return self

    def fit(self, x=None, y=None, **kwargs):
        from ..training import trainer
        return trainer.fit_model(self, x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        from ..training import trainer
        return trainer.evaluate_model(self, x, y, **kwargs)

    def predict(self, x, batch_size=None, verbose=0, **kwargs):
        from ..training import trainer
        return trainer.predict_model(self, x, batch_size=batch_size, verbose=verbose, **kwargs)

    def train_on_batch(self, x, y=None, **kwargs):
        from ..training import trainer
        return trainer.train_on_batch(self, x, y, **kwargs)

    def test_on_batch(self, x, y=None, **kwargs):
        from ..training import trainer
        return trainer.test_on_batch(self, x, y, **kwargs)

    def predict_on_batch(self, x):
        from ..training import trainer
        return trainer.predict_on_batch(self, x)

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
        from ..training import summary
        text = summary.summary_text(self, line_length=line_length, expand_nested=expand_nested,
                                    show_trainable=show_trainable)
        (print_fn or print)(text)
        return summary.invisible(self)

    def __repr__(self):
        # R prints a model as its summary; so do print(model), format(model) and the prompt
        from ..training import summary
        try:
            return summary.summary_text(self)
        except Exception:  # noqa: BLE001 - a repr must not raise (e.g. a model half-built by a failed call)
            return f"<{type(self).__name__} name={self.name}, layers={len(self.layers)}>"
