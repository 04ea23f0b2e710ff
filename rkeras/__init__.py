"""rkeras: the R keras3 API in Python, on a small numpy + numba deep-learning core.

Every public name is exported here, and only here (STYLE.md): R-style functions
(`layer_*`, `keras_*`, model verbs, `optimizer_*`, `loss_*`, `metric_*`, `initializer_*`,
`regularizer_*`, `constraint_*`, `callback_*`, `dataset_*`) and the few classes users meet.
"""

from importlib import import_module as _import_module

from .compose import pipe
from .core.config import config_floatx, config_set_floatx
from .core.layer import Layer
from .core.naming import reset_names as _reset_names
from .core.symbolic import KerasTensor, keras_input
from .core.variable import Variable
from .models.functional import Functional, keras_model
from .models.model import Model
from .models.sequential import Sequential, keras_model_sequential
from .training.vjp import value_and_grad, vjp

__version__ = "0.1.0"

# R-style families: every name with one of these prefixes in these modules is public.
_FAMILIES = {
    "rkeras.api.layers_normalization": ("layer_",),
    "rkeras.api.layers_preprocessing": ("layer_", "adapt"),
    "rkeras.api.layers_core": ("layer_",),
    "rkeras.api.layers_convolutional": ("layer_",),
    "rkeras.api.layers_pooling": ("layer_",),
    "rkeras.api.layers_embedding": ("layer_",),
    "rkeras.api.layers_merging": ("layer_",),
    "rkeras.api.layers_activation": ("layer_",),
    "rkeras.api.layers_regularization": ("layer_",),
    "rkeras.api.layers_reshaping": ("layer_",),
    "rkeras.api.layers_attention": ("layer_",),
    "rkeras.api.layers_image_preprocessing": ("layer_",),
    "rkeras.api.layers_image_augmentation": ("layer_",),
    "rkeras.api.layers_recurrent": ("layer_", "rnn_cell"),
    "rkeras.api.verbs": ("compile", "fit", "evaluate", "predict", "train_on_batch", "test_on_batch",
                         "predict_on_batch", "summary", "freeze_weights", "unfreeze_weights",
                         "get_weights", "set_weights"),
    "rkeras.api.utils": ("get_layer", "pop_layer", "pad_sequences", "to_categorical", "zip_lists"),
    "rkeras.initializers": ("initializer_",),
    "rkeras.regularizers": ("regularizer_",),
    "rkeras.constraints": ("constraint_",),
    "rkeras.random": ("set_random_seed",),
    "rkeras.training.optimizers": ("optimizer_",),
    "rkeras.training.learning_rate_schedules": ("learning_rate_schedule_",),
    "rkeras.training.losses": ("loss_",),
    "rkeras.training.metrics": ("metric_",),
    "rkeras.training.callbacks": ("callback_",),
    "rkeras.training.checkpoint_callbacks": ("callback_",),
    "rkeras.api.saving": ("save_model", "load_model", "clone_model", "serialize_keras_object",
                          "deserialize_keras_object", "register_keras_serializable"),
    "rkeras.training.history": ("plot", "as_data_frame"),
    "rkeras.datasets": ("dataset_",),
    "rkeras.distribute.data_parallel": ("distribution_", "set_distribution"),
    "rkeras.api.ops": ("op_", "random_", "shape", "array_reshape"),
    "rkeras.api.custom": ("new_", "Loss", "Metric", "Callback", "layer_lambda"),
}

__all__ = [
    "Functional",
    "KerasTensor",
    "Layer",
    "Model",
    "Sequential",
    "Variable",
    "clear_session",
    "config_floatx",
    "config_set_floatx",
    "keras_input",
    "keras_model",
    "keras_model_sequential",
    "pipe",
    "value_and_grad",
    "vjp",
]

for _module_name, _prefixes in _FAMILIES.items():
    _module = _import_module(_module_name)
    for _name in dir(_module):
        if _name.startswith(_prefixes) and callable(getattr(_module, _name)):
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)


def clear_session() -> None:
    """Reset the default layer names (`dense`, `dense_1`, ...) as R keras3's `clear_session()`."""
    _reset_names()
