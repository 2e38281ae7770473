r"""Refinements: equilibria that use weakly dominated strategies.

The strategic form of a Bayesian game has pure strategies ``s_i: T_i → A_i`` and payoffs
``U_i(s) = Σ_t Ω(t) r_i(t, s_1(t_1), ..., s_n(t_n))``; a behaviour strategy ``σ_i`` acts in
it as the mixed strategy ``x_i(s_i) = Π_{t_i} σ_i(s_i(t_i) | t_i)`` (Kuhn), which gives the
same payoffs. ``σ_i`` is *weakly dominated* when some mixed strategy ``y`` does at least as
well against every pure profile ``s_{-i}`` of the others and strictly better against one
(Osborne 2004, Def 45.1 for actions and §4.4 for domination by mixed strategies).
We decide it with one linear programme

.. math:: \max_{y \in Δ(S_i)} \sum_{s_{-i}} (y - x_i)^\top U_i[:, s_{-i}]
          \quad\text{s.t.}\quad (y - x_i)^\top U_i[:, s_{-i}] \ge 0 \;\; \forall s_{-i},

whose optimum is positive iff ``σ_i`` is weakly dominated (solved by HiGHS in floating
point; a positive optimum must exceed ``DOMINANCE_TOL`` times the payoff range).

For two players an equilibrium is (normal-form) trembling-hand perfect iff no player's
strategy is weakly dominated (van Damme 1991, Theorem 3.2.2), so ``perfect`` is reported for
2-player games; with more players undominatedness is necessary but not sufficient.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from powerlab.errors import ResourceError
from powerlab.games.model import BayesianGame
from powerlab.games.strategy import Profile, pure_strategies

__all__ = ["DOMINANCE_TOL", "MAX_FORM_CELLS", "Refinement", "refine", "strategic_payoffs"]

MAX_FORM_CELLS = 1_000_000
DOMINANCE_TOL = 1e-9


def strategic_payoffs(game: BayesianGame, i: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """``U_i[s_i, s_{-i}]`` as ``[m_i, M_{-i}]`` (float) and the pure strategies of every player
    (``[m_j, T_j, A_j]`` one-hot, :func:`powerlab.games.strategy.pure_strategies`).

    Raises:
        ResourceError: more than :data:`MAX_FORM_CELLS` strategic-form cells.
    """
    n = game.n
    cells = 1
    for t, a in zip(game.num_types, game.num_actions, strict=True):
        cells *= a**t
    if cells > MAX_FORM_CELLS:
        raise ResourceError(
            f"weak dominance: the strategic form has {cells} cells (limit {MAX_FORM_CELLS})"
        )
    pures = [pure_strategies(game.num_types[j], game.num_actions[j]) for j in range(n)]
    prior = np.asarray(game.prior, dtype=float).reshape(*game.num_types, *([1] * n))
    w = prior * np.asarray(game.payoffs[i], dtype=float)  # [T..., A...]
    tl, al, sl = string.ascii_lowercase[:n], string.ascii_uppercase[:n], "nopqrs"[:n]
    ops = [tl + al] + [sl[j] + tl[j] + al[j] for j in range(n)]
    spec = ",".join(ops) + "->" + sl
    u = np.einsum(spec, w, *pures, optimize=True)  # [m_1, ..., m_n]
    u = np.moveaxis(u, i, 0).reshape(u.shape[i], -1)
    return u, pures


def _mixed(sigma_i: np.ndarray, pure_i: np.ndarray) -> np.ndarray:
    """``x(s) = Π_t σ(s(t) | t)`` for every pure strategy ``s``: ``[m_i]``."""
    probs = np.asarray(sigma_i, dtype=float)[None, :, :] * pure_i  # [m, T, A]
    return np.prod(probs.sum(axis=2), axis=1)


def _dominated(u: np.ndarray, x: np.ndarray) -> bool:
    from scipy.optimize import linprog

    m = u.shape[0]
    base = x @ u  # [M]
    scale = max(1.0, float(np.max(np.abs(u))))
    res = linprog(
        -u.sum(axis=1),
        A_ub=-u.T,
        b_ub=-base,
        A_eq=np.ones((1, m)),
        b_eq=[1.0],
        bounds=[(0, None)] * m,
        method="highs",
    )
    if res.status != 0:
        return False
    gain = float(-res.fun - base.sum())
    return gain > DOMINANCE_TOL * scale * u.shape[1]


@dataclass(frozen=True)
class Refinement:
    """Which players' strategies are weakly dominated at one profile.

    Attributes:
        dominated: names of players whose strategy is weakly dominated.
        undominated: no player's strategy is weakly dominated.
        perfect: for 2 players, trembling-hand perfect (iff ``undominated``); None otherwise.
    """

    dominated: list[str]
    undominated: bool
    perfect: bool | None


def refine(game: BayesianGame, sigma: Profile) -> Refinement:
    """Weak dominance of each player's strategy in ``σ`` (module docstring).

    Raises:
        ResourceError: a strategic form over :data:`MAX_FORM_CELLS` cells.
    """
    dominated = []
    for i in range(game.n):
        u, pures = strategic_payoffs(game, i)
        if _dominated(u, _mixed(sigma[i], pures[i])):
            dominated.append(game.players[i])
    ok = not dominated
    return Refinement(dominated, ok, ok if game.n == 2 else None)
