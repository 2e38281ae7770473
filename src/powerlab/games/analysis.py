"""One-call analysis of a Bayesian game: equilibria, POWER, best-case POWER, conservation.

This is what ``powerlab game FILE`` prints. For each verified equilibrium ``σ`` (from
Gambit, :func:`powerlab.games.solve`) it reports ex-ante payoffs ``U_i(σ)``,
``POWER(i, σ)`` and their sum (Stavrianos & Turner 2021, §POWER in a Bayesian game), and for
constant-sum games the conservation slack ``Σ_i POWER(i, σ) - c`` (their Theorem). It also
reports each player's best-case POWER ``max_{σ_{-i}} POWER(i, σ)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from powerlab.errors import ResourceError
from powerlab.games.conservation import constant_sum_value
from powerlab.games.model import BayesianGame
from powerlab.games.power import best_case_power
from powerlab.games.solve import Equilibrium, default_solver, solve
from powerlab.games.strategy import profile_to_names

__all__ = ["GameAnalysis", "analyze_game"]


@dataclass(frozen=True)
class GameAnalysis:
    """Everything ``powerlab game`` reports.

    Attributes:
        game: the game.
        solver: the Gambit solver used.
        constant: ``c`` if the game is constant-sum, else None.
        equilibria: verified equilibria.
        best_case_power: per player, or None where enumeration was too large.
        notes: remarks (zero-probability types, skipped computations).
    """

    game: BayesianGame
    solver: str
    constant: Any
    equilibria: list[Equilibrium]
    best_case_power: list[Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``powerlab game --json`` (Fractions stay Fractions here)."""
        g = self.game
        eqs = []
        for e in self.equilibria:
            eqs.append(
                {
                    "strategies": profile_to_names(g, e.strategies),
                    "payoffs": list(e.payoffs),
                    "power": list(e.power),
                    "power_sum": e.power_sum,
                    "is_bne": e.is_bne,
                    "slack": None if self.constant is None else e.power_sum - self.constant,
                }
            )
        return {
            "name": g.name,
            "players": list(g.players),
            "solver": self.solver,
            "constant_sum": self.constant is not None,
            "constant": self.constant,
            "equilibria": eqs,
            "best_case_power": list(self.best_case_power),
            "zero_probability_types": [list(x) for x in g.zero_probability_types()],
            "notes": list(self.notes),
        }


def analyze_game(
    game: BayesianGame,
    solver: str | None = None,
    all_equilibria: bool = False,
    timeout: float = 60.0,
) -> GameAnalysis:
    """Solve ``game`` with Gambit and evaluate POWER, best-case POWER and conservation."""
    name = solver or default_solver(game, all_equilibria)
    eqs = solve(game, name, all_equilibria, timeout)
    notes = []
    best: list[Any] = []
    for i in range(game.n):
        try:
            best.append(best_case_power(game, i).value)
        except ResourceError as exc:
            best.append(None)
            notes.append(str(exc))
    zero = game.zero_probability_types()
    if zero:
        names = ", ".join(f"{p}:{t}" for p, t in zero)
        notes.append(
            f"types of probability zero ({names}) are unconstrained by the BNE check and the "
            "conservation theorem; their strategies are reported as uniform"
        )
    return GameAnalysis(game, name, constant_sum_value(game), eqs, best, notes)
