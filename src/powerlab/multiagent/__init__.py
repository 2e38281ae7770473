"""Two agents on one MDP: joint MDPs, correlated rewards, best responses, equilibria, POWER.

See :mod:`powerlab.multiagent.joint` for the joint MDP, :mod:`.correlate` for rewards
correlated at ρ, and :mod:`.power` for POWER of both agents under a fixed policy, a best
response, or an equilibrium of the discounted stochastic game (Stavrianos & Turner 2021).
"""

from powerlab.multiagent.correlate import correlated_rewards, reflection_constant
from powerlab.multiagent.joint import AGENTS, JointMDP, joint_mdp, joint_state_name
from powerlab.multiagent.power import (
    MEAN_ROW,
    MODES,
    MultiagentPower,
    multiagent_power,
)

__all__ = [
    "AGENTS",
    "MEAN_ROW",
    "MODES",
    "JointMDP",
    "MultiagentPower",
    "correlated_rewards",
    "joint_mdp",
    "joint_state_name",
    "multiagent_power",
    "reflection_constant",
]
