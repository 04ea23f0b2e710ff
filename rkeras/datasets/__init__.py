"""Datasets shipped inside the package (no download at run time)."""

from .digits import dataset_digits

__all__ = ["dataset_digits"]
