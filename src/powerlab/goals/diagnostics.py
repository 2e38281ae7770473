r"""MCMC diagnostics: effective sample size and split-:math:`\hat R`.

Follows Vehtari, Gelman, Simpson, Carpenter & Bürkner, "Rank-normalization, folding, and
localization: an improved :math:`\hat R` for assessing convergence of MCMC" (Bayesian
Analysis 16, 2021), Sec. 3 (without rank normalisation): the chains are split in halves;

* split-:math:`\hat R = \sqrt{\hat{\mathrm{var}}^+ / W}` with W the mean within-chain
  variance and :math:`\hat{\mathrm{var}}^+ = \frac{N-1}{N}W + \frac1N B`;
* ESS :math:`= MN / \hat\tau`, :math:`\hat\tau = -1 + 2\sum_{t} \hat P_t`, where
  :math:`\hat\rho_t = 1 - (W - \overline{\mathrm{acov}}_t)/\hat{\mathrm{var}}^+` and the sum of
  pairs :math:`\hat P_t = \hat\rho_{2t} + \hat\rho_{2t+1}` is truncated at the first
  negative pair and made monotone (Geyer's initial monotone sequence, 1992).
"""

from __future__ import annotations

import numpy as np

from powerlab.errors import InputError

__all__ = ["ess", "split_rhat"]


def _split(chains: np.ndarray) -> np.ndarray:
    x = np.asarray(chains, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 4:
        raise InputError(f"chains must have shape [M, N] with N >= 4, got {x.shape}")
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half :]], axis=0)


def _autocov(x: np.ndarray) -> np.ndarray:
    """``x: [M, N]`` -> ``[M, N]`` autocovariances per chain (FFT, biased estimator)."""
    N = x.shape[1]
    xc = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * N - 1).bit_length()
    f = np.fft.rfft(xc, n=size, axis=1)
    return np.fft.irfft(f * np.conj(f), n=size, axis=1)[:, :N] / N


def split_rhat(chains: np.ndarray) -> float:
    r"""Split-:math:`\hat R` of ``chains: [M, N]`` (one scalar quantity, M chains)."""
    x = _split(chains)
    n = x.shape[1]
    W = float(x.var(axis=1, ddof=1).mean())
    B = float(n * x.mean(axis=1).var(ddof=1))
    if W == 0.0:
        return 1.0 if B == 0.0 else float("inf")
    var_plus = (n - 1) / n * W + B / n
    return float(np.sqrt(var_plus / W))


def ess(chains: np.ndarray) -> float:
    """Effective sample size of ``chains: [M, N]`` (module docstring); ``M*N`` if constant."""
    x = _split(chains)
    M, n = x.shape
    acov = _autocov(x)
    W = float(x.var(axis=1, ddof=1).mean())
    B = float(n * x.mean(axis=1).var(ddof=1))
    var_plus = (n - 1) / n * W + B / n
    if var_plus <= 0.0:
        return float(M * n)
    rho = 1.0 - (W - acov.mean(axis=0) * n / (n - 1)) / var_plus
    rho[0] = 1.0
    tau = -1.0
    prev = np.inf
    for t in range(0, n - 1, 2):
        pair = rho[t] + rho[t + 1]
        if pair < 0:
            break
        pair = min(pair, prev)
        tau += 2.0 * pair
        prev = pair
    tau = max(tau, 1.0 / np.log10(max(M * n, 10)))
    return float(M * n / tau)
