"""Fully-connected RNN layer, as Keras 3's `SimpleRNN`: an `RNN` of a `SimpleRNNCell`."""

from .cell_layer import CellLayer
from .simple_rnn_cell import SimpleRNNCell


class SimpleRNN(CellLayer):
    """Fully-connected RNN where the output is fed back as the new input; see `layer_simple_rnn()`."""

    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units=None, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
                 seed=None, **kwargs):
        cell_args = {"units": units, "activation": activation, "use_bias": use_bias,
                         "kernel_initializer": kernel_initializer, "recurrent_initializer": recurrent_initializer,
                         "bias_initializer": bias_initializer, "kernel_regularizer": kernel_regularizer,
                         "recurrent_regularizer": recurrent_regularizer, "bias_regularizer": bias_regularizer,
                         "activity_regularizer": activity_regularizer, "kernel_constraint": kernel_constraint,
                         "recurrent_constraint": recurrent_constraint, "bias_constraint": bias_constraint,
                         "dropout": dropout, "recurrent_dropout": recurrent_dropout, "seed": seed}
        options = {"return_sequences": return_sequences, "return_state": return_state, "go_backwards": go_backwards,
                       "stateful": stateful, "unroll": unroll}
        self._make(cell_args, options, kwargs, "layer_simple_rnn()")

    def _where(self):
        return "layer_simple_rnn()"
