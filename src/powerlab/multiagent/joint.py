r"""The joint MDP of two agents, H and A, moving simultaneously on one environment.

Model (the sequential setting of Stavrianos & Turner 2021's multi-agent POWER, as built by
POWERplay, Gladstone AI 2022). Both agents live on the same single-agent MDP
:math:`(\mathcal S, \mathcal A, T)`. A joint state is a pair :math:`j = (h, a)` of H's and
A's states, named ``"{h}_H^{a}_A"``; at each step both pick an action at once and move
independently:

.. math:: T_J\bigl((h, a), (x, y), (h', a')\bigr) = T(h, x, h')\, T(a, y, a').

With ``no_overlap`` the pairs with :math:`h = a` are removed, and a joint move whose
outcome would put both agents on one state leaves both where they were (a collision
bounces), so every row still sums to one.

Storage: ``P: [J*A*A, J]`` sparse, row ``(j*A + x)*A + y`` for H's slot x and A's slot y
(``A`` is the single-agent MDP's number of slots). A fixed stochastic policy of one agent,
``pi: [J, A]``, folds into the other's transitions,

.. math:: T_H(j, x, \cdot) = \sum_y \pi_A(y \mid j)\, T_J(j, (x, y), \cdot),

which is an ordinary :class:`~powerlab.mdp.MDP` (:meth:`JointMDP.fold`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from powerlab._memory import check_bytes
from powerlab.errors import InputError
from powerlab.mdp.model import MDP

__all__ = ["AGENTS", "JointMDP", "joint_mdp", "joint_state_name"]

AGENTS: tuple[str, str] = ("H", "A")


def joint_state_name(h: str, a: str) -> str:
    """The name of the joint state where H is at ``h`` and A at ``a`` (POWERplay's spelling)."""
    return f"{h}_H^{a}_A"


@dataclass(frozen=True, eq=False)
class JointMDP:
    """Two agents on one MDP (module docstring).

    Attributes:
        base: the single-agent MDP both agents move on.
        pairs: ``[J, 2]`` int, the base states of H and A at each joint state.
        P: ``[J*A*A, J]`` CSR joint transitions (module docstring).
        no_overlap: whether the agents may share a state.
    """

    base: MDP
    pairs: np.ndarray
    P: sp.csr_array
    no_overlap: bool

    @property
    def n_states(self) -> int:
        """Number J of joint states."""
        return int(self.pairs.shape[0])

    @property
    def n_actions(self) -> int:
        """Number A of action slots of each agent."""
        return self.base.n_actions

    @cached_property
    def states(self) -> tuple[str, ...]:
        """Joint state names, ``[J]``."""
        names = self.base.states
        return tuple(joint_state_name(names[h], names[a]) for h, a in self.pairs)

    @cached_property
    def available(self) -> np.ndarray:
        """``[2, J, A]`` bool: slot ``x`` is available to agent ``i`` (0 = H, 1 = A) at ``j``."""
        av = self.base.available
        return np.stack([av[self.pairs[:, 0]], av[self.pairs[:, 1]]])

    def agent_index(self, agent: str | int) -> int:
        """0 for H, 1 for A."""
        if agent in (0, 1):
            return int(agent)
        if agent in AGENTS:
            return AGENTS.index(str(agent))
        raise InputError(f"unknown agent {agent!r}; expected H or A")

    def uniform_policy(self, agent: str | int) -> np.ndarray:
        """``[J, A]``: the agent picks each of its available actions with equal probability."""
        av = self.available[self.agent_index(agent)].astype(np.float64)
        return av / av.sum(axis=1, keepdims=True)

    def check_policy(self, pi: np.ndarray, agent: str | int) -> np.ndarray:
        """Validate a stochastic policy ``pi: [J, A]`` of ``agent`` (rows on available slots)."""
        i = self.agent_index(agent)
        pi = np.asarray(pi, dtype=np.float64)
        J, A = self.n_states, self.n_actions
        if pi.shape != (J, A):
            raise InputError(f"policy of agent {AGENTS[i]} must have shape [J, A]={J, A}")
        if np.any(pi < 0) or not np.all(np.isfinite(pi)):
            raise InputError(f"policy of agent {AGENTS[i]}: probabilities must be finite, >= 0")
        bad = np.flatnonzero(np.any((pi > 0) & ~self.available[i], axis=1))
        if len(bad):
            raise InputError(
                f"policy of agent {AGENTS[i]}: state {self.states[bad[0]]!r} puts mass "
                "on an unavailable action"
            )
        bad = np.flatnonzero(np.abs(pi.sum(axis=1) - 1) > 1e-9)
        if len(bad):
            raise InputError(
                f"policy of agent {AGENTS[i]}: probabilities at state "
                f"{self.states[bad[0]]!r} sum to {pi[bad[0]].sum():.9g}, not 1"
            )
        return pi

    def fold(self, pi_other: np.ndarray, agent: str | int) -> MDP:
        """The single-agent MDP that ``agent`` faces when the other plays ``pi_other: [J, A]``.

        :math:`T_i(j, x, \\cdot) = \\sum_y \\pi_{-i}(y \\mid j) T_J(j, \\cdot, \\cdot)` with the
        other's slot y summed out (module docstring); action labels are the agent's own.
        """
        i = self.agent_index(agent)
        pi = self.check_policy(pi_other, 1 - i)
        J, A = self.n_states, self.n_actions
        j, x, y = np.unravel_index(np.arange(J * A * A), (J, A, A))
        own, other = (x, y) if i == 0 else (y, x)
        weight = pi[j, other]
        M = sp.csr_array((weight, (j * A + own, np.arange(J * A * A))), shape=(J * A, J * A * A))
        T = sp.csr_array(M @ self.P)
        T.eliminate_zeros()
        labels = tuple(self.base.action_labels[s] for s in self.pairs[:, i])
        return MDP(
            states=self.states,
            action_labels=labels,
            transitions=T,
            terminal=np.zeros(J, dtype=bool),
            name=f"{self.base.name} ({AGENTS[i]} against a fixed {AGENTS[1 - i]})",
        )

    @cached_property
    def padded(self) -> tuple[np.ndarray, np.ndarray]:
        """``(next, prob)``, each ``[m, J*A*A]``: row r's successors and probabilities, padded
        with (0, 0.0) to the largest number m of successors of any row (at least 1)."""
        P = self.P
        counts = np.diff(P.indptr)
        m = max(1, int(counts.max(initial=0)))
        nxt = np.zeros((m, P.shape[0]), dtype=np.int64)
        prob = np.zeros((m, P.shape[0]))
        rows = np.repeat(np.arange(P.shape[0]), counts)
        slot = np.arange(P.nnz) - np.repeat(P.indptr[:-1], counts)
        nxt[slot, rows] = P.indices
        prob[slot, rows] = P.data
        return nxt, prob

    @cached_property
    def padded_deterministic(self) -> bool:
        """Whether every available joint row has exactly one successor with probability 1."""
        nxt, prob = self.padded
        return nxt.shape[0] == 1 and bool(np.all((prob[0] == 1.0) | (prob[0] == 0.0)))

    @cached_property
    def cells(self) -> np.ndarray | None:
        """``[J, 2, 2]`` grid cells (row, col) of H and A, when the base MDP is a grid."""
        if self.base.grid_cells is None:
            return None
        cells = np.asarray(self.base.grid_cells)
        return np.stack([cells[self.pairs[:, 0]], cells[self.pairs[:, 1]]], axis=1)


def joint_mdp(mdp: MDP, *, no_overlap: bool = False) -> JointMDP:
    """The joint MDP of two agents on ``mdp`` (module docstring).

    Raises :class:`InputError` for MDPs with terminal states (an episode that ends for one
    agent has no joint meaning here) and :class:`~powerlab.errors.ResourceError` when the
    joint transitions would not fit the memory budget.
    """
    if np.any(mdp.terminal):
        raise InputError(f"{mdp.name}: joint MDPs need an environment without terminal states")
    S, A = mdp.n_states, mdp.n_actions
    P1 = mdp.P_sa
    nnz = float(P1.nnz) ** 2
    check_bytes(40.0 * nnz + 8.0 * S * S * A * A, f"{mdp.name}: joint MDP of {S}x{S} states")
    h, a = np.divmod(np.arange(S * S), S)
    keep = h != a if no_overlap else np.ones(S * S, dtype=bool)
    if not keep.any():
        raise InputError(f"{mdp.name}: no joint state without overlap (one state only)")
    pairs = np.stack([h[keep], a[keep]], axis=1)
    J = len(pairs)
    col_map = np.full(S * S, -1, dtype=np.int64)
    col_map[keep] = np.arange(J)
    # Row (h*A + x)*(S*A) + (a*A + y) of the Kronecker product is T(h, x, .) ⊗ T(a, y, .).
    jj, x, y = np.unravel_index(np.arange(J * A * A), (J, A, A))
    hh, aa = pairs[jj, 0], pairs[jj, 1]
    rows = (hh * A + x) * (S * A) + (aa * A + y)
    K = sp.csr_array(sp.kron(P1, P1, format="csr"))[rows].tocoo()
    cols = col_map[K.col]
    bounce = cols < 0
    cols[bounce] = jj[K.row[bounce]]
    P = sp.csr_array((K.data, (K.row, cols)), shape=(J * A * A, J))
    P.sum_duplicates()
    pairs.setflags(write=False)
    return JointMDP(base=mdp, pairs=pairs, P=P, no_overlap=no_overlap)
