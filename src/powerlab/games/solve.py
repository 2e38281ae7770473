"""Bayesian Nash equilibria through Gambit (pygambit 17), run in a subprocess under a deadline.

We do not solve for equilibria ourselves. The game is written as an extensive-form tree
(:mod:`powerlab.games.efg`), read by Gambit from memory (no file is written) and handed to
one of Gambit's solvers:

* ``enummixed`` -- all extreme equilibria of the strategic form and the *cliques* (maximal
  sets of extreme equilibria whose convex hull consists of equilibria; Avis, Rosenberg,
  Savani & von Stengel 2010). Two players, small strategic forms (at most
  ``MAX_ENUMMIXED_CELLS``; exact arithmetic up to ``MAX_EXACT_ENUMMIXED_CELLS``, where
  Gambit's rational vertex enumeration takes seconds). In exact arithmetic this is the only
  solver whose answer is complete: every equilibrium lies in the convex hull of a clique,
  and cliques sharing an extreme point form one connected *component*.
* ``enumpoly`` -- isolated equilibria by support enumeration and polynomial systems (any
  number of players, floats). A support whose solution set is not isolated is skipped, so
  a continuum of equilibria can be missed entirely; we count such supports.
* ``lcp`` (Lemke on the sequence form; Koller, Megiddo & von Stengel 1996) and ``lp``
  (linear programming, constant-sum only): 2 players, one equilibrium, exact.
* ``enumpure``: the pure equilibria only.
* ``gnm`` (global Newton), ``ipa`` (iterated polymatrix approximation), ``simpdiv``
  (simplicial subdivision), ``liap`` (Lyapunov minimisation), ``logit`` (the principal
  branch of the logit QRE correspondence): n players, one or a few equilibria. ``gnm`` and
  ``ipa`` start from a random perturbation ray drawn from the caller's ``seed`` (default 0;
  Gambit's default ray stalls on degenerate games); ``logit`` relaxes its regret target
  1e-8 -> 1e-6 -> 1e-4 if needed, and our own check decides.

Players with a single action are removed first (:mod:`powerlab.games.reduce`), so a game
with two players who choose and any number of bystanders gets the complete 2-player
enumeration. Gambit's C++ code ignores signals, so each call runs in a forked child that
is killed when the deadline passes. Results are mapped back to per-type behaviour
strategies, floats are rounded to small-denominator rationals when the rounded profile is
an exact BNE, duplicates are removed, and each profile is verified with our own ε-BNE check
(:func:`powerlab.games.bne.check_bne`) before it is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab._random import Seed
from powerlab.errors import InputError, ResourceError
from powerlab.games._deadline import Deadline, as_deadline
from powerlab.games._gambit import solve_in_subprocess
from powerlab.games.bne import check_bne
from powerlab.games.components import Component, components_from_cliques
from powerlab.games.conservation import constant_sum_value
from powerlab.games.efg import EfgTree, to_efg
from powerlab.games.model import BayesianGame
from powerlab.games.power import power
from powerlab.games.reduce import drop_choiceless_players, lift_profile
from powerlab.games.strategy import Profile, check_profile
from powerlab.games.utility import expected_payoffs

__all__ = [
    "SOLVERS",
    "Equilibrium",
    "EquilibriumSet",
    "default_solver",
    "solve",
    "solve_set",
]

SOLVERS = (
    "lcp",
    "lp",
    "enummixed",
    "enumpoly",
    "enumpure",
    "simpdiv",
    "liap",
    "gnm",
    "ipa",
    "logit",
)
APPROXIMATE = {"simpdiv"}
TWO_PLAYER_ONLY = {"lcp", "lp", "enummixed"}
STRATEGIC = {"enummixed", "enumpure", "simpdiv", "liap", "gnm", "ipa"}
MAX_STRATEGIC_CELLS = 200_000
MAX_ENUMMIXED_CELLS = 100
MAX_EXACT_ENUMMIXED_CELLS = 64
MAX_ENUMPOLY_SUPPORTS = 100_000
MAX_TREE_LEAVES = 2_000_000
FLOAT_EPS = 1e-6
DENOMINATOR_LIMIT = 1000

_NOT_ENUMERATION = "it computes one or a few equilibria, it does not enumerate them"
INCOMPLETE = {
    "lcp": _NOT_ENUMERATION,
    "lp": _NOT_ENUMERATION,
    "enumpure": "it finds the pure equilibria only",
    "simpdiv": _NOT_ENUMERATION,
    "liap": _NOT_ENUMERATION,
    "gnm": _NOT_ENUMERATION,
    "ipa": _NOT_ENUMERATION,
    "logit": _NOT_ENUMERATION,
}


@dataclass(frozen=True)
class Equilibrium:
    """One verified equilibrium.

    Attributes:
        strategies: the profile, ``strategies[i]: [T_i, A_i]`` (exact or float).
        payoffs: ex-ante expected payoff ``U_i(σ)`` per player.
        power: ``POWER(i, σ)`` per player.
        power_sum: ``Σ_i POWER(i, σ)``.
        is_bne: passed our ε-BNE check (ε = 0 exact, ``FLOAT_EPS`` x payoff range in float).
        max_regret: largest interim regret found.
        exact: whether the numbers are exact rationals.
        solver: the Gambit solver that produced it.
        component: index of its component (``enummixed`` only), else None.
    """

    strategies: Profile
    payoffs: list[Any]
    power: list[Any]
    power_sum: Any
    is_bne: bool
    max_regret: Any
    exact: bool
    solver: str
    component: int | None = None


@dataclass(frozen=True)
class EquilibriumSet:
    """What a solver found, and whether it is every equilibrium.

    Attributes:
        equilibria: verified (or failed, ``is_bne=False``) equilibria.
        solver: the Gambit solver used.
        complete: True only when the method is guaranteed to find every equilibrium
            (``enummixed`` in exact arithmetic, as extreme points and components).
        reason: why ``complete`` is False (empty when it is True).
        components: the components (``enummixed``), else None.
        dropped_players: players with one action removed before solving.
    """

    equilibria: list[Equilibrium]
    solver: str
    complete: bool
    reason: str
    components: list[Component] | None = None
    dropped_players: list[str] = field(default_factory=list)


def default_solver(game: BayesianGame, all_equilibria: bool = False) -> str:
    """``lcp`` (2 players) or ``logit`` (n players); with ``all_equilibria``: ``enummixed`` when
    2 players choose and the strategic form is small, else ``enumpoly``. One-action players
    are not counted (they are removed before solving)."""
    reduced, _ = drop_choiceless_players(game)
    if all_equilibria:
        if reduced.n == 2 and _strategic_cells(reduced) <= MAX_ENUMMIXED_CELLS:
            return "enummixed"
        return "enumpoly"
    return "lcp" if reduced.n == 2 else "logit"


def _strategic_cells(game: BayesianGame) -> int:
    cells = 1
    for t, a in zip(game.num_types, game.num_actions, strict=True):
        cells *= a**t
    return cells


def _enumpoly_supports(game: BayesianGame) -> int:
    """Behaviour supports enumpoly may examine: ``Π_i Π_{t_i: Ω_i(t_i) > 0} (2^{A_i} - 1)``."""
    count = 1
    for i in range(game.n):
        reachable = sum(1 for x in game.type_marginal(i) if x != 0)
        count *= (2 ** game.num_actions[i] - 1) ** reachable
    return count


def _to_profile(
    game: BayesianGame, tree: EfgTree, raw: Any, scaled: bool = False
) -> tuple[Profile, bool]:
    """Per-type behaviour from Gambit's infoset rows; unreachable (zero-probability) types are
    set to uniform. With ``scaled`` (``lp``'s output), a row summing to less than 1 is divided
    by its sum (:func:`_lp_row`). Returns the profile and whether it is exact."""
    exact = all(isinstance(p, tuple) for pl in raw for _, probs in pl for p in probs)
    sigma: Profile = []
    for i, rows in enumerate(raw):
        s = np.empty((game.num_types[i], game.num_actions[i]), dtype=object if exact else float)
        s[:] = Fraction(1, game.num_actions[i]) if exact else 1.0 / game.num_actions[i]
        for hist, probs in rows:
            k = int(hist[0][1][1:])
            ti = tree.profiles[k][i]
            row = [Fraction(*p) if exact else float(p) for p in probs]
            if sum(row) > 0:  # Gambit leaves an infoset it never reaches at all-zero
                s[ti] = _lp_row(row) if scaled else row
        sigma.append(s)
    return sigma, exact


def _lp_row(row: list[Any]) -> list[Any]:
    r"""One infoset row of Gambit's ``lp`` output, rescaled to sum to 1 when it sums to less.

    Gambit's sequence-form LP (Koller, Megiddo & von Stengel 1996, §4) subtracts the least
    payoff ``m`` from every payoff so that the value variables of player 1's information sets
    can be taken ``>= 0``; player 1's realization plan ``x`` is read from the LP's dual, where
    the constraint ``Σ_{a} x(σ_h a) = x(σ_h)`` of an information set ``h`` then becomes the
    inequality ``<=``. By complementary slackness it is strict only where ``h``'s value
    variable is 0, i.e. where every action at ``h`` yields ``m`` against the opponent's
    strategy, and the row ``x(σ_h a) / x(σ_h)`` reported there sums to less than 1 (a
    degenerate game). Dividing such rows by their sums gives a realization plan ``x' >= x``
    componentwise; as the shifted payoffs are ``>= 0``, ``x'`` guarantees player 1 at least
    what ``x`` does against every strategy of the opponent, so ``x'`` is a maximin strategy
    and, with the opponent's (primal, always normalised) minimax strategy, an equilibrium.
    Rows summing to 1 or more are returned unchanged (our profile check rejects the latter).
    """
    tot = sum(row)
    return [p / tot for p in row] if 0 < tot < 1 else row


def _round_row(row: Any, limit: int) -> np.ndarray | None:
    """A probability row rounded to denominators <= ``limit`` and renormalized (exact)."""
    vals = [Fraction(float(max(float(x), 0.0))).limit_denominator(limit) for x in row]
    tot = sum(vals, start=Fraction(0))
    if tot == 0:
        return None
    return np.array([x / tot for x in vals], dtype=object)


def _rationalize_rows(row: Any) -> np.ndarray | None:
    """``row`` rounded to denominators <= 1000 (see :func:`_round_row`)."""
    return _round_row(row, DENOMINATOR_LIMIT)


def _rationalize(game: BayesianGame, sigma: Profile) -> Profile | None:
    """Round a float profile to denominators <= 10, 100, 1000 in turn; return the first rounding
    that is an exact BNE (None if none is, or if the game is not exact)."""
    if not game.exact:
        return None
    for limit in (10, 100, DENOMINATOR_LIMIT):
        out: Profile = []
        for s in sigma:
            rows = [_round_row(s[k], limit) for k in range(s.shape[0])]
            if any(r is None for r in rows):
                return None
            out.append(np.array(rows, dtype=object).reshape(s.shape))
        if check_bne(game, out).is_bne:
            return out
    return None


def _key(sigma: Profile) -> tuple[Any, ...]:
    return tuple(
        x if isinstance(x, Fraction) else round(float(x), 6) for s in sigma for x in s.flat
    )


def _check_request(game: BayesianGame, solver: str) -> None:
    """Refuse an unknown or inapplicable solver, or a game too large for it, before any work."""
    if solver not in SOLVERS:
        raise InputError(f"solver: unknown {solver!r}; choose from {', '.join(SOLVERS)}")
    if solver in TWO_PLAYER_ONLY and game.n != 2:
        raise InputError(
            f"solver {solver}: needs exactly 2 players with a choice, the game has {game.n}"
        )
    if solver == "lp" and constant_sum_value(game) is None:
        raise InputError("solver lp: needs a constant-sum game")
    leaves = sum(1 for t in game.type_profiles() if game.prior[t] != 0) * int(
        np.prod(game.num_actions, dtype=object)
    )
    if leaves > MAX_TREE_LEAVES:
        raise ResourceError(
            f"solver {solver}: the game tree has {leaves} leaves (limit {MAX_TREE_LEAVES})"
        )
    if solver in STRATEGIC and _strategic_cells(game) > MAX_STRATEGIC_CELLS:
        raise ResourceError(
            f"solver {solver}: strategic form has {_strategic_cells(game)} cells "
            f"(limit {MAX_STRATEGIC_CELLS}); use lcp, logit or enumpoly"
        )
    if solver == "enummixed" and _strategic_cells(game) > MAX_ENUMMIXED_CELLS:
        raise ResourceError(
            f"solver enummixed: strategic form has {_strategic_cells(game)} cells (limit "
            f"{MAX_ENUMMIXED_CELLS}; vertex enumeration grows exponentially with its size)"
        )
    if solver == "enumpoly" and _enumpoly_supports(game) > MAX_ENUMPOLY_SUPPORTS:
        raise ResourceError(
            f"solver enumpoly: up to {_enumpoly_supports(game)} supports to examine "
            f"(limit {MAX_ENUMPOLY_SUPPORTS}); use lcp, logit or gnm for one equilibrium"
        )


def _rational(game: BayesianGame, solver: str) -> bool:
    """Exact arithmetic in Gambit: for exact games, except ``enummixed`` on larger forms."""
    if solver == "enummixed":
        return game.exact and _strategic_cells(game) <= MAX_EXACT_ENUMMIXED_CELLS
    return game.exact


def _completeness(solver: str, rational: bool, events: dict[str, int]) -> tuple[bool, str]:
    if solver == "enummixed":
        if rational:
            return True, ""
        return False, (
            "enummixed ran in floating point (a float game, or a strategic form over "
            f"{MAX_EXACT_ENUMMIXED_CELLS} cells), which can miss or merge degenerate equilibria"
        )
    if solver != "enumpoly":
        return False, f"{solver}: {INCOMPLETE[solver]}"
    singular = events.get("EnumPolySingularSupportEvent", 0)
    budget = events.get("EnumPolyBudgetExceededSupportEvent", 0)
    why = "enumpoly finds isolated equilibria only, in floating point"
    if singular:
        why += f"; {singular} support(s) with a continuum of solutions were skipped"
    if budget:
        why += f"; {budget} support(s) exceeded the search budget"
    if not singular and not budget:
        why += "; no continuum was detected, but this is not a proof that none was missed"
    return False, why


def solve_set(
    game: BayesianGame,
    solver: str | None = None,
    all_equilibria: bool = False,
    timeout: float | Deadline = 60.0,
    seed: Seed = 0,
) -> EquilibriumSet:
    """Bayesian Nash equilibria of ``game`` from a Gambit solver, verified by our ε-BNE check,
    with components (``enummixed``) and a statement of completeness.

    Args:
        game: the game.
        solver: one of :data:`SOLVERS`; default :func:`default_solver`.
        all_equilibria: ask for all equilibria (changes only the default solver).
        timeout: seconds, or a :class:`~powerlab.games._deadline.Deadline` shared with the
            caller's other work; the solver process is killed when it passes.
        seed: draws the random perturbation ray of ``gnm`` and ``ipa`` (an ``int``, a
            ``numpy`` Generator or None; the other solvers are deterministic). The same seed
            gives the same equilibria; with several equilibria, two seeds may give different
            ones.

    Returns:
        Equilibria, deduplicated, each with payoffs, POWER and the verification result
        (candidates that fail verification are kept with ``is_bne=False``), the components,
        and whether the list is guaranteed complete (with the reason when it is not).

    Raises:
        InputError: unknown solver, a 2-player solver on more players, ``lp`` on a game that
            is not constant-sum, solver failure.
        ResourceError: the deadline, or a game too large for the solver.
    """
    deadline = as_deadline(timeout)
    reduced, keep = drop_choiceless_players(game)
    solver = solver or default_solver(game, all_equilibria)
    _check_request(reduced, solver)
    tree = to_efg(reduced)
    rational = _rational(reduced, solver)
    payload = solve_in_subprocess(tree.text, solver, rational, deadline.remaining(), seed)
    span = float(
        np.max(np.asarray(game.payoffs, dtype=float))
        - np.min(np.asarray(game.payoffs, dtype=float))
    )
    results: list[Equilibrium] = []
    seen: dict[tuple[Any, ...], int] = {}
    where: list[int] = []
    for raw in payload.equilibria:
        deadline.check("verifying equilibria")
        sigma, exact = _to_profile(reduced, tree, raw, scaled=solver == "lp")
        if exact and solver in APPROXIMATE:  # rational output of an approximate method
            sigma, exact = [np.asarray(s, dtype=float) for s in sigma], False
        if not exact:
            rat = _rationalize(reduced, sigma)
            if rat is not None:
                sigma, exact = rat, True
        sigma = lift_profile(game, keep, sigma)
        key = _key(sigma)
        if key in seen:
            where.append(seen[key])
            continue
        seen[key] = len(results)
        where.append(len(results))
        sigma = check_profile(game, sigma) if exact else [np.asarray(s, float) for s in sigma]
        eps: Any = 0 if exact else FLOAT_EPS * max(1.0, span)
        chk = check_bne(game, sigma, eps)
        pays = expected_payoffs(game, sigma)
        pw = power(game, sigma)
        total = sum(pw[1:], start=pw[0])
        results.append(
            Equilibrium(sigma, pays, pw, total, chk.is_bne, chk.max_regret, exact, solver)
        )
    complete, reason = _completeness(solver, rational, payload.events)
    comps = None
    if payload.cliques is not None:
        comps = components_from_cliques(results, payload.cliques, where)
        label = {m: c.index for c in comps for m in c.members}
        results = [
            Equilibrium(**{**e.__dict__, "component": label.get(k)}) for k, e in enumerate(results)
        ]
    dropped = [game.players[i] for i in range(game.n) if i not in keep]
    return EquilibriumSet(results, solver, complete, reason, comps, dropped)


def solve(
    game: BayesianGame,
    solver: str | None = None,
    all_equilibria: bool = False,
    timeout: float | Deadline = 60.0,
    seed: Seed = 0,
) -> list[Equilibrium]:
    """The equilibria of :func:`solve_set` (same arguments), without components."""
    return solve_set(game, solver, all_equilibria, timeout, seed).equilibria
