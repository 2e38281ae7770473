r"""Multi-agent POWER in a Bayesian game (Stavrianos & Turner 2021, §"POWER in a Bayesian game").

For a fixed profile ``σ`` the seed defines

.. math::
    \mathrm{POWER}(i, σ) = \mathbb E_{t_i}\Big[\max_{a_i} f_i(t_i, a_i, σ_{-i})\Big]
    = \sum_{t_i} \max_{a_i} g_i(t_i, a_i),

with ``g_i = Ω_i f_i`` the ex-ante weighted utility (:mod:`powerlab.games.utility`); types of
probability zero contribute nothing. POWER depends on ``σ_{-i}`` only.

*Best-case POWER* is the seed's "everyone plays nice" case: the largest POWER the other
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
from powerlab.games.model import BayesianGame
from powerlab.games.strategy import Profile, check_profile, pure_profile, pure_strategies
from powerlab.games.utility import _weighted

__all__ = ["BestCase", "best_case_power", "power", "power_from_weighted"]

MAX_PURE_PROFILES = 2_000_000


def power_from_weighted(g: np.ndarray) -> Any:
    """``Σ_{t_i} max_{a_i} g[t_i, a_i]`` for ``g: [T_i, A_i]`` (exact if ``g`` is)."""
    if g.dtype == object:
        return sum((max(row) for row in g), start=g.flat[0] * 0)
    return float(g.max(axis=1).sum())


def power(game: BayesianGame, sigma: Any) -> list[Any]:
    """``POWER(i, σ)`` for every player ``i`` (seed, §POWER in a Bayesian game).

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


def best_case_power(game: BayesianGame, i: int, max_profiles: int = MAX_PURE_PROFILES) -> BestCase:
    """``max_{σ_{-i}} POWER(i, σ)`` by enumerating the others' pure strategies (batched in float).

    The search runs in float64 over all ``Π_{j≠i} A_j^{T_j}`` pure opponent profiles with one
    ``einsum``; in an exact game every candidate within 1e-9 of the float maximum is then
    re-evaluated exactly, so the returned value is exact.

    Raises:
        ResourceError: more than ``max_profiles`` pure opponent profiles.
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
    cands = np.flatnonzero(flat >= best - 1e-9 * max(1.0, abs(best)))
    results = []
    for c in cands:
        ks = np.unravel_index(c, vals.shape)
        choice: list[list[int]] = [[0] * game.num_types[j] for j in range(n)]
        for k, j in zip(ks, others, strict=True):
            choice[j] = list(pures[others.index(j)][k].argmax(axis=1))
        prof = pure_profile(game, choice)
        gi = _weighted(game, prof, i)
        choice[i] = [int(np.argmax([float(x) for x in row])) for row in gi]
        prof = pure_profile(game, choice)
        results.append((power_from_weighted(_weighted(game, prof, i)), prof))
    value, prof = max(results, key=lambda r: r[0])
    return BestCase(i, value, check_profile(game, prof))
