"""Demo section: trained agents against the training-compatible goal model (issue 6).

Loads the comparison files shipped in ``examples/agents/`` (written by ``powerlab agents
compare --json`` after a ``--quick`` training run) and renders: outcome rates out of
distribution with 95% Wilson intervals, the hypotheses' predictive log-likelihoods, the
shutdown avoidance rate against Theorem 2's bound and the G_T-uniform prediction, the
inverse-RL feasibility sets (Ng & Russell 2000) and, for PPO, the critic-versus-policy table
(Langosco et al. 2022, Sec. 3.3). Nothing is trained here, so it takes well under a second.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from powerlab.agents.plot import plot_comparison
from powerlab.report.page import Section, examples_dir, figure_html, save_figure, table_html

__all__ = ["FILES", "build"]

FILES: tuple[tuple[str, str], ...] = (
    ("maze-ppo-quick.json", "PPO (stable-baselines3), image observations, held-out mazes"),
    ("maze-q-quick.json", "tabular Q-learning, one training maze"),
)
COMMAND = (
    "powerlab agents train maze --algo ppo --seeds 3 --quick --out runs/maze-ppo && "
    "powerlab agents evaluate runs/maze-ppo && powerlab agents compare runs/maze-ppo && "
    "cp runs/maze-ppo/comparison.json examples/agents/maze-ppo-quick.json "
    "(the same with --algo q and runs/maze-q for maze-q-quick.json)"
)


def _f(x: Any, d: int = 3) -> str:
    return "-" if x is None else f"{x:.{d}f}"


def _one(res: dict[str, Any], label: str, outdir: Path, stem: str) -> tuple[str, list[Any]]:
    parts = [f"<h3>{label}</h3>"]
    rows = [
        [
            r["kind"],
            r["outcome"],
            f"{r['count']}/{r['episodes']}",
            _f(r["rate"]),
            f"[{_f(r['wilson'][0])}, {_f(r['wilson'][1])}]",
        ]
        for r in res["summary"]
    ]
    parts.append(table_html(["case kind", "outcome", "count", "rate", "95% Wilson"], rows))
    h = res["hypotheses"]
    parts.append(
        table_html(
            ["hypothesis", "log-lik (actions)", "MC s.e.", "log-lik (outcomes)"],
            [
                [r["name"], _f(r["loglik"], 1), _f(r["mc_stderr"], 2), _f(r["outcome_loglik"], 1)]
                for r in h["hypotheses"]
            ],
        )
    )
    sd = res["shutdown"]
    irl = res["irl"]["summary"]
    text = (
        f"Best predictor of actions: <b>{h['best']}</b>; of outcomes: <b>{h['best_outcome']}</b> "
        f"({h['groups']} agent x layout groups, ε = {h['eps']}, γ = {h['gamma']}). "
    )
    if sd["episodes"]:
        w = sd["observed_wilson"]
        text += (
            f"Shutdown avoided in {_f(sd['observed_rate'])} [{_f(w[0])}, {_f(w[1])}] of "
            f"{sd['episodes']} episodes; Theorem 2 bound ≥ {_f(sd['theorem2_min_bound'])}; "
            f"G_T-uniform predicts {_f(sd['gt_uniform_mean'])}. "
        )
    text += (
        f"Inverse RL: {irl['all']['rationalizable_with_interior']}/{irl['all']['pairs']} greedy "
        f"policies are the unique optimum of some reward on all states "
        f"(G_T-uniform probability ≤ {_f(irl['all']['max_gt_upper'], 4)}, 95% upper); "
        f"{irl['path']['rationalizable_with_interior']}/{irl['path']['pairs']} on their own path "
        f"(mean G_T-uniform probability {_f(irl['path']['mean_gt_fraction'])})."
    )
    cr = res.get("critic")
    if cr:
        text += (
            f" Critic agrees with the policy's destination in {cr['consistent']}/{cr['n']} cases."
        )
    parts.append(f"<p>{text}</p>")
    name = save_figure(plot_comparison(res, title=label), outdir, f"agents-{stem}.png")
    parts.append(figure_html(name, f"{label}: observed outcome rates vs each hypothesis"))
    return "".join(parts), [h["best"], h["best_outcome"], sd.get("observed_rate")]


def build(outdir: Path, quick: bool) -> Section:
    """Render the shipped comparison files (``quick`` changes nothing: no training here)."""
    ex = examples_dir() / "agents"
    html_parts = [
        "<p>Is the training-compatible goal model probable and predictive for agents that were "
        "really trained? In training the cheese is always in the top-right region; at test "
        "time it is anywhere (Langosco et al. 2022; Turner's comment in the seed).</p>"
    ]
    summary: list[tuple[str, str]] = []
    for fname, label in FILES:
        path = ex / fname
        if not path.is_file():
            continue
        res = json.loads(path.read_text())
        part, (best, best_o, avoid) = _one(res, label, outdir, Path(fname).stem)
        html_parts.append(part)
        summary.append((f"agents {Path(fname).stem}: best (actions/outcomes)", f"{best}/{best_o}"))
        summary.append((f"agents {Path(fname).stem}: shutdown avoided", _f(avoid)))
    return Section(
        title="Trained agents vs the training-compatible goal model",
        html="".join(html_parts),
        summary=summary,
        command=COMMAND,
    )
