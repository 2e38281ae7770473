"""``powerlab gamma-star``, ``powerlab goals sample|misgeneralization`` and ``powerlab shutdown``.

Thin over :mod:`powerlab.goals` and :mod:`powerlab.mdp.recurrence` (Krakovna & Kramár 2023,
Defs 5-9, Props 1-3, Theorem 2): each command parses its options, calls one library
function, and renders the result (a Rich table, or one JSON document with ``--json``).
JSON field meanings are documented in docs/goals.md.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
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
    parse_gamma,
    parse_number,
    progress_bar,
    say,
    split_list,
    wrote,
)
from powerlab.errors import InputError

__all__ = ["register"]

_GAMMA_HELP = "Discount γ in (0, 1); several: -g 0.5 -g 0.9 or -g 0.5,0.9. Fractions like 1/2 work."
_ONE_GAMMA_HELP = "Discount γ in (0, 1) of the goals. Fractions like 1/2 work."
_BOX_HELP = "Reward box LO,HI of G_T (default 0,1; Theorem 2 needs LO >= 0)."
_READING_HELP = (
    "When a trained action counts as optimal for a goal (Krakovna & Kramár 2023, Def 6): "
    "q = it maximises the optimal action value Q* at γ (ties count); immediate = it "
    "maximises the expected immediate reward."
)
_NEW_STATE_HELP = "The new state: one the agent never visited in training."


def _gamma(text: str, flag: str = "--gamma") -> float:
    return parse_gamma(text, flag, open_low=True, open_high=True)


def _one(values: list[str] | None, flag: str, default: str) -> str:
    """The single value of ``flag``; a second value is refused, never dropped."""
    items = split_list(values, flag) or [default]
    if len(items) > 1:
        raise InputError(
            f"{flag}: this command takes one value, got {len(items)}: {', '.join(items)}"
        )
    return items[0]


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
    "Prior over goals, e.g. beta:2,2 or uniform;s=bernoulli:0.5 (default uniform on the box)."
)
_FEATURES_HELP = "Features file: goals are θ = Φw with the box on w."
_EPS_HELP = "Approximate compatibility: trained actions within E of optimal (rejection only)."
_EPS_REL_HELP = "Read --epsilon relative to each goal's value range."
_TRAIN_GAMMA_HELP = "Form G_T at this training discount (default: the evaluation γ)."


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
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


def _stars(gamma_stars: dict[str, float]) -> str:
    """``state γ*`` pairs as a reader writes them."""
    return ", ".join(f"{k} {v:.6g}" for k, v in sorted(gamma_stars.items()))


@guarded
def gamma_star_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    from_state: str = typer.Option(
        ..., "--from", help="The state the agent starts from (a new state, outside training)."
    ),
    gamma: list[str] = typer.Option(["0.9", "0.99"], "--gamma", "-g", help=_GAMMA_HELP),
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
    gammas = [_gamma(g) for g in texts]
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
    _print_frame(
        frame,
        f"{mdp.name}: recurrent states reachable from {from_state} (Krakovna & Kramár, Props 1-3)",
    )


@guarded
def sample_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(
        ..., "--train", help="Training file: policy, reward+starts, or trajectories."
    ),
    reading: str = typer.Option("q", "--reading", help=_READING_HELP),
    sampler: str = typer.Option("hit-and-run", "--sampler", help="rejection or hit-and-run."),
    samples: int = typer.Option(1000, "--samples", "-n", help="Goals to draw."),
    seed: SeedFlag = 0,
    gamma: list[str] = typer.Option(["0.9"], "--gamma", "-g", help=_ONE_GAMMA_HELP),
    box: str = typer.Option("0,1", "--box", help=_BOX_HELP),
    prior: str = typer.Option(None, "--prior", help=_PRIOR_HELP),
    features: str = typer.Option(None, "--features", help=_FEATURES_HELP),
    epsilon: str = typer.Option("0", "--epsilon", help=_EPS_HELP),
    epsilon_relative: bool = typer.Option(False, "--epsilon-relative", help=_EPS_REL_HELP),
    train_gamma: str = typer.Option(None, "--train-gamma", help=_TRAIN_GAMMA_HELP),
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
    g = _gamma(_one(gamma, "--gamma", "0.9"))
    mdp = load_env(env)
    model = _model(mdp, box, prior, features, epsilon, epsilon_relative, train_gamma)
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
    _warn(info.get("warnings", ()))


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
        ("effective sample size", _cell(info["ess"])),
        ("R-hat (split)", _cell(info["rhat"])),
        ("acceptance (prior mass of G_T)", _acceptance(acc, info.get("acceptance_stderr"))),
        ("written to", info["out"] or "not written (use --out)"),
    ]
    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


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
            _cell(o.n),
            "does not apply" if o.bound is None else str(o.bound),
            _cell(o.fraction_avoid),
            _cell(o.stderr),
            interval,
            _cell(o.min_orbit_fraction),
            _premises_text(o),
            "-" if s is None else _cell(s.fraction_avoid),
            "-" if s is None else _cell(s.stderr),
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
            _cell(r.n),
            "does not apply" if r.bound is None else str(r.bound),
            _cell(r.avoid),
            _cell(r.stderr),
            "-" if _cell(r.low) == "-" else f"[{_cell(r.low)}, {_cell(r.high)}]",
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
        "box": list(_box(box)),
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
    new_state: str = typer.Option(..., "--new-state", help=_NEW_STATE_HELP),
    shutdown_action: str = typer.Option(
        ..., "--shutdown-action", help="Action at the new state leading to a terminal state."
    ),
    gamma: list[str] = typer.Option(
        ["0.3", "0.55", "0.7", "0.9", "0.99"], "--gamma", "-g", help=_GAMMA_HELP
    ),
    train_gamma: str = typer.Option(
        None, "--train-gamma", help="Form G_T at this training discount (default: each γ)."
    ),
    samples: int = typer.Option(1000, "--samples", "-n", help="Goals drawn from G_T per γ."),
    seed: SeedFlag = 0,
    reading: str = typer.Option("q", "--reading", help=_READING_HELP),
    sampler: str = typer.Option("hit-and-run", "--sampler", help="hit-and-run or rejection."),
    box: str = typer.Option("0,1", "--box", help=_BOX_HELP),
    prior: list[str] = typer.Option(
        [],
        "--prior",
        help=_PRIOR_HELP + " Several priors side by side: repeat the flag (a prior has commas).",
    ),
    features: str = typer.Option(None, "--features", help=_FEATURES_HELP),
    epsilon: str = typer.Option("0", "--epsilon", help=_EPS_HELP),
    epsilon_relative: bool = typer.Option(False, "--epsilon-relative", help=_EPS_REL_HELP),
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
    gammas = [_gamma(g) for g in split_list(gamma, "--gamma")]
    mdp = load_env(env)
    td = load_training(mdp, train)
    base = _model(mdp, box, None, features, epsilon, epsilon_relative, train_gamma)
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
        _warn(warnings)
        return
    reading_name = READING_NAMES.get(reading, reading)
    _shutdown_table(res.rows, f"{mdp.name}: shutdown at {new_state} ({reading_name})")
    say(f"γ* per reachable recurrent state: {_stars(st.gamma_stars)}")
    if by_model is not None:
        _by_model_table(by_model)
    _warn(warnings)


@guarded
def misgeneralization_cmd(
    env: str = typer.Argument(..., help="Environment file (YAML/JSON)."),
    train: str = typer.Option(..., "--train", help="Training file."),
    features: str = typer.Option(
        None, "--features", help="Features file: goals are θ = Φw (default: rewards on states)."
    ),
    start: str = typer.Option(..., "--start", help="Start state of the test situation."),
    gamma: list[str] = typer.Option(["0.9"], "--gamma", "-g", help=_ONE_GAMMA_HELP),
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
    g = _gamma(_one(gamma, "--gamma", "0.9"))
    mdp = load_env(env)
    phi = None if features is None else load_features(mdp, features)
    td = load_training(mdp, train)
    total = PROGRESS_PER_SAMPLE * samples
    with progress_bar("sampling goals, following them", total, enabled=not quiet) as advance:
        res = misgeneralization(
            mdp, td, phi, start, g, samples, seed, box=_box(box), progress=advance
        )
    if json_out:
        prov = provenance(seed=seed, distribution="uniform", gamma=g, samples=samples)
        emit_json({"env": mdp.name, **res.as_dict()}, prov)
        _warn(res.warnings)
        return
    _print_frame(res.frame, f"{mdp.name}: where goals go from {start} (γ={g:g})")
    say(f"prior probability of G_T (acceptance): {res.acceptance:.4f}")
    _warn(res.warnings)


def register(app: typer.Typer) -> None:
    """Add ``gamma-star``, ``goals sample|misgeneralization`` and ``shutdown`` to ``app``."""
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
    app.command("shutdown", cls=multi_value_command("--gamma", "-g", "--prior"))(shutdown_cmd)
