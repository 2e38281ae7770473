r"""Gambit's own file formats: read ``.efg`` and ``.nfg`` as Bayesian games, write ``.efg``.

``.nfg`` (a strategic game, either payoff or outcome version) becomes a game of complete
information: one type per player.

``.efg`` must describe a Bayesian game in Harsanyi's form: chance moves come first; then on
every play each player moves exactly once, at an information set that depends only on the
chance outcomes (so the set is the player's *type* and no player sees another's move).
This is what :func:`powerlab.games.efg.to_efg` writes, and also the usual hand-written form
(one chance move per player's type, as in Gambit's ``bayes`` examples with one stage). For a
chance history ``s`` of probability ``p_s`` inducing the type profile ``t(s)``,

.. math:: Ω(t) = \sum_{s: t(s) = t} p_s, \qquad
          r_i(t, a) = \frac{1}{Ω(t)} \sum_{s: t(s) = t} p_s\, u_i(s, a),

where ``u_i(s, a)`` adds the payoffs of the outcomes met along the play. Types are named by
their information-set labels (``t<number>`` when a label is empty or repeated), actions by
their labels, which must be the same at every information set of a player. Trees of any
other shape (signalling games, several stages) are refused with the reason. A type of
probability zero has no node in a tree, so it does not survive a write and read.

The grammar is the one Gambit writes and documents ("Game representation formats"):
whitespace and commas separate tokens, labels are double-quoted, numbers are integers,
decimals or ``p/q``.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from powerlab._io import atomic_write_text
from powerlab.errors import InputError, ResourceError
from powerlab.games._numbers import parse_number
from powerlab.games.efg import to_efg
from powerlab.games.io import MAX_CELLS, MAX_FILE_BYTES
from powerlab.games.model import BayesianGame, make_game

__all__ = ["MAX_PLAYS", "load_gambit", "parse_efg", "parse_nfg", "write_efg"]

MAX_PLAYS = 1_000_000
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{}])|([^\s,{}"]+)')


class _Tokens:
    """A stream of tokens: ``("s", text)`` for a quoted label, ``("{", "")``, ``("}", "")``,
    ``("w", word)`` otherwise."""

    def __init__(self, text: str, src: str) -> None:
        self.src = src
        self.items: list[tuple[str, str]] = []
        for m in _TOKEN.finditer(text):
            if m.group(1) is not None:
                self.items.append(("s", m.group(1).replace('\\"', '"')))
            elif m.group(2) is not None:
                self.items.append((m.group(2), ""))
            else:
                self.items.append(("w", m.group(3)))
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.items[self.pos] if self.pos < len(self.items) else ("eof", "")

    def take(self, kind: str | None = None) -> str:
        tok = self.peek()
        if tok[0] == "eof" or (kind is not None and tok[0] != kind):
            want = {"s": "a quoted label", "w": "a word or number", "{": "'{'", "}": "'}'"}
            raise InputError(
                f"{self.src}: token {self.pos + 1}: expected {want.get(kind or '', 'more')}, "
                f"got {tok[1] or tok[0]!r}"
            )
        self.pos += 1
        return tok[1]

    def integer(self, what: str) -> int:
        word = self.take("w")
        if not word.isdigit() or len(word) > 9:
            raise InputError(f"{self.src}: {what}: expected a small integer, got {word!r}")
        return int(word)

    def number(self, what: str) -> Fraction:
        return Fraction(parse_number(self.take("w"), f"{self.src}: {what}"))

    def braced(self) -> Iterator[tuple[str, str]]:
        self.take("{")
        while self.peek()[0] != "}":
            if self.peek()[0] == "eof":
                raise InputError(f"{self.src}: unbalanced '{{'")
            yield self.peek()
        self.take("}")


def _header(tok: _Tokens, magic: str) -> tuple[str, list[str]]:
    if tok.take("w") != magic:
        raise InputError(f"{tok.src}: not a Gambit {magic} file (it must start with {magic})")
    tok.take("w")  # format version
    if tok.take("w") != "R":
        raise InputError(f"{tok.src}: only the 'R' (rational) number field is supported")
    title = tok.take("s")
    players = [tok.take("s") for _ in tok.braced()]
    if not players:
        raise InputError(f"{tok.src}: no players")
    return title, players


def parse_nfg(text: str, src: str = "<nfg>") -> BayesianGame:
    """A strategic game (``.nfg``) as a complete-information Bayesian game."""
    tok = _Tokens(text, src)
    title, players = _header(tok, "NFG")
    n = len(players)
    strategies: list[list[str]] = []
    for kind, _ in tok.braced():
        if kind == "{":
            strategies.append([tok.take("s") for _ in tok.braced()])
        else:
            count = tok.integer("strategy count")
            strategies.append([str(k + 1) for k in range(count)])
    if len(strategies) != n or min(map(len, strategies), default=0) < 1:
        raise InputError(f"{src}: expected a non-empty strategy list for each of {n} players")
    shape = tuple(len(s) for s in strategies)
    cells = int(np.prod(shape, dtype=object))
    if n * cells > MAX_CELLS:
        raise ResourceError(f"{src}: {n * cells} payoff entries (limit {MAX_CELLS})")
    if tok.peek()[0] == "s":
        tok.take("s")  # comment
    pay = np.empty((n, *shape), dtype=object)
    order = [tuple(reversed(c)) for c in itertools.product(*(range(k) for k in reversed(shape)))]
    if tok.peek()[0] == "{":  # outcome version
        outcomes: list[list[Fraction]] = []
        for _ in tok.braced():
            tok.take("{")
            tok.take("s")
            vals = []
            while tok.peek()[0] != "}":
                vals.append(tok.number(f"outcome {len(outcomes) + 1}"))
            tok.take("}")
            if len(vals) != n:
                raise InputError(f"{src}: outcome {len(outcomes) + 1}: expected {n} payoffs")
            outcomes.append(vals)
        for a in order:
            k = tok.integer("outcome index")
            if k > len(outcomes):
                raise InputError(f"{src}: outcome {k} is not defined")
            for i in range(n):
                pay[(i, *a)] = outcomes[k - 1][i] if k else Fraction(0)
    else:
        for a in order:
            for i in range(n):
                pay[(i, *a)] = tok.number("payoff")
    if tok.peek()[0] != "eof":
        raise InputError(f"{src}: unexpected {tok.peek()[1]!r} after the payoffs")
    prior = np.full((1,) * n, Fraction(1), dtype=object)
    full = pay.reshape(n, *((1,) * n), *shape)
    try:
        return make_game(
            prior, full, players=players, types=[["-"]] * n, actions=strategies, name=title or src
        )
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None


class _Tree:
    """The parsed plays of an ``.efg``: per chance history, its probability, each player's
    information set, and the payoff of every action profile."""

    def __init__(self, tok: _Tokens, players: list[str]) -> None:
        self.tok, self.players, self.n, self.src = tok, players, len(players), tok.src
        self.infosets: dict[tuple[int, int], tuple[str, list[str]]] = {}
        self.chance: dict[int, list[tuple[str, Fraction]]] = {}
        self.outcomes: dict[int, list[Fraction]] = {}
        self.plays: dict[tuple[int, ...], Any] = {}  # chance history -> [prob, sets, payoffs]
        self.count = 0

    def _outcome(self) -> list[Fraction]:
        tok = self.tok
        k = tok.integer("outcome")
        if tok.peek()[0] == "s":
            tok.take("s")
            vals = [tok.number(f"outcome {k}") for _ in tok.braced()]
            if len(vals) != self.n:
                raise InputError(f"{self.src}: outcome {k}: expected {self.n} payoffs")
            self.outcomes.setdefault(k, vals)
        if k == 0:
            return [Fraction(0)] * self.n
        if k not in self.outcomes:
            raise InputError(f"{self.src}: outcome {k} is used before its payoffs are given")
        return self.outcomes[k]

    def node(self, hist: tuple[int, ...], prob: Fraction, acts: dict[int, int],
             sets: dict[int, int], paid: list[Fraction]) -> None:  # fmt: skip
        tok = self.tok
        kind = tok.take("w")
        tok.take("s")  # node label
        if kind == "t":
            self.count += 1
            if self.count > MAX_PLAYS:
                raise ResourceError(f"{self.src}: more than {MAX_PLAYS} terminal nodes")
            total = [x + y for x, y in zip(paid, self._outcome(), strict=True)]
            if len(acts) != self.n:
                raise InputError(f"{self.src}: a play ends before every player has moved")
            entry = self.plays.setdefault(hist, [prob, dict(sets), {}])
            if entry[1] != sets:
                raise InputError(f"{self.src}: an information set depends on earlier moves; "
                                 "not a simultaneous-move Bayesian game")  # fmt: skip
            entry[2][tuple(acts[i] for i in range(self.n))] = total
            return
        if kind not in ("c", "p"):
            raise InputError(f"{self.src}: unknown node type {kind!r}")
        player = 0 if kind == "c" else tok.integer("player")
        number = tok.integer("information set")
        name = tok.take("s") if tok.peek()[0] == "s" else None
        key = (player, number)
        if tok.peek()[0] == "{":
            if kind == "c":
                items = []
                for _ in tok.braced():
                    label = tok.take("s")
                    items.append((label, tok.number(f"chance probability of {label!r}")))
                if sum(p for _, p in items) != 1 or any(p < 0 for _, p in items):
                    raise InputError(f"{self.src}: chance move {number}: probabilities must "
                                     "be non-negative and sum to 1")  # fmt: skip
                self.chance.setdefault(number, items)
                labels = [lab for lab, _ in items]
            else:
                labels = [tok.take("s") for _ in tok.braced()]
            self.infosets.setdefault(key, (name or "", labels))
        if key not in self.infosets:
            raise InputError(f"{self.src}: information set {number} has no actions")
        labels = self.infosets[key][1]
        paid = [x + y for x, y in zip(paid, self._outcome(), strict=True)]
        if kind == "c":
            if acts:
                raise InputError(f"{self.src}: a chance move after a player's move is not "
                                 "a Bayesian game in Harsanyi form")  # fmt: skip
            for k, (_, p) in enumerate(self.chance[number]):
                self.node((*hist, k), prob * p, acts, sets, paid)
            return
        i = player - 1
        if not 0 <= i < self.n:
            raise InputError(f"{self.src}: player {player} does not exist")
        if i in acts:
            raise InputError(f"{self.src}: {self.players[i]} moves twice on one play")
        for k in range(len(labels)):
            self.node(hist, prob, {**acts, i: k}, {**sets, i: number}, paid)


def parse_efg(text: str, src: str = "<efg>") -> BayesianGame:
    """A Bayesian game from ``.efg`` text in Harsanyi form (module docstring)."""
    tok = _Tokens(text, src)
    title, players = _header(tok, "EFG")
    n = len(players)
    if tok.peek()[0] == "s":
        tok.take("s")  # comment
    tree = _Tree(tok, players)
    tree.node((), Fraction(1), {}, {}, [Fraction(0)] * n)
    if tok.peek()[0] != "eof":
        raise InputError(f"{src}: unexpected {tok.peek()[1]!r} after the tree")
    sets_of: list[list[int]] = [sorted({p[1][i] for p in tree.plays.values()}) for i in range(n)]
    actions: list[list[str]] = []
    for i in range(n):
        labels = {tuple(tree.infosets[(i + 1, s)][1]) for s in sets_of[i]}
        if len(labels) != 1:
            raise InputError(f"{src}: {players[i]} has different actions at different "
                             "information sets")  # fmt: skip
        actions.append(list(labels.pop()))
    types = []
    for i in range(n):
        names = [tree.infosets[(i + 1, s)][0] for s in sets_of[i]]
        ok = all(names) and len(set(names)) == len(names) and not any("," in x for x in names)
        types.append(names if ok else [f"t{s}" for s in sets_of[i]])
    tshape = tuple(len(t) for t in types)
    ashape = tuple(len(a) for a in actions)
    if n * int(np.prod(tshape, dtype=object)) * int(np.prod(ashape, dtype=object)) > MAX_CELLS:
        raise ResourceError(f"{src}: the game has more than {MAX_CELLS} payoff entries")
    prior = np.full(tshape, Fraction(0), dtype=object)
    weighted = np.full((n, *tshape, *ashape), Fraction(0), dtype=object)
    for _hist, (prob, sets, table) in tree.plays.items():
        if len(table) != int(np.prod(ashape, dtype=object)):
            raise InputError(f"{src}: a play lacks some action profile")
        t = tuple(sets_of[i].index(sets[i]) for i in range(n))
        prior[t] += prob
        for a, vals in table.items():
            for i in range(n):
                weighted[(i, *t, *a)] += prob * vals[i]
    payoffs = np.full(weighted.shape, Fraction(0), dtype=object)
    for t in itertools.product(*(range(k) for k in tshape)):
        if prior[t] != 0:
            index: tuple[Any, ...] = (slice(None), *t)
            payoffs[index] = weighted[index] / prior[t]
    try:
        return make_game(prior, payoffs, players=players, types=types, actions=actions,
                         name=title or Path(src).stem)  # fmt: skip
    except InputError as exc:
        raise InputError(f"{src}: {exc}") from None


def load_gambit(path: str | os.PathLike[str]) -> BayesianGame:
    """Read a ``.efg`` or ``.nfg`` file (by suffix) as a Bayesian game.

    Raises:
        InputError: a malformed file, or a tree not in Harsanyi form (naming the file).
        ResourceError: a file or game over the size limits.
    """
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ResourceError(f"{p}: {size} bytes exceed the limit of {MAX_FILE_BYTES}")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    parse = parse_efg if p.suffix.lower() == ".efg" else parse_nfg
    try:
        return parse(text, str(p))
    except RecursionError:
        raise InputError(f"{p}: the tree is nested too deeply") from None


def write_efg(game: BayesianGame, path: str | os.PathLike[str]) -> Path:
    """Write ``game`` as an ``.efg`` file with its names (atomically); return the path."""
    return atomic_write_text(path, to_efg(game, names=True).text)
