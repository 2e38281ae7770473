r"""Open question (b): Σ POWER at equilibrium as rewards move from anti-aligned to aligned.

Stavrianos & Turner (2021, closing remarks) suggest an interpolation between common-payoff
games (conjectured: Σ POWER = Σ best-case POWER) and constant-sum games (Σ POWER = c at
equilibrium), "possibly characterized by a correlation metric between reward functions".
We make it explorable: for each ρ, draw games from
:func:`powerlab.games.random_games.correlated_game` (unit-variance rewards with pairwise
correlation ρ), find one equilibrium with Gambit, and record

* ``S(ρ) = Σ_i POWER(i, σ*)`` at that equilibrium, and
* ``B(ρ) = Σ_i max_{σ_{-i}} POWER(i, σ)`` (best case), with the gap ``B - S >= 0``.

The same seed per game index is used for every ρ (common random numbers), so the curves
are smooth in ρ. Each point is a Monte Carlo mean over ``games`` games with its standard
error; bands are ±1.96 s.e.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from powerlab._io import atomic_write
from powerlab.errors import InputError, ResourceError
from powerlab.games.power import best_case_power
from powerlab.games.random_games import correlated_game
from powerlab.games.solve import solve

__all__ = ["SweepResult", "SweepRow", "plot_sweep", "rho_sweep"]


@dataclass(frozen=True)
class SweepRow:
    """Summary at one ρ: means and standard errors over ``count`` games."""

    rho: float
    count: int
    mean: float
    se: float
    best_case_mean: float
    best_case_se: float
    gap_mean: float
    gap_se: float


@dataclass(frozen=True)
class SweepResult:
    """All rows of a sweep plus its parameters; ``samples[ρ]`` holds the raw Σ POWER values."""

    players: int
    types: int
    actions: int
    games: int
    seed: int
    rows: list[SweepRow]
    samples: dict[float, list[float]] = field(default_factory=dict)
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``powerlab game-sweep --json``)."""
        return {
            "players": self.players,
            "types": self.types,
            "actions": self.actions,
            "games": self.games,
            "seed": self.seed,
            "skipped": self.skipped,
            "rows": [
                {
                    "rho": r.rho,
                    "count": r.count,
                    "power_sum_mean": r.mean,
                    "power_sum_se": r.se,
                    "band95": [r.mean - 1.96 * r.se, r.mean + 1.96 * r.se],
                    "best_case_sum_mean": r.best_case_mean,
                    "best_case_sum_se": r.best_case_se,
                    "gap_mean": r.gap_mean,
                    "gap_se": r.gap_se,
                }
                for r in self.rows
            ],
        }


def _mean_se(x: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(x, dtype=float)
    if a.size == 0:
        return math.nan, math.nan
    se = float(a.std(ddof=1) / math.sqrt(a.size)) if a.size > 1 else math.nan
    return float(a.mean()), se


def rho_sweep(
    players: int,
    types: int,
    actions: int,
    rhos: Sequence[float],
    games: int,
    seed: int = 0,
    solver: str | None = None,
    on_game: Callable[[int], Any] | None = None,
    timeout: float = 60.0,
) -> SweepResult:
    """Σ POWER at a Gambit equilibrium of ``games`` random games per ρ (see module docstring).

    Game ``k`` at every ρ uses ``rng = default_rng([seed, k])``. Games whose solver returns no
    verified equilibrium are skipped and counted.

    Raises:
        InputError: empty ``rhos``, ``games < 1``, ρ outside its admissible range.
    """
    if not rhos:
        raise InputError("--rho: give at least one value")
    if games < 1:
        raise InputError(f"games: must be at least 1, got {games}")
    rows, samples, skipped = [], {}, 0
    for rho in rhos:
        s_vals, b_vals, gaps = [], [], []
        for k in range(games):
            g = correlated_game(
                players, types, actions, float(rho), np.random.default_rng([seed, k])
            )
            eqs = [e for e in solve(g, solver, timeout=timeout) if e.is_bne]
            if on_game is not None:
                on_game(1)
            if not eqs:
                skipped += 1
                continue
            s = float(eqs[0].power_sum)
            s_vals.append(s)
            try:
                b = sum(float(best_case_power(g, i).value) for i in range(players))
            except ResourceError:
                b = math.nan
            b_vals.append(b)
            gaps.append(b - s)
        m, se = _mean_se(s_vals)
        bm, bse = _mean_se(b_vals)
        gm, gse = _mean_se(gaps)
        rows.append(SweepRow(float(rho), len(s_vals), m, se, bm, bse, gm, gse))
        samples[float(rho)] = s_vals
    return SweepResult(players, types, actions, games, seed, rows, samples, skipped)


def plot_sweep(res: SweepResult, path: str | os.PathLike[str]) -> None:
    """Plot mean Σ POWER and Σ best-case POWER against ρ with 95% bands; write a PNG atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = np.array([row.rho for row in res.rows])
    order = np.argsort(r)
    fig, ax = plt.subplots(figsize=(6, 4))
    for mean, se, label in (
        ([row.mean for row in res.rows], [row.se for row in res.rows], "Σ POWER at equilibrium"),
        (
            [row.best_case_mean for row in res.rows],
            [row.best_case_se for row in res.rows],
            "Σ best-case POWER",
        ),
    ):
        m, s = np.asarray(mean)[order], np.nan_to_num(np.asarray(se)[order])
        ax.plot(r[order], m, marker="o", label=label)
        ax.fill_between(r[order], m - 1.96 * s, m + 1.96 * s, alpha=0.25)
    ax.axhline(0.0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("reward correlation ρ")
    ax.set_ylabel("sum over players")
    ax.set_title(
        f"{res.players} players, {res.types} types, {res.actions} actions, "
        f"{res.games} games per ρ (95% bands)"
    )
    ax.legend()
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))
    plt.close(fig)
