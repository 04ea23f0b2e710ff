"""Numba batch-normalization kernels on a C-contiguous (outer, channels, inner) view.

Every entry takes `x` of shape (O, C, I): C is the product of the normalized axes, O of the axes before
them, I of the axes after (dense (N, F) -> (N, F, 1); channels-last images -> (N*H*W, C, 1);
channels-first -> (N, C, H*W)), so one kernel family serves every layout without a transposed copy.
A mask is a bool (O, I) array, True where a position counts in the statistics. The caller allocates the
outputs.

The API is `train`, `inference` and `backward` (`entries.py`); each runs two passes over the data, each
compiled once per dtype with every flag a runtime argument:
  * `sums.py`          per-channel sums (the moments, the gradient sums), float32 blocks folded into float64;
  * `coefficients.py`  the per-channel coefficients of the element-wise pass, in float64;
  * `affine.py`        out = k_g g + w (k_x (x - center) + k_0), one multiply-add per element;
  * `layout.py`        chunks and tiles, shared by the passes.
The work is cut into one contiguous chunk per thread (`kernels/threads.py`: one for small arrays). No
kernel uses `nnan`/`ninf`, so NaN and Inf reach the outputs. The numpy twin the tests compare against is
`rkeras/kernels/batch_norm_reference.py`; the measurements behind the constants are in benchmarks/NOTES.md.
"""

from .entries import backward, inference, train

__all__ = ["backward", "inference", "train"]
