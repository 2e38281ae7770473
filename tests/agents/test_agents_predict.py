"""Hypothesis predictions: exact outcome probabilities, Boltzmann limits, G_T draws, bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chisquare

from powerlab.agents.bootstrap import cluster_bootstrap
from powerlab.agents.cases import maze_case
from powerlab.agents.evaluate import classify
from powerlab.agents.maze import Situation, situation_mdp
from powerlab.agents.predict import (
    BETAS,
    FEATURES,
    boltzmann,
    case_features,
    feature_gt,
    outcome_probabilities,
    tabular_gt,
)
from powerlab.agents.procmaze import ProcMazeEnv
from powerlab.agents.study import _fit_and_score

LAY = ("#######", "#.....#", "#.#.###", "#.#...#", "#####.#", "#.....#", "#######")


def _case(cheese: tuple[int, int], start: tuple[int, int] = (5, 1), k: int = 3, steps: int = 40):
    sit = Situation(LAY, cheese, start, k=k, kind="held-out")
    return maze_case(sit, "c 0", 0.9, steps), sit


def test_random_walk_outcomes_match_simulation() -> None:
    """Exact propagation against 4000 simulated random-walk episodes (chi-squared, α = 0.001)."""
    case, _ = _case((3, 3))
    pi = boltzmann(case.mdp, np.zeros((1, case.mdp.n_states)), 0.9, np.zeros(1))[0, 0]
    exact = outcome_probabilities(case, pi[None])[0]
    assert exact.sum() == pytest.approx(1.0)
    rng = np.random.default_rng(5)
    succ = case.mdp.successor
    counts = dict.fromkeys(case.labels, 0)
    for _ in range(4000):
        s, path = case.start, [case.start]
        for _ in range(case.max_steps):
            if case.mdp.terminal[s]:
                break
            avail = np.flatnonzero(case.mdp.available[s])
            s = int(succ[s, rng.choice(avail)])
            path.append(s)
        counts[classify(case, path)] += 1
    obs = np.array([counts[o] for o in case.labels])
    keep = exact > 0
    assert obs[~keep].sum() == 0
    assert chisquare(obs[keep], 4000 * exact[keep] / exact[keep].sum()).pvalue > 1e-3


def test_greedy_limit_follows_the_reward() -> None:
    """At large β the Boltzmann policy of the cheese reward reaches the cheese surely, that of
    the region reward never (the cheese (3,1) is off the path start -> corner)."""
    case, _ = _case((3, 1))
    labels = list(case.labels)
    p_true = outcome_probabilities(
        case, boltzmann(case.mdp, case.features["cheese"][None], 0.9, BETAS[-1:])
    )
    p_prox = outcome_probabilities(
        case, boltzmann(case.mdp, case.features["region"][None], 0.9, BETAS[-1:])
    )
    assert p_true[0, 0, labels.index("cheese")] > 0.999
    assert p_prox[0, 0, labels.index("top-right")] > 0.999


def test_tabular_gt_is_free_uniform_on_held_out_states() -> None:
    case, _ = _case((3, 3))
    R = tabular_gt(case, 0.9, 4000, np.random.default_rng(0))
    assert R.shape == (4000, case.mdp.n_states)
    assert R.min() >= 0 and R.max() <= 1
    # each coordinate uniform on [0, 1]: mean 1/2 with sd 1/sqrt(12 * 4000)
    assert np.abs(R.mean(axis=0) - 0.5).max() < 4.5 / np.sqrt(12 * 4000)


def test_feature_gt_draws_are_compatible_and_cheese_dominated() -> None:
    """Every draw lies in the set (each slice-sampling move is checked by membership); with
    the cheese paid once and other rewards collected forever, compatibility needs the
    non-cheese weights small, so the cheese weight dominates every draw."""
    env = ProcMazeEnv(sizes=(3,), k=2)
    rng = np.random.default_rng(1)
    train = [env.sample_situation(rng) for _ in range(3)]
    f = feature_gt(train, env.N, 0.9, 12, rng, proposals=500, steps=5)
    assert f.theta.shape == (12, len(FEATURES)) and f.theta.min() >= 0 and f.theta.max() <= 1
    ci = FEATURES.index("cheese")
    assert (f.theta[:, ci] >= np.delete(f.theta, ci, axis=1).sum(axis=1)).all()
    F = case_features(train[0], situation_mdp(train[0]), env.N)
    assert F.shape[1] == len(FEATURES) and F.min() >= 0 and F.max() <= 1


def test_cluster_bootstrap_ratio_and_degenerate_interval() -> None:
    N = np.full((3, 5), 4.0)
    X = 0.25 * N
    b = cluster_bootstrap(X[None], N, B=200, rng=0)
    assert b["estimate"][0] == pytest.approx(0.25)
    assert b["lo"][0] == pytest.approx(0.25) and b["hi"][0] == pytest.approx(0.25)


def test_cluster_bootstrap_widens_with_seed_heterogeneity() -> None:
    rng = np.random.default_rng(0)
    N = np.full((6, 20), 4.0)
    same = rng.binomial(4, 0.5, size=(6, 20)).astype(float)
    p_seed = np.array([0.1, 0.9, 0.1, 0.9, 0.1, 0.9])[:, None]
    split = rng.binomial(4, np.broadcast_to(p_seed, (6, 20))).astype(float)
    w_same = np.diff([cluster_bootstrap(same[None], N, 500, 1)[k][0] for k in ("lo", "hi")])[0]
    w_split = np.diff([cluster_bootstrap(split[None], N, 500, 1)[k][0] for k in ("lo", "hi")])[0]
    assert w_split > 2 * w_same


def test_fit_and_score_prefers_the_generating_hypothesis() -> None:
    """Outcomes drawn from hypothesis A's prediction (a fixed β) are scored better under A
    than under B on the held-out fold."""
    cases = [
        maze_case(Situation(LAY, (3, 1), (5, 1), k=3, kind="decision"), f"decision {i}", 0.9, 40)
        for i in range(8)
    ]
    nb = len(BETAS)
    lab = list(cases[0].labels)
    O = len(lab)
    pa = np.zeros((nb, O))
    pa[:, lab.index("cheese")] = 0.8
    pa[:, lab.index("top-right")] = 0.2
    pb = np.zeros((nb, O))
    pb[:, lab.index("cheese")] = 0.2
    pb[:, lab.index("top-right")] = 0.8
    preds = {
        "H_true": [pa] * 8,
        "H_proxy": [pb] * 8,
        "H_GT_tab": [pb] * 8,
        "H_GT_feat": [pb] * 8,
        "H_mix": [np.stack([pa, pb])] * 8,
    }
    rng = np.random.default_rng(3)
    eps = [
        (s, c, "cheese" if rng.random() < 0.8 else "top-right")
        for s in range(4)
        for c in range(8)
        for _ in range(5)
    ]
    fs = _fit_and_score(cases, preds, eps, [0, 1, 2, 3], 8)
    assert fs["H_true"]["ll"].sum() > fs["H_proxy"]["ll"].sum()
    assert fs["H_mix"]["fitted"][0]["w"] >= 0.5
