"""Per-channel coefficients of batch normalization's element-wise pass, from the statistics (float64).

out = k_x (x - center) + k_0 and dx = k_g g + w (k_x (x - center) + k_0) are evaluated with center = 0
(the mean folded into k_0, one multiply-add per element) for the channels whose |mean| is at most
FOLD_BELOW standard deviations, and center = mean beyond: nothing large cancels in x's dtype, so float32
outputs keep float32 accuracy relative to themselves whatever |mean| / std.

The functions fill their outputs and return nothing on purpose: boxing a returned array calls back into
Python (numba unpickles its dtype), and a KeyboardInterrupt raised there escaped as `SystemError ... with
an exception set`.
"""

import numpy as np
from numba import njit

__all__ = ["FOLD_BELOW", "backward_coefficients", "forward_coefficients"]

FOLD_BELOW = 8.0  # std: folded, float32 rounding is <= ~18 ulps of the output scale (1.2e-7 at 7.9 std)


@njit(cache=True, error_model="numpy")
def forward_coefficients(x, mean, var, training, gamma, has_gamma, beta, has_beta, moving_mean,
                         moving_variance, momentum, epsilon, invstd, k_x, k_0, center):
    """Fills per-channel k_x, k_0, center (x's dtype) for out = k_x (x - center) + k_0 = gamma invstd
    (x - mean) + beta; training: updates the moving statistics with (mean, var), inference: mean and var
    are filled from them. invstd (float64) is filled."""
    C = mean.shape[0]
    for c in range(C):
        if training:
            mu = mean[c]
            v = var[c]
            moving_mean[c] = moving_mean[c] * momentum + mu * (1.0 - momentum)
            moving_variance[c] = moving_variance[c] * momentum + v * (1.0 - momentum)
        else:
            mu = np.float64(moving_mean[c])
            v = np.float64(moving_variance[c])
            mean[c] = mu
            var[c] = v
        s = 1.0 / np.sqrt(v + epsilon)
        invstd[c] = s
        a = np.float64(gamma[c]) * s if has_gamma else s
        b = np.float64(beta[c]) if has_beta else 0.0
        center[c] = mu if abs(mu) * s > FOLD_BELOW else 0.0
        k_x[c] = a
        k_0[c] = b + a * (np.float64(center[c]) - mu)


@njit(cache=True, error_model="numpy")
def backward_coefficients(x, mean, invstd, gamma, has_gamma, count, full, sum_g, sum_gxhat, k_g, k_x, k_0,
                          center):
    """Fills k_g, k_x, k_0, center (float64) for dx = k_g g + w (k_x (x - center) + k_0): full (training
    with count > 0) with k_g = gamma invstd, k_x = -k_g invstd sum_gxhat / count, k_0 = -k_g sum_g / count
    (+ the folded mean), else dx = gamma invstd g (given as k_x with k_0 = center = 0, for the pass without
    a g term).

    Float64, so that the affine pass evaluates each dx in float64 and rounds it once: coefficients rounded
    to float32 would add the same error at every position of a channel, a per-channel offset in the sum
    of dx, which is the whole gradient of a bias feeding batch normalization (exactly 0 in exact
    arithmetic); Adam turns that offset into learning-rate-sized steps of the bias."""
    C = mean.shape[0]
    for c in range(C):
        kg = (np.float64(gamma[c]) if has_gamma else 1.0) * invstd[c]
        k_g[c] = kg
        if full:
            kx = -kg * invstd[c] * sum_gxhat[c] / count
            center[c] = mean[c] if abs(mean[c]) * invstd[c] > FOLD_BELOW else 0.0
            k_x[c] = kx
            k_0[c] = -kg * sum_g[c] / count + kx * (center[c] - mean[c])
        else:
            center[c] = 0.0
            k_x[c] = kg
            k_0[c] = 0.0

