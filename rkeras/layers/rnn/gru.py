"""Gated Recurrent Unit layer, as Keras 3's `GRU` (Cho et al. 2014): an `RNN` of a `GRUCell`."""

from .cell_layer import CellLayer
from .gru_cell import GRUCell


class GRU(CellLayer):
    """Gated Recurrent Unit layer; see `layer_gru()`."""

    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(self, units=None, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, reset_after=True, **kwargs):
        cell_args = {"units": units, "activation": activation, "recurrent_activation": recurrent_activation,
                         "use_bias": use_bias, "kernel_initializer": kernel_initializer,
                         "recurrent_initializer": recurrent_initializer, "bias_initializer": bias_initializer,
                         "kernel_regularizer": kernel_regularizer, "recurrent_regularizer": recurrent_regularizer,
                         "bias_regularizer": bias_regularizer, "activity_regularizer": activity_regularizer,
                         "kernel_constraint": kernel_constraint, "recurrent_constraint": recurrent_constraint,
                         "bias_constraint": bias_constraint, "dropout": dropout, "recurrent_dropout": recurrent_dropout,
                         "reset_after": reset_after, "seed": seed}
        options = {"return_sequences": return_sequences, "return_state": return_state, "go_backwards": go_backwards,
                       "stateful": stateful, "unroll": unroll}
        self._make(cell_args, options, kwargs, "layer_gru()")

    def _where(self):
        return "layer_gru()"
