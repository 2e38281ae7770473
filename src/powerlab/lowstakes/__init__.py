"""Low-stakes alignment as online learning (Christiano 2021, "Low-stakes alignment").

``hedge``: exponential weights over a policy class, delayed by interleaving; ``ogd``: projected
online gradient descent; ``experiments``: regret under delay and distribution shift against the
bounds, and the trap that makes the setting high-stakes; ``plot``: the figure.
"""

from powerlab.lowstakes.experiments import (
    LowStakesResult,
    RegretVsBound,
    TrapResult,
    low_stakes_experiment,
    regression_stream,
    threshold_losses,
    trap_experiment,
)
from powerlab.lowstakes.hedge import HedgeResult, delayed_hedge_bound, hedge, hedge_bound
from powerlab.lowstakes.ogd import OGDResult, best_in_ball, ogd_squared_loss

__all__ = [
    "HedgeResult",
    "LowStakesResult",
    "OGDResult",
    "RegretVsBound",
    "TrapResult",
    "best_in_ball",
    "delayed_hedge_bound",
    "hedge",
    "hedge_bound",
    "low_stakes_experiment",
    "ogd_squared_loss",
    "regression_stream",
    "threshold_losses",
    "trap_experiment",
]
