r"""The inverse-RL feasibility set of a policy (Ng & Russell 2000) and its G_T probability.

Ng & Russell, "Algorithms for Inverse Reinforcement Learning" (ICML 2000), Thm 3: in a
finite MDP with state reward R, the deterministic policy π is optimal iff for every state
s and action a,

.. math:: (P_{\pi(s)}(s) - P_a(s))\,(I - \gamma P_\pi)^{-1} R \;\ge\; 0,

where :math:`P_a(s)` is the row :math:`T(s, a, \cdot)` and :math:`P_\pi` stacks the rows
:math:`P_{\pi(s)}(s)` (with powerlab's convention V = R + γ P V this is
:math:`Q^\pi(s,\pi(s)) - Q^\pi(s,a) = \gamma(P_{\pi(s)}(s) - P_a(s))V^\pi \ge 0`; terminal
rows are zero and carry no constraint). Together with the box :math:`0 \le R \le 1` this
is a polytope :math:`F(\pi)`, the rewards that rationalize π *after the fact*.

:func:`feasibility` solves two linear programs with scipy's HiGHS:

* the margin LP, :math:`\max t` s.t. :math:`M R \ge t` on every constraint row whose two
  successor distributions differ, :math:`0 \le R \le 1`: :math:`t^* > 0` iff :math:`F(\pi)`
  has an interior (π is the *unique* optimal policy for some R); :math:`t^* = 0` means only
  tie-making rewards (e.g. constant R, Ng & Russell's degenerate solution) rationalize it;
* Ng & Russell's own LP (their Sec. 3.1, eq. (4)):
  :math:`\max \sum_s \min_{a \ne \pi(s)} (M R)_{s,a} - \lambda \|R\|_1`, box-bounded, as a
  representative rationalizing reward.

:func:`gt_probability` then asks how much probability the training-time prior gave that
set: the fraction of G_T-uniform draws (:mod:`powerlab.goals`) that lie in :math:`F(\pi)`,
with a Clopper-Pearson interval. A nonempty :math:`F(\pi)` with negligible G_T probability
is "rationalizable but not predicted".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from powerlab.agents.evaluate import clopper_pearson
from powerlab.errors import InputError
from powerlab.mdp import MDP

__all__ = ["Feasibility", "feasibility", "gt_probability", "optimality_constraints"]


def optimality_constraints(
    mdp: MDP, policy: np.ndarray, gamma: float, states: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(M: [rows, S], row_state: [rows])``: π is optimal at ``states`` iff ``M R >= 0``
    (Ng & Russell Thm 3); ``row_state`` names the state of each row.

    Args:
        policy: ``[S]`` action slot per state (ignored at terminal states).
        states: where optimality is required (default: every non-terminal state).
    Rows whose two actions have the same successor distribution are dropped.
    """
    S = mdp.n_states
    policy = np.asarray(policy, dtype=np.int64)
    if policy.shape != (S,):
        raise InputError(f"policy must have shape [S]={S}, got {policy.shape}")
    if not 0 < gamma < 1:
        raise InputError(f"gamma must be in (0, 1), got {gamma}")
    P = np.asarray(mdp.P)
    live = ~mdp.terminal
    if np.any(~mdp.available[np.arange(S), policy] & live):
        raise InputError("policy names an unavailable action")
    P_pi = np.where(live[:, None], P[np.arange(S), np.where(live, policy, 0)], 0.0)
    W = np.linalg.solve(np.eye(S) - gamma * P_pi, np.eye(S))  # (I - γ P_π)^{-1}
    where = np.flatnonzero(live) if states is None else np.asarray(states, dtype=np.int64)
    rows, owner = [], []
    for s in where:
        if mdp.terminal[s]:
            continue
        for a in np.flatnonzero(mdp.available[s]):
            diff = P[s, policy[s]] - P[s, a]
            if a != policy[s] and np.abs(diff).max() > 1e-12:
                rows.append(diff @ W)
                owner.append(int(s))
    return np.array(rows).reshape(-1, S), np.array(owner, dtype=np.int64)


@dataclass(frozen=True)
class Feasibility:
    """Result of :func:`feasibility`: ``margin`` t*, ``interior`` (t* > tol), a reward
    ``reward: [S]`` from Ng & Russell's LP, and ``rows`` (constraints)."""

    margin: float
    interior: bool
    reward: np.ndarray
    rows: int


def feasibility(
    M: np.ndarray, row_state: np.ndarray, lam: float = 0.05, tol: float = 1e-9
) -> Feasibility:
    """Solve the margin LP and Ng & Russell's LP on ``M: [rows, S]`` (module docstring)."""
    M = np.atleast_2d(np.asarray(M, dtype=np.float64))
    n, S = M.shape
    if n == 0:
        return Feasibility(float("inf"), True, np.zeros(S), 0)
    # margin LP, variables (R, t): minimise -t  s.t.  -M R + t <= 0,  0 <= R <= 1
    c = np.zeros(S + 1)
    c[-1] = -1.0
    A = np.hstack([-M, np.ones((n, 1))])
    res = linprog(
        c, A_ub=A, b_ub=np.zeros(n), bounds=[(0.0, 1.0)] * S + [(None, 1.0)], method="highs"
    )
    if res.status != 0:  # pragma: no cover - R = 0, t = 0 is always feasible
        raise InputError(f"margin LP failed: {res.message}")
    margin = float(-res.fun)
    # Ng & Russell's LP, variables (R, u_1..u_m) for the m states with rows:
    # minimise lam * sum R - sum u  s.t.  u_s - (M R)_row <= 0 for each row of s,  M R >= 0
    owners = np.unique(row_state)
    m = len(owners)
    pos = np.searchsorted(owners, row_state)
    U = np.zeros((n, m))
    U[np.arange(n), pos] = 1.0
    A2 = np.vstack([np.hstack([-M, U]), np.hstack([-M, np.zeros((n, m))])])
    c2 = np.concatenate([lam * np.ones(S), -np.ones(m)])
    res2 = linprog(
        c2,
        A_ub=A2,
        b_ub=np.zeros(2 * n),
        bounds=[(0.0, 1.0)] * S + [(None, None)] * m,
        method="highs",
    )
    reward = np.asarray(res2.x[:S]) if res2.status == 0 else np.zeros(S)
    return Feasibility(margin, margin > tol, reward, n)


def gt_probability(M: np.ndarray, draws: np.ndarray, alpha: float = 0.05) -> dict[str, float]:
    """Fraction of reward draws ``draws: [K, S]`` inside ``{R : M R >= 0}`` with a
    Clopper-Pearson interval."""
    draws = np.atleast_2d(np.asarray(draws, dtype=np.float64))
    if M.shape[0] == 0:
        inside = np.ones(len(draws), dtype=bool)
    else:
        tol = 1e-9 * max(1.0, float(np.abs(draws).max(initial=0.0)))
        inside = np.all(draws @ M.T >= -tol, axis=1)
    k, n = int(inside.sum()), len(draws)
    lo, hi = clopper_pearson(k, n, alpha)
    return {"inside": k, "draws": n, "fraction": k / n if n else float("nan"), "lo": lo, "hi": hi}
