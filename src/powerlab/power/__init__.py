"""POWER and optimality probability (Turner et al. 2021, Defs 4.3-4.4 and 5.2).

See :mod:`powerlab.power.estimate` for the estimators and :mod:`powerlab.power.distributions`
for the reward distributions.
"""

from powerlab.power.distributions import (
    Bernoulli,
    Beta,
    FromCallable,
    PerState,
    RewardDistribution,
    Uniform,
    as_distribution,
    parse_dist,
)
from powerlab.power.estimate import (
    optimal_actions_at,
    optimality_probability,
    power,
    power_integrand,
)

__all__ = [
    "Bernoulli",
    "Beta",
    "FromCallable",
    "PerState",
    "RewardDistribution",
    "Uniform",
    "as_distribution",
    "optimal_actions_at",
    "optimality_probability",
    "parse_dist",
    "power",
    "power_integrand",
]
