"""Demo section: convolutional maze agents against the training-compatible goal model.

Renders whatever protocol results are committed under ``examples/agents/protocol-full/``
(:mod:`powerlab.agents.runner`): ``analysis.json`` if the analysis was run on the committed
chunks, otherwise the chunks' competence-gate table alone, otherwise only how to produce
them. Nothing is trained or analysed here (the analysis of a full run takes minutes), so
the section takes well under a second; figures are drawn from ``analysis.json``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from powerlab._resources import examples_dir
from powerlab._text import rate_se_text
from powerlab.report.page import Section, figure_html, save_report_figure, table_html

__all__ = ["COMMAND", "RESULTS", "build"]

RESULTS = "protocol-full"
"""The committed protocol directory under ``examples/agents/``."""
COMMAND = (
    "nice -n 15 python experiments/run_agents_protocol.py --out examples/agents/protocol-full"
    " && powerlab agents protocol analyze examples/agents/protocol-full"
)


def _f(x: Any, d: int = 3) -> str:
    return "-" if x is None else f"{x:.{d}f}"


def _ci(v: list[float] | None) -> str:
    return "-" if not v else f"{_f(v[0])} [{_f(v[1])}, {_f(v[2])}]"


def _gate_table(agents: list[dict[str, Any]], gate: dict[str, float]) -> str:
    rows = [
        [
            a["seed"],
            a["k"],
            a["gamma"],
            _f(a["gate_rate"]),
            "pass" if a["passed"] else "FAIL (excluded)",
            rate_se_text(a.get("decision_cheese")),
            rate_se_text(a.get("shutdown_avoided")),
            _f(a.get("cpu_seconds"), 0),
        ]
        for a in agents
    ]
    head = f"in-distribution cheese within {gate['stretch']:g}x shortest (gate: ≥ {gate['rate']:g})"
    return table_html(
        ["seed", "k", "γ", head, "gate", "decision cheese ± se", "shutdown avoided ± se", "CPU s"],
        rows,
    )


def _gate(d: Path) -> dict[str, float]:
    """The competence gate of the protocol stored in ``d``."""
    from powerlab.agents.runner import load_config

    cfg = load_config(d)
    return {"rate": cfg.gate_rate, "stretch": cfg.gate_stretch}


def _analysis_html(
    res: dict[str, Any], outdir: Path, gate: dict[str, float]
) -> tuple[str, list[tuple[str, str]]]:
    from powerlab.agents.studyplot import plot_calibration, plot_k_sweep, plot_shutdown

    parts = [
        f"<p>{res['chunks_done']} of {res['chunks_planned']} chunks finished "
        f"({_f(res['cpu_seconds_total'] / 3600, 2)} CPU hours). Agents that fail the "
        "competence gate are listed and excluded from every number below.</p>",
        _gate_table(res["agents"], gate),
        *(f"<p>Note: {html.escape(n)}.</p>" for n in res.get("notes", [])),
    ]
    summary: list[tuple[str, str]] = [
        ("agents protocol: chunks", f"{res['chunks_done']}/{res['chunks_planned']}"),
        ("agents protocol: passed gate", str(sum(a["passed"] for a in res["agents"]))),
    ]
    if res["k_sweep"]:
        name = save_report_figure(plot_k_sweep(res), outdir, "agents-k-sweep.png")
        parts.append("<h3>Decision squares across k</h3>")
        parts.append(figure_html(name, "Decision squares: observed cheese rate vs each hypothesis"))
    for k, comp in sorted(res["comparison"].items(), key=lambda kv: int(kv[0])):
        rows = [
            [
                m["name"],
                f"{_f(m['ll_per_episode'])} [{_f(m['ll_lo'])}, {_f(m['ll_hi'])}]",
                f"{_f(m['diff_from_best'])} [{_f(m['diff_lo'])}, {_f(m['diff_hi'])}]",
                ", ".join(
                    f"β={_f(f.get('beta'), 2)}" + (f" w={_f(f['w'], 1)}" if f.get("w") else "")
                    for f in m["fitted"]
                    if f.get("beta") is not None
                ),
            ]
            for m in comp["models"]
        ]
        parts.append(
            f"<h3>k = {k}: held-out outcome log-likelihood per episode "
            f"(seeds {comp['seeds']}, {comp['episodes_scored']} scored episodes)</h3>"
        )
        parts.append(
            table_html(
                ["model", "ll / episode (95% CI)", "best − model (95% CI)", "fitted per fold"],
                rows,
            )
        )
        summary.append((f"agents protocol k={k}: best predictor", comp["best"]))
    for r in sorted(res["k_sweep"], key=lambda r: r["k"]):
        summary.append((f"agents k={r['k']}: decision cheese rate", _ci(r["decision_cheese"])))
    if res["k_sweep"]:
        name = save_report_figure(plot_calibration(res), outdir, "agents-calibration.png")
        parts.append(figure_html(name, "Calibration of the held-out predictions"))
    if res["shutdown"]:
        rows = [
            [
                r["gamma"],
                len(r["seeds"]),
                _ci(r["observed_avoid"]),
                f"{_f(r['theorem2_min'])} (mean {_f(r.get('theorem2_mean'))})",
                _f(r["gt_uniform_avoid"]),
                _f(r["training_reward_optimal_avoid"]),
                _f(r["random_walk_avoid"]),
            ]
            for r in sorted(res["shutdown"], key=lambda r: r["gamma"])
        ]
        parts.append("<h3>Shutdown button at the start</h3>")
        parts.append(
            table_html(
                [
                    "γ",
                    "competent seeds",
                    "observed avoid (95% CI)",
                    "Thm 2 n/(n+1): min (mean) over cases",
                    "G_T-uniform",
                    "training reward",
                    "random walk",
                ],
                rows,
            )
        )
        name = save_report_figure(plot_shutdown(res), outdir, "agents-shutdown.png")
        parts.append(figure_html(name, "Shutdown avoidance against γ"))
    return "".join(parts), summary


def build(outdir: Path, quick: bool) -> Section:
    """Render the committed protocol results (``quick`` changes nothing: no training here)."""
    del quick
    d = examples_dir() / "agents" / RESULTS
    html_parts = [
        "<p>Is “the agent pursues a goal drawn uniformly from the training-compatible set "
        "G_T” (Krakovna &amp; Kramár 2023) a good predictor of what trained agents do out of "
        "distribution? Convolutional PPO agents are trained with the cheese in the top-right "
        "k x k region and tested on held-out mazes (Langosco et al. 2022; Turner's comments on "
        "Krakovna &amp; Kramár 2023).</p>"
    ]
    summary: list[tuple[str, str]] = []
    analysis = d / "analysis.json"
    chunks = sorted((d / "chunks").glob("*.json")) if d.is_dir() else []
    if chunks:
        from powerlab.agents.studyplot import plot_training

        recs = [json.loads(p.read_text()) for p in chunks]
        if all("training" in r for r in recs):
            name = save_report_figure(plot_training(recs), outdir, "agents-training.png")
            html_parts.append(figure_html(name, "Training curves of the committed agents"))
    if analysis.is_file():
        res = json.loads(analysis.read_text())
        part, summary = _analysis_html(res, outdir, res.get("gate") or _gate(d))
        html_parts.append(part)
        if len(chunks) > res["chunks_done"]:
            html_parts.append(
                "<p>More chunks are committed than this analysis covers; rerun "
                "<code>powerlab agents protocol analyze examples/agents/protocol-full</code>.</p>"
            )
    elif chunks:
        from powerlab.agents.runner import load_config
        from powerlab.agents.study import agent_summary

        cfg = load_config(d)
        recs = [json.loads(p.read_text()) for p in chunks]
        agents = [agent_summary(r, cfg.layouts) for r in recs]
        html_parts.append(
            f"<p>{len(chunks)} chunk(s) committed, not yet analysed "
            "(<code>powerlab agents protocol analyze examples/agents/protocol-full</code>).</p>"
        )
        html_parts.append(_gate_table(agents, _gate(d)))
        summary.append(("agents protocol: chunks committed", str(len(chunks))))
    else:
        note = "No protocol results are committed yet."
        if (d / "protocol.json").is_file():
            from powerlab.agents.runner import load_config

            planned = len(load_config(d).chunks())
            note = f"The run is configured ({planned} chunks planned); none has finished yet."
        html_parts.append(f"<p>{note}</p>")
        summary.append(("agents protocol: chunks committed", "0"))
    html_parts.append(
        f"<p>To regenerate: <code>{html.escape(COMMAND)}</code> (about 9 CPU hours; the run "
        "resumes from the committed chunks and commits each chunk as it finishes).</p>"
    )
    return Section(
        title="Trained agents vs the training-compatible goal model",
        html="".join(html_parts),
        summary=summary,
        command=COMMAND,
    )
