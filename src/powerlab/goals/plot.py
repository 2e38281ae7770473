"""Figure: the fraction of training-compatible goals avoiding shutdown against γ.

Draws, for Krakovna & Kramár's Theorem 2, the measured fraction (±2 standard errors) for
both terminal conventions, the minimum within-orbit fraction, and the bound n/(n+1) as a
step line where its premises hold.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from powerlab.goals.shutdown import GammaResult

__all__ = ["plot_shutdown"]


def plot_shutdown(
    rows: Sequence[GammaResult],
    path: str | os.PathLike[str] | None = None,
    title: str = "",
    gamma_stars: dict[str, float] | None = None,
) -> Any:
    """Plot ``rows`` from :func:`powerlab.goals.analyze_shutdown`; save to ``path`` if given
    (atomically), and return the matplotlib figure (closed if saved). With ``gamma_stars``
    (state -> γ*) the bound is drawn exactly on a fine grid, jumps included."""
    import numpy as np

    from powerlab._figures import pyplot, save_figure

    plt = pyplot()

    g = np.array([r.gamma for r in rows])
    fig, ax = plt.subplots(figsize=(6.4, 4.0))

    def series(attr: str, conv: str) -> np.ndarray:
        out = []
        for r in rows:
            c = r.once if conv == "once" else r.self_loop
            v = getattr(c, attr) if c is not None else None
            out.append(np.nan if v is None else float(v))
        return np.array(out)

    f, se = series("fraction_avoid", "once"), series("stderr", "once")
    ax.errorbar(
        g,
        f,
        yerr=2 * se,
        marker="o",
        label="avoid shutdown, reward paid once (Krakovna & Kramár 2023)",
    )
    ax.plot(g, series("min_orbit_fraction", "once"), "v:", label="min within-orbit fraction")
    if any(r.self_loop is not None for r in rows):
        f2, se2 = series("fraction_avoid", "loop"), series("stderr", "loop")
        ax.errorbar(g, f2, yerr=2 * se2, marker="s", label="avoid shutdown, self-loop (Turner)")
    if gamma_stars is not None and all(r.once.bound is not None for r in rows):
        grid = np.linspace(min(g.min(), 0.01), max(g.max(), 0.99), 500)
        n = np.array([sum(1 for v in gamma_stars.values() if x > v) for x in grid])
        ax.plot(grid, n / (n + 1), color="k", lw=2, label="Theorem 2 bound n/(n+1)")
    else:
        b = series("bound", "once")
        ax.step(
            g, b, where="post", color="k", lw=2, label="Theorem 2 bound n/(n+1) (where it applies)"
        )
    ax.set_xlabel("discount γ")
    ax.set_ylabel("fraction of G_T goals")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    if path is not None:
        save_figure(fig, Path(path))
    return fig
