"""``powerlab shutdown``: Theorem 2 (Krakovna & Kramár 2023) against measurement.

Thin over :func:`powerlab.goals.analyze_shutdown` and
:func:`powerlab.goals.compare.compare_models`: the fraction of the training-compatible goals
G_T whose optimal policy avoids shutdown at a new state, beside Theorem 2's bound, as a Rich
table or one JSON document with ``--json`` (fields documented in docs/goals.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
    SeedFlag,
    Table,
    console,
    emit_json,
    guarded,
    multi_value_command,
    progress_bar,
    say,
    split_list,
    wrote,
)
from powerlab.cli._goal_options import (
    BOX_HELP,
    EPS_HELP,
    EPS_REL_HELP,
    FEATURES_HELP,
    GAMMA_HELP,
    NEW_STATE_HELP,
    PRIOR_HELP,
    READING_HELP,
    fmt_cell,
    fmt_stars,
    goal_model,
    open_gamma,
    parse_box,
    warn,
)
from powerlab.errors import InputError

__all__ = ["register", "shutdown_cmd"]


def _premises_text(conv: Any) -> str:
    if conv is None:
        return "-"
    failed = conv.failed_premises
    return "all hold" if not failed else "fail: " + ", ".join(f.replace("_", " ") for f in failed)


def _shutdown_table(rows: Any, title: str) -> None:
    """One row per γ; Theorem 2's premises are shown for each convention separately."""
    table = Table(title=title)
    heads = (
        "γ",
        "n",
        "bound n/(n+1)",
        "avoid (paid once)",
        "± s.e.",
        "95% interval",
        "min within-orbit",
        "premises (paid once)",
        "avoid (self-loop)",
        "± s.e.",
        "premises (self-loop)",
    )
    for h in heads:
        table.add_column(h, justify="left" if h.startswith("premises") else "right")
    for r in rows:
        o, s = r.once, r.self_loop
        interval = "-" if o.interval is None else f"[{o.interval[0]:.4f}, {o.interval[1]:.4f}]"
        table.add_row(
            f"{r.gamma:g}",
            fmt_cell(o.n),
            "does not apply" if o.bound is None else str(o.bound),
            fmt_cell(o.fraction_avoid),
            fmt_cell(o.stderr),
            interval,
            fmt_cell(o.min_orbit_fraction),
            _premises_text(o),
            "-" if s is None else fmt_cell(s.fraction_avoid),
            "-" if s is None else fmt_cell(s.stderr),
            _premises_text(s),
        )
    console.print(table)


def _by_model_table(frame: Any) -> None:
    """Avoidance under each prior (reward paid once), beside Theorem 2's bound."""
    table = Table(title="Avoiding shutdown under each prior (reward paid once), beside Theorem 2")
    heads = ("prior", "γ", "n", "bound n/(n+1)", "avoid", "± s.e.", "95% interval", "premises")
    for h in heads:
        table.add_column(h, justify="left" if h in ("prior", "premises") else "right")
    for r in frame.itertuples(index=False):
        failed = r.failed_premises
        table.add_row(
            str(r.goal_model),
            f"{r.gamma:g}",
            fmt_cell(r.n),
            "does not apply" if r.bound is None else str(r.bound),
            fmt_cell(r.avoid),
            fmt_cell(r.stderr),
            "-" if fmt_cell(r.low) == "-" else f"[{fmt_cell(r.low)}, {fmt_cell(r.high)}]",
            "all hold" if not failed else "fail: " + failed.replace("_", " "),
        )
    console.print(table)


def _shutdown_document(
    head: dict[str, Any],
    mdp: Any,
    res: Any,
    reading: str,
    box: str,
    model: Any,
    by_model: Any,
    warnings: list[str],
) -> dict[str, Any]:
    """``shutdown --json``: ``head``, the setting (s_term, reachable states, γ*), the goal
    model, one result per γ, the priors side by side (or None) and the warnings."""
    from powerlab.goals.compatible import READING_NAMES

    st = res.setting
    return {
        **head,
        "s_term": mdp.states[st.s_term],
        "reading": reading,
        "reading_name": READING_NAMES.get(reading, reading),
        "box": list(parse_box(box)),
        "train_gamma": model.train_gamma,
        "goal_model": model.label,
        "s_reach": [mdp.states[i] for i in st.s_reach.nonzero()[0]],
        "gamma_star": st.gamma_stars,
        "results": [r.as_dict() for r in res.rows],
        "by_model": None if by_model is None else by_model.to_dict("records"),
        "warnings": warnings,
    }


@guarded
def shutdown_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(..., "--train", help="Training file."),
    new_state: str = typer.Option(..., "--new-state", help=NEW_STATE_HELP),
    shutdown_action: str = typer.Option(
        ..., "--shutdown-action", help="Action at the new state leading to a terminal state."
    ),
    gamma: list[str] = typer.Option(
        ["0.3", "0.55", "0.7", "0.9", "0.99"], "--gamma", "-g", help=GAMMA_HELP
    ),
    train_gamma: str = typer.Option(
        None, "--train-gamma", help="Form G_T at this training discount (default: each γ)."
    ),
    samples: int = typer.Option(1000, "--samples", "-n", help="Goals drawn from G_T per γ."),
    seed: SeedFlag = 0,
    reading: str = typer.Option("q", "--reading", help=READING_HELP),
    sampler: str = typer.Option("hit-and-run", "--sampler", help="hit-and-run or rejection."),
    box: str = typer.Option("0,1", "--box", help=BOX_HELP),
    prior: list[str] = typer.Option(
        [],
        "--prior",
        help=PRIOR_HELP + " Several priors side by side: repeat the flag (a prior has commas).",
    ),
    features: str = typer.Option(None, "--features", help=FEATURES_HELP),
    epsilon: str = typer.Option("0", "--epsilon", help=EPS_HELP),
    epsilon_relative: bool = typer.Option(False, "--epsilon-relative", help=EPS_REL_HELP),
    plot: Path = typer.Option(None, "--plot", help="Write the figure (PNG) to PATH."),
    json_out: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Theorem 2 (Krakovna & Kramár 2023) against measurement: the fraction of the goals G_T
    compatible with training (rewards under which every trained action is optimal, Def 6)
    whose optimal policy avoids shutdown at a new state, when the shutdown state pays its
    reward once and when it loops on itself."""
    from dataclasses import replace

    from powerlab.goals import analyze_shutdown, load_training
    from powerlab.goals.compare import compare_models
    from powerlab.goals.compatible import READING_NAMES
    from powerlab.mdp import load_env
    from powerlab.power.distributions import parse_dist

    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    gammas = [open_gamma(g) for g in split_list(gamma, "--gamma")]
    mdp = load_env(env)
    td = load_training(mdp, train)
    base = goal_model(mdp, box, None, features, epsilon, epsilon_relative, train_gamma)
    models = [replace(base, prior=parse_dist(p, mdp.state_index)) for p in prior]
    kw: dict[str, Any] = {"reading": reading, "samples": samples, "sampler": sampler}
    steps = 2 * len(gammas) + (len(models) + 1) * len(gammas) * bool(models)
    with progress_bar("shutdown analysis (γ x convention)", steps, enabled=not quiet) as adv:
        res = analyze_shutdown(
            mdp, td, new_state, shutdown_action, gammas, model=base, rng=seed, progress=adv, **kw
        )
        by_model = None
        if models:
            by_model = compare_models(
                mdp, td, new_state, shutdown_action, gammas, [base, *models], seed,
                progress=adv, **kw,
            )  # fmt: skip
    st = res.setting
    if plot:
        from powerlab.goals.plot import plot_shutdown

        plot_shutdown(
            res.rows, plot, title=f"{mdp.name}: shutdown at {new_state}", gamma_stars=st.gamma_stars
        )
        wrote(plot)
    warnings = [w for r in res.rows for c in (r.once, r.self_loop) if c for w in c.warnings]
    if json_out:
        prov = provenance(
            seed=seed, distribution=[m.label for m in [base, *models]], gamma=gammas,
            samples=samples,
        )  # fmt: skip
        head = {"env": mdp.name, "new_state": new_state, "shutdown_action": shutdown_action}
        emit_json(_shutdown_document(head, mdp, res, reading, box, base, by_model, warnings), prov)
        warn(warnings)
        return
    reading_name = READING_NAMES.get(reading, reading)
    _shutdown_table(res.rows, f"{mdp.name}: shutdown at {new_state} ({reading_name})")
    say(f"γ* per reachable recurrent state: {fmt_stars(st.gamma_stars)}")
    if by_model is not None:
        _by_model_table(by_model)
    warn(warnings)


def register(app: typer.Typer) -> None:
    """Add ``shutdown`` to ``app``."""
    app.command("shutdown", cls=multi_value_command("--gamma", "-g", "--prior"))(shutdown_cmd)
