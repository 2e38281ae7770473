r"""Best responses by policy iteration, one reward sample at a time, where that is cheaper.

A best response of agent i to the other's deterministic policy :math:`\pi^k_{-i}` (one per
reward sample k) is an optimal policy of the single-agent MDP that i faces,
:math:`T_i^k(j, x, \cdot) = T_J(j, (x, \pi^k_{-i}(j)), \cdot)` (:meth:`JointMDP.fold` with a
one-hot policy). :func:`powerlab.mdp.solve` solves it by policy iteration (Puterman 1994,
Sec. 6.4): on a deterministic joint MDP the folded MDP is deterministic and ``"auto"`` runs
the compiled kernel that evaluates each policy exactly in O(J); its error bound comes from
the Bellman residual, :math:`\|V - V^*\| \le \|\mathcal T V - V\| / (1-\gamma)`.

Value iteration batched over samples (:mod:`._batched`) needs about
:math:`\log(\varepsilon) / \log\gamma` sweeps to reach a relative bound ε, which grows
without limit as γ → 1 (about 1,800 at γ = 0.99 and ε = 1e-8), while policy iteration
takes a few evaluations at any γ. The same holds for the value of a fixed policy pair
(:func:`evaluate`: the Markov chain :math:`P_\pi` as a one-action MDP, whose one policy
is evaluated exactly). :func:`prefer_policy_iteration` picks policy iteration
when the sweeps would cost more than :data:`SWEEPS_PER_SOLVE`, the measured cost of one
per-sample solve in batched sweeps (docs/multiagent.md, "Timing"). It applies to
deterministic joint MDPs only: a folded stochastic one would need its own elimination
pattern for every sample.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from powerlab.mdp.model import MDP
from powerlab.mdp.solvers import solve
from powerlab.multiagent.joint import JointMDP

__all__ = [
    "SWEEPS_PER_SOLVE",
    "best_response",
    "evaluate",
    "prefer_policy_iteration",
    "vi_sweeps",
]

SWEEPS_PER_SOLVE: float = 150.0
"""Batched value-iteration sweeps that cost as much as one per-sample policy-iteration solve,
measured on the joint 7x7 maze (961 states): about 0.09 ms per sample per sweep against
about 13 ms per solve."""


def vi_sweeps(gamma: float, tol: float) -> float:
    """Sweeps for the MacQueen-Porteus interval to shrink by the factor ``tol`` (about
    :math:`\\log(\\mathrm{tol}) / \\log\\gamma`; Puterman 1994, Thm 6.6.6)."""
    return math.log(min(tol, 0.5)) / math.log(gamma)


def prefer_policy_iteration(joint: JointMDP, gamma: float, tol: float) -> bool:
    """Whether :func:`best_response` is expected to beat batched value iteration."""
    return joint.padded_deterministic and vi_sweeps(gamma, tol) > SWEEPS_PER_SOLVE


def best_response(
    joint: JointMDP,
    R: np.ndarray,
    gamma: float,
    other: np.ndarray,
    agent: int,
    tol: float,
    keep: np.ndarray | None = None,
    V0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Optimal values ``[K, J]``, a greedy policy ``[K, J]`` and the error bound of ``agent``
    with reward ``R: [K, J]`` when the other plays the deterministic ``other: [K, J]``.

    Same contract as :func:`._batched.best_response`: the policy takes the lowest best slot,
    or ``keep``'s when that is within the tie tolerance of the best. ``V0`` is accepted for
    that contract and not needed (each solve is exact up to round-off).
    """
    K, J = R.shape
    A = joint.n_actions
    V = np.empty((K, J))
    pol = np.empty((K, J), dtype=np.int64)
    bound = 0.0
    onehot = np.zeros((J, A))
    rows = np.arange(J)
    for k in range(K):
        onehot.fill(0.0)
        onehot[rows, other[k]] = 1.0
        sol = solve(joint.fold(onehot, agent), R[k], gamma, tol=tol)
        V[k] = sol.V[0]
        bound = max(bound, sol.error_bound)
        assert sol.optimal is not None
        best = sol.optimal[0].argmax(axis=1)  # the lowest slot within the tie tolerance [J]
        if keep is not None:
            best = np.where(sol.optimal[0][rows, keep[k]], keep[k], best)
        pol[k] = best
    return V, pol, bound


def evaluate(
    joint: JointMDP, R: np.ndarray, gamma: float, pi_H: np.ndarray, pi_A: np.ndarray, tol: float
) -> tuple[np.ndarray, float]:
    r"""Values ``[K, J]`` of reward ``R: [K, J]`` when H plays ``pi_H`` and A ``pi_A`` (``[K, J]``).

    :math:`V_k = (I - \gamma P_{\pi^k})^{-1} R_k`, with :math:`P_{\pi^k}` the joint rows the
    two policies select, solved as a one-action MDP by :func:`powerlab.mdp.solve` (module
    docstring); same contract as :func:`._batched.evaluate`.
    """
    K, J = R.shape
    A = joint.n_actions
    j = np.arange(J)
    labels = (("play",),) * J
    terminal = np.zeros(J, dtype=bool)
    V = np.empty((K, J))
    bound = 0.0
    for k in range(K):
        chain = MDP(
            states=joint.states,
            action_labels=labels,
            transitions=sp.csr_array(joint.P[(j * A + pi_H[k]) * A + pi_A[k]]),
            terminal=terminal,
            name=f"{joint.base.name} (both policies fixed)",
        )
        sol = solve(chain, R[k], gamma, tol=tol, want_q=False)
        V[k] = sol.V[0]
        bound = max(bound, sol.error_bound)
    return V, bound
