"""Semi-informative priors over AI timelines (Davidson 2021, Open Philanthropy).

``laplace``: the generalized Laplace rule; ``trials``: trial definitions and update rules;
``calibrate``: first-trial probabilities for researcher and compute trials, biological anchors;
``hyperprior``: weights over rules, "AGI impossible", the all-things-considered mixture;
``tables``: the report's tables; ``forecast``: the curve P(AGI by year) behind the CLI.
"""

from powerlab.forecast.calibrate import (
    anchor_ftp,
    evolution_rule,
    ftp_compute,
    ftp_researcher,
    lifetime_rule,
    log_uniform_pr_agi,
    research_compute_rule,
)
from powerlab.forecast.curve import Forecast, forecast
from powerlab.forecast.hyperprior import (
    CENTRAL_WEIGHTS,
    HyperPrior,
    all_things_considered,
    central_rules,
    hyper_prior,
)
from powerlab.forecast.laplace import (
    next_trial_probability,
    next_trial_probability_exact,
    pr_success_within,
    pr_success_within_exact,
    virtual_failures,
)
from powerlab.forecast.tables import TABLES, Table, report_table, round_sig
from powerlab.forecast.trials import (
    DATA_FROM,
    Rule,
    calendar_rule,
    compute_at,
    compute_rule,
    impossible_rule,
    researcher_rule,
)

__all__ = [
    "CENTRAL_WEIGHTS",
    "DATA_FROM",
    "TABLES",
    "Forecast",
    "HyperPrior",
    "Rule",
    "Table",
    "all_things_considered",
    "anchor_ftp",
    "calendar_rule",
    "central_rules",
    "compute_at",
    "compute_rule",
    "evolution_rule",
    "forecast",
    "ftp_compute",
    "ftp_researcher",
    "hyper_prior",
    "impossible_rule",
    "lifetime_rule",
    "log_uniform_pr_agi",
    "next_trial_probability",
    "next_trial_probability_exact",
    "pr_success_within",
    "pr_success_within_exact",
    "report_table",
    "research_compute_rule",
    "researcher_rule",
    "round_sig",
    "virtual_failures",
]
