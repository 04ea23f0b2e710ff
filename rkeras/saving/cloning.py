"""`clone_model()`: the same architecture with new layers (fresh weights unless `clone_function` says)."""

from ..core.symbolic import InputLayer, keras_input


def _default_clone(layer):
    from ..models.model import Model
    if isinstance(layer, Model):
        return clone(layer)
    return type(layer).from_config(layer.get_config())


def clone(model, input_tensors=None, clone_function=None, call_function=None, recursive=False):
    from ..models.functional import Functional
    from ..models.model import Model
    from ..models.sequential import Sequential
    if not isinstance(model, Model):
        raise TypeError(f"`model` must be a Sequential or functional model; received {type(model).__name__}.")
    for arg, value in (("input_tensors", input_tensors), ("call_function", call_function)):
        if value is not None:
            raise ValueError(f"`{arg}` must be None (not supported by rkeras); received {value!r}.")
    if clone_function is not None and not callable(clone_function):
        raise TypeError(f"`clone_function` must be a function or None; received {clone_function!r}.")
    if recursive and clone_function is not None:
        raise ValueError("`recursive` = TRUE with a `clone_function` is not supported; use FALSE.")
    fn = clone_function or _default_clone
    if isinstance(model, Sequential):
        return Sequential(layers=[fn(layer) for layer in model.layers],
                          input_shape=model._model_input_shape, name=model.name, trainable=model.trainable,
                          input_batch_size=model._input_batch_size, input_dtype=model.input_dtype)
    if not isinstance(model, Functional):
        raise TypeError(f"clone_model() supports Sequential and functional models; received {type(model).__name__}.")
    tensors, layers = {}, {}
    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            t = node.outputs
            tensors[id(t)] = keras_input(layer.input_shape, batch_size=layer.batch_size, dtype=layer.input_dtype,
                                         name=layer.name)
            continue
        if id(layer) not in layers:
            layers[id(layer)] = fn(layer)
        ins = [tensors[id(t)] for t in node.input_tensors]
        args = ins if isinstance(node.inputs, (list, tuple)) else ins[0]
        out = layers[id(layer)](args, **node.call_kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        for t, o in zip(node.output_tensors, outs):
            tensors[id(t)] = o
    inputs = [tensors[id(t)] for t in model.inputs]
    outputs = [tensors[id(t)] for t in model.outputs]
    return Functional(inputs if model._multi_input else inputs[0], outputs if model._multi_output else outputs[0],
                      name=model.name, trainable=model.trainable)
