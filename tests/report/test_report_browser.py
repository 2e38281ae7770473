"""The report in a real browser (headless Chromium): images load, nothing overflows, no errors.

A script injected at the top of a copy of ``index.html`` records console errors and uncaught
exceptions, waits for the page to load, then writes what it measured into the DOM, which
``chromium --headless --dump-dom`` prints. Skipped where no ``chromium`` is on PATH (Debian:
``apt-get install chromium``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from powerlab.report.page import Section, render_page, table_html
from powerlab.report.sections import power

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (Debian: apt-get install chromium)"
)

PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.target.src)),
  true);
const _error = console.error;
console.error = (...a) => { window.__errors.push(a.join(' ')); _error(...a); };
window.addEventListener('load', () => {
  const root = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
    const r = el.getBoundingClientRect();
    let p = el.parentElement, scrolls = false;
    while (p) { if (getComputedStyle(p).overflowX === 'auto') scrolls = true; p = p.parentElement; }
    return !scrolls && r.right > root.clientWidth + 1;
  }).map(el => el.tagName + (el.id ? '#' + el.id : ''));
  const images = [...document.images].map(i => ({src: i.getAttribute('src'),
    ok: i.complete && i.naturalWidth > 0, shown: i.getBoundingClientRect().width}));
  const out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify({errors: window.__errors, wide: wide, images: images,
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth});
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report with the POWER section (real figures) and a table wider than any window."""
    out = tmp_path_factory.mktemp("report")
    wide = table_html([f"column {i}" for i in range(30)], [[f"{i / 7:.6f}" for i in range(30)]])
    sections = [
        power.build(out, quick=True),
        Section("A wide table", wide, [("widest", "30 columns")], command="powerlab " + "x" * 300),
    ]
    render_page(sections, out, provenance={"powerlab": "test", "seed": 0})
    page = (out / "index.html").read_text()
    (out / "probe.html").write_text(page.replace("<head>", "<head>" + PROBE, 1))
    return out


def _probe(page: Path, width: int) -> dict:
    cmd = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        f"--window-size={width},900", "--virtual-time-budget=10000",
        "--allow-file-access-from-files", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    match = re.search(r'<pre id="__probe">(.*?)</pre>', dom, re.S)
    assert match, f"the probe did not run; chromium printed:\n{dom[-2000:]}"
    text = match.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return json.loads(text.replace("&amp;", "&"))


@pytest.mark.parametrize("width", [1400, 700])
def test_images_load_nothing_overflows_no_console_errors(report: Path, width: int) -> None:
    got = _probe(report / "probe.html", width)
    assert got["errors"] == []
    assert got["images"] and all(i["ok"] for i in got["images"]), got["images"]
    assert all(0 < i["shown"] <= got["clientWidth"] for i in got["images"]), got["images"]
    assert got["scrollWidth"] <= got["clientWidth"], got
    assert got["wide"] == [], got["wide"]


def test_screenshots_at_both_widths(report: Path) -> None:
    """Screenshots for a person to look at (kept in the test's temporary folder)."""
    for width in (1400, 700):
        shot = report / f"shot-{width}.png"
        cmd = [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--window-size={width},2400", f"--screenshot={shot}", (report / "index.html").as_uri(),
        ]  # fmt: skip
        subprocess.run(cmd, capture_output=True, timeout=120, check=True)
        assert shot.stat().st_size > 10_000
