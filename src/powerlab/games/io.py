"""Reading Bayesian games from YAML or JSON files.

The format (one document; JSON for a ``.json`` file, otherwise YAML, which also reads JSON)::

    name: entry-with-unknown-cost
    players: [Entrant, Incumbent]
    types: {Entrant: [e], Incumbent: [low, high]}
    prior: {"e,low": 2/3, "e,high": 1/3}     # joint prior over type profiles, player order
    actions: {Entrant: [In, Out], Incumbent: [Fight, Accommodate]}
    payoffs:                                 # type profile -> action profile -> payoff per player
      "e,low":  {"In,Fight": [-1, 1], ...}
      "e,high": {"In,Fight": [-1, -1], ...}

Profiles are comma-separated names in player order; spaces around names do not count, so
``"X,X"`` and ``"X, X"`` are one profile and writing both is an error, as is any repeated
key. Names may be numbers (``players: [1, 2]``); they are read as text. Numbers may be ints,
decimals or fraction strings such as ``"2/3"``; all of them are kept exact (``Fraction``).
Type profiles left out of ``prior`` have probability zero; their payoffs may be omitted.
A complete-information game may leave out ``types`` and ``prior`` (one type per player)
and give ``payoffs`` directly as action profile -> payoffs.

Sizes are checked before anything is allocated: at most :data:`MAX_FILE_BYTES` bytes and
:data:`MAX_CELLS` payoff entries ``n · Π T_i · Π A_i``.

Errors are :class:`powerlab.errors.InputError` (or :class:`~powerlab.errors.ResourceError`
for sizes) with one line naming the file and key.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from powerlab._load import load_document
from powerlab._types import JSON
from powerlab.errors import InputError, ResourceError
from powerlab.games._numbers import parse_number
from powerlab.games.model import BayesianGame, make_game

__all__ = ["MAX_CELLS", "MAX_FILE_BYTES", "load_game", "parse_game", "read_document"]

_KNOWN_KEYS = {"name", "players", "types", "prior", "actions", "payoffs", "description"}
SINGLE_TYPE = "-"
MAX_FILE_BYTES = 64 * 2**20
MAX_CELLS = 1_000_000


def read_document(path: str | os.PathLike[str]) -> Any:
    """Read a game file's document with the one safe loader (:func:`powerlab._load.load_document`:
    regular files only, depth, alias and number-length limits, repeated keys refused): JSON for
    a ``.json`` suffix, else YAML. JSON decimals are kept as their text so that they stay exact.

    Raises:
        InputError: not UTF-8 text, not valid YAML/JSON, a repeated key (each naming the file).
        InputError: also a missing file, a directory, a device or FIFO (never read), or a file
            over :data:`MAX_FILE_BYTES` bytes.
    """
    p = Path(path)
    try:
        doc, _ = load_document(p, what="a game file", max_bytes=MAX_FILE_BYTES, exact_decimals=True)
    except InputError as exc:
        if "not a text file" in str(exc):
            raise InputError(f"{p}: not UTF-8 text") from None
        raise
    return doc


def load_game(path: str | os.PathLike[str]) -> BayesianGame:
    """Read a game file: YAML or JSON (module docstring), or Gambit's ``.efg``/``.nfg``
    (:mod:`powerlab.games.gambit_io`), chosen by the suffix.

    Raises:
        InputError: unreadable YAML, a missing, unknown or repeated key, unknown names, a prior
            that does not sum to 1, missing payoff entries; the message names the file and key.
        ResourceError: a file or game over the size limits.
        InputError: also a missing file, a directory, a device or FIFO (never read), or a file
            over :data:`MAX_FILE_BYTES` bytes.
    """
    if Path(path).suffix.lower() in (".efg", ".nfg"):
        from powerlab.games.gambit_io import load_gambit

        return load_gambit(path)
    return parse_game(read_document(path), source=str(path))


def _split(key: Any, n: int, src: str, where: str) -> list[str]:
    parts = [s.strip() for s in str(key).split(",")]
    if len(parts) != n:
        raise InputError(f"{src}: {where}: {key!r} should name {n} entries separated by commas")
    return parts


def _index_profile(
    key: Any, lookup: list[dict[str, int]], players: list[str], src: str, where: str, kind: str
) -> tuple[int, ...]:
    parts = _split(key, len(players), src, where)
    idx = []
    for j, part in enumerate(parts):
        if part not in lookup[j]:
            raise InputError(f"{src}: {where}: unknown {kind} {part!r} of {players[j]} in {key!r}")
        idx.append(lookup[j][part])
    return tuple(idx)


def _require(data: Mapping[str, Any], keys: tuple[str, ...], src: str) -> None:
    """Refuse a document that lacks one of ``keys``, naming the first missing one."""
    for key in keys:
        if key not in data:
            raise InputError(f"{src}: missing key {key!r}")


def _names(value: Any, src: str, where: str) -> list[str]:
    """A non-empty list of distinct names (as stripped text), the list at ``where`` in ``src``."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{src}: {where}: expected a non-empty list of names")
    names = [str(x).strip() for x in value]
    seen: set[str] = set()
    for x in names:
        if x in seen:
            raise InputError(f"{src}: {where}: duplicate name {x!r}")
        seen.add(x)
    return names


def _per_player(data: Mapping[str, Any], key: str, players: list[str], src: str) -> list[list[str]]:
    block = data.get(key)
    if not isinstance(block, Mapping):
        raise InputError(f"{src}: {key}: expected a mapping player -> list of names")
    by_name: JSON = {}
    for pname, names in block.items():
        if str(pname) not in players:
            raise InputError(f"{src}: {key}: unknown player {str(pname)!r}")
        if str(pname) in by_name:
            raise InputError(f"{src}: {key}: duplicate key {str(pname)!r}")
        by_name[str(pname)] = names
    out = []
    for pname in players:
        if pname not in by_name:
            raise InputError(f"{src}: {key}: missing player {pname!r}")
        names = _names(by_name[pname], src, f"{key}.{pname}")
        if any("," in x for x in names):
            raise InputError(f"{src}: {key}.{pname}: names may not contain commas")
        out.append(names)
    return out


def _check_size(src: str, n: int, tshape: tuple[int, ...], ashape: tuple[int, ...]) -> None:
    """Refuse a game with more than :data:`MAX_CELLS` payoff entries before allocating it."""
    cells = n * int(np.prod(tshape, dtype=object)) * int(np.prod(ashape, dtype=object))
    if cells > MAX_CELLS:
        raise ResourceError(
            f"{src}: {n} players, types {list(tshape)}, actions {list(ashape)} make {cells} "
            f"payoff entries (limit {MAX_CELLS})"
        )


def _profiles(
    block: Mapping[Any, Any],
    names: list[list[str]],
    players: list[str],
    src: str,
    where: str,
    kind: str,
) -> list[tuple[tuple[int, ...], Any, Any]]:
    """``(index profile, original key, value)`` per entry; a profile written twice (after
    spaces around names are dropped, so ``"X,X"`` and ``"X, X"`` collide) is refused."""
    out: list[tuple[tuple[int, ...], Any, Any]] = []
    first: dict[tuple[int, ...], str] = {}
    lookup = [{x: k for k, x in enumerate(row)} for row in names]
    for key, val in block.items():
        t = _index_profile(key, lookup, players, src, where, kind)
        if t in first:
            raise InputError(
                f"{src}: {where}: duplicate {kind} profile {str(key)!r} (same as {first[t]!r})"
            )
        first[t] = str(key)
        out.append((t, key, val))
    return out


def parse_game(data: Any, source: str = "<game>") -> BayesianGame:
    """Build a game from an already-parsed mapping (see :func:`load_game`); ``source`` names it."""
    src = source
    if not isinstance(data, Mapping):
        raise InputError(f"{src}: expected a mapping at top level")
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise InputError(f"{src}: unknown key {sorted(map(str, unknown))[0]!r}")
    _require(data, ("players", "actions", "payoffs"), src)
    players = _names(data["players"], src, "players")
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
    _check_size(src, n, tshape, ashape)
    cells_a = int(np.prod(ashape, dtype=object))

    prior = np.empty(tshape, dtype=object)
    prior[:] = Fraction(0)
    if "prior" in data:
        block = data["prior"]
        if not isinstance(block, Mapping):
            raise InputError(f"{src}: prior: expected a mapping type profile -> probability")
        for t, key, val in _profiles(block, types, players, src, "prior", "type"):
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
    for t, tkey, table in _profiles(block, types, players, src, "payoffs", "type"):
        seen.add(t)
        where = f"payoffs[{tkey!r}]"
        if not isinstance(table, Mapping):
            raise InputError(f"{src}: {where}: expected a mapping action profile -> payoffs")
        got: set[tuple[int, ...]] = set()
        for a, akey, vals in _profiles(table, actions, players, src, where, "action"):
            got.add(a)
            if not isinstance(vals, list) or len(vals) != n:
                raise InputError(f"{src}: {where}[{akey!r}]: expected a list of {n} payoffs")
            for i, v in enumerate(vals):
                payoffs[(i, *t, *a)] = parse_number(v, f"{src}: {where}[{akey!r}][{i}]")
        for a in itertools.product(*(range(k) for k in ashape)) if len(got) < cells_a else ():
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
