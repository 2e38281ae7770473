"""Reading finite-horizon Bayesian stochastic games (``powerlab game-sequential FILE``).

The format (YAML or JSON; repeated keys refused, profiles as in game files)::

    name: chain
    players: [P1, P2]
    types: {P1: [a, b], P2: [u]}          # optional: one type each when left out
    prior: {"a,u": 1/2, "b,u": 1/2}       # needed when a player has several types
    actions: {P1: [stay, go], P2: [stay, go]}
    states: [s0, s1]
    initial: {s0: 1}                      # initial state distribution μ
    horizon: 2                            # stages H >= 1
    transitions:                          # state -> action profile -> {next state: prob}
      s0: {"stay,stay": {s0: 1}, "stay,go": {s1: 1}, "go,stay": {s1: 1}, "go,go": {s1: 1}}
      s1: {"stay,stay": {s1: 1}, ...}
    rewards:                              # type profile -> state -> action profile -> payoffs
      "a,u": {s0: {"stay,stay": [1, 0], ...}, s1: {...}}
      "b,u": {...}

With one state ``transitions`` may be left out; without ``types`` the ``rewards`` block is
state -> action profile -> payoffs. Every state and action profile must be listed. Sizes are
checked before allocating (:data:`MAX_CELLS` entries, and at most :data:`MAX_LEAVES` leaves
in the game tree).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError, ResourceError
from powerlab.games._numbers import parse_number
from powerlab.games.io import (
    MAX_CELLS,
    SINGLE_TYPE,
    _names,
    _per_player,
    _profiles,
    _require,
    read_document,
)
from powerlab.games.stochastic import BayesianStochasticGame, make_stochastic_game

__all__ = ["MAX_LEAVES", "SequentialGame", "load_sequential_game"]

MAX_LEAVES = 2_000_000
_KEYS = {"name", "description", "players", "types", "prior", "actions", "states", "initial",
         "horizon", "transitions", "rewards"}  # fmt: skip


@dataclass(frozen=True)
class SequentialGame:
    """A stochastic game with the names used in its file."""

    game: BayesianStochasticGame
    name: str
    types: list[list[str]]
    actions: list[list[str]]
    states: list[str]


def _mapping(block: Any, src: str, where: str) -> Mapping[Any, Any]:
    if not isinstance(block, Mapping):
        raise InputError(f"{src}: {where}: expected a mapping")
    return block


def _state_dist(block: Any, states: list[str], src: str, where: str) -> list[Fraction]:
    out = [Fraction(0)] * len(states)
    for key, val in _mapping(block, src, where).items():
        if str(key) not in states:
            raise InputError(f"{src}: {where}: unknown state {str(key)!r}")
        out[states.index(str(key))] = Fraction(parse_number(val, f"{src}: {where}[{key!r}]"))
    return out


def load_sequential_game(path: str | os.PathLike[str]) -> SequentialGame:
    """Read a sequential game file (module docstring).

    Raises:
        InputError: a missing, unknown or repeated key, unknown names, missing entries,
            distributions that do not sum to 1 (naming the file and key).
        ResourceError: a game or tree over the size limits.
    """
    src = str(path)
    data = _mapping(read_document(path), src, "top level")
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise InputError(f"{src}: unknown key {unknown[0]!r}")
    _require(data, ("players", "actions", "states", "initial", "horizon", "rewards"), src)
    players = _names(data["players"], src, "players")
    n = len(players)
    actions = _per_player(data, "actions", players, src)
    complete = "types" not in data
    types = (
        [[SINGLE_TYPE] for _ in players] if complete else _per_player(data, "types", players, src)
    )
    states = _names(data["states"], src, "states")
    horizon = data["horizon"]
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 50:
        raise InputError(f"{src}: horizon: expected an integer in [1, 50], got {horizon!r}")
    tshape, ashape, S = tuple(map(len, types)), tuple(map(len, actions)), len(states)
    na, nt = int(np.prod(ashape, dtype=object)), int(np.prod(tshape, dtype=object))
    if n * nt * S * na + S * na * S > MAX_CELLS:
        raise ResourceError(f"{src}: more than {MAX_CELLS} reward and transition entries")
    if nt * S * (na * S) ** horizon > MAX_LEAVES:
        raise ResourceError(
            f"{src}: the game tree would have up to {nt * S * (na * S) ** horizon} leaves "
            f"(limit {MAX_LEAVES}); lower the horizon"
        )
    prior = np.full(tshape, Fraction(0), dtype=object)
    if "prior" in data:
        for t, key, val in _profiles(_mapping(data["prior"], src, "prior"), types, players, src,
                                     "prior", "type"):  # fmt: skip
            prior[t] = parse_number(val, f"{src}: prior[{key!r}]")
    elif nt == 1:
        prior[(0,) * n] = Fraction(1)
    else:
        raise InputError(f"{src}: missing key 'prior' (needed when a player has several types)")
    initial = _state_dist(data["initial"], states, src, "initial")
    trans = np.full((S, *ashape, S), Fraction(0), dtype=object)
    if "transitions" in data:
        block = _mapping(data["transitions"], src, "transitions")
        for name in states:
            if name not in map(str, block):
                raise InputError(f"{src}: transitions: missing state {name!r}")
        for key, table in block.items():
            if str(key) not in states:
                raise InputError(f"{src}: transitions: unknown state {str(key)!r}")
            s = states.index(str(key))
            where = f"transitions.{key}"
            got = _profiles(_mapping(table, src, where), actions, players, src, where, "action")
            if len(got) != na:
                raise InputError(f"{src}: {where}: expected all {na} action profiles")
            for a, akey, dist in got:
                trans[(s, *a)] = _state_dist(dist, states, src, f"{where}[{akey!r}]")
    elif S == 1:
        trans[...] = Fraction(1)
    else:
        raise InputError(f"{src}: missing key 'transitions' (needed with several states)")
    rewards = np.full((n, *tshape, S, *ashape), Fraction(0), dtype=object)
    block = _mapping(data["rewards"], src, "rewards")
    if complete:
        block = {",".join([SINGLE_TYPE] * n): block}
    seen = set()
    for t, tkey, per_state in _profiles(block, types, players, src, "rewards", "type"):
        seen.add(t)
        for s, name in enumerate(states):
            where = f"rewards[{tkey!r}].{name}"
            table = _mapping(_mapping(per_state, src, f"rewards[{tkey!r}]").get(name), src, where)
            got = _profiles(table, actions, players, src, where, "action")
            if len(got) != na:
                raise InputError(f"{src}: {where}: expected all {na} action profiles")
            for a, akey, vals in got:
                if not isinstance(vals, list) or len(vals) != n:
                    raise InputError(f"{src}: {where}[{akey!r}]: expected a list of {n} payoffs")
                for i, v in enumerate(vals):
                    rewards[(i, *t, s, *a)] = parse_number(v, f"{src}: {where}[{akey!r}][{i}]")
    for t in itertools.product(*(range(k) for k in tshape)):
        if prior[t] != 0 and t not in seen:
            raise InputError(f"{src}: rewards: missing type profile "
                             f"{','.join(types[j][t[j]] for j in range(n))!r}")  # fmt: skip
    try:
        game = make_stochastic_game(prior, initial, trans, rewards, horizon, players=players)
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None
    return SequentialGame(game, str(data.get("name", src)), types, actions, states)
