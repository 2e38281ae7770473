r"""Behaviour strategies of a Bayesian game: ``σ_i : T_i → Δ(A_i)``.

A profile is a list ``sigma`` with ``sigma[i]: [T_i, A_i]``, each row a probability vector
(Stavrianos & Turner 2021, §Bayesian games: "Strategies ... are given by functions
σ_i: T_i → ΔA_i"). A profile is exact (object arrays of ``Fraction``) when its game is
exact and all its entries are rational; otherwise it is float64.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.games._numbers import as_exact_array, as_float_array, is_rational_array
from powerlab.games.model import BayesianGame

__all__ = [
    "Profile",
    "check_profile",
    "profile_from_names",
    "profile_to_names",
    "pure_profile",
    "pure_strategies",
    "random_profile",
    "uniform_profile",
]

Profile = list[np.ndarray]
ROW_TOL = 1e-9


def check_profile(game: BayesianGame, sigma: Sequence[Any]) -> Profile:
    """Validate a profile (``sigma[i]: [T_i, A_i]``, rows in the simplex) and fix its arithmetic.

    Returns exact object arrays when ``game.exact`` and every entry is rational, else float64.

    Raises:
        InputError: wrong number of players, wrong shape, negative entries or rows that do
            not sum to 1 (exactly, or within 1e-9 in float mode).
    """
    if len(sigma) != game.n:
        raise InputError(f"strategy profile: expected {game.n} players, got {len(sigma)}")
    raw = [np.asarray(s, dtype=object if not isinstance(s, np.ndarray) else None) for s in sigma]
    exact = game.exact and all(is_rational_array(s) for s in raw)
    out: Profile = []
    for i, s in enumerate(raw):
        where = f"strategy of {game.players[i]}"
        if s.shape != (game.num_types[i], game.num_actions[i]):
            raise InputError(
                f"{where}: expected shape [T={game.num_types[i]}, A={game.num_actions[i]}], "
                f"got {list(s.shape)}"
            )
        s = as_exact_array(s, where) if exact else as_float_array(s, where)
        if any(x < 0 for x in s.flat):
            raise InputError(f"{where}: negative probability")
        for k in range(s.shape[0]):
            tot = s[k].sum()
            if (exact and tot != 1) or (not exact and abs(float(tot) - 1) > ROW_TOL):
                raise InputError(f"{where}, type {game.types[i][k]}: probabilities sum to {tot}")
        out.append(s)
    return out


def uniform_profile(game: BayesianGame) -> Profile:
    """Every type of every player mixes uniformly over its actions."""
    one = Fraction(1) if game.exact else 1.0
    return [
        np.full((t, a), one / a, dtype=object if game.exact else float)
        for t, a in zip(game.num_types, game.num_actions, strict=True)
    ]


def pure_profile(game: BayesianGame, choice: Sequence[Sequence[int]]) -> Profile:
    """The pure profile where type ``k`` of player ``i`` plays action ``choice[i][k]``."""
    out: Profile = []
    for i, (t, a) in enumerate(zip(game.num_types, game.num_actions, strict=True)):
        s = np.zeros((t, a), dtype=object if game.exact else float)
        if game.exact:
            s[:] = Fraction(0)
        for k in range(t):
            s[k, choice[i][k]] = Fraction(1) if game.exact else 1.0
        out.append(s)
    return out


def pure_strategies(num_types: int, num_actions: int) -> np.ndarray:
    """All pure strategies ``T_i → A_i`` as one-hot float arrays: ``[A_i ** T_i, T_i, A_i]``."""
    combos = np.array(list(itertools.product(range(num_actions), repeat=num_types)), dtype=int)
    out = np.zeros((combos.shape[0], num_types, num_actions))
    k_idx, t_idx = np.meshgrid(np.arange(combos.shape[0]), np.arange(num_types), indexing="ij")
    out[k_idx, t_idx, combos] = 1.0
    return out


def random_profile(game: BayesianGame, rng: Seed = None) -> Profile:
    """A float profile with each row drawn uniformly from the simplex (Dirichlet(1, ..., 1))."""
    gen = as_generator(rng)
    return [
        gen.dirichlet(np.ones(a), size=t)
        for t, a in zip(game.num_types, game.num_actions, strict=True)
    ]


def profile_from_names(game: BayesianGame, data: Mapping[str, Mapping[str, Any]]) -> Profile:
    """Build a profile from ``{player: {type: action or {action: prob}}}`` (missing types: uniform).

    Raises:
        InputError: unknown player, type or action names.
    """
    sigma = uniform_profile(game)
    for pname, per_type in data.items():
        if pname not in game.players:
            raise InputError(f"strategy: unknown player {pname!r}")
        i = game.players.index(pname)
        for tname, spec in per_type.items():
            if tname not in game.types[i]:
                raise InputError(f"strategy of {pname}: unknown type {tname!r}")
            k = game.types[i].index(tname)
            row = np.zeros(game.num_actions[i], dtype=object)
            row[:] = Fraction(0)
            dist = {spec: 1} if isinstance(spec, str) else dict(spec)
            for aname, p in dist.items():
                if aname not in game.actions[i]:
                    raise InputError(f"strategy of {pname}, type {tname}: unknown action {aname!r}")
                row[game.actions[i].index(aname)] = p
            sigma[i] = sigma[i].astype(object)
            sigma[i][k] = row
    return check_profile(game, sigma)


def profile_to_names(game: BayesianGame, sigma: Profile) -> dict[str, dict[str, dict[str, Any]]]:
    """``{player: {type: {action: probability}}}``, omitting zero-probability actions."""
    return {
        game.players[i]: {
            game.types[i][k]: {
                game.actions[i][a]: sigma[i][k, a]
                for a in range(game.num_actions[i])
                if sigma[i][k, a] != 0
            }
            for k in range(game.num_types[i])
        }
        for i in range(game.n)
    }
