"""Online imitation with demonstrator queries (Cohen, Hutter & Nanda 2022, JMLR 23).

``imitator``: posterior updates, the top set M^α, the min-probability imitator and its query
probability; ``harness``: deceptive-model experiments against Bayes-mixture and MAP imitators;
``plot``: the figure.
"""

from powerlab.imitation.harness import (
    ImitationRun,
    build_model_class,
    kl_rows,
    left_top_set_frequency,
    model_prior,
    run_experiment,
)
from powerlab.imitation.imitator import (
    DEFAULT_TOP_SET_RULE,
    TOP_SET_RULES,
    conservative_step,
    log_posterior_update,
    top_set,
)

__all__ = [
    "DEFAULT_TOP_SET_RULE",
    "TOP_SET_RULES",
    "ImitationRun",
    "build_model_class",
    "conservative_step",
    "kl_rows",
    "left_top_set_frequency",
    "log_posterior_update",
    "model_prior",
    "run_experiment",
    "top_set",
]
