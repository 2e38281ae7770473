"""``powerlab agents train | evaluate | compare``: trained agents against the theory.

Thin over :mod:`powerlab.agents`. ``train`` writes a run directory,
``evaluate`` adds ``evaluation.json`` (out-of-distribution outcome rates with intervals),
``compare`` adds ``comparison.json`` (hypotheses' log-likelihoods, shutdown against
Theorem 2 and G_T-uniform). ``protocol run | analyze | status`` is the convolutional-agent protocol
(:mod:`powerlab.agents.protocol`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from powerlab._provenance import provenance
from powerlab._text import rate_se_text
from powerlab.cli._common import (
    QUIET_OPT,
    Table,
    console,
    emit_json,
    guarded,
    progress_bar,
    say,
    wrote,
)
from powerlab.errors import InputError

__all__ = ["register"]


def _f(x: Any, d: int = 3) -> str:
    return "-" if x is None else f"{x:.{d}f}"


def _files(folder: Path) -> dict[Path, int]:
    """Every file under ``folder`` with its modification time (ns); empty if it is absent."""
    if not folder.is_dir():
        return {}
    return {f: f.stat().st_mtime_ns for f in sorted(folder.rglob("*")) if f.is_file()}


def _wrote_since(folder: Path, before: dict[Path, int]) -> None:
    """One ``wrote PATH`` line for each file under ``folder`` new or changed since ``before``."""
    for f, mtime in _files(folder).items():
        if before.get(f) != mtime:
            wrote(f)


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
    quiet: bool = QUIET_OPT,
) -> None:
    """Train and evaluate every missing chunk (seed, k, γ); each is written on finishing."""
    from powerlab.agents.protocol import PRESETS
    from powerlab.agents.runner import pending_chunks, run_protocol
    from powerlab.sweep.executors import make_executor

    if preset not in PRESETS:
        raise InputError(f"--preset: expected one of {', '.join(PRESETS)}, got {preset!r}")
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be >= 1, got {limit}")
    cfg = PRESETS[preset]
    todo = pending_chunks(cfg, Path(out))[:limit]
    command = f"powerlab agents protocol run {out} --preset {preset}"

    with progress_bar("chunks", len(todo), not quiet) as adv:

        def done(path: Path) -> None:
            wrote(path)
            adv(1)

        executor = make_executor(scheduler)
        try:
            run_protocol(
                cfg, Path(out), command=command, executor=executor, limit=limit, on_chunk=done
            )
        finally:
            executor.close()
    say(
        f"{out}: {len(todo)} chunk(s) written; analyse with "
        f"`powerlab agents protocol analyze {out}`"
    )


@guarded
def analyze_cmd(
    out: str = typer.Argument(..., help="Protocol directory with finished chunks."),
    samples: int = typer.Option(30, "--samples", "-n", help="Reward draws per G_T hypothesis."),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Cluster bootstrap replicates."),
    json_out: bool = typer.Option(False, "--json", help="Print the analysis as JSON."),
    quiet: bool = QUIET_OPT,
) -> None:
    """Gate, held-out log-likelihoods with cluster intervals, k sweep, shutdown, figures."""
    from powerlab.agents.runner import analyze_protocol

    if samples < 2 or bootstrap < 10:
        raise InputError("--samples must be >= 2 and --bootstrap >= 10")
    before = _files(Path(out))
    with progress_bar("analysing", 1, not quiet) as adv:
        res = analyze_protocol(Path(out), K=samples, B=bootstrap)
        adv(1)
    _wrote_since(Path(out), before)
    if json_out:
        emit_json(res, provenance(samples=samples, bootstrap=bootstrap))
        return
    failed = [a for a in res["agents"] if not a["passed"]]
    say(
        f"{res['chunks_done']}/{res['chunks_planned']} chunks; "
        f"{len(failed)} agent(s) failed the competence gate and are excluded"
    )
    for note in res.get("notes", []):
        say(f"note: {note}")
    for k, comp in res["comparison"].items():
        seeds = comp["seeds"]
        named = ", ".join(map(str, seeds)) if isinstance(seeds, list) else str(seeds)
        table = Table(title=f"k = {k}: held-out log-likelihood per episode (seeds {named})")
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
        say(
            f"k = {r['k']}: decision-square cheese rate {_f(d[0])} [{_f(d[1])}, {_f(d[2])}] "
            f"(per seed: {per})"
        )
    for r in res["shutdown"]:
        a = r["observed_avoid"]
        seen = (
            f"shutdown avoided {_f(a[0])} [{_f(a[1])}, {_f(a[2])}] ({len(r['seeds'])} seed(s))"
            if a is not None
            else "no competent agent"
        )
        say(
            f"γ = {r['gamma']}: {seen}; Theorem 2 >= {_f(r['theorem2_min'])} "
            f"(mean over cases {_f(r.get('theorem2_mean'))}), "
            f"G_T-uniform {_f(r['gt_uniform_avoid'])}, "
            f"training reward {_f(r['training_reward_optimal_avoid'])}, "
            f"random walk {_f(r['random_walk_avoid'])}"
        )


@guarded
def status_cmd(
    out: str = typer.Argument(..., help="Protocol directory."),
    workers: int = typer.Option(
        2, "--workers", help="Chunks run at once, for the wall-clock estimate."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Finished chunks with their gate verdicts, chunks left, and the remaining CPU time."""
    from powerlab.agents.runner import protocol_status

    st = protocol_status(Path(out), workers=workers)
    if json_out:
        emit_json(st, provenance(workers=workers))
        return
    table = Table(title=f"{out}: {st['chunks_done']}/{st['chunks_planned']} chunks finished")
    gate = st["gate"]
    cols = ("seed", "k", "γ", f"gate rate (≥ {gate['rate']:g} within {gate['stretch']:g}x)")
    for col in (*cols, "competent", "decision cheese", "shutdown avoided", "CPU s"):
        table.add_column(col, justify="right")
    for a in st["agents"]:
        table.add_row(
            str(a["seed"]),
            str(a["k"]),
            str(a["gamma"]),
            _f(a["gate_rate"], 3),
            "yes" if a["passed"] else "no",
            rate_se_text(a.get("decision_cheese")),
            rate_se_text(a.get("shutdown_avoided")),
            _f(a["cpu_seconds"], 0),
        )
    console.print(table)
    say(
        f"{st['passed']} of {st['chunks_done']} agents pass the competence gate; the rates of "
        "an agent that fails it describe that agent and enter no estimate of the analysis"
    )
    left = st["cpu_seconds_left"]
    if st["pending"] and left is not None:
        se = st["cpu_seconds_left_se"]
        pm = "" if se is None else f" ± {se / 3600:.1f}"
        say(
            f"{len(st['pending'])} chunk(s) left: about {left / 3600:.1f}{pm} CPU-h, "
            f"{st['wall_seconds_left'] / 3600:.1f} h on {workers} worker(s) "
            f"(mean of the finished chunks' CPU time; a chunk in progress counts as not started)"
        )
    elif st["pending"]:
        say(f"{len(st['pending'])} chunk(s) left; no chunk has finished yet to time them")
    else:
        say(f"every chunk is finished; analyse with `powerlab agents protocol analyze {out}`")


def _register_protocol(agents_app: typer.Typer) -> None:
    proto = typer.Typer(
        help="The CNN protocol: competent agents, held-out kinds, fair hypothesis comparison.",
        no_args_is_help=True,
    )
    agents_app.add_typer(proto, name="protocol")
    proto.command("run")(run_cmd)
    proto.command("analyze")(analyze_cmd)
    proto.command("status")(status_cmd)


@guarded
def train_cmd(
    env_family: str = typer.Argument(..., help="Environment family: maze or coinrun."),
    algo: str = typer.Option("q", "--algo", help="q (tabular Q-learning) or ppo (SB3)."),
    n_seeds: int = typer.Option(
        3, "--n-seeds", help="Number of agents to train, with random seeds 0 .. N-1."
    ),
    quick: bool = typer.Option(False, "--quick", help="Small budget (minutes on 2 cores)."),
    out: str = typer.Option("agents-run", "--out", "-o", help="Run directory to write."),
    json_out: bool = typer.Option(False, "--json", help="Print the run record as JSON."),
    quiet: bool = QUIET_OPT,
) -> None:
    """Train N agents on ENV_FAMILY and save checkpoints with their config."""
    from powerlab.agents.train import _budget, default_family, train_run

    fam = default_family(env_family, algo, quick)
    if n_seeds < 1:
        raise InputError(f"--n-seeds must be >= 1, got {n_seeds}")
    _, per_seed = _budget(algo, quick)
    unit = "episodes" if algo == "q" else "steps"
    before = _files(Path(out))
    with progress_bar(f"training {algo} ({unit})", per_seed * n_seeds, not quiet) as adv:
        record = train_run(fam, algo, n_seeds, quick, Path(out), progress=adv)
    _wrote_since(Path(out), before)
    if json_out:
        emit_json(record, provenance(seed=list(range(n_seeds)), quick=quick or None))
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
    seed: int = typer.Option(0, "--seed", help="Random seed of the test cases and rollouts."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (episodes omitted)."),
    quiet: bool = QUIET_OPT,
) -> None:
    """Out-of-distribution outcome rates with 95% Wilson / Clopper-Pearson intervals."""
    from powerlab.agents.analysis import evaluate_run
    from powerlab.agents.families import build_suite
    from powerlab.agents.train import load_run

    if cases < 1 or rollouts < 1:
        raise InputError("--cases and --rollouts must be >= 1")
    _, fam, agents = load_run(Path(run_dir))
    total = len(agents) * len(build_suite(fam, cases, rng=seed))
    with progress_bar("evaluating (agent x case)", total, not quiet) as adv:
        ev = evaluate_run(Path(run_dir), cases=cases, rollouts=rollouts, rng=seed, progress=adv)
    wrote(Path(run_dir) / "evaluation.json")
    if json_out:
        prov = provenance(seed=seed, cases=cases, rollouts=rollouts)
        emit_json({k: v for k, v in ev.items() if k != "episodes"}, prov)
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
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG figure to PATH."),
    families: str | None = typer.Option(
        None, "--families", help="YAML/JSON file of extra reward families."
    ),
    samples: int = typer.Option(100, "--samples", "-n", help="Reward draws per hypothesis."),
    seed: int = typer.Option(0, "--seed", help="Random seed of the reward draws."),
    eps: float = typer.Option(0.1, "--eps", help="Noise ε of the behaviour model."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    quiet: bool = QUIET_OPT,
) -> None:
    """Which hypothesis predicts the agents best; shutdown against Theorem 2."""
    from powerlab.agents.analysis import compare_run, compare_units

    if samples < 2:
        raise InputError(f"--samples must be >= 2, got {samples}")
    if plot is not None and plot.suffix.lower() != ".png":
        raise InputError(f"--plot: {plot}: expected a .png file name")
    fams = _families(families)
    units = compare_units(Path(run_dir), fams)
    with progress_bar("comparing (hypotheses)", units, not quiet) as adv:
        res = compare_run(
            Path(run_dir), families=fams, samples=samples, eps=eps, rng=seed, progress=adv
        )
    wrote(Path(run_dir) / "comparison.json")
    if plot is not None:
        from powerlab._figures import save_figure
        from powerlab.agents.plot import plot_comparison

        save_figure(plot_comparison(res, title=str(run_dir)), plot)
        wrote(plot)
    if json_out:
        emit_json(res, provenance(seed=seed, samples=samples, eps=eps))
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
    say(f"best on actions: {h['best']}; best on outcomes: {h['best_outcome']}")
    sd = res["shutdown"]
    if sd["episodes"]:
        w = sd["observed_wilson"]
        say(
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
