"""``powerlab agents train | evaluate | compare``: trained agents against the theory.

Thin over :mod:`powerlab.agents`. ``train`` writes a run directory,
``evaluate`` adds ``evaluation.json`` (out-of-distribution outcome rates with intervals),
``compare`` adds ``comparison.json`` (hypotheses' log-likelihoods, shutdown against
Theorem 2 and G_T-uniform). ``protocol run | analyze`` is the convolutional-agent protocol
(:mod:`powerlab.agents.protocol`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from powerlab.cli._common import console, emit_json, guarded, progress_bar
from powerlab.errors import InputError

__all__ = ["register"]


def _f(x: Any, d: int = 3) -> str:
    return "-" if x is None else f"{x:.{d}f}"


def _families(path: str | None) -> list[Any]:
    if path is None:
        return []
    from powerlab.agents.hypotheses import parse_family
    from powerlab.mdp.io import read_document

    doc, _ = read_document(Path(path))
    items = doc.get("families") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError(f"{path}: expected a list 'families' of {{name, weights, noise}}")
    return [parse_family(d, where=f"{path}: families[{i}]") for i, d in enumerate(items)]


@guarded
def run_cmd(
    out: str = typer.Argument(..., help="Protocol directory (resumed if it exists)."),
    preset: str = typer.Option("full", "--preset", help="full or smoke."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask: local:N or tcp://HOST:PORT (default: in-process)."
    ),
    limit: int | None = typer.Option(None, "--limit", help="Run at most this many chunks."),
) -> None:
    """Train and evaluate every missing chunk (seed, k, γ); each is written on finishing."""
    from powerlab.agents.protocol import PRESETS
    from powerlab.agents.runner import chunk_path, run_protocol

    if preset not in PRESETS:
        raise InputError(f"--preset: expected one of {', '.join(PRESETS)}, got {preset!r}")
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be >= 1, got {limit}")
    cfg = PRESETS[preset]
    todo = [c for c in cfg.chunks() if not chunk_path(Path(out), *c).is_file()][:limit]
    command = f"powerlab agents protocol run {out} --preset {preset}"
    with progress_bar("chunks", len(todo), True) as adv:
        run_protocol(
            cfg,
            Path(out),
            command=command,
            scheduler=scheduler,
            limit=limit,
            on_chunk=lambda p: adv(1),
        )
    console.print(
        f"{out}: {len(todo)} chunk(s) written; analyse with "
        f"`powerlab agents protocol analyze {out}`"
    )


@guarded
def analyze_cmd(
    out: str = typer.Argument(..., help="Protocol directory with finished chunks."),
    samples: int = typer.Option(30, "--samples", help="Reward draws per G_T hypothesis."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Cluster bootstrap replicates."),
    json_out: bool = typer.Option(False, "--json", help="Print the analysis as JSON."),
) -> None:
    """Gate, held-out log-likelihoods with cluster intervals, k sweep, shutdown, figures."""
    from powerlab.agents.runner import analyze_protocol

    if samples < 2 or bootstrap < 10:
        raise InputError("--samples must be >= 2 and --bootstrap >= 10")
    res = analyze_protocol(Path(out), K=samples, B=bootstrap)
    if json_out:
        emit_json(res)
        return
    failed = [a for a in res["agents"] if not a["passed"]]
    console.print(
        f"{res['chunks_done']}/{res['chunks_planned']} chunks; "
        f"{len(failed)} agent(s) failed the competence gate and are excluded"
    )
    for k, comp in res["comparison"].items():
        table = Table(title=f"k = {k}: held-out log-likelihood per episode ({comp['seeds']})")
        for col in ("model", "ll/episode", "95% CI", "best - model", "95% CI"):
            table.add_column(col, justify="right")
        for m in comp["models"]:
            table.add_row(
                m["name"],
                _f(m["ll_per_episode"]),
                f"[{_f(m['ll_lo'])}, {_f(m['ll_hi'])}]",
                _f(m["diff_from_best"]),
                f"[{_f(m['diff_lo'])}, {_f(m['diff_hi'])}]",
            )
        console.print(table)
    for r in res["k_sweep"]:
        d = r["decision_cheese"]
        per = ", ".join(_f(x, 2) for x in r["decision_cheese_per_seed"])
        console.print(
            f"k = {r['k']}: decision-square cheese rate {_f(d[0])} [{_f(d[1])}, {_f(d[2])}] "
            f"(per seed: {per})"
        )
    for r in res["shutdown"]:
        a = r["observed_avoid"]
        console.print(
            f"γ = {r['gamma']}: shutdown avoided {_f(a[0])} [{_f(a[1])}, {_f(a[2])}]; "
            f"Theorem 2 >= {_f(r['theorem2_min'])}, G_T-uniform {_f(r['gt_uniform_avoid'])}, "
            f"training reward {_f(r['training_reward_optimal_avoid'])}, "
            f"random walk {_f(r['random_walk_avoid'])}"
        )
    console.print(f"figures: {Path(out) / 'figures'}")


def _register_protocol(agents_app: typer.Typer) -> None:
    proto = typer.Typer(
        help="The CNN protocol: competent agents, held-out kinds, fair hypothesis comparison.",
        no_args_is_help=True,
    )
    agents_app.add_typer(proto, name="protocol")
    proto.command("run")(run_cmd)
    proto.command("analyze")(analyze_cmd)


@guarded
def train_cmd(
    env_family: str = typer.Argument(..., help="Environment family: maze or coinrun."),
    algo: str = typer.Option("q", "--algo", help="q (tabular Q-learning) or ppo (SB3)."),
    seeds: int = typer.Option(3, "--seeds", help="Number of seeds (agents) to train."),
    quick: bool = typer.Option(False, "--quick", help="Small budget (minutes on 2 cores)."),
    out: str = typer.Option("agents-run", "--out", help="Run directory to write."),
    json_out: bool = typer.Option(False, "--json", help="Print the run record as JSON."),
) -> None:
    """Train SEEDS agents on ENV_FAMILY and save checkpoints with their config."""
    from powerlab.agents.train import _budget, default_family, train_run

    fam = default_family(env_family, algo, quick)
    if seeds < 1:
        raise InputError(f"--seeds must be >= 1, got {seeds}")
    _, per_seed = _budget(algo, quick)
    unit = "episodes" if algo == "q" else "steps"
    with progress_bar(f"training {algo} ({unit})", per_seed * seeds, not json_out) as adv:
        record = train_run(fam, algo, seeds, quick, Path(out), progress=adv)
    if json_out:
        emit_json(record)
        return
    table = Table(title=f"{algo} on {env_family} -> {out}")
    for col in ("seed", "success (last 10%)", unit):
        table.add_column(col, justify="right")
    for log in record["logs"]:
        n = log.get("episodes") if algo == "q" else log.get("timesteps")
        table.add_row(str(log["seed"]), _f(log["success_last_10pct"]), str(n))
    console.print(table)


@guarded
def evaluate_cmd(
    run_dir: str = typer.Argument(..., help="Run directory written by `agents train`."),
    cases: int = typer.Option(8, "--cases", help="Test cases per kind (maze)."),
    rollouts: int = typer.Option(10, "--rollouts", help="Episodes per case, stochastic agents."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (episodes omitted)."),
) -> None:
    """Out-of-distribution outcome rates with 95% Wilson / Clopper-Pearson intervals."""
    from powerlab.agents.analysis import evaluate_run
    from powerlab.agents.families import build_suite
    from powerlab.agents.train import load_run

    if cases < 1 or rollouts < 1:
        raise InputError("--cases and --rollouts must be >= 1")
    _, fam, agents = load_run(Path(run_dir))
    total = len(agents) * len(build_suite(fam, cases))
    with progress_bar("evaluating (agent x case)", total, not json_out) as adv:
        ev = evaluate_run(Path(run_dir), cases=cases, rollouts=rollouts, progress=adv)
    if json_out:
        emit_json({k: v for k, v in ev.items() if k != "episodes"})
        return
    table = Table(title=f"{run_dir}: outcomes ({len(agents)} agents)")
    for col in ("kind", "outcome", "count/episodes", "rate", "95% Wilson", "95% C-P"):
        table.add_column(col, justify="right")
    for r in ev["summary"]:
        table.add_row(
            r["kind"],
            r["outcome"],
            f"{r['count']}/{r['episodes']}",
            _f(r["rate"]),
            f"[{_f(r['wilson'][0])}, {_f(r['wilson'][1])}]",
            f"[{_f(r['clopper_pearson'][0])}, {_f(r['clopper_pearson'][1])}]",
        )
    console.print(table)


@guarded
def compare_cmd(
    run_dir: str = typer.Argument(..., help="Run directory with evaluation.json."),
    plot: str | None = typer.Option(None, "--plot", help="Write a PNG figure here."),
    families: str | None = typer.Option(
        None, "--families", help="YAML/JSON file of extra reward families."
    ),
    samples: int = typer.Option(100, "--samples", help="Reward draws per hypothesis."),
    eps: float = typer.Option(0.1, "--eps", help="Noise ε of the behaviour model."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Which hypothesis predicts the agents best; shutdown against Theorem 2."""
    from powerlab.agents.analysis import compare_run

    if samples < 2:
        raise InputError(f"--samples must be >= 2, got {samples}")
    if plot is not None and not plot.lower().endswith(".png"):
        raise InputError(f"--plot: {plot}: expected a .png file name")
    fams = _families(families)
    with progress_bar("comparing", 1, not json_out) as adv:
        res = compare_run(Path(run_dir), families=fams, samples=samples, eps=eps)
        adv(1)
    if plot is not None:
        from powerlab._figures import save_figure
        from powerlab.agents.plot import plot_comparison

        save_figure(plot_comparison(res, title=str(run_dir)), Path(plot))
    if json_out:
        emit_json(res)
        return
    h = res["hypotheses"]
    table = Table(title=f"{run_dir}: hypotheses ({h['groups']} groups, ε={h['eps']})")
    for col in ("hypothesis", "log-lik (actions)", "MC s.e.", "log-lik (outcomes)"):
        table.add_column(col, justify="right")
    for r in h["hypotheses"]:
        table.add_row(
            r["name"], _f(r["loglik"], 1), _f(r["mc_stderr"], 2), _f(r["outcome_loglik"], 1)
        )
    console.print(table)
    console.print(f"best on actions: {h['best']}; best on outcomes: {h['best_outcome']}")
    sd = res["shutdown"]
    if sd["episodes"]:
        w = sd["observed_wilson"]
        console.print(
            f"shutdown avoided {_f(sd['observed_rate'])} [{_f(w[0])}, {_f(w[1])}] of "
            f"{sd['episodes']} episodes; Theorem 2 bound >= {_f(sd['theorem2_min_bound'])}; "
            f"G_T-uniform {_f(sd['gt_uniform_mean'])}"
        )


def register(app: typer.Typer) -> None:
    """Add the ``agents`` sub-app to ``app``."""
    agents_app = typer.Typer(
        help="Train agents and test the training-compatible goal model against them.",
        no_args_is_help=True,
    )
    app.add_typer(agents_app, name="agents")
    _register_protocol(agents_app)
    agents_app.command("train")(train_cmd)
    agents_app.command("evaluate")(evaluate_cmd)
    agents_app.command("compare")(compare_cmd)
