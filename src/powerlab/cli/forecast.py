"""``powerlab forecast``, ``forecast-table``, ``imitate`` and ``lowstakes``.

Thin over :mod:`powerlab.forecast`, :mod:`powerlab.imitation` and :mod:`powerlab.lowstakes`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    JsonFlag,
    SeedFlag,
    Table,
    console,
    emit_json,
    guarded,
    parse_number,
    say,
    wrote,
)
from powerlab.errors import InputError

__all__ = ["forecast_cmd", "forecast_table_cmd", "imitate_cmd", "lowstakes_cmd", "register"]


def forecast_cmd(
    trials: Annotated[
        str,
        typer.Option(
            "--trials",
            help="calendar, researcher, compute, lifetime, evolution or mixture "
            "(the all-things-considered mixture).",
        ),
    ] = "calendar",
    first_trial: Annotated[
        str,
        typer.Option(
            "--first-trial",
            help="First-trial probability (calendar-year equivalent for other trials), e.g. 1/300.",
        ),
    ] = "1/300",
    virtual_successes: Annotated[
        str, typer.Option("--virtual-successes", help="Number of virtual successes (> 0).")
    ] = "1",
    start: Annotated[int, typer.Option("--start", help="Regime start year.")] = 1956,
    until: Annotated[
        int, typer.Option("--until", help="Forecast P(AGI by end of this year).")
    ] = 2036,
    observed: Annotated[
        int, typer.Option("--observed-until", help="No AGI observed by the end of this year.")
    ] = 2020,
    g_act: Annotated[
        str, typer.Option("--g-act", help="Annual growth of AI researchers (researcher trials).")
    ] = "0.11",
    g_exp: Annotated[
        str, typer.Option("--g-exp", help="Typical STEM researcher growth for calibration.")
    ] = "0.043",
    rel_importance: Annotated[
        str, typer.Option("--rel-importance", help="X: 1% more researchers = X% more compute.")
    ] = "5",
    spend: Annotated[
        str | None,
        typer.Option(
            "--spend",
            help="Compute spend projection: conservative, aggressive, or both (mixture only; "
            "the mixture's default). Default aggressive.",
        ),
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the curve as PNG.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """P(AGI by year) from semi-informative priors (Davidson 2021)."""
    from powerlab.forecast import forecast

    if spend == "both" and trials != "mixture":
        raise InputError("--spend both: only with --trials mixture")
    if spend is None:
        spend = "both" if trials == "mixture" else "aggressive"
    fc = forecast(
        trials=trials,
        ftp=parse_number(first_trial, "--first-trial"),
        vs=parse_number(virtual_successes, "--virtual-successes"),
        start=start,
        until=until,
        observed_until=observed,
        g_act=parse_number(g_act, "--g-act"),
        g_exp=parse_number(g_exp, "--g-exp"),
        rel_importance=parse_number(rel_importance, "--rel-importance"),
        spend=spend,
    )
    if plot is not None:
        from powerlab.forecast.plot import plot_forecasts

        plot_forecasts({trials: fc}, plot)
        wrote(plot)
    if json_out:
        emit_json(fc.to_json(), provenance())
        return
    table = Table(title=f"P(AGI by year | none by {observed}), {trials} trials")
    table.add_column("year")
    table.add_column("P(AGI by year)", justify="right")
    years = list(fc.by_year)
    shown = years if len(years) <= 20 else [*years[:: max(1, len(years) // 16)], years[-1]]
    for y in dict.fromkeys(shown):
        table.add_row(str(y), f"{100 * fc.by_year[y]:.3g}%")
    console.print(table)
    say(f"P(AGI by {until}) = {100 * fc.probability:.3g}%")


def forecast_table_cmd(
    key: Annotated[
        str,
        typer.Argument(
            help="Report section: 4.2, 5.2.2, 5.2.3a, 5.2.3b, 5.3a, 5.3b, 6.1.2, 6.2.1, 6.2.3, 7.2.1, 7.3, 8, A8, A9."
        ),
    ],
    json_out: JsonFlag = False,
) -> None:
    """Reproduce one table of Davidson (2021), in percent to 2 significant figures."""
    from powerlab.forecast import report_table

    t = report_table(key)
    exact = isinstance(t.values[0][0], Fraction)
    if json_out:
        emit_json(
            {
                "table": t.key,
                "title": t.title,
                "rows": t.rows,
                "cols": t.cols,
                "values": t.values,
                "percent_2sf": None if exact else t.percent(),
            },
            provenance(),
        )
        return
    table = Table(title=f"Davidson (2021) Sec. {t.key}: {t.title}")
    table.add_column("")
    for c in t.cols:
        table.add_column(c, justify="right")
    cells: list[list[Any]] = t.values if exact else t.percent()
    for r, row in zip(t.rows, cells, strict=True):
        table.add_row(r, *[str(v) if exact else f"{v:g}%" for v in row])
    console.print(table)


def imitate_cmd(
    models: Annotated[int, typer.Option("--models", help="Models in the class (N).")] = 20,
    deceptive: Annotated[
        int, typer.Option("--deceptive", help="Deceptive models among them (M <= N - 1).")
    ] = 5,
    alpha: Annotated[str, typer.Option("--alpha", help="Top-set parameter α in (0, 1).")] = "0.01",
    steps: Annotated[int, typer.Option("--steps", help="Steps T.")] = 2000,
    seed: SeedFlag = 0,
    rule: Annotated[
        str, typer.Option("--rule", help="Top set: cumulative (default), absolute or ratio.")
    ] = "cumulative",
    prior: Annotated[
        str, typer.Option("--prior", help="Model prior: uniform or countable (truncated).")
    ] = "uniform",
    epsilon: Annotated[
        str, typer.Option("--epsilon", help="Mass deceptive models put on the catastrophe.")
    ] = "0.5",
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the figure as PNG.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Conservative imitation with queries vs Bayes mixture and MAP (Cohen, Hutter & Nanda)."""
    from powerlab.imitation import run_experiment

    run = run_experiment(
        models=models,
        deceptive=deceptive,
        alpha=parse_number(alpha, "--alpha"),
        steps=steps,
        rng=seed,
        rule=rule,
        epsilon=parse_number(epsilon, "--epsilon"),
        prior=prior,
    )
    if plot is not None:
        from powerlab.imitation.plot import plot_run

        plot_run(run, plot)
        wrote(plot)
    summary = run.summary()
    if json_out:
        emit_json(
            {
                **summary,
                "triggers": run.triggers,
                "cumulative_queries": run.queried.cumsum(),
                "parameters": run.parameters,
            },
            provenance(seed=seed),
        )
        return
    table = Table(title=f"{steps} steps, {models} models ({deceptive} deceptive), α={alpha}")
    for col in ("imitator", "mean KL(π^d‖p)", "P(catastrophe at some step)"):
        table.add_column(col, justify="right")
    for name in ("conservative", "mixture", "map"):
        table.add_row(
            name,
            f"{summary['mean_kl'][name]:.3g}",
            f"{summary['p_catastrophe_any_step'][name]:.3g}",
        )
    console.print(table)
    console.print(
        f"queries: {summary['queries']} (first half {summary['queries_first_half']}, second "
        f"half {summary['queries_second_half']}); demonstrator always in top set: "
        f"{summary['demonstrator_always_in_top_set']} (fails with prob <= α/w(μ) = "
        f"{summary['ville_bound_alpha_over_w_mu']:.3g})",
        highlight=False,
    )


def lowstakes_cmd(
    horizon: Annotated[int, typer.Option("--horizon", help="Number of rounds T.")] = 10_000,
    delay: Annotated[int, typer.Option("--delay", help="Feedback delay D in rounds.")] = 0,
    trap: Annotated[
        bool, typer.Option("--trap", help="Add the irreversible-trap example.")
    ] = False,
    shift: Annotated[
        bool,
        typer.Option("--shift/--no-shift", help="Move the target at T/2 (distribution shift)."),
    ] = True,
    seed: SeedFlag = 0,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the figure as PNG.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Online learning with bounded per-decision loss: regret vs bounds (Christiano 2021)."""
    from powerlab.lowstakes import low_stakes_experiment

    res = low_stakes_experiment(horizon=horizon, delay=delay, trap=trap, rng=seed, shift=shift)
    if plot is not None:
        from powerlab.lowstakes.plot import plot_regret

        plot_regret(res, plot)
        wrote(plot)
    if json_out:
        emit_json(res.to_dict(), provenance(seed=seed))
        return
    shifted = "shift at T/2" if shift else "no shift"
    table = Table(title=f"T = {horizon}, delay D = {delay}, {shifted}")
    for col in ("learner", "regret", "bound", "regret/T"):
        table.add_column(col, justify="right")
    for name, r in (("hedge", res.hedge), ("ogd", res.ogd)):
        table.add_row(name, f"{r.regret:.4g}", f"{r.bound:.4g}", f"{r.regret / horizon:.3g}")
    if res.trap is not None:
        t = res.trap
        table.add_row(
            "hedge + trap", f"{t.regret:.4g}", f"{t.bound:.4g}", f"{t.regret_per_round:.3g}"
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``forecast``, ``forecast-table``, ``imitate`` and ``lowstakes`` to ``app``."""
    app.command("forecast")(guarded(forecast_cmd))
    app.command("forecast-table")(guarded(forecast_table_cmd))
    app.command("imitate")(guarded(imitate_cmd))
    app.command("lowstakes")(guarded(lowstakes_cmd))
