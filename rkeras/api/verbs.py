"""Model verbs, R style: each works as `verb(model, ...)`, `model | verb(...)` and `model.verb(...)`.

Called without a model first, a verb returns a deferred call for the pipe (see `rkeras.compose`).
"""

import functools

from ..compose import Deferred, model_verb
from ..core.layer import Layer
from ..models.model import Model

__all__ = [
    "compile", "evaluate", "fit", "freeze_weights", "get_weights", "predict", "predict_on_batch",
    "set_weights", "summary", "test_on_batch", "train_on_batch", "unfreeze_weights",
]


@model_verb
def compile(object, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
    """Configure a model for training; returns the model.

    Parameters
    ----------
    object : Model
        The model to compile (filled by the pipe: `model | compile(...)`).
    optimizer : str or Optimizer
        "sgd", "adam", "adamw", "rmsprop" or an `optimizer_*()` object.
    loss : str, Loss or callable
        The loss, e.g. "mse" or "sparse_categorical_crossentropy"; one per output (list or dict by
        output name) for several outputs.
    metrics : list, optional
        Metrics to report, e.g. `["accuracy"]` (resolved from the loss like Keras).
    loss_weights : list or dict, optional
        Weights of the per-output losses in the total loss.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    The model. Compiling also takes the snapshot of `trainable` that training uses: a change made
    after `compile()` takes effect at the next `compile()`.
    """
    return object.compile(optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights, **kwargs)


@model_verb
def fit(object, x=None, y=None, batch_size=None, epochs=1, callbacks=None, validation_split=0.0,
        validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=1,
        steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1,
        verbose="auto", **kwargs):
    """Train a model for a fixed number of epochs; returns a `History`.

    Epochs are numbered from 1, as in R keras3: training runs epochs `initial_epoch`..`epochs`, and
    callbacks receive 1-based epoch and batch numbers.

    Parameters
    ----------
    object : Model
        A compiled model.
    x : array, list or dict of arrays, or an iterable of batches
        Inputs: an array (or nested list of numbers), a list (or dict by input name) of arrays for
        several inputs; or a generator / iterable yielding `(x, y)` or `(x, y, sample_weight)`
        batches (then `y` and `sample_weight` stay None). A re-iterable object (a list of batches,
        an object with `__iter__`) is iterated anew each epoch; a generator is used up once.
    y : array, list or dict of arrays
        Targets (a list, or a dict by output name, for several outputs; None for an output compiled
        without loss).
    batch_size : int, optional
        Samples per gradient update (default 32; the last batch may be smaller).
    epochs : int
        Index of the last epoch to train.
    callbacks : Callback or list, optional
        Callbacks such as `callback_early_stopping()`; a single callback need not be in a list.
    validation_split : float
        Fraction of the data (taken from the end, before shuffling) held out for validation.
    validation_data : tuple or iterable, optional
        `(x_val, y_val)` or `(x_val, y_val, sample_weight_val)`, or an iterable of batches,
        evaluated at the end of each epoch (overrides `validation_split`). Checked before the first
        epoch.
    shuffle : bool
        Shuffle the training samples before each epoch (arrays only).
    class_weight : dict, optional
        `{class: weight}` (R: a named list, `list("0" = 1, "1" = 5)`): each sample's loss is weighted
        by its class (integer labels, or the argmax of one-hot targets). Single-output models only.
    sample_weight : array, optional
        One weight per training sample, multiplying its loss (Keras: the weighted sum is divided by
        the number of samples).
    initial_epoch : int
        Epoch at which to start (1-based; to resume training).
    steps_per_epoch : int, optional
        Batches per epoch; each epoch continues where the previous one stopped (Keras' rule).
    validation_steps : int, optional
        Batches of the validation data evaluated at each validation (default: all).
    validation_batch_size : int, optional
        Batch size of the validation (default `batch_size`).
    validation_freq : int
        Validate every `validation_freq` epochs (epochs `validation_freq`, `2 * validation_freq`, ...).
    verbose : "auto", 0, 1 or 2
        0 silent, 1 progress bar, 2 one line per epoch; "auto" is 1 in a terminal, 2 otherwise.
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    A `History`: `history.history` maps `loss`, metrics and their `val_` versions to per-epoch lists.
    """
    return object.fit(x, y, batch_size=batch_size, epochs=epochs, callbacks=callbacks,
                      validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
                      class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
                      steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                      validation_batch_size=validation_batch_size, validation_freq=validation_freq,
                      verbose=verbose, **kwargs)


@model_verb
def evaluate(object, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
             callbacks=None, **kwargs):
    """Loss and metrics of a compiled model on (x, y), in inference mode.

    Parameters
    ----------
    object : Model
        A compiled model.
    x : array, list or dict of arrays, or an iterable of batches
        Inputs, or a generator / iterable of `(x, y)` or `(x, y, sample_weight)` batches.
    y : array, list or dict of arrays
        Targets.
    batch_size : int, optional
        Samples per batch (default 32; the last batch may be smaller).
    verbose : "auto", 0, 1 or 2
        Progress output.
    sample_weight : array, optional
        One weight per sample for the loss and the metrics.
    steps : int, optional
        Number of batches to evaluate (default: all).
    callbacks : Callback or list, optional
        Callbacks; their `on_test_*` hooks are called (batch numbers 1-based).
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    A dict (R's named list): `loss` and each metric.
    """
    return object.evaluate(x, y, batch_size=batch_size, verbose=verbose, sample_weight=sample_weight,
                           steps=steps, callbacks=callbacks, **kwargs)


@model_verb
def predict(object, x=None, batch_size=None, verbose=0, steps=None, callbacks=None, **kwargs):
    """Model outputs for `x`, in inference mode, computed batch by batch.

    Parameters
    ----------
    object : Model
        The model.
    x : array, list or dict of arrays, or an iterable of batches
        Inputs, or a generator / iterable of batches (`x`, or tuples whose first element is `x`).
    batch_size : int, optional
        Samples per batch (default 32).
    verbose : "auto", 0, 1 or 2
        Progress output (default 0, silent).
    steps : int, optional
        Number of batches to predict (default: all).
    callbacks : Callback or list, optional
        Callbacks; their `on_predict_*` hooks are called (batch numbers 1-based; the batch logs hold
        `outputs`).
    **kwargs
        Not accepted: any other name is a TypeError.

    Returns
    -------
    An array (a list of arrays for several outputs).
    """
    return object.predict(x, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks,
                          **kwargs)


@model_verb
def train_on_batch(object, x=None, y=None, **kwargs):
    """One training step on a single batch; returns its loss and metrics (dict).

    Parameters
    ----------
    object : Model
        A compiled model.
    x : array or list of arrays
        One batch of inputs.
    y : array or list of arrays
        Its targets.
    **kwargs
        Not accepted: any other name is a TypeError.
    """
    return object.train_on_batch(x, y, **kwargs)


@model_verb
def test_on_batch(object, x=None, y=None, **kwargs):
    """Loss and metrics of one batch in inference mode (dict).

    Parameters
    ----------
    object : Model
        A compiled model.
    x : array or list of arrays
        One batch of inputs.
    y : array or list of arrays
        Its targets.
    **kwargs
        Not accepted: any other name is a TypeError.
    """
    return object.test_on_batch(x, y, **kwargs)


@model_verb
def predict_on_batch(object, x=None):
    """Outputs of one batch in inference mode.

    Parameters
    ----------
    object : Model
        The model.
    x : array or list of arrays
        One batch of inputs.
    """
    return object.predict_on_batch(x)


@model_verb
def summary(object, line_length=None, expand_nested=False, show_trainable=False, print_fn=None):
    """Print the Keras-style table of layers, output shapes and parameter counts; returns the model.

    As R keras3, the model is returned invisibly: at an interactive prompt it is not echoed (the table
    is printed once). `print(model)`, `format(model)` and the prompt show the same table, and
    `format(model)` gives it as text.

    Parameters
    ----------
    object : Model
        The model.
    line_length : int, optional
        Total width of the table (default: as wide as its contents need, at least 78).
    expand_nested : bool
        List the layers of nested models too, indented under theirs.
    show_trainable : bool
        Add a column saying whether each layer is trainable (`Y`, `N`, or `-` without weights).
    print_fn : callable, optional
        Where the text goes (default `print`).

    Returns
    -------
    The model (invisibly).
    """
    return object.summary(line_length=line_length, expand_nested=expand_nested, show_trainable=show_trainable,
                          print_fn=print_fn)


def _layer_range(model, from_, to):
    layers = model.layers

    def index(ref, arg_name):
        if ref is None:
            return None
        if isinstance(ref, str):
            for i, layer in enumerate(layers):
                if layer.name == ref:
                    return i
            raise ValueError(f"`{arg_name}` = {ref!r} is not a layer of model '{model.name}'. Layers: "
                             f"{', '.join(l.name for l in layers)}.")
        if isinstance(ref, bool) or not isinstance(ref, int) or ref == 0 or abs(ref) > len(layers):
            raise ValueError(f"`{arg_name}` must be a layer name or a 1-based index in 1..{len(layers)} (or "
                             f"negative from the end); received {ref!r}.")
        return ref - 1 if ref > 0 else len(layers) + ref

    start = index(from_, "from_")
    stop = index(to, "to")
    start = 0 if start is None else start
    stop = len(layers) - 1 if stop is None else stop
    if start > stop:
        raise ValueError(f"`from_` ({from_!r}) comes after `to` ({to!r}).")
    return layers[start:stop + 1]


def _set_trainable(model, from_, to, value):
    if not isinstance(model, Model):
        raise TypeError(f"`object` must be a model; received {type(model).__name__}.")
    if from_ is None and to is None:
        model.trainable = value
        return model
    chosen = _layer_range(model, from_, to)  # validated before anything changes
    if value:
        model._trainable = True
    else:
        model.trainable = True  # R: the model becomes trainable, then the range is frozen
    for layer in chosen:
        layer.trainable = value
    return model


@model_verb
def freeze_weights(object, from_=None, to=None):
    """Freeze layers of a model (R's inclusive `from`/`to`, names or 1-based indices); returns the model.

    Without `from_`/`to` the whole model is frozen. A change takes effect for training at the next
    `compile()`.

    Parameters
    ----------
    object : Model
        The model.
    from_ : str or int, optional
        First layer to freeze (name or 1-based index; negative counts from the end).
    to : str or int, optional
        Last layer to freeze, inclusive.
    """
    return _set_trainable(object, from_, to, False)


@model_verb
def unfreeze_weights(object, from_=None, to=None):
    """Unfreeze layers of a model (R's inclusive `from`/`to`); returns the model.

    Parameters
    ----------
    object : Model
        The model.
    from_ : str or int, optional
        First layer to unfreeze (name or 1-based index; negative counts from the end).
    to : str or int, optional
        Last layer to unfreeze, inclusive.
    """
    return _set_trainable(object, from_, to, True)


def _layer_verb(fn):
    """Like `model_verb`, for verbs that take any layer (a model is a layer)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        target = args[0] if args else kwargs.get("object")
        if isinstance(target, Layer):
            return fn(*args, **kwargs)
        return Deferred(fn, args, kwargs)
    return wrapper


@_layer_verb
def get_weights(object, trainable=None):
    """Copies of the weights of a layer or model (list of arrays).

    Parameters
    ----------
    object : Layer or Model
        The layer or model.
    trainable : bool or None
        None (R's `NA`, the default): all weights, in `weights` order; `TRUE`: the trainable ones only;
        `FALSE`: the non-trainable ones only.
    """
    if trainable is None:
        return object.get_weights()
    if trainable not in (True, False):
        raise ValueError(f"`trainable` must be None (R's NA), TRUE or FALSE; received {trainable!r}.")
    chosen = object.trainable_weights if trainable else object.non_trainable_weights
    return [w.numpy() for w in chosen]


@_layer_verb
def set_weights(object, weights=None):
    """Set all weights of a layer or model from a list of arrays; returns the layer or model.

    Parameters
    ----------
    object : Layer or Model
        The layer or model.
    weights : list of arrays
        Values in `get_weights()` order.
    """
    object.set_weights(weights)
    return object
