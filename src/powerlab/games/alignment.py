r"""Open question (a): the common-payoff conjecture (Stavrianos & Turner 2021, closing remarks).

The paper suspects that "if all players have identical rewards, then the sum of POWER is
equal to the sum of best-case POWER for each player". We compare, for a game,

* ``Σ_i POWER(i, σ)`` at every equilibrium ``σ`` Gambit returns,
* ``Σ_i B_i`` with ``B_i = max_{σ_{-i}} POWER(i, σ)`` (best case, :func:`best_case_power`),
* both at the *team optimum* ``σ^* ∈ argmax_σ U(σ)`` when payoffs are common.

What holds (and is checked here): with a common payoff ``r_i = r`` and ``U(σ)`` its expected
value, ``B_i = max_σ U(σ) = V^*`` for every ``i`` (choosing ``σ_{-i}`` and then the best
``σ_i`` ranges over all profiles). For any ``σ``, ``POWER(i, σ) = max_{σ_i'} U(σ_i', σ_{-i})
≤ V^*``, and at a BNE every type already best-responds, so ``POWER(i, σ) = U(σ)``. Hence at a
BNE ``Σ_i POWER(i, σ) = n U(σ) ≤ n V^* = Σ_i B_i`` with equality **iff** the equilibrium is
team-optimal. The conjecture holds at the team optimum (itself a BNE) and fails at every
Pareto-dominated equilibrium of a coordination game.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from powerlab._random import Seed
from powerlab.games._deadline import Deadline, as_deadline
from powerlab.games.model import BayesianGame
from powerlab.games.power import best_case_power, power
from powerlab.games.solve import solve
from powerlab.games.strategy import Profile
from powerlab.games.utility import expected_payoffs

__all__ = ["AlignmentRow", "CommonPayoffComparison", "common_payoff_comparison", "is_common_payoff"]


def is_common_payoff(game: BayesianGame, tol: float = 1e-12) -> bool:
    """True when ``r_i(t, a) = r_1(t, a)`` for all players, type and action profiles."""
    if game.exact:
        return all((game.payoffs[i] == game.payoffs[0]).all() for i in range(1, game.n))
    return bool(abs(game.payoffs - game.payoffs[0:1]).max() <= tol)


@dataclass(frozen=True)
class AlignmentRow:
    """One profile in the comparison: its label, ``Σ POWER`` and whether it meets ``Σ B_i``."""

    label: str
    strategies: Profile
    payoffs: list[Any]
    power_sum: Any
    gap: Any
    holds: bool
    is_bne: bool


@dataclass(frozen=True)
class CommonPayoffComparison:
    """``Σ POWER`` against ``Σ`` best-case POWER at each equilibrium and at the team optimum.

    Attributes:
        common_payoff: whether all players share one reward function.
        best_case: ``B_i`` per player; ``best_case_sum`` their sum.
        rows: equilibria first, then (common payoff only) the team optimum.
    """

    common_payoff: bool
    best_case: list[Any]
    best_case_sum: Any
    rows: list[AlignmentRow]


def common_payoff_comparison(
    game: BayesianGame,
    solver: str | None = None,
    all_equilibria: bool = True,
    tol: float = 1e-9,
    timeout: float | Deadline = 60.0,
    seed: Seed = 0,
) -> CommonPayoffComparison:
    """Compare ``Σ POWER`` with ``Σ`` best-case POWER (module docstring); exact for exact games.

    ``timeout`` (seconds or a shared deadline) bounds the solver and the best-case search;
    ``seed`` draws the perturbation ray of ``gnm`` and ``ipa`` (:func:`solve`).

    ``holds`` is exact equality in exact games, ``|gap| <= tol`` otherwise.
    """
    deadline = as_deadline(timeout)
    cases = [best_case_power(game, i, deadline=deadline) for i in range(game.n)]
    best = [c.value for c in cases]
    bsum = sum(best[1:], start=best[0])

    def row(label: str, sigma: Profile, is_bne: bool) -> AlignmentRow:
        pw = power(game, sigma)
        s = sum(pw[1:], start=pw[0])
        gap = bsum - s
        holds = gap == 0 if game.exact and sigma[0].dtype == object else abs(float(gap)) <= tol
        return AlignmentRow(label, sigma, expected_payoffs(game, sigma), s, gap, holds, is_bne)

    rows = [
        row(f"equilibrium {k + 1}", e.strategies, e.is_bne)
        for k, e in enumerate(solve(game, solver, all_equilibria, deadline, seed))
    ]
    common = is_common_payoff(game)
    if common:
        # the maximizer of player 1's best case, completed by its best response, maximizes U
        rows.append(row("team optimum", cases[0].profile, True))
    return CommonPayoffComparison(common, best, bsum, rows)
