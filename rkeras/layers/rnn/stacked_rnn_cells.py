"""A stack of recurrent cells behaving as one cell, as Keras 3's `StackedRNNCells`.

At each step the first cell reads the input and each next cell the output of the one below; the
stack's output is the last cell's. Running the whole sequence through each cell in turn computes
exactly that (a cell's step depends only on its own state and the step's output from below), and
keeps each cell's fast sequence loop. A masked step keeps every cell's state. The states are the
cells' states in order, as one flat list.
"""

import numpy as np

from ... import conventions
from ...core.layer import Layer
from .base_cell import RecurrentCell
from .nested_config import deserialize_layer, serialize_layer


class StackedRNNCells(Layer):
    """Wrapper allowing a stack of RNN cells to behave as a single cell; see `rnn_cells_stack()`."""

    def __init__(self, cells=None, **kwargs):
        conventions.check_kwargs(kwargs, where="rnn_cells_stack()")
        if not isinstance(cells, (list, tuple)) or not cells:
            raise TypeError(f"`cells` must be a non-empty list of RNN cells (rnn_cell_simple(), rnn_cell_lstm(), "
                            f"rnn_cell_gru()); received {cells!r}.")
        cells = [deserialize_layer(c, "cells") if isinstance(c, dict) else c for c in cells]
        for c in cells:
            if not isinstance(c, (RecurrentCell, StackedRNNCells)):
                raise TypeError(f"`cells` must hold RNN cells (rnn_cell_simple(), rnn_cell_lstm(), rnn_cell_gru()); "
                                f"received {type(c).__name__}.")
        super().__init__(**kwargs)
        self.cells = list(cells)
        for c in self.cells:
            self._track_layer(c)

    @property
    def state_size(self):
        return [s for c in self.cells for s in c.state_size]

    @property
    def output_size(self):
        return self.cells[-1].output_size

    def build(self, input_shape):
        shape = tuple(input_shape)
        for c in self.cells:
            if not c.built:
                c.build(shape)
                for v in c.weights:
                    v.path = f"{self.name}/{v.path}"
            shape = (shape[0], c.output_size)
        self.built = True

    def forward(self, inputs, training=False, mask=None):
        raise TypeError(f"The cell '{self.name}' runs inside a recurrent layer: use it as "
                        f"`layer_rnn(cell = ...)`, not on its own.")

    def _split(self, states):
        out, i = [], 0
        for c in self.cells:
            n = len(c.state_size)
            out.append(list(states[i:i + n]))
            i += n
        return out

    def sequence_forward(self, x, states, keep, training):
        caches, finals = [], []
        for c, s in zip(self.cells, self._split(states)):
            x, final, cache = c.sequence_forward(x, s, keep, training)
            finals.extend(final)
            caches.append(cache)
        return x, finals, caches

    def sequence_backward(self, cache, d_outputs, out_weight, d_final_states):
        d_init = []
        d_finals = self._split(d_final_states)
        grads = {}
        dx = d_outputs
        weight = out_weight
        for c, c_cache, d_final in zip(reversed(self.cells), reversed(cache), reversed(d_finals)):
            dx, d0, g = c.sequence_backward(c_cache, dx, weight, d_final)
            weight = np.ones_like(out_weight)  # a lower cell's output reaches the next cell whether masked or not
            d_init = d0 + d_init
            grads.update(g)
        return dx, d_init, grads

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_layer(c) for c in self.cells]
        return config
