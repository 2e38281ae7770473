r"""Hypotheses about what a trained agent pursues, scored by how well they predict it.

A hypothesis H is a distribution over state rewards :math:`R` on a test case's MDP:

``uniform`` (H_uniform)
    :math:`R \sim` uniform on the training-compatible goal set :math:`G_T` (Krakovna &
    Kramár 2023, Def 6, and their assumption that training draws a goal uniformly from it),
    sampled with :func:`powerlab.goals.sample_hit_and_run` on the case's training context
    (:mod:`powerlab.agents.cases`) and restricted to the case's states.
``true`` (H_true)
    the intended goal: the cheese (the coin).
``proxy`` (H_proxy)
    a simple correlate of the training reward: the top-right region (the end of the level),
    Turner's "motivations related to obvious correlates of historical reinforcement".
user families
    ``{"name", "weights": {feature: w}, "noise": a}``: :math:`R = \sum_f w_f \phi_f + a U`,
    U i.i.d. uniform on [0, 1] per state, features :math:`\phi_f` as in
    :attr:`powerlab.agents.cases.Case.features`.

Behaviour model. Given R, the agent acts ε-optimally at the hypotheses' discount γ:

.. math:: \pi_R(a \mid s) = (1-\varepsilon)\,\frac{1[a \in \mathrm{Opt}_R(s)]}{|\mathrm{Opt}_R(s)|}
          + \frac{\varepsilon}{|A(s)|},

with :math:`\mathrm{Opt}_R(s)` the optimal actions of :func:`powerlab.mdp.solve` (ties
count). A group g is one agent (seed) in one training context (one maze layout, or the
CoinRun levels): its episodes share the agent's goal, drawn once on the context's joint MDP
(:func:`powerlab.agents.cases.goal_context`). Its likelihood is
:math:`L_g(H) = E_{R \sim H}\prod_{(s,a) \in g}\pi_R(a \mid s)`, estimated by the mean over K
draws; :math:`\log \hat L_g` is computed by log-sum-exp and carries the delta-method Monte
Carlo standard error :math:`\mathrm{sd}(w)/(\sqrt K\,\bar w)`, w the per-draw likelihoods.
Different agents are independent, and so (being disjoint and unreachable from each other,
hence free coordinates of :math:`G_T`) are different layouts; the total log-likelihood is
the sum over groups. ε and γ are fixed before the behaviour is seen, so
the comparison is one of prediction, not of fit. The spread of a difference between two
hypotheses over groups, :math:`\sqrt{n}\,\mathrm{sd}(\Delta_g)`, is reported as the
sampling uncertainty of the comparison.

Outcome prediction. For each draw the ε-optimal policy :math:`\pi_R` is simulated from the
start (20 episodes per draw; 400 for a single noiseless draw); the predicted outcome
distribution is the fraction of simulated episodes per outcome, smoothed as
:math:`(n_o + 1/2)/(N + |O|/2)` (Jeffreys), and the observed outcomes are scored by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.agents.cases import Case, goal_context
from powerlab.agents.evaluate import Episode
from powerlab.errors import InputError
from powerlab.goals import EmptyGoalSet, goal_set, sample_hit_and_run
from powerlab.mdp import solve

__all__ = [
    "Hypothesis",
    "action_probs",
    "default_hypotheses",
    "episode_loglik",
    "hypothesis_rewards",
    "outcome_prediction",
    "parse_family",
    "score",
]


@dataclass(frozen=True)
class Hypothesis:
    """A reward hypothesis: ``kind`` is ``"uniform"`` (G_T) or ``"features"``."""

    name: str
    kind: str
    weights: tuple[tuple[str, float], ...] = ()
    noise: float = 0.0


def default_hypotheses(family: str) -> list[Hypothesis]:
    """H_uniform, H_true and H_proxy for a family (module docstring)."""
    true, proxy = ("cheese", "region") if family == "maze" else ("coin", "end")
    return [
        Hypothesis("H_uniform", "uniform"),
        Hypothesis("H_true", "features", ((true, 1.0),)),
        Hypothesis("H_proxy", "features", ((proxy, 1.0),)),
    ]


def parse_family(d: Mapping[str, Any], where: str = "family") -> Hypothesis:
    """A user reward family ``{"name", "weights": {feature: w}, "noise": a}``."""
    if not isinstance(d, Mapping):
        raise InputError(f"{where}: expected a mapping with name, weights, noise")
    name = d.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: name: expected a nonempty string")
    weights = d.get("weights", {})
    if not isinstance(weights, Mapping):
        raise InputError(f"{where}.weights: expected a mapping feature -> number")
    w = []
    for f, v in weights.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v):
            raise InputError(f"{where}.weights.{f}: expected a finite number, got {v!r}")
        w.append((str(f), float(v)))
    noise = d.get("noise", 0.0)
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise < np.inf:
        raise InputError(f"{where}.noise: expected a nonnegative number, got {noise!r}")
    extra = sorted(set(map(str, d)) - {"name", "weights", "noise"})
    if extra:
        raise InputError(f"{where}: unknown key {extra[0]!r}")
    return Hypothesis(name, "features", tuple(w), float(noise))


def hypothesis_rewards(
    h: Hypothesis,
    cases: Sequence[Case],
    K: int,
    gamma: float,
    rng: np.random.Generator,
) -> list[np.ndarray]:
    """Joint reward draws of ``h`` for cases sharing one training context.

    Returns one ``[K', S_case]`` array per case, row k of each coming from the same draw
    (one goal per agent); K' = 1 for a noiseless feature family.
    """
    if h.kind == "uniform":
        mdp, training, index = goal_context(list(cases), gamma)
        gs = goal_set(mdp, training, gamma)
        try:
            gsamp = sample_hit_and_run(gs, K, rng, chains=4)
        except EmptyGoalSet as exc:  # pragma: no cover - G_T of a real policy is nonempty
            raise InputError(f"G_T is empty ({exc})") from None
        return [np.asarray(gsamp.samples[:, idx]) for idx in index]
    out = []
    for case in cases:
        R = np.zeros(case.mdp.n_states)
        for f, w in h.weights:
            if f not in case.features:
                raise InputError(
                    f"hypothesis {h.name}: unknown feature {f!r} "
                    f"(this family has {', '.join(sorted(case.features))})"
                )
            R = R + w * case.features[f]
        out.append(R[None, :])
    if h.noise > 0:
        S_all = sum(c.mdp.n_states for c in cases)
        U = h.noise * rng.random((K, S_all))
        o = 0
        for i, case in enumerate(cases):
            out[i] = out[i] + U[:, o : o + case.mdp.n_states]
            o += case.mdp.n_states
    return out


def action_probs(case: Case, R: np.ndarray, gamma: float, eps: float) -> np.ndarray:
    """``[K, S, A]`` :math:`\\pi_R(a|s)` of the ε-optimal behaviour model (module docstring)."""
    opt = solve(case.mdp, R, gamma, want_q=True).optimal
    assert opt is not None
    avail = case.mdp.available[None]
    n_opt = opt.sum(axis=2, keepdims=True)
    n_av = avail.sum(axis=2, keepdims=True)
    p = (1 - eps) * opt / np.maximum(n_opt, 1) + eps / n_av
    return np.where(avail, p, 0.0)


def episode_loglik(pi: np.ndarray, episodes: Sequence[Episode]) -> np.ndarray:
    """``[K]`` :math:`\\sum_{(s,a)} \\log \\pi_{R_k}(a|s)` over the steps of ``episodes``."""
    tot = np.zeros(pi.shape[0])
    for e in episodes:
        if e.slots:
            s = np.array(e.states[: len(e.slots)])
            a = np.array(e.slots)
            with np.errstate(divide="ignore"):
                tot += np.log(pi[:, s, a]).sum(axis=1)
    return tot


def outcome_prediction(
    case: Case, pi: np.ndarray, rng: np.random.Generator, per_draw: int = 20
) -> dict[str, float]:
    """Predicted outcome distribution: ``per_draw`` simulated episodes of each ``pi[k]``.

    Jeffreys-smoothed, :math:`(n_o + 1/2)/(N + |O|/2)` over N simulated episodes (module
    docstring). Deterministic MDPs only (the exported mazes and CoinRun levels are).
    """
    succ = case.mdp.successor
    if succ is None:
        raise InputError(f"case {case.name}: outcome prediction needs a deterministic MDP")
    K = pi.shape[0]
    k_of = np.repeat(np.arange(K), per_draw)
    N = len(k_of)
    s = np.full(N, case.start)
    labels = list(case.labels)
    lab_of = np.full(case.mdp.n_states, -1)
    for j, (_, states) in enumerate(case.outcomes):
        for t in states:
            if lab_of[t] < 0:
                lab_of[t] = j
    term = case.mdp.terminal
    outcome = np.full(N, -1)
    visited = np.full(N, -1)
    cum = np.cumsum(pi, axis=2)
    for _ in range(case.max_steps):
        live = ~term[s]
        if not live.any():
            break
        u = rng.random(N)
        c = cum[k_of, s]
        a = np.minimum((u[:, None] > c * (1 - 1e-12)).sum(axis=1), pi.shape[2] - 1)
        nxt = np.where(live, succ[s, a], s)
        first = live & (visited < 0) & (lab_of[nxt] >= 0) & ~term[nxt]
        visited[first] = lab_of[nxt[first]]
        s = nxt
    ended = term[s] & (lab_of[s] >= 0)
    outcome[ended] = lab_of[s[ended]]
    rest = outcome < 0
    outcome[rest & (visited >= 0)] = visited[rest & (visited >= 0)]
    outcome[outcome < 0] = len(labels) - 1
    counts = np.bincount(outcome, minlength=len(labels))
    return {o: (float(counts[j]) + 0.5) / (N + len(labels) / 2) for j, o in enumerate(labels)}


def score(
    hypotheses: Sequence[Hypothesis],
    cases: Sequence[Case],
    episodes: Sequence[Episode],
    *,
    gamma: float,
    eps: float = 0.1,
    samples: int = 100,
    rng: Seed = 0,
    progress: Callable[[int], None] | None = None,
) -> JSON:
    """Score every hypothesis on the episodes (module docstring).

    Groups are (agent seed, training context): one goal per agent and context.
    Returns ``{"hypotheses": [{name, loglik, mc_stderr, outcome_loglik, loglik_per_kind,
    predicted_outcomes}], "best", "best_outcome", "differences", "groups", ...}``.
    ``progress(1)`` is called after each hypothesis.
    """
    if not 0 < eps < 1:
        raise InputError(f"eps must be in (0, 1), got {eps}")
    gen = as_generator(rng)
    used = sorted({e.case for e in episodes})
    contexts: dict[str, list[int]] = {}
    for c in used:
        contexts.setdefault(cases[c].context_key, []).append(c)
    groups: dict[tuple[int, str], list[Episode]] = {}
    for e in episodes:
        groups.setdefault((e.seed, cases[e.case].context_key), []).append(e)
    keys = sorted(groups)
    results: list[JSON] = []
    per_group: dict[str, np.ndarray] = {}
    for h in hypotheses:
        pis: dict[int, np.ndarray] = {}
        predicted: dict[int, dict[str, float]] = {}
        for members in contexts.values():
            draws = hypothesis_rewards(h, [cases[c] for c in members], samples, gamma, gen)
            for c, R in zip(members, draws, strict=True):
                pis[c] = action_probs(cases[c], R, gamma, eps)
                predicted[c] = outcome_prediction(cases[c], pis[c], gen, 20 if len(R) > 1 else 400)
        g_ll = np.zeros(len(keys))
        g_var = np.zeros(len(keys))
        for i, key in enumerate(keys):
            eps_g = groups[key]
            ll_k = sum(
                episode_loglik(pis[c], [e for e in eps_g if e.case == c])
                for c in {e.case for e in eps_g}
            )
            ll_k = np.atleast_1d(np.asarray(ll_k, dtype=np.float64))
            K = len(ll_k)
            g_ll[i] = float(logsumexp(ll_k) - np.log(K))
            if K > 1 and np.isfinite(ll_k.max()):
                w = np.exp(ll_k - ll_k.max())
                g_var[i] = (w.std(ddof=1) / (np.sqrt(K) * w.mean())) ** 2
        outcome_ll = float(sum(np.log(predicted[e.case][e.outcome]) for e in episodes))
        outcome_kind: dict[str, float] = {}
        for e in episodes:
            k = cases[e.case].kind
            outcome_kind[k] = outcome_kind.get(k, 0.0) + float(np.log(predicted[e.case][e.outcome]))
        pred_by_kind: dict[str, dict[str, float]] = {}
        for kind in dict.fromkeys(cases[c].kind for c in used):
            members = [c for c in used if cases[c].kind == kind]
            labels = dict.fromkeys(o for c in members for o in predicted[c])
            pred_by_kind[kind] = {
                o: float(np.mean([predicted[c].get(o, 0.0) for c in members])) for o in labels
            }
        per_group[h.name] = g_ll
        results.append(
            {
                "name": h.name,
                "kind": h.kind,
                "loglik": float(g_ll.sum()),
                "mc_stderr": float(np.sqrt(g_var.sum())),
                "outcome_loglik": outcome_ll,
                "outcome_loglik_per_kind": outcome_kind,
                "predicted_outcomes": pred_by_kind,
            }
        )
        if progress is not None:
            progress(1)
    best = max(results, key=lambda r: r["loglik"])["name"]
    best_o = max(results, key=lambda r: r["outcome_loglik"])["name"]
    diffs = []
    for r in results:
        if r["name"] == best:
            continue
        d = per_group[best] - per_group[r["name"]]
        se = float(np.sqrt(len(d)) * d.std(ddof=1)) if len(d) > 1 else float("nan")
        diffs.append({"best": best, "other": r["name"], "difference": float(d.sum()), "stderr": se})
    return {
        "hypotheses": results,
        "best": best,
        "best_outcome": best_o,
        "differences": diffs,
        "groups": len(keys),
        "episodes": len(episodes),
        "eps": eps,
        "gamma": gamma,
        "samples": samples,
    }
