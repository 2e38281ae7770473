r"""Per-sample best responses and policy evaluation on a joint MDP, batched over samples.

When the other agent's policy depends on the reward sample k (a best response to that
sample's reward), each sample faces its own MDP. These routines run value iteration on all
K of them at once. The joint transitions are held row by row in padded form (at most ``m``
successors per row, :attr:`JointMDP.padded`); for each sample the rows that the other
agent's choice selects are looked up once, and each sweep is then one gather
``V[next, k]`` weighted by the probabilities, over ``[m, J, A, K]``. No Python loop runs over
samples or states. Values are held samples-last, ``[J, K]``.

Stopping rule and error bound: the MacQueen-Porteus bounds (Puterman 1994, Thm 6.6.6). With
:math:`\Delta_k = \mathcal T V_k - V_k`, the fixed point lies, state by state, between
:math:`\mathcal T V_k + \frac{\gamma}{1-\gamma}\min\Delta_k` and
:math:`\mathcal T V_k + \frac{\gamma}{1-\gamma}\max\Delta_k`; the midpoint is returned and the
half-width, at most ``tol``, is the stated bound. The same holds for the policy-evaluation
operator (a fixed joint policy is a Markov chain).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from powerlab.errors import InputError
from powerlab.multiagent.joint import JointMDP

__all__ = ["best_response", "evaluate"]

_MAX_SWEEPS = 1_000_000


class _Rows:
    """Flat gather indices ``[m, ...]`` into ``V.ravel()`` and weights for chosen joint rows."""

    def __init__(self, joint: JointMDP, rows: np.ndarray) -> None:
        idx, prob = joint.padded
        K = rows.shape[-1]
        k = np.arange(K)
        self.flat = idx[:, rows] * K + k  # [m, *rows.shape]
        self.w = None if joint.padded_deterministic else prob[:, rows]

    def next_values(self, V: np.ndarray) -> np.ndarray:
        """Expected next value for each chosen row: ``[*rows.shape]``."""
        g = np.take(V, self.flat)
        if self.w is None:
            return g[0]
        return np.einsum("m...,m...->...", g, self.w)


def _iterate(
    step: Callable[[np.ndarray], np.ndarray],
    R: np.ndarray,
    gamma: float,
    tol: float,
    V0: np.ndarray | None,
    what: str,
) -> tuple[np.ndarray, float]:
    """Value iteration of ``V -> R + γ step(V)`` (``[J, K]``) to the half-width ``tol``."""
    V = R / (1 - gamma) if V0 is None else V0.copy()
    c = gamma / (1 - gamma)
    for _ in range(_MAX_SWEEPS):
        TV = step(V)
        TV *= gamma
        TV += R
        D = TV - V
        lo, hi = D.min(axis=0), D.max(axis=0)
        half = float(0.5 * c * (hi - lo).max(initial=0.0))
        if half <= tol:
            TV += 0.5 * c * (hi + lo)
            return TV, half
        V = TV
    raise InputError(f"{what}: value iteration did not reach {tol:g} in {_MAX_SWEEPS} sweeps")


def _choice_rows(joint: JointMDP, other: np.ndarray, agent: int) -> np.ndarray:
    """``[J, A, K]`` joint rows ``(j*A + x)*A + y`` for the agent's own slots, other fixed."""
    J, A = joint.n_states, joint.n_actions
    j = np.arange(J)[:, None, None]
    own = np.arange(A)[None, :, None]
    o = other[:, None, :]
    return (j * A + own) * A + o if agent == 0 else (j * A + o) * A + own


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

    :math:`V_k(j) = R_k(j) + \\gamma \\max_x \\sum_{j'} T_J(j, (x, \\pi^k_{-i}(j)), j') V_k(j')`
    (module docstring for the method and bound). The greedy policy takes the lowest best slot,
    or ``keep``'s (a previous policy) when that is within the tie tolerance of the best, so
    that alternating best responses do not cycle on ties.
    """
    rows = _Rows(joint, _choice_rows(joint, np.ascontiguousarray(other.T), agent))
    unavailable = ~joint.available[agent][:, :, None]

    def q_of(V: np.ndarray) -> np.ndarray:
        q = rows.next_values(V)
        np.copyto(q, -np.inf, where=unavailable)
        return q

    def step(V: np.ndarray) -> np.ndarray:
        return q_of(V).max(axis=1)

    V0t = None if V0 is None else np.ascontiguousarray(V0.T)
    V, bound = _iterate(step, np.ascontiguousarray(R.T), gamma, tol, V0t, "best response")
    tie_tol = 2 * gamma * bound + 1e-10 * max(1.0, float(np.abs(V).max(initial=0.0)))
    q = q_of(V)
    best = q.argmax(axis=1)
    if keep is not None:
        kp = np.ascontiguousarray(keep.T)
        qmax = np.take_along_axis(q, best[:, None, :], axis=1)[:, 0, :]
        qkeep = np.take_along_axis(q, kp[:, None, :], axis=1)[:, 0, :]
        best = np.where(qkeep >= qmax - tie_tol, kp, best)
    return V.T.copy(), best.T.copy(), bound


def evaluate(
    joint: JointMDP, R: np.ndarray, gamma: float, pi_H: np.ndarray, pi_A: np.ndarray, tol: float
) -> tuple[np.ndarray, float]:
    """Values ``[K, J]`` of reward ``R: [K, J]`` when H plays ``pi_H`` and A ``pi_A`` (``[K, J]``).

    :math:`V_k = R_k + \\gamma P_{\\pi^k} V_k`, solved to the bound ``tol`` (module docstring).
    """
    A = joint.n_actions
    j = np.arange(joint.n_states)[:, None]
    rows = _Rows(joint, (j * A + pi_H.T) * A + pi_A.T)
    V, bound = _iterate(
        rows.next_values, np.ascontiguousarray(R.T), gamma, tol, None, "policy evaluation"
    )
    return V.T.copy(), bound
