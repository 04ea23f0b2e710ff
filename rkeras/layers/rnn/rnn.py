"""The recurrent layer, as Keras 3's `RNN`: runs a cell over the time axis of (batch, steps, features).

The layer handles what all cells share: the time-major layout the cells work in, `go_backwards`
(the steps are processed last to first and, as in Keras, the sequence output is in processing
order), masks, the initial and the `stateful` states, `return_sequences` and `return_state`. The
cell runs the whole sequence forward and backward (`base_cell.py`).

Masks (from `layer_embedding(mask_zero = TRUE)`, `layer_masking()` or the `mask` call argument),
shape (batch, steps): on a masked step a sample keeps its states, and its output is the carried-over
output h (or zeros with `zero_output_for_mask`, which `layer_bidirectional()` sets when it returns
sequences), exactly as Keras' `rnn()` loop.
"""

import numpy as np

from ... import conventions
from ...core.config import compute_dtype
from ...core.layer import Layer, as_numeric_array, float_input
from .base_cell import RecurrentCell
from .nested_config import deserialize_layer, serialize_layer
from .stacked_rnn_cells import StackedRNNCells

RNN_OPTIONS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask")


class RNN(Layer):
    """Base class for recurrent layers; see `layer_rnn()`."""

    supports_masking = True

    def __init__(self, cell=None, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        conventions.check_kwargs(kwargs, where=self._where())
        if cell is None:
            raise ValueError(f"`cell` must be given to {self._where()}: an RNN cell (rnn_cell_simple(), "
                             f"rnn_cell_lstm(), rnn_cell_gru()) or a list of cells; received None.")
        if isinstance(cell, dict):
            cell = deserialize_layer(cell, "cell")
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        if not isinstance(cell, (RecurrentCell, StackedRNNCells)):
            raise TypeError(f"`cell` must be an RNN cell (rnn_cell_simple(), rnn_cell_lstm(), rnn_cell_gru(), "
                            f"rnn_cells_stack()) or a list of cells; received {type(cell).__name__}.")
        self.return_sequences = conventions.as_bool(return_sequences, "return_sequences")
        self.return_state = conventions.as_bool(return_state, "return_state")
        self.go_backwards = conventions.as_bool(go_backwards, "go_backwards")
        self.stateful = conventions.as_bool(stateful, "stateful")
        self.unroll = conventions.as_bool(unroll, "unroll")  # the loop is compiled either way
        self.zero_output_for_mask = conventions.as_bool(zero_output_for_mask, "zero_output_for_mask")
        super().__init__(**kwargs)
        self.cell = cell
        self._track_layer(cell)
        self.states = None  # stateful: the states carried to the next batch

    def _where(self):
        return "layer_rnn()"

    @property
    def state_size(self):
        return list(self.cell.state_size)

    # ----------------------------------------------------------------------------- shapes
    def _check_input_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank 3 (batch, timesteps, features); "
                             f"received an input of shape {input_shape}.")
        built_dim = getattr(self.cell, "input_dim", None) if not isinstance(self.cell, StackedRNNCells) \
            else self.cell.cells[0].input_dim
        if built_dim is not None and input_shape[-1] is not None and input_shape[-1] != built_dim:
            raise ValueError(f"Layer '{self.name}' was built for inputs with {built_dim} features; received an "
                             f"input of shape {input_shape}.")
        return input_shape

    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        if input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}': the number of features (last dimension of {input_shape}) "
                             f"must be known.")
        if not self.cell.built:
            self.cell.build((input_shape[0], input_shape[-1]))
            for v in self.cell.weights:
                v.path = f"{self.name}/{v.path}"
        self.built = True

    def compute_output_shape(self, input_shape):
        batch, steps, _ = self._check_input_shape(input_shape)
        units = self.cell.output_size
        out = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [out] + [(batch, s) for s in self.state_size]
        return out

    def compute_mask(self, inputs, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * len(self.state_size)
        return out_mask

    # ----------------------------------------------------------------------------- states
    def reset_state(self):
        """Zero the states a `stateful` layer carries between batches."""
        if self.states is not None:
            for s in self.states:
                s[...] = 0

    def reset_states(self):
        self.reset_state()

    def _state_shapes(self, batch):
        """The shapes of the states for a batch of `batch` sequences."""
        return [(batch, s) for s in self.state_size]

    def _initial_states(self, batch, work):
        if not self.stateful:
            return [np.zeros(shape, dtype=work) for shape in self._state_shapes(batch)]
        if self.states is None:
            self.states = [np.zeros(shape, dtype=compute_dtype(self.dtype)) for shape in self._state_shapes(batch)]
        elif self.states[0].shape[0] != batch:
            raise ValueError(f"Layer '{self.name}' is stateful: the batch size of its inputs must stay "
                             f"{self.states[0].shape[0]} (the size of its states); received a batch of {batch}.")
        return [s.astype(work) for s in self.states]

    # ----------------------------------------------------------------------------- math
    def forward(self, inputs, training=False, mask=None):
        if isinstance(inputs, (list, tuple)):
            raise TypeError(f"Layer '{self.name}' takes one input, the sequences (batch, timesteps, features); "
                            f"initial states are not supported as inputs.")
        x = float_input(as_numeric_array(inputs, "inputs"), self.dtype)
        self._maybe_build(x.shape)
        self._check_input_shape(x.shape)
        batch, steps = x.shape[:2]
        work = compute_dtype(x.dtype)
        xs = x[:, ::-1] if self.go_backwards else x
        seq = np.ascontiguousarray(np.swapaxes(xs, 0, 1), dtype=work)
        if mask is not None:
            m = np.asarray(mask)
            if m.ndim == 3 and m.shape[-1] == 1:
                m = m[..., 0]
            if m.shape != (batch, steps):
                raise ValueError(f"The mask of layer '{self.name}' must have shape (batch, timesteps) = "
                                 f"{(batch, steps)}; received {m.shape}.")
            m = m.astype(bool, copy=False)
            keep = np.ascontiguousarray((m[:, ::-1] if self.go_backwards else m).T, dtype=np.uint8)
        else:
            keep = np.ones((steps, batch), dtype=np.uint8)
        states = self._initial_states(batch, work)
        outs, finals, cell_cache = self.cell.sequence_forward(seq, states, keep, bool(training))
        out_weight = np.ones((steps, batch), dtype=work)
        if self.zero_output_for_mask and mask is not None:
            out_weight = keep.astype(work)
            outs = outs * out_weight.reshape(out_weight.shape + (1,) * (outs.ndim - 2))
        if self.stateful:
            self.states = [f.astype(self.states[0].dtype) for f in finals]
        if self.return_sequences:
            output = np.ascontiguousarray(np.swapaxes(outs, 0, 1)).astype(x.dtype, copy=False)
        else:
            output = outs[-1].astype(x.dtype)
        cache = (cell_cache, out_weight, x.shape, x.dtype, work)
        if self.return_state:
            return [output] + [f.astype(x.dtype) for f in finals], cache
        return output, cache

    def backward(self, cache, grad_outputs):
        cell_cache, out_weight, shape, in_dtype, work = cache
        steps = shape[1]
        n_states = len(self.state_size)
        if self.return_state:
            grads = list(grad_outputs)
            g_out, g_states = grads[0], grads[1:]
        else:
            g_out, g_states = grad_outputs, [None] * n_states
        g_states = [None if g is None else np.asarray(g).astype(work, copy=False) for g in g_states]
        d_outputs = None
        if g_out is not None:
            g_out = np.asarray(g_out)
            if self.return_sequences:
                d_outputs = np.ascontiguousarray(np.swapaxes(g_out, 0, 1), dtype=work)
            else:
                d_outputs = np.zeros((steps,) + g_out.shape, dtype=work)
                d_outputs[-1] = g_out
        dseq, _, weight_grads = self.cell.sequence_backward(cell_cache, d_outputs, out_weight, g_states)
        dx = np.swapaxes(dseq, 0, 1)
        if self.go_backwards:
            dx = dx[:, ::-1]
        return np.ascontiguousarray(dx).astype(in_dtype, copy=False), weight_grads

    # ----------------------------------------------------------------------------- config
    def _options_config(self):
        return {k: getattr(self, k) for k in RNN_OPTIONS}

    def get_config(self):
        config = super().get_config()
        config.update(self._options_config())
        config["cell"] = serialize_layer(self.cell)
        return config
