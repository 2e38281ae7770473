"""Figures of a protocol analysis (:func:`powerlab.agents.study.analyze`).

* :func:`plot_k_sweep` (the headline): observed decision-square cheese rate against k with
  its seed x layout cluster bootstrap interval, and each hypothesis's cross-fitted
  predicted rate on the same episodes.
* :func:`plot_calibration`: mean predicted probability against observed frequency in ten
  bins, per model, on the scored (held-out) folds.
* :func:`plot_training`: smoothed training curves of every chunk, the k sweep coloured by
  k and the shutdown arm by γ, the agents that failed the competence gate dotted.
* :func:`plot_shutdown`: avoidance against γ (the competent agents with their interval, and
  every agent of the arm as a point) beside Theorem 2's bound, the G_T-uniform
  fraction, the training reward's optimum and a random walk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from powerlab._figures import pyplot
from powerlab._types import JSON

__all__ = ["plot_calibration", "plot_k_sweep", "plot_shutdown", "plot_training"]

_STYLE = {
    "H_true": ("tab:green", "o"),
    "H_proxy": ("tab:red", "s"),
    "H_mix": ("tab:orange", "D"),
    "H_GT_tab": ("tab:purple", "v"),
    "H_GT_feat": ("tab:blue", "^"),
    "random walk": ("gray", "x"),
    "base rate": ("black", "+"),
}


def plot_k_sweep(analysis: JSON, title: str = "") -> Any:
    """Observed decision-square cheese rate vs k, with each hypothesis's prediction."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    rows = sorted(analysis["k_sweep"], key=lambda r: r["k"])
    ks = [r["k"] for r in rows]
    if rows:
        est = [r["decision_cheese"][0] for r in rows]
        lo = [r["decision_cheese"][0] - r["decision_cheese"][1] for r in rows]
        hi = [r["decision_cheese"][2] - r["decision_cheese"][0] for r in rows]
        ax.errorbar(ks, est, yerr=[lo, hi], color="k", lw=2, capsize=4, label="observed (95% CI)")
        for name, (color, marker) in _STYLE.items():
            ys = [r["predicted"].get(name) for r in rows]
            if all(y is not None for y in ys):
                ax.plot(ks, ys, color=color, marker=marker, ls="--", label=name)
    ax.set_xlabel("training region size k (cheese in the top-right k x k)")
    ax.set_ylabel("P(cheese) from the decision square")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(ks)
    counts = [str(len(r.get("seeds", []))) for r in rows]  # one per k, aligned with ks
    n = (
        f"\n(competent seeds at k = {', '.join(map(str, ks))}: {', '.join(counts)})"
        if counts
        else ""
    )
    ax.set_title(title or f"Decision squares: observed vs predicted{n}", fontsize=10)
    if rows:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4)
    fig.tight_layout()
    return fig


def plot_calibration(analysis: JSON, k: str | None = None) -> Any:
    """Calibration of each model's scored predictions at region size ``k`` (default: the
    largest k analysed)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    comp = analysis["comparison"]
    if comp:
        key = k if k is not None else max(comp, key=int)
        for name, pts in comp[key]["calibration"].items():
            if pts:
                color, marker = _STYLE.get(name, ("gray", "."))
                ax.plot(
                    [p[0] for p in pts], [p[1] for p in pts], marker=marker, color=color, label=name
                )
        ax.set_title(f"Calibration, held-out kinds, k = {key}")
    ax.plot([0, 1], [0, 1], color="0.7", lw=1)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.legend(fontsize=7)
    return fig


def plot_training(chunks: Sequence[JSON], window: int = 10) -> Any:
    """Training curves: the success rate of the training episodes against environment steps.

    Each line is one agent, smoothed over ``window`` consecutive rollouts (the
    episode-weighted mean of their success rates, so a rollout with few finished episodes
    counts for less). The k-sweep agents (those at the most common γ) are coloured by k in
    the left panel; the shutdown arm (every γ at the k trained at other discounts) by γ in
    the right panel. Agents that failed the competence gate are dotted.
    """
    from matplotlib.ticker import FuncFormatter

    plt = pyplot()
    arms = _training_arms(chunks)
    fig, axes = plt.subplots(1, len(arms), figsize=(5.0 * len(arms), 4.0), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for ax, (title, key, group) in zip(axes[0], arms, strict=True):
        values = sorted({ch[key] for ch in group})
        color = {v: cmap(0.85 * i / max(1, len(values) - 1)) for i, v in enumerate(values)}
        for ch in group:
            steps, rate = _smoothed(ch["training"]["curve"], window)
            ls = "-" if ch["gate"]["passed"] else ":"
            ax.plot(steps, rate, ls=ls, lw=0.9, color=color[ch[key]])
        for v in values:
            members = [ch for ch in group if ch[key] == v]
            ok = sum(1 for ch in members if ch["gate"]["passed"])
            name = "k" if key == "k" else "γ"
            ax.plot([], [], color=color[v], label=f"{name} = {v}: {ok}/{len(members)} competent")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 1000:g}k"))
        ax.set_xlabel("environment steps")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
    axes[0][0].set_ylabel(f"training episodes reaching the cheese\n(mean of {window} rollouts)")
    fig.suptitle("Training curves (dotted: failed the competence gate)", fontsize=11)
    fig.tight_layout()
    return fig


def _training_arms(chunks: Sequence[JSON]) -> list[tuple[str, str, list[JSON]]]:
    """Split chunks into the k sweep (the most common γ) and the shutdown arm (the k
    trained at the other discounts, every γ)."""
    gammas = [ch["gamma"] for ch in chunks]
    base = max(set(gammas), key=gammas.count) if gammas else None
    sweep = [ch for ch in chunks if ch["gamma"] == base]
    arms = [(f"k sweep at γ = {base}", "k", sweep)]
    other_k = {ch["k"] for ch in chunks if ch["gamma"] != base}
    if other_k:
        shut = [ch for ch in chunks if ch["k"] in other_k]
        ks = ", ".join(str(k) for k in sorted(other_k))
        arms.append((f"shutdown arm at k = {ks}", "gamma", shut))
    return arms


def _smoothed(curve: Sequence[JSON], window: int) -> tuple[list[float], list[float]]:
    """Episode-weighted trailing mean of the success rate over ``window`` rollouts."""
    steps, rate = [], []
    for i, c in enumerate(curve):
        part = curve[max(0, i - window + 1) : i + 1]
        n = sum(p["episodes"] for p in part)
        if n:
            steps.append(c["steps"])
            rate.append(sum(p["success"] * p["episodes"] for p in part) / n)
    return steps, rate


def plot_shutdown(analysis: JSON) -> Any:
    """Shutdown avoidance against γ: the competent agents' rate with its cluster interval,
    each agent of the arm as a point (hollow: failed the competence gate, in no estimate),
    and the predictions of Theorem 2, G_T-uniform, the training reward and a random walk."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 4.0))
    rows = sorted(analysis["shutdown"], key=lambda r: r["gamma"])
    g = [r["gamma"] for r in rows]
    for key, label, color, ls in (
        ("theorem2_min", "Theorem 2 n/(n+1), min over cases", "tab:red", "--"),
        ("theorem2_mean", "Theorem 2 n/(n+1), mean over cases", "tab:red", ":"),
        ("gt_uniform_avoid", "G_T-uniform", "tab:purple", "--"),
        ("training_reward_optimal_avoid", "training reward, optimal", "tab:green", "--"),
        ("random_walk_avoid", "random walk", "gray", "--"),
    ):
        ys = [r.get(key) for r in rows]
        if rows and all(y is not None for y in ys):
            ax.plot(g, ys, ls=ls, marker="o", ms=4, color=color, label=label)
    seen = [r for r in rows if r["observed_avoid"] is not None]
    if seen:
        ax.errorbar(
            [r["gamma"] for r in seen],
            [r["observed_avoid"][0] for r in seen],
            yerr=[
                [r["observed_avoid"][0] - r["observed_avoid"][1] for r in seen],
                [r["observed_avoid"][2] - r["observed_avoid"][0] for r in seen],
            ],
            color="k",
            lw=2,
            capsize=4,
            marker="s",
            zorder=5,
            label="competent agents (95% CI)",
        )
    _agent_points(ax, analysis, g)
    ax.set_xlabel("training discount γ")
    ax.set_ylabel("P(avoid shutdown)")
    ax.set_ylim(-0.02, 1.06)
    ax.set_title("Shutdown button at the start")
    if rows:
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no shutdown arm analysed", ha="center", va="center",
                transform=ax.transAxes, color="gray")  # fmt: skip
    return fig


def _agent_points(ax: Any, analysis: JSON, gammas: list[float]) -> None:
    """Each agent of the shutdown arm at its γ, spread sideways so ties stay visible."""
    k = analysis.get("shutdown_k")
    arm = [a for a in analysis["agents"] if a["k"] == k and a.get("shutdown_avoided")]
    if not arm or not gammas:
        return
    width = 0.12 * (max(gammas) - min(gammas) or 0.05)
    for passed, face, label in (
        (True, "0.3", "each competent agent"),
        (False, "none", "each agent that failed the gate"),
    ):
        pts = [a for a in arm if a["passed"] == passed]
        xs = []
        for a in pts:
            same = [b for b in arm if b["gamma"] == a["gamma"]]
            i = same.index(a)
            xs.append(a["gamma"] + width * (i - (len(same) - 1) / 2) / max(1, len(same)))
        if pts:
            ax.scatter(xs, [a["shutdown_avoided"][0] for a in pts], s=14, facecolors=face,
                       edgecolors="0.3", linewidths=0.8, zorder=4, label=label)  # fmt: skip
