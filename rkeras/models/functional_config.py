"""A functional model's config in Keras 3's layout, and the model rebuilt from it.

Keras 3 writes a functional model as its layers, each with the `inbound_nodes` it was called on
(`{"args": [...], "kwargs": {...}}`, a tensor being `{"class_name": "__keras_tensor__", "config":
{"shape", "dtype", "keras_history": [layer name, node index, tensor index]}}`), plus `input_layers` and
`output_layers`. Layers are listed in Keras' order (`map_graph`: by decreasing depth, then by first
visit from the outputs), which also names their groups in a weights file, so it is reproduced here.
"""

from collections import defaultdict

from ..core.symbolic import InputLayer, KerasTensor


def keras_layer_order(model) -> list:
    """The model's layers (input layers included) in the order Keras 3's `Functional.layers` has."""
    finished, in_progress, nodes_in_order, op_index = set(), set(), [], {}

    def visit(tensor):
        node = tensor.node
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError("The graph of layer calls has a cycle.")
        if id(node.layer) not in op_index:
            op_index[id(node.layer)] = len(op_index)
        in_progress.add(id(node))
        if not isinstance(node.layer, InputLayer):
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_in_order.append(node)

    for t in model.outputs:
        visit(t)
    in_graph = {id(n) for n in nodes_in_order}
    node_depth, op_depth, layers = {}, {}, {}
    for node in reversed(nodes_in_order):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, op_depth.get(id(node.layer), 0))
        op_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        if not isinstance(node.layer, InputLayer):
            for t in node.input_tensors:
                parent = t.node
                if id(parent) in in_graph:
                    node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in model.inputs:  # inputs not connected to an output
        layer = t.node.layer
        if id(layer) not in op_depth:
            op_depth[id(layer)], op_index[id(layer)], layers[id(layer)] = 0, -1, layer
    by_depth = defaultdict(list)
    for key, depth in op_depth.items():
        by_depth[depth].append(key)
    order = []
    for depth in sorted(by_depth, reverse=True):
        order.extend(sorted(by_depth[depth], key=lambda k: op_index[k]))
    return [layers[k] for k in order]


def _model_nodes(model, layer) -> list:
    mine = {id(n) for n in model._nodes}
    return [n for n in layer._inbound_nodes if id(n) in mine]


def _history(model, tensor) -> list:
    node = tensor.node
    return [node.layer.name, _model_nodes(model, node.layer).index(node), node.output_tensors.index(tensor)]


def _tensor_config(model, tensor) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype, "keras_history": _history(model, tensor)}}


def functional_config(model) -> dict:
    """`model.get_config()` for a functional model, in Keras 3's layout (R-style layer configs)."""
    from ..saving.serialization import serialize_keras_object
    layers = []
    for layer in keras_layer_order(model):
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        nodes = []
        if not isinstance(layer, InputLayer):
            for node in _model_nodes(model, layer):
                if isinstance(node.inputs, (list, tuple)) and getattr(layer, "keras_positional_inputs", False):
                    args = [_tensor_config(model, t) for t in node.inputs]  # Keras: `mha(query, value, key)`
                elif getattr(layer, "keras_positional_inputs", False):  # self-attention: `mha(x, x)`
                    args = [_tensor_config(model, node.inputs)] * 2
                elif isinstance(node.inputs, (list, tuple)):
                    args = [[_tensor_config(model, t) for t in node.inputs]]
                else:
                    args = [_tensor_config(model, node.inputs)]
                nodes.append({"args": args, "kwargs": dict(node.call_kwargs)})
        entry["inbound_nodes"] = nodes
        layers.append(entry)

    def ends(tensors, multi):
        hist = [_history(model, t) for t in tensors]
        return hist if multi else hist[0]

    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": ends(model.inputs, model._multi_input),
            "output_layers": ends(model.outputs, model._multi_output)}


def functional_from_config(cls, config: dict, custom_objects=None):
    """Rebuild a functional model from `functional_config()` output (or a Keras 3 file's config)."""
    from ..saving.serialization import UnsafeFileError, check_name, deserialize_keras_object
    entries = config.get("layers")
    if not isinstance(entries, list) or not entries:
        raise UnsafeFileError("A functional model config needs a non-empty list `layers`.")
    by_name, pending = {}, []
    mask_ops = _mask_ops(entries)
    for entry in entries:
        if not isinstance(entry, dict):
            raise UnsafeFileError(f"Each entry of `layers` must be a dict; received {type(entry).__name__}.")
        name = check_name(entry.get("name") or (entry.get("config") or {}).get("name"), "layer name")
        if name in mask_ops:
            continue
        spec = {k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")}
        layer = deserialize_keras_object(spec, custom_objects)
        if name in by_name:
            raise UnsafeFileError(f"Two layers are named {name!r} in the model config.")
        by_name[name] = layer
        nodes = entry.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise UnsafeFileError(f"`inbound_nodes` of layer {name!r} must be a list.")
        pending.append((layer, list(nodes)))
    produced = {}  # (layer name, node index) -> list of output tensors
    for name, layer in by_name.items():
        if isinstance(layer, InputLayer):
            produced[(name, 0)] = [layer.output]

    def tensor(hist):
        if not (isinstance(hist, list) and len(hist) == 3 and isinstance(hist[0], str)
                and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in hist[1:])):
            raise UnsafeFileError(f"A keras_history must be [layer name, node index, tensor index]; "
                                  f"the config has {hist!r}.")
        outs = produced.get((hist[0], hist[1]))
        if outs is None:
            return None
        if hist[2] >= len(outs):
            raise UnsafeFileError(f"keras_history {hist!r} names an output that layer {hist[0]!r} lacks.")
        return outs[hist[2]]

    def resolve(arg):
        if isinstance(arg, dict) and arg.get("class_name") == "__keras_tensor__":
            return tensor((arg.get("config") or {}).get("keras_history"))
        if isinstance(arg, list):
            return [resolve(a) for a in arg]
        raise UnsafeFileError(f"Unsupported node argument {arg!r}: only tensors and lists of tensors.")

    def ready(value):
        if isinstance(value, list):
            return all(ready(v) for v in value)
        return isinstance(value, KerasTensor)

    progress = True
    while progress:
        progress = False
        for layer, nodes in pending:
            done = sum(1 for key in produced if key[0] == layer.name)
            if isinstance(layer, InputLayer) or done >= len(nodes):
                continue
            node = nodes[done]
            args = node.get("args") if isinstance(node, dict) else None
            positional = getattr(layer, "keras_positional_inputs", False)
            if not isinstance(args, list) or not (len(args) == 1 or (positional and 2 <= len(args) <= 3)):
                raise UnsafeFileError(f"A node of layer {layer.name!r} must have one argument (a tensor or a "
                                      f"list of tensors); the config has {args!r}.")
            inputs = resolve(args[0]) if len(args) == 1 else [resolve(a) for a in args]
            if not ready(inputs):
                continue
            # masks: rkeras propagates them along the graph itself (Keras records them as call arguments)
            kwargs = {k: v for k, v in (node.get("kwargs") or {}).items() if v is not None and k != "mask"}
            # a layer's own boolean call arguments (attention's `use_causal_mask`) are replayed too
            unknown = [k for k, v in kwargs.items() if k != "training" and not (
                k in layer.extra_call_kwargs and isinstance(v, bool))]
            if unknown or not isinstance(kwargs.get("training", False), bool):
                raise UnsafeFileError(f"Unsupported call arguments {node.get('kwargs')!r} for layer {layer.name!r}.")
            out = layer(inputs, **kwargs)
            produced[(layer.name, done)] = list(out) if isinstance(out, (list, tuple)) else [out]
            progress = True
    for layer, nodes in pending:
        if not isinstance(layer, InputLayer) and sum(1 for k in produced if k[0] == layer.name) < len(nodes):
            raise UnsafeFileError(f"Layer {layer.name!r} is called on tensors that no layer of the config produces.")

    def ends(spec, what):
        if isinstance(spec, list) and spec and isinstance(spec[0], list):
            return [ends(s, what) for s in spec]
        t = tensor(spec)
        if t is None:
            raise UnsafeFileError(f"`{what}` {spec!r} names no tensor of the config.")
        return t

    inputs = ends(config.get("input_layers"), "input_layers")
    outputs = ends(config.get("output_layers"), "output_layers")
    model = cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))
    return model


def _references(value, out: list) -> list:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        hist = (value.get("config") or {}).get("keras_history")
        if isinstance(hist, list) and hist and isinstance(hist[0], str):
            out.append(hist[0])
    elif isinstance(value, dict):
        for v in value.values():
            _references(v, out)
    elif isinstance(value, list):
        for v in value:
            _references(v, out)
    return out


def _mask_ops(entries) -> set:
    """Names of Keras op nodes (`keras.src.ops...`, e.g. the `NotEqual` of an embedding's mask) used only
    as `mask` call arguments: rkeras computes those masks itself, so they are skipped; any other op is
    refused (only layers are supported)."""
    ops = {e.get("name") for e in entries if isinstance(e, dict)
           and str(e.get("module") or "").startswith(("keras.src.ops", "keras.ops"))}
    if not ops:
        return set()
    for entry in entries:
        for node in (entry.get("inbound_nodes") or []) if isinstance(entry, dict) else []:
            if not isinstance(node, dict):
                continue
            used = _references(node.get("args"), []) + _references(
                {k: v for k, v in (node.get("kwargs") or {}).items() if k != "mask"}, [])
            bad = ops.intersection(used)
            if bad and entry.get("name") not in ops:
                from ..saving.serialization import UnsafeFileError
                raise UnsafeFileError(f"The model calls Keras ops ({', '.join(sorted(bad))}) outside masks; rkeras "
                                      f"loads models made of layers only.")
    return ops
