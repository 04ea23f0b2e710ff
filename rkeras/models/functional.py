"""Functional models: `keras_model(inputs, outputs)`, any directed acyclic graph of layer calls."""

from ..core.layer import run_forward
from ..core.symbolic import InputLayer, KerasTensor
from .model import Model, add_grads


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class Functional(Model):
    """A model defined by symbolic `inputs` and `outputs` (tensors or lists of tensors)."""

    def __init__(self, inputs, outputs, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._multi_input = isinstance(inputs, (list, tuple))
        self._multi_output = isinstance(outputs, (list, tuple))
        self.inputs = _as_list(inputs)
        self.outputs = _as_list(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"`inputs` and `outputs` must be symbolic tensors (from keras_input() and "
                                f"layer calls); received {type(t).__name__}.")
        for t in self.inputs:
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError("`inputs` must be tensors made by keras_input().")  # noqa: TRY004 (a value, as in Keras)
        self._nodes = self._topological_nodes()
        for node in self._nodes:
            if node.layer not in self._layers:
                self._track_layer(node.layer)
        self.built = True

    def _topological_nodes(self) -> list:
        order, state = [], {}
        input_ids = {id(t) for t in self.inputs}

        def visit(tensor):
            node = tensor.node
            if state.get(id(node)) == "done":
                return
            if state.get(id(node)) == "active":
                raise ValueError("The graph of layer calls has a cycle.")
            if isinstance(node.layer, InputLayer) and id(tensor) not in input_ids:
                raise ValueError(f"Output depends on input '{node.layer.name}', which is not in `inputs`.")
            state[id(node)] = "active"
            for t in node.input_tensors:
                visit(t)
            state[id(node)] = "done"
            order.append(node)

        for t in self.inputs:
            visit(t)
        for t in self.outputs:
            visit(t)
        return order

    @property
    def layers(self) -> list:
        return list(self._layers)

    def layer_output_shapes(self) -> list:
        """Each layer's output shape at its first call in the graph (a list for several outputs)."""
        shapes = []
        for layer in self._layers:
            node = next((n for n in self._nodes if n.layer is layer), None)
            outs = node.output_tensors if node is not None else []
            shapes.append(outs[0].shape if len(outs) == 1 else [t.shape for t in outs] if outs else None)
        return shapes

    def compute_output_shape(self, input_shape):
        shapes = [t.shape for t in self.outputs]
        return shapes if self._multi_output else shapes[0]

    # ----------------------------------------------------------------------------- execution
    def forward(self, inputs, training=False, mask=None, trainable_of=None):
        arrays = _as_list(inputs) if self._multi_input else [inputs]
        if len(arrays) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s); received {len(arrays)}.")
        values, masks = {}, {}
        in_masks = [None] * len(arrays) if mask is None else (_as_list(mask) if self._multi_input else [mask])
        for t, x, m in zip(self.inputs, arrays, in_masks):
            _check_input_shape(self, t, x)
            values[id(t)], masks[id(t)] = x, m
        caches = []
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            ins = [values[id(t)] for t in node.input_tensors]
            in_masks = [masks.get(id(t)) for t in node.input_tensors]
            multi = isinstance(node.inputs, (list, tuple))
            x = ins if multi else ins[0]
            m = (in_masks if any(mm is not None for mm in in_masks) else None) if multi else in_masks[0]
            node_training = node.call_kwargs.get("training")
            node_training = training if node_training is None else node_training
            extra = {k: v for k, v in node.call_kwargs.items() if k in node.layer.extra_call_kwargs}
            out, cache = run_forward(node.layer, x, node_training, m, trainable_of, **extra)
            out_mask = node.layer.compute_mask(x, m, **extra) if extra else node.layer.compute_mask(x, m)
            caches.append((node, cache))
            for t, o, om in zip(node.output_tensors, _as_list(out) if len(node.output_tensors) > 1 else [out],
                                _as_list(out_mask) if len(node.output_tensors) > 1 else [out_mask]):
                values[id(t)], masks[id(t)] = o, om
        outs = [values[id(t)] for t in self.outputs]
        self._last_output_masks = [masks.get(id(t)) for t in self.outputs]
        return (outs if self._multi_output else outs[0]), caches

    def output_masks(self):
        """Masks of the outputs of the last forward pass (used by losses that honour masks)."""
        return getattr(self, "_last_output_masks", [None] * len(self.outputs))

    def backward(self, cache, grad_outputs, input_gradients=True):
        """(input gradients, weight gradients); with `input_gradients=False` the layers that read only model
        inputs skip their input gradients (None is returned for the inputs)."""
        model_inputs = {id(t) for t in self.inputs}
        grads = {}
        for t, g in zip(self.outputs, _as_list(grad_outputs) if self._multi_output else [grad_outputs]):
            if g is not None:
                grads[id(t)] = grads[id(t)] + g if id(t) in grads else g
        weight_grads = {}
        for node, node_cache in reversed(cache):
            outs = node.output_tensors
            if not any(id(t) in grads for t in outs):
                continue
            g_out = [grads.get(id(t)) for t in outs]
            if len(outs) == 1:
                g_out = g_out[0]
            ins = node.input_tensors
            if not input_gradients and all(id(t) in model_inputs for t in ins):
                add_grads(weight_grads, node.layer.backward_weights(node_cache, g_out))
                continue
            g_in, w_grads = node.layer.backward(node_cache, g_out)
            add_grads(weight_grads, w_grads)
            g_in = _as_list(g_in) if isinstance(node.inputs, (list, tuple)) else [g_in]
            for t, g in zip(ins, g_in):
                if g is None:
                    continue
                grads[id(t)] = grads[id(t)] + g if id(t) in grads else g
        in_grads = [grads.get(id(t)) for t in self.inputs]
        return (in_grads if self._multi_input else in_grads[0]), weight_grads

    def backward_weights(self, cache, grad_outputs) -> dict:
        return self.backward(cache, grad_outputs, input_gradients=False)[1]

    def get_config(self):
        """Keras 3's layout: `layers` with their `inbound_nodes`, `input_layers`, `output_layers`."""
        from .functional_config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the model (new layers, same graph) from `get_config()` output."""
        from .functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects)


def _check_input_shape(model, tensor, x):
    expected = tensor.shape
    if x.ndim != len(expected) or any(e is not None and e != s for e, s in zip(expected[1:], x.shape[1:])):
        raise ValueError(f"Input of model '{model.name}' has shape {x.shape}; expected {expected} "
                         f"(None = any size).")


def keras_model(inputs, outputs, name=None, **kwargs):
    """A functional model from symbolic inputs and outputs (R: `keras_model()`).

    Parameters
    ----------
    inputs : KerasTensor or list of KerasTensor
        Tensors made by `keras_input()`.
    outputs : KerasTensor or list of KerasTensor
        Tensors obtained by calling layers on `inputs` (possibly through many layer calls).
    name : str, optional
        The model's name.
    **kwargs
        `trainable` (default True); any other name is a TypeError.
    """
    allowed = ("trainable",)
    unknown = [k for k in kwargs if k not in allowed]
    if unknown:
        raise TypeError(f"Unknown keyword argument(s) for keras_model(): {', '.join(map(repr, unknown))}. "
                        f"Accepted: {', '.join(allowed)}.")
    return Functional(inputs, outputs, name=name, **kwargs)

