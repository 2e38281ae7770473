"""``powerlab demo``: every section builds and the report links only files that exist."""

import html
import json
import re

from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.report.sections import SECTIONS


def test_demo_quick_writes_a_complete_report(tmp_path):
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["demo", "--quick", "-o", str(out), "--seed", "1", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # --json: stdout holds the JSON document only
    assert doc["provenance"]["seed"] == 1 and doc["provenance"]["quick"] is True
    assert doc["summary"] and set(doc["summary"][0]) == {"analysis", "quantity", "value"}
    page = (out / "index.html").read_text()
    assert page.count("<h2") == len(SECTIONS)
    # The page leads with the results: the summary table, then the provenance, then sections.
    assert page.index("id='summary'") < page.index("class='provenance'") < page.index("<h2")
    assert all(html.escape(row["value"]) in page for row in doc["summary"])
    # The report leads with the shutdown analysis (Krakovna & Kramár 2023, Thm 2), with its figure.
    first = page.index("<h2")
    assert "hutdown" in page[first : page.index("</h2>", first)]
    images = re.findall(r'<img src="([^"]+)"', page)
    assert images and all((out / name).is_file() for name in images)
    assert f"wrote {out / 'index.html'}" in res.stderr
