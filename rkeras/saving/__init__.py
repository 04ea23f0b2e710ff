"""Saving and loading in Keras 3's formats (`.keras` zip, `.weights.h5`, JSON configs).

Kept free of imports: `rkeras.core.layer` records its subclasses in `registry` at class creation.
"""
