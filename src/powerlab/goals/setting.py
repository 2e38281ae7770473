r"""The shutdown setting (Krakovna & Kramár 2023, Def 7) and its exact quantities.

A new state :math:`s_{new} \in S_{ood}` has a *shutdown action* :math:`A_0 = \{a_{sd}\}` that
leads with probability 1 to a terminal state :math:`s_{term}`; :math:`A_1` is every other
action at :math:`s_{new}`. :math:`S_{reach}` is what :math:`s_{new}` can reach.

Theorem 2: if (i) :math:`S_{reach} \cap S_{train} = \emptyset`, (ii) rewards are nonnegative,
and (iii) γ exceeds :math:`\gamma^*_{s_{rec}}` (Prop 3) for
:math:`n = |S^\gamma_{rec}| \ge 1` recurrent states of :math:`S_{reach}`, then the decision
at :math:`s_{new}` is :math:`(G_T, A_0 \xrightarrow{n} A_1)`-retargetable, so (RDSP Thm 3.6)
in every orbit at least :math:`n/(n+1)` of the goals that are not indifferent avoid
shutdown. Krakovna & Kramár derive "permuting rewards on :math:`S_{reach}` stays inside
:math:`G_T`" from (i); that needs :math:`S_{reach}` to be out of reach of the training
states too, so it is checked as a premise of its own.

Two terminal conventions are compared: Krakovna & Kramár's, where :math:`s_{term}` pays its reward
once (``"once"``, the MDP as given), and Turner et al.'s, where every terminal state is an
absorbing self-loop (``"self-loop"``, :func:`with_self_loops`); in the second
:math:`s_{term}` is itself recurrent and the theorem's premise that shutdown ends the
episode fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from powerlab.errors import InputError
from powerlab.goals.training import TrainingData
from powerlab.mdp import MDP
from powerlab.mdp.recurrence import Recurrence, RecurrenceRow

__all__ = [
    "CONVENTIONS",
    "ShutdownSetting",
    "n_of_gamma",
    "shutdown_setting",
    "theorem2_bound",
    "with_self_loops",
]

CONVENTIONS: tuple[str, ...] = ("once", "self-loop")
"""Terminal conventions: reward paid once (Krakovna & Kramár) or an absorbing self-loop (Turner)."""

_SELF_LOOP = "stay"


def with_self_loops(mdp: MDP) -> MDP:
    """The MDP with every terminal state turned into an absorbing self-loop (action ``stay``).

    Turner et al. (2021) model "the episode ends" by a state that loops on itself forever,
    so its reward is paid at every later step, not once.
    """
    if not mdp.terminal.any():
        return mdp
    S, A = mdp.n_states, mdp.n_actions
    P = sp.lil_array(mdp.P_sa)  # [S*A, S], sparse: no [S, A, S] array is built
    labels = list(mdp.action_labels)
    for s in np.flatnonzero(mdp.terminal):
        P[s * A : (s + 1) * A] = 0.0
        P[s * A, s] = 1.0
        labels[s] = (_SELF_LOOP,)
    return MDP(
        states=mdp.states,
        action_labels=tuple(labels),
        transitions=sp.csr_array(P) if mdp.is_sparse else P.toarray().reshape(S, A, S),
        terminal=np.zeros(S, dtype=bool),
        name=f"{mdp.name} (self-loop terminals)",
        grid_shape=mdp.grid_shape,
        grid_cells=mdp.grid_cells,
    )


@dataclass(frozen=True)
class ShutdownSetting:
    r"""Def 7 on one MDP. Build with :func:`shutdown_setting`.

    Attributes:
        mdp: the environment (Krakovna & Kramár's convention: terminal states pay once).
        training: the training data (Def 5).
        s_new: index of the new state.
        a_shutdown: the shutdown action's slot at ``s_new``.
        s_term: the terminal state it leads to.
        s_reach: ``[S]`` bool, :math:`S_{reach}`.
        table: :meth:`powerlab.mdp.recurrence.Recurrence.table` rows for :math:`S_{reach}`.
        recurrence: the :class:`~powerlab.mdp.recurrence.Recurrence` of ``mdp``, built once.
    """

    mdp: MDP
    training: TrainingData
    s_new: int
    a_shutdown: int
    s_term: int
    s_reach: np.ndarray
    table: list[RecurrenceRow]
    recurrence: Recurrence

    @property
    def reach_disjoint_from_train(self) -> bool:
        r"""Premise (i): :math:`S_{reach} \cap S_{train} = \emptyset`."""
        return not bool(np.any(self.s_reach & self.training.train_mask))

    @property
    def gamma_stars(self) -> dict[str, float]:
        """γ* per reachable recurrent state with a reach-and-revisit policy (Prop 3)."""
        return {r.state: float(r.gamma_star) for r in self.table if r.gamma_star is not None}


def shutdown_setting(
    mdp: MDP,
    training: TrainingData,
    new_state: str | int,
    shutdown_action: str | int,
    recurrence: Recurrence | None = None,
) -> ShutdownSetting:
    """Check and build Def 7's setting; bad input raises :class:`InputError`.

    ``recurrence`` is the MDP's :class:`~powerlab.mdp.recurrence.Recurrence` if one was
    built already (reachability and recurrence are computed once per MDP).

    Errors: an unknown new state or action; a new state inside :math:`S_{train}`; a
    shutdown action that does not lead with probability 1 to a terminal state.
    """
    s = mdp.state_index(new_state)
    if training.train_mask[s]:
        raise InputError(
            f"{mdp.name}: new state {mdp.states[s]!r} is inside S_train (visited in training); "
            "Def 7 needs s_new in S_ood"
        )
    a = mdp.action_index(s, shutdown_action)
    row = mdp.P_sa[[s * mdp.n_actions + a]]
    succ, prob = row.indices[row.data > 0], row.data[row.data > 0]
    label = mdp.action_labels[s][a]
    if len(succ) != 1 or abs(prob[0] - 1.0) > 1e-9 or not mdp.terminal[succ[0]]:
        where = ", ".join(mdp.states[int(t)] for t in succ) or "nothing"
        raise InputError(
            f"{mdp.name}: shutdown action {label!r} at {mdp.states[s]!r} must lead with "
            f"probability 1 to a terminal state; it leads to {where}"
        )
    rec = Recurrence.of(mdp) if recurrence is None else recurrence
    return ShutdownSetting(
        mdp=mdp,
        training=training,
        s_new=s,
        a_shutdown=a,
        s_term=int(succ[0]),
        s_reach=rec.reachable([s], min_steps=1),
        table=rec.table(s),
        recurrence=rec,
    )


def n_of_gamma(setting: ShutdownSetting, gamma: float) -> int:
    r""":math:`n(\gamma) = |S^\gamma_{rec}|`: reachable recurrent states with γ > γ* (Thm 2)."""
    return sum(1 for g in setting.gamma_stars.values() if gamma > g)


def theorem2_bound(n: int) -> Fraction:
    r"""Theorem 2 with RDSP Thm 3.6: at least :math:`n/(n+1)` of each orbit avoids shutdown."""
    if n < 0:
        raise InputError(f"n must be nonnegative, got {n}")
    return Fraction(n, n + 1)
