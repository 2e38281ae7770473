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

__all__ = ["ESS_MIN_FRACTION", "RHAT_MAX", "ess", "mixing_warnings", "split_rhat", "wilson"]


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


RHAT_MAX = 1.01
"""Split-R-hat above this warns that the chains have not mixed (Vehtari et al. 2021, Sec. 4)."""

ESS_MIN_FRACTION = 0.1
"""An ESS below this fraction of the draws warns of strong autocorrelation."""


def mixing_warnings(n: int, ess_value: float | None, rhat: float | None) -> tuple[str, ...]:
    """Warnings for a Markov chain sample of ``n`` draws: R-hat above :data:`RHAT_MAX` or
    ESS below :data:`ESS_MIN_FRACTION` of ``n`` (Vehtari et al. 2021's recommendations)."""
    out = []
    if rhat is not None and np.isfinite(rhat) and rhat > RHAT_MAX:
        out.append(f"R-hat {rhat:.3f} > {RHAT_MAX}: the chains have not mixed")
    elif rhat is not None and not np.isfinite(rhat):
        out.append("R-hat is infinite: the chains have not mixed")
    if ess_value is not None and n > 0 and np.isfinite(ess_value):
        if ess_value < ESS_MIN_FRACTION * n:
            out.append(
                f"ESS {ess_value:.0f} is below {ESS_MIN_FRACTION:.0%} of the {n} draws: "
                "estimates are much less precise than N suggests"
            )
    return tuple(out)


def wilson(p: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    r"""Wilson score interval for a proportion ``p`` from ``n`` (effective) trials.

    Wilson (1927): the interval :math:`\{\pi: |p - \pi| \le z\sqrt{\pi(1-\pi)/n}\}`,
    :math:`\frac{p + z^2/2n \pm z\sqrt{p(1-p)/n + z^2/4n^2}}{1 + z^2/n}`. It does not
    collapse at p = 0 or 1 (it ends at 0 or 1 exactly, and has positive width). ``n`` may
    be fractional (an effective sample size); default z is the 95% two-sided value.
    """
    if not n > 0 or not 0.0 <= p <= 1.0:
        return (0.0, 1.0)
    den = 1.0 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * float(np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / den
    lo = 0.0 if p == 0.0 else max(0.0, mid - half)
    hi = 1.0 if p == 1.0 else min(1.0, mid + half)
    return (lo, hi)
