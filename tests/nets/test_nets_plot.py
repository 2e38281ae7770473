"""The tickets figure: every method's rows are drawn, and its log-axis labels never overlap.

The figure reads only the rows' fields, so the sweeps here are written out by hand (no
training): the accuracies are arbitrary, the bit counts span the ranges that occur.
"""

from __future__ import annotations

from itertools import combinations
from types import SimpleNamespace

import pytest

from powerlab.nets.plot import figure_tickets


def _sweep(method: str, widths, kept, bits_of, dense: bool) -> SimpleNamespace:
    rows = []
    for w in widths:
        if dense:
            rows.append(SimpleNamespace(method="dense", width=w, kept=1.0, acc_test=0.9,
                                        bits_standalone=bits_of(w, 1.0) * 30))  # fmt: skip
        for k in kept:
            rows.append(SimpleNamespace(method=method, width=w, kept=k, acc_test=0.5 + k / 3,
                                        bits_standalone=bits_of(w, k)))  # fmt: skip
    return SimpleNamespace(rows=rows, chance=0.1, settings={"method": method, "arch": "mlp"})


def _no_overlap(labels) -> None:
    boxes = [t.get_window_extent() for t in labels if t.get_visible() and t.get_text()]
    assert len(boxes) >= 2, "an axis with fewer than two labels says little"
    for a, b in combinations(boxes, 2):
        assert a.x1 <= b.x0 or b.x1 <= a.x0, (a, b)


@pytest.mark.parametrize(
    "bits_of",
    [
        lambda w, k: int(9000 * w / 64 * (1 + k)),  # biprop-like: under two decades
        lambda w, k: int(300 * w * w * k),  # edge-popup-like: several decades
    ],
)
def test_edge_popup_rows_are_drawn_beside_biprop(bits_of) -> None:
    kept = (0.1, 0.3, 0.5)
    bip = _sweep("biprop", (64, 128), kept, bits_of, dense=True)
    pop = _sweep("edgepopup", (64, 128), kept, bits_of, dense=False)
    fig = figure_tickets(bip, pop)
    try:
        fig.canvas.draw()
        left, right = fig.axes[:2]
        squares = [ln for ln in left.get_lines() if ln.get_marker() == "s"]
        assert sum(len(ln.get_xdata()) for ln in squares) == len(pop.rows)  # every edge-popup row
        circles = [ln for ln in left.get_lines() if ln.get_marker() == "o"]
        assert sum(len(ln.get_xdata()) for ln in circles) == len(kept) * 2
        assert "edge-popup" in left.get_title() and "biprop" in left.get_title()
        _no_overlap(right.get_xticklabels())
        lo, hi = right.get_xlim()
        bits = [r.bits_standalone for r in bip.rows + pop.rows]
        assert lo < min(bits) and hi > max(bits)
        legend = fig.legends[0].get_window_extent()
        assert legend.y1 <= min(ax.get_window_extent().y0 for ax in (left, right))
    finally:
        fig.clear()
