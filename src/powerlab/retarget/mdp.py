r"""RDSP's decision rules on MDPs: f_s at a state s, over actions or visit distributions.

The parameter vector is a state-reward function :math:`\theta = R \in \mathbb R^S` (d = S;
permutations act on states), and the MDP is solved with :func:`powerlab.mdp.solve` under the
project's convention :math:`V^*(s) = R(s) + \gamma \max_a \sum_{s'} T(s,a,s') V^*(s')`.

Two ways to state "A versus B" at a state s (Turner & Tadepalli 2022, Sec. 4; Krakovna &
Kramár 2023, Def. 7):

* **actions** (:func:`mdp_comparison`): A and B are disjoint sets of action labels at s and the
  rule sees the optimal action values :math:`v_a = Q^*_R(s, a)` of the actions available at s.
  With ``rule="optimal"`` this is the optimal-policy rule :math:`f_s(X\mid R) = 1` iff some
  optimal policy takes an action of X at s (ties as :func:`powerlab.mdp.solve` calls them,
  with its ``tie_tol``); FracOptimal is the share of optimal actions at s in X; the other rules
  act on the Q-values (e.g. Boltzmann over :math:`Q^*(s,\cdot)/T`).
* **visit distributions** (:func:`visit_lotteries`): the outcome lotteries are the discounted
  visit distributions :math:`f^\pi_s = e_s^\top (I - \gamma P_\pi)^{-1}` of the deterministic
  stationary policies (Turner et al. 2021, Def. 3.3), whose value is :math:`f^{\pi\top}_s R =
  V^\pi_R(s)`; A and B collect those whose first action at s lies in the given label sets.
  Feed them to :func:`powerlab.retarget.outcomes.lottery_comparison` and
  :func:`powerlab.retarget.search.copy_involutions`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence

import numpy as np

from powerlab.errors import InputError
from powerlab.mdp import MDP, solve
from powerlab.mdp.recurrence import reachable
from powerlab.retarget.majority import Comparison
from powerlab.retarget.rules import DecisionRule, FracOptimal, IsOptimal, parse_rule

__all__ = ["action_masks", "mdp_comparison", "visit_distributions", "visit_lotteries"]


def action_masks(
    mdp: MDP, state: str | int, A: Sequence[str], B: Sequence[str]
) -> tuple[int, np.ndarray, np.ndarray]:
    """State index and ``[M]`` masks of A and B over the M actions available at ``state``.

    Raises :class:`InputError` for an unknown state or action label, an empty set, or a label
    in both A and B.
    """
    s = mdp.state_index(state)
    labels = list(mdp.action_labels[s])
    masks = []
    for name, group in (("A", A), ("B", B)):
        if len(group) == 0:
            raise InputError(f"{name}: no actions given")
        mask = np.zeros(len(labels), dtype=bool)
        for lab in group:
            if lab not in labels:
                raise InputError(
                    f"{name}: state {mdp.states[s]!r} has no action {lab!r}; it has {labels}"
                )
            mask[labels.index(lab)] = True
        masks.append(mask)
    both = sorted(set(A) & set(B))
    if both:
        raise InputError(f"action {both[0]!r} is in both A and B")
    return s, masks[0], masks[1]


def mdp_comparison(
    mdp: MDP,
    state: str | int,
    A: Sequence[str],
    B: Sequence[str],
    gamma: float,
    rule: str | DecisionRule = "optimal",
) -> Comparison:
    """``compare(R: [N, S]) -> (f_s(A|R), f_s(B|R))`` over the actions at ``state``.

    Each call solves the MDP for the N reward functions at once (``solve(..., want_q=True)``).
    """
    s, mask_a, mask_b = action_masks(mdp, state, A, B)
    M = len(mask_a)
    f = parse_rule(rule)
    S = mdp.n_states

    def compare(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        R = np.asarray(points, dtype=np.float64)
        if R.ndim != 2 or R.shape[1] != S:
            raise InputError(f"reward vectors must be [N, {S}], got {R.shape}")
        if R.shape[0] == 0:
            return np.zeros(0), np.zeros(0)
        sol = solve(mdp, R, gamma, want_q=True)
        if sol.Q is None or sol.optimal is None:  # pragma: no cover - want_q=True
            raise RuntimeError("solve returned no action values")
        if isinstance(f, IsOptimal | FracOptimal):
            ind = sol.optimal[:, s, :M].astype(np.float64)
            if isinstance(f, IsOptimal):
                return ind[:, mask_a].max(axis=1), ind[:, mask_b].max(axis=1)
            w = ind / ind.sum(axis=1, keepdims=True)
            return w[:, mask_a].sum(axis=1), w[:, mask_b].sum(axis=1)
        v = sol.Q[:, s, :M]
        g = f
        if (
            hasattr(f, "tol")
            and dataclasses.is_dataclass(f)
            and "tol" in {fld.name for fld in dataclasses.fields(f)}
        ):
            g = dataclasses.replace(f, tol=max(f.tol, sol.tie_tol))  # type: ignore[type-var]
        return g.evaluate(v, mask_a), g.evaluate(v, mask_b)

    return compare


def visit_distributions(
    mdp: MDP, state: str | int, gamma: float, *, max_policies: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    r"""Distinct visit distributions from ``state`` of deterministic stationary policies.

    :math:`f^\pi_s = \sum_t \gamma^t \Pr(s_t = \cdot \mid s_0 = s, \pi)
    = e_s^\top (I - \gamma P_\pi)^{-1}` (Turner et al. 2021, Def. 3.3; terminal states count
    once on entry). Only the choices at states reachable from ``state`` matter; all their
    combinations are enumerated, refusing (:class:`InputError`) beyond ``max_policies``.

    Returns:
        ``F: [P, S]`` distinct visit distributions and ``first: [P]`` the action slot taken at
        ``state`` (a pair (F, first) is listed once).
    """
    if not 0 <= gamma < 1:
        raise InputError(f"gamma must be in [0, 1), got {gamma}")
    s = mdp.state_index(state)
    S = mdp.n_states
    reach = reachable(mdp, [s], min_steps=0)
    states = np.flatnonzero(reach)
    n_act = [len(mdp.action_labels[x]) for x in states]
    count = math.prod(n_act)
    if count > max_policies:
        raise InputError(
            f"{count} deterministic policies from {mdp.states[s]!r} exceed max_policies="
            f"{max_policies}"
        )
    P = np.asarray(mdp.P)
    rows: dict[tuple[bytes, int], np.ndarray] = {}
    pos = states.tolist().index(s)
    for choice in itertools.product(*[range(n) for n in n_act]):
        Ppi = np.zeros((S, S))
        Ppi[states] = P[states, list(choice)]
        F = np.linalg.solve((np.eye(S) - gamma * Ppi).T, np.eye(S)[s])
        first = int(choice[pos])
        F = np.round(F, 14) + 0.0
        rows.setdefault((F.tobytes(), first), F)
    keys = list(rows)
    F_all = np.array([rows[k] for k in keys]).reshape(len(keys), S)
    first_all = np.array([k[1] for k in keys], dtype=np.int64)
    return F_all, first_all


def visit_lotteries(
    mdp: MDP,
    state: str | int,
    A: Sequence[str],
    B: Sequence[str],
    gamma: float,
    *,
    max_policies: int = 4096,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visit distributions ``F: [P, S]`` from ``state`` with masks ``[P]`` for A and B.

    A visit distribution is in A (B) when its policy's first action at ``state`` has a label in
    A (B). Use with :func:`powerlab.retarget.outcomes.lottery_comparison`.
    """
    s, mask_a, mask_b = action_masks(mdp, state, A, B)
    F, first = visit_distributions(mdp, s, gamma, max_policies=max_policies)
    return F, mask_a[first], mask_b[first]
