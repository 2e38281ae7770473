r"""How goals are drawn: one object for the choices Turner's critique asks to vary.

Krakovna & Kramár (2023) take goals uniform on :math:`G_T \cap [0, 1]^S` at the goals'
own discount. :class:`GoalModel` names every departure from that, so that one analysis
can be run under several and compared side by side:

* ``box``: the reward box (on feature weights with features);
* ``prior``: a distribution of :mod:`powerlab.power.distributions` conditioned on
  :math:`G_T` (:mod:`powerlab.goals.priors` says which sampler is valid for which); the
  box is then the prior's support;
* ``features``: goals :math:`\theta = \Phi w` (:mod:`powerlab.goals.features`);
* ``epsilon``: approximate compatibility :math:`G^\varepsilon_T`
  (:mod:`powerlab.goals.compatible`);
* ``train_gamma``: :math:`G_T` formed at the training discount while decisions are
  evaluated at another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from powerlab.goals.compatible import GoalSet, goal_set
from powerlab.goals.features import FeatureMap
from powerlab.goals.priors import prior_box
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP
from powerlab.power.distributions import PerState, RewardDistribution

__all__ = ["GoalModel"]


@dataclass(frozen=True)
class GoalModel:
    """The goal-drawing choices of the module docstring (defaults: Krakovna & Kramár's)."""

    box: tuple[float, float] = (0.0, 1.0)
    prior: RewardDistribution | None = None
    features: FeatureMap | None = None
    epsilon: float = 0.0
    epsilon_relative: bool = False
    train_gamma: float | None = None

    @property
    def label(self) -> str:
        """A short description for tables: the prior's spec and any departure."""
        parts = ["uniform" if self.prior is None else self.prior.spec]
        if self.prior is None and tuple(self.box) != (0.0, 1.0):
            parts.append(f"box {self.box[0]:g},{self.box[1]:g}")
        if self.features is not None:
            parts.append("features " + ",".join(self.features.names))
        if self.epsilon > 0:
            parts.append(f"ε={self.epsilon:g}{' relative' if self.epsilon_relative else ''}")
        if self.train_gamma is not None:
            parts.append(f"trained at γ={self.train_gamma:g}")
        return "; ".join(parts)

    def goal_set(self, mdp: MDP, training: TrainingData, gamma: float, reading: str) -> GoalSet:
        """:math:`G_T` (or :math:`G^\\varepsilon_T`) for evaluation discount ``gamma``."""
        phi = None if self.features is None else self.features.matrix
        names = () if self.features is None else self.features.names
        dim = mdp.n_states if phi is None else phi.shape[1]
        box = self.box if self.prior is None else prior_box(self.prior, dim)
        g = gamma if self.train_gamma is None else self.train_gamma
        return goal_set(
            mdp, training, g, reading, box, phi, names,
            epsilon=self.epsilon, epsilon_relative=self.epsilon_relative,
        )  # fmt: skip

    def exchangeable_on(self, states: np.ndarray) -> bool:
        """Whether the prior treats the rewards of ``states`` symmetrically (i.i.d. across
        them), which Theorem 2's counting over orbits needs to bound a fraction."""
        if self.features is not None:
            return False
        if isinstance(self.prior, PerState):
            return not any(int(s) in self.prior.overrides for s in states)
        return True
