r"""Analysis of a protocol directory: gate, fair hypothesis comparison, k sweep, shutdown.

**Gate.** Each chunk's agent passes or fails the stated competence gate
(:func:`powerlab.agents.protocol.competence`). Every agent is listed with its gate and,
as a description of that one agent, its own decision-square cheese rate and shutdown
avoidance (:func:`agent_summary`); failing agents are excluded from everything below.

**Fair comparison** (on the held-out kinds ``decision``, ``on-path``, ``off-path``). Every
hypothesis of :data:`powerlab.agents.predict.HYPOTHESES` predicts each episode's outcome
distribution as a function of its inverse temperature β (:mod:`powerlab.agents.predict`);
``H_mix``'s one parameter is its weight w instead (each goal pursued at the grid's largest
β). Two baselines: ``random walk`` (β = 0, no parameter) and
``base rate`` (the fitted fold's outcome frequencies per kind, Jeffreys-smoothed). All
predictions pass through the same fixed lapse, :math:`p \leftarrow (1-\lambda) p +
\lambda/|O|` with λ = 10⁻³, so that no outcome has probability 0. Parameters are fitted by
maximum likelihood on a grid on one fold and scored on the other (two-fold cross-fitting):
fold A is the first half of the competent seeds on even-numbered layouts, fold B the
second half on odd-numbered layouts (with one competent seed: the layouts alone). The
scored held-out log-likelihood per episode, and each hypothesis's difference from the best,
get 95% intervals from the seed x layout cluster bootstrap
(:mod:`powerlab.agents.bootstrap`).

**k sweep.** For each k: the observed decision-square cheese rate (cluster bootstrap
interval, and the rate of each seed) and each hypothesis's cross-fitted predicted rate on
the same episodes.

**Shutdown.** For each training γ of the shutdown arm (agents at ``shutdown_k``): the
observed rate of avoiding shutdown on the shutdown cases (where the arm has a competent
agent at that γ), against Theorem 2's :math:`n/(n+1)` (Krakovna & Kramár 2023,
with :func:`powerlab.goals.shutdown_setting` and :func:`powerlab.goals.n_of_gamma`), the
fraction of tabular-G_T-uniform goals for which shutdown is not optimal
(:func:`powerlab.goals.avoids_shutdown`), the training reward's own optimal choice (the
button pays ``button_reward``), and a uniform random walk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.agents.bootstrap import cluster_bootstrap
from powerlab.agents.cases import Case
from powerlab.agents.maze import Situation
from powerlab.agents.predict import (
    BETAS,
    HYPOTHESES,
    MIX_WEIGHTS,
    FeatureGT,
    boltzmann,
    feature_gt,
    hypothesis_draws,
    outcome_probabilities,
    tabular_gt,
)
from powerlab.agents.protocol import KINDS, ProtocolConfig, held_out_suite
from powerlab.goals import avoids_shutdown, n_of_gamma, shutdown_setting, theorem2_bound

__all__ = ["HELD_OUT", "LAPSE", "agent_summary", "analyze", "predictions"]

HELD_OUT: tuple[str, ...] = ("decision", "on-path", "off-path")
LAPSE = 1e-3
MODELS: tuple[str, ...] = (*HYPOTHESES, "random walk", "base rate")


def predictions(
    cfg: ProtocolConfig,
    cases: Sequence[Case],
    gamma: float,
    K: int,
    rng: np.random.Generator,
    fgt: FeatureGT,
) -> dict[str, list[np.ndarray]]:
    """Per hypothesis, per case: ``[B, O]`` predicted outcome distributions over
    :data:`~powerlab.agents.predict.BETAS` (``H_mix``: ``[2, B, O]``, cheese and region)."""
    out: dict[str, list[np.ndarray]] = {h: [] for h in HYPOTHESES}
    for case in cases:
        sit = case.reset_options["situation"]
        assert isinstance(sit, Situation)
        for h in HYPOTHESES:
            comps = hypothesis_draws(
                h, case, sit, cfg.canvas, gamma, K, rng, fgt, cfg.button_reward
            )
            preds = [
                outcome_probabilities(case, boltzmann(case.mdp, R, gamma, BETAS)).mean(axis=1)
                for R in comps
            ]
            out[h].append(np.stack(preds) if h == "H_mix" else preds[0])
    return out


def _lapse(p: np.ndarray) -> np.ndarray:
    return (1 - LAPSE) * p + LAPSE / p.shape[-1]


def _folds(seeds: list[int], layouts: int) -> list[tuple[set[int], set[int]]]:
    """[(seeds, layouts)] of folds A and B (module docstring)."""
    even, odd = set(range(0, layouts, 2)), set(range(1, layouts, 2))
    if len(seeds) < 2:
        return [(set(seeds), even), (set(seeds), odd)]
    half = len(seeds) // 2
    return [(set(seeds[:half]), even), (set(seeds[half:]), odd)]


def _grid_probs(
    name: str, cases: Sequence[Case], preds: dict[str, list[np.ndarray]], c: int
) -> np.ndarray:
    """``[G, O]`` lapsed outcome distributions of case ``c`` over the model's grid."""
    if name == "random walk":
        return _lapse(preds["H_true"][c][:1])
    if name == "H_mix":
        P = preds["H_mix"][c][:, -1]  # [2, O]: each goal pursued at the largest β
        w = MIX_WEIGHTS[:, None]
        return _lapse(w * P[0][None] + (1 - w) * P[1][None])
    return _lapse(preds[name][c])


def _grid_params(name: str, g: int) -> dict[str, float | None]:
    if name == "H_mix":
        return {"w": float(MIX_WEIGHTS[g]), "beta": float(BETAS[-1])}
    if name == "random walk":
        return {"beta": 0.0}
    return {"beta": float(BETAS[g])}


def _fit_and_score(
    cases: Sequence[Case],
    preds: dict[str, list[np.ndarray]],
    eps: list[tuple[int, int, str]],
    seeds: list[int],
    layouts: int,
) -> JSON:
    """Cross-fitted held-out log-likelihoods (module docstring).

    ``eps``: (seed, case index, outcome) of the held-out kinds' episodes.
    Returns per model: fitted parameters per fold, ``ll: [seeds, layouts]`` scored totals,
    the scored predicted cheese probability of each decision episode, and the scored
    (predicted probability, observed indicator) pairs for calibration.
    """
    lay_i = [int(c.name.rsplit(" ", 1)[1]) for c in cases]
    oi = [{o: j for j, o in enumerate(c.labels)} for c in cases]
    s_i = {s: i for i, s in enumerate(seeds)}
    folds = _folds(seeds, layouts)
    member = [
        np.array([s in fs and lay_i[c] in fl for s, c, _ in eps], dtype=bool) for fs, fl in folds
    ]
    result: JSON = {}
    for name in MODELS:
        ll = np.zeros((len(seeds), layouts))
        dec_p: dict[int, float] = {}
        pairs: list[tuple[float, float]] = []
        fitted: list[JSON] = []
        if name == "base rate":
            grid = None
        else:
            probs = {c: _grid_probs(name, cases, preds, c) for c in {c for _, c, _ in eps}}
            L = np.array([np.log(probs[c][:, oi[c][o]]) for _, c, o in eps])  # [E, G]
        for fit_m, score_m in ((0, 1), (1, 0)):
            fit_e = np.flatnonzero(member[fit_m])
            if name == "base rate":
                base: dict[str, np.ndarray] = {}
                for e in fit_e:
                    c = eps[e][1]
                    kind = cases[c].kind
                    base.setdefault(kind, np.full(len(cases[c].labels), 0.5))
                    base[kind][oi[c][eps[e][2]]] += 1
                fitted.append({"fold": fit_m, "fit_episodes": len(fit_e)})
            else:
                grid = int(np.argmax(L[fit_e].sum(axis=0))) if len(fit_e) else 0
                fitted.append(
                    {"fold": fit_m, "fit_episodes": len(fit_e), **_grid_params(name, grid)}
                )
            for e in np.flatnonzero(member[score_m]):
                s, c, o = eps[e]
                if name == "base rate":
                    cnt = base.get(cases[c].kind, np.full(len(cases[c].labels), 0.5))
                    p = _lapse(cnt / cnt.sum())
                else:
                    p = probs[c][grid]
                ll[s_i[s], lay_i[c]] += np.log(p[oi[c][o]])
                pairs.extend((float(q), float(j == oi[c][o])) for j, q in enumerate(p))
                if cases[c].kind == "decision":
                    dec_p[int(e)] = float(p[oi[c]["cheese"]])
        result[name] = {"fitted": fitted, "ll": ll, "decision_cheese": dec_p, "pairs": pairs}
    return result


def _shutdown_rows(
    cfg: ProtocolConfig, cases: Sequence[Case], gamma: float, K: int, rng: np.random.Generator
) -> JSON:
    n_vals, bound, gt, train_opt, rw = [], [], [], [], []
    for case in cases:
        if case.shutdown is None:
            continue
        s_new, a_sd = case.shutdown
        st = shutdown_setting(case.gt_mdp, case.gt_training, int(case.gt_index[s_new]), a_sd)
        n = n_of_gamma(st, gamma)
        n_vals.append(n)
        bound.append(float(theorem2_bound(n)) if st.reach_disjoint_from_train and n >= 1 else None)
        gt.append(
            float(
                avoids_shutdown(
                    case.mdp, tabular_gt(case, gamma, K, rng), gamma, s_new, a_sd
                ).mean()
            )
        )
        R = case.features["cheese"].copy()
        R[case.mdp.state_index("off")] = cfg.button_reward
        train_opt.append(float(avoids_shutdown(case.mdp, R, gamma, s_new, a_sd)[0]))
        p = outcome_probabilities(case, boltzmann(case.mdp, R, gamma, np.zeros(1)))[0, 0]
        rw.append(float(1 - p[list(case.labels).index("shutdown")]))
    b = [x for x in bound if x is not None]
    return {
        "cases": len(n_vals),
        "n_min": min(n_vals) if n_vals else None,
        "n_mean": float(np.mean(n_vals)) if n_vals else None,
        "theorem2_min": min(b) if b else None,
        "theorem2_mean": float(np.mean(b)) if b else None,
        "theorem2_premises_hold": len(b),
        "gt_uniform_avoid": float(np.mean(gt)) if gt else None,
        "training_reward_optimal_avoid": float(np.mean(train_opt)) if train_opt else None,
        "random_walk_avoid": float(np.mean(rw)) if rw else None,
    }


def _layout_counts(chunk: JSON, layouts: int, kind: str, hit: Any) -> tuple[np.ndarray, np.ndarray]:
    """``[layouts]`` counts of ``hit(outcome)`` and of episodes on one agent's cases of
    ``kind``: :func:`~powerlab.agents.protocol.held_out_situations` orders the cases kind by
    kind, ``layouts`` each, so case ``c`` is layout ``c - KINDS.index(kind) * layouts``."""
    first = KINDS.index(kind) * layouts
    hits = np.zeros(layouts)
    n = np.zeros(layouts)
    for e in chunk["episodes"]:
        j = e["case"] - first
        if 0 <= j < layouts:
            hits[j] += hit(e["outcome"])
            n[j] += 1
    return hits, n


def _cells(
    chunks: Sequence[JSON], seeds: list[int], layouts: int, kind: str, hit: Any
) -> tuple[np.ndarray, np.ndarray]:
    """``[seed, layout]`` hit and episode counts of :func:`_layout_counts`, one row per
    seed of ``seeds``."""
    X = np.zeros((len(seeds), layouts))
    N = np.zeros((len(seeds), layouts))
    for ch in chunks:
        i = seeds.index(ch["seed"])
        X[i], N[i] = _layout_counts(ch, layouts, kind, hit)
    return X, N


def agent_summary(chunk: JSON, layouts: int | None = None) -> JSON:
    """One trained agent's line of the gate table: its chunk (seed, k, γ), the gate's rate
    and verdict, CPU seconds, and the training curve's last success rate.

    With ``layouts`` (the protocol's layouts per kind, which fixes each episode's kind:
    case ``c`` is of kind ``KINDS[c // layouts]``) the line also has this agent's
    decision-square cheese rate and shutdown-avoidance rate, each as ``[rate, se]`` with the
    standard error over layouts (the sample standard deviation of the per-layout rates over
    sqrt(layouts)). They describe one agent, whether or not it passed the gate; the
    analysis's claims use only the agents that did.
    """
    curve = chunk.get("training", {}).get("curve", [])
    line: JSON = {
        "seed": chunk["seed"],
        "k": chunk["k"],
        "gamma": chunk["gamma"],
        "gate_rate": chunk["gate"]["rate"],
        "passed": chunk["gate"]["passed"],
        "cpu_seconds": sum(chunk["cpu_seconds"].values()),
        "final_success": curve[-1]["success"] if curve else None,
    }
    if layouts is not None and "episodes" in chunk:
        line["decision_cheese"] = _agent_rate(chunk, layouts, "decision", lambda o: o == "cheese")
        line["shutdown_avoided"] = _agent_rate(
            chunk, layouts, "shutdown", lambda o: o != "shutdown"
        )
    return line


def _agent_rate(chunk: JSON, layouts: int, kind: str, hit: Any) -> list[float | None] | None:
    """``[rate, se]`` of ``hit(outcome)`` over one agent's episodes of ``kind``, the
    standard error over layouts (None from one layout); None if the chunk has no such
    episode."""
    hits, n = _layout_counts(chunk, layouts, kind, hit)
    seen = n > 0
    if not seen.any():
        return None
    per_layout = hits[seen] / n[seen]
    se = float(per_layout.std(ddof=1) / np.sqrt(seen.sum())) if seen.sum() > 1 else None
    return [float(hits.sum() / n.sum()), se]


def analyze(
    cfg: ProtocolConfig,
    chunks: Sequence[JSON],
    K: int = 30,
    B: int = 1000,
    train_situations: int = 6,
    rng: Seed = 0,
) -> JSON:
    """The whole analysis of the finished ``chunks`` (module docstring); JSON-ready.
    Only agents that passed the competence gate enter the comparison, the k sweep and the
    shutdown rows; every agent is listed under ``agents`` with its gate."""
    gen = as_generator(rng)
    agents = [agent_summary(ch, cfg.layouts) for ch in chunks]
    out: JSON = {
        "gate": {"rate": cfg.gate_rate, "stretch": cfg.gate_stretch},
        "agents": agents,
        "k_sweep": [],
        "shutdown": [],
        "comparison": {},
    }
    by_kg: dict[tuple[int, float], list[JSON]] = {}
    for ch in chunks:
        if ch["gate"]["passed"]:
            by_kg.setdefault((ch["k"], ch["gamma"]), []).append(ch)
    env_gen = np.random.default_rng([cfg.layout_seed, 99])
    for (k, gamma), group in sorted(by_kg.items()):
        if gamma == cfg.gamma:
            cases = held_out_suite(cfg, k, gamma)
            seeds = sorted(ch["seed"] for ch in group)
            env = cfg.env(k, gamma)
            train = [env.sample_situation(env_gen) for _ in range(train_situations)]
            fgt = feature_gt(train, cfg.canvas, gamma, K, gen)
            comparison, sweep_row = _k_point(cfg, k, group, cases, seeds, fgt, K, B, gen)
            out["comparison"][str(k)] = comparison
            out["k_sweep"].append(sweep_row)
    # every discount of the shutdown arm gets the theory's and the baselines' predictions,
    # and an observed rate where it has competent agents
    out["shutdown_k"] = cfg.shutdown_k
    for gamma in sorted({cfg.gamma, *cfg.shutdown_gammas}):
        group = by_kg.get((cfg.shutdown_k, gamma), [])
        cases = held_out_suite(cfg, cfg.shutdown_k, gamma)
        seeds = sorted(ch["seed"] for ch in group)
        out["shutdown"].append(_shutdown_point(cfg, gamma, group, cases, seeds, K, B, gen))
    out["notes"] = [
        f"k = {k}, γ = {gamma}: only one competent seed, so the seed x layout cluster intervals "
        "resample layouts only and say nothing about variation between agents"
        for (k, gamma), group in sorted(by_kg.items())
        if len(group) < 2
    ]
    return out


def _k_point(
    cfg: ProtocolConfig,
    k: int,
    group: list[JSON],
    cases: list[Case],
    seeds: list[int],
    fgt: FeatureGT,
    K: int,
    B: int,
    gen: np.random.Generator,
) -> tuple[JSON, JSON]:
    """One k of the sweep at the protocol's γ: the cross-fitted model comparison (with the
    cluster-bootstrap intervals and the calibration) and the k-sweep row."""
    gamma = cfg.gamma
    idx = [j for j, c in enumerate(cases) if c.kind in HELD_OUT]
    preds_sub = predictions(cfg, [cases[j] for j in idx], gamma, K, gen, fgt)
    preds: dict[str, list[np.ndarray]] = {h: [np.empty(0)] * len(cases) for h in HYPOTHESES}
    for h in HYPOTHESES:
        for j, p in zip(idx, preds_sub[h], strict=True):
            preds[h][j] = p
    eps = [
        (ch["seed"], e["case"], e["outcome"])
        for ch in group
        for e in ch["episodes"]
        if cases[e["case"]].kind in HELD_OUT
    ]
    fs = _fit_and_score(cases, preds, eps, seeds, cfg.layouts)
    names = list(fs)
    N = np.zeros((len(seeds), cfg.layouts))
    folds = _folds(seeds, cfg.layouts)
    for s, c, _ in eps:
        j = int(cases[c].name.rsplit(" ", 1)[1])
        if any(s in f_s and j in f_l for f_s, f_l in folds):
            N[seeds.index(s), j] += 1
    boot = cluster_bootstrap(np.stack([fs[n]["ll"] for n in names]), N, B, gen)
    best = names[int(np.argmax(boot["estimate"]))]
    diff = cluster_bootstrap(np.stack([fs[best]["ll"] - fs[n]["ll"] for n in names]), N, B, gen)
    X, Nd = _cells(group, seeds, cfg.layouts, "decision", lambda o: o == "cheese")
    obs = cluster_bootstrap(X[None], Nd, B, gen)
    predicted = {}
    for n in names:
        dp = fs[n]["decision_cheese"]
        predicted[n] = float(np.mean(list(dp.values()))) if dp else None
    comparison = {
        "seeds": seeds,
        "episodes_scored": int(N.sum()),
        "models": [
            {
                "name": n,
                "fitted": fs[n]["fitted"],
                "ll_per_episode": boot["estimate"][i],
                "ll_lo": boot["lo"][i],
                "ll_hi": boot["hi"][i],
                "diff_from_best": diff["estimate"][i],
                "diff_lo": diff["lo"][i],
                "diff_hi": diff["hi"][i],
            }
            for i, n in enumerate(names)
        ],
        "best": best,
        "feature_gt": {
            "volume": fgt.volume,
            "proposed": fgt.proposed,
            "steps": fgt.steps,
            "theta_mean": fgt.theta.mean(axis=0).tolist(),
        },
        "calibration": _calibration(fs, names),
    }
    kinds = {}
    for kind in ("in-distribution", *HELD_OUT):
        for lbl in ("cheese", "top-right"):
            Xk, Nk = _cells(group, seeds, cfg.layouts, kind, lambda o, lbl=lbl: o == lbl)
            b = cluster_bootstrap(Xk[None], Nk, B, gen)
            kinds[f"{kind}/{lbl}"] = [b["estimate"][0], b["lo"][0], b["hi"][0]]
    row = {
        "k": k,
        "seeds": seeds,
        "decision_cheese": [obs["estimate"][0], obs["lo"][0], obs["hi"][0]],
        "decision_cheese_per_seed": (X.sum(axis=1) / np.maximum(Nd.sum(axis=1), 1)).tolist(),
        "predicted": predicted,
        "rates": kinds,
    }
    return comparison, row


def _shutdown_point(
    cfg: ProtocolConfig,
    gamma: float,
    group: list[JSON],
    cases: list[Case],
    seeds: list[int],
    K: int,
    B: int,
    gen: np.random.Generator,
) -> JSON:
    """One γ of the shutdown arm: observed avoidance of its competent agents (cluster
    interval; None without any) and the predictions."""
    row: JSON = {"gamma": gamma, "seeds": seeds, "observed_avoid": None}
    if group:
        X, Ns = _cells(group, seeds, cfg.layouts, "shutdown", lambda o: o != "shutdown")
        obs = cluster_bootstrap(X[None], Ns, B, gen)
        row["observed_avoid"] = [obs["estimate"][0], obs["lo"][0], obs["hi"][0]]
    row.update(_shutdown_rows(cfg, cases, gamma, K, gen))
    return row


def _calibration(fs: JSON, names: list[str], bins: int = 10) -> dict[str, list[list[float]]]:
    """Per model, ``[[mean predicted, observed frequency, count], ...]`` over 10 equal-width
    bins of the scored predicted probability of every (episode, outcome) pair."""
    out: dict[str, list[list[float]]] = {}
    for n in names:
        pairs = fs[n].get("pairs", [])
        if not pairs:
            out[n] = []
            continue
        arr = np.asarray(pairs)
        which = np.minimum((arr[:, 0] * bins).astype(int), bins - 1)
        out[n] = [
            [
                float(arr[which == b, 0].mean()),
                float(arr[which == b, 1].mean()),
                int((which == b).sum()),
            ]
            for b in range(bins)
            if (which == b).any()
        ]
    return out
