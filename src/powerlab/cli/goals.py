"""``powerlab gamma-star``, ``powerlab goals sample|misgeneralization`` and ``powerlab shutdown``.

Thin over :mod:`powerlab.goals` and :mod:`powerlab.mdp.recurrence` (Krakovna & Kramár 2023,
Defs 5-9, Props 1-3, Theorem 2): each command parses its options, calls one library
function, and renders the result (a Rich table, or one JSON document with ``--json``).
JSON field meanings are documented in docs/goals.md.
"""

from __future__ import annotations

import math
from typing import Any

import typer

from powerlab.cli._common import (
    Table,
    console,
    emit_json,
    guarded,
    parse_gamma,
    parse_number,
    progress_bar,
    say,
)
from powerlab.errors import InputError

__all__ = ["register"]

_GAMMA_HELP = "Discount in (0, 1); repeat for several. Fractions like 1/2 work."
_BOX_HELP = "The reward box LO,HI of G_T (default 0,1; Theorem 2 needs LO >= 0)."


def _gamma(text: str, flag: str = "--gamma") -> float:
    return parse_gamma(text, flag, open_low=True, open_high=True)


def _box(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise InputError(f"--box: expected LO,HI, got {text!r}")
    lo, hi = (parse_number(p, "--box") for p in parts)
    if not hi > lo:
        raise InputError(f"--box: need LO < HI, got {text!r}")
    return lo, hi


def _model(
    mdp: Any,
    box: str,
    prior: str | None,
    features: str | None,
    epsilon: str,
    relative: bool,
    train_gamma: str | None,
) -> Any:
    """The :class:`~powerlab.goals.model.GoalModel` the options describe."""
    from powerlab.goals.features import load_features
    from powerlab.goals.model import GoalModel
    from powerlab.power.distributions import parse_dist

    return GoalModel(
        box=_box(box),
        prior=None if prior is None else parse_dist(prior, mdp.state_index),
        features=None if features is None else load_features(mdp, features),
        epsilon=parse_number(epsilon, "--epsilon", low=0.0),
        epsilon_relative=relative,
        train_gamma=None if train_gamma is None else _gamma(train_gamma, "--train-gamma"),
    )


_PRIOR_HELP = (
    "Prior over G_T, e.g. beta:2,2 or uniform;s=bernoulli:0.5 (default uniform on the box)."
)
_FEATURES_HELP = "Features file: goals are θ = Φw with the box on w."
_EPS_HELP = "Approximate compatibility: trained actions within E of optimal (rejection only)."
_EPS_REL_HELP = "Read --epsilon relative to each goal's value range."
_TRAIN_GAMMA_HELP = "Form G_T at this training discount (default: the evaluation γ)."


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def _print_frame(frame: Any, title: str) -> None:
    """A DataFrame as a table (user text is literal, never markup)."""
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def _warn(lines: Any) -> None:
    for line in lines:
        say(f"warning: {line}", err=True)


@guarded
def gamma_star_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    from_state: str = typer.Option(..., "--from", help="The new state s_new."),
    gamma: list[str] = typer.Option(["0.9", "0.99"], "--gamma", "-g", help=_GAMMA_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """γ* of each recurrent state reachable from s_new (Prop 3), for the best
    reach-and-revisit policy, with its visit counts (Def 9)."""
    from powerlab.mdp import load_env
    from powerlab.mdp.recurrence import gamma_star_frame

    mdp = load_env(env)
    gammas = [_gamma(g) for g in gamma]
    frame = gamma_star_frame(mdp, from_state, gammas)
    if json_out:
        rows = []
        for rec in frame.to_dict("records"):
            counts = {
                g: rec.pop(f"V@{x:g}") for g, x in zip(gamma, gammas, strict=True)
            }  # fmt: skip
            rec["visit_count_at"] = counts if rec["reach_and_revisit"] else None
            rows.append(rec)
        emit_json({"env": mdp.name, "from": from_state, "results": rows})
        return
    _print_frame(frame, f"{mdp.name}: S_reach from {from_state} (Krakovna & Kramár, Props 1-3)")


@guarded
def sample_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(
        ..., "--train", help="Training file: policy, reward+starts, or trajectories."
    ),
    reading: str = typer.Option("q", "--reading", help="q (Q*-optimality) or immediate."),
    sampler: str = typer.Option("hit-and-run", "--sampler", help="rejection or hit-and-run."),
    samples: int = typer.Option(1000, "--samples", "-n", help="Goals to draw."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    gamma: str = typer.Option("0.9", "--gamma", "-g", help="The goals' discount (q reading)."),
    box: str = typer.Option("0,1", "--box", help=_BOX_HELP),
    prior: str = typer.Option(None, "--prior", help=_PRIOR_HELP),
    features: str = typer.Option(None, "--features", help=_FEATURES_HELP),
    epsilon: str = typer.Option("0", "--epsilon", help=_EPS_HELP),
    epsilon_relative: bool = typer.Option(False, "--epsilon-relative", help=_EPS_REL_HELP),
    train_gamma: str = typer.Option(None, "--train-gamma", help=_TRAIN_GAMMA_HELP),
    out: str = typer.Option(None, "--out", help="Write samples to FILE.npz or FILE.parquet."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Draw goals from G_T (Def 6) under a prior and report acceptance, ESS and R-hat."""
    from powerlab.goals import load_training
    from powerlab.goals.draw import draw_goals
    from powerlab.mdp import load_env

    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    mdp = load_env(env)
    model = _model(mdp, box, prior, features, epsilon, epsilon_relative, train_gamma)
    gs = model.goal_set(mdp, load_training(mdp, train), _gamma(gamma), reading)
    with progress_bar("sampling G_T", total=1, enabled=not json_out) as advance:
        info = draw_goals(gs, sampler, samples, seed, out=out, prior=model.prior)
        advance(1)
    info["goal_model"] = model.label
    info["epsilon"] = model.epsilon
    info["features"] = list(gs.feature_names)
    info = {"env": mdp.name, **info}
    if json_out:
        emit_json(info)
    elif info["measure_zero"] is not None:
        say(f"finding: {info['measure_zero']}", err=True)
    else:
        import pandas as pd

        keys = ("sampler", "samples", "ess", "rhat", "acceptance", "acceptance_stderr", "out")
        frame = pd.DataFrame({"quantity": keys, "value": [info[k] for k in keys]})
        _print_frame(frame, f"G_T of {mdp.name} ({gs.reading_name}, γ={gs.gamma})")
    _warn(info.get("warnings", ()))


@guarded
def shutdown_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(..., "--train", help="Training file."),
    new_state: str = typer.Option(..., "--new-state", help="s_new, a state outside S_train."),
    shutdown_action: str = typer.Option(
        ..., "--shutdown-action", help="Action at s_new leading to a terminal state."
    ),
    gamma: list[str] = typer.Option(
        ["0.3", "0.55", "0.7", "0.9", "0.99"], "--gamma", "-g", help=_GAMMA_HELP
    ),
    train_gamma: str = typer.Option(
        None, "--train-gamma", help="Form G_T at this training discount (default: each γ)."
    ),
    samples: int = typer.Option(1000, "--samples", "-n", help="Goals drawn from G_T per γ."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    reading: str = typer.Option("q", "--reading", help="q (Q*-optimality) or immediate."),
    sampler: str = typer.Option("hit-and-run", "--sampler", help="hit-and-run or rejection."),
    box: str = typer.Option("0,1", "--box", help=_BOX_HELP),
    prior: list[str] = typer.Option(
        [], "--prior", help=_PRIOR_HELP + " Repeat to compare priors side by side."
    ),
    features: str = typer.Option(None, "--features", help=_FEATURES_HELP),
    epsilon: str = typer.Option("0", "--epsilon", help=_EPS_HELP),
    epsilon_relative: bool = typer.Option(False, "--epsilon-relative", help=_EPS_REL_HELP),
    plot: str = typer.Option(None, "--plot", help="Write the figure (PNG)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Theorem 2 (Krakovna & Kramár 2023) against the measured fraction avoiding shutdown."""
    from dataclasses import replace

    from powerlab.goals import analyze_shutdown, load_training
    from powerlab.goals.compare import compare_models
    from powerlab.goals.compatible import READING_NAMES
    from powerlab.mdp import load_env
    from powerlab.power.distributions import parse_dist

    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    mdp = load_env(env)
    td = load_training(mdp, train)
    gammas = [_gamma(g) for g in gamma]
    base = _model(mdp, box, None, features, epsilon, epsilon_relative, train_gamma)
    models = [replace(base, prior=parse_dist(p, mdp.state_index)) for p in prior]
    tg = base.train_gamma
    kw: dict[str, Any] = {"reading": reading, "samples": samples, "sampler": sampler}
    with progress_bar("shutdown analysis", total=2 * len(gammas), enabled=not json_out) as adv:
        res = analyze_shutdown(
            mdp, td, new_state, shutdown_action, gammas, model=base, rng=seed, progress=adv, **kw
        )
    by_model = None
    if models:
        by_model = compare_models(
            mdp, td, new_state, shutdown_action, gammas, [base, *models], seed, **kw
        )
    st = res.setting
    if plot:
        from powerlab.goals.plot import plot_shutdown

        plot_shutdown(
            res.rows, plot, title=f"{mdp.name}: shutdown at {new_state}", gamma_stars=st.gamma_stars
        )
    warnings = [w for r in res.rows for c in (r.once, r.self_loop) if c for w in c.warnings]
    if json_out:
        emit_json(
            {
                "env": mdp.name,
                "new_state": new_state,
                "shutdown_action": shutdown_action,
                "s_term": mdp.states[st.s_term],
                "reading": reading,
                "reading_name": READING_NAMES.get(reading, reading),
                "box": list(_box(box)),
                "train_gamma": tg,
                "goal_model": base.label,
                "s_reach": [mdp.states[i] for i in st.s_reach.nonzero()[0]],
                "gamma_star": st.gamma_stars,
                "results": [r.as_dict() for r in res.rows],
                "by_model": None if by_model is None else by_model.to_dict("records"),
                "warnings": warnings,
            }
        )
        _warn(warnings)
        return
    _print_frame(
        res.frame().drop(columns=["warnings"]),
        f"{mdp.name}: shutdown at {new_state} ({reading} reading)",
    )
    say(f"γ* per reachable recurrent state: {st.gamma_stars}")
    if by_model is not None:
        _print_frame(
            by_model.drop(columns=["warnings"]),
            "Avoiding shutdown under each prior, beside Theorem 2's bound",
        )
    if plot:
        say(f"figure: {plot}")
    _warn(warnings)


@guarded
def misgeneralization_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(..., "--train", help="Training file."),
    features: str = typer.Option(
        None, "--features", help="Features file: goals are θ = Φw (default: rewards on states)."
    ),
    start: str = typer.Option(..., "--start", help="Start state of the test situation."),
    gamma: str = typer.Option("0.9", "--gamma", "-g", help="The goals' discount."),
    samples: int = typer.Option(2000, "--samples", "-n", help="Goals drawn per prior."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    box: str = typer.Option("0,1", "--box", help="The box LO,HI of the feature weights."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Where G_T's goals go in a test situation, against the prior (the CoinRun example)."""
    from powerlab.goals import load_training
    from powerlab.goals.features import load_features
    from powerlab.goals.generalization import misgeneralization
    from powerlab.mdp import load_env

    if samples < 1:
        raise InputError(f"--samples must be at least 1, got {samples}")
    mdp = load_env(env)
    phi = None if features is None else load_features(mdp, features)
    td = load_training(mdp, train)
    res = misgeneralization(mdp, td, phi, start, _gamma(gamma), samples, seed, box=_box(box))
    if json_out:
        emit_json({"env": mdp.name, **res.as_dict()})
        _warn(res.warnings)
        return
    _print_frame(res.frame, f"{mdp.name}: where goals go from {start} (γ={_gamma(gamma):g})")
    say(f"prior probability of G_T (acceptance): {res.acceptance:.4f}")
    _warn(res.warnings)


def register(app: typer.Typer) -> None:
    """Add ``gamma-star``, ``goals sample|misgeneralization`` and ``shutdown`` to ``app``."""
    goals_app = typer.Typer(
        help="Training-compatible goal sets (Krakovna & Kramár 2023, Def 6).", no_args_is_help=True
    )
    goals_app.command("sample")(sample_cmd)
    goals_app.command("misgeneralization")(misgeneralization_cmd)
    app.add_typer(goals_app, name="goals")
    app.command("gamma-star")(gamma_star_cmd)
    app.command("shutdown")(shutdown_cmd)
