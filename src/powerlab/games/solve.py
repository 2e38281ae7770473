"""Bayesian Nash equilibria through Gambit (pygambit 17), run in a subprocess with a timeout.

We do not solve for equilibria ourselves. The game is written as an extensive-form tree
(:mod:`powerlab.games.efg`) and handed to one of Gambit's solvers:

* ``lcp`` -- Lemke's algorithm on the sequence form of the tree (2 players, one
  equilibrium, exact rationals). Koller, Megiddo & von Stengel (1996).
* ``enummixed`` -- all extreme equilibria of the strategic form (2 players, exact; the
  strategic form has ``Π A_i^{T_i}`` strategies, so small games only).
* ``enumpoly`` -- all isolated equilibria by support enumeration and polynomial systems
  (any number of players, floats, small games).
* ``gnm`` (global Newton), ``ipa`` (iterated polymatrix approximation) -- n players,
  strategic form, floats; both start from a random perturbation ray drawn with the fixed
  seed ``PERTURBATION_SEED`` (Gambit's default ray stalls on degenerate games, e.g. ones
  with dominant strategies), so results are reproducible.
* ``logit`` -- the principal branch of the logit QRE correspondence on the tree (n players,
  one equilibrium, floats); the regret target is relaxed 1e-8 -> 1e-6 -> 1e-4 if not met,
  and our own check then decides whether the result counts as an equilibrium.

Gambit's C++ code ignores signals, so each call runs in a forked child process that is
killed after ``timeout`` seconds. Results are mapped back to per-type behaviour strategies
(through the chance action at the root of each information set's histories), floats are
rounded to small-denominator rationals when the rounded profile is an exact BNE, duplicates
are removed, and each profile is verified with our own ε-BNE check
(:func:`powerlab.games.bne.check_bne`) before it is reported.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab.errors import InputError, ResourceError
from powerlab.games.bne import check_bne
from powerlab.games.efg import EfgTree, to_efg
from powerlab.games.model import BayesianGame
from powerlab.games.power import power
from powerlab.games.strategy import Profile, check_profile
from powerlab.games.utility import expected_payoffs

__all__ = ["SOLVERS", "Equilibrium", "default_solver", "solve"]

SOLVERS = ("lcp", "enummixed", "enumpoly", "gnm", "ipa", "logit")
TWO_PLAYER_ONLY = {"lcp", "enummixed"}
STRATEGIC = {"enummixed", "gnm", "ipa"}
MAX_STRATEGIC_CELLS = 200_000
FLOAT_EPS = 1e-6
DENOMINATOR_LIMIT = 1000
PERTURBATION_SEED = 0


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
    """

    strategies: Profile
    payoffs: list[Any]
    power: list[Any]
    power_sum: Any
    is_bne: bool
    max_regret: Any
    exact: bool
    solver: str


def default_solver(game: BayesianGame, all_equilibria: bool = False) -> str:
    """``lcp`` (2 players) or ``logit`` (n players); with ``all_equilibria``: ``enummixed`` for
    2 players when the strategic form is small, else ``enumpoly``."""
    if all_equilibria:
        if game.n == 2 and _strategic_cells(game) <= MAX_STRATEGIC_CELLS:
            return "enummixed"
        return "enumpoly"
    return "lcp" if game.n == 2 else "logit"


def _strategic_cells(game: BayesianGame) -> int:
    cells = 1
    for t, a in zip(game.num_types, game.num_actions, strict=True):
        cells *= a**t
    return cells


def _run_gambit(text: str, solver: str, rational: bool) -> list[Any]:
    """Child-side: solve; return per equilibrium, per player, ``[(history, probs)]`` where a
    history lists ``(player, action)`` transitions from the root to one node of the infoset."""
    import pygambit as gbt

    game = gbt.read_efg(_StringPath(text))
    if solver == "lcp":
        res: Any = gbt.nash.lcp_solve(game, rational=rational)
    elif solver == "enummixed":
        res = gbt.nash.enummixed_solve(game, rational=rational)
    elif solver == "enumpoly":
        res = gbt.nash.enumpoly_solve(game)
    elif solver in ("gnm", "ipa"):
        # a generic perturbation ray: Gambit's default one can stall on degenerate games
        ray = game.random_strategy_profile(gen=np.random.default_rng(PERTURBATION_SEED))
        res = (gbt.nash.gnm_solve if solver == "gnm" else gbt.nash.ipa_solve)(ray)
    else:  # follow the logit branch; relax the regret target if it is not reached
        for maxregret in (1e-8, 1e-6, 1e-4):
            res = gbt.nash.logit_solve(game, maxregret=maxregret)
            if res.success:
                break
    eqs = getattr(res, "equilibria", None)
    if eqs is None:
        eqs = [res.equilibrium] if res.equilibrium is not None else []
    out = []
    for eq in eqs:
        prof = eq.as_behavior() if hasattr(eq, "as_behavior") else eq
        players = []
        for mb in prof:
            rows = []
            for hist, ma in mb:
                probs = [
                    (p.numerator, p.denominator) if isinstance(p, Fraction) else float(p)
                    for _, p in ma
                ]
                rows.append(([(str(tr.player), str(tr.action)) for tr in hist], probs))
            players.append(rows)
        out.append(players)
    return out


class _StringPath:
    """Let ``pygambit.read_efg`` read from a temporary file holding ``text``."""

    def __new__(cls, text: str) -> Any:  # pragma: no cover - runs in the child
        import tempfile

        f = tempfile.NamedTemporaryFile("w", suffix=".efg", delete=False)
        f.write(text)
        f.close()
        return f.name


def _child(conn: Any, text: str, solver: str, rational: bool) -> None:  # pragma: no cover
    try:
        conn.send(("ok", _run_gambit(text, solver, rational)))
    except Exception as exc:  # report any solver failure to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}".splitlines()[0]))
    finally:
        conn.close()


def _solve_in_subprocess(text: str, solver: str, rational: bool, timeout: float) -> Any:
    """Run :func:`_run_gambit` in a forked child; kill it after ``timeout`` seconds."""
    import pygambit  # noqa: F401  (imported once here so that forked children inherit it)

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, text, solver, rational), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise ResourceError(f"gambit {solver}: no answer within {timeout:g} s (killed)")
        status, payload = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if status != "ok":
        raise InputError(f"gambit {solver} failed: {payload}")
    return payload


def _to_profile(game: BayesianGame, tree: EfgTree, raw: Any) -> tuple[Profile, bool]:
    """Per-type behaviour from Gambit's infoset rows; unreachable (zero-probability) types are
    set to uniform. Returns the profile and whether it is exact."""
    exact = all(isinstance(p, tuple) for pl in raw for _, probs in pl for p in probs)
    sigma: Profile = []
    for i, rows in enumerate(raw):
        s = np.empty((game.num_types[i], game.num_actions[i]), dtype=object if exact else float)
        s[:] = Fraction(1, game.num_actions[i]) if exact else 1.0 / game.num_actions[i]
        for hist, probs in rows:
            k = int(hist[0][1][1:])
            ti = tree.profiles[k][i]
            s[ti] = [Fraction(*p) if exact else float(p) for p in probs]
        sigma.append(s)
    return sigma, exact


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


def solve(
    game: BayesianGame,
    solver: str | None = None,
    all_equilibria: bool = False,
    timeout: float = 60.0,
) -> list[Equilibrium]:
    """Bayesian Nash equilibria of ``game`` from a Gambit solver, verified by our ε-BNE check.

    Args:
        game: the game.
        solver: one of :data:`SOLVERS`; default :func:`default_solver`.
        all_equilibria: ask for all equilibria (changes only the default solver).
        timeout: seconds before the solver process is killed.

    Returns:
        Equilibria, deduplicated, each with payoffs, POWER and the verification result.
        Candidates that fail verification are kept with ``is_bne=False`` so they can be shown.

    Raises:
        InputError: unknown solver, a 2-player solver on more players, solver failure.
        ResourceError: timeout, or a strategic form too large for a strategic-form solver.
    """
    solver = solver or default_solver(game, all_equilibria)
    if solver not in SOLVERS:
        raise InputError(f"solver: unknown {solver!r}; choose from {', '.join(SOLVERS)}")
    if solver in TWO_PLAYER_ONLY and game.n != 2:
        raise InputError(f"solver {solver}: needs exactly 2 players, the game has {game.n}")
    if solver in STRATEGIC and _strategic_cells(game) > MAX_STRATEGIC_CELLS:
        raise ResourceError(
            f"solver {solver}: strategic form has {_strategic_cells(game)} cells "
            f"(limit {MAX_STRATEGIC_CELLS}); use lcp, logit or enumpoly"
        )
    tree = to_efg(game)
    raws = _solve_in_subprocess(tree.text, solver, game.exact, timeout)
    span = float(
        np.max(np.asarray(game.payoffs, dtype=float))
        - np.min(np.asarray(game.payoffs, dtype=float))
    )
    results: list[Equilibrium] = []
    seen: set[tuple[Any, ...]] = set()
    for raw in raws:
        sigma, exact = _to_profile(game, tree, raw)
        if not exact:
            rat = _rationalize(game, sigma)
            if rat is not None:
                sigma, exact = rat, True
        key = _key(sigma)
        if key in seen:
            continue
        seen.add(key)
        sigma = check_profile(game, sigma) if exact else [np.asarray(s, float) for s in sigma]
        eps: Any = 0 if exact else FLOAT_EPS * max(1.0, span)
        chk = check_bne(game, sigma, eps)
        pays = expected_payoffs(game, sigma)
        pw = power(game, sigma)
        results.append(
            Equilibrium(
                sigma, pays, pw, sum(pw[1:], start=pw[0]), chk.is_bne, chk.max_regret, exact, solver
            )
        )
    return results
