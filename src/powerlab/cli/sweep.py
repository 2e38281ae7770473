"""``powerlab sweep run|status|report``: grids of analyses, local or on Dask, resumable."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    JsonFlag,
    Table,
    console,
    emit_json,
    err_console,
    guarded,
    say,
    wrote,
)

__all__ = ["register", "report_cmd", "run_cmd", "status_cmd"]

SCHEDULER_HELP = (
    "Where chunks run: omit for in-process, local:N for a Dask LocalCluster of N workers, "
    "or tcp://HOST:PORT for a running Dask scheduler."
)


class _Speed(TextColumn):
    """Throughput in samples per second (Rich's windowed speed estimate)."""

    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Any) -> Any:
        from rich.text import Text

        speed = task.finished_speed or task.speed
        return Text("-- samples/s" if speed is None else f"{speed:,.0f} samples/s")


@contextmanager
def _sweep_progress(enabled: bool) -> Iterator[tuple[Any, Any]]:
    """Yields ``(started(total, done), advance(n))`` driving a bar with throughput and ETA.

    Drawn only when ``enabled`` and stderr is a terminal, as :func:`progress_bar`.
    """
    if not enabled or not err_console.is_terminal:
        yield (lambda total, done: None), (lambda n: None)
        return
    prog = Progress(
        TextColumn("sweep"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} samples"),
        _Speed(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        refresh_per_second=4,
    )
    task = prog.add_task("sweep", total=1)

    def started(total: int, done: int) -> None:
        prog.update(task, total=total, completed=done)

    with prog:
        yield started, (lambda n: prog.advance(task, n))


def _fmt(x: float) -> str:
    return "nan" if x != x else f"{x:.4f}"


def _cell_tables(frame: Any, manifest: dict[str, Any], top: int) -> list[Table]:
    item_col, est_col = manifest["item_name"], manifest["estimate_name"]
    from powerlab.sweep.figures import cells_with_results

    tables = []
    for cell, sub in cells_with_results(frame, manifest):
        gammas = sorted(sub["gamma"].unique())
        order = (
            sub[sub["gamma"] == gammas[-1]].sort_values(est_col, ascending=False)[item_col].tolist()
        )
        n = int(sub["samples"].iloc[0])
        at = f" at {cell['params']['state']}" if "state" in cell["params"] else ""
        more = f", top {top} of {len(order)}" if len(order) > top else ""
        table = Table(title=f"{est_col}{at} in {cell['env']}, {cell['dist']} ({n:,} samples{more})")
        table.add_column(item_col)
        for g in gammas:
            table.add_column(f"γ={g:g}", justify="right")
        values = {(r[item_col], r["gamma"]): r for r in sub.to_dict(orient="records")}
        for item in order[:top]:
            cells = []
            for g in gammas:
                r = values[(item, g)]
                cells.append(f"{_fmt(r[est_col])}±{r['stderr']:.0e}")
            table.add_row(str(item), *cells)
        tables.append(table)
    return tables


def run_cmd(
    spec: str = typer.Argument(..., help="Sweep specification (YAML/JSON)."),
    out: str = typer.Option(None, "--out", "-o", help="Result store (default sweeps/NAME)."),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    json_out: JsonFlag = False,
    max_chunks: int = typer.Option(
        None, "--max-chunks", help="Stop after this many new chunks (resume later)."
    ),
    quiet: bool = QUIET_OPT,
) -> None:
    """Run or resume the sweep SPEC; rerunning the same command resumes it."""
    from powerlab.sweep import load_spec, run_sweep

    if scheduler:  # Dask's own INFO/WARNING lines (worker restarts, ...) are not ours to print
        logging.getLogger("distributed").setLevel(logging.ERROR)
    sweep = load_spec(spec)
    target = Path(out) if out else Path("sweeps") / sweep.name
    try:
        with _sweep_progress(not quiet) as (started, advance):
            outcome = run_sweep(
                sweep,
                target,
                scheduler=scheduler,
                started=started,
                advance=advance,
                max_chunks=max_chunks,
            )
    except KeyboardInterrupt:
        say(f"interrupted: finished chunks are kept in {target}; rerun to resume", err=True)
        raise typer.Exit(130) from None
    summary = {
        "out": str(outcome.out),
        "complete": outcome.complete,
        "chunks_total": outcome.chunks_total,
        "chunks_reused": outcome.chunks_reused,
        "chunks_computed": outcome.chunks_computed,
        "samples_total": outcome.samples_total,
        "samples_computed": outcome.samples_computed,
        "seconds": round(outcome.seconds, 3),
        "samples_per_second": round(outcome.throughput, 1),
    }
    if json_out:
        records = outcome.results.to_dict(orient="records")
        emit_json({**summary, "results": records}, provenance(sweep=sweep.name))
        return
    table = Table(title=f"sweep {sweep.name} ({sweep.analysis})")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in summary.items():
        table.add_row(k, f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v))
    console.print(table)
    say(f"tables and figures: powerlab sweep report {outcome.out}")


def status_cmd(
    store: str = typer.Argument(..., help="Result store directory."),
    json_out: JsonFlag = False,
) -> None:
    """How far the sweep in STORE has got (safe while it runs)."""
    from powerlab.sweep import ResultStore, status

    st = status(ResultStore.open(store)).to_dict()
    if json_out:
        emit_json(st, provenance(store=store))
        return
    state = "complete" if st["complete"] else "incomplete"
    table = Table(
        title=f"{st['name']} ({st['analysis']}): {st['chunks_done']}/{st['chunks_total']} "
        f"chunks, {st['samples_done']:,}/{st['samples_total']:,} samples, {state}"
    )
    for col in ("cell", "env", "dist", "chunks", "samples"):
        table.add_column(col, justify="right" if col in ("cell", "chunks", "samples") else "left")
    for c in st["cells"]:
        table.add_row(
            str(c["cell"]),
            c["env"],
            c["dist"],
            f"{c['chunks_done']}/{c['chunks_total']}",
            f"{c['samples_done']:,}/{c['samples_total']:,}",
        )
    console.print(table)


def report_cmd(
    store: str = typer.Argument(..., help="Result store directory."),
    top: int = typer.Option(15, "--top", help="Rows per table and lines per figure."),
    json_out: JsonFlag = False,
) -> None:
    """Tables, results.csv and one figure per cell from STORE (partial sweeps too)."""
    from powerlab._io import atomic_write_text
    from powerlab.errors import InputError
    from powerlab.sweep import ResultStore, combine, status
    from powerlab.sweep.figures import write_figures

    if top < 1:
        raise InputError(f"--top must be at least 1, got {top}")
    st = ResultStore.open(store)
    man = st.manifest()
    frame, _ = combine(st)
    outdir = st.root / "report"
    outdir.mkdir(exist_ok=True)
    csv = atomic_write_text(outdir / "results.csv", frame.to_csv(index=False))
    figs = write_figures(frame, man, outdir, top=min(top, 10))
    for path in (csv, *figs):
        wrote(path)
    if json_out:
        emit_json(
            {
                "status": {k: v for k, v in status(st).to_dict().items() if k != "cells"},
                "results": frame.to_dict(orient="records"),
                "files": [str(csv), *map(str, figs)],
            },
            provenance(store=str(st.root)),
        )
        return
    for table in _cell_tables(frame, man, top):
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` command group (``run``, ``status``, ``report``) to ``app``."""
    sweep_app = typer.Typer(
        help="Sweeps: grids of analyses, in-process or on Dask, with a resumable result store.",
        no_args_is_help=True,
    )
    app.add_typer(sweep_app, name="sweep")
    sweep_app.command("run")(guarded(run_cmd))
    sweep_app.command("status")(guarded(status_cmd))
    sweep_app.command("report")(guarded(report_cmd))
