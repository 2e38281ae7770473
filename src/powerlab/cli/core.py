"""``powerlab power`` and ``powerlab optimality``: POWER and optimality probability of an environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
    Table,
    console,
    emit_json,
    guarded,
    multi_value_command,
    parse_gamma,
    progress_bar,
    split_list,
    wrote,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["optimality_cmd", "power_cmd", "register"]

GAMMA_HELP = (
    "Discount γ in [0, 1]; 0 and 1 mean the limits. Several: -g 0.5 -g 0.9 or -g 0.5,0.9. "
    "Fractions like 1/2 work."
)

EXACT_HELP = (
    "Exact fractions instead of Monte Carlo (deterministic MDPs, iid uniform [0, 1] rewards, "
    "small instances; --samples and --seed are ignored)."
)

ENV_ARG = typer.Argument(..., help="Environment file (YAML/JSON) or gym:ID.")
GAMMAS_OPT = typer.Option(["0.9"], "--gamma", "-g", help=GAMMA_HELP)
SAMPLES_OPT = typer.Option(10_000, "--samples", "-n", help="Reward functions sampled.")
SEED_OPT = typer.Option(0, "--seed", help="Random seed of the reward draws.")
DIST_OPT = typer.Option(
    "uniform",
    "--dist",
    help="Reward distribution: uniform, uniform:LO,HI, beta:A,B or bernoulli:P (per state iid).",
)
EXACT_OPT = typer.Option(False, "--exact", help=EXACT_HELP)


def _power_table(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for col in ("state", "γ", "POWER", "± stderr", "solver error"):
        table.add_column(col, justify="left" if col == "state" else "right")
    for row in frame.itertuples():
        table.add_row(
            str(row.state),
            f"{row.gamma:g}",
            f"{row.power:.6f}",
            f"{row.stderr:.2e}",
            f"{row.solver_error:.1e}",
        )
    console.print(table)


def _optimality_table(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for col in ("action", "γ", "probability", "± stderr"):
        table.add_column(col, justify="left" if col == "action" else "right")
    for row in frame.itertuples():
        table.add_row(
            str(row.action), f"{row.gamma:g}", f"{row.probability:.4f}", f"{row.stderr:.2e}"
        )
    console.print(table)


def _gammas(gamma: list[str]) -> tuple[list[str], list[float]]:
    """``--gamma`` values as given (for exact mode) and as floats, bounded before any parsing."""
    texts = split_list(gamma, "--gamma")
    return texts, [parse_gamma(g) for g in texts]


def _load_with_dist(env: str, dist: str) -> Any:
    """Load ``env`` and parse ``--dist`` against its states before any work, naming the flag."""
    from powerlab.errors import InputError
    from powerlab.mdp import load_env
    from powerlab.power import as_distribution

    mdp = load_env(env)
    try:
        as_distribution(dist, mdp.state_index)
    except InputError as exc:
        raise InputError(f"--dist {dist}: {exc}") from None
    return mdp


def _render(
    env: str,
    frame: pd.DataFrame,
    plot: Path | None,
    figure: Callable[[], Any],
    json_out: bool,
    columns: list[str],
    table: Callable[[], None],
) -> None:
    """Write ``figure()`` to ``plot`` if asked, then print ``columns`` of ``frame`` as JSON
    (with the frame's provenance) or, without ``json_out``, call ``table()``."""
    if plot:
        from powerlab._figures import save_figure

        save_figure(figure(), plot)
        wrote(plot)
    if json_out:
        records = frame[columns].to_dict(orient="records")
        emit_json({"env": env, "results": records}, frame.attrs["provenance"])
        return
    table()


def power_cmd(
    env: str = ENV_ARG,
    gamma: list[str] = GAMMAS_OPT,
    samples: int = SAMPLES_OPT,
    seed: int = SEED_OPT,
    dist: str = DIST_OPT,
    states: list[str] = typer.Option(
        None, "--states", help="States to report (default all), e.g. --states a,b."
    ),
    plot: Path = typer.Option(None, "--plot", help="Write a figure (heatmap on grids) to PATH."),
    json_out: JsonFlag = False,
    exact: bool = EXACT_OPT,
    quiet: bool = QUIET_OPT,
) -> None:
    """POWER of each state (Turner et al. 2021, Def 5.2), by Monte Carlo with standard errors."""
    from powerlab.power import power

    gamma, gammas = _gammas(gamma)
    if exact:
        from powerlab.cli._exact import run_exact_power

        wanted = split_list(states, "--states") or None
        run_exact_power(env, gamma, dist, wanted, str(plot) if plot else None, json_out)
        return

    mdp = _load_with_dist(env, dist)
    with progress_bar("POWER", total=samples, enabled=not quiet) as advance:
        frame = power(
            mdp,
            gammas,
            samples=samples,
            rng=seed,
            dist=dist,
            states=split_list(states, "--states", keep=mdp.states) or None,
            progress=advance,
        )
    from powerlab.report.figures import plot_power

    _render(
        mdp.name,
        frame,
        plot,
        lambda: plot_power(mdp, frame),
        json_out,
        ["state", "gamma", "power", "stderr", "samples", "solver_error"],
        lambda: _power_table(
            frame, f"POWER in {mdp.name} ({samples} samples, {dist}, seed {seed})"
        ),
    )


def optimality_cmd(
    env: str = ENV_ARG,
    state: str = typer.Option(..., "--state", "-s", help="The state whose actions are compared."),
    gamma: list[str] = GAMMAS_OPT,
    samples: int = SAMPLES_OPT,
    seed: int = SEED_OPT,
    dist: str = DIST_OPT,
    plot: Path = typer.Option(None, "--plot", help="Write a bar chart to PATH."),
    json_out: JsonFlag = False,
    exact: bool = EXACT_OPT,
    quiet: bool = QUIET_OPT,
) -> None:
    """Probability that each action at STATE is optimal (Turner et al., Defs 4.3-4.4); ties all count."""
    from powerlab.power import optimality_probability

    gamma, gammas = _gammas(gamma)
    if exact:
        from powerlab.cli._exact import run_exact_optimality

        run_exact_optimality(env, state, gamma, dist, str(plot) if plot else None, json_out)
        return

    mdp = _load_with_dist(env, dist)
    with progress_bar("optimality", total=samples, enabled=not quiet) as advance:
        frame = optimality_probability(
            mdp, state, gammas, samples=samples, rng=seed, dist=dist, progress=advance
        )
    from powerlab.report.figures import plot_optimality

    title = f"Optimality probability at {state} in {mdp.name} ({samples} samples, seed {seed})"
    _render(
        mdp.name,
        frame,
        plot,
        lambda: plot_optimality(frame),
        json_out,
        ["state", "action", "gamma", "probability", "stderr", "samples"],
        lambda: _optimality_table(frame, title),
    )


def register(app: typer.Typer) -> None:
    """Add the ``power`` and ``optimality`` commands to ``app``."""
    multi = multi_value_command("--gamma", "-g", "--states")
    app.command("power", cls=multi)(guarded(power_cmd))
    app.command("optimality", cls=multi_value_command("--gamma", "-g"))(guarded(optimality_cmd))
