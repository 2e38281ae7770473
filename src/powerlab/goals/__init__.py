"""Training-compatible goals and the shutdown theorem (Krakovna & Kramár 2023, Defs 5-9).

* :mod:`~powerlab.goals.training`: S_train and the trained actions (Def 5) from a policy
  file, a training reward and start states, or trajectories.
* :mod:`~powerlab.goals.compatible`: the goal set G_T (Def 6) under the Q*-optimality and
  immediate-reward readings.
* :mod:`~powerlab.goals.rejection`, :mod:`~powerlab.goals.hitandrun`: exact rejection
  sampling and hit-and-run over G_T's polytope pieces, with ESS and R-hat.
* :mod:`~powerlab.goals.setting`, :mod:`~powerlab.goals.shutdown`: the shutdown setting
  (Def 7), Theorem 2's bound with its premises, and the measured fractions as γ varies.
* :mod:`~powerlab.goals.features`, :mod:`~powerlab.goals.generalization`: goals on
  features θ = Φw and the CoinRun example's goal misgeneralization, prior against G_T.
* :mod:`~powerlab.goals.priors`, :mod:`~powerlab.goals.model`,
  :mod:`~powerlab.goals.compare`: Turner's critique made computable (priors over G_T,
  approximate compatibility, training γ) and Theorem 2 under each, side by side.
  Recurrence, reach-and-revisit policies, visit counts and γ* (Def 8-9, Props 1-3) are in
  :mod:`powerlab.mdp.recurrence`.
"""

from powerlab.goals.compare import compare_models
from powerlab.goals.compatible import READINGS, GoalSet, goal_set
from powerlab.goals.draw import GoalDraw, draw_goals, sample_goals
from powerlab.goals.features import FeatureMap, load_features
from powerlab.goals.generalization import Misgeneralization, destinations, misgeneralization
from powerlab.goals.hitandrun import sample_hit_and_run
from powerlab.goals.interior import EmptyFinding, EmptyGoalSet, find_start
from powerlab.goals.model import GoalModel
from powerlab.goals.rejection import sample_rejection
from powerlab.goals.samples import FractionEstimate, GoalSamples
from powerlab.goals.setting import (
    CONVENTIONS,
    ShutdownSetting,
    n_of_gamma,
    shutdown_setting,
    theorem2_bound,
    with_self_loops,
)
from powerlab.goals.shutdown import (
    SAMPLERS,
    ConventionResult,
    GammaResult,
    ShutdownAnalysis,
    analyze_shutdown,
    avoids_shutdown,
    shutdown_frame,
)
from powerlab.goals.training import (
    TrainingData,
    load_training,
    training_from_policy,
    training_from_reward,
    training_from_trajectories,
)

__all__ = [
    "CONVENTIONS",
    "READINGS",
    "SAMPLERS",
    "ConventionResult",
    "EmptyFinding",
    "EmptyGoalSet",
    "FeatureMap",
    "FractionEstimate",
    "GammaResult",
    "GoalDraw",
    "GoalModel",
    "GoalSamples",
    "GoalSet",
    "Misgeneralization",
    "ShutdownAnalysis",
    "ShutdownSetting",
    "TrainingData",
    "analyze_shutdown",
    "avoids_shutdown",
    "compare_models",
    "destinations",
    "draw_goals",
    "find_start",
    "goal_set",
    "load_features",
    "load_training",
    "misgeneralization",
    "n_of_gamma",
    "sample_goals",
    "sample_hit_and_run",
    "sample_rejection",
    "shutdown_frame",
    "shutdown_setting",
    "theorem2_bound",
    "training_from_policy",
    "training_from_reward",
    "training_from_trajectories",
    "with_self_loops",
]
