"""`summary()`: the Keras-style table of layers, output shapes and parameter counts."""

import numpy as np


def _count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _size(n: int, weights) -> str:
    nbytes = sum(int(np.prod(w.shape)) * w.dtype.itemsize for w in weights)
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if nbytes >= scale:
            return f"{n:,} ({nbytes / scale:.2f} {unit})"
    return f"{n:,} ({nbytes:.2f} B)"


def _fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_fmt_shape(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def layer_rows(model) -> list:
    """(name (type), output shape, param count) for each layer of `model`."""
    from ..models.sequential import Sequential
    rows = []
    if isinstance(model, Sequential):
        shapes = model.layer_output_shapes()
    else:
        shapes = []
        for layer in model.layers:
            node = next((n for n in getattr(model, "_nodes", ()) if n.layer is layer), None)  # subclassed: none
            outs = node.output_tensors if node is not None else []
            shapes.append(outs[0].shape if len(outs) == 1 else [t.shape for t in outs] if outs else None)
    for layer, shape in zip(model.layers, shapes):
        rows.append((f"{layer.name} ({type(layer).__name__})", _fmt_shape(shape) if layer.built or shape else "?",
                     f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"))
    return rows


def summary_text(model) -> str:
    rows = layer_rows(model)
    header = ("Layer (type)", "Output Shape", "Param #")
    w = [max([len(header[i])] + [len(r[i]) for r in rows]) + 2 for i in range(3)]
    w = [max(w[0], 33), max(w[1], 24), max(w[2], 15)]

    def line(l, m, r, fill):
        return l + m.join(fill * x for x in w) + r

    def row(cells):
        return "│" + "│".join(
            (f" {c:<{w[i] - 2}} " if i < 2 else f" {c:>{w[i] - 2}} ") for i, c in enumerate(cells)) + "│"

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"),
           "┃" + "┃".join((f" {h:<{w[i] - 2}} " if i < 2 else f" {h:>{w[i] - 2}} ")
                          for i, h in enumerate(header)) + "┃",
           line("┡", "╇", "┩", "━")]
    for i, r in enumerate(rows):
        out.append(row(r))
        if i < len(rows) - 1:
            out.append(line("├", "┼", "┤", "─"))
    out.append(line("└", "┴", "┘", "─"))
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    total = _count(trainable) + _count(non_trainable)
    out.append(f" Total params: {_size(total, trainable + non_trainable)}")
    out.append(f" Trainable params: {_size(_count(trainable), trainable)}")
    out.append(f" Non-trainable params: {_size(_count(non_trainable), non_trainable)}")
    return "\n".join(out)
