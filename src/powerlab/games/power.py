r"""Multi-agent POWER in a Bayesian game (Stavrianos & Turner 2021, §"POWER in a Bayesian game").

For a fixed profile ``σ`` Stavrianos & Turner (2021) define

.. math::
    \mathrm{POWER}(i, σ) = \mathbb E_{t_i}\Big[\max_{a_i} f_i(t_i, a_i, σ_{-i})\Big]
    = \sum_{t_i} \max_{a_i} g_i(t_i, a_i),

with ``g_i = Ω_i f_i`` the ex-ante weighted utility (:mod:`powerlab.games.utility`); types of
probability zero contribute nothing. POWER depends on ``σ_{-i}`` only.

*Best-case POWER* is the paper's "everyone plays nice" case: the largest POWER the other
players' strategies can give, ``max_{σ_{-i}} POWER(i, σ)``. POWER is convex in each
``σ_j`` (a maximum of functions linear in ``σ_j``) so the maximum is attained at a pure
profile ``s_{-i}`` of the others (functions ``T_j → A_j``), and we enumerate those.
The opponents only know their own types, so this is an information-respecting best case.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

import numpy as np

from powerlab.errors import ResourceError
from powerlab.games._deadline import Deadline
from powerlab.games.model import BayesianGame
from powerlab.games.strategy import Profile, check_profile, pure_profile, pure_strategies
from powerlab.games.utility import _weighted

__all__ = ["BestCase", "best_case_power", "power", "power_from_weighted"]

MAX_PURE_PROFILES = 2_000_000
MAX_TABLE_CELLS = 20_000_000


def power_from_weighted(g: np.ndarray) -> Any:
    """``Σ_{t_i} max_{a_i} g[t_i, a_i]`` for ``g: [T_i, A_i]`` (exact if ``g`` is)."""
    if g.dtype == object:
        return sum((max(row) for row in g), start=g.flat[0] * 0)
    return float(g.max(axis=1).sum())


def power(game: BayesianGame, sigma: Any) -> list[Any]:
    """``POWER(i, σ)`` for every player ``i`` (Stavrianos & Turner 2021, §"POWER in a Bayesian game").

    Exact ``Fraction`` values when the game and ``σ`` are exact, floats otherwise.
    """
    sig = check_profile(game, sigma)
    return [power_from_weighted(_weighted(game, sig, i)) for i in range(game.n)]


@dataclass(frozen=True)
class BestCase:
    """Best-case POWER of one player and the others' pure strategies that attain it.

    Attributes:
        player: index ``i``.
        value: ``max_{σ_{-i}} POWER(i, σ)``.
        profile: a maximizing profile: the others' pure strategies and ``i``'s best response.
    """

    player: int
    value: Any
    profile: Profile


def _argmax(values: list[Any]) -> int:
    """Index of the first largest entry (exact comparison)."""
    best = 0
    for k, v in enumerate(values):
        if v > values[best]:
            best = k
    return best


def _exact_weighted_pure(game: BayesianGame, i: int, choice: list[list[int]]) -> np.ndarray:
    """``g_i(t_i, a_i) = Σ_{t: Ω(t)>0} Ω(t) r_i(t, a_i, s_{-i}(t_{-i}))`` for the others' pure
    strategies ``choice[j][t_j]``, by gathering one payoff row per type profile: ``[T_i, A_i]``.

    Costs ``O(|supp Ω| · A_i)`` operations instead of a contraction over every action profile.
    """
    g = np.empty((game.num_types[i], game.num_actions[i]), dtype=object)
    g[:] = game.zero()
    for t in game.type_profiles():
        w = game.prior[t]
        if w == 0:
            continue
        acts: list[Any] = [choice[j][t[j]] for j in range(game.n)]
        acts[i] = slice(None)
        g[t[i]] += w * game.payoffs[(i, *t, *acts)]
    return g


def best_case_power(
    game: BayesianGame,
    i: int,
    max_profiles: int = MAX_PURE_PROFILES,
    deadline: Deadline | None = None,
) -> BestCase:
    """``max_{σ_{-i}} POWER(i, σ)`` by enumerating the others' pure strategies (batched in float).

    The search runs in float64 over all ``Π_{j≠i} A_j^{T_j}`` pure opponent profiles with one
    ``einsum``; in an exact game every candidate within 1e-9 of the float maximum is then
    re-evaluated exactly (one payoff row per type profile), so the returned value is exact.

    Raises:
        ResourceError: more than ``max_profiles`` pure opponent profiles, a float table over
            :data:`MAX_TABLE_CELLS` entries, or the ``deadline`` passing during the exact
            re-evaluation of tied candidates.
    """
    i = game.check_player(i)
    n = game.n
    others = [j for j in range(n) if j != i]
    count = 1
    for j in others:
        count *= game.num_actions[j] ** game.num_types[j]
    if count > max_profiles:
        raise ResourceError(
            f"best-case POWER of {game.players[i]}: {count} pure opponent profiles exceed "
            f"the limit {max_profiles}"
        )
    table = count * game.num_types[i] * game.num_actions[i]
    if table > MAX_TABLE_CELLS:
        raise ResourceError(
            f"best-case POWER of {game.players[i]}: a table of {table} entries exceeds the "
            f"limit {MAX_TABLE_CELLS}"
        )
    prior = np.asarray(game.prior, dtype=float).reshape(*game.num_types, *([1] * n))
    w = prior * np.asarray(game.payoffs[i], dtype=float)  # [T..., A...]
    tl, al, bl = string.ascii_lowercase[:n], string.ascii_uppercase[:n], "uvwxyz"[: len(others)]
    ops = [tl + al] + [bl[k] + tl[j] + al[j] for k, j in enumerate(others)]
    spec = ",".join(ops) + "->" + bl + tl[i] + al[i]
    pures = [pure_strategies(game.num_types[j], game.num_actions[j]) for j in others]
    g = np.einsum(spec, w, *pures, optimize=True)  # [K_1, ..., K_{n-1}, T_i, A_i]
    vals = g.max(axis=-1).sum(axis=-1)
    flat = vals.ravel()
    best = flat.max()
    if game.exact:
        cands = [int(c) for c in np.flatnonzero(flat >= best - 1e-9 * max(1.0, abs(best)))]
    else:
        cands = [int(flat.argmax())]
    best_value, best_choice = None, None
    for c in cands:
        if deadline is not None:
            deadline.check(f"best-case POWER of {game.players[i]}")
        ks = np.unravel_index(c, vals.shape)
        choice: list[list[int]] = [[0] * game.num_types[j] for j in range(n)]
        for k, j in zip(ks, others, strict=True):
            choice[j] = [int(x) for x in pures[others.index(j)][k].argmax(axis=1)]
        if game.exact:
            gi = _exact_weighted_pure(game, i, choice)
            value = power_from_weighted(gi)
            choice[i] = [_argmax(list(row)) for row in gi]
        else:
            row_g = g[ks]
            value = float(row_g.max(axis=1).sum())
            choice[i] = [int(x) for x in row_g.argmax(axis=1)]
        if best_value is None or value > best_value:
            best_value, best_choice = value, choice
    assert best_choice is not None
    return BestCase(i, best_value, check_profile(game, pure_profile(game, best_choice)))
