r"""The limits γ → 0 and γ → 1 of optimal values and optimal action sets.

γ → 0 (Turner et al. 2021, Def 4.1 and Lemma/Prop on POWER's limits). Write
:math:`V^*_\gamma = \sum_{n \ge 0} \gamma^n v_n` for small γ. Then :math:`v_0 = R` and
:math:`Q^*_\gamma(s,a) = R(s) + \sum_{n\ge1}\gamma^n T_a v_{n-1}`, where
:math:`T_a v = \sum_{s'} T(s,a,s') v(s')`. For all sufficiently small γ the optimal actions
are the lexicographic maximisers of the coefficient sequence :math:`(T_a v_0, T_a v_1, ...)`:
with :math:`\mathcal A_0(s)` all actions,

.. math:: v_n(s) = \max_{a \in \mathcal A_{n-1}(s)} T_a v_{n-1}, \qquad
          \mathcal A_n(s) = \arg\max_{a \in \mathcal A_{n-1}(s)} T_a v_{n-1}.

Each :math:`Q^*_\gamma(s,a)` near 0 is a rational function of γ of degree at most S, so two of
them that agree in the first 2S + 1 coefficients agree everywhere; the refinement stops
earlier once every remaining tie is between actions with identical transition rows. The
limit of POWER's integrand, :math:`\frac{1-\gamma}{\gamma}(V^*_\gamma(s) - R(s)) \to v_1(s)
= \max_a T_a R`, is returned as ``value``.

γ → 1 (Turner et al., Def 6.11 and Blackwell 1962). A policy is *Blackwell optimal* when it is
optimal for every γ in some interval (γ_B, 1); such a policy exists and is average optimal.
powerlab finds the Blackwell-optimal action sets numerically as the optimal sets at
``gamma_b`` (default 1 − 10⁻⁶) by exact policy iteration (``solve(..., method="pi")``: on
stochastic MDPs, sparse elimination whose GTH pivots keep full accuracy at γ_B; costs in
docs/solvers.md); this is exact whenever the instance's Blackwell threshold is below
``gamma_b`` (true for every example we ship; a
threshold above it needs rewards whose differences are of order 10⁻⁶). The limit of POWER's
integrand is the optimal average reward (gain) :math:`g^*(s) = \lim (1-\gamma) V^*_\gamma(s)`,
computed exactly on deterministic MDPs as the mean reward of the cycle the Blackwell-optimal
policy reaches; on stochastic MDPs from :math:`(1-\gamma) V^*_\gamma = g^* + (1-\gamma) h +
O((1-\gamma)^2)` (h the bias; Puterman 1994, Thm 8.2.3) at γ_B and at 1 - 10(1 - γ_B), combined by
Richardson extrapolation so the O(1-γ) term cancels; ``error_bound`` is an estimate of the
remaining O((1-γ_B)^2) term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from powerlab.mdp import _kernels
from powerlab.mdp.model import MDP
from powerlab.mdp.solvers import action_values, check_rewards, solve

__all__ = ["LimitResult", "average_reward", "blackwell_optimal", "myopic_optimal"]


@dataclass(frozen=True)
class LimitResult:
    """Optimal action sets and POWER's integrand in a discount limit.

    Attributes:
        value: ``[K, S]`` the limit of ``(1-γ)/γ · (V*_γ - R)``: ``max_a T_a R`` as γ → 0,
            the optimal gain ``g*`` as γ → 1.
        optimal: ``[K, S, A]`` bool, the actions optimal for all γ near the limit.
        gamma: ``0.0`` or ``1.0``.
        error_bound: bound on ``|value - exact|`` (0 where exact up to round-off).
    """

    value: np.ndarray
    optimal: np.ndarray
    gamma: float
    error_bound: float


def _duplicate_reps(mdp: MDP) -> np.ndarray:
    """``[S, A]``: for each action, the first action at the same state with the same row."""
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.P_sa.toarray().reshape(S, A, S) if S * A * S <= 50_000_000 else None
    reps = np.tile(np.arange(A), (S, 1))
    if P is None:
        return reps
    for a in range(1, A):
        for b in range(a):
            same = np.all(P[:, a] == P[:, b], axis=1) & mdp.available[:, a] & (reps[:, a] == a)
            reps[same, a] = b
    return reps


def myopic_optimal(mdp: MDP, R: np.ndarray, *, max_order: int | None = None) -> LimitResult:
    """Optimal action sets as γ → 0 and the limit of POWER's integrand (module docstring).

    Args:
        mdp: the environment.
        R: ``[K, S]`` state rewards.
        max_order: cap on the lexicographic refinement (default 2S + 1, which is exact).
    """
    R = check_rewards(mdp, R)
    K, S = R.shape
    reps = _duplicate_reps(mdp)
    tied = np.broadcast_to(mdp.available, (K, S, mdp.n_actions)).copy()
    tol = 1e-12 * max(1.0, float(np.abs(R).max(initial=0.0)))
    v = R
    value = None
    cap = max_order or 2 * S + 1
    for _order in range(1, cap + 1):
        c = action_values(mdp, np.zeros_like(R), v, 1.0)  # T_a v_{n-1}, -inf where unavailable
        c = np.where(tied, c, -np.inf)
        v = c.max(axis=2)
        if value is None:
            value = v.copy()
        tied &= c >= v[:, :, None] - tol
        # Stop once every remaining tie is between identical transition rows.
        distinct = sum(
            np.any(tied & (reps == r)[None], axis=2).astype(int) for r in range(reps.shape[1])
        )
        if not np.any(distinct > 1):
            break
    assert value is not None
    return LimitResult(value=value, optimal=tied, gamma=0.0, error_bound=0.0)


def blackwell_optimal(mdp: MDP, R: np.ndarray, *, gamma_b: float = 1 - 1e-6) -> LimitResult:
    """Blackwell-optimal action sets and the optimal gain, the γ → 1 limit (module docstring)."""
    R = check_rewards(mdp, R)
    # Ties are judged at the round-off of exact evaluation (about S ulps of max|V|), not at the
    # a-posteriori bound ε/(1-γ_B), which near γ = 1 would merge actions whose Q differ by O(1).
    vmax = max(1.0, float(np.abs(R).max(initial=0.0))) / (1 - gamma_b)
    tie = 16 * (mdp.n_states + 1) * np.finfo(np.float64).eps * vmax
    sol = solve(mdp, R, gamma_b, method="pi", want_q=True, tie_tol=tie)
    assert sol.optimal is not None
    if mdp.is_deterministic:
        succ = np.array(mdp.successor, dtype=np.int64)
        succ[~mdp.available] = -2
        gain = _kernels.det_gain(succ, R, sol.policy.astype(np.int64))
        err = 0.0
    else:
        # (1-γ)V_γ = g + (1-γ)h + O((1-γ)^2): a second discount estimates the bias term.
        gamma_2 = 1 - 10 * (1 - gamma_b)
        # Richardson extrapolation cancels the (1-γ)h term: g = (10 g_1 - g_2) / 9 + O((1-γ)^2).
        gain_1 = (1 - gamma_b) * sol.V
        gain_2 = (1 - gamma_2) * solve(mdp, R, gamma_2, method="pi", want_q=False).V
        gain = (10 * gain_1 - gain_2) / 9
        err = (
            float(np.abs(gain_2 - gain_1).max(initial=0.0)) * 10 * (1 - gamma_b)
            + (1 - gamma_b) * sol.error_bound
        )
    return LimitResult(value=gain, optimal=sol.optimal, gamma=1.0, error_bound=err)


def average_reward(mdp: MDP, R: np.ndarray, *, gamma_b: float = 1 - 1e-6) -> np.ndarray:
    """The optimal average reward (gain) ``g*: [K, S]``, POWER's integrand at γ = 1."""
    return blackwell_optimal(mdp, R, gamma_b=gamma_b).value
