r"""Trial definitions: how many trials happen between two dates (Davidson 2021, Secs. 4-6).

An *update rule* is the generalized Laplace rule (:mod:`powerlab.forecast.laplace`) together
with a trial definition and a regime start. Its forecast is

.. math::

    \Pr(\text{AGI by } Y \mid \text{none by } Y_0)
        = \mathrm{within}(\mathrm{ftp}, \mathrm{vs}, n = N(\text{start}, Y_0), k = N(Y_0, Y)),

where N(a, b) counts the trials between a and b. The report's definitions, with the counting
conventions of its calculations (integer parts taken on each span separately, as in the
authors' reference code, tadamcz/ai-timelines-priors):

* **calendar year** (Sec. 4): N(a, b) = b − a.
* **researcher-year** (Sec. 6.1): a trial is a 1% increase in the number of AI researchers;
  with researchers growing at g_act a year there are ln(1 + g_act)/ln 1.01 trials a year, so
  N(a, b) = (b − a)·ln(1 + g_act)/ln 1.01.
* **compute** (Sec. 6.2): a trial is a 1% increase in the largest training compute C(y), the
  biggest spend divided by the price of a FLOP; N(a, b) = ln(C(b)/C(a)) / ln 1.01.

Trial counts are real numbers (the Beta-function form of the rule needs no integers). This is
the convention that reproduces the report's printed researcher-year table (Sec. 6.1.2) to every
printed digit; the authors' later reference code (tadamcz/ai-timelines-priors) takes integer
parts and the approximation g_act/1% trials a year, which moves several cells of that table in
the second digit.

Data (Sec. 6.2, the report's compute estimates): price per FLOP and the two projections of the
biggest training spend ("conservative": $100M by 2036, "aggressive": $100B by 2036), tabulated
for 1956 and 2020-2036 in :data:`COMPUTE_PRICE` and :data:`BIGGEST_SPEND`. Years between table
entries are interpolated log-linearly; years outside 1956-2036 are refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from powerlab.errors import InputError
from powerlab.forecast.laplace import check_ftp, check_virtual_successes, pr_success_within

__all__ = [
    "BIGGEST_SPEND",
    "COMPUTE_PRICE",
    "DATA_FROM",
    "TRIAL_INCREMENT",
    "Rule",
    "calendar_rule",
    "compute_at",
    "compute_rule",
    "compute_trials",
    "impossible_rule",
    "researcher_rule",
]

DATA_FROM = 2020
"""The report conditions on no AGI by the end of 2020 (Sec. 1.1)."""

TRIAL_INCREMENT = 0.01
"""Researcher and compute trials are 1% increases (Secs. 6.1, 6.2)."""

COMPUTE_PRICE: dict[int, float] = {
    1956: 10**-6, 2020: 10**-17, 2021: 10**-17.2, 2022: 10**-17.4, 2023: 10**-17.6,
    2024: 10**-17.8, 2025: 10**-18, 2026: 10**-18.1, 2027: 10**-18.2, 2028: 10**-18.3,
    2029: 10**-18.4, 2030: 10**-18.5, 2031: 10**-18.6, 2032: 10**-18.7, 2033: 10**-18.8,
    2034: 10**-18.9, 2035: 10**-18.95, 2036: 10**-19,
}  # fmt: skip
"""Dollars per FLOP by year (Davidson 2021, Sec. 6.2 compute data)."""

BIGGEST_SPEND: dict[str, dict[int, float]] = {
    "conservative": {
        1956: 10**1, 2020: 10**6.7, 2021: 10**6.78, 2022: 10**6.86, 2023: 10**6.94,
        2024: 10**7.02, 2025: 10**7.1, 2026: 10**7.18, 2027: 10**7.26, 2028: 10**7.35,
        2029: 10**7.43, 2030: 10**7.51, 2031: 10**7.59, 2032: 10**7.67, 2033: 10**7.75,
        2034: 10**7.83, 2035: 10**7.91, 2036: 10**8,
    },
    "aggressive": {
        1956: 10**1, 2020: 10**6.7, 2021: 10**7.0, 2022: 10**7.25, 2023: 10**7.5,
        2024: 10**7.8, 2025: 10**8.05, 2026: 10**8.3, 2027: 10**8.6, 2028: 10**8.85,
        2029: 10**9.1, 2030: 10**9.4, 2031: 10**9.65, 2032: 10**9.9, 2033: 10**10.2,
        2034: 10**10.45, 2035: 10**10.7, 2036: 10**11,
    },
}  # fmt: skip
"""Biggest training-run spend in dollars by year, two projections (Sec. 6.2)."""


@dataclass(frozen=True)
class Rule:
    """An update rule: generalized Laplace rule + trial definition + regime start.

    Attributes:
        name: label shown in tables.
        ftp: first-trial probability in (0, 1) for *this* trial definition.
        vs: number of virtual successes (> 0).
        failures: ``failures(y0)`` = N(regime start, y0), trials observed to fail by ``y0``.
        trials: ``trials(a, b)`` = N(a, b), trials between years ``a`` and ``b``.
        start: regime start year (for messages and JSON).
        impossible: the rule "AGI is impossible" (Sec. 7.3): every probability of AGI is 0.
    """

    name: str
    ftp: float
    vs: float
    failures: Callable[[float], float]
    trials: Callable[[float, float], float]
    start: float
    impossible: bool = False

    def pr_agi(self, until: float, observed_until: float = DATA_FROM) -> float:
        """Pr(AGI by the end of ``until`` | no AGI by the end of ``observed_until``)."""
        if self.impossible:
            return 0.0
        if until < observed_until:
            raise InputError(f"until: {until} is before the last observed year {observed_until}")
        n = self.failures(observed_until)
        return pr_success_within(self.ftp, self.vs, n, self.trials(observed_until, until))

    def pr_no_agi_by(self, year: float) -> float:
        """Pr(no AGI from the regime start to the end of ``year``): the hyper-prior likelihood."""
        if self.impossible:
            return 1.0
        return 1.0 - pr_success_within(self.ftp, self.vs, 0.0, self.failures(year))


def _check_start(start: float, observed_until: float = DATA_FROM) -> None:
    if not np.isfinite(start) or start > observed_until:
        raise InputError(f"start: regime start {start} is after the last observed year")


def calendar_rule(ftp: float, vs: float = 1.0, start: float = 1956) -> Rule:
    """Calendar-year trials (Sec. 4): one trial per year since ``start``."""
    check_ftp(ftp)
    check_virtual_successes(vs)
    _check_start(start)
    return Rule(
        name=f"calendar (ftp={ftp:.4g}, start={start:g})",
        ftp=float(ftp),
        vs=float(vs),
        failures=lambda y0: y0 - start,
        trials=lambda a, b: b - a,
        start=start,
    )


def researcher_rule(ftp_res: float, g_act: float, vs: float = 1.0, start: float = 1956) -> Rule:
    """Researcher-year trials (Sec. 6.1): ln(1 + g_act)/ln 1.01 trials a year.

    ``ftp_res`` is the first-trial probability of one 1% increase in researchers; derive it
    from a calendar-year one with :func:`powerlab.forecast.calibrate.ftp_researcher`.
    """
    check_ftp(ftp_res)
    check_virtual_successes(vs)
    _check_start(start)
    if not (np.isfinite(g_act) and g_act > 0):
        raise InputError(f"g_act: researcher growth {g_act} must be > 0")
    per_year = math.log1p(g_act) / math.log1p(TRIAL_INCREMENT)
    return Rule(
        name=f"researcher-year (g_act={g_act:g}, start={start:g})",
        ftp=float(ftp_res),
        vs=float(vs),
        failures=lambda y0: (y0 - start) * per_year,
        trials=lambda a, b: (b - a) * per_year,
        start=start,
    )


def compute_at(year: float, spend: str = "aggressive") -> float:
    """Largest training compute C(year) = biggest spend / price per FLOP (FLOP; Sec. 6.2)."""
    if spend not in BIGGEST_SPEND:
        raise InputError(f"spend: {spend!r} is not one of {sorted(BIGGEST_SPEND)}")
    table = BIGGEST_SPEND[spend]
    years = sorted(table)
    if not years[0] <= year <= years[-1]:
        raise InputError(f"year: {year} is outside the compute data ({years[0]}-{years[-1]})")
    if year in table:
        return table[int(year)] / COMPUTE_PRICE[int(year)]
    log_c = [math.log10(table[y] / COMPUTE_PRICE[y]) for y in years]
    return float(10 ** np.interp(year, years, log_c))


def compute_trials(c_from: float, c_to: float) -> float:
    """N = ln(c_to / c_from) / ln 1.01: the 1% compute increases between two levels (> 0)."""
    if not (c_from > 0 and c_to > 0):
        raise InputError(f"compute levels must be > 0, got {c_from} and {c_to}")
    return float(max(np.log(c_to / c_from), 0.0) / np.log1p(TRIAL_INCREMENT))


def compute_rule(
    ftp_comp: float,
    vs: float = 1.0,
    start: float = 1956,
    spend: str = "aggressive",
    start_compute: float | None = None,
    name: str = "compute",
) -> Rule:
    """Compute trials (Sec. 6.2): one trial per 1% increase in the largest training run.

    The regime starts at year ``start`` or, if given, at compute level ``start_compute``
    (FLOP; the evolutionary anchor starts at 1e21, Sec. 6.2.2).
    """
    check_ftp(ftp_comp)
    check_virtual_successes(vs)
    _check_start(start)
    c0 = compute_at(start, spend) if start_compute is None else float(start_compute)
    return Rule(
        name=f"{name} ({spend} spend)",
        ftp=float(ftp_comp),
        vs=float(vs),
        failures=lambda y0: compute_trials(c0, compute_at(y0, spend)),
        trials=lambda a, b: compute_trials(compute_at(a, spend), compute_at(b, spend)),
        start=start,
    )


def impossible_rule() -> Rule:
    """The rule "AGI is impossible" (Sec. 7.3): probability 0 of AGI at every trial."""
    return Rule(
        name="AGI impossible",
        ftp=0.0,
        vs=1.0,
        failures=lambda y0: 0.0,
        trials=lambda a, b: 0.0,
        start=float("nan"),
        impossible=True,
    )
