"""The UCI optical-recognition handwritten digits (8x8, 1797 images), as bundled by scikit-learn.

Shipped inside rkeras (45 KB) so that examples and tests never download anything.
Source: E. Alpaydin and C. Kaynak, UCI Machine Learning Repository (CC BY 4.0).
"""

from importlib import resources

import numpy as np


def dataset_digits(test_split=0.2, seed=1337):
    """Handwritten digits 0-9 as 8x8 grey images with values 0..16, split into train and test.

    Parameters
    ----------
    test_split : float
        Fraction of the 1797 images held out for testing, in (0, 1).
    seed : int
        Seed of the shuffle that makes the split (the same seed gives the same split).

    Returns
    -------
    dict
        `{"train": (x, y), "test": (x, y)}` like R keras3's `dataset_mnist()`: `x` is uint8 of shape
        (n, 8, 8), `y` uint8 labels of shape (n,).
    """
    if not 0.0 < float(test_split) < 1.0:
        raise ValueError(f"`test_split` must be in (0, 1); received {test_split!r}.")
    with resources.files(__package__).joinpath("digits.npz").open("rb") as f:
        data = np.load(f)
        x, y = data["x"], data["y"]
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = round(len(y) * float(test_split))
    test, train = order[:n_test], order[n_test:]
    return {"train": (x[train], y[train]), "test": (x[test], y[test])}
