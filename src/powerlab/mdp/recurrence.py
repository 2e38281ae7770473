r"""Reachability, recurrence and expected discounted visit counts (Krakovna & Kramár 2023).

Graph routines that need only an MDP, for the shutdown setting of Krakovna & Kramár,
"Power-seeking can be probable and predictive for trained agents" (arXiv 2304.06528):

* :math:`S_{reach}` (Def 7): the states reachable with positive probability from
  :math:`s_{new}` in one or more steps, :func:`reachable`.
* Almost-sure reachability: the set :math:`W_g` of states from which some stationary
  policy reaches a target g with probability 1, by the classical nested fixed point
  (de Alfaro 1997, Ch. 3; Baier & Katoen 2008, Alg. 45): start from :math:`W = S`; keep
  the actions whose whole support stays in W; shrink W to the states that can reach g
  with positive probability through such actions; repeat until W is stable. The policy
  "step to a state one BFS layer closer to g, staying inside W" reaches g almost surely.
* Revisiting policies and recurrent states (Def 8): s is recurrent iff some action at s
  has a nonempty support inside :math:`W_s`; playing it at s and the layer policy
  elsewhere returns to s with probability 1.
* Reach-and-revisit policies (Prop 1), :func:`reach_and_revisit_policy`: the layer policy
  of :math:`W_{s_{rec}}` plus the revisiting action at :math:`s_{rec}` is both
  :math:`\pi_{reach}` and :math:`\pi_{rev}` on the reaching region, as in the proof of
  Prop 1. It exists iff :math:`s_{new} \in W_{s_{rec}}` (in a deterministic MDP: iff
  :math:`s_{rec}` is reachable; in a stochastic one positive-probability reachability is
  not enough, and :func:`recurrence_table` says so).
* The expected discounted visit count (Def 9),
  :math:`V_{s_{rec},\gamma} = E_{\pi}\left[\sum_{t\ge1}\gamma^{t-1}\,1(s_t = s_{rec})\right]`
  with :math:`s_0 = s_{new}`, computed exactly: :math:`h = (I - \gamma P_\pi)^{-1} e_{s_{rec}}`
  and :math:`V_{s_{rec},\gamma} = (P_\pi h)(s_{new})`. Terminal rows of :math:`P_\pi` are zero.
* :math:`\gamma^*_{s_{rec}}` (Prop 3): the least γ with :math:`V_{s_{rec},\gamma'} > 1` for
  all γ' > γ. For a fixed policy :math:`V_{s_{rec},\gamma}` is nondecreasing in γ (every
  term :math:`\gamma^{t-1}` is) and tends to ∞ as γ → 1 (Prop 2), so γ* is the crossing of
  1, found by bisection to 1e-12.

The layer policy takes shortest routes, so in a deterministic MDP it maximises the visit
count over all policies (first visit at the shortest distance d, then the shortest cycle
L: :math:`V = \gamma^{d-1}/(1-\gamma^L)`), and γ* is the smallest the construction allows.
In stochastic MDPs it is one valid reach-and-revisit policy, not necessarily the best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from powerlab.errors import InputError
from powerlab.mdp.model import MDP

__all__ = [
    "RecurrenceRow",
    "almost_sure_reach",
    "gamma_star",
    "reach_and_revisit_policy",
    "reachable",
    "recurrence_table",
    "recurrent_states",
    "revisiting_action",
    "visit_count",
]

_GAMMA_TOL = 1e-12


def _support(mdp: MDP) -> np.ndarray:
    """``[S, A, S]`` bool: ``T(s, a, s') > 0``; terminal ``end`` rows are empty."""
    return np.asarray(mdp.P) > 0


def reachable(mdp: MDP, sources: object, *, min_steps: int = 1) -> np.ndarray:
    r"""``[S]`` bool: states reachable with positive probability from ``sources``.

    With ``min_steps=1`` (the default) a source counts only if it can be re-entered, which
    is :math:`S_{reach}` of Krakovna & Kramár (Def 7) for ``sources = [s_new]``; with
    ``min_steps=0`` the sources themselves are included.

    Args:
        mdp: the environment.
        sources: state names or indices.
    """
    if min_steps not in (0, 1):
        raise InputError(f"reachable: min_steps must be 0 or 1, got {min_steps}")
    idx = mdp.state_indices(list(sources))  # type: ignore[call-overload]
    adj = np.asarray(_support(mdp).any(axis=1), dtype=bool)  # [S, S]
    seen = np.zeros(mdp.n_states, dtype=bool)
    frontier = adj[idx].any(axis=0) if len(idx) else seen.copy()
    if min_steps == 0:
        frontier = frontier.copy()
        frontier[idx] = True
    while frontier.any():
        seen |= frontier
        frontier = adj[frontier].any(axis=0) & ~seen
    return seen


def almost_sure_reach(mdp: MDP, target: str | int) -> tuple[np.ndarray, np.ndarray]:
    r"""The almost-sure reaching region of ``target`` and its layer policy.

    Returns ``(W, policy)``: ``W: [S]`` bool, the states from which some stationary policy
    reaches ``target`` with probability 1 (hitting time 0 counts, so ``target ∈ W``), and
    ``policy: [S]`` int, for ``s ∈ W \ {target}`` an action whose support lies in W and
    which enters the next-closer BFS layer with positive probability (``-1`` elsewhere).
    See the module docstring for the algorithm.
    """
    g = mdp.state_index(target)
    supp = _support(mdp)
    nonempty = supp.any(axis=2)  # [S, A]
    S = mdp.n_states
    W = np.ones(S, dtype=bool)
    while True:
        ok = nonempty & ~(supp & ~W[None, None, :]).any(axis=2)  # support inside W
        layer = np.full(S, -1, dtype=np.int64)
        policy = np.full(S, -1, dtype=np.int64)
        layer[g] = 0
        R = np.zeros(S, dtype=bool)
        R[g] = True
        depth = 0
        while True:
            depth += 1
            enters = np.asarray(ok & (supp & R[None, None, :]).any(axis=2), dtype=bool)  # [S, A]
            new = np.asarray(enters.any(axis=1), dtype=bool) & W & ~R
            if not new.any():
                break
            new_idx = np.flatnonzero(new)
            layer[new_idx] = depth
            policy[new_idx] = enters[new_idx].argmax(axis=1)
            R |= new
        if np.array_equal(R, W):
            return W, policy
        W = R


def revisiting_action(mdp: MDP, s: str | int, W: np.ndarray | None = None) -> int:
    r"""An action at ``s`` after which ``s`` is re-entered with probability 1, or ``-1``.

    Def 8 (revisiting policy): such an action exists iff ``s`` is a recurrent state. It
    is an action with nonempty support inside :math:`W_s` (:func:`almost_sure_reach`);
    among them the one whose successors are closest to ``s`` (a self-loop first).
    """
    i = mdp.state_index(s)
    if W is None:
        W, _ = almost_sure_reach(mdp, i)
    supp = _support(mdp)[i]  # [A, S]
    ok = supp.any(axis=1) & ~(supp & ~W[None, :]).any(axis=1)
    if not ok.any():
        return -1
    # prefer actions that come straight back, then any admissible one
    back = ok & supp[:, i]
    return int(np.flatnonzero(back)[0] if back.any() else np.flatnonzero(ok)[0])


def recurrent_states(mdp: MDP) -> np.ndarray:
    """``[S]`` bool: the recurrent states of Def 8 (some policy revisits them a.s.)."""
    return np.array([revisiting_action(mdp, s) >= 0 for s in range(mdp.n_states)], dtype=bool)


def reach_and_revisit_policy(mdp: MDP, s_new: str | int, s_rec: str | int) -> np.ndarray | None:
    r"""A reach-and-revisit policy for ``s_rec`` from ``s_new`` (Prop 1), or ``None``.

    Returns ``policy: [S]`` int (action slots; slot 0 outside the reaching region) that
    reaches ``s_rec`` from ``s_new`` with probability 1 and then returns to it with
    probability 1; ``None`` if ``s_rec`` is not recurrent or not almost surely reachable
    from ``s_new``.
    """
    n, r = mdp.state_index(s_new), mdp.state_index(s_rec)
    W, layer_policy = almost_sure_reach(mdp, r)
    a_rev = revisiting_action(mdp, r, W)
    if a_rev < 0 or not W[n]:
        return None
    policy = np.where(layer_policy >= 0, layer_policy, 0)
    policy[r] = a_rev
    return policy


def _visit_counts(
    mdp: MDP, policy: np.ndarray, s_new: int, s_rec: int, gammas: np.ndarray
) -> np.ndarray:
    S = mdp.n_states
    rows = np.arange(S) * mdp.n_actions + policy
    P_pi = sp.csc_array(mdp.P_sa[rows])  # [S, S]; terminal rows are zero
    p_new = P_pi[[s_new]].toarray().ravel()
    e = np.zeros(S)
    e[s_rec] = 1.0
    out = np.empty(len(gammas))
    eye = sp.identity(S, format="csc")
    for k, gamma in enumerate(gammas):
        h = spla.splu(sp.csc_array(eye - gamma * P_pi)).solve(e)
        out[k] = float(p_new @ h)
    return out


def visit_count(
    mdp: MDP,
    s_new: str | int,
    s_rec: str | int,
    gamma: float | np.ndarray,
    policy: np.ndarray | None = None,
) -> float | np.ndarray:
    r"""Expected discounted visit count :math:`V_{s_{rec},\gamma}` (Def 9), exactly.

    :math:`V_{s_{rec},\gamma} = E_\pi[\sum_{t\ge1}\gamma^{t-1} 1(s_t=s_{rec}) \mid s_0=s_{new}]`
    by one sparse LU solve of :math:`(I-\gamma P_\pi) h = e_{s_{rec}}` per γ (see the module
    docstring). ``policy: [S]`` defaults to :func:`reach_and_revisit_policy`; ``gamma`` may
    be a scalar in [0, 1) or an array ``[G]`` (then the result is ``[G]``).
    """
    n, r = mdp.state_index(s_new), mdp.state_index(s_rec)
    if policy is None:
        policy = reach_and_revisit_policy(mdp, n, r)
        if policy is None:
            raise InputError(
                f"{mdp.name}: state {mdp.states[r]!r} has no reach-and-revisit policy from "
                f"{mdp.states[n]!r} (not recurrent, or not almost surely reachable)"
            )
    pol = np.asarray(policy, dtype=np.int64)
    if pol.shape != (mdp.n_states,):
        raise InputError(f"visit_count: policy must have shape [S]={mdp.n_states}, got {pol.shape}")
    if np.any(~mdp.available[np.arange(mdp.n_states), pol]):
        raise InputError("visit_count: policy picks an unavailable action")
    g = np.atleast_1d(np.asarray(gamma, dtype=np.float64))
    if np.any((g < 0) | (g >= 1)) or not np.all(np.isfinite(g)):
        raise InputError(f"visit_count: gamma must lie in [0, 1), got {gamma}")
    out = _visit_counts(mdp, pol, n, r, g)
    return float(out[0]) if np.ndim(gamma) == 0 else out


def gamma_star(
    mdp: MDP, s_new: str | int, s_rec: str | int, *, policy: np.ndarray | None = None
) -> float:
    r""":math:`\gamma^*_{s_{rec}}` of Prop 3: the least γ with :math:`V_{s_{rec},\gamma'} > 1`
    for every γ' > γ, to 1e-12 (bisection on the nondecreasing visit count).

    Returns 0.0 when the count exceeds 1 at every γ > 0 (e.g. ``s_rec`` is a self-loop
    next to ``s_new``). Raises :class:`InputError` if no reach-and-revisit policy exists.
    """
    n, r = mdp.state_index(s_new), mdp.state_index(s_rec)
    if policy is None:
        policy = reach_and_revisit_policy(mdp, n, r)
        if policy is None:
            raise InputError(
                f"{mdp.name}: state {mdp.states[r]!r} has no reach-and-revisit policy from "
                f"{mdp.states[n]!r}"
            )
    pol = np.asarray(policy, dtype=np.int64)

    def above(g: float) -> bool:
        return bool(_visit_counts(mdp, pol, n, r, np.array([g]))[0] > 1.0)

    lo, hi = 0.0, 1.0 - 1e-12
    if above(_GAMMA_TOL):
        return 0.0
    if not above(hi):  # pragma: no cover - excluded by Prop 2 for recurrent states
        return 1.0
    while hi - lo > _GAMMA_TOL:
        mid = 0.5 * (lo + hi)
        if above(mid):
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class RecurrenceRow:
    """One state of :math:`S_{reach}` in :func:`recurrence_table`.

    Attributes:
        state: the state's name.
        recurrent: Def 8.
        reach_and_revisit: a Prop 1 policy from ``s_new`` exists (a.s. reachable).
        gamma_star: Prop 3's threshold for that policy (``None`` without one).
        policy: the reach-and-revisit policy ``[S]`` (``None`` without one).
    """

    state: str
    recurrent: bool
    reach_and_revisit: bool
    gamma_star: float | None
    policy: np.ndarray | None


def recurrence_table(mdp: MDP, s_new: str | int) -> list[RecurrenceRow]:
    r"""For every :math:`s \in S_{reach}(s_{new})` (Def 7): recurrence, Prop 1, γ* (Prop 3)."""
    n = mdp.state_index(s_new)
    rows = []
    for s in np.flatnonzero(reachable(mdp, [n])):
        rec = revisiting_action(mdp, int(s)) >= 0
        pol = reach_and_revisit_policy(mdp, n, int(s)) if rec else None
        gs = gamma_star(mdp, n, int(s), policy=pol) if pol is not None else None
        rows.append(RecurrenceRow(mdp.states[int(s)], rec, pol is not None, gs, pol))
    return rows
