r"""A hyper-prior over update rules and the all-things-considered mixture (Davidson 2021, Sec. 7.2).

Several update rules R_1..R_m (trial definitions, first-trial probabilities, "AGI is impossible")
get prior weights w_i at the regime start. Observing no AGI by the end of 2020 updates them by
Bayes' rule,

.. math::

    w_i' = \frac{w_i \Pr_i(\text{no AGI by 2020})}{\sum_j w_j \Pr_j(\text{no AGI by 2020})},
    \qquad
    \Pr(\text{AGI by } Y) = \sum_i w_i' \Pr_i(\text{AGI by } Y \mid \text{none by 2020}),

where Pr_i(no AGI by 2020) is counted from rule i's own regime start. The *static* mixture uses
w_i instead of w_i'. The rule "AGI is impossible" has Pr(no AGI) = 1 and Pr(AGI) = 0, so its
weight grows as failures accumulate (Sec. 7.3).

:data:`CENTRAL_WEIGHTS` are the report's central weights for its all-things-considered forecast
(Sec. 8, as in the authors' calculator at aipriors.com): calendar-year 0.3, researcher-year 0.3,
compute (via researchers, X = 5) 0.05, lifetime anchor 0.1, evolutionary anchor 0.15, AGI
impossible 0.1; each rule with first-trial probability 1/300 (calendar-equivalent), one virtual
success, regime start 1956, g_exp = 4.3%, g_act = 11%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError
from powerlab.forecast.calibrate import (
    evolution_rule,
    ftp_researcher,
    lifetime_rule,
    research_compute_rule,
)
from powerlab.forecast.trials import (
    DATA_FROM,
    Rule,
    calendar_rule,
    impossible_rule,
    researcher_rule,
)

__all__ = [
    "CENTRAL_WEIGHTS",
    "HyperPrior",
    "all_things_considered",
    "central_rules",
    "hyper_prior",
]

CENTRAL_WEIGHTS: dict[str, float] = {
    "calendar": 0.3,
    "researcher": 0.3,
    "compute": 0.05,
    "lifetime": 0.1,
    "evolution": 0.15,
    "impossible": 0.1,
}


@dataclass(frozen=True)
class HyperPrior:
    """Rules with prior weights ``w: [m]`` and weights ``posterior: [m]`` after no AGI by 2020."""

    rules: tuple[Rule, ...]
    prior: np.ndarray
    posterior: np.ndarray
    observed_until: float

    def pr_agi(self, until: float, updated: bool = True) -> float:
        """Σ_i w_i' Pr_i(AGI by ``until`` | none by 2020) (``updated=False``: with w_i)."""
        w = self.posterior if updated else self.prior
        p = np.array([r.pr_agi(until, self.observed_until) for r in self.rules])
        return float(w @ p)


def hyper_prior(
    rules: Sequence[Rule], weights: Sequence[float], observed_until: float = DATA_FROM
) -> HyperPrior:
    """Update prior ``weights: [m]`` over ``rules`` on no AGI by ``observed_until`` (Sec. 7.2)."""
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(rules),) or len(rules) == 0:
        raise InputError(f"weights: expected {len(rules)} weights, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError("weights: must be finite, >= 0 and not all 0")
    w = w / w.sum()
    like = np.array([r.pr_no_agi_by(observed_until) for r in rules])
    post = w * like
    return HyperPrior(tuple(rules), w, post / post.sum(), observed_until)


def central_rules(
    ftp_cal: float = 1 / 300,
    vs: float = 1.0,
    start: float = 1956,
    g_act: float = 0.11,
    g_exp: float = 0.043,
    rel_importance: float = 5.0,
    spend: str = "aggressive",
) -> dict[str, Rule]:
    """The six rules of the all-things-considered forecast, keyed as :data:`CENTRAL_WEIGHTS`."""
    return {
        "calendar": calendar_rule(ftp_cal, vs, start),
        "researcher": researcher_rule(ftp_researcher(ftp_cal, g_exp), g_act, vs, start),
        "compute": research_compute_rule(ftp_cal, rel_importance, vs, start, spend, g_exp),
        "lifetime": lifetime_rule(vs, start, spend),
        "evolution": evolution_rule(vs, spend),
        "impossible": impossible_rule(),
    }


def all_things_considered(
    weights: dict[str, float] | None = None,
    ftp_cal: float = 1 / 300,
    vs: float = 1.0,
    start: float = 1956,
    g_act: float = 0.11,
    g_exp: float = 0.043,
    rel_importance: float = 5.0,
    spend: str = "both",
) -> HyperPrior:
    """The report's all-things-considered mixture (Sec. 8), updated on no AGI by 2020.

    ``weights`` (default :data:`CENTRAL_WEIGHTS`) are over the six keys of
    :func:`central_rules`. With ``spend="both"`` each compute-based rule is split into a
    conservative and an aggressive copy with half its weight each (the report brackets the
    compute projections and averages them, Sec. 6.2.3); otherwise one projection is used.
    """
    w = dict(CENTRAL_WEIGHTS if weights is None else weights)
    unknown = set(w) - set(CENTRAL_WEIGHTS)
    if unknown:
        raise InputError(f"weights: unknown rule(s) {sorted(unknown)}; use {list(CENTRAL_WEIGHTS)}")
    spends = ["conservative", "aggressive"] if spend == "both" else [spend]
    rules: list[Rule] = []
    ws: list[float] = []
    for i, sp in enumerate(spends):
        table = central_rules(ftp_cal, vs, start, g_act, g_exp, rel_importance, sp)
        for key, rule in table.items():
            compute_based = key in ("compute", "lifetime", "evolution")
            if not compute_based and i > 0:
                continue
            rules.append(rule)
            ws.append(w.get(key, 0.0) / (len(spends) if compute_based else 1))
    return hyper_prior(rules, ws)
