r"""The generalized Laplace rule of succession (Davidson 2021, Sec. 3.1 and Appendix 2).

A sequence of Bernoulli trials succeeds with an unknown probability p. The semi-informative
prior over p is Beta(α, β), parametrised by

* the number of *virtual successes* ``vs`` = α, and
* the *first-trial probability* ``ftp`` = α / (α + β), the prior predictive probability that
  the very first trial succeeds, so that β = vs/ftp − vs (the *virtual failures*).

After n observed failures (and no success) since the regime start, the posterior is
Beta(α, β + n), and (Davidson 2021, Appendix 2, "Mathematics of the framework")

.. math::

    \Pr(\text{success at trial } n+1 \mid n \text{ failures}) = \frac{α}{α + β + n}
        = \frac{1}{1/\mathrm{ftp} + n/\mathrm{vs}},

    \Pr(\text{no success in the next } k \mid n \text{ failures})
        = E[(1-p)^k] = \frac{B(α, β + n + k)}{B(α, β + n)}
        = \prod_{i=n}^{n+k-1} \frac{β + i}{α + β + i}.

With one virtual success (α = 1) the product telescopes:
Pr(no success in k | n) = (β + n)/(β + n + k), so
Pr(success within k | n) = k / (1/ftp − 1 + n + k). With ftp = 1/2 and α = 1 this is
Laplace's rule of succession, Pr(success at n+1 | n failures) = 1/(n + 2).

The float functions use the Beta-function form (``scipy.special.betaln``) so that non-integer
trial counts are allowed; :func:`pr_success_within_exact` evaluates the product in exact
rational arithmetic for integer counts.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.special import betaln

from powerlab.errors import InputError

__all__ = [
    "check_ftp",
    "check_virtual_successes",
    "next_trial_probability",
    "next_trial_probability_exact",
    "pr_success_within",
    "pr_success_within_exact",
    "virtual_failures",
]


def check_ftp(ftp: float | Fraction, name: str = "first-trial probability") -> None:
    """Raise :class:`InputError` unless 0 < ``ftp`` < 1 (Davidson 2021, Sec. 3.1)."""
    if not (isinstance(ftp, Fraction) or np.isfinite(float(ftp))) or not 0 < ftp < 1:
        raise InputError(f"{name}: {ftp} is outside the open interval (0, 1)")


def check_virtual_successes(vs: float | Fraction) -> None:
    """Raise :class:`InputError` unless the number of virtual successes is finite and > 0."""
    if not (isinstance(vs, Fraction) or np.isfinite(float(vs))) or not vs > 0:
        raise InputError(f"virtual successes: {vs} must be a finite number > 0")


def _check_counts(failures: float, trials: float) -> None:
    if not (np.isfinite(failures) and failures >= 0):
        raise InputError(f"failures: {failures} must be a finite number >= 0")
    if not (np.isfinite(trials) and trials >= 0):
        raise InputError(f"trials: {trials} must be a finite number >= 0")


def virtual_failures(ftp: float | Fraction, vs: float | Fraction = 1) -> float | Fraction:
    """β = vs/ftp − vs: the virtual failures implied by ``ftp`` and ``vs`` (Sec. 3.1)."""
    check_ftp(ftp)
    check_virtual_successes(vs)
    return vs / ftp - vs


def next_trial_probability(ftp: float, vs: float = 1.0, failures: float = 0.0) -> float:
    """Pr(success at the next trial | ``failures`` failures) = α / (α + β + n)."""
    beta = float(virtual_failures(ftp, vs))
    _check_counts(failures, 0.0)
    return float(vs) / (float(vs) + beta + float(failures))


def next_trial_probability_exact(ftp: Fraction, vs: Fraction, failures: int) -> Fraction:
    """Exact α / (α + β + n) for rational ``ftp``, ``vs`` and integer ``failures``."""
    ftp, vs = Fraction(ftp), Fraction(vs)
    beta = Fraction(virtual_failures(ftp, vs))
    if failures < 0:
        raise InputError(f"failures: {failures} must be >= 0")
    return vs / (vs + beta + failures)


def pr_success_within(ftp: float, vs: float, failures: float, trials: float) -> float:
    """Pr(at least one success in the next ``trials`` | ``failures`` failures so far).

    Equals 1 − B(α, β+n+k)/B(α, β+n) with α = vs, β = vs/ftp − vs, n = failures,
    k = trials (module docstring). Counts may be non-integer.
    """
    beta = float(virtual_failures(ftp, vs))
    _check_counts(failures, trials)
    alpha = float(vs)
    log_no = betaln(alpha, beta + failures + trials) - betaln(alpha, beta + failures)
    return float(-np.expm1(log_no))


def pr_success_within_exact(ftp: Fraction, vs: Fraction, failures: int, trials: int) -> Fraction:
    """Exact 1 − ∏_{i=n}^{n+k−1} (β+i)/(α+β+i) for rational inputs and integer counts."""
    ftp, vs = Fraction(ftp), Fraction(vs)
    beta = Fraction(virtual_failures(ftp, vs))
    if int(failures) != failures or int(trials) != trials or failures < 0 or trials < 0:
        raise InputError(f"failures, trials: ({failures}, {trials}) must be integers >= 0")
    if vs == 1:  # the product telescopes
        return Fraction(trials) / (beta + failures + trials)
    no = Fraction(1)
    for i in range(int(failures), int(failures) + int(trials)):
        no *= (beta + i) / (vs + beta + i)
    return 1 - no
