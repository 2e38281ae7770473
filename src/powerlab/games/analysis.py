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

from powerlab._random import Seed
from powerlab._types import JSON
from powerlab.errors import ResourceError
from powerlab.games._deadline import Deadline, DeadlineExceeded, as_deadline
from powerlab.games.bounds import informed_best_case, worst_case_power
from powerlab.games.components import Component
from powerlab.games.conservation import constant_sum_value
from powerlab.games.model import BayesianGame
from powerlab.games.power import best_case_power
from powerlab.games.refine import Refinement, refine
from powerlab.games.solve import Equilibrium, solve_set
from powerlab.games.strategy import profile_to_names

__all__ = ["BOUND_DEFINITIONS", "GameAnalysis", "PowerBounds", "analyze_game", "power_bounds"]

BOUND_DEFINITIONS = {
    "worst_case_power": "min over the others' strategies of POWER(i): the others minimise "
    "(with 3+ players they act as one team that pools its types, a lower bound)",
    "best_case_power": "max over the others' strategies of POWER(i): the others maximise, "
    "each knowing only its own type",
    "informed_best_case_power": "sum over t_i of max over a_i of the expectation over t_-i "
    "of max over a_-i of r_i: the others maximise knowing every type, acting together",
}


@dataclass(frozen=True)
class PowerBounds:
    """Per player: worst case, best case and informed best case (None where too large)."""

    worst: list[Any]
    best: list[Any]
    informed: list[Any]

    def to_dict(self) -> JSON:
        """The three lists under the keys of :data:`BOUND_DEFINITIONS`, plus the definitions."""
        return {
            "worst_case_power": list(self.worst),
            "best_case_power": list(self.best),
            "informed_best_case_power": list(self.informed),
            "definitions": dict(BOUND_DEFINITIONS),
        }


def power_bounds(game: BayesianGame, deadline: Deadline, notes: list[str]) -> PowerBounds:
    """Worst, best and informed best case of every player; a bound too large to compute is
    None with a note appended to ``notes``; the deadline passing raises."""
    out: dict[str, list[Any]] = {"worst": [], "best": [], "informed": []}
    for i in range(game.n):
        for key, fn in (
            ("worst", lambda j: worst_case_power(game, j, deadline).value),
            ("best", lambda j: best_case_power(game, j, deadline=deadline).value),
            ("informed", lambda j: informed_best_case(game, j)),
        ):
            deadline.check("POWER bounds")
            try:
                out[key].append(fn(i))
            except DeadlineExceeded:
                raise
            except ResourceError as exc:
                out[key].append(None)
                notes.append(str(exc))
    return PowerBounds(out["worst"], out["best"], out["informed"])


@dataclass(frozen=True)
class GameAnalysis:
    """Everything ``powerlab game`` reports.

    Attributes:
        game: the game.
        solver: the Gambit solver used.
        constant: ``c`` if the game is constant-sum, else None.
        equilibria: verified equilibria.
        bounds: worst, best and informed best-case POWER per player.
        complete: whether ``equilibria`` is guaranteed to be every equilibrium.
        reason: why not, when ``complete`` is False.
        components: connected components (complete 2-player enumeration), else None.
        refinements: per equilibrium, weak dominance and (2 players) perfection, or None
            where the strategic form is too large (:mod:`powerlab.games.refine`).
        notes: remarks (zero-probability types, skipped computations).
    """

    game: BayesianGame
    solver: str
    constant: Any
    equilibria: list[Equilibrium]
    bounds: PowerBounds
    complete: bool = False
    reason: str = ""
    components: list[Component] | None = None
    refinements: list[Refinement | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> JSON:
        """The JSON document of ``powerlab game --json`` (Fractions stay Fractions here)."""
        g = self.game
        eqs = []
        refs = self.refinements or [None] * len(self.equilibria)
        for e, ref in zip(self.equilibria, refs, strict=True):
            eqs.append(
                {
                    "strategies": profile_to_names(g, e.strategies),
                    "payoffs": list(e.payoffs),
                    "power": list(e.power),
                    "power_sum": e.power_sum,
                    "is_bne": e.is_bne,
                    "slack": None if self.constant is None else e.power_sum - self.constant,
                    "component": None if e.component is None else e.component + 1,
                    "weakly_dominated": None if ref is None else ref.dominated,
                    "perfect": None if ref is None else ref.perfect,
                }
            )
        comps = None
        if self.components is not None:
            comps = [
                {
                    "component": c.index + 1,
                    "extreme_equilibria": [m + 1 for m in c.members],
                    "cliques": [[m + 1 for m in q] for q in c.cliques],
                    "power_sum_min": c.power_sum_min,
                    "power_sum_max": c.power_sum_max,
                }
                for c in self.components
            ]
        return {
            "name": g.name,
            "players": list(g.players),
            "solver": self.solver,
            "complete": self.complete,
            "incomplete_reason": None if self.complete else self.reason,
            "components": comps,
            "constant_sum": self.constant is not None,
            "constant": self.constant,
            "equilibria": eqs,
            **self.bounds.to_dict(),
            "zero_probability_types": [list(x) for x in g.zero_probability_types()],
            "notes": list(self.notes),
        }


def analyze_game(
    game: BayesianGame,
    solver: str | None = None,
    all_equilibria: bool = False,
    timeout: float | Deadline = 60.0,
    seed: Seed = 0,
) -> GameAnalysis:
    """Solve ``game`` with Gambit and evaluate POWER, best-case POWER and conservation.

    ``timeout`` (seconds, or a shared deadline) bounds the whole analysis: the solver and
    the best-case enumeration. A best case that is too large is reported as None with a note;
    running out of time raises :class:`~powerlab.errors.ResourceError`. ``seed`` draws the
    perturbation ray of the ``gnm`` and ``ipa`` solvers (:func:`~powerlab.games.solve.solve_set`).
    """
    deadline = as_deadline(timeout)
    found = solve_set(game, solver, all_equilibria, deadline, seed)
    notes = []
    if found.dropped_players:
        notes.append(
            "players with one action ("
            + ", ".join(found.dropped_players)
            + ") were removed before solving; they always best-respond"
        )
    if not found.equilibria:
        notes.append(f"{found.solver} returned no equilibrium; it is not an enumeration, so "
                     "another solver may find one")  # fmt: skip
    bounds = power_bounds(game, deadline, notes)
    refinements: list[Refinement | None] = []
    for e in found.equilibria:
        deadline.check("refinements")
        try:
            refinements.append(refine(game, e.strategies))
        except ResourceError as exc:
            refinements.append(None)
            if str(exc) not in notes:
                notes.append(str(exc))
    zero = game.zero_probability_types()
    if zero:
        names = ", ".join(f"{p}:{t}" for p, t in zero)
        notes.append(
            f"types of probability zero ({names}) are unconstrained by the BNE check and the "
            "conservation theorem; their strategies are reported as uniform"
        )
    return GameAnalysis(
        game,
        found.solver,
        constant_sum_value(game),
        found.equilibria,
        bounds,
        found.complete,
        found.reason,
        found.components,
        refinements,
        notes,
    )
