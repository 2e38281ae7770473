"""The ρ sweep: which equilibrium, min/max over all of them, t intervals, the ρ range."""

from __future__ import annotations

import math
from typing import Any

import pytest
from typer.testing import CliRunner

from powerlab.cli import app
from powerlab.errors import InputError
from powerlab.games import sweep as sweep_mod
from powerlab.games.sweep import check_rhos, rho_sweep, t_interval


def test_t_interval_closed_form() -> None:
    """Samples [0, 2]: mean 1, s = √2, s.e. = 1, and t_{0.975, 1} = 12.7062 (Student's table)."""
    mean, se, lo, hi = t_interval([0.0, 2.0])
    assert mean == 1.0 and se == pytest.approx(1.0)
    assert lo == pytest.approx(1 - 12.7062, abs=1e-4) and hi == pytest.approx(1 + 12.7062, abs=1e-4)
    assert all(math.isnan(v) for v in t_interval([3.0])[1:])


def test_rho_range_depends_on_players() -> None:
    """The covariance (1-ρ)I + ρ11ᵀ has eigenvalue 1 + (n-1)ρ on 1, so ρ >= -1/(n-1)."""
    assert check_rhos(3, [-0.5, 1]) == [-0.5, 1.0]
    with pytest.raises(InputError, match=r"\[-0.5, 1\] for 3 players"):
        check_rhos(3, [0.0, -0.6])
    with pytest.raises(InputError, match="outside"):
        check_rhos(2, [float("nan")])


def test_every_rho_checked_before_the_first_game() -> None:
    ran: list[int] = []
    with pytest.raises(InputError):
        rho_sweep(2, 2, 2, [0.0, 1.0, 2.0], games=2, on_game=ran.append)
    assert ran == []


def test_selection_brackets() -> None:
    """Per game, min <= any equilibrium's Σ POWER <= max over the extreme equilibria.

    At a BNE, Σ POWER = Σ U_i, bilinear on each clique X x Y, so every equilibrium's value (the
    one lcp returns included) lies between the smallest and largest extreme-point values.
    """
    kw: dict[str, Any] = {"games": 6, "seed": 4}
    first = rho_sweep(2, 2, 2, [1.0], select="first", **kw)
    low = rho_sweep(2, 2, 2, [1.0], select="min", **kw)
    high = rho_sweep(2, 2, 2, [1.0], select="max", **kw)
    mean = rho_sweep(2, 2, 2, [1.0], select="all", **kw)
    for f, lo, hi, av in zip(
        first.samples[1.0], low.samples[1.0], high.samples[1.0], mean.samples[1.0], strict=True
    ):
        assert lo - 1e-9 <= f <= hi + 1e-9 and lo - 1e-9 <= av <= hi + 1e-9
    row = low.rows[0]
    assert row.mean == row.min_mean and row.min_mean <= row.max_mean
    assert high.rows[0].mean == high.rows[0].max_mean
    assert low.solver == "enummixed" and first.solver == "lcp"
    assert row.incomplete == 0


def test_zero_sum_three_players_within_tolerance() -> None:
    """ρ = -1/2 with 3 players: Σ r_i = 0, so Σ POWER = Σ ex-ante regrets <= 3 ε (theorem)."""
    res = rho_sweep(3, 2, 2, [-0.5], games=3, seed=0)
    row = res.rows[0]
    assert row.count == 3
    assert all(abs(s) <= row.tolerance + 1e-12 for s in res.samples[-0.5])


def test_plot_names_the_selection(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def capture(fig: Any, path: Any) -> None:
        ax = fig.axes[0]
        seen["title"] = ax.get_title()
        seen["labels"] = [line.get_label() for line in ax.get_lines()]

    import powerlab._figures

    monkeypatch.setattr(powerlab._figures, "save_figure", capture)
    res = rho_sweep(2, 2, 2, [0.0, 1.0], games=3, select="max")
    sweep_mod.plot_sweep(res, tmp_path / "s.png")
    assert "select=max" in seen["title"] and "enummixed" in seen["title"]
    assert "per-game min Σ POWER" in seen["labels"] and "per-game max Σ POWER" in seen["labels"]


@pytest.mark.parametrize(
    "args",
    [
        ["--rho", "0", "--rho", "-0.7", "--players", "3"],
        ["--rho", "0", "--select", "best"],
        ["--rho", "0", "--timeout", "inf"],
        ["--rho", "0,abc"],
    ],
)
def test_sweep_errors_are_one_line(args: list[str]) -> None:
    res = CliRunner().invoke(app, ["game-sweep", *args])
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
