"""Demo section: timelines, imitation and low stakes: Davidson's semi-informative priors
(Davidson 2021), Cohen-Hutter-Nanda imitation with queries (Cohen, Hutter & Nanda 2022), and
Christiano's low-stakes setting as online learning (Christiano 2021). One figure each."""

from __future__ import annotations

from pathlib import Path

from powerlab.forecast import forecast, report_table
from powerlab.forecast.plot import plot_forecasts
from powerlab.imitation import run_experiment
from powerlab.imitation.plot import plot_run
from powerlab.lowstakes import low_stakes_experiment
from powerlab.lowstakes.plot import plot_regret
from powerlab.report.page import Section, figure_html, save_report_figure, table_html

__all__ = ["build"]

# Davidson (2021) Sec. 4.2 as printed (percent), for the side-by-side table
_PRINTED_4_2 = [12, 8.9, 5.7, 4.2, 2.8, 1.5, 0.77, 0.52]


def _forecast_part(outdir: Path) -> tuple[str, list[tuple[str, str]]]:
    curves = {
        "calendar, ftp 1/300": forecast("calendar", until=2036),
        "researcher-year, g_act 11%": forecast("researcher", until=2036),
        "compute via research, X=5": forecast("compute", until=2036),
        "all-things-considered mixture": forecast("mixture", spend="both", until=2036),
    }
    name = save_report_figure(plot_forecasts(curves), outdir, "distill-forecast.png")
    t = report_table("4.2")
    rows = [
        [r, f"{p[0]:g}%", f"{printed:g}%"]
        for r, p, printed in zip(t.rows, t.percent(), _PRINTED_4_2, strict=True)
    ]
    mix = curves["all-things-considered mixture"].probability
    html = (
        "<h3>Semi-informative priors over AI timelines (Davidson 2021)</h3>"
        "<p>Generalized Laplace rule with first-trial probability and virtual successes, "
        "conditioned on no AGI from 1956 to the end of 2020. Table: Sec. 4.2 of the report, ours "
        "against the printed digits.</p>"
        + table_html(["first-trial probability", "pr(AGI by 2036)", "report"], rows)
        + figure_html(name, "P(AGI by year | none by 2020) for several trial definitions")
        + f"<p>All-things-considered mixture (central weights, hyper-prior updated on no AGI by "
        f"2020): {100 * mix:.1f}% by 2036 (report: “around 8%”).</p>"
    )
    return html, [
        (
            "pr(AGI by 2036), calendar 1/300; mixture",
            f"{100 * t.values[3][0]:.2f}%; {100 * mix:.1f}%",
        )
    ]


def _imitation_part(outdir: Path, steps: int, seed: int) -> tuple[str, list[tuple[str, str]]]:
    run = run_experiment(models=20, deceptive=5, alpha=0.01, steps=steps, rng=seed)
    s = run.summary()
    name = save_report_figure(plot_run(run), outdir, "distill-imitation.png")
    rows = [
        [k, f"{s['mean_kl'][k]:.3g}", f"{s['p_catastrophe_any_step'][k]:.3g}"]
        for k in ("conservative", "mixture", "map")
    ]
    html = (
        "<h3>Online imitation with queries (Cohen, Hutter &amp; Nanda 2022)</h3>"
        f"<p>20 models of the demonstrator, 5 deceptive (agree until a trigger, then put mass "
        f"0.5 on a catastrophic action), α = 0.01, {s['steps']} steps. The conservative imitator "
        f"queried {s['queries']} times ({s['queries_second_half']} in the second half); the "
        "Bayes mixture and MAP imitators were trained on the first 5% of steps.</p>"
        + table_html(["imitator", "mean KL(π^d ‖ imitator)", "P(catastrophe at some step)"], rows)
        + figure_html(name, "Queries, KL to the demonstrator and p(catastrophe) over time")
    )
    summary = [("imitation: queries; P(catastrophe) conservative / mixture",
                f"{s['queries']}; {rows[0][2]} / {rows[1][2]}")]  # fmt: skip
    return html, summary


def _lowstakes_part(outdir: Path, horizon: int, seed: int) -> tuple[str, list[tuple[str, str]]]:
    res = low_stakes_experiment(horizon=horizon, delay=3, trap=True, rng=seed)
    name = save_report_figure(plot_regret(res), outdir, "distill-lowstakes.png")
    assert res.trap is not None  # asked for with trap=True
    rows = [
        [label, f"{r.regret:.1f}", f"{r.bound:.1f}"]
        for label, r in (
            ("Hedge (21 policies, delay 3)", res.hedge),
            ("OGD (d = 5, delay 3)", res.ogd),
            ("Hedge with the trap", res.trap),
        )
    ]
    html = (
        "<h3>Low-stakes alignment as online learning (Christiano 2021)</h3>"
        f"<p>Bounded per-decision loss, feedback delay 3, target shift at T/2, T = {horizon}. "
        "Regret stays under B√((D+1)T ln N/2); one irreversible trap decision makes it linear.</p>"
        + table_html(["learner", "regret", "bound"], rows)
        + figure_html(name, "Regret against horizon, with bounds and the trap")
    )
    return html, [("low stakes: Hedge regret / bound; trap regret/T",
                   f"{rows[0][1]} / {rows[0][2]}; {res.trap.regret_per_round:.2f}")]  # fmt: skip


def build(outdir: Path, quick: bool, seed: int = 0) -> Section:
    """Three sub-sections, one figure each; under 20 s on one core."""
    steps, horizon = (1000, 4000) if quick else (2000, 10_000)
    parts = [
        _forecast_part(outdir),
        _imitation_part(outdir, steps, seed),
        _lowstakes_part(outdir, horizon, seed),
    ]
    return Section(
        "Timelines, imitation and low stakes",
        "".join(h for h, _ in parts),
        [row for _, rows in parts for row in rows],
        command=(
            "powerlab forecast --trials mixture --spend both --json; powerlab forecast-table 4.2; "
            f"powerlab imitate --models 20 --deceptive 5 --alpha 0.01 --steps {steps} "
            f"--seed {seed} --json; "
            f"powerlab lowstakes --horizon {horizon} --delay 3 --trap --seed {seed} --json"
        ),
    )
