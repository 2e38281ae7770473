"""Figure: the cumulative curve P(AGI by year) of one or more forecasts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from powerlab._figures import pyplot, save_figure
from powerlab.forecast.curve import Forecast

__all__ = ["plot_forecasts"]


def plot_forecasts(
    curves: Mapping[str, Forecast], path: str | os.PathLike[str] | None = None
) -> Any:
    """Plot each forecast's ``by_year`` curve (label -> Forecast); save as PNG if ``path``."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for label, fc in curves.items():
        years = list(fc.by_year)
        ax.plot(years, [100 * fc.by_year[y] for y in years], label=label)
    ax.set_xlabel("year Y")
    ax.set_ylabel("P(AGI by end of Y | none by 2020), %")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if path is not None:
        save_figure(fig, path)
    return fig
