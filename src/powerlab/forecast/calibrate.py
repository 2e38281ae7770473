r"""First-trial probabilities for the researcher-year and compute trial definitions.

Davidson (2021) never asks for a researcher or compute first-trial probability directly; each is
derived from a judgement about another quantity (the conventions below follow the report's
calculations, tadamcz/ai-timelines-priors):

* **researcher-year from calendar-year** (Sec. 6.1.1): ftp_res solves
  Pr_res(AGI by 2036 | none by 2020; ftp_res, g = g_exp) = Pr_cal(AGI by 2036 | none by 2020;
  ftp_cal), both with regime start 1956 and one virtual success: a field whose researchers grow
  at the typical STEM rate g_exp (4.3%/yr) gets the calendar-year forecast.
* **compute from researcher-year** (Sec. 6.2.1): a 1% increase in researchers is worth an X%
  increase in compute, so ftp_comp solves Pr(success within X compute trials | 5 failures) =
  Pr(success within 1 researcher trial | 5 failures), with one virtual success. With α = 1 this
  has the closed form 1/ftp_comp − 1 = X·(1/ftp_res + 4) − 5 (telescoping product of
  :mod:`powerlab.forecast.laplace`).
* **biological anchors** (Sec. 6.2.2): ftp_comp such that Pr(AGI within the trials from the
  regime start's compute to the anchor compute | no failures) = 1/2. Lifetime anchor: 1e24 FLOP
  (the brain's compute over a human lifetime), regime start 1956; evolutionary anchor: 1e41 FLOP,
  trials counted from 1e21 FLOP (the regime starts there).
* **log-uniform** (Sec. 6.2.2): 80% of the probability of AGI is spread uniformly over the
  orders of magnitude of compute from the 2020 level to 1e41 FLOP.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scipy import optimize

from powerlab.errors import InputError
from powerlab.forecast.laplace import check_ftp, pr_success_within
from powerlab.forecast.trials import (
    DATA_FROM,
    Rule,
    calendar_rule,
    compute_at,
    compute_rule,
    compute_trials,
    researcher_rule,
)

__all__ = [
    "EVOLUTION_FLOP",
    "EVOLUTION_START_FLOP",
    "LIFETIME_FLOP",
    "anchor_ftp",
    "evolution_rule",
    "ftp_compute",
    "ftp_researcher",
    "lifetime_rule",
    "log_uniform_pr_agi",
    "research_compute_rule",
]

LIFETIME_FLOP = 1e24
EVOLUTION_FLOP = 1e41
EVOLUTION_START_FLOP = 1e21
_LO, _HI = 1e-9, 1 - 1e-9


def _solve(gap: Callable[[float], float], what: str) -> float:
    """The root in [1e-9, 1 − 1e-9] of ``gap`` (a first-trial probability), by Brent's method."""
    try:
        return float(optimize.brentq(gap, _LO, _HI, xtol=1e-15, rtol=1e-14))
    except ValueError:
        raise InputError(f"{what}: no first-trial probability in (0, 1) fits") from None


def ftp_researcher(ftp_cal: float, g_exp: float = 0.043) -> float:
    """ftp_res matching the calendar-year forecast at researcher growth ``g_exp`` (Sec. 6.1.1)."""
    check_ftp(ftp_cal)
    if not g_exp > 0:
        raise InputError(f"g_exp: {g_exp} must be > 0")
    target = calendar_rule(ftp_cal).pr_agi(2036)

    def gap(ftp_res: float) -> float:
        return researcher_rule(ftp_res, g_exp).pr_agi(2036) - target

    return _solve(gap, "researcher-year calibration")


def ftp_compute(ftp_res: float, rel_importance: float) -> float:
    """ftp_comp when a 1% increase in researchers is worth ``rel_importance``% compute (6.2.1)."""
    check_ftp(ftp_res)
    if not rel_importance > 0:
        raise InputError(f"relative importance X: {rel_importance} must be > 0")
    target = pr_success_within(ftp_res, 1.0, 5, 1)

    def gap(ftp_c: float) -> float:
        return pr_success_within(ftp_c, 1.0, 5, rel_importance) - target

    return _solve(gap, "compute calibration")


def anchor_ftp(trials_to_anchor: float, vs: float = 1.0) -> float:
    """ftp with Pr(success within ``trials_to_anchor`` | 0 failures) = 1/2 (Sec. 6.2.2)."""
    if not trials_to_anchor > 0:
        raise InputError(f"anchor: {trials_to_anchor} trials to the anchor must be > 0")
    return _solve(lambda f: pr_success_within(f, vs, 0, trials_to_anchor) - 0.5, "anchor")


def research_compute_rule(
    ftp_cal: float,
    rel_importance: float = 5.0,
    vs: float = 1.0,
    start: float = 1956,
    spend: str = "aggressive",
    g_exp: float = 0.043,
) -> Rule:
    """Compute rule whose ftp is derived from ftp_cal via researchers (Secs. 6.1.1, 6.2.1)."""
    ftp_c = ftp_compute(ftp_researcher(ftp_cal, g_exp), rel_importance)
    return compute_rule(ftp_c, vs, start, spend, name=f"compute, X={rel_importance:g}")


def lifetime_rule(vs: float = 1.0, start: float = 1956, spend: str = "aggressive") -> Rule:
    """Compute rule anchored on the lifetime compute 1e24 FLOP (Sec. 6.2.2)."""
    n = compute_trials(compute_at(start, spend), LIFETIME_FLOP)
    return compute_rule(anchor_ftp(n, vs), vs, start, spend, name="lifetime anchor")


def evolution_rule(vs: float = 1.0, spend: str = "aggressive") -> Rule:
    """Compute rule anchored on evolution's 1e41 FLOP, regime starting at 1e21 FLOP (6.2.2)."""
    n = compute_trials(EVOLUTION_START_FLOP, EVOLUTION_FLOP)
    return compute_rule(
        anchor_ftp(n, vs),
        vs,
        1956,
        spend,
        start_compute=EVOLUTION_START_FLOP,
        name="evolutionary anchor",
    )


def log_uniform_pr_agi(
    until: float, spend: str = "aggressive", p_by_evolution: float = 0.8
) -> float:
    """Pr(AGI by ``until``) = p·(log10 C(until) − log10 C(2020)) / (41 − log10 C(2020))."""
    c0 = math.log10(compute_at(DATA_FROM, spend))
    return p_by_evolution * (math.log10(compute_at(until, spend)) - c0) / (41 - c0)
