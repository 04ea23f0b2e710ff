"""A series of layers applied in turn, as Keras 3's `Pipeline` (preprocessing chains that are not a model).

Each layer gets the previous one's output and mask (`compute_mask`), in the pipeline's training mode under
its own trainable rule; the backward runs the layers' backwards in reverse and collects their weights'
gradients. It stops at a layer that passes no gradient to its inputs (integer encodings). The layers are
held in the public list `layers`, which is where Keras' files put their weights (`layers/<class>/...`).
"""

from ...core.layer import Layer
from ..rnn.nested_config import deserialize_layer, serialize_layer


class Pipeline(Layer):
    """Applies a series of layers to an input; see `layer_pipeline()`."""

    supports_masking = True

    def __init__(self, layers=None, name=None, **kwargs):
        if layers is None or isinstance(layers, (str, bytes, dict, Layer)) or not hasattr(layers, "__iter__"):
            raise TypeError(f"`layers` must be a list of layers; received {type(layers).__name__}.")
        items = [deserialize_layer(item, f"layers[[{i + 1}]]") for i, item in enumerate(layers)]
        if any(not isinstance(item, Layer) for item in items):
            raise TypeError("`layers` must be a list of layers.")
        super().__init__(name=name, **kwargs)
        self.layers = items  # tracked: their weights are the pipeline's

    def build(self, input_shape):
        shape = input_shape
        for layer in self.layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def compute_mask(self, inputs, mask):
        for i, layer in enumerate(self.layers):
            mask = layer.compute_mask(inputs if i == 0 else None, mask)
        return mask

    def _convert_inputs(self, inputs):
        return self.layers[0]._convert_inputs(inputs) if self.layers else super()._convert_inputs(inputs)

    def forward(self, inputs, training=False, mask=None):
        caches, x = [], inputs
        self._maybe_build(_shape(x))
        for layer in self.layers:
            x_in = x
            x, cache = layer.forward(x_in, training=layer.effective_training(training), mask=mask)
            caches.append(cache)
            mask = layer.compute_mask(x_in, mask)
        return x, caches

    def backward(self, cache, grad_outputs):
        grads, g = {}, grad_outputs
        for layer, c in zip(reversed(self.layers), reversed(cache)):
            g, w = layer.backward(c, g)
            grads.update(w)
            if g is None:
                break
        return g, grads

    def get_config(self):
        return {"layers": [serialize_layer(layer) for layer in self.layers], "name": self.name}


def _shape(x):
    return [tuple(v.shape) for v in x] if isinstance(x, (list, tuple)) else tuple(x.shape)
