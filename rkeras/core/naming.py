"""Unique default names (`dense`, `dense_1`, ...) as Keras gives them."""

import re
from collections import defaultdict

_counts: dict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """`BatchNormalization` -> `batch_normalization`, `Conv2D` -> `conv2d`, `MaxPooling2D` -> `max_pooling2d`.

    Keras' rule: a digit followed by a capital starts no new word, so default layer names (and the
    weight paths built from them) line up with files written by Keras."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """First call gives `base`, later ones `base_1`, `base_2`, ..."""
    n = _counts[base]
    _counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def reset_names() -> None:
    """Forget issued names (used by `clear_session()`)."""
    _counts.clear()
