"""``powerlab power`` and ``powerlab optimality``: POWER and optimality probability of an environment."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from powerlab.cli._common import Table, console, emit_json, guarded, parse_gamma, progress_bar

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["optimality_cmd", "power_cmd", "register"]

GAMMA_HELP = (
    "Discount in [0, 1]; 0 and 1 mean the limits. Repeat for several. Fractions like 1/2 work."
)

EXACT_HELP = (
    "Exact fractions instead of Monte Carlo (deterministic MDPs, iid uniform [0, 1] rewards, "
    "small instances; --samples and --seed are ignored)."
)

ENV_ARG = typer.Argument(..., help="Environment file (YAML/JSON) or gym:ID.")
SAMPLES_OPT = typer.Option(10_000, "--samples", "-n", help="Reward functions sampled.")
SEED_OPT = typer.Option(0, "--seed", help="Random seed.")
DIST_OPT = typer.Option("uniform", "--dist", help="Reward distribution spec.")
JSON_OPT = typer.Option(False, "--json", help="Print JSON only.")
EXACT_OPT = typer.Option(False, "--exact", help=EXACT_HELP)


def _states(text: str | None) -> list[str] | None:
    return [s.strip() for s in text.split(",") if s.strip()] if text else None


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


def power_cmd(
    env: str = ENV_ARG,
    gamma: list[str] = typer.Option(["0.9"], "--gamma", "-g", help=GAMMA_HELP),
    samples: int = SAMPLES_OPT,
    seed: int = SEED_OPT,
    dist: str = DIST_OPT,
    states: str = typer.Option(None, "--states", help="Comma-separated states (default all)."),
    plot: str = typer.Option(None, "--plot", help="Write a figure (heatmap on grids)."),
    json_out: bool = JSON_OPT,
    exact: bool = EXACT_OPT,
) -> None:
    """POWER of each state (Turner et al. 2021, Def 5.2), by Monte Carlo with standard errors."""
    from powerlab.mdp import load_env
    from powerlab.power import power

    gammas = [parse_gamma(g) for g in gamma]  # also bounds the text before exact parsing
    if exact:
        from powerlab.cli._exact import run_exact_power

        run_exact_power(env, gamma, dist, _states(states), plot, json_out)
        return

    mdp = load_env(env)
    with progress_bar("POWER", total=samples, enabled=not json_out) as advance:
        frame = power(
            mdp,
            gammas,
            samples=samples,
            rng=seed,
            dist=dist,
            states=_states(states),
            progress=advance,
        )
    if plot:
        from powerlab._figures import save_figure
        from powerlab.report.figures import plot_power

        save_figure(plot_power(mdp, frame), plot)
    if json_out:
        cols = ["state", "gamma", "power", "stderr", "samples"]
        emit_json({"env": mdp.name, "results": frame[cols].to_dict(orient="records")})
        return
    _power_table(frame, f"POWER in {mdp.name} ({samples} samples, {dist}, seed {seed})")


def optimality_cmd(
    env: str = ENV_ARG,
    state: str = typer.Option(..., "--state", "-s", help="The state whose actions are compared."),
    gamma: list[str] = typer.Option(["0.9"], "--gamma", "-g", help=GAMMA_HELP),
    samples: int = SAMPLES_OPT,
    seed: int = SEED_OPT,
    dist: str = DIST_OPT,
    plot: str = typer.Option(None, "--plot", help="Write a bar chart."),
    json_out: bool = JSON_OPT,
    exact: bool = EXACT_OPT,
) -> None:
    """Probability that each action at STATE is optimal (Turner et al., Defs 4.3-4.4); ties all count."""
    from powerlab.mdp import load_env
    from powerlab.power import optimality_probability

    gammas = [parse_gamma(g) for g in gamma]  # also bounds the text before exact parsing
    if exact:
        from powerlab.cli._exact import run_exact_optimality

        run_exact_optimality(env, state, gamma, dist, plot, json_out)
        return

    mdp = load_env(env)
    with progress_bar("optimality", total=samples, enabled=not json_out) as advance:
        frame = optimality_probability(
            mdp, state, gammas, samples=samples, rng=seed, dist=dist, progress=advance
        )
    if plot:
        from powerlab._figures import save_figure
        from powerlab.report.figures import plot_optimality

        save_figure(plot_optimality(frame), plot)
    if json_out:
        cols = ["state", "action", "gamma", "probability", "stderr", "samples"]
        emit_json({"env": mdp.name, "results": frame[cols].to_dict(orient="records")})
        return
    _optimality_table(frame, f"Optimality probability at {state} in {mdp.name} ({samples} samples)")


def register(app: typer.Typer) -> None:
    """Add the ``power`` and ``optimality`` commands to ``app``."""
    app.command("power")(guarded(power_cmd))
    app.command("optimality")(guarded(optimality_cmd))
