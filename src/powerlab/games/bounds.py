r"""Worst-case and informed best-case POWER: what the other players can do to player ``i``.

Stavrianos & Turner (2021, §"Multi-agent POWER") bracket POWER between "everyone plays mean"
and "everyone plays nice". With ``g_i(t_i, a_i; σ_{-i}) = Ω_i(t_i) f_i(t_i, a_i, σ_{-i})``
(:mod:`powerlab.games.utility`) we report three numbers per player:

* **best case** ``B_i = max_{σ_{-i}} POWER(i, σ)`` over behaviour strategies of the others,
  who know only their own types (:func:`powerlab.games.power.best_case_power`);
* **informed best case** -- the others know every type and act together:

  .. math:: B^{\mathrm{inf}}_i = \sum_{t_i} \max_{a_i} \sum_{t_{-i}} Ω(t)
            \max_{a_{-i}} r_i(t, a_i, a_{-i}) \;\ge\; B_i,

  since any behaviour of the others is one such choice. With two players this is "the other
  player knows your type";
* **worst case** ``W_i = min_{σ_{-i}} POWER(i, σ)``: the others minimise. ``POWER(i, ·)`` is
  the value of ``i``'s best reply, so ``W_i`` is the value of the zero-sum game ``(r_i,
  -r_i)`` between ``i`` and the others (von Neumann's minimax theorem; Osborne 2004, ch. 11),
  which Gambit's ``lp`` solves exactly. With three or more players the others are merged
  into one team whose type is ``t_{-i}`` and whose action is ``a_{-i}``: the team may
  correlate and pool its types, so for ``n >= 3`` the value is a lower bound on the worst
  case with independent others (equal for ``n = 2``).

For every profile ``W_i <= POWER(i, σ) <= B_i <= B^{\mathrm{inf}}_i``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from powerlab.errors import ResourceError
from powerlab.games._deadline import Deadline
from powerlab.games.model import BayesianGame, make_game
from powerlab.games.power import power_from_weighted

__all__ = ["MAX_TEAM_CELLS", "WorstCase", "informed_best_case", "worst_case_power"]

MAX_TEAM_CELLS = 2_000_000


def informed_best_case(game: BayesianGame, i: int) -> Any:
    """``Σ_{t_i} max_{a_i} Σ_{t_{-i}} Ω(t) max_{a_{-i}} r_i(t, a_i, a_{-i})`` (module docstring).

    Exact for exact games.
    """
    i = game.check_player(i)
    n = game.n
    others = tuple(n + j for j in range(n) if j != i)  # action axes of the others in r_i[t, a]
    best = game.payoffs[i].max(axis=others) if others else game.payoffs[i]  # [T..., A_i]
    weighted = best * game.prior.reshape(*game.num_types, 1)
    axes = tuple(j for j in range(n) if j != i)
    g = weighted.sum(axis=axes) if axes else weighted  # [T_i, A_i]
    return power_from_weighted(np.asarray(g))


@dataclass(frozen=True)
class WorstCase:
    """Worst-case POWER of one player.

    Attributes:
        player: index ``i``.
        value: ``min_{σ_{-i}} POWER(i, σ)`` (a lower bound when ``correlated``).
        correlated: True for ``n >= 3``, where the others act as one correlated team.
    """

    player: int
    value: Any
    correlated: bool


def _team_game(game: BayesianGame, i: int) -> BayesianGame:
    """The zero-sum game of ``i`` against the team of the others: ``(r_i, -r_i)``."""
    n = game.n
    others = [j for j in range(n) if j != i]
    order = [i, *others]
    prior = np.transpose(game.prior, order).reshape(game.num_types[i], -1)
    r = np.transpose(game.payoffs[i], order + [n + j for j in order])
    r = r.reshape(game.num_types[i], prior.shape[1], game.num_actions[i], -1)
    pay = np.stack([r, -r])
    team_types = [",".join(game.types[j][k] for j, k in zip(others, t, strict=True))
                  for t in itertools.product(*(range(game.num_types[j]) for j in others))]  # fmt: skip
    team_actions = [",".join(game.actions[j][k] for j, k in zip(others, a, strict=True))
                    for a in itertools.product(*(range(game.num_actions[j]) for j in others))]  # fmt: skip
    return make_game(
        prior,
        pay,
        players=[game.players[i], "others"],
        types=[game.types[i], team_types],
        actions=[game.actions[i], team_actions],
        name=f"{game.name}: {game.players[i]} against the others",
        exact=game.exact,
    )


def worst_case_power(game: BayesianGame, i: int, deadline: Deadline | float = 60.0) -> WorstCase:
    """``min_{σ_{-i}} POWER(i, σ)`` by Gambit's ``lp`` on the zero-sum game ``(r_i, -r_i)``.

    The equilibrium value for ``i`` equals ``POWER(i, σ*)`` at the minimising team strategy
    ``σ*`` (at an equilibrium of a zero-sum game each side best-responds, and ``i``'s best
    reply value is its POWER). Exact for exact games.

    Raises:
        ResourceError: a team game over :data:`MAX_TEAM_CELLS` payoff entries, or the deadline.
    """
    from powerlab.games.solve import solve

    i = game.check_player(i)
    cells = int(game.payoffs[i].size)
    if cells > MAX_TEAM_CELLS:
        raise ResourceError(
            f"worst-case POWER of {game.players[i]}: {cells} payoff entries exceed the "
            f"limit {MAX_TEAM_CELLS}"
        )
    team = _team_game(game, i)
    eqs = [e for e in solve(team, "lp", timeout=deadline) if e.is_bne]
    if not eqs:
        raise ResourceError(f"worst-case POWER of {game.players[i]}: lp found no equilibrium")
    return WorstCase(i, eqs[0].power[0], game.n > 2)
