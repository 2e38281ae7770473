"""Demo section: POWER and optimality probability on the bundled environments (Turner et al. 2021)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from powerlab._resources import examples_dir
from powerlab.mdp import load_mdp
from powerlab.power import optimality_probability, power
from powerlab.power.exact import exact_power
from powerlab.report.figures import plot_optimality, plot_power
from powerlab.report.page import Section, figure_html, save_figure, table_html

__all__ = ["build"]


def build(outdir: Path, quick: bool) -> Section:
    """POWER of fig1's states across γ, a POWER heatmap of the two-room grid, optimality at a door."""
    ex = examples_dir()
    n = 2_000 if quick else 20_000
    fig1 = load_mdp(ex / "fig1.yaml")
    gammas = [0.0, 0.5, 0.9, 0.99, 1.0]  # 0 and 1 are the limits
    pw = power(fig1, gammas, samples=n, rng=0)
    room = load_mdp(ex / "room.yaml")
    pr = power(room, [0.5, 0.99], samples=n // 4, rng=0)
    opt = optimality_probability(room, "2,4", [0.0, 0.9, 1.0], samples=n // 4, rng=0)
    names = [
        save_figure(plot_power(fig1, pw), outdir, "power-fig1.png"),
        save_figure(plot_power(room, pr), outdir, "power-room.png"),
        save_figure(plot_optimality(opt), outdir, "optimality-room-door.png"),
    ]
    exact = exact_power(fig1, [Fraction(0), Fraction(1, 2), Fraction(1)], states=["start"])
    exact_of = {float(r.gamma): r.power for r in exact.itertuples()}
    rows = [
        [
            r.state,
            f"{r.gamma:g}",
            f"{r.power:.4f}",
            f"{r.stderr:.1e}",
            f"{r.solver_error:.0e}",
            str(exact_of[r.gamma]) if r.state == "start" and r.gamma in exact_of else "",
        ]
        for r in pw.itertuples()
    ]
    html = (
        "<p>POWER (Turner et al. 2021, Def 5.2) under iid uniform [0, 1] state rewards, by Monte "
        f"Carlo with {n} reward samples; γ = 0 and γ = 1 are the limits. The last column holds "
        "the exact value from <code>powerlab power --exact</code> where computed; Fig. 3 of the "
        "paper prints POWER(dead) = 1/2, POWER(r_down) = 2/3 and POWER(l_loop) = "
        "(2/3 + γ/2)/(1 + γ).</p>"
        + table_html(["state", "γ", "POWER", "± SE", "solver error", "exact"], rows)
        + figure_html(names[0], "POWER of fig1's states")
        + figure_html(names[1], "POWER heatmap of the two-room grid: the door and room centres")
        + figure_html(
            names[2], "Optimality probability of each action in the doorway (ties all count)"
        )
    )
    start = pw[(pw.state == "start") & (pw.gamma == 0.9)].iloc[0]
    door = pr[(pr.state == "2,4") & (pr.gamma == 0.99)].iloc[0]
    start1 = pw[(pw.state == "start") & (pw.gamma == 1.0)].iloc[0]
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
        command="powerlab power examples/fig1.yaml -g 0 -g 0.5 -g 0.9 -g 0.99 -g 1 -n 20000",
    )
