"""``powerlab demo``: run every analysis on the bundled examples and write an HTML report."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import typer

from powerlab.cli._common import Table, console, guarded, say

__all__ = ["demo_cmd", "register", "run_demo"]


def run_demo(outdir: Path, quick: bool = False) -> list[tuple[str, str, str]]:
    """Build every report section in order, write ``outdir/index.html``; return summary rows."""
    from powerlab.report.page import Section, render_page
    from powerlab.report.sections import SECTIONS

    outdir.mkdir(parents=True, exist_ok=True)
    sections: list[Section] = []
    rows: list[tuple[str, str, str]] = []
    for name in SECTIONS:
        t0 = time.perf_counter()
        say(f"running {name.rsplit('.', 1)[-1]} ...", err=True, style="dim")
        section = importlib.import_module(name).build(outdir, quick)
        sections.append(section)
        for key, value in section.summary:
            rows.append((section.title, key, value))
        say(f"  done in {time.perf_counter() - t0:.1f} s", err=True, style="dim")
    render_page(sections, outdir)
    return rows


def demo_cmd(
    out: Path = typer.Option(Path("powerlab-report"), "--out", help="Report directory."),
    quick: bool = typer.Option(False, "--quick", help="Smaller sample sizes."),
) -> None:
    """Run every analysis on the bundled examples; write OUT/index.html with its figures."""
    rows = run_demo(out, quick)
    table = Table(title="powerlab demo: summary")
    for col in ("analysis", "quantity", "value"):
        table.add_column(col)
    for r in rows:
        table.add_row(*r)
    console.print(table)
    say(f"Report written to {out / 'index.html'}")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""
    app.command("demo")(guarded(demo_cmd))
