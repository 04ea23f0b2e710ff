"""Attention layers (dot-product, additive, multi-head), forward and backward by hand on numpy BLAS."""
