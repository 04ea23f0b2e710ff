"""What `SimpleRNN`, `LSTM` and `GRU` share: an `RNN` whose cell is built from the layer's own
arguments (as Keras 3, with the cell named `lstm_cell`, `gru_cell`, `simple_rnn_cell`), whose config
holds the cell's options flat instead of a `cell` entry, and which exposes the cell's options."""

from ... import conventions
from .rnn import RNN


def check_use_cudnn(value):
    if value is True:
        raise ValueError("`use_cudnn` = True asks for cuDNN, which rkeras (CPU only) does not have; use 'auto' "
                         "(the default) or False.")
    if value not in ("auto", False):
        raise ValueError(f"`use_cudnn` must be one of 'auto', True, False; received {value!r}.")
    return value


class CellLayer(RNN):
    """An RNN layer made from its cell's arguments."""

    cell_class = None
    cell_name = None

    def _make(self, cell_args, options, kwargs, where):
        use_cudnn = check_use_cudnn(kwargs.pop("use_cudnn", "auto"))
        zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        activity_regularizer = cell_args.pop("activity_regularizer")
        if activity_regularizer is not None:
            raise ValueError(f"`activity_regularizer` is not supported by rkeras (only None is accepted); received "
                             f"{activity_regularizer!r}.")
        conventions.check_kwargs(kwargs, where=where)
        cell = self.cell_class(**cell_args, name=self.cell_name, dtype=kwargs.get("dtype"),
                               trainable=kwargs.get("trainable", True))
        super().__init__(cell, zero_output_for_mask=zero_output_for_mask, **options, **kwargs)
        self.use_cudnn = use_cudnn

    def __getattr__(self, name):
        # the cell's options (units, activation, kernel_initializer, ...) read through the layer, as Keras
        if name != "cell" and "cell" in self.__dict__ and name in self._cell_option_names():
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _cell_option_names(self):
        return set(self.cell.get_config()) - {"name", "trainable", "dtype"}

    def get_config(self):
        config = RNN.get_config(self)
        del config["cell"]
        cell_config = self.cell.get_config()
        for k in ("name", "trainable", "dtype"):
            cell_config.pop(k)
        config.update(cell_config)
        config["activity_regularizer"] = None
        return config
