"""The report's module API and its words: one ``save_figure``, no re-exports, no jargon."""

from __future__ import annotations

import re
from pathlib import Path

import powerlab._figures
import powerlab.report.page as page
from powerlab.goals import analyze_shutdown, load_training
from powerlab.mdp import load_mdp
from powerlab.report.sections.shutdown import _rows_html

SRC = Path(page.__file__).resolve().parent
EX = Path(__file__).resolve().parents[2] / "examples" / "goals"


def test_page_exports_its_own_names_only() -> None:
    assert "examples_dir" not in page.__all__ and "save_figure" not in page.__all__
    assert page.save_figure is powerlab._figures.save_figure  # the base one, not a namesake
    assert callable(page.save_report_figure)


def test_report_text_has_no_undefined_jargon() -> None:
    bad = re.compile(r"seed's|Q\*-optimality reading|s_new|open question|convention\)")
    for path in sorted(SRC.rglob("*.py")):
        hits = [m.group(0) for m in bad.finditer(path.read_text(encoding="utf-8"))]
        assert not hits, (path.name, hits)


def test_shutdown_table_names_the_failed_premises_per_model() -> None:
    """In the toy, shutdown pays once by construction; with a self-loop that premise fails,
    and only that one (Krakovna & Kramár 2023, Theorem 2's premises)."""
    mdp = load_mdp(EX / "shutdown_toy.yaml")
    td = load_training(mdp, EX / "shutdown_toy_train.yaml")
    rows = analyze_shutdown(mdp, td, "s", "halt", [0.95], samples=50, orbits=1, rng=0).rows
    html = _rows_html(rows)
    assert "premises (paid once)" in html and "premises (self-loop)" in html
    assert "<td>all hold</td>" in html and "<td>fail: shutdown pays once</td>" in html
