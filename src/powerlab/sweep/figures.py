"""Figures of a sweep's combined results (matplotlib). No mathematics.

One figure per cell (environment x distribution): the estimate against γ with ±2 standard
error bands for the items with the largest and smallest estimates at the largest γ and, for POWER on a grid
environment, a heatmap of POWER at the largest γ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from powerlab._figures import pyplot, save_figure
from powerlab._types import JSON

__all__ = ["cell_figure", "cells_with_results", "write_figures"]


def cells_with_results(frame: pd.DataFrame, manifest: JSON) -> Iterator[tuple[JSON, pd.DataFrame]]:
    """``(cell, its rows of the combined table)`` for each cell of ``manifest`` that has rows."""
    for cell in manifest["cells"]:
        sub = frame[(frame["env"] == cell["env"]) & (frame["dist"] == cell["dist"])]
        if not sub.empty:
            yield cell, sub


def cell_figure(frame: pd.DataFrame, cell: JSON, item_col: str, est_col: str, top: int = 8) -> Any:
    """The figure of one cell; ``frame`` holds that cell's rows of the combined table."""
    plt = pyplot()
    gammas = sorted(frame["gamma"].unique())
    last = frame[frame["gamma"] == gammas[-1]].sort_values(est_col, ascending=False)
    ranked = list(last[item_col])
    shown = ranked if len(ranked) <= top else ranked[: -(-top // 2)] + ranked[-(top // 2) :]
    grid = cell.get("grid_cells") if est_col == "power" else None
    ncols = 2 if grid else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.0 * ncols, 3.8), squeeze=False)
    ax = axes[0, 0]
    for item in shown:
        sub = frame[frame[item_col] == item].sort_values("gamma")
        g, y, se = sub["gamma"].to_numpy(), sub[est_col].to_numpy(), sub["stderr"].to_numpy()
        (line,) = ax.plot(g, y, marker="o", ms=3, label=str(item))
        ax.fill_between(g, y - 2 * se, y + 2 * se, color=line.get_color(), alpha=0.2)
    ax.set_xlabel("γ")
    ax.set_ylabel(est_col)
    more = (
        f" (highest and lowest {len(shown)} of {len(ranked)})" if len(shown) < len(ranked) else ""
    )
    ax.set_title(f"{cell['env']}, {cell['dist']}: {est_col}{more}, ±2 SE", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    if grid:
        rows, cols = cell["grid_shape"]
        img = np.full((rows, cols), np.nan)
        index = {name: i for i, name in enumerate(cell["items"])}
        for item, val in zip(last[item_col], last[est_col], strict=True):
            r, c = grid[index[item]]
            img[r, c] = val
        im = axes[0, 1].imshow(img, cmap="viridis")
        axes[0, 1].set_title(f"POWER at γ = {gammas[-1]:g}", fontsize=9)
        axes[0, 1].set_xticks([])
        axes[0, 1].set_yticks([])
        fig.colorbar(im, ax=axes[0, 1], shrink=0.8)
    fig.tight_layout()
    return fig


def write_figures(
    frame: pd.DataFrame, manifest: JSON, outdir: Path, top: int = 8, prefix: str = ""
) -> list[Path]:
    """Write one PNG per cell with results into ``outdir`` (names start with ``prefix``)."""
    item_col, est_col = manifest["item_name"], manifest["estimate_name"]
    paths = []
    for cell, sub in cells_with_results(frame, manifest):
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{cell['env']}-{cell['dist']}")
        path = outdir / f"{prefix}cell{cell['cell']:03d}-{slug}.png"
        paths.append(save_figure(cell_figure(sub, cell, item_col, est_col, top), path))
    return paths
