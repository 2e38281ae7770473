"""Figure of a comparison: observed outcome rates (with intervals) against each hypothesis.

One panel per case kind; for each outcome, the observed rate with its Wilson interval as a
black point, and each hypothesis's predicted probability (:mod:`powerlab.agents.hypotheses`)
as a coloured bar.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from powerlab._types import JSON

__all__ = ["plot_comparison"]


def plot_comparison(result: JSON, title: str = "") -> Any:
    """A matplotlib figure from a ``comparison.json`` document."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = result["summary"]
    kinds = list(dict.fromkeys(r["kind"] for r in summary))
    hyps = result["hypotheses"]["hypotheses"]
    fig, axes = plt.subplots(1, len(kinds), figsize=(3.2 * len(kinds), 3.2), squeeze=False)
    width = 0.8 / (len(hyps) + 1)
    for ax, kind in zip(axes[0], kinds, strict=True):
        rows = [r for r in summary if r["kind"] == kind]
        labels = [r["outcome"] for r in rows]
        x = np.arange(len(labels))
        for i, h in enumerate(hyps):
            pred = h["predicted_outcomes"].get(kind, {})
            ax.bar(
                x + (i - len(hyps) / 2) * width,
                [pred.get(lbl, 0.0) for lbl in labels],
                width,
                label=h["name"],
                alpha=0.7,
            )
        rate = np.array([r["rate"] for r in rows])
        lo = np.array([r["wilson"][0] for r in rows])
        hi = np.array([r["wilson"][1] for r in rows])
        ax.errorbar(
            x + (len(hyps) / 2) * width,
            rate,
            yerr=[np.maximum(rate - lo, 0.0), np.maximum(hi - rate, 0.0)],
            fmt="ko",
            label="observed (95% Wilson)",
        )
        ax.set_xticks(x)
        ax.set_xticklabels(labels, rotation=30, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_title(kind)
    axes[0][0].set_ylabel("probability")
    axes[0][-1].legend(fontsize=7, loc="upper right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
