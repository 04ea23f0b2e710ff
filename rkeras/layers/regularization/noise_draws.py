"""Random draws of the noise layers, shaped like the input and aware of data parallelism.

Under a data-parallel distribution every rank draws the noise of the whole global batch and keeps
its own rows (as `Dropout` does), so N ranks train exactly as one process would.
"""

import numpy as np

from ...distribute import current_batch_rows


def draw(generator, shape, kind, dtype, batch_shared=False):
    """`kind` is "uniform" or "normal" (standard); float64 draws for float64 work, float32 otherwise.

    `batch_shared`: the noise has size 1 along the batch axis (no per-rank slicing then)."""
    draw_dtype = np.float64 if dtype == np.float64 else np.float32
    shape = tuple(shape)
    rows = current_batch_rows()
    full = shape
    if rows is not None and not batch_shared and rows[2] - rows[1] == shape[0]:
        full = (rows[0],) + shape[1:]
    if kind == "uniform":
        values = generator.random(full, dtype=draw_dtype)
    else:
        values = generator.standard_normal(full, dtype=draw_dtype)
    if full != shape:
        values = values[rows[1]:rows[2]]
    return values


def global_batch_size(local_batch: int) -> int:
    """The batch size of the whole step: the global one in a data-parallel step, else `local_batch`."""
    rows = current_batch_rows()
    if rows is not None and rows[2] - rows[1] == local_batch:
        return rows[0]
    return local_batch
