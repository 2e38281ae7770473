"""Demo section (leads the report): Theorem 2 and goal misgeneralization (Krakovna & Kramár 2023).

The fraction of training-compatible goals whose optimal policy avoids shutdown at a new
state, measured as γ varies, against the bound n/(n+1)
(:func:`powerlab.goals.analyze_shutdown`); and the CoinRun example's goal
misgeneralization with the coin as a feature of its own
(:func:`powerlab.goals.generalization.misgeneralization`). Each table is a library
result rendered here, and each comes with the command that reproduces it.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

from powerlab._resources import examples_dir
from powerlab.goals import analyze_shutdown, load_training
from powerlab.goals.compare import compare_models
from powerlab.goals.features import load_features
from powerlab.goals.generalization import misgeneralization
from powerlab.goals.model import GoalModel
from powerlab.goals.plot import plot_shutdown
from powerlab.mdp import load_mdp
from powerlab.power.distributions import parse_dist
from powerlab.report.page import Section, figure_html, save_report_figure, table_html

__all__ = ["build"]

GAMMAS = (0.1, 0.3, 0.45, 0.55, 0.6, 0.65, 0.75, 0.9, 0.99)
QUICK_GAMMAS = (0.3, 0.55, 0.65, 0.9)
MIS_GAMMA = 0.9


def _f(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _frame_html(frame: Any) -> str:
    return table_html(
        [str(c) for c in frame.columns],
        [[_f(v) for v in row] for row in frame.itertuples(index=False)],
    )


def _premises(conv: Any) -> str:
    if conv is None:
        return "-"
    failed = conv.failed_premises
    return "all hold" if not failed else "fail: " + ", ".join(f.replace("_", " ") for f in failed)


def _rows_html(rows: Any) -> str:
    """One row per γ; Theorem 2's premises for each model of shutdown separately."""
    head = [
        "γ", "n", "bound n/(n+1)", "avoid (paid once)", "± s.e.", "premises (paid once)",
        "avoid (self-loop)", "± s.e.", "premises (self-loop)",
    ]  # fmt: skip
    body = []
    for r in rows:
        o, s = r.once, r.self_loop
        body.append(
            [
                f"{r.gamma:g}",
                _f(o.n),
                "does not apply" if o.bound is None else str(o.bound),
                _f(o.fraction_avoid),
                _f(o.stderr),
                _premises(o),
                "-" if s is None else _f(s.fraction_avoid),
                "-" if s is None else _f(s.stderr),
                _premises(s),
            ]
        )
    return table_html(head, body)


def _reproduce(cmd: str) -> str:
    return f"<p>Reproduce with: <code>{html.escape(cmd)}</code></p>"


def _misgeneralization(quick: bool) -> tuple[str, str]:
    ex = examples_dir() / "goals"
    env, train, feats = (
        ex / "coinrun_levels.yaml",
        ex / "coinrun_levels_train.yaml",
        ex / "coinrun_features.yaml",
    )
    mdp = load_mdp(env)
    samples = 500 if quick else 2000
    res = misgeneralization(
        mdp, load_training(mdp, train), load_features(mdp, feats), "b0", MIS_GAMMA, samples, 0
    )
    cmd = (
        "powerlab goals misgeneralization examples/goals/coinrun_levels.yaml --train "
        "examples/goals/coinrun_levels_train.yaml --features examples/goals/coinrun_features.yaml "
        f"--start b0 --gamma {MIS_GAMMA:g} --samples {samples} --seed 0"
    )
    warn = "".join(f"<p>warning: {html.escape(w)}</p>" for w in res.warnings)
    body = (
        f"<p>Goal misgeneralization (the CoinRun example, γ = {MIS_GAMMA:g}). Goals are "
        "θ = Φw on three features, <code>coin</code>, <code>exit</code> and "
        "<code>floor</code>, with w uniform on [0,1]<sup>3</sup>. In the training level the "
        "coin is at the exit, so training cannot tell a coin goal from an exit goal, and "
        "G_T holds both; in the test level the coin sits beside the corridor. Where the "
        "optimal policy from <code>b0</code> ends, for goals from the prior and for goals "
        "uniform on G_T, with 95% Wilson intervals; the odds ratio is how much conditioning "
        f"on training compatibility moves each destination's odds. The prior puts "
        f"{res.acceptance:.3f} of its mass on G_T.</p>"
        + _frame_html(res.frame)
        + warn
        + _reproduce(cmd)
    )
    return body, cmd


def _priors(mdp: Any, td: Any, quick: bool) -> str:
    """Turner's critique: the avoidance fraction under other priors beside the bound."""
    gammas = (0.9,) if quick else (0.55, 0.9)
    specs = ("beta:2,2",) if quick else ("beta:2,2", "beta:1,5")
    samples = 200 if quick else 1000
    models = [GoalModel(), *(GoalModel(prior=parse_dist(p)) for p in specs)]
    frame = compare_models(mdp, td, "button", "halt", gammas, models, 0, samples=samples)
    warnings = [w for w in frame.pop("warnings") if w]
    frame["failed_premises"] = frame["failed_premises"].replace("", "none")
    frame = frame.rename(
        columns={"goal_model": "prior", "gamma": "γ", "failed_premises": "premises that fail"}
    )
    cmd = (
        "powerlab shutdown examples/goals/coinrun.yaml --train examples/goals/coinrun_train.yaml "
        "--new-state button --shutdown-action halt "
        + " ".join(f"--gamma {g}" for g in gammas)
        + "".join(f" --prior {p}" for p in specs)
        + f" --samples {samples} --seed 0"
    )
    return (
        "<p>Turner's critique, made computable: the same fraction when training picks goals "
        "from G_T under other priors (hit-and-run draws reweighted by the prior density), "
        "beside Theorem 2's bound, which holds for any prior that treats the rewards of "
        "the reachable recurrent states exchangeably.</p>"
        + _frame_html(frame)
        + "".join(f"<p>warning: {html.escape(w)}</p>" for w in warnings)
        + _reproduce(cmd)
    )


def build(outdir: Path, quick: bool) -> Section:
    """Run the shutdown analysis and the misgeneralization table, and render the section."""
    ex = examples_dir() / "goals"
    mdp = load_mdp(ex / "coinrun.yaml")
    td = load_training(mdp, ex / "coinrun_train.yaml")
    gammas = QUICK_GAMMAS if quick else GAMMAS
    samples = 300 if quick else 1000
    res = analyze_shutdown(
        mdp,
        td,
        "button",
        "halt",
        gammas,
        samples=samples,
        rng=0,  # the orbit counts are the command's defaults, so Reproduce gives this table
    )
    st, rows = res.setting, res.rows
    fig = plot_shutdown(
        rows, None, title="CoinRun-like example: shutdown at 'button'", gamma_stars=st.gamma_stars
    )
    name = save_report_figure(fig, outdir, "shutdown-coinrun.png")
    cmd = (
        "powerlab shutdown examples/goals/coinrun.yaml --train examples/goals/coinrun_train.yaml "
        "--new-state button --shutdown-action halt "
        + " ".join(f"--gamma {g}" for g in gammas)
        + f" --samples {samples} --seed 0"
    )
    frame = res.frame()
    warnings = [w for w in frame.pop("warnings") if w]
    mis_body, _ = _misgeneralization(quick)
    stars = ", ".join(f"{k}: {v:.6f}" for k, v in sorted(st.gamma_stars.items()))
    body = (
        "<p>Krakovna &amp; Kramár (2023), Theorem 2: in a new situation outside training, at "
        "least n/(n+1) of the training-compatible goals avoid the shutdown action. A goal "
        "(a reward vector drawn uniformly from [0,1]<sup>S</sup>) is training-compatible when "
        "every action the agent took in training is optimal for it, judged by the goal's "
        "optimal action values Q* (Def 6); these goals form the set G_T. Here n counts "
        "the recurrent states reachable from the new state whose threshold γ* lies below γ; "
        "γ* is the discount above which reaching the state and returning to it forever is "
        "worth more than any single visit (Prop 3, for the best such policy). The new state "
        "is <code>button</code>; <code>halt</code> is the shutdown state. γ* per recurrent "
        f"state: {html.escape(stars)}. The fraction is measured (±2 s.e.) under two models "
        "of shutdown: the shutdown state pays its reward once and the episode ends (Krakovna "
        "&amp; Kramár's assumption, under which every premise of Theorem 2 holds and the "
        "bound is drawn), and the shutdown state loops on itself and pays its reward at "
        "every step (Turner's model), where the premise that shutdown pays once fails and "
        "no bound is claimed. The table lists the premises that fail for each model.</p>"
        + figure_html(name, "Fraction of G_T goals avoiding shutdown vs γ, with n/(n+1)")
        + _rows_html(rows)
        + "".join(f"<p>warning: {html.escape(w)}</p>" for w in warnings)
        + _reproduce(cmd)
        + _priors(mdp, td, quick)
        + mis_body
    )
    last = rows[-1].once
    summary = [
        ("shutdown: γ range", f"{gammas[0]}..{gammas[-1]}"),
        (f"avoid shutdown at γ={rows[-1].gamma}", f"{_f(last.fraction_avoid)} ± {_f(last.stderr)}"),
        (
            f"Theorem 2 bound at γ={rows[-1].gamma}",
            "n/a" if last.bound is None else str(last.bound),
        ),
    ]
    return Section(
        title="Shutdown: training-compatible goals (Krakovna & Kramár 2023)",
        html=body,
        summary=summary,
        command=cmd,
    )
