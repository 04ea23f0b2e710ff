"""rkeras' built-in metrics <-> Keras 3's metric classes (`MeanSquaredError`, `BinaryAccuracy`, ...).

rkeras builds its metrics as a running mean of a per-sample function (`metric_*()` constructors);
Keras names one class per metric. This table says which constructor stands for which Keras class, so
a metric object is written as Keras writes it and read back through its R-style constructor.
"""

import inspect

from ..training import metrics as metrics_mod

_CONSTRUCTORS = {
    "MeanSquaredError": "metric_mean_squared_error",
    "MeanAbsoluteError": "metric_mean_absolute_error",
    "BinaryAccuracy": "metric_binary_accuracy",
    "CategoricalAccuracy": "metric_categorical_accuracy",
    "SparseCategoricalAccuracy": "metric_sparse_categorical_accuracy",
    "Accuracy": "metric_accuracy",
    "BinaryCrossentropy": "metric_binary_crossentropy",
    "CategoricalCrossentropy": "metric_categorical_crossentropy",
    "SparseCategoricalCrossentropy": "metric_sparse_categorical_crossentropy",
}


def constructor(class_name: str):
    """The `metric_*` constructor standing for Keras' metric class `class_name`, or None."""
    name = _CONSTRUCTORS.get(class_name)
    return getattr(metrics_mod, name) if name else None


def keras_form(metric):
    """(Keras class name, config) of a built-in rkeras metric object, or None."""
    if type(metric) is not metrics_mod.MeanMetricWrapper:
        return None
    fn = metric.fn
    owner = getattr(fn, "__self__", None)
    if owner is not None and type(owner).__name__ in _CONSTRUCTORS:  # a crossentropy: the loss holds the options
        options = {k: v for k, v in owner.get_config().items() if k not in ("name", "reduction")}
        return type(owner).__name__, {"name": metric.name, **options}
    for class_name, ctor_name in _CONSTRUCTORS.items():
        probe = getattr(metrics_mod, ctor_name)()
        if getattr(probe, "fn", None) is fn:
            return class_name, {"name": metric.name, **metric.fn_kwargs}
    return None


def build(class_name: str, config: dict):
    """A metric object from Keras' class name and config (keys the constructor lacks are dropped when off)."""
    ctor = constructor(class_name)
    params = inspect.signature(ctor).parameters
    kwargs = {}
    for key, value in config.items():
        if key in params and key not in ("y_true", "y_pred"):
            kwargs[key] = value
        elif value is not None and value is not False and key != "dtype":
            raise ValueError(f"Metric {class_name}: `{key}` = {value!r} is not supported by rkeras.")
    return ctor(**kwargs)
