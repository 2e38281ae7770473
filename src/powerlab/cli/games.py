"""``powerlab game``: equilibria and POWER of a Bayesian game file (``game-sweep`` and
``game-sequential`` are in :mod:`powerlab.cli.games_sweep`).

Thin over :mod:`powerlab.games`. Text goes through :func:`~powerlab.cli._common.say` and
:class:`~powerlab.cli._common.Table`, so player, type and action names are printed
literally, never read as markup.
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
    parse_number,
    progress_bar,
    say,
    to_jsonable,
    wrote,
)
from powerlab.errors import InputError

__all__ = ["register"]


def fmt_exact(x: Any) -> str:
    """A number as the games commands print it: exact values as written, floats to 6 digits."""
    v = to_jsonable(x)
    if isinstance(v, float):
        return f"{v:.6g}"
    return "-" if v is None else str(v)


def _fmt_strategies(strategies: dict[str, dict[str, dict[str, Any]]]) -> str:
    parts = []
    for player, per_type in strategies.items():
        rows = []
        for tname, dist in per_type.items():
            mix = " + ".join(a if p == 1 else f"{fmt_exact(p)} {a}" for a, p in dist.items())
            rows.append(mix if tname == "-" else f"{tname}: {mix}")
        parts.append(f"{player}({'; '.join(rows)})")
    return "  ".join(parts)


ALL_HELP = (
    "Ask for all equilibria. With two players who choose (one-action players are removed) "
    "and a small strategic form this is complete: Gambit's enummixed gives every extreme "
    "equilibrium and the cliques that join them into components. Otherwise enumpoly is used, "
    "which finds isolated equilibria only and can miss a continuum; the output then says "
    "'complete: no' with the reason (JSON: \"complete\": false)."
)


SEED_HELP = (
    "Random seed of the perturbation ray from which the gnm and ipa solvers start (the other "
    "solvers are deterministic). With several equilibria, two seeds may find different ones."
)
RANDOM_SOLVERS = ("gnm", "ipa")


def timeout_deadline(text: str) -> Any:
    """The ``--timeout`` option (seconds, bounded) as a games Deadline."""
    from powerlab.games._deadline import MAX_SECONDS, Deadline

    return Deadline(parse_number(text, "--timeout", low=0.0, open_low=True, high=MAX_SECONDS))


def _refinement_cell(e: dict[str, Any], n: int) -> str:
    if e["weakly_dominated"] is None:
        return "-"
    if n == 2:
        return "yes" if e["perfect"] else "no (" + ", ".join(e["weakly_dominated"]) + ")"
    return ", ".join(e["weakly_dominated"]) or "none"


def _print_completeness(res: Any) -> None:
    if res.complete:
        say(
            "complete: yes (every equilibrium lies in the convex hull of a clique of the "
            "extreme equilibria above)"
        )
    else:
        say(f"complete: no ({res.reason})")
    for c in res.components or []:
        if len(c.members) > 1:
            say(
                f"component {c.index + 1}: extreme equilibria "
                + ", ".join(str(m + 1) for m in c.members)
                + f"; Σ POWER ranges over [{fmt_exact(c.power_sum_min)}, {fmt_exact(c.power_sum_max)}]"
            )


def _print_bounds(g: Any, bounds: Any) -> None:
    from powerlab.games.analysis import BOUND_DEFINITIONS

    for key, vals in (
        ("worst_case_power", bounds.worst),
        ("best_case_power", bounds.best),
        ("informed_best_case_power", bounds.informed),
    ):
        label = key.replace("_power", "").replace("_", " ")
        say(
            f"{label} POWER: "
            + ", ".join(f"{p} {fmt_exact(b)}" for p, b in zip(g.players, vals, strict=True))
            + f"  ({BOUND_DEFINITIONS[key]})"
        )


def _at_profile(g: Any, path: Path, deadline: Any, json_: bool, prov: dict[str, Any]) -> None:
    from powerlab.games.analysis import power_bounds
    from powerlab.games.at_profile import analyze_profile, load_profile

    sigma = load_profile(g, path)
    res = analyze_profile(g, sigma)
    notes = list(res.notes)
    bounds = power_bounds(g, deadline, notes)
    doc = {**res.to_dict(), **bounds.to_dict(), "notes": notes}
    if json_:
        emit_json(doc, prov)
        return
    say(f"{g.name} at the profile {path}:", style="bold")
    say("  strategies: " + _fmt_strategies(doc["strategies"]))
    for key, label in (("payoffs", "payoffs U_i"), ("power", "POWER")):
        say(
            f"  {label}: "
            + ", ".join(f"{p} {fmt_exact(x)}" for p, x in zip(g.players, doc[key], strict=True))
        )
    say(f"  Σ POWER: {fmt_exact(doc['power_sum'])}")
    say(
        f"  Σ ex-ante regret (Σ POWER - Σ U_i): {fmt_exact(doc['regret_sum'])}; "
        f"Bayesian Nash equilibrium: {'yes' if doc['is_bne'] else 'no'}"
    )
    if res.constant is not None:
        say(
            f"  constant-sum, c = {fmt_exact(res.constant)}: conservation slack Σ POWER - c = "
            f"{fmt_exact(doc['slack'])}"
        )
    _print_bounds(g, bounds)
    for note in notes:
        say(f"note: {note}")


def _common_payoff(
    g: Any, solver: str | None, deadline: Any, seed: int, json_: bool, prov: dict[str, Any]
) -> None:
    from powerlab.games.alignment import common_payoff_comparison

    cmp = common_payoff_comparison(g, solver, True, timeout=deadline, seed=seed)
    rows = [
        {"profile": r.label, "payoffs": r.payoffs, "power_sum": r.power_sum, "gap": r.gap,
         "holds": r.holds, "is_bne": r.is_bne}
        for r in cmp.rows
    ]  # fmt: skip
    doc = {
        "common_payoff": cmp.common_payoff,
        "best_case_power": cmp.best_case,
        "best_case_sum": cmp.best_case_sum,
        "rows": rows,
    }
    if json_:
        emit_json(doc, prov)
        return
    table = Table(title=f"Σ POWER against Σ best-case POWER = {fmt_exact(cmp.best_case_sum)}")
    for col in ("profile", "payoffs", "Σ POWER", "gap", "equal"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["profile"], ", ".join(fmt_exact(x) for x in r["payoffs"]), fmt_exact(r["power_sum"]),
            fmt_exact(r["gap"]), "yes" if r["holds"] else "no",
        )  # fmt: skip
    console.print(table)
    say(
        "common payoff: " + ("yes" if cmp.common_payoff else "no (the conjecture concerns "
                             "common-payoff games; the comparison is shown anyway)")
    )  # fmt: skip


def _print_game_result(g: Any, res: Any, doc: dict[str, Any], seed: int) -> None:
    """The game's header line, its equilibria table, completeness, bounds and notes."""
    const = "no" if res.constant is None else f"yes, c = {fmt_exact(res.constant)}"
    types = ", ".join(map(str, g.num_types))
    actions = ", ".join(map(str, g.num_actions))
    say(
        f"{g.name}: {g.n} players, types per player {types}, actions per player {actions}; "
        f"constant-sum: {const}; solver: {res.solver}"
        + (f" (seed {seed})" if res.solver in RANDOM_SOLVERS else "")
    )
    console.print(_equilibria_table(g, res, doc))
    _print_completeness(res)
    _print_bounds(g, res.bounds)
    for note in res.notes:
        say(f"note: {note}")


def _equilibria_table(g: Any, res: Any, doc: dict[str, Any]) -> Table:
    """One row per equilibrium of ``doc``: strategies, payoffs, POWER, slack, refinements."""
    table = Table(title="Equilibria")
    table.add_column("#")
    if res.components is not None:
        table.add_column("component")
    table.add_column("strategies", justify="left")
    table.add_column("payoffs")
    table.add_column("POWER")
    table.add_column("Σ POWER")
    if res.constant is not None:
        table.add_column("slack")
    table.add_column("BNE")
    table.add_column("weakly dominated" if g.n > 2 else "perfect")
    for k, e in enumerate(doc["equilibria"]):
        row = [str(k + 1)]
        if res.components is not None:
            row.append(str(e["component"]))
        row += [
            _fmt_strategies(e["strategies"]),
            ", ".join(fmt_exact(x) for x in e["payoffs"]),
            ", ".join(fmt_exact(x) for x in e["power"]),
            fmt_exact(e["power_sum"]),
        ]
        if res.constant is not None:
            row.append(fmt_exact(e["slack"]))
        row.append("yes" if e["is_bne"] else "NO")
        row.append(_refinement_cell(e, g.n))
        table.add_row(*row)
    return table


def game(
    file: Annotated[Path, typer.Argument(help="Game file (YAML, JSON, .efg or .nfg).")],
    solver: Annotated[
        str | None,
        typer.Option(
            help="lcp, lp (constant-sum), enummixed, enumpoly, enumpure, simpdiv, liap, gnm, "
            "ipa or logit."
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help=ALL_HELP)] = False,
    timeout: Annotated[
        str, typer.Option(help="Time limit in seconds for the whole command.")
    ] = "60",
    profile: Annotated[
        Path | None,
        typer.Option(
            help="Evaluate this profile (YAML/JSON: player -> type -> action or "
            "{action: probability}) instead of solving: POWER, regrets, conservation slack."
        ),
    ] = None,
    common_payoff: Annotated[
        bool,
        typer.Option(
            "--common-payoff",
            help="Test whether the players' total POWER equals their total best-case POWER "
            "when all share one payoff: compare Σ POWER at every equilibrium (and, for a "
            "common payoff, at the team optimum) with Σ best-case POWER.",
        ),
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Write the game as a Gambit .efg tree (chance draws the types) and stop."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = 0,
    json_: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Equilibria of a Bayesian game with POWER, its bounds and the conservation slack.

    FILE is YAML or JSON, or Gambit's .efg (a Bayesian game as a tree whose chance moves
    draw the types) or .nfg (a strategic game).
    """
    from powerlab.games.analysis import analyze_game
    from powerlab.games.io import load_game
    from powerlab.games.solve import SOLVERS

    deadline = timeout_deadline(timeout)
    if solver is not None and solver not in SOLVERS:
        raise InputError(f"--solver: unknown {solver!r}; choose from {', '.join(SOLVERS)}")
    if export is not None and export.suffix.lower() != ".efg":
        raise InputError(f"--export: {export}: only .efg is written")
    if sum(x is not None and x is not False for x in (profile, export, common_payoff or None)) > 1:
        raise InputError("--profile, --export and --common-payoff: choose one")
    g = load_game(file)
    deadline.check("loading the game")
    prov = provenance(game=g.name, solver=solver, all=all_ or None, seed=seed)
    if export is not None:
        from powerlab.games.gambit_io import write_efg

        write_efg(g, export)
        wrote(export)
        if json_:
            emit_json({"exported": str(export)}, prov)
        return
    if profile is not None:
        _at_profile(g, profile, deadline, json_, prov)
        return
    if common_payoff:
        _common_payoff(g, solver, deadline, seed, json_, prov)
        return
    with progress_bar("solving", 1, enabled=not quiet) as advance:
        res = analyze_game(g, solver, all_, deadline, seed)
        advance(1)
    doc = res.to_dict()
    if json_:
        emit_json(doc, {**prov, "solver": res.solver})
        return
    _print_game_result(g, res, doc, seed)


def register(app: typer.Typer) -> None:
    """Add ``game`` to the ``powerlab`` application."""
    app.command("game")(guarded(game))
