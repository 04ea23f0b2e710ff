"""The base of the convolutional LSTM layers, as Keras 3's `ConvLSTM`: an `RNN` of a `ConvLSTMCell`
over sequences of 1-D, 2-D or 3-D inputs.

Inputs are `(batch, steps, *spatial, channels)` (channels-last) or `(batch, steps, channels, *spatial)`
(channels-first); the states h and c, and the outputs, are `(batch, *out_spatial, filters)` (or
channels-first), `out_spatial` being the input convolution's (`strides`, `padding`, `dilation_rate`).
Masks, `return_sequences`, `return_state`, `go_backwards` and `stateful` are the `RNN` layer's. A
mask with more axes than (batch, steps), such as `layer_masking()` gives for images, masks a step
when it masks every position of it.
"""

import numpy as np

from .cell_layer import CellLayer
from .conv_lstm_cell import ConvLSTMCell


class ConvLSTM(CellLayer):
    """Abstract N-D convolutional LSTM layer (`rank` 1, 2 or 3); see `layer_conv_lstm_2d()`."""

    rank = None
    cell_class = ConvLSTMCell
    cell_name = "conv_lstm_cell"

    def __init__(self, filters=None, kernel_size=None, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, **kwargs):
        cell_args = {"rank": self.rank, "filters": filters, "kernel_size": kernel_size, "strides": strides,
                     "padding": padding, "data_format": data_format, "dilation_rate": dilation_rate,
                     "activation": activation, "recurrent_activation": recurrent_activation, "use_bias": use_bias,
                     "kernel_initializer": kernel_initializer, "recurrent_initializer": recurrent_initializer,
                     "bias_initializer": bias_initializer, "unit_forget_bias": unit_forget_bias,
                     "kernel_regularizer": kernel_regularizer, "recurrent_regularizer": recurrent_regularizer,
                     "bias_regularizer": bias_regularizer, "activity_regularizer": activity_regularizer,
                     "kernel_constraint": kernel_constraint, "recurrent_constraint": recurrent_constraint,
                     "bias_constraint": bias_constraint, "dropout": dropout, "recurrent_dropout": recurrent_dropout,
                     "seed": seed}
        unroll = kwargs.pop("unroll", False)
        options = {"return_sequences": return_sequences, "return_state": return_state,
                   "go_backwards": go_backwards, "stateful": stateful, "unroll": False if unroll is None else unroll}
        self._make(cell_args, options, kwargs, self._where())

    def _where(self):
        return f"layer_conv_lstm_{self.rank}d()"

    def _cell_option_names(self):
        return super()._cell_option_names() - {"units"}

    # ----------------------------------------------------------------------------- shapes
    def _layout(self):
        dims = {1: "steps", 2: "rows, cols", 3: "depth, rows, cols"}[self.rank]
        return (f"(batch, timesteps, {dims}, channels)" if self.cell.data_format == "channels_last"
                else f"(batch, timesteps, channels, {dims})")

    def _check_input_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 3:
            raise ValueError(f"Layer '{self.name}' expects inputs of rank {self.rank + 3}, {self._layout()} for "
                             f"data_format='{self.cell.data_format}'; received an input of shape {input_shape}.")
        step = (input_shape[0],) + input_shape[2:]
        cl = self.cell.data_format == "channels_last"
        channels, spatial = (step[-1], step[1:-1]) if cl else (step[1], step[2:])
        if self.cell.built and (channels, tuple(spatial)) != (self.cell.input_dim, self.cell.spatial_dims):
            raise ValueError(f"Layer '{self.name}' was built for steps of {self.cell.input_dim} channels and spatial "
                             f"shape {self.cell.spatial_dims}; received an input of shape {input_shape}.")
        return input_shape

    def _out_spatial(self, input_shape):
        cl = self.cell.data_format == "channels_last"
        spatial = input_shape[2:-1] if cl else input_shape[3:]
        return self.cell.output_spatial(spatial, self.name, input_shape)

    def build(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        self._out_spatial(input_shape)  # the window must fit
        if not self.cell.built:
            self.cell.build((input_shape[0],) + input_shape[2:])
            for v in self.cell.weights:
                v.path = f"{self.name}/{v.path}"
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = self._check_input_shape(input_shape)
        batch, steps = input_shape[:2]
        state = self.cell.state_shape(batch, self._out_spatial(input_shape))
        out = (batch, steps) + state[1:] if self.return_sequences else state
        if self.return_state:
            return [out, state, state]
        return out

    def forward(self, inputs, training=False, mask=None):
        if mask is not None and np.ndim(mask) > 2:
            m = np.asarray(mask)
            mask = m.reshape(m.shape[:2] + (-1,)).any(axis=-1)
        return super().forward(inputs, training=training, mask=mask)

    def _state_shapes(self, batch):
        out_spatial, _ = self.cell._input_geometry()
        return [self.cell.state_shape(batch, out_spatial)] * 2
