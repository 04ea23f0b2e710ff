"""Weights in the HDF5 layout Keras 3 writes (`model.weights.h5`, `*.weights.h5`), through h5py.

Keras addresses a layer by the snake-cased name of its class, made unique within its model
(`layers/dense/vars/0`, `layers/dense_1/vars/1`, ...), not by the layer's name; each `vars` group holds
the layer's own variables, trainable ones first, as datasets "0", "1", ... and has the object's name as
its `name` attribute. A model is a group like any layer (its own `vars`, then `layers/...`); a
functional model lists its input layers too, in Keras' layer order. The optimizer is `optimizer/vars`.
"""

import numpy as np

from ..core.naming import to_snake_case
from ..core.symbolic import InputLayer
from .serialization import UnsafeFileError

_MAX_ARRAY_BYTES = 2 ** 31  # one weight array (2 GiB)


def _children(model) -> list:
    from ..models.functional import Functional
    from ..models.functional_config import keras_layer_order
    if isinstance(model, Functional):
        return keras_layer_order(model)
    return list(model.layers)


def _own_variables(layer) -> list:
    own = layer._variables
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


def layer_paths(model, prefix="") -> list:
    """(path, layer) for the model and every layer inside, paths as Keras writes them."""
    from ..models.model import Model
    out = [(prefix, model)]
    used: dict = {}
    for layer in _children(model):
        base = to_snake_case(type(layer).__name__) if not isinstance(layer, InputLayer) else "input_layer"
        if base in used:
            used[base] += 1
            name = f"{base}_{used[base]}"
        else:
            used[base] = 0
            name = base
        path = f"{prefix}layers/{name}/"
        if isinstance(layer, Model):
            out.extend(layer_paths(layer, path))
        else:
            out.extend(_layer_and_inner_paths(layer, path))
    return out


def _layer_and_inner_paths(layer, path) -> list:
    """The layer, then the layers it holds in attributes (an LSTM's `cell`, a wrapper's `layer`,
    `forward_layer`, a stack's `cells`), under the attribute's name, as Keras walks them (sorted)."""
    from ..core.layer import Layer
    from ..models.model import Model
    out = [(path, layer)]
    # Keras also walks private attributes, after the public ones; a layer names those holding its sub-layers
    private = list(getattr(layer, "keras_private_sublayers", ()))
    for attr in sorted(a for a in vars(layer) if not a.startswith("_")) + sorted(private):
        if attr not in vars(layer):
            continue
        value = vars(layer)[attr]
        if isinstance(value, Layer):
            inner = f"{path}{attr}/"
            out.extend(layer_paths(value, inner) if isinstance(value, Model) else _layer_and_inner_paths(value, inner))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            used: dict = {}
            for item in value:  # Keras names a container's items by class, with counters
                base = to_snake_case(type(item).__name__)
                used[base] = used.get(base, -1) + 1
                inner = f"{path}{attr}/{base if used[base] == 0 else f'{base}_{used[base]}'}/"
                out.extend(layer_paths(item, inner) if isinstance(item, Model)
                           else _layer_and_inner_paths(item, inner))
    return out


def check_all_weights_covered(model) -> None:
    """Refuse to save or load a model whose weights the walk above does not reach (never drop them silently)."""
    reached = {id(v) for _, layer in layer_paths(model) for v in _own_variables(layer)}
    missing = [v.path for v in model.weights if id(v) not in reached]
    if missing:
        raise ValueError(f"Cannot save or load the weights {missing[:5]} of model '{model.name}': they belong "
                         f"to layers held where the .keras format does not look (not in an attribute of "
                         f"their layer).")


def keras_trainable_variables(model) -> list:
    """The trainable variables in Keras' order (the order of an optimizer's slots): Keras' `trainable_variables`,
    the layers in model order, each with its own then its sub-layers' in creation order (an attention layer's
    query, key, value, output projections), not in the file walk's sorted attribute order."""
    from ..models.model import Model
    out, seen = [], set()

    def add(variables):
        for v in variables:
            if v.trainable and id(v) not in seen:
                seen.add(id(v))
                out.append(v)

    def visit(m):
        if not m.trainable:
            return
        add(_own_variables(m))
        for layer in _children(m):
            if isinstance(layer, Model):
                visit(layer)
            elif layer.trainable:
                add(layer.trainable_weights)
    visit(model)
    return out


def optimizer_variables(model) -> list:
    state = getattr(model, "_compiled", None)
    if state is None:
        return []
    compiled = {id(v) for v in state.variables}
    return [v for v in keras_trainable_variables(model) if id(v) in compiled]


def write_weights(h5, model, include_optimizer=True) -> None:
    """Write `model`'s weights (and its optimizer's state) into the open h5py file `h5`."""
    check_all_weights_covered(model)
    for path, layer in layer_paths(model):
        group = h5.require_group(path + "vars")
        group.attrs["name"] = layer.name
        for i, v in enumerate(_own_variables(layer)):
            group.create_dataset(str(i), data=np.asarray(v.value))
    state = getattr(model, "_compiled", None)
    if include_optimizer and state is not None:
        group = h5.require_group("optimizer/vars")
        group.attrs["name"] = state.optimizer.name
        for i, arr in enumerate(state.optimizer.get_state(optimizer_variables(model))):
            group.create_dataset(str(i), data=arr)


def _read_group(h5, path: str) -> list:
    import h5py
    group = h5.get(path)
    if group is None:
        return None
    if not isinstance(group, h5py.Group):
        raise UnsafeFileError(f"'{path}' in the weights file is not a group.")
    keys = list(group.keys())
    if sorted(keys, key=lambda k: int(k) if k.isdigit() else -1) != [str(i) for i in range(len(keys))]:
        raise UnsafeFileError(f"'{path}' in the weights file must hold datasets '0', '1', ...; it has {keys[:10]}.")
    arrays = []
    for i in range(len(keys)):
        ds = group[str(i)]
        if not isinstance(ds, h5py.Dataset) or ds.dtype.kind not in "biuf":
            raise UnsafeFileError(f"'{path}/{i}' in the weights file is not a numeric dataset.")
        if ds.size * ds.dtype.itemsize > _MAX_ARRAY_BYTES or len(ds.shape) > 32:
            raise UnsafeFileError(f"'{path}/{i}' in the weights file has an absurd shape {ds.shape}.")
        arrays.append(np.asarray(ds[()]))
    return arrays


def read_weights(h5, model, skip_mismatch=False, include_optimizer=True) -> list:
    """Load `model`'s weights from the open h5py file `h5`; every array is checked before any is set.

    Returns the warnings (skipped layers) when `skip_mismatch` is TRUE; raises otherwise.
    """
    check_all_weights_covered(model)
    plan, problems = [], []
    for path, layer in layer_paths(model):
        variables = _own_variables(layer)
        arrays = _read_group(h5, path + "vars")
        if arrays is None:
            arrays = [] if not variables else None
        if arrays is None or len(arrays) != len(variables):
            problems.append(f"layer '{layer.name}' ({path or '/'}): the file has "
                            f"{'no group' if arrays is None else f'{len(arrays)} arrays'}, the layer "
                            f"{len(variables)} variables")
            continue
        bad = [(v, a) for v, a in zip(variables, arrays) if v.shape != a.shape]
        if bad:
            v, a = bad[0]
            problems.append(f"variable '{v.path}': shape {a.shape} in the file, {v.shape} in the model")
            continue
        plan.append((variables, arrays))
    if problems and not skip_mismatch:
        raise ValueError("The weights file does not match the model: " + "; ".join(problems[:5]) + ".")
    opt_arrays = None
    state = getattr(model, "_compiled", None)
    if include_optimizer and state is not None and "optimizer" in h5:
        opt_arrays = _read_group(h5, "optimizer/vars")
    if opt_arrays is not None:  # first: set_state checks everything before it changes anything
        try:
            state.optimizer.set_state(opt_arrays, optimizer_variables(model))
        except ValueError as err:
            if not skip_mismatch:
                raise
            problems.append(str(err))
    for variables, arrays in plan:
        for v, a in zip(variables, arrays):
            v.assign(a.astype(v.dtype, copy=False))
    return problems
