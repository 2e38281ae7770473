r"""Rollouts of trained agents on test cases, outcome counts with confidence intervals.

An episode's *outcome* (:func:`classify`): the label of the terminal state it ends in (the
cheese, the shutdown state ``off``; in CoinRun ``coin``, ``end``, ``halt``), else the label
of the first labelled non-terminal set it visited (the top-right region), else
``"elsewhere"``. This is Turner et al.'s reading of the decision squares: did the mouse get
the cheese, or go to the top-right instead, or neither.

Intervals are for a binomial proportion k/n at level 1-α:

* Wilson (1927) score interval,
  :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}`;
* Clopper & Pearson (1934) exact interval,
  :math:`[B(\alpha/2; k, n-k+1),\ B(1-\alpha/2; k+1, n-k)]` with B the beta quantile.

Episodes of one agent are not independent draws of "an agent"; the summaries therefore
report, beside the pooled episode proportion, the number of seeds and the per-seed rates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from powerlab._random import Seed, as_generator
from powerlab._types import JSON
from powerlab.agents.cases import Case
from powerlab.agents.envs import MazeEnv
from powerlab.agents.maze import Situation
from powerlab.errors import InputError

__all__ = [
    "Episode",
    "classify",
    "clopper_pearson",
    "observe_state",
    "rollout",
    "run_rollouts",
    "summarize",
    "wilson",
]


def wilson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (module docstring)."""
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise InputError(f"wilson: need 0 <= k <= n, got k={k}, n={n}")
    from scipy.stats import norm

    z = float(norm.ppf(1 - alpha / 2))
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, mid - half)  # exact ends: round-off otherwise
    hi = 1.0 if k == n else min(1.0, mid + half)
    return (lo, hi)


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Clopper-Pearson exact interval for k successes in n trials (module docstring)."""
    if n <= 0:
        return (0.0, 1.0)
    if not 0 <= k <= n:
        raise InputError(f"clopper_pearson: need 0 <= k <= n, got k={k}, n={n}")
    from scipy.stats import beta

    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (lo, hi)


@dataclass(frozen=True)
class Episode:
    """One rollout: visited MDP states ``[T+1]``, the MDP slots played ``[T]``, the outcome."""

    seed: int
    case: int
    states: tuple[int, ...]
    slots: tuple[int, ...]
    outcome: str

    def to_dict(self) -> JSON:
        """JSON form."""
        return {
            "seed": self.seed,
            "case": self.case,
            "states": list(self.states),
            "slots": list(self.slots),
            "outcome": self.outcome,
        }

    @staticmethod
    def from_dict(d: JSON) -> Episode:
        """Inverse of :meth:`to_dict`."""
        return Episode(
            int(d["seed"]),
            int(d["case"]),
            tuple(int(x) for x in d["states"]),
            tuple(int(x) for x in d["slots"]),
            str(d["outcome"]),
        )


def classify(case: Case, states: Sequence[int]) -> str:
    """The outcome of a path of MDP states (module docstring)."""
    if states and case.mdp.terminal[states[-1]]:
        label = case.outcome_of(states[-1])
        if label is not None:
            return label
    for s in states[1:]:
        label = case.outcome_of(s)
        if label is not None and not case.mdp.terminal[s]:
            return label
    return "elsewhere"


def observe_state(env: Any, case: Case, s: int) -> Any:
    """The observation the simulator gives with the agent in MDP state ``s`` of ``case``."""
    if isinstance(env, MazeEnv):
        sit = case.reset_options["situation"]
        assert isinstance(sit, Situation)
        name = case.mdp.states[s]
        cell = None if name == "off" else tuple(int(x) for x in name.split(","))
        return env.observe(cell, sit)  # type: ignore[arg-type]
    return env.observe(s)


def rollout(
    agent: Any,
    env: Any,
    case: Case,
    rng: np.random.Generator,
    seed: int = 0,
    case_index: int = 0,
) -> Episode:
    """Play one episode of ``case`` in the simulator; stochastic agents sample actions."""
    obs, info = env.reset(seed=int(rng.integers(2**31)), options=case.reset_options)
    s = case.mdp.state_index(info["state"])
    if s != case.start:
        raise InputError(f"case {case.name}: simulator started in {info['state']!r}")
    states, slots = [s], []
    for _ in range(case.max_steps):
        p = agent.probs([obs])[0]
        a = int(rng.choice(len(p), p=p / p.sum())) if agent.stochastic else int(np.argmax(p))
        slots.append(int(case.action_map[s, a]))
        obs, _r, term, trunc, info = env.step(a)
        s = case.mdp.state_index(info["state"])
        states.append(s)
        if term or trunc:
            break
    return Episode(seed, case_index, tuple(states), tuple(slots), classify(case, states))


def summarize(
    cases: Sequence[Case], episodes: Sequence[Episode], alpha: float = 0.05
) -> list[JSON]:
    """Per case kind and outcome: count, episodes, pooled rate, Wilson and Clopper-Pearson
    intervals, seeds and the per-seed rates."""
    rows: list[JSON] = []
    kinds = list(dict.fromkeys(c.kind for c in cases))
    for kind in kinds:
        idx = {i for i, c in enumerate(cases) if c.kind == kind}
        eps = [e for e in episodes if e.case in idx]
        if not eps:
            continue
        labels = list(dict.fromkeys(lbl for i in sorted(idx) for lbl in cases[i].labels))
        seeds = sorted({e.seed for e in eps})
        n = len(eps)
        for lbl in labels:
            k = sum(e.outcome == lbl for e in eps)
            per_seed = []
            for sd in seeds:
                mine = [e for e in eps if e.seed == sd]
                per_seed.append(sum(e.outcome == lbl for e in mine) / len(mine))
            rows.append(
                {
                    "kind": kind,
                    "outcome": lbl,
                    "count": k,
                    "episodes": n,
                    "rate": k / n,
                    "wilson": list(wilson(k, n, alpha)),
                    "clopper_pearson": list(clopper_pearson(k, n, alpha)),
                    "seeds": len(seeds),
                    "per_seed": per_seed,
                }
            )
    return rows


def run_rollouts(
    agents: Sequence[tuple[int, Any]],
    env: Any,
    cases: Sequence[Case],
    rollouts: int,
    rng: Seed = 0,
    progress: Callable[[int], None] | None = None,
) -> list[Episode]:
    """Every agent on every case: one episode if deterministic, ``rollouts`` if stochastic."""
    gen = as_generator(rng)
    out = []
    for seed, agent in agents:
        for j, case in enumerate(cases):
            for _ in range(rollouts if agent.stochastic else 1):
                out.append(rollout(agent, env, case, gen, seed, j))
            if progress is not None:
                progress(1)
    return out
