r"""Open question (b): Σ POWER at equilibrium as rewards move from anti-aligned to aligned.

Stavrianos & Turner (2021, closing remarks) suggest an interpolation between common-payoff
games (conjectured: Σ POWER = Σ best-case POWER) and constant-sum games (Σ POWER = c at
equilibrium), "possibly characterized by a correlation metric between reward functions".
We make it explorable: for each ρ, draw exact games from
:func:`powerlab.games.random_games.correlated_game` (rewards with pairwise correlation ρ,
rounded to multiples of ``1/GRID``), find equilibria with Gambit, and record per game

* ``S(ρ) = Σ_i POWER(i, σ*)`` at the equilibrium chosen by ``select``: ``first`` (the one
  the default one-equilibrium solver returns), or, over every equilibrium an enumeration
  finds (``enummixed`` for 2 players, complete; ``enumpoly`` otherwise, isolated only),
  ``min``, ``max`` or ``all`` (the mean over the game's equilibria);
* ``B(ρ) = Σ_i max_{σ_{-i}} POWER(i, σ)`` (best case), with the gap ``B - S >= 0``.

Several equilibria are common (at ρ >= 0 a random 2x2x2 game often has more than one), so
``first`` alone hides how much Σ POWER depends on which equilibrium is played; the enumerating
choices record the per-game minimum and maximum too, which the plot draws as bands.

The same seed per game index is used for every ρ (common random numbers). Each point is a
Monte Carlo mean over the games with its standard error; intervals are ``mean ± t_{0.975,
k-1} s.e.`` (Student's t, so that small samples are not overstated). Every verified
equilibrium is an ε-BNE with a stated ``ε``; by the conservation theorem a constant-sum game
then has ``|Σ POWER - c| <= n ε`` (the slack is the sum of ex-ante regrets), reported per row
as ``tolerance``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from powerlab._types import JSON
from powerlab.errors import InputError, ResourceError
from powerlab.games._deadline import Deadline, DeadlineExceeded, as_deadline
from powerlab.games.power import best_case_power
from powerlab.games.random_games import correlated_game
from powerlab.games.solve import Equilibrium, solve_set

__all__ = [
    "GRID",
    "SELECTIONS",
    "SweepResult",
    "SweepRow",
    "check_rhos",
    "plot_sweep",
    "rho_sweep",
    "t_interval",
]

SELECTIONS = ("first", "min", "max", "all")
GRID = 10**6
CONFIDENCE = 0.95


def t_interval(x: Sequence[float]) -> tuple[float, float, float, float]:
    """``(mean, s.e., low, high)`` with ``mean ± t_{0.975, k-1} s.e.``; NaNs when k < 2."""
    from scipy.stats import t as student_t

    a = np.asarray(x, dtype=float)
    if a.size == 0:
        return math.nan, math.nan, math.nan, math.nan
    mean = float(a.mean())
    if a.size < 2:
        return mean, math.nan, math.nan, math.nan
    se = float(a.std(ddof=1) / math.sqrt(a.size))
    half = float(student_t.ppf(0.5 + CONFIDENCE / 2, a.size - 1)) * se
    return mean, se, mean - half, mean + half


@dataclass(frozen=True)
class SweepRow:
    """Summary at one ρ over ``count`` games (means, standard errors, t intervals).

    ``mean``/``se``/``interval`` describe the selected Σ POWER; ``min_*`` and ``max_*`` the
    per-game minimum and maximum over the equilibria found (equal to the selected value
    under ``first``); ``multiple`` counts games with more than one equilibrium found;
    ``incomplete`` counts games whose enumeration is not guaranteed complete.
    """

    rho: float
    count: int
    mean: float
    se: float
    interval: tuple[float, float]
    min_mean: float
    min_interval: tuple[float, float]
    max_mean: float
    max_interval: tuple[float, float]
    best_case_mean: float
    best_case_se: float
    best_case_interval: tuple[float, float]
    gap_mean: float
    gap_se: float
    multiple: int
    incomplete: int
    tolerance: float


@dataclass(frozen=True)
class SweepResult:
    """All rows of a sweep plus its parameters; ``samples[ρ]`` holds the selected Σ POWER."""

    players: int
    types: int
    actions: int
    games: int
    seed: int
    select: str
    solver: str
    rows: list[SweepRow]
    samples: dict[float, list[float]] = field(default_factory=dict)
    skipped: int = 0

    def to_dict(self) -> JSON:
        """JSON-ready summary (``powerlab game-sweep --json``)."""
        return {
            "players": self.players,
            "types": self.types,
            "actions": self.actions,
            "games": self.games,
            "seed": self.seed,
            "select": self.select,
            "solver": self.solver,
            "skipped": self.skipped,
            "interval": f"{CONFIDENCE:.0%} Student t",
            "rows": [
                {
                    "rho": r.rho,
                    "count": r.count,
                    "power_sum_mean": r.mean,
                    "power_sum_se": r.se,
                    "interval": list(r.interval),
                    "power_sum_min_mean": r.min_mean,
                    "power_sum_min_interval": list(r.min_interval),
                    "power_sum_max_mean": r.max_mean,
                    "power_sum_max_interval": list(r.max_interval),
                    "best_case_sum_mean": r.best_case_mean,
                    "best_case_sum_se": r.best_case_se,
                    "best_case_sum_interval": list(r.best_case_interval),
                    "gap_mean": r.gap_mean,
                    "gap_se": r.gap_se,
                    "games_with_several_equilibria": r.multiple,
                    "games_not_completely_enumerated": r.incomplete,
                    "tolerance": r.tolerance,
                }
                for r in self.rows
            ],
        }


def check_rhos(players: int, rhos: Sequence[float]) -> list[float]:
    """Validate every ρ against ``[-1/(n-1), 1]`` before any game runs; return them as floats.

    Raises:
        InputError: no ρ, a non-finite ρ, or one outside the range (naming it and the range).
    """
    if players < 2:
        raise InputError(f"players: need at least 2, got {players}")
    if not rhos:
        raise InputError("--rho: give at least one value")
    lo = -1.0 / (players - 1)
    out = []
    for r in rhos:
        v = float(r)
        if not math.isfinite(v) or not lo - 1e-12 <= v <= 1.0:
            raise InputError(f"--rho: {r} is outside [{lo:g}, 1] for {players} players")
        out.append(v)
    return out


def _pick(eqs: list[Equilibrium], select: str) -> tuple[float, float, float]:
    """``(selected, min, max)`` of Σ POWER over ``eqs`` (non-empty)."""
    vals = [float(e.power_sum) for e in eqs]
    chosen = {"first": vals[0], "min": min(vals), "max": max(vals), "all": float(np.mean(vals))}
    return chosen[select], min(vals), max(vals)


def rho_sweep(
    players: int,
    types: int,
    actions: int,
    rhos: Sequence[float],
    games: int,
    seed: int = 0,
    solver: str | None = None,
    on_game: Callable[[int], Any] | None = None,
    timeout: float | Deadline = 3600.0,
    select: str = "first",
) -> SweepResult:
    """Σ POWER at equilibrium of ``games`` random games per ρ (see module docstring).

    Game ``k`` at every ρ uses ``rng = default_rng([seed, k])``; ``seed`` also draws the
    perturbation ray of ``gnm`` and ``ipa`` (:func:`solve_set`). ``select`` is ``first``
    (one equilibrium from ``solver``, default lcp/logit) or ``min``/``max``/``all`` (every
    equilibrium an enumeration finds; ``solver`` then defaults to enummixed/enumpoly).
    Games without a verified equilibrium are skipped and counted. ``timeout`` bounds the
    whole sweep.

    Raises:
        InputError: bad ``select``, ``games < 1``, a ρ outside its range (all checked first).
        ResourceError: the time limit.
    """
    if select not in SELECTIONS:
        raise InputError(f"--select: {select!r} is not one of {', '.join(SELECTIONS)}")
    if games < 1:
        raise InputError(f"games: must be at least 1, got {games}")
    if types < 1 or actions < 1:
        raise InputError("types and actions: must be at least 1")
    values = check_rhos(players, rhos)
    deadline = as_deadline(timeout)
    enumerate_all = select != "first"
    rows, samples, skipped, used = [], {}, 0, solver or ""
    for rho in values:
        s_vals: list[float] = []
        lows: list[float] = []
        highs: list[float] = []
        b_vals: list[float] = []
        gaps: list[float] = []
        multiple = incomplete = 0
        tol = 0.0
        for k in range(games):
            deadline.check("game sweep")
            g = correlated_game(
                players, types, actions, rho, np.random.default_rng([seed, k]), grid=GRID
            )
            found = solve_set(g, solver, enumerate_all, deadline, seed)
            used = found.solver
            eqs = [e for e in found.equilibria if e.is_bne]
            if on_game is not None:
                on_game(1)
            if not eqs:
                skipped += 1
                continue
            multiple += len(eqs) > 1
            incomplete += enumerate_all and not found.complete
            tol = max(tol, players * max(float(e.max_regret) for e in eqs))
            s, lo, hi = _pick(eqs, select)
            s_vals.append(s)
            lows.append(lo)
            highs.append(hi)
            try:
                b = sum(
                    float(best_case_power(g, i, deadline=deadline).value) for i in range(players)
                )
            except DeadlineExceeded:
                raise
            except ResourceError:
                b = math.nan
            b_vals.append(b)
            gaps.append(b - s)
        m, se, a, z = t_interval(s_vals)
        mm, _, ma, mz = t_interval(lows)
        xm, _, xa, xz = t_interval(highs)
        bm, bse, ba, bz = t_interval(b_vals)
        gm, gse, _, _ = t_interval(gaps)
        rows.append(
            SweepRow(
                rho, len(s_vals), m, se, (a, z), mm, (ma, mz), xm, (xa, xz), bm, bse, (ba, bz),
                gm, gse,
                multiple, incomplete, tol,
            )
        )  # fmt: skip
        samples[rho] = s_vals
    return SweepResult(players, types, actions, games, seed, select, used, rows, samples, skipped)


SELECT_LABEL = {
    "first": "the first equilibrium {solver} returns",
    "min": "the lowest Σ POWER over the equilibria {solver} finds",
    "max": "the highest Σ POWER over the equilibria {solver} finds",
    "all": "the mean over the equilibria {solver} finds",
}


def plot_sweep(res: SweepResult, path: str | os.PathLike[str]) -> None:
    """Plot the selected Σ POWER, its min/max bands and Σ best-case POWER against ρ."""
    from powerlab._figures import pyplot, save_figure

    plt = pyplot()
    r = np.array([row.rho for row in res.rows])
    order = np.argsort(r)
    x = r[order]

    def arr(get: Callable[[SweepRow], float]) -> np.ndarray:
        return np.asarray([get(row) for row in res.rows], dtype=float)[order]

    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    label = SELECT_LABEL[res.select].format(solver=res.solver)
    m = arr(lambda w: w.mean)
    ax.plot(x, m, marker="o", label=f"Σ POWER at {label}")
    ax.fill_between(x, arr(lambda w: w.interval[0]), arr(lambda w: w.interval[1]), alpha=0.25)
    if res.select != "first":
        for get, lo, hi, name, style in (
            (lambda w: w.min_mean, lambda w: w.min_interval[0], lambda w: w.min_interval[1],
             "min", ":"),
            (lambda w: w.max_mean, lambda w: w.max_interval[0], lambda w: w.max_interval[1],
             "max", "--"),
        ):  # fmt: skip
            ax.plot(x, arr(get), ls=style, color="grey", label=f"per-game {name} Σ POWER")
            ax.fill_between(x, arr(lo), arr(hi), color="grey", alpha=0.15)
    ax.plot(x, arr(lambda w: w.best_case_mean), marker="s", label="Σ best-case POWER")
    ax.fill_between(
        x, arr(lambda w: w.best_case_interval[0]), arr(lambda w: w.best_case_interval[1]), alpha=0.2
    )
    ax.axhline(0.0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("reward correlation ρ")
    ax.set_ylabel("sum over players")
    ax.set_title(
        f"{res.players} players, {res.types} types, {res.actions} actions, "
        f"{res.games} games per ρ\nselect={res.select}: {label}; "
        f"{CONFIDENCE:.0%} t intervals",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    save_figure(fig, path)
