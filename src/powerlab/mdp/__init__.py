"""Finite MDPs: the model, builders, file loading and batched solvers.

See :mod:`powerlab.mdp.model` for the model and its conventions (state rewards, terminal
states paying once), :mod:`powerlab.mdp.solvers` for the batched solvers and their error
bounds, and :mod:`powerlab.mdp.limits` for the γ → 0 and γ → 1 limits.
"""

from powerlab.mdp.builders import (
    GRID_ACTIONS,
    from_arrays,
    from_edges,
    from_grid,
    from_gymnasium,
    from_transitions,
)
from powerlab.mdp.io import load_env, load_mdp, mdp_from_document
from powerlab.mdp.limits import LimitResult, average_reward, blackwell_optimal, myopic_optimal
from powerlab.mdp.model import END_ACTION, MDP
from powerlab.mdp.recurrence import (
    RecurrenceRow,
    almost_sure_reach,
    gamma_star,
    reach_and_revisit_policy,
    reachable,
    recurrence_table,
    recurrent_states,
    revisiting_action,
    visit_count,
)
from powerlab.mdp.solvers import OptimalValues, action_values, solve

__all__ = [
    "END_ACTION",
    "GRID_ACTIONS",
    "MDP",
    "LimitResult",
    "OptimalValues",
    "RecurrenceRow",
    "action_values",
    "almost_sure_reach",
    "average_reward",
    "blackwell_optimal",
    "from_arrays",
    "from_edges",
    "from_grid",
    "from_gymnasium",
    "from_transitions",
    "gamma_star",
    "load_env",
    "load_mdp",
    "mdp_from_document",
    "myopic_optimal",
    "reach_and_revisit_policy",
    "reachable",
    "recurrence_table",
    "recurrent_states",
    "revisiting_action",
    "solve",
    "visit_count",
]
