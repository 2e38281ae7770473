r"""Removing players who have no choice (one action for every type) before solving.

A player ``d`` with ``A_d = 1`` always best-responds, and fixing its only action leaves the
others' interim utilities unchanged once its type is summed out: with ``K`` the other
players,

.. math::
    Ω'(t_K) = \sum_{t_d} Ω(t), \qquad
    r'_i(t_K, a_K) = \frac{1}{Ω'(t_K)} \sum_{t_d} Ω(t)\, r_i(t, a_K, a_d)

for ``Ω'(t_K) > 0`` (0 otherwise), so that ``Ω'(t_K) r'_i(t_K, a_K)`` is the weight the
original game gives to ``(t_K, a_K)``. Then ``f'_i(t_i, a_i, σ_{-i}) = f_i(t_i, a_i,
σ_{-i})`` for every kept player, type and action (each is ``Σ_t Ω(t) r_i(t, a) Π σ_j``
divided by ``Ω_i(t_i)``, which the reduction leaves unchanged). The Bayesian Nash
equilibria of the two games therefore correspond one to one, and with two players left the
complete 2-player enumeration applies (Osborne 2004, §9.2, for the equilibrium conditions).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from powerlab.games.model import BayesianGame, make_game
from powerlab.games.strategy import Profile

__all__ = ["drop_choiceless_players", "lift_profile"]


def drop_choiceless_players(game: BayesianGame) -> tuple[BayesianGame, list[int]]:
    """The game without its one-action players, and the indices of the players it keeps.

    Returns ``(game, list(range(n)))`` unchanged when no player has one action, or when
    fewer than two players would remain.
    """
    keep = [i for i in range(game.n) if game.num_actions[i] > 1]
    if len(keep) == game.n or len(keep) < 2:
        return game, list(range(game.n))
    drop = tuple(j for j in range(game.n) if j not in keep)
    prior = game.prior.sum(axis=drop)  # [T_K...]
    first = tuple(0 if j in drop else slice(None) for j in range(game.n))
    pay = game.payoffs[(slice(None), *([slice(None)] * game.n), *first)][keep]  # [K, T..., A_K]
    weight = game.prior.reshape(*game.num_types, *([1] * len(keep)))
    summed = (pay * weight).sum(axis=tuple(1 + j for j in drop))  # [K, T_K..., A_K...]
    out = np.empty(summed.shape, dtype=summed.dtype)
    for t in np.ndindex(*prior.shape):
        w = prior[t]
        sl = (slice(None), *t)
        if w != 0:
            out[sl] = summed[sl] / w
        else:
            out[sl] = Fraction(0) if game.exact else 0.0
    reduced = make_game(
        prior,
        out,
        players=[game.players[i] for i in keep],
        types=[game.types[i] for i in keep],
        actions=[game.actions[i] for i in keep],
        name=game.name,
        exact=game.exact,
    )
    return reduced, keep


def lift_profile(game: BayesianGame, keep: list[int], sigma: Profile) -> Profile:
    """A profile of the reduced game extended to ``game``: dropped players play their action."""
    if len(keep) == game.n:
        return sigma
    exact = sigma[0].dtype == object
    one = Fraction(1) if exact else 1.0
    out: Profile = []
    for i in range(game.n):
        if i in keep:
            out.append(sigma[keep.index(i)])
        else:
            out.append(np.full((game.num_types[i], 1), one, dtype=object if exact else float))
    return out
