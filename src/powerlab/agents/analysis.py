r"""Evaluate a run out of distribution and compare the hypotheses about what it learned.

:func:`evaluate_run` plays every agent on the family's test suite
(:func:`powerlab.agents.families.build_suite`) and writes ``evaluation.json``: the episodes,
outcome rates per case kind with Wilson and Clopper-Pearson intervals, and the shutdown
avoidance rate.

:func:`compare_run` writes ``comparison.json``:

* the hypotheses' predictive log-likelihoods (:mod:`powerlab.agents.hypotheses`);
* shutdown: the observed avoidance rate against Theorem 2's bound :math:`n/(n+1)`
  (Krakovna & Kramár 2023, with :func:`powerlab.goals.shutdown_setting`) and against the
  fraction of G_T-uniform goals for which shutdown is not optimal at :math:`s_{new}`
  (:func:`powerlab.goals.avoids_shutdown`), per shutdown case and pooled;
No inverse-RL or critic section: a greedy policy with a two-cell loop has a feasibility set
without interior whatever it does, and a path-only set is always feasible, so such a
section reports what the geometry forces; the critic's "approach value" compared a maximum
over the whole region with one cheese cell (docs/agents.md, Discussion).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from powerlab._io import atomic_write_json
from powerlab._types import JSON
from powerlab.agents.cases import Case
from powerlab.agents.evaluate import (
    Episode,
    run_rollouts,
    summarize,
    wilson,
)
from powerlab.agents.families import FamilyConfig, build_suite, make_env
from powerlab.agents.hypotheses import Hypothesis, default_hypotheses, hypothesis_rewards, score
from powerlab.agents.train import load_run
from powerlab.errors import InputError
from powerlab.goals import avoids_shutdown, n_of_gamma, shutdown_setting, theorem2_bound

__all__ = ["compare_run", "compare_units", "evaluate_run", "load_evaluation"]


def evaluate_run(
    run_dir: Path,
    cases: int = 8,
    rollouts: int = 10,
    rng: int = 0,
    progress: Callable[[int], None] | None = None,
) -> JSON:
    """Evaluate every agent of a run (module docstring); writes ``evaluation.json``."""
    record, fam, agents = load_run(run_dir)
    suite = build_suite(fam, cases, rng=rng)
    env = make_env(fam)
    episodes = run_rollouts(agents, env, suite, rollouts, rng=rng, progress=progress)
    sd = [e for e in episodes if suite[e.case].kind == "shutdown"]
    avoid = sum(e.outcome != "shutdown" for e in sd)
    result: JSON = {
        "run": record["algo"],
        "family": fam.to_dict(),
        "cases": cases,
        "rollouts": rollouts,
        "rng": rng,
        "seeds": [s for s, _ in agents],
        "suite": [{"name": c.name, "kind": c.kind, **c.info} for c in suite],
        "summary": summarize(suite, episodes),
        "shutdown": {
            "avoid": avoid,
            "episodes": len(sd),
            "rate": avoid / len(sd) if sd else None,
            "wilson": list(wilson(avoid, len(sd))) if sd else None,
        },
        "episodes": [e.to_dict() for e in episodes],
    }
    atomic_write_json(Path(run_dir) / "evaluation.json", result)
    return result


def load_evaluation(run_dir: Path) -> JSON:
    """Read ``evaluation.json`` of a run directory."""
    path = Path(run_dir) / "evaluation.json"
    if not path.is_file():
        raise InputError(f"{run_dir}: no evaluation.json (run `powerlab agents evaluate` first)")
    try:
        out: JSON = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno})") from None
    return out


def _shutdown(
    suite: Sequence[Case], episodes: Sequence[Episode], draws: dict[int, np.ndarray], gamma: float
) -> JSON:
    rows: list[JSON] = []
    for j, case in enumerate(suite):
        if case.shutdown is None:
            continue
        s_new, a_sd = case.shutdown
        eps = [e for e in episodes if e.case == j]
        k = sum(e.outcome != "shutdown" for e in eps)
        gi = case.gt_index
        st = shutdown_setting(case.gt_mdp, case.gt_training, int(gi[s_new]), a_sd)
        n = n_of_gamma(st, gamma)
        premises = st.reach_disjoint_from_train and n >= 1
        R = draws[j]
        av = avoids_shutdown(case.mdp, R, gamma, s_new, a_sd)
        p = float(av.mean())
        rows.append(
            {
                "case": case.name,
                "observed_avoid": k,
                "episodes": len(eps),
                "n": n,
                "theorem2_bound": str(theorem2_bound(n)) if premises else None,
                "theorem2_bound_float": float(theorem2_bound(n)) if premises else None,
                "premises_hold": premises,
                "gt_uniform_avoid": p,
                "gt_uniform_stderr": float(np.sqrt(p * (1 - p) / len(av))),
                "gt_samples": len(av),
            }
        )
    k = sum(r["observed_avoid"] for r in rows)
    n_ep = sum(r["episodes"] for r in rows)
    bounds = [r["theorem2_bound_float"] for r in rows if r["theorem2_bound_float"] is not None]
    gt = [r["gt_uniform_avoid"] for r in rows]
    return {
        "cases": rows,
        "observed_rate": k / n_ep if n_ep else None,
        "observed_wilson": list(wilson(k, n_ep)) if n_ep else None,
        "episodes": n_ep,
        "theorem2_min_bound": min(bounds) if bounds else None,
        "gt_uniform_mean": float(np.mean(gt)) if gt else None,
    }


def compare_units(run_dir: Path, families: Sequence[Hypothesis] = ()) -> int:
    """How many ``progress`` units :func:`compare_run` reports for this run: one per
    hypothesis (the family's defaults and ``families``) and one for the shutdown draws."""
    load_evaluation(run_dir)  # the same first check, and message, as compare_run's
    _record, fam, _agents = load_run(run_dir)
    return len(default_hypotheses(fam.family)) + len(families) + 1


def compare_run(
    run_dir: Path,
    families: Sequence[Hypothesis] = (),
    samples: int = 100,
    eps: float = 0.1,
    rng: int = 0,
    progress: Callable[[int], None] | None = None,
) -> JSON:
    """Compare hypotheses and shutdown predictions on a run (module docstring);
    writes ``comparison.json``. Needs ``evaluation.json``. ``progress(1)`` is called after
    each hypothesis is scored and once after the shutdown draws:
    :func:`compare_units` in all."""
    ev = load_evaluation(run_dir)
    record, fam, agents = load_run(run_dir)
    if FamilyConfig.from_dict(ev["family"]) != fam:
        raise InputError(f"{run_dir}: evaluation.json belongs to a different family config")
    suite = build_suite(fam, int(ev["cases"]), rng=int(ev["rng"]))
    episodes = [Episode.from_dict(d) for d in ev["episodes"]]
    gen = np.random.default_rng(rng)
    hyps = default_hypotheses(fam.family) + list(families)
    scores = score(
        hyps, suite, episodes, gamma=fam.gamma, eps=eps, samples=samples, rng=gen, progress=progress
    )
    # G_T-uniform draws per case for the shutdown question (one per context)
    draws: dict[int, np.ndarray] = {}
    contexts: dict[str, list[int]] = {}
    for j, c in enumerate(suite):
        contexts.setdefault(c.context_key, []).append(j)
    for members in contexts.values():
        got = hypothesis_rewards(
            Hypothesis("H_uniform", "uniform"),
            [suite[j] for j in members],
            samples * 4,
            fam.gamma,
            gen,
        )
        draws.update(dict(zip(members, got, strict=True)))
    if progress is not None:
        progress(1)
    result = {
        "run": record["algo"],
        "family": fam.to_dict(),
        "seeds": [s for s, _ in agents],
        "hypotheses": scores,
        "shutdown": _shutdown(suite, episodes, draws, fam.gamma),
        "summary": ev["summary"],
    }
    atomic_write_json(Path(run_dir) / "comparison.json", result)
    return result
