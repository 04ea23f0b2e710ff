"""Image preprocessing and augmentation layers (Keras 3's `layers/preprocessing/image_preprocessing`)."""
