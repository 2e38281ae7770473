"""Figures of the protocol analysis: the training curves' smoothing and panels."""

from __future__ import annotations

import pytest

from powerlab.agents.studyplot import _smoothed, _training_arms, plot_training


def _chunk(seed: int, k: int, gamma: float, passed: bool = True) -> dict:
    curve = [{"steps": 2048 * (i + 1), "episodes": 10, "success": 0.5} for i in range(3)]
    return {
        "seed": seed,
        "k": k,
        "gamma": gamma,
        "gate": {"passed": passed},
        "training": {"curve": curve},
    }


def test_smoothing_is_the_episode_weighted_trailing_mean() -> None:
    """Rollouts (episodes, success) = (1, 1.0), (3, 0.0), (0, -), (4, 0.5): with a window of 2
    the weighted means are 1/1, (1 + 0)/4, (0 + nothing)/3 = 0 and (0 + 2)/4 = 0.5; the
    third point is kept (its window has episodes) and the empty window is dropped."""
    curve = [
        {"steps": 10, "episodes": 1, "success": 1.0},
        {"steps": 20, "episodes": 3, "success": 0.0},
        {"steps": 30, "episodes": 0, "success": 0.0},
        {"steps": 40, "episodes": 4, "success": 0.5},
    ]
    steps, rate = _smoothed(curve, 2)
    assert steps == [10, 20, 30, 40]
    assert rate == pytest.approx([1.0, 0.25, 0.0, 0.5])
    assert _smoothed([{"steps": 1, "episodes": 0, "success": 0.0}], 3) == ([], [])


def test_arms_split_the_k_sweep_from_the_shutdown_discounts() -> None:
    chunks = [_chunk(0, k, 0.95) for k in (1, 2, 3, 4)]
    chunks += [_chunk(0, 3, 0.9, passed=False), _chunk(0, 3, 0.99)]
    arms = _training_arms(chunks)
    assert [(key, len(group)) for _, key, group in arms] == [("k", 4), ("gamma", 3)]
    assert {ch["gamma"] for ch in arms[1][2]} == {0.9, 0.95, 0.99}
    assert len(_training_arms(chunks[:4])) == 1
    fig = plot_training(chunks)
    assert len(fig.axes) == 2
