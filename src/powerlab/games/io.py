"""Reading Bayesian games from YAML or JSON files.

The format (one document; ``yaml.safe_load``, so JSON works too)::

    name: entry-with-unknown-cost
    players: [Entrant, Incumbent]
    types: {Entrant: [e], Incumbent: [low, high]}
    prior: {"e,low": 2/3, "e,high": 1/3}     # joint prior over type profiles, player order
    actions: {Entrant: [In, Out], Incumbent: [Fight, Accommodate]}
    payoffs:                                 # type profile -> action profile -> payoff per player
      "e,low":  {"In,Fight": [-1, 1], ...}
      "e,high": {"In,Fight": [-1, -1], ...}

Profiles are comma-separated names in player order. Numbers may be ints, decimals or
fraction strings such as ``"2/3"``; all of them are kept exact (``Fraction``). Type
profiles left out of ``prior`` have probability zero; their payoffs may be omitted.
A complete-information game may leave out ``types`` and ``prior`` (one type per player)
and give ``payoffs`` directly as action profile -> payoffs.

Errors are :class:`powerlab.errors.InputError` with one line naming the file and key.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from powerlab.errors import InputError
from powerlab.games._numbers import parse_number
from powerlab.games.model import BayesianGame, make_game

__all__ = ["load_game", "parse_game"]

_KNOWN_KEYS = {"name", "players", "types", "prior", "actions", "payoffs", "description"}
SINGLE_TYPE = "-"


def load_game(path: str | os.PathLike[str]) -> BayesianGame:
    """Read a game file (YAML or JSON); see the module docstring for the format.

    Raises:
        InputError: unreadable YAML, a missing or unknown key, unknown names, a prior that
            does not sum to 1, missing payoff entries; the message names the file and key.
        FileNotFoundError: no such file.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{p}:{line} not valid YAML/JSON") from None
    return parse_game(data, source=str(p))


def _split(key: Any, n: int, src: str, where: str) -> list[str]:
    parts = [s.strip() for s in str(key).split(",")]
    if len(parts) != n:
        raise InputError(f"{src}: {where}: {key!r} should name {n} entries separated by commas")
    return parts


def _index_profile(
    key: Any, names: list[list[str]], players: list[str], src: str, where: str, kind: str
) -> tuple[int, ...]:
    parts = _split(key, len(players), src, where)
    idx = []
    for j, part in enumerate(parts):
        if part not in names[j]:
            raise InputError(f"{src}: {where}: unknown {kind} {part!r} of {players[j]} in {key!r}")
        idx.append(names[j].index(part))
    return tuple(idx)


def _per_player(data: Mapping[str, Any], key: str, players: list[str], src: str) -> list[list[str]]:
    block = data.get(key)
    if not isinstance(block, Mapping):
        raise InputError(f"{src}: {key}: expected a mapping player -> list of names")
    for pname in block:
        if pname not in players:
            raise InputError(f"{src}: {key}: unknown player {pname!r}")
    out = []
    for pname in players:
        if pname not in block:
            raise InputError(f"{src}: {key}: missing player {pname!r}")
        names = block[pname]
        if not isinstance(names, list) or not names:
            raise InputError(f"{src}: {key}.{pname}: expected a non-empty list of names")
        names = [str(x) for x in names]
        if len(set(names)) != len(names):
            raise InputError(f"{src}: {key}.{pname}: duplicate names")
        if any("," in x for x in names):
            raise InputError(f"{src}: {key}.{pname}: names may not contain commas")
        out.append(names)
    return out


def parse_game(data: Any, source: str = "<game>") -> BayesianGame:
    """Build a game from an already-parsed mapping (see :func:`load_game`); ``source`` names it."""
    src = source
    if not isinstance(data, Mapping):
        raise InputError(f"{src}: expected a mapping at top level")
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise InputError(f"{src}: unknown key {sorted(map(str, unknown))[0]!r}")
    for key in ("players", "actions", "payoffs"):
        if key not in data:
            raise InputError(f"{src}: missing key {key!r}")
    players = data["players"]
    if not isinstance(players, list) or not players:
        raise InputError(f"{src}: players: expected a non-empty list")
    players = [str(p) for p in players]
    if len(set(players)) != len(players):
        raise InputError(f"{src}: players: duplicate names")
    n = len(players)
    actions = _per_player(data, "actions", players, src)
    complete_info = "types" not in data
    types = (
        [[SINGLE_TYPE] for _ in players]
        if complete_info
        else _per_player(data, "types", players, src)
    )
    tshape = tuple(len(t) for t in types)
    ashape = tuple(len(a) for a in actions)

    prior = np.empty(tshape, dtype=object)
    prior[:] = Fraction(0)
    if "prior" in data:
        block = data["prior"]
        if not isinstance(block, Mapping):
            raise InputError(f"{src}: prior: expected a mapping type profile -> probability")
        for key, val in block.items():
            t = _index_profile(key, types, players, src, "prior", "type")
            prob = parse_number(val, f"{src}: prior[{key!r}]")
            if prob < 0:
                raise InputError(f"{src}: prior[{key!r}]: negative probability {val}")
            prior[t] = prob
        total = prior.sum()
        if total != 1:
            raise InputError(f"{src}: prior: probabilities sum to {total}, not 1")
    elif all(k == 1 for k in tshape):
        prior[(0,) * n] = Fraction(1)
    else:
        raise InputError(f"{src}: missing key 'prior' (needed when a player has several types)")

    payoffs = np.empty((n, *tshape, *ashape), dtype=object)
    payoffs[:] = Fraction(0)
    block = data["payoffs"]
    if not isinstance(block, Mapping):
        raise InputError(f"{src}: payoffs: expected a mapping")
    if complete_info:
        block = {",".join([SINGLE_TYPE] * n): block}
    seen: set[tuple[int, ...]] = set()
    for tkey, table in block.items():
        t = _index_profile(tkey, types, players, src, "payoffs", "type")
        seen.add(t)
        where = f"payoffs[{tkey!r}]"
        if not isinstance(table, Mapping):
            raise InputError(f"{src}: {where}: expected a mapping action profile -> payoffs")
        got: set[tuple[int, ...]] = set()
        for akey, vals in table.items():
            a = _index_profile(akey, actions, players, src, where, "action")
            got.add(a)
            if not isinstance(vals, list) or len(vals) != n:
                raise InputError(f"{src}: {where}[{akey!r}]: expected a list of {n} payoffs")
            for i, v in enumerate(vals):
                payoffs[(i, *t, *a)] = parse_number(v, f"{src}: {where}[{akey!r}][{i}]")
        for a in itertools.product(*(range(k) for k in ashape)):
            if a not in got:
                missing = ",".join(actions[j][a[j]] for j in range(n))
                raise InputError(f"{src}: {where}: missing action profile {missing!r}")
    for t in itertools.product(*(range(k) for k in tshape)):
        if prior[t] != 0 and t not in seen:
            missing = ",".join(types[j][t[j]] for j in range(n))
            raise InputError(f"{src}: payoffs: missing type profile {missing!r}")
    name = str(data.get("name", Path(src).stem))
    try:
        return make_game(
            prior, payoffs, players=players, types=types, actions=actions, name=name, exact=True
        )
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None
