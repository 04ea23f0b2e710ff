"""Activation layers (ReLU, LeakyReLU, ELU, Softmax, PReLU), as Keras 3's `keras.layers.activations`."""
