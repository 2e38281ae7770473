"""The report page leads with its results and provenance; its figures fit where they are shown."""

from pathlib import Path

from catalogue import fig1, room
from powerlab.power import power
from powerlab.report.figures import plot_power
from powerlab.report.page import Section, render_page, table_html


def test_page_leads_with_summary_then_provenance(tmp_path: Path) -> None:
    sections = [
        Section("Alpha", "<p>a</p>", [("x<y", "1 & 2")], command="powerlab power a.yaml"),
        Section("Beta", table_html(["h"], [["v"]]), [("z", "3")]),
    ]
    page = render_page(sections, tmp_path, provenance={"seed": 4, "git_commit": None}).read_text()
    summary, prov, first = (
        page.index("id='summary'"),
        page.index("class='provenance'"),
        page.index("<h2"),
    )
    assert summary < prov < first
    assert "<td>x&lt;y</td><td>1 &amp; 2</td>" in page and "href='#s1'" in page
    assert "<dt>seed</dt><dd>4</dd>" in page and "<dd>not available</dd>" in page
    assert "overflow-x:auto" in page and "max-width:100%" in page


def test_bar_chart_is_at_most_nine_inches_with_the_legend_outside_the_axes() -> None:
    mdp = fig1()
    fig = plot_power(mdp, power(mdp, [0.0, 0.5, 0.9, 0.99, 1.0], samples=20, rng=0))
    try:
        assert fig.get_size_inches()[0] <= 9.0
        ax = fig.axes[0]
        fig.canvas.draw()
        legend = ax.get_legend().get_window_extent()
        assert legend.x0 >= ax.get_window_extent().x1  # covers no bar
        assert "fig1" in ax.get_title()
        footer = " ".join(t.get_text() for t in fig.texts)
        assert "seed 0" in footer and "20 samples" in footer and "uniform" in footer
    finally:
        fig.clear()


def test_heatmap_labels_its_colour_bar_and_greys_its_walls() -> None:
    mdp = room()
    fig = plot_power(mdp, power(mdp, [0.9], samples=20, rng=0))
    try:
        heat, bar = fig.axes
        assert "POWER" in bar.get_ylabel() and heat.get_xlabel() == "column"
        image = heat.get_images()[0]
        red, green, blue, alpha = image.cmap.get_bad()
        assert max(red, green, blue) < 0.5 and alpha == 1.0  # dark and opaque, not page white
    finally:
        fig.clear()
