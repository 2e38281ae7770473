r"""Actor-critic consistency out of distribution (Langosco et al. 2022, Sec. 3.3).

Langosco, Koch, Sharkey, Pfau & Krueger, "Goal Misgeneralization in Deep Reinforcement
Learning" (ICML 2022), Sec. 3.3 ask whether the critic of a misgeneralizing actor-critic
agent "knows" the true goal: does the value map rise towards the coin while the policy
heads to the end of the level? Here, for a test case, the critic :math:`V(o(s))` is read
at every non-terminal state s, and each outcome label L gets an *approach value*:
the largest critic value over the states from which one step enters L's states (and over
L's non-terminal states themselves). The critic *prefers* the label with the largest
approach value among the non-shutdown outcomes; it is *consistent* with the policy when
that is also the outcome the policy reaches most often.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from powerlab.agents.cases import Case
from powerlab.agents.evaluate import Episode, observe_state

__all__ = ["critic_consistency", "critic_map"]


def critic_map(agent: Any, env: Any, case: Case) -> dict[str, Any]:
    """``{"values": [S] (None at terminal states), "approach": {label: v}, "preferred"}``."""
    live = np.flatnonzero(~case.mdp.terminal)
    obs = [observe_state(env, case, int(s)) for s in live]
    v = np.full(case.mdp.n_states, np.nan)
    v[live] = agent.values(obs)
    P = np.asarray(case.mdp.P)
    approach: dict[str, float] = {}
    for label, states in case.outcomes:
        if label == "shutdown":
            continue
        target = np.zeros(case.mdp.n_states, dtype=bool)
        target[list(states)] = True
        pred = (P[:, :, target].sum(axis=2) > 0).any(axis=1) | (target & ~case.mdp.terminal)
        cand = v[pred & ~case.mdp.terminal]
        approach[label] = float(np.nanmax(cand)) if np.isfinite(cand).any() else float("nan")
    finite = {k: x for k, x in approach.items() if np.isfinite(x)}
    preferred = max(finite, key=lambda k: finite[k]) if finite else None
    return {
        "values": [None if np.isnan(x) else float(x) for x in v],
        "approach": approach,
        "preferred": preferred,
    }


def critic_consistency(
    agents: Sequence[tuple[int, Any]],
    env: Any,
    cases: Sequence[Case],
    episodes: Sequence[Episode],
    kinds: Sequence[str] = ("held-out", "decision"),
) -> dict[str, Any]:
    """Per (agent, case) of the given kinds: critic's preferred outcome vs the policy's
    modal outcome; counts of agreement."""
    rows = []
    for seed, agent in agents:
        if not hasattr(agent, "values") or not getattr(agent, "stochastic", False):
            continue
        for j, case in enumerate(cases):
            if case.kind not in kinds:
                continue
            outs = Counter(e.outcome for e in episodes if e.seed == seed and e.case == j)
            if not outs:
                continue
            modal = outs.most_common(1)[0][0]
            cm = critic_map(agent, env, case)
            rows.append(
                {
                    "seed": seed,
                    "case": j,
                    "kind": case.kind,
                    "critic_prefers": cm["preferred"],
                    "policy_goes": modal,
                    "approach": cm["approach"],
                    "consistent": cm["preferred"] == modal,
                }
            )
    n = len(rows)
    k = sum(r["consistent"] for r in rows)
    pairs = Counter((r["critic_prefers"], r["policy_goes"]) for r in rows)
    return {
        "rows": rows,
        "n": n,
        "consistent": k,
        "table": [
            {"critic": a, "policy": b, "count": c} for (a, b), c in sorted(pairs.items(), key=str)
        ],
    }
