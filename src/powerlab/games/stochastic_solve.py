"""Equilibria of finite-horizon Bayesian stochastic games through Gambit's extensive form.

The tree (Harsanyi's construction, extended over stages): chance draws the type profile
``t``, chance draws ``s_0``; at each stage the players move in turn at information sets
``(t_i, p_h)`` (own type, public history; moves earlier in the same stage are not revealed),
and a chance move draws ``s_{h+1} ~ P(· | s_h, a^h)``. Leaves carry the total rewards.
Gambit (``lcp`` for two players, ``logit`` or ``enumpoly`` otherwise) solves it in a
subprocess with a timeout; each result is mapped back to ``σ_i(· | t_i, p_h)`` and verified
with :func:`powerlab.games.stochastic.sequential_power`: ``σ`` is a Nash equilibrium of the
tree iff ``POWER(i, σ) = U_i(σ)`` for every player (see docs/games-sequential.md).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError
from powerlab.games._gambit import solve_in_subprocess
from powerlab.games.efg import efg_number
from powerlab.games.solve import FLOAT_EPS, _rationalize_rows
from powerlab.games.stochastic import (
    BayesianStochasticGame,
    Behaviour,
    PublicHistory,
    expected_totals,
    sequential_power,
    uniform_behaviour,
)

__all__ = ["StochasticEquilibrium", "solve_stochastic", "to_stochastic_efg"]


def to_stochastic_efg(game: BayesianStochasticGame) -> str:
    """The ``.efg`` text of the tree described in the module docstring."""
    n = game.n
    lines = [
        'EFG 2 R "stochastic" { ' + " ".join(f'"{p}"' for p in game.players) + " }",
        '""',
        "",
    ]
    types = [
        t for t in itertools.product(*(range(k) for k in game.num_types)) if game.prior[t] != 0
    ]
    lines.append(
        'c "" 1 "" { '
        + " ".join(f'"t{k}" {efg_number(game.prior[t])}' for k, t in enumerate(types))
        + " } 0"
    )
    isets: list[dict[tuple[int, PublicHistory], int]] = [{} for _ in range(n)]
    counters = {"chance": 1, "outcome": 0}

    def chance_states(probs: list[tuple[int, Any]]) -> None:
        counters["chance"] += 1
        branches = " ".join(f'"s{s}" {efg_number(q)}' for s, q in probs)
        lines.append(f'c "" {counters["chance"]} "" {{ {branches} }} 0')

    def stage(
        t: tuple[int, ...], p: PublicHistory, h: int, i: int, a: tuple[int, ...], acc: list[Any]
    ) -> None:
        if i == n:
            s = p[-1]
            tot = [acc[j] + game.rewards[(j, *t, s, *a)] for j in range(n)]
            if h + 1 == game.horizon:
                counters["outcome"] += 1
                pay = ", ".join(efg_number(x) for x in tot)
                lines.append(f't "" {counters["outcome"]} "" {{ {pay} }}')
                return
            succ = [(s2, game.transition[(s, *a, s2)]) for s2 in range(game.transition.shape[-1])]
            succ = [(s2, q) for s2, q in succ if q != 0]
            chance_states(succ)
            for s2, _ in succ:
                stage(t, (*p, a, s2), h + 1, 0, (), tot)
            return
        key = (t[i], p)
        num = isets[i].setdefault(key, len(isets[i]) + 1)
        acts = " ".join(f'"a{k}"' for k in range(game.num_actions[i]))
        lines.append(f'p "" {i + 1} {num} "" {{ {acts} }} 0')
        for k in range(game.num_actions[i]):
            stage(t, p, h, i + 1, (*a, k), acc)

    for t in types:
        chance_states([(s, q) for s, q in enumerate(game.initial) if q != 0])
        for s0 in range(game.initial.shape[0]):
            if game.initial[s0] != 0:
                stage(t, (s0,), 0, 0, (), [0] * n)
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class StochasticEquilibrium:
    """An equilibrium of the tree with first-stage POWER, expected totals and the Nash check."""

    strategies: Behaviour
    totals: list[Any]
    power: list[Any]
    power_sum: Any
    is_nash: bool
    exact: bool


def _replay(
    game: BayesianStochasticGame, transitions: list[tuple[str, str]], types: list[tuple[int, ...]]
) -> tuple[tuple[int, ...], PublicHistory]:
    """The type profile and public history at the start of the stage a tree history is in."""
    t = types[int(transitions[0][1][1:])]
    p: PublicHistory = ()
    pending: list[int] = []
    for player, action in transitions[1:]:
        if player == "Chance":
            if pending:
                p = (*p, tuple(pending))
                pending = []
            p = (*p, int(action[1:]))
        else:
            pending.append(int(action[1:]))
    return t, p


def solve_stochastic(
    game: BayesianStochasticGame, solver: str | None = None, timeout: float = 60.0
) -> list[StochasticEquilibrium]:
    """Equilibria of the extensive form from Gambit (``lcp`` for 2 players, else ``logit``),
    mapped to behaviour ``σ_i(· | t_i, p_h)`` and verified: ``POWER(i, σ) - U_i(σ) <= ε``."""
    solver = solver or ("lcp" if game.n == 2 else "logit")
    if solver not in ("lcp", "logit", "enumpoly"):
        raise InputError(
            f"solver: {solver!r} is not available for stochastic games (lcp, logit, enumpoly)"
        )
    if solver == "lcp" and game.n != 2:
        raise InputError(f"solver lcp: needs exactly 2 players, the game has {game.n}")
    raws = solve_in_subprocess(to_stochastic_efg(game), solver, game.exact, timeout).equilibria
    types = [
        t for t in itertools.product(*(range(k) for k in game.num_types)) if game.prior[t] != 0
    ]
    base = uniform_behaviour(game)
    span = float(np.ptp(np.asarray(game.rewards, dtype=float))) * game.horizon
    out = []
    for raw in raws:
        sigma: Behaviour = [dict(d) for d in base]
        exact = all(isinstance(x, tuple) for pl in raw for _, probs in pl for x in probs)
        for i, rows in enumerate(raw):
            for hist, probs in rows:
                t, p = _replay(game, hist, types)
                sigma[i][(t[i], p)] = np.array(
                    [Fraction(*x) for x in probs] if exact else [float(x) for x in probs],
                    dtype=object if exact else float,
                )
        if not exact and game.exact:
            rounded = [{k: _rationalize_rows(v) for k, v in d.items()} for d in sigma]
            if all(v is not None for d in rounded for v in d.values()):
                cand = [{k: v for k, v in d.items() if v is not None} for d in rounded]
                pw = [sequential_power(game, cand, i) for i in range(game.n)]
                if pw == expected_totals(game, cand):
                    sigma, exact = cand, True
        pw = [sequential_power(game, sigma, i) for i in range(game.n)]
        tot = expected_totals(game, sigma)
        eps: Any = 0 if exact else FLOAT_EPS * max(1.0, span)
        is_nash = all(pw[i] - tot[i] <= eps for i in range(game.n))
        out.append(StochasticEquilibrium(sigma, tot, pw, sum(pw[1:], start=pw[0]), is_nash, exact))
    return out
