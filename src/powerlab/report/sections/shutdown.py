"""Demo section (leads the report): Theorem 2 on the CoinRun-like example (issue 3).

Krakovna & Kramár (2023): the fraction of training-compatible goals whose optimal policy
avoids shutdown at a new state, measured as γ varies, against the bound n/(n+1); and the
goal misgeneralization of the CoinRun example (where G_T's goals go when the coin moves).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from powerlab.goals import (
    analyze_shutdown,
    destinations,
    goal_set,
    load_training,
    sample_hit_and_run,
)
from powerlab.goals.plot import plot_shutdown
from powerlab.mdp import load_mdp
from powerlab.report.page import Section, examples_dir, figure_html, save_figure, table_html

__all__ = ["build"]

GAMMAS = (0.1, 0.3, 0.45, 0.55, 0.6, 0.65, 0.75, 0.9, 0.99)
QUICK_GAMMAS = (0.3, 0.55, 0.65, 0.9)


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def build(outdir: Path, quick: bool) -> Section:
    """Run the shutdown analysis on examples/goals/coinrun.yaml and render the section."""
    ex = examples_dir() / "goals"
    env, train = ex / "coinrun.yaml", ex / "coinrun_train.yaml"
    mdp = load_mdp(env)
    td = load_training(mdp, train)
    gammas = QUICK_GAMMAS if quick else GAMMAS
    samples = 300 if quick else 1000
    st, rows = analyze_shutdown(
        mdp,
        td,
        "button",
        "halt",
        gammas,
        samples=samples,
        rng=0,
        orbits=10 if quick else 20,
        orbit_draws=100 if quick else 200,
    )
    fig = plot_shutdown(
        rows, None, title="CoinRun-like example: shutdown at 'button'", gamma_stars=st.gamma_stars
    )
    name = save_figure(fig, outdir, "shutdown-coinrun.png")
    table = table_html(
        [
            "γ",
            "n",
            "bound n/(n+1)",
            "avoid (paid once)",
            "± se",
            "min within-orbit",
            "avoid (self-loop)",
            "± se",
            "failed premises",
        ],
        [
            [
                f"{r.gamma:g}",
                r.once.n,
                "n/a" if r.once.bound is None else str(r.once.bound),
                _f(r.once.fraction_avoid),
                _f(r.once.stderr),
                _f(r.once.min_orbit_fraction),
                _f(r.self_loop.fraction_avoid if r.self_loop else None),
                _f(r.self_loop.stderr if r.self_loop else None),
                ", ".join(k for k, v in r.once.premises.items() if not v) or "none",
            ]
            for r in rows
        ],
    )
    # goal misgeneralization: where do G_T's goals go in the test level with the coin moved?
    g_mis = 0.5
    gs = goal_set(mdp, td, g_mis)
    draws = sample_hit_and_run(gs, 300 if quick else 1000, rng=1)
    dest = destinations(mdp, draws.samples, g_mis, "b0")
    box = np.random.default_rng(2).random(draws.samples.shape)
    dest_box = destinations(mdp, box, g_mis, "b0")
    total = sum(dest.values())
    dest_rows = [
        [k, f"{dest[k] / total:.3f}", f"{dest_box[k] / len(box):.3f}"]
        for k in sorted(set(dest) | set(dest_box))
    ]
    stars = ", ".join(f"{k}: {v:.6f}" for k, v in sorted(st.gamma_stars.items()))
    body = (
        "<p>Krakovna &amp; Kramár (2023), Theorem 2: in a new situation outside training, at "
        "least n/(n+1) of the training-compatible goals (Def 6, Q*-optimality reading, uniform "
        "on [0,1]<sup>S</sup>) avoid the shutdown action, where n counts the reachable "
        "recurrent states with γ above their threshold γ* (Prop 3). The new state is "
        "<code>button</code>; <code>halt</code> is the shutdown state. "
        f"γ* per recurrent state: {html.escape(stars)}. Dots: measured fraction (±2 s.e.) "
        "under the seed's convention (shutdown reward paid once) and under Turner's self-loop "
        "convention, where the premise fails and no bound is claimed.</p>"
        + figure_html(name, "Fraction of G_T goals avoiding shutdown vs γ, with n/(n+1)")
        + table
        + f"<p>Goal misgeneralization (the CoinRun example, γ = {g_mis}): in test level B the "
        "coin is moved to <code>coin</code> while the level end <code>exit</code> is the one "
        "rewarded in training. Where the optimal policy of G_T-uniform goals from "
        "<code>b0</code> end, against goals drawn uniformly from the whole box:</p>"
        + table_html(["destination", "G_T goals", "all goals"], dest_rows)
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
    cmd = (
        "powerlab shutdown examples/goals/coinrun.yaml --train examples/goals/coinrun_train.yaml "
        "--new-state button --shutdown-action halt "
        + " ".join(f"--gamma {g}" for g in gammas)
        + f" --samples {samples} --seed 0"
    )
    return Section(
        title="Shutdown: training-compatible goals (Krakovna & Kramár 2023)",
        html=body,
        summary=summary,
        command=cmd,
    )
