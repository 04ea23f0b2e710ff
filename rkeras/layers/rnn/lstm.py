"""Long Short-Term Memory layer, as Keras 3's `LSTM` (Hochreiter 1997): an `RNN` of an `LSTMCell`."""

from .cell_layer import CellLayer
from .lstm_cell import LSTMCell


class LSTM(CellLayer):
    """Long Short-Term Memory layer; see `layer_lstm()`."""

    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(self, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        cell_args = {"units": units, "activation": activation, "recurrent_activation": recurrent_activation,
                         "use_bias": use_bias, "kernel_initializer": kernel_initializer,
                         "recurrent_initializer": recurrent_initializer, "bias_initializer": bias_initializer,
                         "unit_forget_bias": unit_forget_bias, "kernel_regularizer": kernel_regularizer,
                         "recurrent_regularizer": recurrent_regularizer, "bias_regularizer": bias_regularizer,
                         "activity_regularizer": activity_regularizer, "kernel_constraint": kernel_constraint,
                         "recurrent_constraint": recurrent_constraint, "bias_constraint": bias_constraint,
                         "dropout": dropout, "recurrent_dropout": recurrent_dropout, "seed": seed}
        options = {"return_sequences": return_sequences, "return_state": return_state, "go_backwards": go_backwards,
                       "stateful": stateful, "unroll": unroll}
        self._make(cell_args, options, kwargs, "layer_lstm()")

    def _where(self):
        return "layer_lstm()"
