"""POWER at a profile the user gives (``powerlab game FILE --profile PROFILE``), not only at
equilibria.

A profile file (YAML or JSON, repeated keys refused) maps every player to every one of its
types and each type to an action or to a distribution over actions::

    Entrant: {e: Out}
    Incumbent: {low: Fight, high: {Fight: 1/3, Accommodate: 2/3}}

For a player with one unnamed type (a complete-information game) the type level may be
left out: ``Matcher: {H: 1/2, T: 1/2}`` or ``Matcher: H``. Probabilities are exact numbers.

At the profile ``σ`` we report ``U_i(σ)``, ``POWER(i, σ)``, their sums, the interim regrets
and the sum of ex-ante regrets ``Σ_i (POWER(i, σ) - U_i(σ)) >= 0``, which is zero iff ``σ``
is a BNE (on types of positive probability). In a constant-sum game ``Σ_i U_i = c``, so that
sum is the conservation slack ``Σ_i POWER(i, σ) - c`` of Stavrianos & Turner (2021, Theorem).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from powerlab._types import JSON
from powerlab.errors import InputError
from powerlab.games._numbers import parse_number
from powerlab.games.bne import check_bne
from powerlab.games.conservation import constant_sum_value
from powerlab.games.io import SINGLE_TYPE, read_document
from powerlab.games.model import BayesianGame
from powerlab.games.power import power
from powerlab.games.strategy import Profile, profile_from_names, profile_to_names
from powerlab.games.utility import expected_payoffs

__all__ = ["ProfileAnalysis", "analyze_profile", "load_profile"]


def load_profile(game: BayesianGame, path: str | os.PathLike[str]) -> Profile:
    """Read a profile file for ``game`` (module docstring); every player and type is required.

    Raises:
        InputError: unknown or missing players, types or actions, bad probabilities
            (each naming the file).
    """
    src = str(path)
    doc = read_document(path)
    if not isinstance(doc, Mapping):
        raise InputError(f"{src}: expected a mapping player -> type -> action")
    data: JSON = {}
    for pname, spec in doc.items():
        name = str(pname)
        if name not in game.players:
            raise InputError(f"{src}: unknown player {name!r}")
        i = game.players.index(name)
        if isinstance(spec, str | int):
            spec = str(spec)
        single = game.types[i] == (SINGLE_TYPE,)
        if single and (
            isinstance(spec, str)
            or (isinstance(spec, Mapping) and set(map(str, spec)) <= set(game.actions[i]))
        ):
            spec = {SINGLE_TYPE: spec}
        if not isinstance(spec, Mapping):
            raise InputError(f"{src}: {name}: expected a mapping type -> action")
        per_type: JSON = {}
        for t, v in spec.items():
            where = f"{src}: {name}.{t}"
            if isinstance(v, Mapping):
                per_type[str(t)] = {str(a): parse_number(p, where) for a, p in v.items()}
            elif isinstance(v, str | int):
                per_type[str(t)] = str(v)
            else:
                raise InputError(f"{where}: expected an action or a mapping action -> probability")
        missing = [t for t in game.types[i] if t not in per_type]
        if missing:
            raise InputError(f"{src}: {name}: missing type {missing[0]!r}")
        data[name] = per_type
    absent = [p for p in game.players if p not in data]
    if absent:
        raise InputError(f"{src}: missing player {absent[0]!r}")
    try:
        return profile_from_names(game, data)
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None


@dataclass(frozen=True)
class ProfileAnalysis:
    """Payoffs, POWER, regrets and the conservation slack at one profile (module docstring)."""

    game: BayesianGame
    strategies: Profile
    payoffs: list[Any]
    power: list[Any]
    power_sum: Any
    regret_sum: Any
    is_bne: bool
    max_regret: Any
    constant: Any
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> JSON:
        """The JSON document of ``powerlab game FILE --profile P --json``."""
        return {
            "name": self.game.name,
            "players": list(self.game.players),
            "strategies": profile_to_names(self.game, self.strategies),
            "payoffs": list(self.payoffs),
            "power": list(self.power),
            "power_sum": self.power_sum,
            "regret_sum": self.regret_sum,
            "is_bne": self.is_bne,
            "max_interim_regret": self.max_regret,
            "constant_sum": self.constant is not None,
            "constant": self.constant,
            "slack": None if self.constant is None else self.power_sum - self.constant,
            "notes": list(self.notes),
        }


def analyze_profile(game: BayesianGame, sigma: Profile) -> ProfileAnalysis:
    """Evaluate ``σ`` exactly (for exact games and profiles): see the module docstring."""
    pays = expected_payoffs(game, sigma)
    pw = power(game, sigma)
    chk = check_bne(game, sigma)
    total = sum(pw[1:], start=pw[0])
    regret = total - sum(pays[1:], start=pays[0])
    notes = []
    if chk.unconstrained_types:
        names = ", ".join(f"{p}:{t}" for p, t in chk.unconstrained_types)
        notes.append(f"types of probability zero ({names}) carry no weight in any of these")
    return ProfileAnalysis(
        game, sigma, pays, pw, total, regret, chk.is_bne, chk.max_regret,
        constant_sum_value(game), notes,
    )  # fmt: skip
