"""Running one Gambit solver in a forked child process, killed at a deadline. No mathematics.

Gambit's C++ code ignores signals, so a solver cannot be interrupted in-process: the tree
text is sent to a forked child, which reads it from memory (no temporary file), runs the
solver and sends back plain data. The parent waits at most the time left and kills the child
otherwise. The solvers are described in :mod:`powerlab.games.solve`.
"""

from __future__ import annotations

import io
import multiprocessing as mp
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab.errors import InputError
from powerlab.games._deadline import DeadlineExceeded

__all__ = ["GambitOutput", "solve_in_subprocess"]

Behaviour = list[tuple[list[tuple[str, str]], list[Any]]]
"""One player's part of an equilibrium: per information set, ``(history, probs)``; a history
lists the ``(player, action)`` transitions from the root to one node of the infoset, and each
probability is ``(numerator, denominator)`` when exact, else a float."""


@dataclass(frozen=True)
class GambitOutput:
    """What one solver run sent back from the child, as plain (picklable) data.

    Attributes:
        equilibria: per equilibrium, per player, a :data:`Behaviour`.
        cliques: ``enummixed`` only: the index lists of its maximal cliques (else None).
        events: enumpoly's event counts by event name (empty for the other solvers).
    """

    equilibria: list[list[Behaviour]]
    cliques: list[list[int]] | None
    events: dict[str, int]


def _gambit_result(
    game: Any, solver: str, rational: bool, counts: dict[str, int], gen: np.random.Generator
) -> Any:
    """Child-side: run one Gambit solver on the read game (``gen``: gnm's and ipa's ray)."""
    import pygambit as gbt

    if solver == "enumpoly":

        def event(ev: Any) -> None:
            name = type(ev).__name__
            counts[name] = counts.get(name, 0) + 1

        return gbt.nash.enumpoly_solve(game, event_callback=event)
    if solver in ("gnm", "ipa"):
        # a generic perturbation ray: Gambit's default one can stall on degenerate games
        ray = game.random_strategy_profile(gen=gen)
        return (gbt.nash.gnm_solve if solver == "gnm" else gbt.nash.ipa_solve)(ray)
    if solver == "logit":  # follow the logit branch; relax the regret target if not reached
        for maxregret in (1e-8, 1e-6, 1e-4):
            res = gbt.nash.logit_solve(game, maxregret=maxregret)
            if res.success:
                break
        return res
    table: dict[str, Callable[[], Any]] = {
        "lcp": lambda: gbt.nash.lcp_solve(game, rational=rational),
        "lp": lambda: gbt.nash.lp_solve(game, rational=rational),
        "enummixed": lambda: gbt.nash.enummixed_solve(game, rational=rational, cliques=True),
        "enumpure": lambda: gbt.nash.enumpure_solve(game),
        "simpdiv": lambda: gbt.nash.simpdiv_solve(game.mixed_strategy_profile(rational=True)),
        "liap": lambda: gbt.nash.liap_solve(game.mixed_strategy_profile()),
    }
    return table[solver]()


def _run_gambit(text: str, solver: str, rational: bool, gen: np.random.Generator) -> GambitOutput:
    """Child-side: solve and return the equilibria, cliques and event counts as plain data."""
    import pygambit as gbt

    game = gbt.read_efg(io.StringIO(text))
    counts: dict[str, int] = {}
    res = _gambit_result(game, solver, rational, counts, gen)
    eqs = getattr(res, "equilibria", None)
    if eqs is None:
        eqs = [res.equilibrium] if res.equilibrium is not None else []
    cliques = None
    if getattr(res, "cliques", None) is not None:
        cliques = [[eqs.index(x) for x in clique] for clique in res.cliques]
    out: list[list[Behaviour]] = []
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
    return GambitOutput(out, cliques, counts)


def _child(
    conn: Any, text: str, solver: str, rational: bool, gen: np.random.Generator
) -> None:  # pragma: no cover
    try:
        conn.send(("ok", _run_gambit(text, solver, rational, gen)))
    except Exception as exc:  # report any solver failure to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}".splitlines()[0]))
    finally:
        conn.close()


def _child_generator(seed: Seed) -> np.random.Generator:
    """The generator the child draws from: ``as_generator(seed)`` for an ``int`` or None; for a
    ``Generator``, one spawned from it, so that the caller's generator advances and two calls
    threading one generator draw different rays."""
    if isinstance(seed, np.random.Generator):
        return seed.spawn(1)[0]
    return as_generator(seed)


def solve_in_subprocess(
    text: str, solver: str, rational: bool, timeout: float, seed: Seed = 0
) -> GambitOutput:
    """Run :func:`_run_gambit` in a forked child; kill it after ``timeout`` seconds.

    ``seed`` draws the random perturbation ray of ``gnm`` and ``ipa`` (the other solvers are
    deterministic and ignore it).
    """
    import pygambit  # noqa: F401  (imported once here so that forked children inherit it)

    if timeout <= 0:
        raise DeadlineExceeded(f"gambit {solver}: no time left before starting")
    gen = _child_generator(seed)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, text, solver, rational, gen), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise DeadlineExceeded(f"gambit {solver}: no answer within {timeout:g} s (killed)")
        status, payload = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if status != "ok":
        raise InputError(f"gambit {solver} failed: {payload}")
    return payload
