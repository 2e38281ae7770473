"""Progress hooks of draw_goals and misgeneralization: the units they report add up to the
stated total, each call advances by a positive count, and the hook changes no draw."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import powerlab.cli.goals as cli_goals
from powerlab.cli import app
from powerlab.goals import goal_set, load_training
from powerlab.goals.draw import draw_goals
from powerlab.goals.features import load_features
from powerlab.goals.generalization import PROGRESS_PER_SAMPLE, misgeneralization
from powerlab.mdp import load_mdp
from powerlab.power.distributions import parse_dist

EX = Path(__file__).resolve().parents[2] / "examples" / "goals"


class Recorder:
    """A progress callback that keeps every advance."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, n: int) -> None:
        self.calls.append(n)


def _goal_set(features: bool) -> Any:
    """CoinRun (state rewards; its G_T is thin, so hit-and-run) or CoinRun levels with
    features (G_T about a tenth of the box, so rejection)."""
    if not features:
        mdp = load_mdp(EX / "coinrun.yaml")
        return goal_set(mdp, load_training(mdp, EX / "coinrun_train.yaml"), 0.9)
    mdp = load_mdp(EX / "coinrun_levels.yaml")
    td = load_training(mdp, EX / "coinrun_levels_train.yaml")
    phi = load_features(mdp, EX / "coinrun_features.yaml")
    return goal_set(mdp, td, 0.9, features=phi.matrix, feature_names=phi.names)


@pytest.mark.parametrize(
    ("sampler", "features", "prior"),
    [("hit-and-run", False, None), ("hit-and-run", False, "beta:2,2"),
     ("rejection", True, None), ("rejection", True, "beta:2,2")],
)  # fmt: skip
def test_draw_goals_reports_every_sample(sampler: str, features: bool, prior: str | None) -> None:
    """Asked for n = 203 (not a multiple of the chain count), the advances sum to n and are all
    positive; the draws equal those made without a hook (same seed)."""
    gs = _goal_set(features)
    dist = None if prior is None else parse_dist(prior, gs.mdp.state_index)
    rec = Recorder()
    with_hook = draw_goals(gs, sampler, 203, 5, prior=dist, progress=rec)
    without = draw_goals(gs, sampler, 203, 5, prior=dist)
    assert with_hook.result is not None and without.result is not None
    assert sum(rec.calls) == 203 and min(rec.calls) > 0
    np.testing.assert_array_equal(with_hook.result.samples, without.result.samples)


def test_misgeneralization_reports_three_units_per_sample() -> None:
    mdp = load_mdp(EX / "coinrun_levels.yaml")
    td = load_training(mdp, EX / "coinrun_levels_train.yaml")
    phi = load_features(mdp, EX / "coinrun_features.yaml")
    rec = Recorder()
    res = misgeneralization(mdp, td, phi, "b0", 0.9, 150, rng=2, progress=rec)
    ref = misgeneralization(mdp, td, phi, "b0", 0.9, 150, rng=2)
    assert sum(rec.calls) == PROGRESS_PER_SAMPLE * 150 and min(rec.calls) > 0
    assert res.frame.equals(ref.frame)


def test_cli_bars_have_real_totals(monkeypatch: pytest.MonkeyPatch) -> None:
    """``goals sample`` and ``goals misgeneralization`` open a bar whose total is what the
    library then reports, to the unit."""
    bars: list[tuple[float | None, Recorder]] = []

    @contextmanager
    def fake_bar(
        description: str, total: float | None, enabled: bool = True
    ) -> Iterator[Callable[[int], None]]:
        rec = Recorder()
        bars.append((total, rec))
        yield rec

    monkeypatch.setattr(cli_goals, "progress_bar", fake_bar)
    runner = CliRunner()
    levels = [str(EX / n) for n in ("coinrun_levels.yaml", "coinrun_levels_train.yaml",
                                     "coinrun_features.yaml")]  # fmt: skip
    r = runner.invoke(
        app,
        ["goals", "sample", levels[0], "--train", levels[1], "--features", levels[2],
         "--sampler", "rejection", "-n", "120", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["goals", "misgeneralization", levels[0], "--train", levels[1], "--features",
         levels[2], "--start", "b0", "-n", "100", "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert [(t, sum(rec.calls)) for t, rec in bars] == [(120, 120), (300, 300)]
