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


def _trainable_mark(layer) -> str:
    if not layer.weights:
        return "-"
    return "Y" if layer.trainable else "N"


def layer_rows(model, expand_nested=False, depth=0) -> list:
    """(name (type), output shape, param count, trainable mark) for each layer of `model`."""
    rows = []
    shapes = model.layer_output_shapes()  # each model knows its layers' output shapes
    prefix = "   " * depth + ("└ " if depth else "")
    for layer, shape in zip(model.layers, shapes):
        rows.append((f"{prefix}{layer.name} ({type(layer).__name__})",
                     _fmt_shape(shape) if layer.built or shape else "?",
                     f"{layer.count_params():,}" if layer.built else "0 (unbuilt)", _trainable_mark(layer)))
        if expand_nested and callable(getattr(layer, "layer_output_shapes", None)):  # a nested model
            rows.extend(layer_rows(layer, True, depth + 1))
    return rows


def summary_text(model, line_length=None, expand_nested=False, show_trainable=False) -> str:
    """The summary table as text (see `summary()`)."""
    rows = layer_rows(model, expand_nested)
    header = ("Layer (type)", "Output Shape", "Param #", "Trainable")
    ncol = 4 if show_trainable else 3
    rows = [r[:ncol] for r in rows]
    header = header[:ncol]
    if line_length is None:
        w = [max([len(header[i])] + [len(r[i]) for r in rows]) + 2 for i in range(ncol)]
        w[:3] = [max(w[0], 33), max(w[1], 24), max(w[2], 15)]
    else:  # Keras' relative positions of the column ends
        ends = [0.45, 0.80, 1.0]
        inner = max(line_length - ncol - 1 - (11 if show_trainable else 0), 12)
        w = [max(int(inner * e) - int(inner * b), 4) for b, e in zip([0.0] + ends[:-1], ends)]
        w += [11] if show_trainable else []
        w = [max(wi, len(header[i]) + 2, max((len(r[i]) + 2 for r in rows), default=0))
             for i, wi in enumerate(w)]

    def line(l, m, r, fill):
        return l + m.join(fill * x for x in w) + r

    def cell(i, c):
        if i < 2:
            return f" {c:<{w[i] - 2}} "
        if i == 3:
            return f" {c:^{w[i] - 2}} "
        return f" {c:>{w[i] - 2}} "

    def row(cells):
        return "│" + "│".join(cell(i, c) for i, c in enumerate(cells)) + "│"

    out = [f'Model: "{model.name}"', line("┏", "┳", "┓", "━"),
           "┃" + "┃".join(cell(i, h) for i, h in enumerate(header)) + "┃",
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


_invisible = {"id": None}


def _display_hook(previous):
    def hook(value):
        hidden = value is not None and id(value) == _invisible["id"]
        _invisible["id"] = None
        if not hidden:
            previous(value)
    hook._rkeras_invisible = True
    return hook


def invisible(value):
    """Return `value` without the interactive prompt echoing it (R's `invisible()`).

    Only in an interactive session (`sys.ps1` set): the prompt's display hook is wrapped once to skip
    the next display of this exact object; scripts and other code see nothing different.

    Parameters
    ----------
    value : object
        What to return.
    """
    import sys
    if hasattr(sys, "ps1"):
        if not getattr(sys.displayhook, "_rkeras_invisible", False):
            sys.displayhook = _display_hook(sys.displayhook)
        _invisible["id"] = id(value)
    return value
