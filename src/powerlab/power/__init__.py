"""POWER and optimality probability (Turner et al. 2021, Defs 4.3-4.4 and 5.2).

See :mod:`powerlab.power.estimate` for the estimators, :mod:`powerlab.power.moments` for the
one Monte Carlo mean estimator (and its standard-error convention) that they and the sweeps
share, and :mod:`powerlab.power.distributions` for the reward distributions.
"""

from powerlab.power.distributions import (
    Bernoulli,
    Beta,
    DistributionLike,
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
from powerlab.power.moments import Moments, batch_size, combine_all, moments_of

__all__ = [
    "Bernoulli",
    "Beta",
    "DistributionLike",
    "FromCallable",
    "Moments",
    "PerState",
    "RewardDistribution",
    "Uniform",
    "as_distribution",
    "batch_size",
    "combine_all",
    "moments_of",
    "optimal_actions_at",
    "optimality_probability",
    "parse_dist",
    "power",
    "power_integrand",
]
