"""Spectral normalization (Miyato et al., 2018), as Keras 3's `SpectralNormalization` wrapper.

In a training call the wrapped layer's `kernel` (or `embeddings`), viewed as a matrix W of shape
(-1, units), is divided by an estimate of its largest singular value: `power_iterations` steps of
v = normalize(u W^T), u = normalize(v W) from the stored `vector_u`, then sigma = v W u^T; the kernel is
assigned W / sigma and `vector_u` the new u (both persist, as in Keras; an all-zero kernel is left
alone). Inference calls use the kernel as it is. The gradient follows Keras on JAX: it flows through
W / sigma(W) with u and v held constant, dW = (dWn - <dWn, Wn> v^T u) / sigma, dWn being the wrapped
layer's kernel gradient.
"""

import numpy as np

from ... import conventions, initializers
from ...core.layer import Layer

_EPSILON = 1e-7  # Keras' backend.epsilon(), the floor of ops.normalize's norm


class SpectralNormalization(Layer):
    """Spectral normalization wrapper; see `layer_spectral_normalization()`."""

    def __init__(self, layer, power_iterations=1, **kwargs):
        conventions.check_kwargs(kwargs, where="layer_spectral_normalization()")
        if isinstance(layer, dict):
            layer = _layer_from_config(layer)
        if not isinstance(layer, Layer):
            raise TypeError(f"`layer` must be a layer with a `kernel` or `embeddings` weight, e.g. "
                            f"`layer_dense(units=8)`; received {type(layer).__name__}.")
        power_iterations = conventions.as_integer(power_iterations, "power_iterations")
        if power_iterations < 1:
            raise ValueError(f"`power_iterations` must be an integer >= 1; received {power_iterations}.")
        super().__init__(**kwargs)
        self.layer = layer
        self.power_iterations = power_iterations
        self._track_layer(layer)
        self.kernel = self.vector_u = None

    def build(self, input_shape):
        self.layer._maybe_build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"`layer` {type(self.layer).__name__} has no attribute 'kernel' nor 'embeddings': "
                             f"spectral normalization needs a layer with a kernel.")
        for v in self.layer.weights:  # Keras names the wrapped layer's weights under the wrapper
            if not v.path.startswith(self.name + "/"):
                v.path = f"{self.name}/{v.path}"
        self.kernel = kernel
        # Keras tracks the kernel as the wrapper's own weight too: weights are kernel, vector_u, bias
        self._variables.append(kernel)
        self.vector_u = self.add_weight("vector_u", (1, kernel.shape[-1]),
                                        initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        dtype=kernel.dtype)
        self.built = True

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def _normalized(self):
        """(u, v, sigma, W / sigma as a matrix) by power iteration, float64."""
        w = self.kernel.value.astype(np.float64).reshape(-1, self.kernel.shape[-1])
        u = self.vector_u.value.astype(np.float64)
        for _ in range(self.power_iterations):
            v = _normalize(u @ w.T)
            u = _normalize(v @ w)
        sigma = float((v @ w @ u.T)[0, 0])
        return u, v, sigma, w / sigma

    def forward(self, inputs, training=False, mask=None):
        if not self.built:
            self._maybe_build(np.shape(inputs))
        spectral = None
        if training and np.any(self.kernel.value != 0):
            u, v, sigma, wn = self._normalized()
            self.vector_u.assign(u)
            self.kernel.assign(wn.reshape(self.kernel.shape))
            spectral = (v.T @ u, sigma, wn)
        call_mask = mask if self.layer.supports_masking else None
        outputs, cache = self.layer.forward(inputs, training=self.layer.effective_training(training),
                                            mask=call_mask)
        return outputs, (cache, spectral)

    def backward(self, cache, grad_outputs):
        inner_cache, spectral = cache
        dx, grads = self.layer.backward(inner_cache, grad_outputs)
        if spectral is not None and self.kernel in grads:
            vu, sigma, wn = spectral
            dwn = grads[self.kernel].astype(np.float64).reshape(wn.shape)
            dw = (dwn - np.sum(dwn * wn) * vu) / sigma
            grads[self.kernel] = dw.reshape(self.kernel.shape).astype(self.kernel.dtype)
        return dx, grads

    def get_config(self):
        config = super().get_config()
        config.update({"layer": {"class_name": type(self.layer).__name__, "config": self.layer.get_config()},
                       "power_iterations": self.power_iterations})
        return config


def _normalize(x):
    """Keras' ops.normalize(x, axis=None): x * min(1 / ||x||, 1 / epsilon)."""
    norm = np.sqrt(np.sum(x * x))
    return x * min(1.0 / norm, 1.0 / _EPSILON) if norm > 0 else x / _EPSILON


def _layer_from_config(config):
    """A layer from {"class_name", "config"}: rkeras' own layer classes only (nothing is imported)."""
    name = config.get("class_name")
    stack, classes = [Layer], {}
    while stack:
        cls = stack.pop()
        classes.setdefault(cls.__name__, cls)
        stack.extend(cls.__subclasses__())
    if name not in classes or not isinstance(config.get("config"), dict):
        raise ValueError(f"`layer` config names an unknown layer class {name!r}: give a layer, or a dict "
                         f"{{'class_name': <an rkeras layer class>, 'config': {{...}}}}.")
    return classes[name].from_config(config["config"])
