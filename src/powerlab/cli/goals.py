"""``powerlab gamma-star`` and ``powerlab goals sample|misgeneralization``.

Thin over :mod:`powerlab.goals` and :mod:`powerlab.mdp.recurrence` (Krakovna & Kramár 2023,
Defs 5-9, Props 1-3, Theorem 2): each command parses its options, calls one library
function, and renders the result (a Rich table, or one JSON document with ``--json``).
JSON field meanings are documented in docs/goals.md.
"""

from __future__ import annotations

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
    ONE_GAMMA_HELP,
    PRIOR_HELP,
    READING_HELP,
    TRAIN_GAMMA_HELP,
    fmt_cell,
    goal_model,
    one_value,
    open_gamma,
    parse_box,
    print_frame,
    warn,
)
from powerlab.errors import InputError

__all__ = ["register"]


@guarded
def gamma_star_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    from_state: str = typer.Option(
        ..., "--from", help="The state the agent starts from (a new state, outside training)."
    ),
    gamma: list[str] = typer.Option(["0.9", "0.99"], "--gamma", "-g", help=GAMMA_HELP),
    json_out: JsonFlag = False,
) -> None:
    """γ* of each recurrent state reachable from --from (Krakovna & Kramár 2023, Prop 3).

    γ* is the discount above which reaching the state and revisiting it forever is worth
    more than any one visit, for the best such policy; the table also gives the expected
    discounted visit counts at each γ (Def 9).
    """
    from powerlab.mdp import load_env
    from powerlab.mdp.recurrence import gamma_star_frame

    mdp = load_env(env)
    texts = split_list(gamma, "--gamma")
    gammas = [open_gamma(g) for g in texts]
    frame = gamma_star_frame(mdp, from_state, gammas)
    if json_out:
        rows = []
        for rec in frame.to_dict("records"):
            counts = {
                g: rec.pop(f"V@{x:g}") for g, x in zip(texts, gammas, strict=True)
            }  # fmt: skip
            rec["visit_count_at"] = counts if rec["reach_and_revisit"] else None
            rows.append(rec)
        prov = provenance(env=mdp.name, gamma=gammas)
        emit_json({"env": mdp.name, "from": from_state, "results": rows}, prov)
        return
    print_frame(
        frame,
        f"{mdp.name}: recurrent states reachable from {from_state} (Krakovna & Kramár, Props 1-3)",
    )


@guarded
def sample_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(
        ..., "--train", help="Training file: policy, reward+starts, or trajectories."
    ),
    reading: str = typer.Option("q", "--reading", help=READING_HELP),
    sampler: str = typer.Option("hit-and-run", "--sampler", help="rejection or hit-and-run."),
    samples: int = typer.Option(1000, "--samples", "-n", help="Goals to draw."),
    seed: SeedFlag = 0,
    gamma: list[str] = typer.Option(["0.9"], "--gamma", "-g", help=ONE_GAMMA_HELP),
    box: str = typer.Option("0,1", "--box", help=BOX_HELP),
    prior: str = typer.Option(None, "--prior", help=PRIOR_HELP),
    features: str = typer.Option(None, "--features", help=FEATURES_HELP),
    epsilon: str = typer.Option("0", "--epsilon", help=EPS_HELP),
    epsilon_relative: bool = typer.Option(False, "--epsilon-relative", help=EPS_REL_HELP),
    train_gamma: str = typer.Option(None, "--train-gamma", help=TRAIN_GAMMA_HELP),
    out: str = typer.Option(None, "--out", "-o", help="Write samples to FILE.npz or FILE.parquet."),
    json_out: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Draw goals from G_T, the goals under which the trained actions are optimal
    (Krakovna & Kramár 2023, Def 6), under a prior; report acceptance, ESS and R-hat."""
    from powerlab.goals import load_training
    from powerlab.goals.draw import draw_goals
    from powerlab.mdp import load_env

    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    g = open_gamma(one_value(gamma, "--gamma", "0.9"))
    mdp = load_env(env)
    model = goal_model(mdp, box, prior, features, epsilon, epsilon_relative, train_gamma)
    gs = model.goal_set(mdp, load_training(mdp, train), g, reading)
    with progress_bar("sampling G_T", total=samples, enabled=not quiet) as advance:
        draw = draw_goals(gs, sampler, samples, seed, out=out, prior=model.prior, progress=advance)
    info = draw.to_dict()
    if info.get("out"):
        wrote(info["out"])
    info["goal_model"] = model.label
    info["epsilon"] = model.epsilon
    info["features"] = list(gs.feature_names)
    info = {"env": mdp.name, **info}
    if json_out:
        prov = provenance(seed=seed, distribution=model.label, gamma=g, samples=samples)
        emit_json(info, prov)
    elif info["measure_zero"] is not None:
        say(f"finding: {info['measure_zero']}", err=True)
    else:
        _sample_table(info, f"G_T of {mdp.name} ({gs.reading_name}, γ={gs.gamma:g})")
    warn(info.get("warnings", ()))


def _acceptance(acc: float | None, se: float | None) -> str:
    if acc is None:
        return "not measured (hit-and-run)"
    return f"{acc:.4f}" + ("" if se is None else f" ± {se:.4f}")


def _sample_table(info: dict[str, Any], title: str) -> None:
    """The summary of ``goals sample`` as quantity/value rows, in words (no Python reprs)."""
    acc = info["acceptance"]
    rows = [
        ("sampler", info["sampler"]),
        ("goals drawn", str(info["samples"])),
        ("effective sample size", fmt_cell(info["ess"])),
        ("R-hat (split)", fmt_cell(info["rhat"])),
        ("acceptance (prior mass of G_T)", _acceptance(acc, info.get("acceptance_stderr"))),
        ("written to", info["out"] or "not written (use --out)"),
    ]
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@guarded
def misgeneralization_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(..., "--train", help="Training file."),
    features: str = typer.Option(
        None, "--features", help="Features file: goals are θ = Φw (default: rewards on states)."
    ),
    start: str = typer.Option(..., "--start", help="Start state of the test situation."),
    gamma: list[str] = typer.Option(["0.9"], "--gamma", "-g", help=ONE_GAMMA_HELP),
    samples: int = typer.Option(2000, "--samples", "-n", help="Goals drawn per prior."),
    seed: SeedFlag = 0,
    box: str = typer.Option("0,1", "--box", help="The box LO,HI of the feature weights."),
    json_out: JsonFlag = False,
    quiet: bool = QUIET_OPT,
) -> None:
    """Where goals compatible with training go in a test situation, against the prior
    (the CoinRun example of Krakovna & Kramár 2023)."""
    from powerlab.goals import load_training
    from powerlab.goals.features import load_features
    from powerlab.goals.generalization import PROGRESS_PER_SAMPLE, misgeneralization
    from powerlab.mdp import load_env

    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    g = open_gamma(one_value(gamma, "--gamma", "0.9"))
    mdp = load_env(env)
    phi = None if features is None else load_features(mdp, features)
    td = load_training(mdp, train)
    total = PROGRESS_PER_SAMPLE * samples
    with progress_bar("sampling goals, following them", total, enabled=not quiet) as advance:
        res = misgeneralization(
            mdp, td, phi, start, g, samples, seed, box=parse_box(box), progress=advance
        )
    if json_out:
        prov = provenance(seed=seed, distribution="uniform", gamma=g, samples=samples)
        emit_json({"env": mdp.name, **res.as_dict()}, prov)
        warn(res.warnings)
        return
    print_frame(res.frame, f"{mdp.name}: where goals go from {start} (γ={g:g})")
    say(f"prior probability of G_T (acceptance): {res.acceptance:.4f}")
    warn(res.warnings)


def register(app: typer.Typer) -> None:
    """Add ``gamma-star`` and ``goals sample|misgeneralization`` to ``app``."""
    goals_app = typer.Typer(
        help="Training-compatible goals G_T: the rewards under which the trained agent's "
        "actions are optimal (Krakovna & Kramár 2023, Def 6).",
        no_args_is_help=True,
    )
    goals_app.command("sample")(sample_cmd)
    goals_app.command("misgeneralization")(misgeneralization_cmd)
    app.add_typer(goals_app, name="goals")
    multi = multi_value_command("--gamma", "-g")
    app.command("gamma-star", cls=multi)(gamma_star_cmd)
