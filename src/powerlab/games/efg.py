"""A Bayesian game as a Gambit extensive-form tree (``.efg`` text, format version 2).

Harsanyi's construction: a chance move draws the type profile ``t`` with probability
``Ω(t)`` (only profiles with ``Ω(t) > 0`` appear); then players ``1, ..., n`` move in turn,
player ``i`` at the information set labelled by its own type ``t_i``, which contains every
node with that type whatever the other types and earlier moves are. So each player knows
only its own type and moves are effectively simultaneous; behaviour strategies of the tree
are exactly the strategies ``σ_i: T_i → Δ(A_i)`` of the Bayesian game.

For solving, labels written into the tree are indices (chance actions ``t<k>`` for the k-th
listed type profile, actions ``a<k>``), so that names with odd characters cannot break the
format; :class:`EfgTree` keeps the mapping back. With ``names=True`` (for export) the
chance actions are the type profiles' names and the actions their names (double quotes
in names become single quotes). In float games the chance probabilities are
written as rationals (denominators <= 1e12, the last one completing the sum to exactly 1),
because Gambit insists that they sum to one exactly; our own checks use the true prior.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from powerlab.games.model import BayesianGame

__all__ = ["EfgTree", "efg_number", "to_efg"]


def efg_number(x: Any) -> str:
    """A number as Gambit reads it: ``p/q`` for rationals, a decimal for floats."""
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    return repr(float(x))


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "/").replace('"', "'") + '"'


@dataclass(frozen=True)
class EfgTree:
    """The ``.efg`` text of a game and the map from tree labels back to the game.

    Attributes:
        text: the ``.efg`` file content.
        profiles: ``profiles[k]`` is the type profile (index tuple) of chance action ``t<k>``.
        infoset_type: ``infoset_type[i][m]`` is the type index of player ``i``'s ``m``-th
            information set (numbered in order of first appearance, as Gambit lists them).
        num_terminals: number of leaves.
    """

    text: str
    profiles: list[tuple[int, ...]]
    infoset_type: list[list[int]]
    num_terminals: int


def to_efg(game: BayesianGame, names: bool = False) -> EfgTree:
    """Write ``game`` as an extensive-form tree (see the module docstring)."""
    n = game.n
    profiles = [t for t in game.type_profiles() if game.prior[t] != 0]
    infoset_of: list[dict[int, int]] = [{} for _ in range(n)]
    lines = [
        f"EFG 2 R {_quote(game.name)} {{ " + " ".join(_quote(p) for p in game.players) + " }",
        '""',
        "",
    ]
    probs = [game.prior[t] for t in profiles]
    if not game.exact:  # Gambit wants chance probabilities summing to exactly one
        probs = [Fraction(float(p)).limit_denominator(10**12) for p in probs]
        probs[-1] = 1 - sum(probs[:-1], start=Fraction(0))
    labels = [
        _quote(",".join(game.types[i][t[i]] for i in range(n))) if names else f'"t{k}"'
        for k, t in enumerate(profiles)
    ]
    branches = " ".join(f"{lab} {efg_number(p)}" for lab, p in zip(labels, probs, strict=True))
    lines.append(f'c "" 1 "" {{ {branches} }} 0')
    outcome = 0

    def moves(t: tuple[int, ...], i: int, a: tuple[int, ...]) -> None:
        nonlocal outcome
        if i == n:
            outcome += 1
            pay = ", ".join(efg_number(game.payoffs[(j, *t, *a)]) for j in range(n))
            lines.append(f't "" {outcome} "" {{ {pay} }}')
            return
        iset = infoset_of[i].setdefault(t[i], len(infoset_of[i]) + 1)
        acts = " ".join(
            _quote(game.actions[i][k]) if names else f'"a{k}"' for k in range(game.num_actions[i])
        )
        lines.append(f'p "" {i + 1} {iset} {_quote(game.types[i][t[i]])} {{ {acts} }} 0')
        for k in range(game.num_actions[i]):
            moves(t, i + 1, (*a, k))

    for t in profiles:
        moves(t, 0, ())
    infoset_type = [sorted(d, key=d.__getitem__) for d in infoset_of]
    return EfgTree("\n".join(lines) + "\n", profiles, infoset_type, outcome)
