"""``powerlab demo``: run every analysis on the bundled examples and write an HTML report."""

from __future__ import annotations

import importlib
import inspect
import time
from pathlib import Path
from typing import Any

import typer

from powerlab._provenance import provenance
from powerlab.cli._common import (
    QUIET_OPT,
    Table,
    console,
    emit_json,
    guarded,
    progress_bar,
    say,
    wrote,
)

__all__ = ["demo_cmd", "register", "run_demo"]


def _build(module: Any, outdir: Path, quick: bool, seed: int) -> Any:
    """``module.build(outdir, quick)``, with ``seed=`` when the section draws random numbers."""
    extra = {"seed": seed} if "seed" in inspect.signature(module.build).parameters else {}
    return module.build(outdir, quick, **extra)


def run_demo(
    outdir: Path, quick: bool = False, seed: int = 0, quiet: bool = False
) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """Build every report section in order and write ``outdir/index.html``.

    Returns the summary rows ``(analysis, quantity, value)`` and the run's provenance, both
    also shown at the top of the page.
    """
    from powerlab.report.page import Section, render_page
    from powerlab.report.sections import SECTIONS

    prov = provenance(seed=seed, quick=quick or None)
    outdir.mkdir(parents=True, exist_ok=True)
    sections: list[Section] = []
    with progress_bar("demo", total=len(SECTIONS), enabled=not quiet) as advance:
        for name in SECTIONS:
            t0 = time.perf_counter()
            section = _build(importlib.import_module(name), outdir, quick, seed)
            sections.append(section)
            if not quiet:
                say(f"{section.title}: {time.perf_counter() - t0:.1f} s", err=True, style="dim")
            advance(1)
    render_page(sections, outdir, provenance=prov)
    rows = [(s.title, key, value) for s in sections for key, value in s.summary]
    return rows, prov


def demo_cmd(
    out: Path = typer.Option(
        Path("powerlab-report"), "--out", "-o", help="Report folder (created if missing)."
    ),
    quick: bool = typer.Option(False, "--quick", help="Smaller sample sizes (about 1 minute)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the sections that sample."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON only."),
    quiet: bool = QUIET_OPT,
) -> None:
    """Run every analysis on the bundled examples; write OUT/index.html with its figures."""
    rows, prov = run_demo(out, quick, seed, quiet)
    index = out / "index.html"
    wrote(index)
    if json_out:
        summary = [{"analysis": a, "quantity": q, "value": v} for a, q, v in rows]
        emit_json({"report": str(index), "summary": summary}, prov)
        return
    table = Table(title="powerlab demo: summary")
    for col in ("analysis", "quantity", "value"):
        table.add_column(col)
    for r in rows:
        table.add_row(*r)
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""
    app.command("demo")(guarded(demo_cmd))
