"""The report's tables, one function each (Davidson 2021, "Semi-informative priors over AI timelines").

Each function returns a :class:`Table` of probabilities (not percentages) with row and column
labels; :func:`report_table` looks one up by its section number. All forecasts condition on no
AGI by the end of 2020 and forecast to the end of 2036 unless the table says otherwise.

=========  ==================================================================================
key        content
=========  ==================================================================================
4.2        calendar-year pr(AGI by 2036) by first-trial probability (1 VS, start 1956)
5.2.2      pr(next trial succeeds) after 50 and 100 failures by VS, ftp 1/100 (exact fractions)
5.2.3a     calendar-year pr(AGI by 2036) by VS (rows) and ftp (columns)
5.2.3b     pr(AGI in first 50 / 100 trials), pr(AGI by 2036); 0.5 VS and 1 VS
5.3a       calendar-year pr(AGI by 2036) by regime start (columns) and ftp (rows)
5.3b       ... with 168 / 220 / 139 / 0 extra trials before 1956 (columns)
6.1.2      researcher-year pr(AGI by 2036) by g_act (columns) and calendar-equivalent ftp
6.2.1      compute pr(AGI by 2036) by X (columns) and ftp_cal (rows), both spend projections
6.2.3      compute: lifetime, evolutionary, log-uniform, from research (X=5), their average
7.2.1      hyper-prior over calendar-year rules with different ftps: static and updated
7.3        20% prior weight on "AGI impossible" beside a calendar-year rule
8          all-things-considered mixture (central weights), pr(AGI by 2036)
A8         hyper-prior: calendar-year 1/300 and one other trial definition, 50/50
A9         20% "AGI impossible" beside one rule
=========  ==================================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.forecast.calibrate import (
    evolution_rule,
    ftp_researcher,
    lifetime_rule,
    log_uniform_pr_agi,
    research_compute_rule,
)
from powerlab.forecast.hyperprior import all_things_considered, hyper_prior
from powerlab.forecast.laplace import next_trial_probability_exact, pr_success_within
from powerlab.forecast.trials import Rule, calendar_rule, impossible_rule, researcher_rule

__all__ = ["TABLES", "Table", "report_table", "round_sig"]


@dataclass(frozen=True)
class Table:
    """A table of ``values: [rows, cols]`` (probabilities or exact Fractions) with labels."""

    key: str
    title: str
    rows: list[str]
    cols: list[str]
    values: list[list[Any]]

    def percent(self, sig: int = 2) -> list[list[float]]:
        """The values in percent, rounded to ``sig`` significant figures as the report prints."""
        return [[round_sig(100 * float(v), sig) for v in row] for row in self.values]


def round_sig(x: float, sig: int = 2) -> float:
    """``x`` rounded to ``sig`` significant figures (0 stays 0)."""
    return 0.0 if x == 0 else float(f"{x:.{sig}g}")


def _ftp_label(f: float) -> str:
    return f"1/{round(1 / f)}"


FTPS_42 = [1 / 50, 1 / 100, 1 / 200, 1 / 300, 1 / 500, 1 / 1000, 1 / 2000, 1 / 3000]


def table_4_2() -> Table:
    """Sec. 4.2: pr(AGI by 2036 | no AGI by 2020), calendar years, 1 VS, regime start 1956."""
    vals = [[calendar_rule(f).pr_agi(2036)] for f in FTPS_42]
    return Table("4.2", "pr(AGI by 2036), calendar year", [_ftp_label(f) for f in FTPS_42],
                 ["pr(AGI by 2036)"], vals)  # fmt: skip


def table_5_2_2() -> Table:
    """Sec. 5.2.2: pr(next trial succeeds) after 50, 100 failures; ftp 1/100 (exact)."""
    vss = [Fraction(1, 10), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(10)]
    vals: list[list[Any]] = [
        [next_trial_probability_exact(Fraction(1, 100), vs, n) for vs in vss] for n in (50, 100)
    ]
    return Table("5.2.2", "pr(next trial succeeds), ftp 1/100", ["after 50 failures",
                 "after 100 failures"], [f"VS={float(v):g}" for v in vss], vals)  # fmt: skip


def table_5_2_3a() -> Table:
    """Sec. 5.2.3 (first table): pr(AGI by 2036) by number of virtual successes and ftp."""
    vss = [0.1, 0.25, 0.5, 1, 2, 4, 10]
    ftps = [1 / 100, 1 / 300, 1 / 1000]
    vals = [[calendar_rule(f, vs).pr_agi(2036) for f in ftps] for vs in vss]
    return Table("5.2.3a", "pr(AGI by 2036) by virtual successes", [f"VS={v:g}" for v in vss],
                 [_ftp_label(f) for f in ftps], vals)  # fmt: skip


def table_5_2_3b() -> Table:
    """Sec. 5.2.3 (second table): first 50 / 100 trials and by 2036; 0.5 VS then 1 VS."""
    cols, vals = [], []
    for vs, ftps in (
        (0.5, [1 / 50, 1 / 100, 1 / 300, 1 / 1000]),
        (1.0, [1 / 100, 1 / 300, 1 / 1000]),
    ):
        cols += [f"VS={vs:g}, {_ftp_label(f)}" for f in ftps]
        vals.append(
            [
                [pr_success_within(f, vs, 0, 50) for f in ftps],
                [pr_success_within(f, vs, 0, 100) for f in ftps],
                [calendar_rule(f, vs).pr_agi(2036) for f in ftps],
            ]
        )
    joined = [vals[0][i] + vals[1][i] for i in range(3)]
    rows = ["AGI in first 50 trials", "AGI in first 100 trials", "AGI by 2036 | none by 2020"]
    return Table("5.2.3b", "first trials and 2036", rows, cols, joined)


FTPS_53 = [1 / 50, 1 / 100, 1 / 300, 1 / 1000]


def table_5_3a() -> Table:
    """Sec. 5.3 (first table): pr(AGI by 2036) by regime start (2000 ... 5000 BC) and ftp."""
    starts = [2000, 1956, 1945, 1650, -5000]
    vals = [[calendar_rule(f, 1, s).pr_agi(2036) for s in starts] for f in FTPS_53]
    return Table("5.3a", "pr(AGI by 2036) by regime start", [_ftp_label(f) for f in FTPS_53],
                 [str(s) if s > 0 else f"{-s} BC" for s in starts], vals)  # fmt: skip


def table_5_3b() -> Table:
    """Sec. 5.3 (second table): 168 / 220 / 139 / 0 trials before 1956 (start moved back)."""
    extra = [168, 220, 139, 0]
    ftps = [1 / 2, 1 / 100, 1 / 300, 1 / 1000]
    vals = [[calendar_rule(f, 1, 1956 - e).pr_agi(2036) for e in extra] for f in ftps]
    return Table("5.3b", "pr(AGI by 2036), trials before 1956", [_ftp_label(f) for f in ftps],
                 [f"{e} trials" for e in extra], vals)  # fmt: skip


def table_6_1_2() -> Table:
    """Sec. 6.1.2: researcher-year pr(AGI by 2036) by g_act and calendar ftp (g_exp 4.3%)."""
    gs = [0.03, 0.07, 0.11, 0.16, 0.21]
    vals = []
    for f in FTPS_53:
        fr = ftp_researcher(f, 0.043)
        vals.append([researcher_rule(fr, g).pr_agi(2036) for g in gs])
    return Table("6.1.2", "researcher-year pr(AGI by 2036)", [f"ftp_cal {_ftp_label(f)}" for f in
                 FTPS_53], [f"g_act={round(100 * g)}%" for g in gs], vals)  # fmt: skip


def table_6_2_1() -> Table:
    """Sec. 6.2.1: compute pr(AGI by 2036) by X and ftp_cal; conservative then aggressive."""
    ftps = [1 / 50, 1 / 100, 1 / 300, 1 / 1000, 1 / 3000]
    xs = [1, 5, 10]
    rows, vals = [], []
    for sp in ("conservative", "aggressive"):
        for f in ftps:
            rows.append(f"{sp}, ftp_cal {_ftp_label(f)}")
            vals.append([research_compute_rule(f, x, spend=sp).pr_agi(2036) for x in xs])
    return Table("6.2.1", "compute pr(AGI by 2036)", rows, [f"X={x}" for x in xs], vals)


def table_6_2_3() -> Table:
    """Sec. 6.2.3: lifetime, evolutionary, log-uniform, from research (X=5) and their mean."""
    rows, vals = [], []
    for sp in ("conservative", "aggressive"):
        v = [
            lifetime_rule(spend=sp).pr_agi(2036),
            evolution_rule(spend=sp).pr_agi(2036),
            log_uniform_pr_agi(2036, sp),
            research_compute_rule(1 / 300, 5, spend=sp).pr_agi(2036),
        ]
        rows.append(sp)
        vals.append([*v, float(np.mean(v))])
    cols = ["lifetime", "evolutionary", "log-uniform", "from research", "equal-weight mean"]
    return Table("6.2.3", "compute-based pr(AGI by 2036)", rows, cols, vals)


def table_7_2_1() -> Table:
    """Sec. 7.2.1: equal prior weight on calendar rules with different ftps."""
    sets = [
        [1 / 100, 1 / 1000],
        [1 / 10, 1 / 100],
        [1 / 10, 1 / 100, 1 / 1000],
        [1 / 1000, 1 / 10000],
    ]
    rows, vals = [], []
    for ftps in sets:
        hp = hyper_prior([calendar_rule(f) for f in ftps], [1.0] * len(ftps))
        rows.append(", ".join(_ftp_label(f) for f in ftps))
        vals.append([hp.pr_agi(2036, updated=False), hp.pr_agi(2036), float(hp.posterior[0])])
    cols = ["static", "hyper-prior updated", "2020 weight of first rule"]
    return Table("7.2.1", "hyper-prior over first-trial probabilities", rows, cols, vals)


def table_7_3() -> Table:
    """Sec. 7.3: 20% prior weight on "AGI impossible", 80% on a calendar-year rule."""
    ftps = [1 / 1000, 1 / 300, 1 / 200, 1 / 100, 1 / 50, 1 / 20, 1 / 10]
    rows, vals = [], []
    for f in ftps:
        rule = calendar_rule(f)
        hp = hyper_prior([impossible_rule(), rule], [0.2, 0.8])
        rows.append(_ftp_label(f))
        vals.append([rule.pr_agi(2036), hp.pr_agi(2036), float(hp.posterior[0])])
    cols = ["0% impossible", "20% impossible", "2020 weight on impossible"]
    return Table("7.3", "AGI impossible", rows, cols, vals)


def _second_rules(with_anchors: bool) -> list[tuple[str, Rule]]:
    fr = ftp_researcher(1 / 300, 0.043)
    rules = [
        ("researcher g_act=11%, 1956", researcher_rule(fr, 0.11)),
        ("researcher g_act=21%, 1956", researcher_rule(fr, 0.21)),
        ("researcher g_act=21%, 2000", researcher_rule(fr, 0.21, start=2000)),
        ("compute X=5", research_compute_rule(1 / 300, 5)),
        ("compute X=1", research_compute_rule(1 / 300, 1)),
    ]
    if with_anchors:
        rules += [("lifetime anchor", lifetime_rule()), ("evolutionary anchor", evolution_rule())]
    return rules


def table_a8() -> Table:
    """Appendix 8: 50/50 hyper-prior on calendar-year (ftp 1/300) and another trial definition.

    Compute rules use the aggressive spend projection, as in the report's calculation.
    """
    cal = calendar_rule(1 / 300)
    rows, vals = [], []
    for name, rule in _second_rules(True):
        hp = hyper_prior([cal, rule], [0.5, 0.5])
        rows.append(name)
        vals.append([hp.pr_agi(2036, updated=False), hp.pr_agi(2036), float(hp.posterior[1])])
    cols = ["static", "hyper-prior updated", "2020 weight of second rule"]
    return Table("A8", "hyper-prior over trial definitions", rows, cols, vals)


def table_a9() -> Table:
    """Appendix 9: 20% prior weight on "AGI impossible", 80% on one rule."""
    rows, vals = [], []
    for name, rule in [("calendar 1/300", calendar_rule(1 / 300)), *_second_rules(False)]:
        hp = hyper_prior([impossible_rule(), rule], [0.2, 0.8])
        rows.append(name)
        vals.append([rule.pr_agi(2036), hp.pr_agi(2036), float(hp.posterior[0])])
    cols = ["0% impossible", "20% impossible", "2020 weight on impossible"]
    return Table("A9", "AGI impossible beside other trial definitions", rows, cols, vals)


def table_8() -> Table:
    """Sec. 8: the all-things-considered mixture with the central weights."""
    hp = all_things_considered()
    rows = [r.name for r in hp.rules]
    vals = [
        [float(w0), float(w1), r.pr_agi(2036)]
        for r, w0, w1 in zip(hp.rules, hp.prior, hp.posterior, strict=True)
    ]
    vals.append([1.0, 1.0, hp.pr_agi(2036)])
    cols = ["prior weight", "2020 weight", "pr(AGI by 2036)"]
    return Table("8", "all-things-considered", [*rows, "mixture"], cols, vals)


TABLES: dict[str, Callable[[], Table]] = {
    "4.2": table_4_2,
    "5.2.2": table_5_2_2,
    "5.2.3a": table_5_2_3a,
    "5.2.3b": table_5_2_3b,
    "5.3a": table_5_3a,
    "5.3b": table_5_3b,
    "6.1.2": table_6_1_2,
    "6.2.1": table_6_2_1,
    "6.2.3": table_6_2_3,
    "7.2.1": table_7_2_1,
    "7.3": table_7_3,
    "8": table_8,
    "A8": table_a8,
    "A9": table_a9,
}


def report_table(key: str) -> Table:
    """The report table with section ``key`` (one of :data:`TABLES`)."""
    if key not in TABLES:
        raise InputError(f"table: {key!r} is not one of {', '.join(TABLES)}")
    return TABLES[key]()
