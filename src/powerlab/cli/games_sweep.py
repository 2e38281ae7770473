"""``powerlab game-sweep`` and ``game-sequential``: Σ POWER at equilibrium as the players'
rewards align, and first-stage POWER in finite-horizon Bayesian stochastic games.

Thin over :mod:`powerlab.games`, with the same conventions as :mod:`powerlab.cli.games`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
    Table,
    console,
    emit_json,
    guarded,
    multi_value_command,
    parse_number,
    progress_bar,
    say,
    split_list,
    wrote,
)
from powerlab.cli.games import fmt_exact, timeout_deadline
from powerlab.errors import InputError

__all__ = ["register"]


def _print_sweep(res: Any, title: str) -> None:
    """The sweep's rows (mean Σ POWER per ρ with its interval) under ``title``, and notes on
    incomplete enumerations and skipped games."""
    table = Table(title=title)
    cols = ("ρ", "games", "mean Σ POWER", "s.e.", "95% t interval", "mean min", "mean max")
    for col in (*cols, "several eq.", "mean Σ best-case", "mean gap"):
        table.add_column(col)
    for r in res.rows:
        table.add_row(
            f"{r.rho:g}",
            str(r.count),
            f"{r.mean:.4f}",
            f"{r.se:.4f}",
            f"[{r.interval[0]:.4f}, {r.interval[1]:.4f}]",
            f"{r.min_mean:.4f}",
            f"{r.max_mean:.4f}",
            str(r.multiple),
            f"{r.best_case_mean:.4f}",
            f"{r.gap_mean:.4f}",
        )
    console.print(table)
    incomplete = sum(r.incomplete for r in res.rows)
    if incomplete:
        say(
            f"note: in {incomplete} game(s) the enumeration ({res.solver}) is not guaranteed "
            "complete; min and max are over the equilibria it found"
        )
    if res.skipped:
        say(f"note: {res.skipped} game(s) without a verified equilibrium were skipped")


def game_sweep(
    rho: Annotated[
        list[str],
        typer.Option(
            help="Reward correlation ρ in [-1/(n-1), 1] for n players; several: --rho 0 "
            "--rho 0.5 or --rho 0,0.5."
        ),
    ],
    players: Annotated[int, typer.Option(help="Number of players.")] = 2,
    types: Annotated[int, typer.Option(help="Types per player.")] = 2,
    actions: Annotated[int, typer.Option(help="Actions per player.")] = 2,
    games: Annotated[int, typer.Option(help="Random games per ρ.")] = 50,
    seed: Annotated[
        int, typer.Option(help="Random seed of the games (and of gnm's and ipa's starting ray).")
    ] = 0,
    solver: Annotated[
        str | None,
        typer.Option(help="Gambit solver (default lcp/logit; enummixed/enumpoly with --select)."),
    ] = None,
    select: Annotated[
        str,
        typer.Option(
            help="Which equilibrium per game: first (the solver's pick), or over every "
            "equilibrium an enumeration finds: min, max, all (their mean). The plot names it "
            "and, unless first, draws per-game min and max bands."
        ),
    ] = "first",
    timeout: Annotated[
        str, typer.Option(help="Time limit in seconds for the whole sweep.")
    ] = "3600",
    plot: Annotated[Path | None, typer.Option(help="Write a PNG figure to PATH.")] = None,
    json_: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Σ POWER at equilibrium in random games whose players' rewards have correlation ρ:
    does total POWER at equilibrium fall as the players' interests align?"""
    from powerlab.games.sweep import SELECTIONS, check_rhos, plot_sweep, rho_sweep

    rhos = [parse_number(part, "--rho") for part in split_list(rho, "--rho")]
    if players < 2:
        raise InputError(f"--players: must be at least 2, got {players}")
    rhos = check_rhos(players, rhos)
    if games < 1:
        raise InputError(f"--games: must be at least 1, got {games}")
    if types < 1 or actions < 1:
        raise InputError("--types and --actions: must be at least 1")
    if select not in SELECTIONS:
        raise InputError(f"--select: {select!r} is not one of {', '.join(SELECTIONS)}")
    deadline = timeout_deadline(timeout)
    with progress_bar("games", total=len(rhos) * games, enabled=not quiet) as advance:
        res = rho_sweep(
            players, types, actions, rhos, games, seed, solver, advance, deadline, select
        )
    if plot is not None:
        plot_sweep(res, plot)
        wrote(plot)
    if json_:
        prov = provenance(
            seed=seed, rho=rhos, games=games, players=players, types=types, actions=actions,
            solver=res.solver, select=select,
        )  # fmt: skip
        emit_json(res.to_dict(), prov)
        return
    _print_sweep(
        res,
        f"Σ POWER at equilibrium ({select}, {res.solver}), {players} players, "
        f"{types} types, {actions} actions",
    )


def game_sequential(
    file: Annotated[Path, typer.Argument(help="Sequential game file (YAML or JSON).")],
    solver: Annotated[str | None, typer.Option(help="lcp (2 players), logit or enumpoly.")] = None,
    timeout: Annotated[
        str, typer.Option(help="Time limit in seconds for the whole command.")
    ] = "60",
    json_: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """First-stage POWER at the equilibria of a finite-horizon Bayesian stochastic game,
    beside one-shot POWER (the file format is in docs/games-sequential.md)."""
    from powerlab.games.stochastic import sequential_power
    from powerlab.games.stochastic_io import load_sequential_game
    from powerlab.games.stochastic_solve import solve_stochastic

    deadline = timeout_deadline(timeout)
    seq = load_sequential_game(file)
    g = seq.game
    name = solver or ("lcp" if g.n == 2 else "logit" if g.n > 2 else "enumpoly")
    with progress_bar("solving", 1, enabled=not quiet) as advance:
        eqs = solve_stochastic(g, name, deadline.remaining())
        advance(1)
    rows = []
    for e in eqs:
        deadline.check("one-shot POWER")
        one_shot = [sequential_power(g, e.strategies, i, depth=1) for i in range(g.n)]
        rows.append({"totals": e.totals, "power": e.power, "power_sum": e.power_sum,
                     "one_shot_power": one_shot, "is_nash": e.is_nash})  # fmt: skip
    doc = {"name": seq.name, "players": list(g.players), "horizon": g.horizon,
           "solver": name, "equilibria": rows}  # fmt: skip
    if json_:
        emit_json(doc, provenance(game=seq.name, solver=name))
        return
    table = Table(title=f"{seq.name}: {g.n} players, horizon {g.horizon} ({name})")
    for col in ("#", "expected totals", "POWER", "Σ POWER", "one-shot POWER", "Nash"):
        table.add_column(col)
    for k, r in enumerate(rows):
        table.add_row(
            str(k + 1), ", ".join(fmt_exact(x) for x in r["totals"]),
            ", ".join(fmt_exact(x) for x in r["power"]), fmt_exact(r["power_sum"]),
            ", ".join(fmt_exact(x) for x in r["one_shot_power"]), "yes" if r["is_nash"] else "NO",
        )  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``game-sweep`` and ``game-sequential`` to the ``powerlab`` application."""
    app.command("game-sweep", cls=multi_value_command("--rho"))(guarded(game_sweep))
    app.command("game-sequential")(guarded(game_sequential))
