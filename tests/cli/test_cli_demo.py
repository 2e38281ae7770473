"""``powerlab demo``: every section builds and the report links only files that exist."""

import re

from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.report.sections import SECTIONS


def test_demo_quick_writes_a_complete_report(tmp_path):
    out = tmp_path / "report"
    res = CliRunner().invoke(app, ["demo", "--quick", "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "index.html").read_text()
    assert page.count("<h2") == len(SECTIONS)
    # The report leads with the shutdown analysis (Krakovna & Kramár 2023, Thm 2), with its figure.
    first = page.index("<h2")
    assert "hutdown" in page[first : page.index("</h2>", first)]
    images = re.findall(r'<img src="([^"]+)"', page)
    assert images and all((out / name).is_file() for name in images)
    assert "Report written to" in res.stdout
