"""Demo section: POWER and optimality probability on the bundled environments (Turner et al. 2021)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from powerlab._resources import examples_dir
from powerlab.mdp import load_mdp
from powerlab.power import optimality_probability, power
from powerlab.power.exact import exact_power
from powerlab.report.figures import plot_optimality, plot_power
from powerlab.report.page import Section, figure_html, save_report_figure, table_html

__all__ = ["build"]


def build(outdir: Path, quick: bool, seed: int = 0) -> Section:
    """POWER of fig1's states across γ, a POWER heatmap of the two-room grid, optimality at a door."""
    ex = examples_dir()
    n = 2_000 if quick else 20_000
    fig1 = load_mdp(ex / "fig1.yaml")
    gammas = [0.0, 0.5, 0.9, 0.99, 1.0]  # 0 and 1 are the limits
    pw = power(fig1, gammas, samples=n, rng=seed)
    room = load_mdp(ex / "room.yaml")
    pr = power(room, [0.5, 0.99], samples=n // 4, rng=seed)
    opt = optimality_probability(room, "2,4", [0.0, 0.9, 1.0], samples=n // 4, rng=seed)
    names = [
        save_report_figure(plot_power(fig1, pw), outdir, "power-fig1.png"),
        save_report_figure(plot_power(room, pr), outdir, "power-room.png"),
        save_report_figure(plot_optimality(opt), outdir, "optimality-room-door.png"),
    ]
    exact = exact_power(fig1, [Fraction(0), Fraction(1, 2), Fraction(1)], states=["start"])
    exact_text = ", ".join(f"{r.power} at γ = {r.gamma}" for r in exact.itertuples())
    cells = {(r.state, r.gamma): f"{r.power:.4f} ± {r.stderr:.4f}" for r in pw.itertuples()}
    rows = [[state] + [cells[state, g] for g in gammas] for state in dict.fromkeys(pw.state)]
    html = (
        "<p>POWER (Turner et al. 2021, Def 5.2) under iid uniform [0, 1] state rewards, by Monte "
        f"Carlo with {n:,} reward samples (random seed {seed}); each cell is the estimate ± its "
        "standard error, and γ = 0 and γ = 1 are the limits. The solver's error is at most "
        f"{pw.solver_error.max():.0e} in every cell. Exact values of POWER(start) from "
        f"<code>powerlab power --exact</code>: {exact_text}. Fig. 3 of the paper prints "
        "POWER(dead) = 1/2, POWER(r_down) = 2/3 and POWER(l_loop) = (2/3 + γ/2)/(1 + γ).</p>"
        + table_html(["state"] + [f"γ = {g:g}" for g in gammas], rows)
        + figure_html(names[0], "POWER of fig1's states, one bar per γ, ±2 standard errors")
        + figure_html(
            names[1],
            f"POWER heatmap of the two-room grid ({n // 4:,} samples): the door and the room "
            "centres are highest",
        )
        + figure_html(
            names[2],
            f"Optimality probability of each action in the doorway 2,4 ({n // 4:,} samples; "
            "ties all count, so bars at one γ can sum to more than 1)",
        )
    )
    start = pw[(pw.state == "start") & (pw.gamma == 0.9)].iloc[0]
    door = pr[(pr.state == "2,4") & (pr.gamma == 0.99)].iloc[0]
    start1 = pw[(pw.state == "start") & (pw.gamma == 1.0)].iloc[0]
    exact_of = {float(r.gamma): r.power for r in exact.itertuples()}
    summary = [
        ("POWER(fig1 start, γ=0.9)", f"{start.power:.4f} ± {start.stderr:.4f}"),
        (
            "POWER(fig1 start, γ→1): MC vs exact",
            f"{start1.power:.4f} ± {start1.stderr:.4f} vs {exact_of[1.0]}",
        ),
        ("POWER(room door, γ=0.99)", f"{door.power:.4f} ± {door.stderr:.4f}"),
    ]
    return Section(
        "POWER and optimality probability",
        html,
        summary,
        command=(
            f"powerlab power examples/fig1.yaml -g 0,0.5,0.9,0.99,1 -n {n} --seed {seed}; "
            f"powerlab power examples/room.yaml -g 0.5,0.99 -n {n // 4} --seed {seed} "
            "--plot power-room.png; "
            f"powerlab optimality examples/room.yaml --state 2,4 -g 0,0.9,1 -n {n // 4} "
            f"--seed {seed} --plot optimality-room-door.png; "
            "powerlab power examples/fig1.yaml --exact -g 0,1/2,1 --states start"
        ),
    )
