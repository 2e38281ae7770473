"""The HTML report: sections with figures, assembled into ``index.html``.

A section is produced by a module under :mod:`powerlab.report.sections` that defines
``build(outdir: pathlib.Path, quick: bool) -> Section``. It writes its figures into
``outdir`` (with :func:`save_report_figure`) and returns an HTML fragment that refers to
them by file name, plus a few summary rows for the console table.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powerlab._figures import save_figure
from powerlab._io import atomic_write_text

__all__ = ["Section", "figure_html", "render_page", "save_report_figure", "table_html"]


@dataclass(frozen=True)
class Section:
    """One part of the report.

    Attributes:
        title: heading of the section.
        html: an HTML fragment (figures referenced by file name relative to the report).
        summary: ``(quantity, value)`` rows shown in the console summary table.
        command: the shell command that reproduces the section's numbers.
    """

    title: str
    html: str
    summary: list[tuple[str, str]] = field(default_factory=list)
    command: str = ""


def save_report_figure(fig: Any, outdir: Path, name: str) -> str:
    """Save a figure as ``outdir/name`` with :func:`powerlab._figures.save_figure` (atomic,
    PNG, closes it) and return ``name``, the file name the section's HTML refers to."""
    save_figure(fig, outdir / name)
    return name


def figure_html(name: str, caption: str) -> str:
    """An ``<figure>`` element for an image file ``name`` with ``caption``."""
    return (
        f'<figure><img src="{html.escape(name)}" alt="{html.escape(caption)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def table_html(header: list[str], rows: list[list[Any]]) -> str:
    """A plain HTML table with ``header`` and ``rows`` (cells are escaped)."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# Tables are blocks that scroll sideways inside the page, so that a wide table never widens
# the page at a narrow window; images scale down to the text width.
_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;
overflow-wrap:break-word}
h1{border-bottom:2px solid #444}h2{margin-top:2.5rem;border-bottom:1px solid #aaa}
table{border-collapse:collapse;margin:1rem 0;display:block;max-width:100%;overflow-x:auto}
td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
figure{margin:1rem 0}img{max-width:100%;height:auto}
code,pre{background:#f6f6f6;padding:.1rem .3rem;overflow-wrap:anywhere}
pre{overflow-x:auto;white-space:pre-wrap}figcaption{font-size:.9rem;color:#555}
#summary td,#summary th{text-align:left;vertical-align:top}#summary td:last-child{white-space:nowrap}
dl.provenance{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.9rem}
dl.provenance dt{color:#555}dl.provenance dd{margin:0;overflow-wrap:anywhere}
"""


def _provenance_html(provenance: dict[str, Any]) -> str:
    items = "".join(
        f"<dt>{html.escape(str(k))}</dt><dd>{html.escape(_plain(v))}</dd>"
        for k, v in provenance.items()
    )
    return f"<dl class='provenance'>{items}</dl>"


def _plain(value: Any) -> str:
    """A value as a reader writes it: lists joined by commas, None as "not available"."""
    if value is None:
        return "not available"
    if isinstance(value, list | tuple):
        return ", ".join(map(_plain, value))
    return str(value)


def render_page(
    sections: list[Section],
    outdir: Path,
    title: str = "powerlab report",
    provenance: dict[str, Any] | None = None,
) -> Path:
    """Write ``outdir/index.html`` (atomically) holding every section; return its path.

    The page leads with the results: the summary rows of every section (the table
    ``powerlab demo`` prints), each linked to its section, and the provenance of the run.
    """
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
    ]
    parts.append(f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>")
    rows = [
        "<tr>"
        + (
            f"<td rowspan='{len(s.summary)}'><a href='#s{i}'>{html.escape(s.title)}</a></td>"
            if j == 0
            else ""
        )
        + f"<td>{html.escape(key)}</td><td>{html.escape(value)}</td></tr>"
        for i, s in enumerate(sections)
        for j, (key, value) in enumerate(s.summary)
    ]
    parts.append(
        "<p>Results (each links to its section):</p><table id='summary'><thead><tr>"
        "<th>analysis</th><th>quantity</th><th>value</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    if provenance:
        parts.append("<p>Produced by:</p>" + _provenance_html(provenance))
    for i, s in enumerate(sections):
        parts.append(f"<h2 id='s{i}'>{html.escape(s.title)}</h2>{s.html}")
        if s.command:
            parts.append(f"<p>Reproduce with: <code>{html.escape(s.command)}</code></p>")
    parts.append("</body></html>")
    return atomic_write_text(outdir / "index.html", "\n".join(parts))
