"""Fitting a power law y ≈ a·w^b to positive measurements, with the exponent's uncertainty.

Taking logs turns y = a·w^b·ε into the linear model log y = log a + b·log w + log ε; ordinary
least squares gives b̂ = Σ(u_i - ū)(v_i - v̄) / Σ(u_i - ū)² with u = log w, v = log y, and its
standard error SE(b̂) = s / √Σ(u_i - ū)², s² = Σ r_i² / (n - 2) (the textbook OLS formulas,
e.g. Wasserman, *All of Statistics*, Thm 13.8). The 95 % interval uses Student's t with n - 2
degrees of freedom. Repeated seeds at one width enter as separate points, so the scatter
between seeds feeds the uncertainty. Lee et al. 2019 (Theorem 2.1) predict b = -1/2 for the
gap between a network and its linearization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from powerlab._types import JSON
from powerlab.errors import InputError

__all__ = ["PowerLawFit", "fit_power_law"]


@dataclass(frozen=True)
class PowerLawFit:
    """An OLS fit ``value ≈ prefactor · width^exponent`` on logs (:func:`fit_power_law`).

    Attributes:
        exponent: the slope b of log value on log width.
        prefactor: a = exp(intercept).
        n: number of points.
        r2: coefficient of determination on logs.
        stderr: standard error of b, None without residual degrees of freedom.
        ci95: 95 % t interval of b, None without residual degrees of freedom.
    """

    exponent: float
    prefactor: float
    n: int
    r2: float
    stderr: float | None
    ci95: tuple[float, float] | None

    def to_dict(self) -> JSON:
        """The JSON form: the fields in order, ``ci95`` as a list."""
        return {
            "exponent": self.exponent,
            "prefactor": self.prefactor,
            "n": self.n,
            "r2": self.r2,
            "stderr": self.stderr,
            "ci95": None if self.ci95 is None else list(self.ci95),
        }


def fit_power_law(widths: Any, values: Any) -> PowerLawFit:
    """OLS fit of log ``values`` on log ``widths``: exponent b, prefactor a, SE(b), 95 % CI.

    Args:
        widths: ``[n]`` positive widths (repeats allowed).
        values: ``[n]`` positive measurements.

    Returns:
        A :class:`PowerLawFit`; ``stderr`` and ``ci95`` are ``None`` when fewer than three
        points leave no residual degrees of freedom.

    Raises:
        InputError: mismatched lengths, non-positive entries, or fewer than two distinct widths.
    """
    w = np.asarray(widths, dtype=float).ravel()
    y = np.asarray(values, dtype=float).ravel()
    if w.shape != y.shape:
        raise InputError(f"fit_power_law: {w.size} widths but {y.size} values")
    if np.any(~np.isfinite(w)) or np.any(w <= 0) or np.any(~np.isfinite(y)) or np.any(y <= 0):
        raise InputError("fit_power_law: widths and values must be positive and finite")
    if np.unique(w).size < 2:
        raise InputError("fit_power_law: need at least two distinct widths")
    u, v = np.log(w), np.log(y)
    du = u - u.mean()
    sxx = float(du @ du)
    b = float(du @ (v - v.mean()) / sxx)
    a = float(np.exp(v.mean() - b * u.mean()))
    resid = v - (np.log(a) + b * u)
    n = int(w.size)
    ss_tot = float(((v - v.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / ss_tot if ss_tot > 0 else 1.0
    if n <= 2:
        return PowerLawFit(b, a, n, r2, None, None)
    se = float(np.sqrt(float(resid @ resid) / (n - 2) / sxx))
    t = float(stats.t.ppf(0.975, n - 2))
    return PowerLawFit(b, a, n, r2, se, (b - t * se, b + t * se))
