"""P(AGI by year Y) for Y = observed_until+1 ... until: the curve behind ``powerlab forecast``.

One update rule (Davidson 2021, Secs. 4-6) or the all-things-considered mixture (Sec. 8):
``trials`` is ``calendar``, ``researcher``, ``compute`` (first-trial probability derived from
research, X = ``rel_importance``), ``lifetime``, ``evolution`` (biological anchors) or
``mixture``. For every trial definition but ``calendar``, ``ftp`` is the *calendar-year
equivalent* first-trial probability, converted as in :mod:`powerlab.forecast.calibrate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.forecast.calibrate import (
    evolution_rule,
    ftp_researcher,
    lifetime_rule,
    research_compute_rule,
)
from powerlab.forecast.hyperprior import all_things_considered
from powerlab.forecast.laplace import check_ftp, check_virtual_successes
from powerlab.forecast.trials import DATA_FROM, calendar_rule, researcher_rule

__all__ = ["TRIAL_KINDS", "Forecast", "forecast"]

TRIAL_KINDS = ("calendar", "researcher", "compute", "lifetime", "evolution", "mixture")


@dataclass(frozen=True)
class Forecast:
    """``probability`` = P(AGI by ``until`` | none by ``observed_until``); ``by_year`` the curve."""

    probability: float
    by_year: dict[int, float]
    parameters: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        """``{"probability", "by_year": {year: p}, "parameters": {...}}``."""
        return {
            "probability": self.probability,
            "by_year": {str(y): p for y, p in self.by_year.items()},
            "parameters": dict(self.parameters),
        }


def forecast(
    trials: str = "calendar",
    ftp: float = 1 / 300,
    vs: float = 1.0,
    start: int = 1956,
    until: int = 2036,
    observed_until: int = DATA_FROM,
    g_act: float = 0.11,
    g_exp: float = 0.043,
    rel_importance: float = 5.0,
    spend: str = "aggressive",
) -> Forecast:
    """P(AGI by each year up to ``until`` | no AGI by the end of ``observed_until``).

    Raises :class:`InputError` for a first-trial probability outside (0, 1), virtual successes
    <= 0, a regime start after ``observed_until`` or after ``until``, ``until`` before
    ``observed_until``, or compute-based years outside the compute data (1956-2036).
    """
    if trials not in TRIAL_KINDS:
        raise InputError(f"trials: {trials!r} is not one of {', '.join(TRIAL_KINDS)}")
    check_ftp(ftp)
    check_virtual_successes(vs)
    if start > until:
        raise InputError(f"start: regime start {start} is after the end year {until}")
    if start > observed_until:
        raise InputError(
            f"start: regime start {start} is after the last observed year {observed_until}"
        )
    if until < observed_until:
        raise InputError(f"until: {until} is before the last observed year {observed_until}")
    spend_ = "both" if trials == "mixture" and spend == "both" else spend
    if trials == "calendar":
        rule = calendar_rule(ftp, vs, start)
    elif trials == "researcher":
        rule = researcher_rule(ftp_researcher(ftp, g_exp), g_act, vs, start)
    elif trials == "compute":
        rule = research_compute_rule(ftp, rel_importance, vs, start, spend, g_exp)
    elif trials == "lifetime":
        rule = lifetime_rule(vs, start, spend)
    elif trials == "evolution":
        rule = evolution_rule(vs, spend)
    if trials == "mixture":
        if observed_until != DATA_FROM:
            raise InputError(
                f"observed_until: the mixture conditions on no AGI by {DATA_FROM} only"
            )
        hp = all_things_considered(None, ftp, vs, start, g_act, g_exp, rel_importance, spend_)
        by_year = {y: hp.pr_agi(y) for y in range(observed_until + 1, until + 1)}
        extra: JSON = {
            "rules": [r.name for r in hp.rules],
            "prior_weights": [float(w) for w in hp.prior],
            "weights_after_no_agi": [float(w) for w in hp.posterior],
        }
    else:
        by_year = {y: rule.pr_agi(y, observed_until) for y in range(observed_until + 1, until + 1)}
        extra = {"rule": rule.name, "rule_first_trial_probability": rule.ftp}
    params: JSON = {
        "trials": trials,
        "first_trial_probability": ftp,
        "virtual_successes": vs,
        "start": start,
        "until": until,
        "observed_until": observed_until,
        **extra,
    }
    if trials in ("researcher", "compute", "mixture"):
        params.update(g_act=g_act, g_exp=g_exp)
    if trials in ("compute", "lifetime", "evolution", "mixture"):
        params.update(spend=spend_, rel_importance=rel_importance)
    prob = by_year[until] if by_year else 0.0
    return Forecast(prob, by_year, params)
