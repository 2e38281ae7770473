"""The shutdown figure (Krakovna & Kramár 2023, Theorem 2): what it labels, where it draws the
bound, and that nothing is cut at the edges of [0, 1]."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from powerlab.goals import analyze_shutdown, load_training
from powerlab.goals.plot import plot_shutdown
from powerlab.mdp import load_mdp

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"


@pytest.fixture(scope="module")
def analysis():
    mdp = load_mdp(EX / "shutdown_toy.yaml")
    td = load_training(mdp, EX / "shutdown_toy_train.yaml")
    # γ = 0.95 is above every γ* of the toy, so nearly all goals avoid shutdown: points at 1
    return analyze_shutdown(
        mdp, td, "s", "halt", [0.3, 0.7, 0.95], samples=200, orbits=3, orbit_draws=20, rng=0
    )


def _figure(analysis, **kw):
    fig = plot_shutdown(analysis.rows, None, title="toy: shutdown at s", **kw)
    fig.canvas.draw()
    return fig


@pytest.mark.parametrize("exact_bound", [False, True])
def test_axis_label_margin_and_bound_colour(analysis, exact_bound: bool) -> None:
    stars = analysis.setting.gamma_stars if exact_bound else None
    fig = _figure(analysis, gamma_stars=stars)
    try:
        ax = fig.axes[0]
        label = ax.get_ylabel()
        assert "training-compatible" in label and "$G_T$" in label
        assert "G_T" not in label.replace("$G_T$", "")  # never the literal underscore name
        low, high = ax.get_ylim()
        assert low < 0.0 and high > 1.0  # a margin: points at 0 or 1 are drawn whole
        # every error bar stays in [0, 1], where a fraction lives
        for coll in ax.collections:
            for seg in coll.get_segments():
                assert np.all((seg[:, 1] >= -1e-12) & (seg[:, 1] <= 1 + 1e-12))
        lines = {line.get_label(): line for line in ax.get_lines()}
        lines.update({c.get_label(): c.lines[0] for c in ax.containers})  # error-bar series
        bound = [name for name in lines if name.startswith("Theorem 2 bound")]
        assert len(bound) == 1 and "paid once" in bound[0]
        once = next(n for n in lines if n.startswith("avoid shutdown, reward paid once"))
        loop = next(n for n in lines if n.startswith("avoid shutdown, self-loop"))
        assert lines[bound[0]].get_color() == lines[once].get_color()
        assert lines[bound[0]].get_color() != lines[loop].get_color()
        assert "no bound" in loop
    finally:
        fig.clear()


def test_points_at_one_are_inside_the_axes(analysis) -> None:
    fig = _figure(analysis)
    try:
        ax = fig.axes[0]
        top = max(r.once.fraction_avoid for r in analysis.rows)
        assert top > 0.95  # the case the margin is for
        ax_box = ax.get_window_extent()
        for line in ax.get_lines():
            x, y = line.get_xydata().T if len(line.get_xdata()) else (np.array([]),) * 2
            for _px, py in ax.transData.transform(np.column_stack([x, y])[~np.isnan(y)]):
                assert ax_box.y0 <= py <= ax_box.y1 - 3  # at least 3 px below the top edge
    finally:
        fig.clear()


def test_legend_covers_no_data(analysis) -> None:
    fig = _figure(analysis)
    try:
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent()
        assert legend.y1 <= ax.get_window_extent().y0  # below the axes
    finally:
        fig.clear()
