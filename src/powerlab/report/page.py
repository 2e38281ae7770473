"""The HTML report: sections with figures, assembled into ``index.html``.

A section is produced by a module under :mod:`powerlab.report.sections` that defines
``build(outdir: pathlib.Path, quick: bool) -> Section``. It writes its figures into
``outdir`` (with :func:`save_figure`) and returns an HTML fragment that refers to
them by file name, plus a few summary rows for the console table.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from powerlab._figures import save_figure as _save
from powerlab._io import atomic_write_text
from powerlab._resources import examples_dir

__all__ = ["Section", "examples_dir", "figure_html", "render_page", "save_figure", "table_html"]


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


def save_figure(fig: Any, outdir: Path, name: str) -> str:
    """Save a matplotlib figure atomically as ``outdir/name`` (PNG) and close it; return ``name``."""
    _save(fig, outdir / name)
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


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{border-bottom:2px solid #444}h2{margin-top:2.5rem;border-bottom:1px solid #aaa}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;
text-align:right}th{background:#f3f3f3}figure{margin:1rem 0}img{max-width:100%}
code,pre{background:#f6f6f6;padding:.1rem .3rem}figcaption{font-size:.9rem;color:#555}
"""


def render_page(sections: list[Section], outdir: Path, title: str = "powerlab report") -> Path:
    """Write ``outdir/index.html`` (atomically) holding every section; return its path."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
    ]
    parts.append(f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1><ul>")
    parts += [
        f"<li><a href='#s{i}'>{html.escape(s.title)}</a></li>" for i, s in enumerate(sections)
    ]
    parts.append("</ul>")
    for i, s in enumerate(sections):
        parts.append(f"<h2 id='s{i}'>{html.escape(s.title)}</h2>{s.html}")
        if s.command:
            parts.append(f"<p>Reproduce with: <code>{html.escape(s.command)}</code></p>")
    parts.append("</body></html>")
    return atomic_write_text(outdir / "index.html", "\n".join(parts))
